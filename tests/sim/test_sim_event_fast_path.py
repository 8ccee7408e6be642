"""Issue 19: EventCorrelator.observe (what Cluster.record_event uses) is upstream's
correlate steps (event_reference.ReferenceCorrelator) with its three LRU steps written out. It must decide every event the same way and leave the
same caches, entry for entry and in the same order, evictions included."""

from __future__ import annotations

from typing import Any

import pytest
from event_reference import ReferenceCorrelator
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.sim.events import (
    AGGREGATE_INTERVAL_SECONDS,
    MAX_LRU_ENTRIES,
    Draft,
    EventCorrelator,
)

# (component, host, object, reason, message, fieldPath, seconds since the last event)
Step = tuple[int, int, int, int, int, int, float]
GAPS = (0.0, 0.5, 1.0, 30.0, 299.0, 300.0, 301.0, AGGREGATE_INTERVAL_SECONDS,
        AGGREGATE_INTERVAL_SECONDS + 1, 3600.0)


def _key(step: Step) -> tuple[str, ...]:
    component, host, obj, reason, message, field_path, _ = step
    return (("kubelet", "default-scheduler", "daemonset-controller")[component],
            ("", "worker-1")[host], "Pod" if obj < 4 else "DaemonSet", "default",
            f"obj-{obj}", f"uid-{obj}", "v1", "Normal" if reason else "Warning",
            ("Pulled", "BackOff", "SuccessfulCreate")[reason], f"message {message}",
            ("", "spec.containers{a}")[field_path])


def general_answer(correlator: ReferenceCorrelator, key: tuple[str, ...], now: float,
             name: str) -> tuple[Any, ...] | None:
    """What record_event did before the fast path: correlate, then remember a new event."""
    outcome = correlator.correlate(Draft(*key), now)
    if outcome.skip:
        return None
    if not outcome.name:
        correlator.remember(outcome.key, name)
    return (outcome.key, outcome.message, outcome.aggregated, outcome.count, outcome.first,
            outcome.name)


def _fast(correlator: EventCorrelator, key: tuple[str, ...], now: float,
          name: str) -> tuple[Any, ...] | None:
    return answer(correlator.observe(key, now), name)


def answer(observed: Any, name: str) -> tuple[Any, ...] | None:
    """What an observation says, in general_answer's terms (the event is stored under `name`
    unless it already has one)."""
    if observed is None:
        return None
    ekey, message, aggregated, seen = observed
    before = seen.name
    if not before:
        seen.name = name
    return ekey, message, aggregated, seen.count, seen.first, before


def _pair(size: int) -> tuple[ReferenceCorrelator, EventCorrelator]:
    pair = ReferenceCorrelator(), EventCorrelator()
    for correlator in pair:
        for lru in (correlator._aggregates, correlator._observed, correlator._spam):
            lru.size = size
    return pair


def _play(steps: list[Step], size: int) -> tuple[list[Any], list[Any], ReferenceCorrelator,
                                                  EventCorrelator]:
    general, fast = _pair(size)
    now = 1_767_225_600.0
    seen_general, seen_fast = [], []
    for i, step in enumerate(steps):
        now += step[6]
        key = _key(step)
        seen_general.append(general_answer(general, key, now, f"e{i}"))
        seen_fast.append(_fast(fast, key, now, f"e{i}"))
    return seen_general, seen_fast, general, fast


steps_strategy = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 1), st.integers(0, 5), st.integers(0, 2),
              st.integers(0, 12), st.integers(0, 1), st.sampled_from(GAPS)),
    max_size=160)


@settings(max_examples=150, deadline=None)
@given(steps=steps_strategy, size=st.sampled_from([1, 2, 5, 40]))
def test_observe_decides_and_remembers_as_correlate_does(steps: list[Step], size: int) -> None:
    seen_general, seen_fast, general, fast = _play(steps, size)
    assert seen_fast == seen_general
    assert fast.export() == general.export()


def _fleet(pods: int) -> list[Step]:
    """A DaemonSet's flood: many pods, five events each, all at one instant."""
    steps: list[Step] = []
    for pod in range(pods):
        steps.append((1, 0, pod % 4, 0, pod, 0, 0.0))
        steps += [(0, 1, pod % 4, 0, pod * 4 + r, 1, 0.0) for r in range(4)]
        steps.append((2, 0, 4, 2, pod, 0, 0.0))
    return steps


@pytest.mark.parametrize(("name", "steps", "size"), [
    ("a flood that aggregates and is spam-filtered", _fleet(60), MAX_LRU_ENTRIES),
    ("a flood that evicts from every cache", _fleet(60), 7),
    ("one event again and again, over hours", [(0, 0, 0, 0, 0, 0, 299.0)] * 80, 3),
    ("ten messages, then ten more after the interval",
     [(0, 0, 0, 0, m, 0, 1.0) for m in range(12)]
     + [(0, 0, 0, 0, m, 0, AGGREGATE_INTERVAL_SECONDS + 1) for m in range(12)], 4),
])
def test_observe_matches_correlate_on_known_sequences(name: str, steps: list[Step],
                                                      size: int) -> None:
    seen_general, seen_fast, general, fast = _play(steps, size)
    assert seen_fast == seen_general, name
    assert fast.export() == general.export(), name
    # The sequences do what their names say (else the comparison proves little).
    if "aggregates" in name:
        assert any(s is not None and s[2] for s in seen_fast)
        assert None in seen_fast
    if "evicts" in name:
        assert len(fast._observed.items) == 7
