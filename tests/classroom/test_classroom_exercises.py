"""The shipped exercises: pass `lesson check`, give no free points, score as documented."""

import shutil
from pathlib import Path

import pytest
from classroom_builders import ROOT, simulate, strategy_only
from course_check import course_reports

from dstutor.classroom.results import build_results, verify
from dstutor.lessons.loader import LESSON_GLOB, load_lesson
from dstutor.lessons.sandbox import build_setup, evaluate

COURSE = ROOT / "lessons"
EXERCISES = [p for p in sorted(COURSE.glob(LESSON_GLOB)) if load_lesson(p).exercise.is_exercise]


def test_at_least_five_exercises() -> None:
    assert len(EXERCISES) >= 5


# The course check (check_paths on the course folder, see tests/course_check.py) checks
# every file with check_file(path, course=COURSE): check_file(path) and the folder's
# confinement. Its reports are computed once per process, shared with `lesson check`'s
# test in the same xdist group.
@pytest.mark.xdist_group("course-check")
@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_passes_lesson_check(path: Path) -> None:
    files = sorted(COURSE.glob(LESSON_GLOB))  # check_paths's order: one report a file
    reports = course_reports()
    assert len(reports) == len(files)
    report = reports[files.index(path)]
    assert report.lesson is not None and report.lesson.path == path, report.source
    assert report.ok, report.problems


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_shape(path: Path) -> None:
    lesson = load_lesson(path)
    meta = lesson.exercise
    assert meta.time_limit and meta.scoring.hint_cost > 0
    for step in lesson.steps:
        assert step.task and not step.text  # a task, no step-by-step text
        weights = meta.check_weights(step.id, len(step.checks))
        assert sum(weights) > 0 and all(w >= 0 for w in weights)


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_gives_no_free_points(path: Path) -> None:
    """Every check that earns points fails on the starting cluster."""
    lesson = load_lesson(path)
    meta = lesson.exercise
    executor = build_setup(lesson)
    for step in lesson.steps:
        weights = meta.check_weights(step.id, len(step.checks))
        for (spec, outcome), weight in zip(evaluate(step.checks, executor, step, [], None),
                                           weights, strict=True):
            if weight > 0:
                assert not outcome.passed, f"{spec.name} passes before any work"


def _score(tmp_path: Path, path: Path, lines: list[str]) -> dict:
    lesson = load_lesson(path)
    store = simulate(tmp_path, {lesson.id: lines}, course=path.parent)
    doc = build_results("Test Learner", [lesson], store.lessons)
    assert verify(doc) == []
    return doc["lessons"][0]


@pytest.mark.parametrize("path", EXERCISES, ids=lambda p: p.stem)
def test_exercise_solution_scores_full_and_hints_cost(path: Path, tmp_path: Path) -> None:
    lesson = load_lesson(path)
    meta = lesson.exercise
    solution = [line for step in lesson.steps for line in step.solution]
    full = _score(tmp_path / "a", path, solution)
    assert full["completed"] and full["score"] == meta.scoring.points
    hinted = _score(tmp_path / "b", path, ["hint", "hint", *solution])
    assert hinted["hints_used"] == 2
    assert hinted["score"] == meta.scoring.points - 2 * meta.scoring.hint_cost
    nothing = _score(tmp_path / "c", path, ["kubectl get nodes"])
    assert nothing["score"] == 0 and not nothing["completed"]


def test_exercise_partial_credit_from_replay(tmp_path: Path) -> None:
    """Right strategy, image never changed: 2 of 8 weight units (one-at-a-time); no
    rollout happened, so the process check (never two nodes down) earns nothing."""
    path = COURSE / "22-ex-safe-rollout.yaml"
    rec = _score(tmp_path, path, [strategy_only()])
    checks = {c["id"]: c["passed"] for c in rec["steps"][0]["checks"]}
    assert checks == {"one-at-a-time": True, "v2-everywhere": False, "proved": False,
                      "never-two-down": False}
    assert rec["score"] == round(100 * 2 / 8, 2)


def test_exercise_22_grades_the_process_from_replay(tmp_path: Path) -> None:
    """Image first (two nodes down at once), strategy fixed afterwards: the end state is
    right, the rollout was not (issue 12)."""
    path = COURSE / "22-ex-safe-rollout.yaml"
    rec = _score(tmp_path, path, [
        "kubectl set image ds/node-logger filebeat=docker.elastic.co/beats/filebeat:8.11.0 "
        "-n kube-system", "kubectl rollout status ds/node-logger -n kube-system",
        strategy_only("8.11.0")])
    checks = {c["id"]: c["passed"] for c in rec["steps"][0]["checks"]}
    assert checks == {"one-at-a-time": True, "v2-everywhere": True, "proved": True,
                      "never-two-down": False}
    assert rec["score"] == round(100 * 6 / 8, 2)


def test_exercise_partial_credit_orphaned_pods(tmp_path: Path) -> None:
    path = COURSE / "24-ex-namespace-move.yaml"
    lesson = load_lesson(path)
    move = [line for line in lesson.steps[0].solution if "delete" not in line]
    rec = _score(tmp_path, path, [*move, "kubectl delete ds node-logger --cascade=orphan"])
    checks = {c["id"]: c["passed"] for c in rec["steps"][0]["checks"]}
    assert checks == {"new-ready": True, "old-gone": True, "no-leftovers": False,
                      "waited": True}
    assert rec["score"] == round(100 * 5 / 6, 2)


def test_exercise_over_time_costs_points(tmp_path: Path) -> None:
    path = COURSE / "23-ex-broken-rollout.yaml"
    lesson = load_lesson(path)
    meta = lesson.exercise
    assert meta.time_limit is not None
    lines = ["kubectl get nodes"] * int(meta.time_limit // 10 + 2) + list(lesson.steps[0].solution)
    rec = _score(tmp_path, path, lines)
    assert rec["over_time"] and rec["seconds"] > meta.time_limit
    assert rec["score"] == meta.scoring.points - meta.scoring.late_cost



def test_exercise_settings_travel_with_the_lesson(tmp_path: Path) -> None:
    """Loaded once with the lesson: results and the toolbar never read the file again
    (they used to, by path: a file changed or gone since made them disagree or fail)."""
    from dstutor.cli.lessons import toolbar_status
    from dstutor.lessons.exercise import ExerciseMeta
    from dstutor.lessons.progress import ProgressStore
    from dstutor.lessons.runner import LessonRunner

    guided = load_lesson(COURSE / "01-what-is-a-daemonset.yaml").exercise
    assert not guided.is_exercise and guided.time_limit is None
    assert guided.scoring == ExerciseMeta().scoring
    course = tmp_path / "course"
    shutil.copytree(COURSE, course)
    lesson = load_lesson(course / "21-ex-gpu-coverage.yaml")
    runner = LessonRunner(lesson, ProgressStore(tmp_path / "progress.json"))
    runner.start()
    (course / "21-ex-gpu-coverage.yaml").unlink()
    meta = lesson.exercise
    assert meta.is_exercise and meta.time_limit and meta.scoring.hint_cost == 5
    rec = build_results("Ada", [lesson], {})["lessons"][0]
    assert rec["mode"] == "exercise" and rec["time_limit"] == meta.time_limit
    assert rec["scoring"] == meta.scoring.as_dict()
    assert " · a hint costs 5 points · " in toolbar_status(runner)

