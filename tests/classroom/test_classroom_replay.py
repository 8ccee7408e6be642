"""Replaying exported logs reproduces the claimed steps on every shipped lesson."""

from pathlib import Path

import pytest
from classroom_builders import ROOT, simulate

from dstutor.classroom.replay import replay_lesson, replay_problems
from dstutor.classroom.results import build_results, verify
from dstutor.lessons.loader import LESSON_GLOB, load_lesson

LESSONS = sorted((ROOT / "lessons").glob(LESSON_GLOB))


def _solver_lines(lesson) -> list[str]:  # noqa: ANN001
    lines: list[str] = []
    for step in lesson.steps:
        if step.predict is not None:
            lines.append(f"predict {step.predict.answer}")
        lines += list(step.solution)
    return lines


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_replay_reproduces_a_solved_lesson(path: Path, tmp_path: Path) -> None:
    lesson = load_lesson(path)
    store = simulate(tmp_path, {lesson.id: _solver_lines(lesson)}, course=path.parent)
    doc = build_results("Solver", [lesson], store.lessons)
    assert verify(doc) == []
    rec = doc["lessons"][0]
    assert rec["completed"], [s["id"] for s in rec["steps"] if not s["done"]]
    assert all(replay_lesson(lesson, rec).get(s.id) for s in lesson.steps)
    assert replay_problems(doc, [lesson]) == []


def test_replay_handles_skip(tmp_path: Path) -> None:
    path = next(p for p in LESSONS if "taints" in p.stem)
    lesson = load_lesson(path)
    store = simulate(tmp_path, {lesson.id: ["skip", *_solver_lines(lesson)[1:]]},
                     course=path.parent)
    rec = build_results("Skipper", [lesson], store.lessons)["lessons"][0]
    assert rec["steps"][0]["skipped"]
    replayed = replay_lesson(lesson, rec)
    assert replayed[lesson.steps[0].id] is False  # skipped is not done by the learner
    assert replay_problems({"lessons": [rec]}, [lesson]) == []
