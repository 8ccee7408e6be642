"""The lesson's part of the REPL toolbar: step, and for exercises time left and hint cost."""

from __future__ import annotations

from pathlib import Path

from dstutor.cli.lessons import toolbar_status
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner

LESSONS = Path(__file__).resolve().parents[2] / "lessons"


def _runner(name: str, tmp_path: Path) -> LessonRunner:
    lesson = load_lesson(LESSONS / name)
    runner = LessonRunner(lesson, ProgressStore(tmp_path / "progress.json"))
    runner.start()
    return runner


def test_lessons_toolbar_shows_the_step_of_a_guided_lesson(tmp_path: Path) -> None:
    runner = _runner("01-what-is-a-daemonset.yaml", tmp_path)
    assert toolbar_status(runner) == "01-what-is-a-daemonset step 1/4"


def test_lessons_toolbar_counts_down_an_exercise_and_names_the_hint_cost(tmp_path: Path
                                                                        ) -> None:
    runner = _runner("21-ex-gpu-coverage.yaml", tmp_path)
    status = toolbar_status(runner)
    assert status.startswith("21-ex-gpu-coverage step 1/1 · a hint costs 5 points · ")
    assert status.endswith("m00s left")
    step = runner.progress.step(runner.lesson.steps[0].id)
    step.seconds = 10_000
    assert toolbar_status(runner).endswith("over the time limit")
