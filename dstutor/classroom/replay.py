"""Replay a results file's command logs against the course: do they earn what it claims?

The digest and hash chain only show that a file was not edited after export. Replaying
goes further: the engine is deterministic, so feeding the logged commands (plus the
recorded quiz answers and predictions) to a fresh lesson runner must finish the same
steps. A step claimed done that the replay does not finish means the file was forged -
or was exported from a different version of the course.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from dstutor.errors import DstutorError


def _feed_quiz(runner: Any, answers: dict[str, list[str]]) -> None:
    """Give the current quiz step its recorded answers (quiz answers are not in the log)."""
    while runner.step is not None and runner.step.quiz is not None:
        pending = answers.get(runner.step.id)
        if not pending:
            return
        runner.handle_line(f"answer {pending.pop(0)}")


def replay_lesson(lesson: Any, record: Mapping[str, Any]) -> dict[str, bool]:
    """Step id -> done (by the learner, not skipped) after replaying the record's log."""
    from dstutor.lessons.progress import ProgressStore
    from dstutor.lessons.runner import LessonRunner

    steps = {s["id"]: s for s in record.get("steps") or []}
    answers = {sid: list(s.get("quiz_answers") or []) for sid, s in steps.items()}
    with tempfile.TemporaryDirectory(prefix="dstutor-replay-") as tmp:
        store = ProgressStore(Path(tmp) / "progress.json")
        from dstutor.shell.workspace import Workspace

        # A workspace of its own: replaying never reads or clears the grader's files.
        runner = LessonRunner(lesson, store, restart=True, wall=lambda: 0.0,
                              workspace=Workspace.at(Path(tmp) / "workspace"))
        # Predictions are asked before a command runs; with the recorded guess in place the
        # runner does not hold the command back.
        for sid, s in steps.items():
            if s.get("prediction") is not None:
                runner.progress.step(sid).prediction = dict(s["prediction"])
        runner.start()
        skipped: set[str] = set()
        for entry in record.get("log") or []:
            _feed_quiz(runner, answers)
            if runner.done:
                break
            if entry.get("skip"):
                # `skip` ran the step's solution; replay the `skip`, once per step
                if entry.get("step") not in skipped:
                    skipped.add(str(entry.get("step")))
                    runner.handle_line("skip")
                continue
            gap = float(entry.get("t", 0.0)) - runner.executor.cluster.now()
            if gap > 0:  # live-clock sessions: let the same virtual time pass
                runner.executor.cluster.advance(gap)
            runner.handle_line(str(entry.get("line", "")))
        _feed_quiz(runner, answers)
        return {sid: sp.done and not sp.skipped
                for sid, sp in runner.progress.steps.items()}


def replay_problems(doc: Mapping[str, Any], lessons: Sequence[Any]) -> list[str]:
    """Every claim in the document that replaying its logs does not reproduce."""
    by_id = {lesson.id: lesson for lesson in lessons}
    problems = []
    for rec in doc.get("lessons") or []:
        claimed = [s["id"] for s in rec.get("steps") or []
                   if s.get("done") and not s.get("skipped")]
        if not claimed:
            continue
        lesson = by_id.get(rec["id"])
        if lesson is None:
            problems.append(f"{rec['id']}: not in the course given with --course; "
                            "cannot replay it")
            continue
        try:
            replayed = replay_lesson(lesson, rec)
        except DstutorError as exc:
            problems.append(f"{rec['id']}: replay failed: {exc}")
            continue
        missing = [sid for sid in claimed if not replayed.get(sid)]
        if missing:
            problems.append(f"{rec['id']}: replaying the logged commands does not finish "
                            f"{', '.join(missing)}, which the file claims done (forged, or "
                            "exported from another version of the course)")
    return problems
