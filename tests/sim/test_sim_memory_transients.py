"""Memory a 5,000 x 10 settle no longer holds at its peak, without any reader seeing it:

- a DaemonSet's dirty nodes are a list that may repeat a node, not a set (a set of
  5,000 names takes 32,768 slots, a dict 8,192, a list 5,000 references): every sync
  finds in it exactly the nodes a plain set would hold (the order it takes them in, and
  what it takes, are in test_sim_memory9_dirty.py);
- a node's status part is replaced in its place in the DaemonSet's table, not popped and
  put back: the table holds what the pop-and-put table held, at its smallest size;
- from a large run on, the engine has glibc's malloc give big blocks mappings of their
  own, and gives them back to the heap after a small run or once time has passed
  (engine.map_large_blocks); nothing else changes;
- a long queue runs in rounds, after each of which the engine's dedup set is made again
  at its new size: the same items run in the same order as in one loop;
- the kubelet's node agents have slots, not an instance dict each.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller import status as status_module
from dstutor.controller.daemonset import DaemonSetsController
from dstutor.controller.state import (
    MISSCHEDULED,
    NO_STAT,
    SCHEDULED,
    SHOULD_RUN_UNSCHEDULED,
    DaemonSetState,
    NodeStat,
    StatusTotals,
    move_stat,
)
from dstutor.sim import engine as engine_module
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.engine import Engine
from tests.sim.write_trace import SCENARIOS

# --- dirty nodes: a dict used as a set ----------------------------------------------


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_sync_finds_the_nodes_a_set_would_hold(name: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Each DaemonSet's dirty nodes, as a plain set gathers them from every mark_dirty
    (and from what a sync leaves behind), are the dict's keys whenever a sync starts."""
    shadow: dict[str, set[str]] = {}
    checked = [0]
    mark_dirty, sync = DaemonSetsController.mark_dirty, DaemonSetsController._sync

    def marking(self: DaemonSetsController, ds: Any, node_name: str) -> None:
        mark_dirty(self, ds, node_name)
        shadow.setdefault(ds["metadata"]["uid"], set()).add(node_name)

    def syncing(self: DaemonSetsController, ds: Any) -> None:
        ds_uid = ds["metadata"]["uid"]
        state = self.states.get(ds_uid)
        if state is not None:
            assert isinstance(state.dirty, list)
            assert set(state.dirty) == shadow.get(ds_uid, set()), ds["metadata"]["name"]
            assert all(type(value) is str for value in state.dirty)
            checked[0] += bool(state.dirty)
        sync(self, ds)
        # What the sync left (nodes its deletes marked again, creates that failed).
        state = self.states.get(ds_uid)
        shadow[ds_uid] = set(state.dirty) if state is not None else set()

    monkeypatch.setattr(DaemonSetsController, "mark_dirty", marking)
    monkeypatch.setattr(DaemonSetsController, "_sync", syncing)
    SCENARIOS[name]()
    assert checked[0] >= 5  # syncs with dirty nodes were compared


def test_dirty_nodes_of_a_big_fleet_take_a_small_table() -> None:
    state = DaemonSetState()
    names = [f"node-{i:05d}" for i in range(5000)]
    plain: set[str] = set()
    as_dict: dict[str, None] = {}
    for name in names:
        state.dirty.append(name)
        plain.add(name)
        as_dict[name] = None
    assert set(state.dirty) == plain
    assert sys.getsizeof(as_dict) * 3 < sys.getsizeof(plain)
    assert sys.getsizeof(state.dirty) * 2 < sys.getsizeof(as_dict)


# --- a node's status part, replaced in its place ------------------------------------

STATS = [NO_STAT, SHOULD_RUN_UNSCHEDULED, MISSCHEDULED,
         *(SCHEDULED[r][a][u] for r in (0, 1) for a in (0, 1) for u in (0, 1))]


def _pop_and_put(stats: dict[str, NodeStat], totals: StatusTotals, node: str,
                 stat: NodeStat) -> None:
    """The table as it was kept: popped, then put back unless NO_STAT."""
    previous = stats.pop(node, NO_STAT)
    if stat is not NO_STAT:
        stats[node] = stat
    if previous is not stat:
        move_stat(totals, previous, stat)


class _Ctx:
    """What update_daemonset_status uses of its context: the clock, and the API it
    writes the status through (kept here, as the stored DaemonSet would keep it)."""

    class clock:  # noqa: N801 (stands for the cluster's clock)
        @staticmethod
        def now() -> float:
            return 0.0

    def __init__(self) -> None:
        self.api = self

    def update_status(self, ds: dict[str, Any], status: dict[str, Any]) -> None:
        ds["status"] = status


