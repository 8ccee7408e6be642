"""The run loop: a deduplicating work queue plus timers on the virtual clock.

Controllers register a handler per queue name. After every write the loop runs until
nothing more happens at the current virtual time; `run_until` moves time forward
timer by timer, so every state change happens at the instant it would on a cluster.
"""

from __future__ import annotations

import gc
import heapq
from collections import deque
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from dstutor.sim.clock import Clock

Handler = Callable[[Hashable], None]
K = TypeVar("K", bound=Hashable)
# What the queue, the dedup set and the timers hold: (queue name, key), or for the one
# bare queue (see Engine.register) its key itself.
Item = Hashable

# A controller that keeps requeueing itself at one instant is a bug; stop rather than hang.
MAX_STEPS_PER_INSTANT = 5_000_000
# A queue at least this long runs in rounds that shrink its dedup set (Engine._run_queue).
SHRINK_FROM = 1024

# A run of at least this many items (an instant of a large cluster: a DaemonSet created
# on 5,000 nodes, 50,000 pods due) has big blocks mapped on their own from its end on
# (see map_large_blocks), for the runs that follow it; a smaller run, or the end of a
# run_until, puts them back in the heap.
LARGE_INSTANT = 4096
# glibc's mallopt parameter, and the size from which a block gets a mapping of its own
# during large runs: the tables of 50,000 entries (2.6 MB) and what they grew from.
# Smaller blocks stay in the heap: at 128 KiB the settle's peak was 0.1 MB lower, but a
# `kubectl get pods -o wide` after it paid page faults for its output.
_M_MMAP_THRESHOLD = -3
LARGE_BLOCK = 512 * 1024
# Outside large runs: the threshold glibc's own grows to at most (32 MiB on 64-bit
# systems), and the heap top it then keeps when freed (M_TRIM_THRESHOLD, twice that),
# so that reads and small runs reuse heap blocks as they did. (Fixing the first turns
# off glibc's moving of the second: left at 128 KiB, a `get pods -o wide` at 10,000 pods
# gave its output's pages back and faulted them in again, 0.5 ms a time.) During large
# runs the heap top goes back at glibc's default again.
HEAP_BLOCK = 32 * 1024 * 1024
_M_TRIM_THRESHOLD = -1
HEAP_TOP = 2 * HEAP_BLOCK
DEFAULT_HEAP_TOP = 128 * 1024
# The C library's mallopt once looked up ([None]: there is none), and whether big
# blocks are mapped on their own now.
_mallopt: list[Callable[[int, int], int] | None] = []
_mapping_large = [False]
# A run of LARGE_INSTANT items or more that leaves more new objects than this in the
# collector's youngest generation hands them to the oldest at its end (run_queue).
YOUNG_OBJECTS_TO_PROMOTE = 20_000


def promote_young_objects() -> None:
    """Move what the collector's two young generations hold to the oldest, as
    gc.collect(1) would once none of it is garbage, but without walking it. After a big
    instant those are the tens of thousands of long-lived objects it made (pods, their
    status, Events): a young collection at the next allocation walked them all and, in a
    5,000-node settle, freed nothing (nor did the collect(1) Cluster.settle made; 0.17 s
    of the settle in all, 0.36 s with pod events). Anything cyclic among them is freed by
    the next full collection instead. freeze() then unfreeze() moves the lists whole;
    where something else keeps objects frozen (the shell, after building:
    shell/startup.py), unfreeze() would hand those back too, so collect(1) does it."""
    if gc.get_freeze_count():
        gc.collect(1)
        return
    gc.freeze()
    gc.unfreeze()


