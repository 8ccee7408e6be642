"""The review at the end of an exercise (issue 16): per task its points and what was missed,
scored exactly as the results file scores it."""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from classroom_builders import ROOT, strategy_only
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dstutor.classroom.results import lesson_record
from dstutor.classroom.review import (
    DONE,
    END,
    TIME,
    CheckResult,
    Review,
    TaskState,
    build_review,
    review_from_progress,
    review_from_record,
    review_lines,
    review_text,
)
from dstutor.classroom.scoreview import exercise_hooks
from dstutor.classroom.scoring import record_step_scores, score_lesson_record
from dstutor.cli.lessons import lesson_app, run_script_lines
from dstutor.lessons.exercise import Scoring
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner

COURSE = ROOT / "lessons"
GOLDEN = Path(__file__).parent / "golden"
UPDATE = bool(os.environ.get("DSTUTOR_UPDATE_GOLDEN"))
EXAM = Scoring(points=100.0, hint_cost=5.0, late_cost=10.0)
SAFE_ROLLOUT = "22-ex-safe-rollout.yaml"


def checks(*spec: tuple[str, float, bool]) -> tuple[CheckResult, ...]:
    return tuple(CheckResult(name, weight, ok, f"{name} does not hold" if not ok else "")
                 for name, weight, ok in spec)


FOUR = (("a", 2.0, True), ("b", 3.0, False), ("c", 1.0, False), ("d", 2.0, True))


# --- the builder ------------------------------------------------------------------------------

def test_full_marks_misses_nothing() -> None:
    task = TaskState("t", "Do it", done=True, seconds=42.0, weights=(2.0, 3.0, 1.0, 2.0))
    review = build_review("Ex", [task], EXAM, 600.0)
    assert review.score == 100 and review.task_points == 100
    (t,) = review.tasks
    assert (t.status, t.earned, t.possible, t.missed) == ("done", 100, 100, ())
    text = "\n".join(review_lines(review))
    assert "missed" not in text and "Time: 0m42s of 10m: within the limit" in text
    assert "Hints: none used (each costs 5 points)" in text


def test_partial_credit_names_each_missed_check_and_its_points() -> None:
    review = build_review("Ex", [TaskState("t", "Do it", checks=checks(*FOUR))], EXAM, 600.0)
    (t,) = review.tasks
    assert (t.status, t.earned, t.possible) == ("not finished", 50, 100)
    assert [(m.name, m.points, m.message) for m in t.missed] == [
        ("b", 37.5, "b does not hold"), ("c", 12.5, "c does not hold")]
    assert review.score == 50
    lines = review_lines(review)
    assert lines[0] == "Task 1/1: Do it: 50 of 100 points (not finished)"
    assert "  missed b (37.5 points): b does not hold" in lines
    assert "  missed c (12.5 points): c does not hold" in lines


def test_a_required_check_worth_no_points_says_so() -> None:
    review = build_review("Ex", [TaskState("t", "Do it", checks=checks(
        ("a", 1.0, True), ("keep-taint", 0.0, False)))], EXAM, None)
    assert review.score == 100  # it costs nothing, but the task is not finished
    assert "  missed keep-taint (no points, but the task needs it): keep-taint does not hold" \
        in review_lines(review)


def test_skipped_task_earns_nothing_and_lists_no_checks() -> None:
    review = build_review("Ex", [TaskState("t", "Do it", done=True, skipped=True,
                                           weights=(1.0, 1.0))], EXAM, None)
    (t,) = review.tasks
    assert (t.status, t.earned, t.missed, review.score) == ("skipped", 0, (), 0)
    assert "  skipped: the solution was applied, so the task earns nothing" in review_lines(
        review)


