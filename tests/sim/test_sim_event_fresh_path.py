"""Issue 19: EventCorrelator.observe's fresh path (events about an object and a source
nothing cached holds, whose new entries wait in a list until looked for) must decide
every event as upstream's steps do (event_reference.ReferenceCorrelator) and leave the
same caches whenever they are looked at: between events, after pruning (which can leave
an aggregate without its spam bucket), after adopting stored Events, and at any size."""

from __future__ import annotations

from typing import Any

import pytest
from event_reference import ReferenceCorrelator
from hypothesis import given, settings
from hypothesis import strategies as st
from test_sim_event_fast_path import answer, general_answer

from dstutor.sim.events import AGGREGATE_INTERVAL_SECONDS, EventCorrelator

GAPS = (0.0, 0.0, 0.0, 1.0, 299.0, 301.0, AGGREGATE_INTERVAL_SECONDS + 1, 3600.0)


def _key(obj: int, source: int, reason: int, message: int) -> tuple[str, ...]:
    component, host = (("kubelet", "worker-1"), ("kubelet", "worker-2"),
                       ("default-scheduler", ""))[source]
    etype, why = (("Normal", "Pulled"), ("Normal", "Created"), ("Warning", "BackOff"))[reason]
    return (component, host, "Pod", "default", f"p{obj}", f"uid-{obj}", "v1", etype, why,
            f"message {message}", "spec.containers{a}" if message % 2 else "")


class Pair:
    """The reference and the product, fed the same events and operations."""

    def __init__(self, size: int) -> None:
        self.general, self.fast = ReferenceCorrelator(), EventCorrelator()
        for correlator in (self.general, self.fast):
            for lru in (correlator._aggregates, correlator._observed, correlator._spam):
                lru.size = size
        self.now = 1_767_225_600.0
        self.names = 0
        self.general_calls = 0

    def event(self, key: tuple[str, ...]) -> None:
        self.names += 1
        name = f"e{self.names}"
        expected = general_answer(self.general, key, self.now, name)
        assert self.observe(key, name) == expected

    def observe(self, key: tuple[str, ...], name: str) -> Any:
        """The product's answer, as general_answer gives the reference's."""
        return answer(self.fast.observe(key, self.now), name)

    def compare(self) -> None:
        assert self.fast.export() == self.general.export()

    def prune(self, gone: int) -> None:
        # Objects numbered below `gone` are deleted; their Events are gone too.
        def exists(uid: str) -> bool:
            return int(uid.split("-")[1]) >= gone

        for correlator in (self.general, self.fast):
            correlator.prune(self.now, exists, lambda ns, name: False)

    def adopt(self, obj: int, count: int) -> None:
        key = _key(obj, 0, 0, 0)
        event = {"metadata": {"name": f"adopted-{obj}"}, "count": count,
                 "involvedObject": {"kind": key[2], "namespace": key[3], "name": key[4],
                                    "uid": key[5], "apiVersion": key[6]},
                 "source": {"component": key[0], "host": key[1]},
                 "type": key[7], "reason": key[8], "message": key[9]}
        for correlator in (self.general, self.fast):
            correlator.adopt(event, self.now)


op = st.one_of(
    st.tuples(st.just("event"), st.integers(0, 30), st.integers(0, 2), st.integers(0, 2),
              st.integers(0, 11)),
    st.tuples(st.just("gap"), st.sampled_from(GAPS)),
    st.tuples(st.just("compare")),
    st.tuples(st.just("prune"), st.integers(0, 30)),
    st.tuples(st.just("adopt"), st.integers(0, 30), st.integers(1, 3)),
)


def _play(ops: list[tuple[Any, ...]], size: int) -> Pair:
    pair = Pair(size)
    for step in ops:
        if step[0] == "event":
            pair.event(_key(*step[1:]))
        elif step[0] == "gap":
            pair.now += step[1]
        elif step[0] == "compare":
            pair.compare()
        elif step[0] == "prune":
            pair.prune(step[1])
        else:
            pair.adopt(step[1], step[2])
    pair.compare()
    return pair


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(op, max_size=120), size=st.sampled_from([1, 2, 3, 8, 40]))
def test_the_fresh_path_decides_and_caches_as_upstreams_steps(ops: list[tuple[Any, ...]],
                                                              size: int) -> None:
    _play(ops, size)


def _fleet(pods: int, *, every: int = 0) -> list[tuple[Any, ...]]:
    """A DaemonSet's pods as a settle records them: Scheduled for each, then the
    kubelet's Pulled for each, then Created and Started for each; `every` > 0 compares
    the caches after that many events."""
    ops: list[tuple[Any, ...]] = []
    for reason_run in ((2, 0), (0, 0), (0, 1)):
        for pod in range(pods):
            source, reason = reason_run
            ops.append(("event", pod, source, reason, pod))
            if reason_run == (0, 1):
                ops.append(("event", pod, 0, 2, pod))
            if every and len(ops) % every == 0:
                ops.append(("compare",))
    return ops


@pytest.mark.parametrize(("ops", "size"), [
    (_fleet(50), 8),  # pushes the pending list past twice the size, again and again
    (_fleet(50, every=7), 8),  # looked at in between
    (_fleet(20) + [("gap", 1.0), ("prune", 10)] + _fleet(20), 16),
    (_fleet(10) + [("adopt", 3, 2)] + _fleet(10), 4),
    ([("event", 1, 0, 0, m) for m in range(30)], 5),  # one object: aggregated, then dropped
    # Pruning the observation of a deleted pod leaves pod 5's observation newer in its
    # cache than its spam bucket is in theirs: one more event pushes the bucket out while
    # the observation stays, so pod 5's next event is no fresh one.
    ([("event", 5, 0, 0, 0), ("event", 1, 0, 0, 0), ("prune", 2), ("event", 7, 0, 0, 0),
      ("event", 5, 0, 0, 0)], 2),
    # An adopted Event is remembered without a spam bucket: the next one like it is
    # counted on it, not taken for a fresh one.
    ([("event", 1, 0, 0, 0), ("adopt", 3, 2), ("event", 3, 0, 0, 0)], 4),
])
def test_known_sequences(ops: list[tuple[Any, ...]], size: int,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    general = EventCorrelator._observe

    def counted(self: EventCorrelator, key: tuple[str, ...], now: float) -> Any:
        calls.append(key)
        return general(self, key, now)

    monkeypatch.setattr(EventCorrelator, "_observe", counted)
    _play(ops, size)
    events = sum(1 for step in ops if step[0] == "event")
    if len(ops) > 40:  # the fleets: most events take the fresh path
        assert len(calls) < events / 2