def _update(monkeypatch: pytest.MonkeyPatch, state: DaemonSetState, ds: dict[str, Any],
            wanted: dict[str, NodeStat]) -> None:
    """update_daemonset_status over `wanted`'s nodes, each part as `wanted` scripts it."""
    monkeypatch.setattr(status_module, "node_stat",
                        lambda ctx, ds, state, node_name, now, pods=None: wanted[node_name])
    status_module.update_daemonset_status(_Ctx(), ds, state,  # type: ignore[arg-type]
                                          list(wanted))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 40), st.sampled_from(range(len(STATS)))),
                         max_size=60), max_size=8))
def test_node_stats_hold_what_pop_and_put_held(syncs: list[list[tuple[int, int]]]) -> None:
    state, ref_stats, ref_totals = DaemonSetState(), {}, StatusTotals()
    ds: dict[str, Any] = {"metadata": {"generation": 1}, "status": {}}
    with pytest.MonkeyPatch.context() as monkeypatch:
        for sync in syncs:
            wanted = {f"n{node}": STATS[i] for node, i in sync}
            _update(monkeypatch, state, ds, wanted)
            for node, stat in wanted.items():
                _pop_and_put(ref_stats, ref_totals, node, stat)
            assert state.stats == ref_stats
            assert state.totals == ref_totals


def test_a_table_updated_in_place_keeps_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """5,000 nodes whose parts change at every sync (none leaving): the table stays the
    size of one built once, where popping and putting back doubled it."""
    state = DaemonSetState()
    nodes = [f"node-{i:05d}" for i in range(5000)]
    ds: dict[str, Any] = {"metadata": {"generation": 1}, "status": {}}
    ref: dict[str, NodeStat] = {}
    for stat in (SHOULD_RUN_UNSCHEDULED, SCHEDULED[0][0][1], SCHEDULED[1][1][1]):
        _update(monkeypatch, state, ds, dict.fromkeys(nodes, stat))
        for node in nodes:
            _pop_and_put(ref, StatusTotals(), node, stat)
    assert ds["status"]["numberReady"] == 5000  # (the writes went through)
    fresh = dict.fromkeys(nodes, NO_STAT)
    assert state.stats == ref
    assert sys.getsizeof(state.stats) == sys.getsizeof(fresh) < sys.getsizeof(ref)


# --- big blocks get mappings of their own during large runs -------------------------


class _Libc:
    """A C library whose mallopt records what it was asked."""

    def __init__(self, asked: list[tuple[int, int]]) -> None:
        self.asked = asked

    def mallopt(self, param: int, value: int) -> int:
        self.asked.append((param, value))
        return 1


def test_large_blocks_mapped_and_given_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    asked: list[tuple[int, int]] = []
    looked_up: list[object] = []
    monkeypatch.setattr(engine_module, "_mallopt", [])
    monkeypatch.setattr(engine_module, "_mapping_large", [False])
    monkeypatch.setattr(ctypes, "CDLL", lambda name: looked_up.append(name) or _Libc(asked))
    assert engine_module.map_large_blocks(True) is True
    assert engine_module._mapping_large == [True]
    assert engine_module.map_large_blocks(False) is True
    assert engine_module._mapping_large == [False]
    # M_MMAP_THRESHOLD 512 KiB and M_TRIM_THRESHOLD glibc's default (128 KiB) during
    # large runs; after them 32 MiB (the most glibc's own moves it to) and twice that.
    assert asked == [(-3, 512 * 1024), (-1, 128 * 1024),
                     (-3, 32 * 1024 * 1024), (-1, 64 * 1024 * 1024)]
    assert looked_up == [None]  # the C library is looked up once


def _no_process_library(name: None) -> object:
    raise TypeError("LoadLibrary() argument 1 must be str, not None")  # as on Windows


@pytest.mark.parametrize("library", [lambda name: object(), _no_process_library],
                         ids=["no mallopt", "no process library"])
def test_a_c_library_without_mallopt_is_left_alone(
        monkeypatch: pytest.MonkeyPatch, library: Callable[[None], object]) -> None:
    import ctypes

    monkeypatch.setattr(engine_module, "_mallopt", [])
    monkeypatch.setattr(engine_module, "_mapping_large", [False])
    monkeypatch.setattr(ctypes, "CDLL", library)
    assert engine_module.map_large_blocks(True) is False
    assert engine_module._mapping_large == [False]
    assert engine_module._mallopt == [None]