def test_solution_shown_earns_nothing_but_still_says_what_was_missing() -> None:
    shown = TaskState("t", "Do it", solution_seen=True, checks=checks(*FOUR))
    review = build_review("Ex", [shown], EXAM, None)
    (t,) = review.tasks
    assert (t.status, t.earned, review.score) == ("solution shown", 0, 0)
    assert [m.name for m in t.missed] == ["b", "c"]
    done_after = build_review("Ex", [dataclasses.replace(shown, done=True)], EXAM, None)
    assert done_after.tasks[0].earned == 0 and done_after.tasks[0].missed == ()
    assert "  solution shown: the task earns nothing" in review_lines(done_after)


def test_hints_cost_per_task_and_in_total() -> None:
    tasks = [TaskState("one", "First", done=True, hints_used=2, weights=(1.0,)),
             TaskState("two", "Second", hints_used=1, checks=checks(("x", 1.0, False)))]
    review = build_review("Ex", tasks, EXAM, None)
    assert [t.hint_cost for t in review.tasks] == [10, 5]
    assert review.hints_used == 3 and review.hints_total == 15
    assert review.score == 50 - 15
    lines = review_lines(review)
    assert "  hints: 2 used, -10 points" in lines and "  hints: 1 used, -5 points" in lines
    assert "Hints: 3 × 5 = -15 points" in lines
    free = build_review("Ex", tasks, Scoring(), None)
    assert free.score == 50 and "Hints: 3 used, free in this exercise" in review_lines(free)


def test_over_time_costs_the_late_cost_and_the_score_never_drops_below_zero() -> None:
    late = TaskState("t", "Do it", done=True, seconds=725.0, weights=(1.0,))
    review = build_review("Ex", [late], EXAM, 600.0)
    assert review.over_time and review.score == 90
    assert "Time: 12m05s of 10m: over the limit, -10 points" in review_lines(review)
    hopeless = dataclasses.replace(late, done=False, hints_used=3,
                                   checks=checks(("x", 1.0, False)))
    floored = build_review("Ex", [hopeless], EXAM, 90.0)
    assert floored.score == 0
    assert review_lines(floored)[-1] == "Score: 0 of 100 (costs never take a score below 0)"
    assert "Time: 12m05s of 1m30s: over the limit, -10 points" in review_lines(floored)


def test_points_split_over_tasks_by_weight() -> None:
    tasks = [TaskState("one", "First", done=True, weights=(1.0, 1.0)),
             TaskState("two", "Second", checks=checks(("x", 3.0, True), ("y", 3.0, False)))]
    review = build_review("Ex", tasks, EXAM, None)
    assert [(t.earned, t.possible) for t in review.tasks] == [(25, 25), (37.5, 75)]
    assert review.task_points == review.score == 62.5
    assert [t.number for t in review.tasks] == [1, 2]
    assert review_lines(review)[1] == "Task 2/2: Second: 37.5 of 75 points (not finished)"


def test_untrusted_titles_and_messages_stay_on_one_line() -> None:
    task = TaskState("t", "Do\nit\x1b[2J", checks=(CheckResult("c\x07", 1.0, False,
                                                               "x\ny"),))
    text = review_text(build_review("Ti\rtle", [task], EXAM, None), END)
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert all(not line.startswith(("it", "y")) for line in text.splitlines())


@pytest.mark.parametrize(("ended", "first", "last"), [
    (DONE, "Every task is done: the exercise is over.", "Score: 100 of 100"),
    (TIME, "Time is up: the exercise ends here.", "`dstutor lesson run --restart` starts "
     "it again."),
    (END, "You ended the exercise.", "`dstutor lesson run --restart` starts it again."),
])
def test_review_text_says_why_it_ended(ended: str, first: str, last: str) -> None:
    review = build_review("Ex", [TaskState("t", "Do it", done=True, weights=(1.0,))], EXAM,
                          None)
    lines = review_text(review, ended).splitlines()
    assert lines[0] == "" and lines[1].startswith("── Review: Ex ──")
    assert lines[2] == first and lines[-1] == last


