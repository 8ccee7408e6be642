"""Scoring: check weights give partial credit, hints and lateness cost points."""

import pytest

from dstutor.classroom.scoring import StepScore, lesson_score, score_lesson_record, step_score
from dstutor.lessons.exercise import EXERCISE_DEFAULTS, meta_from_data, parse_duration


def _ex(done: bool = False, passed: list[bool] | None = None, weights: tuple = (3, 1, 1),
        **kw: bool) -> StepScore:
    return step_score(mode="exercise", done=done, skipped=kw.get("skipped", False),
                      solution_seen=kw.get("solution_seen", False), check_weights=weights,
                      checks_passed=passed)


def test_scoring_partial_credit_by_weight() -> None:
    assert _ex(passed=[True, False, False]) == StepScore(3.0, 5.0)
    assert _ex(passed=[False, True, True]) == StepScore(2.0, 5.0)
    assert lesson_score([_ex(passed=[True, False, True])], points=100, hint_cost=5,
                        hints_used=0, late_cost=10, over_time=False) == 80.0


def test_scoring_done_without_check_detail_earns_all() -> None:
    assert _ex(done=True) == StepScore(5.0, 5.0)
    assert _ex(done=False) == StepScore(0.0, 5.0)


def test_scoring_skip_or_solution_earns_nothing() -> None:
    assert _ex(done=True, passed=[True, True, True], skipped=True).earned == 0
    assert _ex(done=True, passed=[True, True, True], solution_seen=True).earned == 0
    guided = step_score(mode="lesson", done=True, skipped=True, solution_seen=False,
                        check_weights=(7,), checks_passed=None)
    assert guided == StepScore(0.0, 1.0)


def test_scoring_guided_steps_weigh_one_each() -> None:
    steps = [step_score(mode="lesson", done=d, skipped=False, solution_seen=False,
                        check_weights=(1, 1, 1), checks_passed=None) for d in (True, True, False)]
    assert lesson_score(steps, points=100, hint_cost=0, hints_used=4, late_cost=0,
                        over_time=False) == 66.67


def test_scoring_hint_cost_and_late_cost_floor_at_zero() -> None:
    full = [_ex(done=True)]
    assert lesson_score(full, points=100, hint_cost=5, hints_used=3, late_cost=10,
                        over_time=False) == 85.0
    assert lesson_score(full, points=100, hint_cost=5, hints_used=3, late_cost=10,
                        over_time=True) == 75.0
    assert lesson_score([_ex(passed=[False, True, False])], points=100, hint_cost=30,
                        hints_used=1, late_cost=0, over_time=False) == 0.0


def test_scoring_weighted_steps_combine() -> None:
    steps = [_ex(passed=[True, True, True]), _ex(passed=[False], weights=(5,))]
    assert lesson_score(steps, points=50, hint_cost=0, hints_used=0, late_cost=0,
                        over_time=False) == 25.0


def test_scoring_record_recomputes_its_score() -> None:
    record = {"mode": "exercise", "hints_used": 2, "over_time": True,
              "scoring": {"points": 100, "hint_cost": 5, "late_cost": 10},
              "steps": [{"done": False, "checks": [{"weight": 3, "passed": True},
                                                   {"weight": 1, "passed": False}]}]}
    assert score_lesson_record(record) == 100 * 3 / 4 - 10 - 10


def test_exercise_meta_reads_weights_limits_and_defaults() -> None:
    meta = meta_from_data({"mode": "exercise", "time_limit": "15m",
                           "scoring": {"hint_cost": 8},
                           "steps": [{"id": "a", "checks": [{"kind": "x", "weight": 3},
                                                            {"kind": "y"}]}]})
    assert meta.is_exercise and meta.time_limit == 900
    assert meta.scoring.hint_cost == 8 and meta.scoring.late_cost == EXERCISE_DEFAULTS.late_cost
    assert meta.check_weights("a", 3) == (3.0, 1.0, 1.0)
    guided = meta_from_data({"steps": [{"id": "a", "checks": [{"kind": "x"}]}]})
    assert not guided.is_exercise and guided.scoring.hint_cost == 0


@pytest.mark.parametrize(("data", "message"), [
    ({"mode": "exam"}, "mode"),
    ({"mode": "exercise", "time_limit": "soon"}, "time_limit"),
    ({"mode": "exercise", "scoring": {"bonus": 1}}, "unknown field"),
    ({"mode": "exercise", "steps": [{"id": "a", "checks": [{"weight": -1}]}]}, "weight"),
    ({"steps": [{"id": "a", "checks": [{"weight": 2}]}]}, "mode: exercise"),
    ({"mode": "exercise", "scoring": {"points": 0}}, "points"),
])
def test_exercise_meta_rejects(data: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        meta_from_data(data)


def test_parse_duration() -> None:
    assert parse_duration("90s") == 90 and parse_duration("1h") == 3600
    assert parse_duration(10) == 600
