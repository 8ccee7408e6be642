"""Shortcuts of issue 19's seventh join round (join7) against the general paths they
stand for: the written-out name suffix draw, and the DaemonSet status write."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller import network as network_module
from dstutor.controller.network import NO_ROUTE_REASON, waits_for_network
from dstutor.controller.state import DaemonSetState, StatusTotals
from dstutor.controller.status import update_daemonset_status
from dstutor.model.objects import Obj, node_condition
from dstutor.sim import engine as engine_module
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.engine import Engine
from dstutor.sim.namegen import NameGenerator
from dstutor.sim.store import Store
from tests.sim.test_sim_create_fastpaths import _reference_suffix  # the loop before join7
from tests.sim.write_trace import SCENARIOS


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**64), st.lists(st.sampled_from(["suffix", "generate", "uid"]),
                                        min_size=1, max_size=60))
def test_the_written_out_suffix_draws_what_the_loop_drew(seed: int, calls: list[str]) -> None:
    """Names, generated names and uids in any order from one seed: the same strings as
    the loop's draw, and the generator's random state where the loop leaves it (a draw
    of 27 or more, drawn again, comes about once in six characters)."""
    names, reference = NameGenerator(seed), random.Random(seed)
    for call in calls:
        if call == "suffix":
            assert names.suffix() == _reference_suffix(reference)
        elif call == "generate":
            base = "x" * (seed % 70)
            assert names.generate(base) == base[:58] + _reference_suffix(reference)
        else:
            assert names.uid_bits() == reference.getrandbits(128)
    assert names._rng.getstate() == reference.getstate()


# --- the DaemonSet status write ------------------------------------------------------

_STATUS_KEYS = ["currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                "numberReady", "observedGeneration", "updatedNumberScheduled",
                "numberAvailable", "numberUnavailable", "collisionCount", "conditions"]


def _status_before_join7(current: dict[str, Any], totals: StatusTotals,
                         generation: int) -> dict[str, Any] | None:
    """update_daemonset_status's comparison and copy before join7 (None: no write)."""
    get = current.get
    if (get("currentNumberScheduled", 0) == totals.current
            and get("numberMisscheduled", 0) == totals.misscheduled
            and get("desiredNumberScheduled", 0) == totals.desired
            and get("numberReady", 0) == totals.ready
            and get("observedGeneration", 0) == generation
            and get("updatedNumberScheduled", 0) == totals.updated
            and get("numberAvailable", 0) == totals.available
            and get("numberUnavailable", 0) == totals.desired - totals.available):
        return None
    status = dict(current)
    status["currentNumberScheduled"] = totals.current
    status["numberMisscheduled"] = totals.misscheduled
    status["desiredNumberScheduled"] = totals.desired
    status["numberReady"] = totals.ready
    status["observedGeneration"] = generation
    if totals.updated:
        status["updatedNumberScheduled"] = totals.updated
    else:
        status.pop("updatedNumberScheduled", None)
    if totals.available:
        status["numberAvailable"] = totals.available
    else:
        status.pop("numberAvailable", None)
    if totals.desired - totals.available:
        status["numberUnavailable"] = totals.desired - totals.available
    else:
        status.pop("numberUnavailable", None)
    return status


class _StatusCtx:
    """update_daemonset_status's context: the API it writes through, writes kept."""

    def __init__(self) -> None:
        self.api = self
        self.written: list[dict[str, Any]] = []

    def update_status(self, ds: dict[str, Any], status: dict[str, Any]) -> None:
        self.written.append(status)
        ds["status"] = status


_small = st.integers(0, 3)


@settings(max_examples=400, deadline=None)
@given(st.permutations(_STATUS_KEYS), st.lists(st.booleans(), min_size=10, max_size=10),
       st.lists(_small, min_size=10, max_size=10), st.tuples(*[_small] * 6), st.integers(1, 3),
       st.booleans())