def test_done_or_skipped_is_said_when_a_task_was_skipped() -> None:
    tasks = [TaskState("a", "A", done=True, weights=(1.0,)),
             TaskState("b", "B", done=True, skipped=True, weights=(1.0,))]
    assert ("Every task is done or skipped: the exercise is over."
            in review_text(build_review("Ex", tasks, EXAM, None), DONE))


# --- a real exercise, run through the lesson runner ----------------------------------------

def fake_wall(step: float) -> Iterator[float]:
    t = 0.0
    while True:
        t += step
        yield t




class Spy:
    """Exercise hooks that also keep the review data the runner's text was made from."""

    def __init__(self, lesson: Any) -> None:
        self.base = exercise_hooks(lesson)
        self.lesson = lesson
        self.reviews: list[tuple[str, Review]] = []
        self.hooks = dataclasses.replace(self.base, review_text=self.review_text)

    def review_text(self, progress: Any, outcomes: Any, ended: str) -> str:
        self.reviews.append((ended, review_from_progress(self.lesson, progress, outcomes)))
        assert self.base.review_text is not None
        return self.base.review_text(progress, outcomes, ended)


def run_exercise(name: str, lines: list[str], home: Path, *, seconds: float = 10.0
                 ) -> tuple[LessonRunner, Spy, str]:
    path = COURSE / name
    lesson = load_lesson(path)
    spy = Spy(lesson)
    clock = fake_wall(seconds)
    runner = LessonRunner(lesson, ProgressStore(home / "progress.json"),
                          wall=lambda: next(clock), exercise=spy.hooks)
    runner.start()
    out = "".join(runner.handle_line(line).stdout for line in lines)
    if not runner.done:
        out += runner.handle_line("end").stdout
    return runner, spy, out


def solution(name: str) -> list[str]:
    return [line for step in load_lesson(COURSE / name).steps for line in step.solution]


SCENARIOS = {
    "full": (SAFE_ROLLOUT, solution(SAFE_ROLLOUT), 10.0, 100.0),
    "partial": (SAFE_ROLLOUT, [strategy_only()], 10.0, 25.0),
    "image-first": (SAFE_ROLLOUT, [
        "kubectl set image ds/node-logger filebeat=docker.elastic.co/beats/filebeat:8.11.0 "
        "-n kube-system", "kubectl rollout status ds/node-logger -n kube-system",
        strategy_only("8.11.0")], 10.0, 75.0),
    # the new image under the old 50% strategy, ended before its worst moment: the guard
    # on two nodes down must not be paid while the rollout is still under way
    "image-wrong-strategy-ended-at-once": (SAFE_ROLLOUT, [
        "kubectl set image ds/node-logger filebeat=docker.elastic.co/beats/filebeat:8.11.0 "
        "-n kube-system"], 10.0, 0.0),
    "hints-partial": (SAFE_ROLLOUT, ["hint", "hint", strategy_only()], 10.0, 15.0),
    "skipped": (SAFE_ROLLOUT, ["hint", "skip", "skip"], 10.0, 0.0),
    "solution-shown": (SAFE_ROLLOUT, ["solution", "solution", *solution(SAFE_ROLLOUT)], 10.0,
                       0.0),
    "over-time": ("23-ex-broken-rollout.yaml", ["kubectl get nodes"] * 8
                  + solution("23-ex-broken-rollout.yaml"), 100.0, 90.0),
    "orphans": ("24-ex-namespace-move.yaml", ["hint", *[
        line for line in solution("24-ex-namespace-move.yaml") if "delete" not in line],
        "kubectl delete ds node-logger --cascade=orphan"], 10.0, round(100 * 5 / 6 - 5, 2)),
    "nothing": ("21-ex-gpu-coverage.yaml", ["kubectl get nodes"], 10.0, 0.0),
    # seven tasks: the first (15 of 100 points) done, a hint in the second, the rest
    # untouched
    "mixed-first-task": ("26-ex-mixed-cka.yaml", [
        *load_lesson(COURSE / "26-ex-mixed-cka.yaml").steps[0].solution, "hint"], 10.0,
        15.0 - 3),
    "mixed-full": ("26-ex-mixed-cka.yaml", solution("26-ex-mixed-cka.yaml"), 10.0, 100.0),
}


