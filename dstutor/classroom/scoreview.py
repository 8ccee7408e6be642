"""The exercise score as the learner sees it in `progress`: points so far and what each
hint, skip or shown solution cost. The same formulas as the results file (scoring.py)."""

from __future__ import annotations

from typing import Any

from dstutor.classroom.review import review_from_progress, review_text
from dstutor.classroom.scoring import lesson_score, step_score
from dstutor.lessons.progress import LessonProgress, StepProgress
from dstutor.lessons.runner import ExerciseHooks
from dstutor.lessons.schema import Lesson


def exercise_hooks(lesson: Lesson) -> ExerciseHooks:
    """The score text and step points of an exercise, from the settings it carries."""
    meta = lesson.exercise
    s = meta.scoring

    def weights(step: Any) -> tuple[float, ...]:
        return meta.check_weights(step.id, len(step.checks))

    total = sum(sum(weights(step)) for step in lesson.steps) or 1.0

    def step_points(step_id: str) -> float:
        step = lesson.step(step_id)
        return round(s.points * sum(weights(step)) / total, 2) if step else 0.0

    def score_text(progress: LessonProgress, passing: dict[str, list[bool]]) -> str:
        lines, scores = ["Score so far:"], []
        for step in lesson.steps:
            sp = progress.steps.get(step.id) or StepProgress()
            score = step_score(mode="exercise", done=sp.done, skipped=sp.skipped,
                               solution_seen=sp.solution_seen, check_weights=weights(step),
                               checks_passed=None if sp.done else passing.get(step.id))
            scores.append(score)
            why = (" (skipped: 0)" if sp.skipped else
                   " (solution shown: 0)" if sp.solution_seen else
                   "" if sp.done else " (checks holding now)")
            lines.append(f"  {step.title}: {s.points * score.earned / total:g} of "
                         f"{step_points(step.id):g} points{why}")
        hints = sum(sp.hints_used for sp in progress.steps.values())
        if s.hint_cost:
            lines.append(f"  hints: {hints} × {s.hint_cost:g} = -{hints * s.hint_cost:g} points"
                         if hints else f"  hints: none used (each costs {s.hint_cost:g} points)")
        used = sum(sp.seconds for sp in progress.steps.values())
        over = meta.time_limit is not None and used > meta.time_limit
        if meta.time_limit is not None:
            lines.append(f"  time: {int(used // 60)}m{int(used % 60):02d}s of "
                         f"{int(meta.time_limit // 60)}m" + (f" (over: -{s.late_cost:g} points)"
                                                            if over else ""))
        now = lesson_score(scores, points=s.points, hint_cost=s.hint_cost, hints_used=hints,
                           late_cost=s.late_cost, over_time=over)
        lines.append(f"  score now: {now:g} of {s.points:g}")
        return "\n".join(lines) + "\n"

    def final_review(progress: LessonProgress, outcomes: dict[str, list[tuple[bool, str]]],
                     ended: str) -> str:
        return review_text(review_from_progress(lesson, progress, outcomes), ended)

    def time_up(progress: LessonProgress) -> bool:
        used = round(sum(sp.seconds for sp in progress.steps.values()), 3)  # as results.py
        return meta.time_limit is not None and used > meta.time_limit

    return ExerciseHooks(score_text, step_points, final_review, time_up)
