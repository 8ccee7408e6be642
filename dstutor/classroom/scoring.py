"""Scores from step results: weights give partial credit, hints and lateness cost points.

Pure functions on plain numbers, so `results export` (which computes the scores) and
`dstutor grade` (which recomputes them to catch edited files) agree by construction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StepScore:
    earned: float  # weight units earned
    possible: float  # weight units available


def step_score(*, mode: str, done: bool, skipped: bool, solution_seen: bool,
               check_weights: Sequence[float], checks_passed: Sequence[bool] | None) -> StepScore:
    """Weight units for one step.

    A guided lesson's step is worth 1: done by the learner or not. An exercise step is
    worth the sum of its check weights, earned per passing check (partial credit); when
    the per-check results are unknown, a done step earns all of them. A skipped step, or
    one whose solution was shown, earns nothing: the learner did not solve it.
    """
    if mode != "exercise":
        return StepScore(1.0 if done and not skipped and not solution_seen else 0.0, 1.0)
    possible = float(sum(check_weights))
    if skipped or solution_seen:
        return StepScore(0.0, possible)
    if checks_passed is None:
        return StepScore(possible if done else 0.0, possible)
    earned = sum(w for w, ok in zip(check_weights, checks_passed, strict=True) if ok)
    return StepScore(float(earned), possible)


def lesson_score(steps: Sequence[StepScore], *, points: float, hint_cost: float,
                 hints_used: int, late_cost: float, over_time: bool) -> float:
    """Points out of `points`: the weighted share earned, less hint and lateness costs."""
    possible = sum(s.possible for s in steps)
    share = sum(s.earned for s in steps) / possible if possible else 0.0
    score = points * share - hint_cost * hints_used - (late_cost if over_time else 0.0)
    return round(max(score, 0.0), 2)


def record_step_scores(record: Mapping[str, Any]) -> list[StepScore]:
    """Each step's score, recomputed from a results-file lesson entry's own step data."""
    mode = str(record.get("mode", "lesson"))
    steps = []
    for s in record.get("steps") or []:
        checks = s.get("checks")
        weights = [float(c.get("weight", 1)) for c in checks] if checks else [1.0]
        passed = [bool(c.get("passed")) for c in checks] if checks else None
        steps.append(step_score(mode=mode, done=bool(s.get("done")),
                                skipped=bool(s.get("skipped")),
                                solution_seen=bool(s.get("solution_seen")),
                                check_weights=weights, checks_passed=passed))
    return steps


def score_lesson_record(record: Mapping[str, Any]) -> float:
    """Recompute a results-file lesson entry's score from its own step data."""
    scoring = record.get("scoring") or {}
    return lesson_score(record_step_scores(record),
                        points=float(scoring.get("points", 100.0)),
                        hint_cost=float(scoring.get("hint_cost", 0.0)),
                        hints_used=int(record.get("hints_used", 0)),
                        late_cost=float(scoring.get("late_cost", 0.0)),
                        over_time=bool(record.get("over_time")))