@pytest.mark.parametrize("case", SCENARIOS)
def test_the_review_and_the_results_file_agree(case: str, tmp_path: Path) -> None:
    """Whatever the learner did, the review shows the points `results export` records
    (and `dstutor grade` recomputes): final score, each task's points, each missed check."""
    name, lines, seconds, expected = SCENARIOS[case]
    runner, spy, _out = run_exercise(name, lines, tmp_path, seconds=seconds)
    ended, review = spy.reviews[-1]
    assert ended == (DONE if runner.done else END)
    record = lesson_record(runner.lesson, runner.progress, "Test Learner")
    assert review.score == record["score"] == expected
    assert review.over_time == record["over_time"]
    total = sum(s["possible"] for s in record["steps"])
    for task, step in zip(review.tasks, record["steps"], strict=True):
        assert task.earned == round(100 * step["earned"] / total, 2)
        assert task.possible == round(100 * step["possible"] / total, 2)
        if not step["done"]:
            assert [m.name for m in task.missed] == [
                c["id"] for c in step["checks"] if not c["passed"]]
    again = review_from_record(record)  # the same builder, from the results file alone
    assert again.score == review.score
    assert [(t.earned, t.possible, t.status) for t in again.tasks] == [
        (t.earned, t.possible, t.status) for t in review.tasks]
    assert [[m.name for m in t.missed] for t in again.tasks] == [
        [m.name for m in t.missed] for t in review.tasks]


def test_golden_review_of_a_partly_done_exercise(tmp_path: Path) -> None:
    _runner, _spy, out = run_exercise(SAFE_ROLLOUT, ["hint", strategy_only()], tmp_path)
    text = out[out.index("\n── Review:"):]
    path = GOLDEN / "review_22_partial.txt"
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}: run with DSTUTOR_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_the_time_limit_ends_the_exercise_once_with_the_review(tmp_path: Path) -> None:
    """10 minutes, 4 minutes a line from the first: the fourth line passes the limit. The session ends with
    the review; resumed later, the exercise goes on (late) and ends when it is done."""
    name = "23-ex-broken-rollout.yaml"
    path = COURSE / name
    lesson = load_lesson(path)
    store = ProgressStore(tmp_path / "progress.json")
    clock = fake_wall(240.0)
    runner = LessonRunner(lesson, store, wall=lambda: next(clock),
                          exercise=exercise_hooks(lesson))
    runner.start()
    stdout, stderr = io.StringIO(), io.StringIO()
    lines = ["kubectl get nodes"] * 5
    status = run_script_lines(runner, [line + "\n" for line in lines], stdout, stderr)
    out = stdout.getvalue()
    assert status == 0 and out.count("Time is up: the exercise ends here.") == 1
    assert out.count("NAME ") == 4  # the line after it never ran
    assert "Time: 10m00s of 10m" not in out and "over the limit, -10 points" in out
    assert "missed agents-back (50 points)" in out
    assert "Score: 0 of 100 (costs never take a score below 0)" in out
    # Resumed: already late, so no second "time is up"; finishing shows the final review.
    again = LessonRunner(lesson, ProgressStore(tmp_path / "progress.json"),
                         wall=lambda: next(clock), exercise=exercise_hooks(lesson))
    again.start()
    rest = "".join(again.handle_line(line).stdout for line in solution(name))
    assert "Time is up" not in rest and again.done
    assert "Every task is done: the exercise is over." in rest
    assert "Score: 90 of 100" in rest