def map_large_blocks(on: bool) -> bool:
    """Have glibc's malloc give every block of LARGE_BLOCK bytes or more a mapping of its
    own, unmapped when freed (`on`), or serve blocks up to HEAP_BLOCK from its heap
    again; True if malloc took it.

    Python asks malloc for its big tables (a dict or set of thousands of entries); its
    small objects live in arenas of their own. By default glibc maps only the first big
    blocks, then, once one was freed, serves blocks up to its size from the heap: a
    table that grows frees its old one there, a hole only another big block can reuse.
    A 5,000 x 10 settle grows half a dozen tables to 50,000 entries (the store's, the
    kubelet's, the controllers') and makes big sets at each instant. With big blocks
    mapped during its large runs, a freed table goes back to the system at once: the
    settle's peak RSS is 3 MB lower (bench_engine, 135 -> 132 MB). Only memory changes:
    no object, no order, no answer. Other C libraries (and glibc without mallopt) are
    left as they are."""
    if not _mallopt:
        try:
            import ctypes  # (here: only a cluster this large pays for importing it)

            _mallopt.append(ctypes.CDLL(None).mallopt)  # the process's C library
        except (OSError, AttributeError, TypeError):  # (Windows: CDLL takes no None)
            _mallopt.append(None)
    mallopt = _mallopt[0]
    if mallopt is None or not mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK if on else HEAP_BLOCK):
        return False
    mallopt(_M_TRIM_THRESHOLD, DEFAULT_HEAP_TOP if on else HEAP_TOP)
    _mapping_large[0] = on
    return True