def test_large_runs_map_big_blocks_and_small_runs_or_time_give_them_back(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    def mapping(on: bool) -> bool:
        calls.append(on)
        engine_module._mapping_large[0] = on
        return True

    monkeypatch.setattr(engine_module, "_mapping_large", [False])
    monkeypatch.setattr(engine_module, "map_large_blocks", mapping)
    monkeypatch.setattr(engine_module, "LARGE_INSTANT", 50)
    engine = Engine(Clock())
    ran: list[object] = []
    engine.register("q", ran.append)

    def run(items: int) -> None:
        for i in range(items):
            engine.enqueue("q", (len(ran), i))
        engine.run_queue()

    run(10)
    assert calls == []  # small runs of a small cluster: never asked
    run(60)
    run(80)
    assert calls == [True]  # from the first large run on, and not asked again
    run(10)
    assert calls == [True, False]  # a small run: back to the heap
    run(60)
    engine.run_until(engine.clock.now() + 5)
    assert calls == [True, False, True, False]  # time passed: back to the heap
    run(60)
    engine.run_until_idle(5)
    assert calls[-1] is False and len(calls) == 6
    assert len(ran) == 280


def test_a_small_cluster_does_not_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(engine_module, "_mapping_large", [False])
    monkeypatch.setattr(engine_module, "map_large_blocks", calls.append)
    cluster = Cluster()
    cluster.add_node("n1", ready=True)
    cluster.advance()
    assert calls == []


# --- the engine's dedup set, made again as a long queue drains ---------------------

# A script: the items queued at the start, then for each item run, the items its
# handler queues (some of them still queued, which the dedup set must drop).
scripts = st.tuples(st.lists(st.integers(0, 60), min_size=1, max_size=120),
                    st.dictionaries(st.integers(0, 60),
                                    st.lists(st.integers(0, 80), max_size=4), max_size=40))


def _run(script: tuple[list[int], dict[int, list[int]]], shrink_from: int,
         monkeypatch: pytest.MonkeyPatch) -> tuple[list[object], int, int]:
    monkeypatch.setattr(engine_module, "SHRINK_FROM", shrink_from)
    engine = Engine(Clock())
    ran: list[object] = []
    start, follow = script

    def enqueue(n: int) -> None:
        engine.enqueue("a" if n % 2 else "b", n if n % 2 else (n, "bare-ish", 0))

    def handle(key: object) -> None:
        ran.append(key)
        if len(ran) < 400:  # (a script may queue forever: the count ends it)
            for nxt in follow.get(key if isinstance(key, int) else key[0], ()):  # type: ignore[index]
                enqueue(nxt)
            # The last item queued at the start, mostly still queued: the dedup set must
            # know it through every round.
            enqueue(start[-1])

    engine.register("a", handle)
    engine.register("b", handle, bare=True)
    for item in start:
        enqueue(item)
    steps = engine.run_queue()
    return ran, steps, engine.handled


@settings(max_examples=300, deadline=None)
@given(scripts)
def test_rounds_run_what_one_loop_runs(script: tuple[list[int], dict[int, list[int]]]
                                       ) -> None:
    """With rounds from four items on, every item runs exactly when the plain loop (no
    rounds: a queue never that long) runs it, and as often."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        plain = _run(script, 10**9, monkeypatch)
        rounds = _run(script, 4, monkeypatch)
    assert rounds == plain


def test_a_drained_queue_gives_its_table_back() -> None:
    engine = Engine(Clock())
    sizes: list[int] = []
    engine.register("q", lambda key: sizes.append(sys.getsizeof(engine._queued)))
    for i in range(50_000):
        engine.enqueue("q", i)
    full = sys.getsizeof(engine._queued)
    engine.run_queue()
    # By the last quarter the set was made again, at about a quarter of its size.
    assert max(sizes[-10_000:]) * 3 < full
    assert engine.handled == 50_000


# --- the kubelet's node agents: slots, not an instance dict each -------------------


@settings(max_examples=100, deadline=None)
@given(st.booleans(), st.lists(st.sampled_from(["a:1", "b:2", "c:3"]), max_size=4),
       st.integers(0, 300))
def test_node_agents_keep_what_a_plain_dataclass_keeps(alive: bool, images: list[str],
                                                       ips: int) -> None:
    import copy
    import dataclasses
    import pickle

    from dstutor.controller.kubelet_work import NodeAgent, image_set

    @dataclasses.dataclass
    class Plain:  # NodeAgent as it was: an instance dict
        alive: bool = True
        images: frozenset[str] = frozenset()
        next_ip: int = 2

    agent, plain = NodeAgent(alive=alive), Plain(alive=alive)
    agent.pulled(*images)
    plain.images = image_set(plain.images.union(images)) if images else plain.images
    agent.next_ip += ips
    plain.next_ip += ips
    assert not hasattr(agent, "__dict__")
    assert dataclasses.asdict(agent) == dataclasses.asdict(plain)
    for twin in (pickle.loads(pickle.dumps(agent)), copy.deepcopy(agent), copy.copy(agent)):
        assert twin == agent and twin is not agent
        assert dataclasses.asdict(twin) == dataclasses.asdict(plain)