def test_end_in_a_guided_lesson_just_leaves(tmp_path: Path) -> None:
    lesson = load_lesson(COURSE / "01-what-is-a-daemonset.yaml")
    runner = LessonRunner(lesson, ProgressStore(tmp_path / "p.json"))
    runner.start()
    reply = runner.handle_line("end")
    assert reply.finished and reply.stdout.startswith("Progress saved.")


def test_lesson_run_script_ends_with_the_review(tmp_path: Path) -> None:
    """`printf '...' | dstutor lesson run 22`: the learner's session as they see it."""
    script = "\n".join(["hint", strategy_only(), "progress", "end", "kubectl get nodes"])
    result = CliRunner().invoke(lesson_app, ["run", "22", "--course", str(COURSE)],
                                input=script + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    review = out[out.index("── Review: Exercise: roll out v2, one node at a time"):]
    assert review.splitlines()[1] == "You ended the exercise."
    assert ("Task 1/1: Update node-logger safely and prove it: 25 of 100 points "
            "(not finished)") in review
    assert "  missed proved (12.5 points): a command the task asks for has not been run " \
           "(successfully) yet" in review
    assert "  hints: 1 used, -5 points" in review and "Score: 20 of 100" in review
    assert "8.11.0" not in review  # the expected image is not given away
    assert "NAME " not in review  # `end` ended the session: the last line never ran


def test_grade_review_shows_each_learners_exercise_review(tmp_path: Path) -> None:
    """`dstutor grade --review`: the same builder, from the results file alone."""
    from classroom_builders import app, simulate

    home = tmp_path / "ann"
    simulate(home, {"ex-safe-rollout": ["hint", strategy_only()],
                    "what-is-a-daemonset": ["kubectl get ds -A"]}, course=COURSE)
    out = tmp_path / "ann.json"
    result = CliRunner().invoke(app(), ["results", "export", "--course", str(COURSE),
                                        "--name", "Ann", "--out", str(out)],
                                env={"DSTUTOR_HOME": str(home)})
    assert result.exit_code == 0, result.output
    graded = CliRunner().invoke(app(), ["grade", str(out), "--review"],
                                env={"COLUMNS": "200"})
    assert graded.exit_code == 0, graded.output
    text = graded.output[graded.output.index("Review Ann"):]
    assert text.splitlines()[0].endswith(
        ": ex-safe-rollout: Exercise: roll out v2, one node at a time")
    assert [line.strip() for line in text.splitlines()[1:]] == [
        "Task 1/1: Update node-logger safely and prove it: 25 of 100 points (not finished)",
        "missed v2-everywhere (37.5 points)", "missed proved (12.5 points)",
        "missed never-two-down (25 points)", "hints: 1 used, -5 points",
        "Tasks: 25 of 100 points", "Hints: 1 × 5 = -5 points",
        "Time: 0m20s of 10m: within the limit", "Score: 20 of 100"]
    plain = CliRunner().invoke(app(), ["grade", str(out)], env={"COLUMNS": "200"})
    assert "Review" not in plain.output  # guided lessons and plain grading: no review


# --- any progress state: the review scores what the results file's recomputation scores ----

_check = st.tuples(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]), st.booleans())
_task = st.tuples(st.booleans(), st.booleans(), st.booleans(), st.integers(0, 4),
                  st.floats(0, 400, allow_nan=False), st.lists(_check, min_size=1, max_size=5))


