"""The learner-visible transcript of a lesson's reference run, for review.

`dstutor lesson check` writes one per lesson (`transcripts/<slug>.txt` next to the
lessons) and `--frozen` fails when one would change: any change in what learners see,
from a lesson edit or from the simulator, then shows up as a diff in review.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from dstutor.lessons.schema import Lesson

TRANSCRIPT_DIR = "transcripts"


def reference_script(lesson: Lesson) -> list[str]:
    """Every step's solution, with the prediction typed right after the command it gates."""
    lines: list[str] = []
    for step in lesson.steps:
        for line in step.solution:
            lines.append(line.rstrip("\n"))
            if step.predict and re.search(step.predict.before, line):
                lines.append(str(step.predict.answer))
    return lines


def transcript(lesson: Lesson, *, exercise: Any = None) -> str:
    """Run the reference solution as a learner would (script mode, no colour, a wall clock
    stopped at 0 so times are stable) and return everything the learner would read.
    Throwaway work (sandbox.throwaway): a second run, if any, has a home of its own."""
    from dstutor.lessons.sandbox import throwaway

    return throwaway(lambda: _transcript(lesson, exercise))


def _transcript(lesson: Lesson, exercise: Any) -> str:
    from dstutor.lessons.progress import ProgressStore
    from dstutor.lessons.runner import LessonRunner
    from dstutor.shell.workspace import Workspace

    with tempfile.TemporaryDirectory(prefix="dstutor-transcript-") as home:
        store = ProgressStore(Path(home) / "progress.json")
        # A workspace of its own, removed with the rest: the author's lesson files and
        # edit journal stay as they are.
        runner = LessonRunner(lesson, store, restart=True, wall=lambda: 0.0,
                              exercise=exercise, workspace=Workspace.at(Path(home) / "ws"))
        out = [text for _kind, text in runner.start().parts()]
        for line in reference_script(lesson):
            out.append("\n$ " + line.replace("\n", "\n> ") + "\n")
            out += [text for _kind, text in runner.handle_line(line).parts()]
    return "".join(out).rstrip("\n") + "\n"


def transcript_path(lesson: Lesson) -> Path:
    return lesson.base_dir / TRANSCRIPT_DIR / f"{lesson.slug}.txt"
