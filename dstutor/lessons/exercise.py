"""Exercise settings a lesson file may carry: `mode`, `time_limit`, `scoring`, check weights.

An exercise is a lesson with `mode: exercise`: a task and a starting cluster, no
step-by-step text, graded like an exam (CK-X style): every check has a `weight` for partial
credit, hints cost points, and an optional `time_limit` costs points when exceeded.

The loader reads these keys with the rest of the file (`meta_from_data`) and carries the
result on the lesson (`Lesson.exercise`), so nothing reads the file again. They are data
here; the classroom package turns them into scores (scoring.py, scoreview.py, results.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dstutor.model.timefmt import parse_go_duration

MODES = ("lesson", "exercise")
SCORING_KEYS = {"points", "hint_cost", "late_cost"}
CHECK_KEYS = {"weight"}  # check keys the loader must not pass to the check kind


@dataclass(frozen=True)
class Scoring:
    """How a lesson's points are counted; guided lessons default to no hint cost."""

    points: float = 100.0  # the score of a perfect run
    hint_cost: float = 0.0  # points off per hint used
    late_cost: float = 0.0  # points off when the time limit is exceeded

    def as_dict(self) -> dict[str, float]:
        return {"points": self.points, "hint_cost": self.hint_cost, "late_cost": self.late_cost}


EXERCISE_DEFAULTS = Scoring(points=100.0, hint_cost=5.0, late_cost=10.0)


@dataclass(frozen=True)
class ExerciseMeta:
    mode: str = "lesson"
    time_limit: float | None = None  # seconds of active time
    scoring: Scoring = field(default_factory=Scoring)
    # step id -> the weight of each of its checks, in file order
    weights: Mapping[str, tuple[float, ...]] = field(default_factory=dict)

    @property
    def is_exercise(self) -> bool:
        return self.mode == "exercise"

    def check_weights(self, step_id: str, count: int) -> tuple[float, ...]:
        """Weights for a step's `count` checks; checks the loader added weigh 1."""
        given = self.weights.get(step_id, ())
        return tuple(given[i] if i < len(given) else 1.0 for i in range(count))


def parse_duration(value: Any) -> float:
    """`15m`, `90s`, `1h30m` (Go's duration syntax, spaces allowed before the unit) or a
    whole number of minutes -> seconds."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return float(value * 60)
    try:
        seconds = parse_go_duration("".join(str(value).split()))
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        raise ValueError(f"time_limit {value!r} must be a duration such as 15m, 90s or 1h")
    return seconds


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f"{what} must be a number >= 0")
    return float(value)


def meta_from_data(data: Mapping[str, Any]) -> ExerciseMeta:
    """Read the exercise keys of a loaded lesson document; ValueError names the problem."""
    mode = data.get("mode", "lesson")
    if mode not in MODES:
        raise ValueError(f"mode {mode!r} must be one of: {', '.join(MODES)}")
    base = EXERCISE_DEFAULTS if mode == "exercise" else Scoring()
    raw = data.get("scoring") or {}
    if not isinstance(raw, dict):
        raise ValueError("scoring must be a mapping with points, hint_cost, late_cost")
    unknown = set(raw) - SCORING_KEYS
    if unknown:
        raise ValueError(f"unknown field {sorted(unknown)[0]!r} in scoring "
                         f"(known: {', '.join(sorted(SCORING_KEYS))})")
    scoring = Scoring(
        points=_number(raw.get("points", base.points), "scoring.points"),
        hint_cost=_number(raw.get("hint_cost", base.hint_cost), "scoring.hint_cost"),
        late_cost=_number(raw.get("late_cost", base.late_cost), "scoring.late_cost"))
    if scoring.points <= 0:
        raise ValueError("scoring.points must be more than 0")
    limit = data.get("time_limit")
    time_limit = parse_duration(limit) if limit is not None else None
    weights: dict[str, tuple[float, ...]] = {}
    for i, step in enumerate(data.get("steps") or []):
        if not isinstance(step, dict):
            continue
        sid = str(step.get("id", i))
        found = []
        for j, check in enumerate(step.get("checks") or []):
            w = check.get("weight", 1) if isinstance(check, dict) else 1
            found.append(_number(w, f"steps[{i}].checks[{j}].weight"))
        if found and mode != "exercise" and any(w != 1 for w in found):
            raise ValueError(f"step {sid!r}: check weights need mode: exercise")
        weights[sid] = tuple(found)
    if mode == "exercise" and time_limit is None and "late_cost" in raw:
        raise ValueError("scoring.late_cost needs a time_limit")
    return ExerciseMeta(mode, time_limit, scoring, weights)