@settings(max_examples=200, deadline=None)
@given(st.lists(_task, min_size=1, max_size=4), st.sampled_from([None, 300.0, 900.0]))
def test_any_state_scores_as_the_results_file(raw: list[Any], limit: float | None) -> None:
    tasks, steps = [], []
    for i, (done, skipped, shown, hints, seconds, spec) in enumerate(raw):
        done = done or skipped  # `skip` finishes a task
        results = tuple(CheckResult(f"c{j}", w, ok) for j, (w, ok) in enumerate(spec))
        tasks.append(TaskState(f"t{i}", f"T{i}", done, skipped, shown, hints,
                               round(seconds, 3), results))
        # as results.py writes a step: a finished one with every check as earned
        earned_all = not skipped and not shown
        steps.append({"id": f"t{i}", "title": f"T{i}", "done": done, "skipped": skipped,
                      "solution_seen": shown, "hints_used": hints,
                      "seconds": round(seconds, 3),
                      "checks": [{"id": c.name, "weight": c.weight,
                                  "passed": earned_all if done else c.passed}
                                 for c in results]})
    # an exercise has weight to earn (`lesson check` insists)
    assume(sum(c.weight for t in tasks for c in t.checks or ()) > 0)
    seconds = round(sum(s["seconds"] for s in steps), 3)
    record = {"id": "x", "title": "X", "mode": "exercise", "steps": steps,
              "scoring": EXAM.as_dict(), "hints_used": sum(s["hints_used"] for s in steps),
              "time_limit": limit, "over_time": limit is not None and seconds > limit}
    review = build_review("X", tasks, EXAM, limit)
    assert review.score == score_lesson_record(record)
    assert review.over_time == record["over_time"]
    total = sum(s.possible for s in record_step_scores(record))
    for task, score in zip(review.tasks, record_step_scores(record), strict=True):
        assert task.earned == round(100 * score.earned / total, 2)
    assert review_from_record(record) == review


TWO_TASKS = """format_version: 1
id: two-tasks
mode: exercise
title: "Exercise: two tasks"
summary: Two tasks, scored per check.
k8s_version: "1.37"
time_limit: 5m
scoring: {points: 100, hint_cost: 5, late_cost: 10}
steps:
  - id: reserve
    title: Reserve worker-1
    task: Taint worker-1 with dedicated=gpu:NoSchedule.
    checks:
      - {kind: node_has_taint, id: tainted, weight: 2, node: worker-1, key: dedicated,
         value: gpu, effect: NoSchedule}
    hints: [Taints are set with kubectl taint.]
    solution: [kubectl taint node worker-1 dedicated=gpu:NoSchedule]
  - id: ssd
    title: Label the SSD nodes
    task: Label worker-2 and worker-3 with disk=ssd.
    checks:
      - {kind: node_has_label, id: worker-2-ssd, weight: 1, node: worker-2, key: disk,
         value: ssd}
      - {kind: node_has_label, id: worker-3-ssd, weight: 1, node: worker-3, key: disk,
         value: ssd}
    hints: [Labels are set with kubectl label.]
    solution: [kubectl label node worker-2 worker-3 disk=ssd]
"""


def test_a_two_task_exercise_reviews_each_task(tmp_path: Path) -> None:
    path = tmp_path / "course" / "01-two-tasks.yaml"
    path.parent.mkdir()
    path.write_text(TWO_TASKS, encoding="utf-8")
    lesson = load_lesson(path)
    spy = Spy(lesson)
    clock = fake_wall(10.0)
    runner = LessonRunner(lesson, ProgressStore(tmp_path / "p.json"), wall=lambda: next(clock),
                          exercise=spy.hooks)
    runner.start()
    out = "".join(runner.handle_line(line).stdout for line in (
        "kubectl taint node worker-1 dedicated=gpu:NoSchedule", "hint",
        "kubectl label node worker-2 disk=ssd", "end"))
    review = out[out.index("── Review:"):].splitlines()
    assert review[1:6] == [
        "You ended the exercise.",
        "Task 1/2: Reserve worker-1: 50 of 50 points",
        "Task 2/2: Label the SSD nodes: 25 of 50 points (not finished)",
        "  missed worker-3-ssd (25 points): " + spy.reviews[-1][1].tasks[1].missed[0].message,
        "  hints: 1 used, -5 points"]
    assert "Score: 70 of 100" in review
    record = lesson_record(lesson, runner.progress, "Test Learner")
    assert record["score"] == spy.reviews[-1][1].score == 70
    assert [s["earned"] for s in record["steps"]] == [2.0, 1.0]
