"""Issue 19, events3: the fresh path's run (events in a row about one object from one
source, each with a (type, reason) the run has not had) keeps the pairs it has had in a
list it grows in place. Held to upstream's steps (event_reference.ReferenceCorrelator)
on long runs: many (type, reason) pairs about few objects, each coming back now and then,
so that a pair seen third, fourth or later in a run comes again."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_sim_event_fresh_path import Pair

from dstutor.sim.events import SPAM_BURST

PAIRS = (("Normal", "Scheduled"), ("Normal", "Pulling"), ("Normal", "Pulled"),
         ("Normal", "Created"), ("Normal", "Started"), ("Warning", "BackOff"),
         ("Warning", "Failed"), ("Normal", "Killing"))


def _key(obj: int, source: int, pair: int, message: int) -> tuple[str, ...]:
    component, host = (("kubelet", "worker-1"), ("default-scheduler", ""))[source]
    etype, reason = PAIRS[pair]
    return (component, host, "Pod", "default", f"p{obj}", f"uid-{obj}", "v1", etype, reason,
            f"message {message}", "")


def _play(ops: list[tuple[Any, ...]], size: int) -> None:
    pair = Pair(size)
    # The correlator's first event takes its general path (and trusts its caches after
    # it): one about an object of its own, so that the first event about each of the
    # others starts a run on the fresh path.
    pair.event(_key(9, 1, 0, 0))
    for step in ops:
        if step[0] == "event":
            pair.event(_key(*step[1:]))
        elif step[0] == "gap":
            pair.now += step[1]
        else:
            pair.compare()
    pair.compare()


op = st.one_of(
    st.tuples(st.just("event"), st.integers(0, 5), st.integers(0, 1),
              st.integers(0, len(PAIRS) - 1), st.integers(0, 2)),
    st.tuples(st.just("gap"), st.sampled_from([0.0, 1.0, 301.0, 601.0])),
    st.tuples(st.just("compare")),
)


@settings(max_examples=400, deadline=None)
@given(ops=st.lists(op, max_size=80), size=st.sampled_from([1, 2, 4, 64]))
def test_long_runs_decide_and_cache_as_upstreams_steps(ops: list[tuple[Any, ...]],
                                                       size: int) -> None:
    _play(ops, size)


def _run(obj: int, pairs: list[int], message: int = 0) -> list[tuple[Any, ...]]:
    return [("event", obj, 0, p, message) for p in pairs]


@pytest.mark.parametrize(("ops", "size"), [
    # A pair the run had third (and fourth, fifth) comes again: counted on its Event.
    (_run(1, [0, 1, 2, 2]), 8),
    (_run(1, [0, 1, 2, 3, 4, 3]), 8),
    (_run(1, [0, 1, 2, 3, 4, 5, 6, 7, 0, 7]), 8),
    # ... with another message: a new Event, its aggregate record holding both messages.
    (_run(1, [0, 1, 2]) + _run(1, [2], 1) + [("compare",)], 8),
    # Runs about objects in turn, the cache full: each new run evicts the oldest bucket.
    (_run(1, [0, 1]) + _run(2, [0, 1]) + _run(3, [0, 1]) + _run(1, [0, 1]), 2),
    (_run(1, [0, 1, 2]) + _run(2, [0]) + _run(1, [2]) + _run(2, [0, 1]), 1),
    # A run past its burst: the rest are dropped, counted.
    ([("event", 1, 0, p % len(PAIRS), p) for p in range(SPAM_BURST + 6)], 64),
])
def test_known_runs(ops: list[tuple[Any, ...]], size: int) -> None:
    _play(ops, size)
