"""Issue 16's lessons (13-19) and exercise 26 through the learner's own path.

`lesson check` replays each known-wrong attempt in its validator; here the same attempts
go through the LessonRunner a learner types into: earlier steps are `skip`ped (which
applies their solutions), the attempt is typed, and `check` must refuse the step and
say the attempt's feedback phrase. The reference solution passing is covered by
test_lessons_course (script mode) and `lesson check --frozen`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lesson_paths import COURSE

from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner

NEW = ("13-cni-first", "14-priority-preemption", "15-toleration-seconds", "16-adoption-trap",
       "17-storage-ondelete", "18-readiness-min-ready", "19-affinity", "26-ex-mixed-cka")


def _cases() -> list[object]:
    cases = []
    for name in NEW:
        lesson = load_lesson(COURSE / f"{name}.yaml")
        for index, step in enumerate(lesson.steps):
            for n, wrong in enumerate(step.wrong):
                cases.append(pytest.param(name, index, wrong.commands, wrong.message,
                                          id=f"{name}-{step.id}-{n}"))
    return cases


@pytest.mark.parametrize(("name", "index", "commands", "message"), _cases())
def test_a_known_wrong_attempt_is_refused_with_its_feedback(
        name: str, index: int, commands: tuple[str, ...], message: str,
        dstutor_home: Path) -> None:
    lesson = load_lesson(COURSE / f"{name}.yaml")
    runner = LessonRunner(lesson, ProgressStore(dstutor_home / "p.json"))
    runner.start()
    while runner.index < index:
        before = runner.index
        runner.handle_line("skip")
        if runner.index == before:  # an exercise asks once more before it gives a step up
            runner.handle_line("skip")
    assert runner.index == index
    said = "".join(_say(runner, line) for line in commands) + _say(runner, "check")
    assert runner.index == index, f"the wrong attempt passed step {index + 1}:\n{said}"
    assert message in " ".join(said.split()), said


def _say(runner: LessonRunner, line: str) -> str:
    reply = runner.handle_line(line)
    return reply.stdout + reply.stderr