class Engine:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._handlers: dict[str, Handler] = {}
        self._queue: deque[Item] = deque()
        self._queued: set[Item] = set()
        # The bare queue (register): None, or one queue's name.
        self._bare: str | None = None
        # Timers by instant: a heap of the distinct instants, and per instant the items in
        # the order they were set. Firing an instant's list in order is firing a heap of
        # (when, sequence) entries one by one, without 50,000 heap pushes and pops when
        # 50,000 pods are due at the same instant. An entry whose item was moved to an
        # earlier instant (or already fired) is stale: `_timer_due` has the truth.
        # Each bucket is (its instant, its items): the instant is the float object every
        # timer at that instant holds (a caller's `now + delay` is a new float each time:
        # 50,000 pods due at one instant held 50,000 of them, 1.6 MB until they fired).
        self._timer_times: list[float] = []
        self._timer_buckets: dict[float, tuple[float, list[Item]]] = {}
        self._timer_due: dict[Item, float] = {}
        # Work items run so far: what letting time pass costs (tests bound it by the
        # events in that time, never by its length).
        self.handled = 0

    def register(self, queue: str, handler: Callable[[K], None], *, bare: bool = False
                 ) -> None:
        """`bare`: the queue's keys are held as they are, not in a (queue, key) tuple each
        (one queue at most: the kubelet's, whose 50,000 pod keys waiting at an instant
        held 50,000 such tuples, 2.8 MB, at the peak of a settle). Only a plain tuple of
        another length than two is held bare: no such key can equal another queue's item
        (a plain pair), and the run loop tells them apart by that alone."""
        # Each queue carries one key type, which its handler declares; the engine only
        # queues and hashes keys, so it keeps the handler with that type erased.
        self._handlers[queue] = cast(Handler, handler)
        if bare:
            if self._bare not in (None, queue):
                raise ValueError(f"{self._bare!r} is already the bare queue")
            self._bare = queue

    def timers(self) -> list[tuple[str, Hashable, float]]:
        """Every timer as (queue, key, when), in the order their items were first set
        (snapshots list them by time, this order breaking ties)."""
        bare = self._bare or ""
        return [(item[0], item[1], due) if item.__class__ is tuple and len(item) == 2
                else (bare, item, due) for item, due in self._timer_due.items()]

    def handles(self, queue: str) -> bool:
        return queue in self._handlers

    def enqueue(self, queue: str, key: Hashable) -> None:
        item = key if queue == self._bare and key.__class__ is tuple and len(
            key) != 2 else (queue, key)  # (see register)
        if item not in self._queued:
            self._queued.add(item)
            self._queue.append(item)

    def enqueue_at(self, queue: str, key: Hashable, when: float) -> None:
        """Wake `queue` for `key` at virtual time `when` (keeps the earliest wake-up)."""
        if when <= self.clock.now():
            self.enqueue(queue, key)
            return
        item = key if queue == self._bare and key.__class__ is tuple and len(
            key) != 2 else (queue, key)  # (see register)
        due = self._timer_due.get(item)
        if due is not None and due <= when:
            return
        bucket = self._timer_buckets.get(when)
        if bucket is None:
            self._timer_due[item] = when
            self._timer_buckets[when] = (when, [item])
            heapq.heappush(self._timer_times, when)
        else:
            # The instant's own float where it is the very same value (not an int 10 for
            # a 10.0, nor 0.0 for a -0.0: a snapshot writes what it holds).
            shared = bucket[0]
            self._timer_due[item] = (shared if shared.__class__ is float is when.__class__
                                     and when != 0.0 else when)
            bucket[1].append(item)

    def enqueue_bare(self, key: Hashable) -> None:
        """enqueue(the bare queue, key) for a key that queue holds bare (a plain tuple of
        another length than two, see register: the kubelet's pod keys), without asking."""
        if key not in self._queued:
            self._queued.add(key)
            self._queue.append(key)

    def enqueue_bare_at(self, key: Hashable, when: float) -> None:
        """enqueue_at(the bare queue, key, when) for such a key: enqueue_at's steps, the
        item being the key itself (tests/sim/test_sim_join6_fast_paths.py). (The
        clock's time read as its attribute: the engine is what moves it.)"""
        if when <= self.clock._now:
            if key not in self._queued:
                self._queued.add(key)
                self._queue.append(key)
            return
        due = self._timer_due.get(key)
        if due is not None and due <= when:
            return
        bucket = self._timer_buckets.get(when)
        if bucket is None:
            self._timer_due[key] = when
            self._timer_buckets[when] = (when, [key])
            heapq.heappush(self._timer_times, when)
        else:
            shared = bucket[0]
            self._timer_due[key] = (shared if shared.__class__ is float is when.__class__
                                    and when != 0.0 else when)
            bucket[1].append(key)

    def next_timer(self) -> float | None:
        times, buckets, due = self._timer_times, self._timer_buckets, self._timer_due
        while times:
            when = times[0]
            bucket = buckets[when][1]
            # Drop the stale entries at the front, so a later call does not look again.
            start = 0
            while start < len(bucket) and due.get(bucket[start]) != when:
                start += 1
            if start < len(bucket):
                if start:
                    del bucket[:start]
                return when
            heapq.heappop(times)  # every entry superseded by an earlier wake-up
            del buckets[when]
        return None

    def run_queue(self) -> int:
        """Process work at the current instant until quiet; returns how many items ran.

        Python's cyclic collector is paused meanwhile: a settle allocates hundreds of
        thousands of long-lived, acyclic objects (pods, their status, events), and the
        collector's generational heuristics would walk the growing heap again and again
        (a quarter of the time of 5,000 nodes x 10 DaemonSets). Nothing here makes
        reference cycles that must be freed before the loop ends; the collector runs
        again as soon as it does.
        """
        if not self._queue:
            return 0
        if not gc.isenabled():
            steps = self._run_queue()
        else:
            gc.disable()
            try:
                steps = self._run_queue()
            finally:
                gc.enable()
            if steps >= LARGE_INSTANT and gc.get_count()[0] > YOUNG_OBJECTS_TO_PROMOTE:
                promote_young_objects()  # (before map_large_blocks' first import)
        if (steps >= LARGE_INSTANT) is not _mapping_large[0]:
            map_large_blocks(steps >= LARGE_INSTANT)  # (a large run starts or ended)
        return steps

    def _run_queue(self) -> int:
        steps = 0
        queue = self._queue
        while len(queue) >= SHRINK_FROM:
            # Many items at once (a timer instant: 50,000 pods due). A set never shrinks
            # as items leave it: the dedup set's 50,000-item table (2 MB) stayed for the
            # whole instant, at the peak of a settle. A set made again from n items gets
            # the smallest table above 2n slots, so each round runs until 7/8 of the
            # power of two below the queue's length is left (a few items the round
            # enqueues still fit), and the set is made again at that size: its table
            # halves at each round (at 50,000: 2 MB for the first 21,328 items, then 1,
            # 0.5, 0.25 MB) instead of staying 2 MB for three quarters of them. The items
            # run in the order they would anyway (first in, first out).
            size = len(queue)
            steps += self._run_round(size - (1 << (size.bit_length() - 1)) * 7 // 8)
            self._queued = set(self._queued)
            if steps > MAX_STEPS_PER_INSTANT:
                raise RuntimeError("the simulation did not settle (controller loop)")
        rounds = steps  # (already counted in `handled`)
        # The loop's objects in locals (a join runs 60 items through here); `handled`
        # counts the items that returned, as when it was bumped after each one. The
        # loop counts by its range: at each pass `steps` items have returned (the
        # one a handler raises in has not), and once MAX_STEPS_PER_INSTANT + 1 have, the
        # range is over: the point where a count bumped after each item stopped.
        handlers = self._handlers
        bare = handlers.get(self._bare) if self._bare is not None else None
        popleft, discard = queue.popleft, self._queued.discard
        try:
            for steps in range(rounds, MAX_STEPS_PER_INSTANT + 1):  # noqa: B007 (read after)
                if not queue:
                    break
                item: Any = popleft()
                discard(item)
                # A pair is (queue, key); anything else is a bare queue's key (every item
                # is a plain tuple: enqueue and enqueue_at hold nothing else).
                if len(item) == 2:
                    handlers[item[0]](item[1])
                else:
                    bare(item)  # type: ignore[misc]  # (set whenever a bare item is)
            else:
                steps = MAX_STEPS_PER_INSTANT + 1
                raise RuntimeError("the simulation did not settle (controller loop)")
        finally:
            self.handled += steps - rounds
        # A set never shrinks as items leave it: after 50,000 items its empty table still
        # holds 4 MB. clear() on the empty set gives the table back.
        self._queued.clear()
        return steps

    def _run_round(self, count: int) -> int:
        """Run the first `count` items of the queue: the loop of _run_queue, bounded. A
        copy, not one loop for both: a join runs a dozen short runs, which keep the
        plain loop, without a bound to test per item or a call per round."""
        steps = 0
        queue, handlers = self._queue, self._handlers
        bare = handlers.get(self._bare) if self._bare is not None else None
        popleft, discard = queue.popleft, self._queued.discard
        try:
            for _ in range(count):
                item: Any = popleft()
                discard(item)
                if len(item) == 2:  # (see _run_queue)
                    handlers[item[0]](item[1])
                else:
                    bare(item)  # type: ignore[misc]  # (set whenever a bare item is)
                steps += 1
        finally:
            self.handled += steps
        return steps

    def _fire_due(self, now: float) -> None:
        times, buckets, due = self._timer_times, self._timer_buckets, self._timer_due
        queue, queued = self._queue, self._queued
        while times and times[0] <= now:
            when = heapq.heappop(times)
            for item in buckets.pop(when)[1]:
                if due.get(item) == when:
                    del due[item]
                    if item not in queued:  # enqueue, inline: 50,000 calls at one instant
                        queued.add(item)
                        queue.append(item)
        if not due:
            due.clear()  # as _queued: the emptied dict's table goes back (2.5 MB at 50,000)

    def run_until(self, target: float) -> None:
        """Advance virtual time to `target`, stopping at every timer on the way."""
        self.run_queue()
        while True:
            due = self.next_timer()
            if due is None or due > target:
                break
            self.clock.set(due)
            self._fire_due(due)
            self.run_queue()
        self.clock.set(target)
        self.run_queue()
        if _mapping_large[0]:  # time has passed: reads come next, not a large run
            map_large_blocks(False)

    def run_until_idle(self, limit: float) -> float:
        """Advance until no timer is left or `limit` seconds have passed; returns the time used."""
        start = self.clock.now()
        self.run_queue()
        while True:
            due = self.next_timer()
            if due is None or due > start + limit:
                break
            self.clock.set(due)
            self._fire_due(due)
            self.run_queue()
        if _mapping_large[0]:  # settled: reads come next, not a large run
            map_large_blocks(False)
        return self.clock.now() - start
