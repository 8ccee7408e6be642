"""The engine keeps its timers per instant (one list per instant, a heap of instants);
it must fire exactly as the heap of (when, sequence) entries it replaced did: the same
items, in the same order, at the same instants, whatever is superseded meanwhile."""

from __future__ import annotations

import heapq
from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.sim.clock import Clock
from dstutor.sim.engine import Engine


class HeapTimers:
    """The engine's timers as they were: one heap entry per enqueue_at."""

    def __init__(self) -> None:
        self.now = 0.0
        self.timers: list[tuple[float, int, str, Hashable]] = []
        self.due: dict[tuple[str, Hashable], float] = {}
        self.seq = 0
        self.queue: list[tuple[str, Hashable]] = []
        self.queued: set[tuple[str, Hashable]] = set()

    def enqueue(self, queue: str, key: Hashable) -> None:
        if (queue, key) not in self.queued:
            self.queued.add((queue, key))
            self.queue.append((queue, key))

    def enqueue_at(self, queue: str, key: Hashable, when: float) -> None:
        if when <= self.now:
            self.enqueue(queue, key)
            return
        due = self.due.get((queue, key))
        if due is not None and due <= when:
            return
        self.due[(queue, key)] = when
        self.seq += 1
        heapq.heappush(self.timers, (when, self.seq, queue, key))

    def next_timer(self) -> float | None:
        while self.timers:
            when, _, queue, key = self.timers[0]
            if self.due.get((queue, key)) == when:
                return when
            heapq.heappop(self.timers)
        return None

    def fire_due(self, now: float) -> None:
        while self.timers and self.timers[0][0] <= now:
            when, _, queue, key = heapq.heappop(self.timers)
            if self.due.get((queue, key)) == when:
                del self.due[(queue, key)]
                self.enqueue(queue, key)


# An operation: set a timer (queue, key, delay), enqueue now, or move time to the next timer.
ops = st.lists(st.one_of(
    st.tuples(st.just("at"), st.sampled_from("ab"), st.integers(0, 5),
              st.sampled_from([0.0, 0.5, 1.0, 1.0, 2.0, 3.0, 10.0])),
    st.tuples(st.just("now"), st.sampled_from("ab"), st.integers(0, 5), st.just(0.0)),
    st.tuples(st.just("tick"), st.just(""), st.just(0), st.just(0.0)),
    st.tuples(st.just("drain"), st.just(""), st.just(0), st.just(0.0))), max_size=80)


@settings(max_examples=300, deadline=None)
@given(ops)
def test_timers_fire_as_the_heap_did(script: list[tuple[str, str, int, float]]) -> None:
    clock = Clock()
    engine = Engine(clock)
    ran: list[tuple[float, str, Hashable]] = []
    for queue in "ab":
        engine.register(queue, lambda key, q=queue: ran.append((clock.now(), q, key)))
    ref = HeapTimers()
    ref.now = clock.now()
    expected: list[tuple[float, str, Hashable]] = []

    def ref_drain() -> None:
        for queue, key in ref.queue:
            expected.append((ref.now, queue, key))
        ref.queue.clear()
        ref.queued.clear()

    for op, queue, key, delay in script:
        if op == "at":
            engine.enqueue_at(queue, key, clock.now() + delay)
            ref.enqueue_at(queue, key, ref.now + delay)
        elif op == "now":
            engine.enqueue(queue, key)
            ref.enqueue(queue, key)
        elif op == "drain":
            engine.run_queue()
            ref_drain()
        else:
            engine.run_queue()
            ref_drain()
            due = engine.next_timer()
            assert due == ref.next_timer()
            if due is not None:
                clock.set(due)
                ref.now = due
                engine._fire_due(due)
                ref.fire_due(due)
                engine.run_queue()
                ref_drain()
        assert engine._timer_due == ref.due
        assert list(engine._timer_due) == list(ref.due)  # snapshots list them in this order
    engine.run_until_idle(100.0)
    while (due := ref.next_timer()) is not None:
        ref_drain()
        ref.now = due
        ref.fire_due(due)
    ref_drain()
    assert ran == expected
