"""Issue 19: EventCorrelator's streak (a DaemonSet's SuccessfulCreate for each of its
5,000 pods: one aggregate key, a new message each time) decides each event as upstream's
steps do (event_reference) and leaves the same caches, through observe and through
observe_new/named: the sequences of test_sim_event_fresh_path, and streaks broken by
other objects' events, repeated messages, time passing, pruning and adopting."""

from __future__ import annotations

from typing import Any

import pytest
import test_sim_event_fresh_path as fresh_path
import test_sim_event_named_path as named_path
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.sim.events import AGGREGATE_INTERVAL_SECONDS, EventCorrelator


def _streak(obj: int, messages: range) -> list[tuple[Any, ...]]:
    return [("event", obj, 2, 0, m) for m in messages]


SEQUENCES = {
    "one long streak": _streak(1, range(60)),
    "two objects in turn": [op for m in range(40) for op in _streak(1 + m % 2, range(m, m + 1))],
    "a repeated message": _streak(1, range(20)) + _streak(1, range(15, 30)),
    "another object between": _streak(1, range(20)) + _streak(2, range(3)) + _streak(1, range(20, 40)),
    "time passes": _streak(1, range(20)) + [("gap", 301.0)] + _streak(1, range(20, 30))
    + [("gap", AGGREGATE_INTERVAL_SECONDS + 1)] + _streak(1, range(30, 45)),
    "pruned and adopted": _streak(1, range(20)) + [("prune", 0), ("adopt", 1, 2)]
    + _streak(1, range(20, 40)),
    "looked at": _streak(1, range(20)) + [("compare",)] + _streak(1, range(20, 40)),
}


@pytest.fixture(params=["observe", "observe_new"])
def pair_class(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if request.param == "observe_new":
        monkeypatch.setattr(fresh_path, "Pair", named_path.NamedPair)


@pytest.mark.parametrize("size", [1, 3, 40])
@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_streaks_decide_and_cache_as_upstreams_steps(
        name: str, size: int, pair_class: None, monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[object] = []
    real = EventCorrelator._streak_step

    def counted(self: EventCorrelator, message: str, now: float) -> Any:
        got = real(self, message, now)
        if got is not False:
            steps.append(got)
        return got

    monkeypatch.setattr(EventCorrelator, "_streak_step", counted)
    fresh_path._play(SEQUENCES[name], size)
    if name == "two objects in turn":
        assert steps == []  # each event breaks the other object's streak
    else:
        assert len(steps) >= 5  # the streak was taken


streak_op = st.one_of(
    st.tuples(st.just("event"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 2),
              st.integers(0, 40)),
    st.tuples(st.just("gap"), st.sampled_from(fresh_path.GAPS)),
    st.tuples(st.just("compare")),
    st.tuples(st.just("prune"), st.integers(0, 2)),
    st.tuples(st.just("adopt"), st.integers(0, 2), st.integers(1, 3)),
)


@settings(max_examples=200, deadline=None)
@given(ops=st.lists(streak_op, max_size=150), size=st.sampled_from([1, 2, 8, 40]),
       named=st.booleans())
def test_few_objects_many_messages(ops: list[tuple[Any, ...]], size: int, named: bool) -> None:
    # Few objects and many messages: aggregation, and streaks, all the time.
    with pytest.MonkeyPatch.context() as patch:
        if named:
            patch.setattr(fresh_path, "Pair", named_path.NamedPair)
        fresh_path._play(ops, size)
