"""The shipped course: `lesson check` passes, and every lesson runs through its solutions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lesson_paths import COURSE, course_reports
from typer.testing import CliRunner

from dstutor.cli.lessons import lesson_app
from dstutor.lessons.loader import lesson_files, load_lesson
from dstutor.lessons.schema import Lesson
from dstutor.lessons.transcript import reference_script

FILES = lesson_files(COURSE)


def solution_script(lesson: Lesson) -> str:
    """Every step's solution, with the prediction typed right after the command it gates
    (the same script `lesson check` writes the transcript from)."""
    return "\n".join(reference_script(lesson)) + "\n"


def test_course_has_the_planned_lessons() -> None:
    lessons = [load_lesson(p) for p in FILES]
    assert len(lessons) >= 4
    assert len({lesson.id for lesson in lessons}) == len(lessons)


# With test_lessons_feedback's known-mistakes test: one process checks the course once.
@pytest.mark.xdist_group("course-check")
def test_course_passes_lesson_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Including --frozen: every transcript is current (what learners see was reviewed)."""
    import dstutor.lessons.validate as validate

    check_paths = validate.check_paths

    def once_per_process(paths: list[str]) -> list[object]:
        return course_reports() if list(paths) == [str(COURSE)] else check_paths(paths)

    monkeypatch.setattr(validate, "check_paths", once_per_process)
    result = CliRunner().invoke(lesson_app, ["check", "--frozen", str(COURSE)])
    assert result.exit_code == 0, result.output
    assert f"{len(FILES)} of {len(FILES)} lessons passed" in result.output


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_lesson_runs_end_to_end_in_script_mode(path: Path, dstutor_home: Path) -> None:
    lesson = load_lesson(path)
    result = CliRunner().invoke(lesson_app, ["run", lesson.id, "--course", str(COURSE)],
                                input=solution_script(lesson))
    assert result.exit_code == 0, result.output
    assert "Lesson complete" in result.output
    for i, step in enumerate(lesson.steps):
        assert f"✓ Step {i + 1} done: {step.title}" in result.output
    data = json.loads((dstutor_home / "progress.json").read_text())
    progress = data["lessons"][lesson.id]
    assert progress["completed"] is True
    assert all(s["done"] and not s["skipped"] for s in progress["steps"].values())
    for step in lesson.steps:
        if step.predict:
            prediction = progress["steps"][step.id]["prediction"]
            assert prediction["guess"] == prediction["answer"] == step.predict.answer
