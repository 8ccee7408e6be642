"""Replaying exported logs reproduces the claimed steps on every shipped lesson."""

from pathlib import Path

import pytest
from classroom_builders import ROOT, simulate, solver_lines

from dstutor.classroom.replay import replay_lesson, replay_problems
from dstutor.classroom.results import build_results, verify
from dstutor.lessons.loader import LESSON_GLOB, load_lesson

LESSONS = sorted((ROOT / "lessons").glob(LESSON_GLOB))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_replay_reproduces_a_solved_lesson(path: Path, tmp_path: Path) -> None:
    lesson = load_lesson(path)
    store = simulate(tmp_path, {lesson.id: solver_lines(lesson)}, course=path.parent)
    doc = build_results("Solver", [lesson], store.lessons)
    assert verify(doc) == []
    rec = doc["lessons"][0]
    assert rec["completed"], [s["id"] for s in rec["steps"] if not s["done"]]
    # One replay, every step read from it (it replayed the whole log once per step:
    # the same call on the same record, whose answer a replay's determinism fixes).
    replayed = replay_lesson(lesson, rec)
    assert all(replayed.get(s.id) for s in lesson.steps)
    assert replay_problems(doc, [lesson]) == []


def test_replay_handles_skip(tmp_path: Path) -> None:
    path = next(p for p in LESSONS if "taints" in p.stem)
    lesson = load_lesson(path)
    store = simulate(tmp_path, {lesson.id: ["skip", *solver_lines(lesson)[1:]]},
                     course=path.parent)
    rec = build_results("Skipper", [lesson], store.lessons)["lessons"][0]
    assert rec["steps"][0]["skipped"]
    replayed = replay_lesson(lesson, rec)
    assert replayed[lesson.steps[0].id] is False  # skipped is not done by the learner
    assert replay_problems({"lessons": [rec]}, [lesson]) == []


def _person(lesson, store, variant: int) -> None:  # noqa: ANN001
    """Work through a lesson on the live clock the way people do: hints, a `check` too
    early, looking around, waiting and checking again, wrong quiz answers; variant 1 skips
    step 2 and answers a prediction with a command, variant 2 resets step 1 and looks at
    step 3's solution, variant 0 leaves after step 2 and resumes."""
    from hostile_corpus import live_runner

    wall = [1000.0]
    runner = live_runner(lesson, store, wall)

    def typed(line: str, wait: float = 7.0) -> None:
        runner.handle_line(line)
        wall[0] += wait

    for i, step in enumerate(lesson.steps):
        if runner.done:
            break
        typed("hint", 3)
        typed("check", 2)
        typed("kubectl get pods -A", 1)
        if variant == 1 and i == 1:
            typed("skip")
            continue
        if variant == 2 and i == 0:
            typed("kubectl label node worker-1 foo=bar")
            typed("reset")
        if variant == 2 and i == 2:
            typed("solution")
        if step.quiz:
            wrong = [c for c, ch in zip(step.quiz.letters, step.quiz.choices, strict=True)
                     if not ch.correct]
            typed(wrong[0])
            typed(f"answer {step.quiz.correct_letter()}")
            continue
        for line in step.solution:
            typed(line, 20)
            if runner.pending is not None:
                typed(str(step.predict.answer) if variant != 1 else "kubectl get nodes")
        if not runner.done and runner.step is step:
            typed("check", 60)  # wait a minute, then check again
            typed("check", 1)
        if i == 1 and variant == 0:
            runner = live_runner(lesson, store, wall)  # left, came back


@pytest.mark.parametrize(("path", "variant"), [(p, i % 3) for i, p in enumerate(LESSONS)],
                         ids=lambda v: v.stem if isinstance(v, Path) else str(v))
def test_replay_reproduces_a_person_s_session(path: Path, variant: int, tmp_path: Path) -> None:
    from dstutor.lessons.progress import ProgressStore

    lesson = load_lesson(path)
    store = ProgressStore(tmp_path / "progress.json")
    _person(lesson, store, variant)
    doc = build_results("Person", [lesson], store.lessons)
    assert verify(doc) == []
    kinds = {e["kind"] for e in doc["lessons"][0]["log"]}
    assert {"typed", "run"} <= kinds
    assert replay_problems(doc, [lesson]) == []
    # as an older dstutor would have exported it (no typed lines): still genuine
    from test_classroom_hostile import _as_version_1

    assert replay_problems(_as_version_1(doc), [lesson]) == []
    # the same file with its first `hint` line dropped (chain and digest recomputed, so
    # the hint is hidden from the log) is rejected: the step says the hint was used
    from hostile_corpus import reseal

    rec = doc["lessons"][0]
    hint = next(i for i, e in enumerate(rec["log"]) if e["line"] == "hint")
    step = rec["log"][hint]["step"]
    del rec["log"][hint]
    problems = replay_problems(reseal(doc), [lesson])
    assert f"{rec['id']}/{step}: the file says hints_used 1, the replay gives 0" in problems
