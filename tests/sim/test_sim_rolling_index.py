"""rolling_update's incremental bookkeeping (controller/rolling_index.py) against the walk
over every node that upstream's rollingUpdate makes (update.rolling_update_walk), and
cleanup_history's live revision hashes against its walk over every pod.

Random fleets, strategies, history limits, node and pod changes and small steps of time
run with the controller's `verify` switch on: at every sync the incremental answer
(which old pods to delete, in which order, where to create new pods; which revision
hashes live pods carry) must be the walk's, object for object, or the sync raises
IncrementalMismatch. A second property runs the same story
twice, once with `full_walk` (the controller uses the walk) and once incrementally, and
compares every write the cluster sees: pods created and deleted, events, DaemonSet
statuses, resourceVersions, at every instant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sim_builders import freeze, make_daemonset, mark_pods_ready, put_pod, set_phase

from dstutor.controller.daemonset_util import surge_count, unavailable_count
from dstutor.controller.rolling_index import (
    CANDIDATE,
    DELETE,
    NEVER,
    REPLACE,
    UNAVAILABLE,
    IncrementalMismatch,
    NodeRoll,
    RollingIndex,
    SortedNames,
    no_surge_class,
    surge_class,
)
from dstutor.model.objects import Obj, is_terminating, target_node_name
from dstutor.sim.cluster import Cluster

NODES = [f"node-{i}" for i in range(6)]
TAINTS = [
    {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
    {"key": "dedicated", "value": "gpu", "effect": "NoExecute"},
]
STRATEGIES: list[dict[str, Any]] = [
    {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
    {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}},
    {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "34%"}},
    {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
    {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "50%"}},
    {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "0%", "maxSurge": 2}},
    {"type": "OnDelete"},
]
LABELS = {"app": "agent"}

op = st.one_of(
    st.tuples(st.just("advance"), st.integers(1, 45)),
    st.tuples(st.just("image"), st.integers(1, 4)),
    st.tuples(st.just("strategy"), st.integers(0, len(STRATEGIES) - 1)),
    st.tuples(st.just("min-ready"), st.sampled_from([0, 0, 5, 20])),
    st.tuples(st.just("add"), st.sampled_from(NODES)),
    st.tuples(st.just("remove"), st.sampled_from(NODES)),
    st.tuples(st.just("label"), st.sampled_from(NODES), st.booleans()),
    st.tuples(st.just("taint"), st.sampled_from(NODES), st.integers(0, len(TAINTS) - 1)),
    st.tuples(st.just("untaint"), st.sampled_from(NODES)),
    st.tuples(st.just("fail"), st.sampled_from(NODES)),
    st.tuples(st.just("recover"), st.sampled_from(NODES)),
    st.tuples(st.just("freeze"), st.sampled_from(NODES)),
    st.tuples(st.just("ready"), st.sampled_from(NODES), st.booleans()),
    st.tuples(st.just("finish"), st.sampled_from(NODES), st.sampled_from(["Failed",
                                                                          "Succeeded"])),
    st.tuples(st.just("delete-pod"), st.sampled_from(NODES)),
    st.tuples(st.just("orphan"), st.sampled_from(NODES), st.booleans()),
)
setup = st.tuples(st.integers(2, len(NODES)), st.integers(0, len(STRATEGIES) - 1),
                  st.sampled_from([0, 5, 20]), st.booleans(), st.booleans(),
                  st.sampled_from([0, 1, 2, 10]))
Setup = tuple[int, int, int, bool, bool, int]


def _pods_on(cluster: Cluster, node: str) -> list[Obj]:
    return [p for p in cluster.store.list("Pod", "default")
            if target_node_name(p) == node and not is_terminating(p)]


def _edit_ds(cluster: Cluster, change: Callable[[Obj], None]) -> None:
    ds = cluster.get("DaemonSet", "default", "agent")
    change(ds)
    cluster.update(ds)


def _apply(cluster: Cluster, step: tuple[Any, ...]) -> None:
    kind, arg = step[0], step[1]
    if kind == "advance":
        cluster.advance(arg)
        return
    if kind == "image":
        _edit_ds(cluster, lambda ds: ds["spec"]["template"]["spec"]["containers"][0].update(
            image=f"agent:{arg}"))
    elif kind == "strategy":
        _edit_ds(cluster, lambda ds: ds["spec"].update(updateStrategy=STRATEGIES[arg]))
    elif kind == "min-ready":
        _edit_ds(cluster, lambda ds: ds["spec"].update(minReadySeconds=arg))
    elif kind == "add":
        if cluster.find("Node", "", arg) is None:
            cluster.add_node(arg)
    elif cluster.find("Node", "", arg) is None:
        return
    elif kind == "remove":
        cluster.remove_node(arg)
    elif kind == "fail":
        cluster.fail_node(arg)
    elif kind == "recover":
        cluster.recover_node(arg)
    elif kind == "freeze":
        freeze(cluster, [arg])
    elif kind == "ready":
        mark_pods_ready(cluster, _pods_on(cluster, arg), ready=step[2])
    elif kind == "finish":
        for pod in _pods_on(cluster, arg)[:1]:
            set_phase(cluster, pod, step[2])
    elif kind == "delete-pod":
        for pod in _pods_on(cluster, arg)[:1]:
            cluster.delete("Pod", "default", pod["metadata"]["name"])
    elif kind == "orphan":
        # A pod the DaemonSet adopts: no revision hash (an old pod), maybe Ready.
        put_pod(cluster, arg, LABELS, ready=step[2] or None)
    elif kind in ("label", "taint", "untaint"):
        node = cluster.get("Node", "", arg)
        if kind == "label":
            if step[2]:
                node["metadata"]["labels"]["pool"] = "agents"
            else:
                node["metadata"]["labels"].pop("pool", None)
        elif kind == "taint":
            node["spec"]["taints"] = [dict(TAINTS[step[2]])]
        else:
            node["spec"].pop("taints", None)
        cluster.update(node)
    cluster.advance(1)


def _story(setup: Setup, ops: list[tuple[Any, ...]], *,
           mode: str, record: list[tuple[Any, ...]] | None = None) -> int:
    """Run one story; returns how many syncs ran rolling_update."""
    nodes, strategy, min_ready, by_label, tolerate, history_limit = setup
    cluster = Cluster(seed=7, timing={"imagePullSeconds": 7})
    controller = cluster.daemonsets
    controller.verify = mode == "verify"
    controller.full_walk = mode == "walk"
    calls = [0]
    inner = controller._rolling_update

    def counting(*args: Any) -> Any:
        calls[0] += 1
        return inner(*args)

    controller._rolling_update = counting  # type: ignore[method-assign]
    if record is not None:
        def listen(kind: str, old: Obj | None, new: Obj | None) -> None:
            obj = new if new is not None else old
            assert obj is not None
            meta = obj["metadata"]
            record.append((cluster.now(), kind, meta["name"], new is None,
                           meta.get("resourceVersion"), meta.get("deletionTimestamp"),
                           obj.get("message") if kind == "Event" else None,
                           obj.get("status") if kind == "DaemonSet" else None))
        cluster.store.listeners.append(listen)
    for i, name in enumerate(NODES[:nodes]):
        cluster.add_node(name, ready=True, labels={"pool": "agents"} if i % 2 == 0 else None)
    ds = make_daemonset("agent", image="agent:0", labels=LABELS,
                        strategy=STRATEGIES[strategy]["type"],
                        node_selector={"pool": "agents"} if by_label else None,
                        tolerations=[{"key": "dedicated", "operator": "Exists"}]
                        if tolerate else None,
                        min_ready_seconds=min_ready or None,
                        revision_history_limit=history_limit)
    ds["spec"]["updateStrategy"] = STRATEGIES[strategy]
    cluster.create(ds)
    cluster.advance(60)
    for step in ops:
        _apply(cluster, step)
    cluster.advance(120)
    return calls[0]


# A rollout that stalls on a failed node, one with surge and a node leaving the selector,
# an adopted old pod next to a new one (duplicates), minReadySeconds with time steps; the
# last one needs an answer that expires (a new pod available minReadySeconds after Ready
# is seen by a sync another node causes, before its own timer).
EXAMPLES: list[tuple[Setup, list[tuple[Any, ...]]]] = [
    ((4, 0, 0, False, False, 2), [("fail", "node-1"), ("image", 2), ("advance", 30),
                                ("recover", "node-1")]),
    ((5, 3, 5, True, False, 0), [("image", 2), ("advance", 3), ("label", "node-2", False),
                              ("advance", 8), ("label", "node-1", True)]),
    ((3, 1, 0, False, True, 1), [("image", 3), ("orphan", "node-0", True), ("advance", 5),
                              ("taint", "node-1", 1), ("image", 4)]),
    ((6, 2, 20, False, False, 0), [("image", 2), ("advance", 9), ("ready", "node-3", False),
                                ("advance", 21), ("delete-pod", "node-4"),
                                ("finish", "node-5", "Failed"), ("advance", 40)]),
    ((4, 4, 5, True, True, 10), [("image", 1), ("freeze", "node-0"), ("advance", 6),
                             ("strategy", 0), ("min-ready", 20), ("advance", 2),
                             ("remove", "node-2"), ("add", "node-5")]),
    ((2, 3, 20, False, False, 2), [("delete-pod", "node-0"), ("image", 1)]),
]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(setup, st.lists(op, min_size=1, max_size=16))
@example(*EXAMPLES[0])
@example(*EXAMPLES[1])
@example(*EXAMPLES[2])
@example(*EXAMPLES[3])
@example(*EXAMPLES[4])
@example(*EXAMPLES[5])
def test_every_incremental_answer_equals_the_walk(
        setup: Setup, ops: list[tuple[Any, ...]]) -> None:
    _story(setup, ops, mode="verify")  # IncrementalMismatch at the first difference


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(setup, st.lists(op, min_size=1, max_size=16))
@example(*EXAMPLES[1])
@example(*EXAMPLES[3])
@example(*EXAMPLES[5])
def test_a_story_writes_the_same_with_the_walk_and_incrementally(
        setup: Setup, ops: list[tuple[Any, ...]]) -> None:
    walked: list[tuple[Any, ...]] = []
    incremental: list[tuple[Any, ...]] = []
    _story(setup, ops, mode="walk", record=walked)
    _story(setup, ops, mode="incremental", record=incremental)
    assert incremental == walked


@pytest.mark.parametrize(("setup", "ops"), EXAMPLES)
def test_the_examples_roll(setup: Setup,
                           ops: list[tuple[Any, ...]]) -> None:
    # Not vacuous: every example story reaches rolling_update on several syncs.
    assert _story(setup, ops, mode="verify") >= 3


def test_verify_catches_a_wrong_answer() -> None:
    cluster = Cluster(seed=7)
    for name in NODES[:3]:
        cluster.add_node(name, ready=True)
    cluster.create(make_daemonset("agent", image="agent:0", labels=LABELS,
                                  strategy="RollingUpdate"))
    cluster.advance(60)
    cluster.daemonsets.verify = True
    # A stale index: pretend no node holds an old pod any more.
    real = cluster.daemonsets._rolling_update

    def stale(ds: Obj, state: Any, changed: list[str]) -> Any:
        if state.rolling is not None:
            for name in list(state.rolling.rolls):
                state.rolling.put(name, None)
            return real(ds, state, [])
        return real(ds, state, changed)

    cluster.daemonsets._rolling_update = stale  # type: ignore[method-assign]
    _edit_ds(cluster, lambda ds: ds["spec"]["template"]["spec"]["containers"][0].update(
        image="agent:1"))
    with pytest.raises(IncrementalMismatch, match="the walk says"):
        cluster.advance(120)


# --- the per-node classes and running counts -----------------------------------------

POD: Obj = {"metadata": {"name": "p"}}
ROLLS = [NodeRoll(ok, new, old, new_av, old_av, run, NEVER)
         for ok in (True, False) for new in (None, POD) for old in (None, POD)
         for new_av in (False, True) for old_av in (False, True) for run in (False, True)
         if (ok or (new is None and old is None)) and (new is not None or not new_av)
         and (old is not None or not old_av)]


@pytest.mark.parametrize(("roll", "want"), [
    (NodeRoll(False, None, None, False, False, True, NEVER), UNAVAILABLE),
    (NodeRoll(True, None, None, False, False, True, NEVER), UNAVAILABLE),
    (NodeRoll(True, POD, POD, True, True, True, NEVER), UNAVAILABLE),
    (NodeRoll(True, POD, None, False, False, True, NEVER), UNAVAILABLE),
    (NodeRoll(True, POD, None, True, False, True, NEVER), 0),
    (NodeRoll(True, None, POD, False, False, False, NEVER), REPLACE),
    (NodeRoll(True, None, POD, False, True, False, NEVER), CANDIDATE),
])
def test_no_surge_class_table(roll: NodeRoll, want: int) -> None:
    assert no_surge_class(roll) == want


@pytest.mark.parametrize(("roll", "want"), [
    (NodeRoll(False, None, None, False, False, True, NEVER), (0, 1, 0)),
    (NodeRoll(True, POD, None, True, False, True, NEVER), (0, 0, 1)),
    (NodeRoll(True, POD, POD, False, True, True, NEVER), (0, 1, 1)),
    (NodeRoll(True, POD, POD, True, False, True, NEVER), (DELETE, 0, 0)),
    (NodeRoll(True, None, POD, False, False, False, NEVER), (DELETE, 0, 0)),
])
def test_surge_class_table(roll: NodeRoll, want: tuple[int, int, int]) -> None:
    assert surge_class(roll) == want


def _fresh(rolls: dict[str, NodeRoll]) -> RollingIndex:
    index = RollingIndex(("h", None, 0))
    for name, roll in rolls.items():
        index.put(name, roll)
    return index


def _numbers(index: RollingIndex) -> tuple[Any, ...]:
    return (index.desired, index.unavailable, list(index.replace), list(index.candidates),
            index.surging, index.available, list(index.delete), list(index.not_run),
            list(index.allowed), list(index.surge_candidates))


@given(st.lists(st.tuples(st.sampled_from("abcdef"),
                          st.none() | st.sampled_from(ROLLS)), max_size=40))
def test_running_counts_equal_a_fresh_count(changes: list[tuple[str, NodeRoll | None]]
                                            ) -> None:
    index = RollingIndex(("h", None, 0))
    current: dict[str, NodeRoll] = {}
    for name, roll in changes:
        index.put(name, roll)
        if roll is None:
            current.pop(name, None)
        else:
            current[name] = roll
        assert _numbers(index) == _numbers(_fresh(current))


def test_sorted_names_keep_name_order_once_each() -> None:
    names = SortedNames()
    for name in ("node-3", "node-1", "node-2", "node-1"):
        names.add(name)
    names.discard("node-9")
    assert list(names) == ["node-1", "node-2", "node-3"]
    assert names.first(2) == ["node-1", "node-2"]
    assert names.first(-1) == []
    names.discard("node-2")
    assert list(names) == ["node-1", "node-3"] and len(names) == 2


def test_expired_answers_come_back_once_their_instant_has_passed() -> None:
    index = RollingIndex(("h", None, 5))
    index.put("a", NodeRoll(True, POD, None, False, False, True, 100.0))
    index.put("b", NodeRoll(True, POD, None, False, False, True, 50.0))
    assert index.expired(50.0) == []  # available only once now > ready + minReadySeconds
    assert index.expired(50.5) == ["b"]
    assert index.expired(200.0) == ["a"]
    assert index.expired(300.0) == []


def test_budgets_are_the_ones_the_walk_uses() -> None:
    # A percentage of maxSurge scales with the desired count: both branches are kept.
    ds = make_daemonset(strategy="RollingUpdate", max_surge="50%")
    assert (surge_count(ds, 0), unavailable_count(ds, 0)) == (0, 0)
    assert surge_count(ds, 3) == 2


# --- what a sync costs ---------------------------------------------------------------


def test_a_rollout_sync_looks_again_only_at_nodes_that_changed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # maxUnavailable 1 on 40 nodes is ~160 syncs: the walk would look at 40 nodes in
    # each (6,400 looks); the index builds once and then follows each node's few changes.
    from dstutor.controller import history_sync, rolling_index
    looks = {"rolling": 0, "history": 0}
    node_roll, node_hashes = rolling_index.node_roll, history_sync._node_hashes

    def counted_roll(*args: Any) -> Any:
        looks["rolling"] += 1
        return node_roll(*args)

    def counted_hashes(*args: Any) -> Any:
        looks["history"] += 1
        return node_hashes(*args)

    monkeypatch.setattr(rolling_index, "node_roll", counted_roll)
    monkeypatch.setattr(history_sync, "_node_hashes", counted_hashes)
    cluster = Cluster(seed=7)
    cluster.daemonsets.verify = False  # its walks would count too
    for i in range(40):
        cluster.add_node(f"node-{i:02d}", ready=True)
    cluster.create(make_daemonset("agent", image="agent:0", labels=LABELS,
                                  strategy="RollingUpdate", revision_history_limit=0))
    cluster.advance(60)
    _edit_ds(cluster, lambda ds: ds["spec"]["template"]["spec"]["containers"][0].update(
        image="agent:1"))
    cluster.advance()
    pods = cluster.pods_of("agent")
    assert len(pods) == 40
    assert {p["spec"]["containers"][0]["image"] for p in pods} == {"agent:1"}
    assert 40 <= looks["rolling"] <= 40 * 8
    assert 40 <= looks["history"] <= 40 * 8