def test_the_status_written_is_the_copy_written_key_by_key(
        order: list[str], present: list[bool], values: list[int],
        numbers: tuple[int, ...], generation: int, written_before: bool) -> None:
    """Any status the DaemonSet holds (keys in any order, any of them missing, values
    equal to the totals or not), any totals: the same write or none as the comparison
    and the copy written key by key, the keys in the same order."""
    current = {k: v for k, v, there in zip(order, values, present, strict=True) if there}
    totals = StatusTotals(*numbers)
    if written_before:  # the status a write of these very numbers left
        current = _status_before_join7(current, totals, generation) or current
    state = DaemonSetState(generation=generation, totals=totals)
    ds: dict[str, Any] = {"metadata": {"generation": generation}, "status": current}
    ctx = _StatusCtx()
    expected = _status_before_join7(current, totals, generation)
    update_daemonset_status(ctx, ds, state, [])  # type: ignore[arg-type]
    if expected is None:
        assert ctx.written == []
    else:
        assert [list(s.items()) for s in ctx.written] == [list(expected.items())]
        assert current is not ctx.written[0]  # a copy, the stored status left as it was


# --- Store.get_plain -----------------------------------------------------------------


@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_get_plain_answers_as_get(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every get_plain of the write_trace scenarios (the DaemonSet controller's syncs, the
    scheduler's, taint eviction's node reads) asks of a kind other than Pod and Event,
    and answers the very object get answers (or None with it)."""
    real = Store.get_plain
    asked = [0]

    def checking(self: Store, kind: str, namespace: str, name: str) -> Obj | None:
        assert kind not in ("Pod", "Event")
        found = real(self, kind, namespace, name)
        assert found is self.get(kind, namespace, name)
        asked[0] += 1
        return found

    monkeypatch.setattr(Store, "get_plain", checking)
    SCENARIOS[name]()
    assert asked[0] > 0


def test_get_plain_of_a_kind_never_stored_or_a_name_not_there() -> None:
    cluster = Cluster(seed=1)
    cluster.add_node("n1", ready=True)
    store = cluster.store
    assert store.get_plain("Node", "", "n1") is store.get("Node", "", "n1") is not None
    assert store.get_plain("Node", "", "n2") is None is store.get("Node", "", "n2")
    assert store.get_plain("DaemonSet", "default", "x") is None
    assert store.get_plain("NoSuchKind", "", "n1") is None


# --- waits_for_network ---------------------------------------------------------------


def _waits_before_join7(node: Obj | None) -> bool:
    """waits_for_network as it was: node_condition's scan, then the condition's fields."""
    cond = node_condition(node, "NetworkUnavailable") if node is not None else None
    return cond is not None and cond.get("status") == "True" and cond.get(
        "reason") == NO_ROUTE_REASON


_CONDITIONS = [
    {"type": "Ready", "status": "True"},
    {"type": "MemoryPressure", "status": "False"},
    {"type": "NetworkUnavailable", "status": "True", "reason": NO_ROUTE_REASON},
    {"type": "NetworkUnavailable", "status": "False", "reason": "CalicoIsUp"},
    {"type": "NetworkUnavailable", "status": "True", "reason": "Other"},
    {"type": "NetworkUnavailable"},
    {"status": "True", "reason": NO_ROUTE_REASON},  # no type
    {"type": None},
    {"type": "networkunavailable", "status": "True", "reason": NO_ROUTE_REASON},
]


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    st.none(), st.just({}), st.just({"status": {}}), st.just({"status": {"conditions": None}}),
    st.lists(st.sampled_from(range(len(_CONDITIONS))), max_size=6).map(
        lambda picks: {"status": {"conditions": [dict(_CONDITIONS[i]) for i in picks]}})))
def test_waits_for_network_answers_as_the_scan(node: Obj | None) -> None:
    """Nodes with no conditions, and with any conditions in any order (NetworkUnavailable
    once, twice, first True then False, without a type): the scan's answer."""
    assert waits_for_network(node) is _waits_before_join7(node)


@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_waits_for_network_in_the_scenarios(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every node the write_trace scenarios ask about (the kubelet before each start):
    the scan's answer."""
    asked = [0]

    def checking(node: Obj | None) -> bool:
        answer = waits_for_network(node)
        assert answer is _waits_before_join7(node)
        asked[0] += 1
        return answer

    monkeypatch.setattr(network_module, "waits_for_network", checking)
    SCENARIOS[name]()
    assert asked[0] > 0


def test_a_node_without_a_network_still_waits() -> None:
    cluster = Cluster(seed=1)
    cluster.add_node("n1", ready=True, network=False)
    node = cluster.store.get("Node", "", "n1")
    assert waits_for_network(node) and _waits_before_join7(node)


def test_a_node_without_orphans_answers_one_read_only_empty_set() -> None:
    """orphan_pod_keys_on_node: the shared empty answer cannot be edited, and a node with
    an orphan answers its key as before."""
    cluster = Cluster(seed=1)
    cluster.add_node("n1", ready=True)
    store = cluster.store
    empty = store.orphan_pod_keys_on_node("n1")
    assert empty == set() and not empty and empty is store.orphan_pod_keys_on_node("n2")
    assert not hasattr(empty, "add")
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "lone", "namespace": "default"},
                    "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "nginx"}]}})
    assert store.orphan_pod_keys_on_node("n1") == {("Pod", "default", "lone")}


# --- Engine._run_queue counts by its range -------------------------------------------


def _run_queue_before_join7(self: Engine) -> int:
    """Engine._run_queue's plain loop as it was: a count bumped after each item that
    returned, and the bound tested after each."""
    steps = 0
    queue = self._queue
    while len(queue) >= engine_module.SHRINK_FROM:
        size = len(queue)
        steps += self._run_round(size - size // 4)
        if len(self._queued) * 2 < size:
            self._queued = set(self._queued)
        if steps > engine_module.MAX_STEPS_PER_INSTANT:
            raise RuntimeError("the simulation did not settle (controller loop)")
    rounds = steps
    handlers = self._handlers
    bare = handlers.get(self._bare) if self._bare is not None else None
    popleft, discard = queue.popleft, self._queued.discard
    try:
        while queue:
            item: Any = popleft()
            discard(item)
            if len(item) == 2:
                handlers[item[0]](item[1])
            else:
                bare(item)  # type: ignore[misc]
            steps += 1
            if steps > engine_module.MAX_STEPS_PER_INSTANT:
                raise RuntimeError("the simulation did not settle (controller loop)")
    finally:
        self.handled += steps - rounds
    self._queued.clear()
    return steps


def _play(run: Callable[[Engine], int], first: list[int], script: dict[int, list[int]],
          failing: int | None) -> tuple[object, ...]:
    """Queue `first`, then run: item k queues script[k] (on "a", or bare as a 3-tuple
    on "b" for odd ones) and raises if it is `failing`. What ran, and how it ended."""
    engine = Engine(Clock())
    ran: list[object] = []

    def handle(key: Any) -> None:
        k = key[0] if isinstance(key, tuple) else key
        ran.append(key)
        for nxt in script.get(k, []):
            if nxt % 2:
                engine.enqueue("b", (nxt, "x", "y"))
            else:
                engine.enqueue("a", nxt)
        if k == failing:
            raise ValueError(k)

    engine.register("a", handle)
    engine.register("b", handle, bare=True)
    for k in first:
        engine.enqueue("a", k)
    try:
        outcome: object = run(engine)
    except (RuntimeError, ValueError) as err:
        outcome = repr(err)
    return outcome, ran, engine.handled, list(engine._queue), sorted(map(repr, engine._queued))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=12),
       st.dictionaries(st.integers(0, 30), st.lists(st.integers(0, 30), max_size=3)),
       st.one_of(st.none(), st.integers(0, 30)), st.integers(0, 40))
def test_run_queue_counts_and_stops_as_the_plain_loop(
        first: list[int], script: dict[int, list[int]], failing: int | None,
        bound: int) -> None:
    """Items that queue others (a loop that never ends among them), a handler that
    raises, any bound on the steps of an instant: the same items run in the same order,
    the same count returned or the same error raised, `handled` and the queue left as
    the plain loop leaves them."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(engine_module, "MAX_STEPS_PER_INSTANT", bound)
        assert _play(Engine._run_queue, first, script, failing) == _play(
            _run_queue_before_join7, first, script, failing)


def test_a_controller_loop_still_stops_after_the_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    """An item that queues itself again: RuntimeError once bound + 1 items returned."""
    monkeypatch.setattr(engine_module, "MAX_STEPS_PER_INSTANT", 7)
    engine = Engine(Clock())
    engine.register("a", lambda key: engine.enqueue("a", key))
    engine.enqueue("a", 1)
    with pytest.raises(RuntimeError, match="did not settle"):
        engine._run_queue()
    assert engine.handled == 8
