"""Each DaemonSet's cached placements as a byte per node at the node's place in the index
its controller's DaemonSets share (DaemonSetState.placement_codes,
controller/placement_cache.py), where they were a dict node name -> Placement per
DaemonSet (1 MB of a 5,000 x 10 settle). Against a shadow that keeps the old dict (put
where the controller asked node_should_run_daemon_pod, popped where on_node popped it
for every DaemonSet it marks, and where manage() found the node gone, cleared where a
full sync cleared it), in the write_trace scenarios and in random clusters:

- every read (manage's, through what it hands pods_should_be_on_node; node_stat's;
  rolling_update's node_roll) answers what the dict answered;
- between syncs, the placements (the view, and the nodes placed_nodes names) are the
  dict's;
- the dict's order was not observable: with placed_nodes handing out the nodes in the
  dict's own order (as the dict's readers met them), or the other way round, every
  scenario shows the recorded visible states, and every rolling_update agrees with the
  walk over every node (the controller's `verify`).

And manage() hands the status the pods of its nodes as a list beside them, where it was
a dict by node name: None exactly where the dict was None, else each node's very pods
(PodsSeen, below).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstutor.controller import daemonset as daemonset_module
from dstutor.controller import daemonset_manage as manage_module
from dstutor.controller import rolling_index as rolling_index_module
from dstutor.controller import status as status_module
from dstutor.controller import update as update_module
from dstutor.controller.daemonset import DaemonSetsController
from dstutor.controller.placement import NEVER, RUN, Placement
from dstutor.controller.placement_cache import (
    CACHED,
    CONTINUES,
    PLACEMENTS,
    SHOULD_RUN,
    drop_placement,
    placed_nodes,
    placement_code,
    placement_of,
    put_placement,
)
from dstutor.controller.pods import daemon_pods_on
from dstutor.controller.state import DaemonSetState
from dstutor.sim.cluster import Cluster
from tests.sim.test_sim_memory9_dirty import _ds, _pool_cluster, _run
from tests.sim.write_trace import SCENARIOS

RECORDED = json.loads((Path(__file__).parent / "write_trace_digests.json").read_text())


class Shadow:
    """The old dict per DaemonSet (by controller and uid), kept by patched controller
    methods where the old code wrote it, and compared with the bytes at every read."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, order: str = "dict") -> None:
        """`order`: how placed_nodes hands out the nodes: "dict" (the dict's insertion
        order), "reversed" (the other way round), "" (the real function's order)."""
        self.old: dict[tuple[int, str], dict[str, Placement]] = {}
        self.reads = {"manage": 0, "node_stat": 0, "node_roll": 0, "placed_nodes": 0}
        self.compared = 0
        self.on_node: str | None = None
        self.managing: Any = None  # the controller whose manage() runs
        self.controllers: list[DaemonSetsController] = []
        shadow = self
        init = DaemonSetsController.__init__
        on_node = DaemonSetsController.on_node
        mark_dirty = DaemonSetsController.mark_dirty
        placement = manage_module.node_should_run_daemon_pod
        manage = DaemonSetsController.manage
        sync = DaemonSetsController._sync
        should = DaemonSetsController.pods_should_be_on_node
        construct = daemonset_module.construct_history
        node_stat = status_module.node_stat
        node_roll = rolling_index_module.node_roll
        real_placed = placed_nodes

        def dict_of(controller: DaemonSetsController, ds_uid: str) -> dict[str, Placement]:
            return shadow.old.setdefault((id(controller), ds_uid), {})

        def state_dict(state: DaemonSetState) -> dict[str, Placement]:
            for controller in shadow.controllers:
                for ds_uid, candidate in controller.states.items():
                    if candidate is state:
                        return dict_of(controller, ds_uid)
            raise AssertionError("a state no controller holds")

        def initing(self: DaemonSetsController, ctx: Any) -> None:
            init(self, ctx)
            self.verify = True  # every rolling_update against the walk over every node
            shadow.controllers.append(self)

        def on_noding(self: DaemonSetsController, old: Any, new: Any) -> None:
            node = new if new is not None else old
            shadow.on_node = node["metadata"]["name"]
            try:
                on_node(self, old, new)
            finally:
                shadow.on_node = None
            shadow.compare(self)

        def marking(self: DaemonSetsController, ds: Any, node_name: str) -> None:
            if shadow.on_node is not None:  # on_node pops the node for each DaemonSet
                assert node_name == shadow.on_node
                dict_of(self, ds["metadata"]["uid"]).pop(node_name, None)
            mark_dirty(self, ds, node_name)

        def placing(node: Any, ds: Any, pod_spec: Any) -> Placement:
            # manage() asks only for a node without a cached answer, and caches it.
            got = placement(node, ds, pod_spec)
            dict_of(shadow.managing, ds["metadata"]["uid"])[node["metadata"]["name"]] = got
            return got

        def managing(self: DaemonSetsController, ds: Any, state: DaemonSetState,
                     nodes: list[str]) -> Any:
            shadow.managing = self
            try:
                result = manage(self, ds, state, nodes)
            finally:
                shadow.managing = None
            old = dict_of(self, ds["metadata"]["uid"])
            for node_name in nodes:  # (manage writes pods, never nodes)
                if self.ctx.store.get("Node", "", node_name) is None:
                    old.pop(node_name, None)
            return result

        def should_be(self: DaemonSetsController, ds: Any, state: DaemonSetState,
                      node_name: str, placement: Placement, *args: Any) -> Any:
            assert placement == dict_of(self, ds["metadata"]["uid"])[node_name]
            shadow.reads["manage"] += 1
            return should(self, ds, state, node_name, placement, *args)

        def constructing(ctx: Any, ds: Any, state: DaemonSetState) -> str:
            # Only a full sync constructs history, right after it cleared the dict.
            state_dict(state).clear()
            return construct(ctx, ds, state)

        def syncing(self: DaemonSetsController, ds: Any) -> None:
            shadow.compare(self)
            sync(self, ds)
            shadow.compare(self)

        def stat(ctx: Any, ds: Any, state: DaemonSetState, node_name: str, now: Any,
                 pods: Any = None) -> Any:
            assert placement_of(state, node_name) == state_dict(state).get(node_name)
            shadow.reads["node_stat"] += 1
            return node_stat(ctx, ds, state, node_name, now, pods)

        def roll(store: Any, ds: Any, state: DaemonSetState, node_name: str,
                 *args: Any) -> Any:
            assert placement_of(state, node_name) == state_dict(state).get(node_name)
            shadow.reads["node_roll"] += 1
            return node_roll(store, ds, state, node_name, *args)

        def placed(state: DaemonSetState) -> list[str]:
            names = real_placed(state)
            old = state_dict(state)
            assert sorted(names) == sorted(old)
            shadow.reads["placed_nodes"] += 1
            if order == "dict":
                return list(old)
            if order == "reversed":
                return list(reversed(old))
            return names

        monkeypatch.setattr(DaemonSetsController, "__init__", initing)
        monkeypatch.setattr(DaemonSetsController, "on_node", on_noding)
        monkeypatch.setattr(DaemonSetsController, "mark_dirty", marking)
        monkeypatch.setattr(manage_module, "node_should_run_daemon_pod", placing)
        monkeypatch.setattr(DaemonSetsController, "manage", managing)
        monkeypatch.setattr(DaemonSetsController, "pods_should_be_on_node", should_be)
        monkeypatch.setattr(DaemonSetsController, "_sync", syncing)
        monkeypatch.setattr(daemonset_module, "construct_history", constructing)
        monkeypatch.setattr(status_module, "node_stat", stat)
        monkeypatch.setattr(rolling_index_module, "node_roll", roll)
        monkeypatch.setattr(rolling_index_module, "placed_nodes", placed)
        monkeypatch.setattr(update_module, "placed_nodes", placed)

    def compare(self, controller: DaemonSetsController) -> None:
        for ds_uid, state in controller.states.items():
            old = self.old.get((id(controller), ds_uid), {})
            assert state.placements == old
            assert sorted(placed_nodes(state)) == sorted(old)
            self.compared += bool(old)


@pytest.mark.parametrize("order", ["dict", "reversed"])
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_placements_answer_as_the_dict_did(name: str, order: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shadow = Shadow(monkeypatch, order=order)
    recorder = SCENARIOS[name]()
    assert {"digest": recorder.hash.hexdigest(), "steps": recorder.steps} == RECORDED[name]
    assert shadow.compared >= 5
    assert shadow.reads["node_stat"] >= 10, shadow.reads
    if name.startswith("fleet"):  # (its rolling update, and a pod that fails)
        assert min(shadow.reads.values()) >= 1, shadow.reads


def _taint(cluster: Cluster, node: str, effect: str) -> None:
    obj = cluster.get("Node", "", node)
    taints = [] if effect == "none" else [{"key": "dedicated", "value": "x",
                                           "effect": effect}]
    cluster.update({**obj, "spec": {**obj["spec"], "taints": taints}})


# memory9's operations (test_sim_memory9_dirty.OPS), and taints.
TAINT_OPS = st.lists(st.tuples(
    st.sampled_from(["add", "remove", "fail", "recover", "relabel", "image", "delete-pod",
                     "mark", "advance", "taint"]),
    st.integers(0, 3), st.integers(0, 1)), max_size=25)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=TAINT_OPS, order=st.sampled_from(["dict", "reversed", ""]))
def test_random_clusters_place_as_the_dict_did(ops: list[tuple[str, int, int]], order: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Nodes joining, leaving, failing, relabelled out of and into the pool, tainted
    NoSchedule (Placement(False, True)) and NoExecute (NEVER); new templates."""
    with monkeypatch.context() as patch:
        shadow = Shadow(patch, order=order)
        cluster = _pool_cluster()
        for op, i, j in ops:
            node = f"n{i}"
            if op == "taint":
                if node in {n["metadata"]["name"] for n in cluster.list("Node")}:
                    _taint(cluster, node, ("NoSchedule", "NoExecute", "none")[(i + j) % 3])
            else:
                _run(cluster, op, i, j)
        cluster.advance(60)
        shadow.compare(cluster.daemonsets)


# --- the codes and their functions, against a dict ------------------------------------

@pytest.mark.parametrize("placement", [RUN, NEVER, Placement(False, True),
                                       Placement(True, False)])
def test_each_placement_has_its_number(placement: Placement) -> None:
    code = placement_code(placement)
    assert code > 0 and PLACEMENTS[code] == placement


def test_the_bytes_stand_for_the_four_placements_and_their_answers() -> None:
    for code, placement in enumerate(PLACEMENTS):
        assert (placement is None) == (not code & CACHED)
        if placement is not None:
            assert placement_code(placement) == code
            assert bool(code & SHOULD_RUN) == placement.should_run
            assert bool(code & CONTINUES) == placement.should_continue_running
    assert sum(p is not None for p in PLACEMENTS) == 4


NAMES = st.sampled_from([f"n{i}" for i in range(70)])
CACHE_OPS = st.lists(st.tuples(st.sampled_from(["put", "drop", "clear"]),
                               st.integers(0, 1), NAMES,
                               st.sampled_from([p for p in PLACEMENTS if p])),
                     max_size=80)


@settings(max_examples=150, deadline=None)
@given(ops=CACHE_OPS)
def test_two_states_sharing_an_index_hold_what_two_dicts_held(
        ops: list[tuple[str, int, str, Placement]]) -> None:
    index: dict[str, int] = {}
    states = [DaemonSetState(node_index=index), DaemonSetState(node_index=index)]
    dicts: list[dict[str, Placement]] = [{}, {}]
    for op, which, name, placement in ops:
        state, old = states[which], dicts[which]
        if op == "put":
            put_placement(state, name, placement)
            old[name] = placement
        elif op == "drop":
            drop_placement(state, name)
            old.pop(name, None)
        else:
            state.placement_codes.clear()
            old.clear()
        for state, old in zip(states, dicts, strict=True):
            assert state.placements == old
            assert sorted(placed_nodes(state)) == sorted(old)
            for probe in ("n0", "n69", name, "never-seen"):
                assert placement_of(state, probe) == old.get(probe)
    assert sorted(index.values()) == list(range(len(index)))  # one place per name


def _fleet(nodes: int) -> Cluster:
    cluster = Cluster(record_pod_events=False)
    for i in range(nodes):
        cluster.add_node(f"node-{i:05d}", labels={"pool": "a" if i % 3 else "b"})
    for j in range(3):
        cluster.create(_ds(f"ds{j}", "img:0"))
    cluster.advance()
    return cluster


def test_placements_of_a_big_fleet_take_a_byte_each() -> None:
    cluster = _fleet(300)
    states = list(cluster.daemonsets.states.values())
    assert len(states) == 3
    for state in states:
        placements = state.placements
        assert len(placements) == 300
        assert sum(p.should_run for p in placements.values()) == 200  # pool a
        assert 300 <= len(state.placement_codes) <= 300 + 64
        assert state.node_index is cluster.daemonsets._node_index
    assert len(cluster.daemonsets._node_index) == 300


def test_a_relabelled_node_is_placed_again_and_keeps_its_place() -> None:
    cluster = _fleet(5)
    index = dict(cluster.daemonsets._node_index)
    node = cluster.get("Node", "", "node-00000")  # pool b: no DaemonSet runs there
    assert all(not s.placements["node-00000"].should_run
               for s in cluster.daemonsets.states.values())
    cluster.update({**node, "metadata": {**node["metadata"], "labels": {"pool": "a"}}})
    cluster.advance()
    assert all(s.placements["node-00000"] == RUN for s in cluster.daemonsets.states.values())
    assert cluster.daemonsets._node_index == index
    cluster.remove_node("node-00001")
    cluster.advance()
    assert all("node-00001" not in s.placements for s in cluster.daemonsets.states.values())



# --- manage()'s pods per node, a list beside the nodes ---------------------------------

class PodsSeen:
    """Checks what every manage() hands the status against what the dict by node name
    held: None exactly where it was None (a delete, a failed create, a create onto a
    node that had pods), else one entry per visited node, in their order, each the very
    pods the node has then (a created pod where the node had none)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.lists = self.nones = self.creates = 0
        manage = DaemonSetsController.manage
        sync_nodes = DaemonSetsController._sync_nodes
        acted: list[tuple[list[Any], list[tuple[str, Any]]]] = []
        checker = self

        def acting(self: DaemonSetsController, ds: Any, state: DaemonSetState,
                   deletes: list[Any], needing: list[str], **kwargs: Any) -> Any:
            created = sync_nodes(self, ds, state, deletes, needing, **kwargs)
            acted.append((list(deletes), list(created)))
            return created

        def managing(self: DaemonSetsController, ds: Any, state: DaemonSetState,
                     nodes: list[str]) -> Any:
            before = {n: daemon_pods_on(self.ctx.store, ds, n) for n in nodes}
            acted.clear()
            seen = manage(self, ds, state, nodes)
            deletes, created = acted[0] if acted else ([], [])
            was_none = bool(deletes) or state.create_failed or any(
                before[n] for n, _ in created)
            assert (seen is None) == was_none
            if seen is None:
                checker.nones += 1
                return seen
            assert len(seen) == len(nodes)
            made = dict(created)
            for node_name, pods in zip(nodes, seen, strict=True):
                want = [made[node_name]] if node_name in made else before[node_name]
                assert list(map(id, pods)) == list(map(id, want)), node_name
                assert list(map(id, pods)) == list(map(id, daemon_pods_on(
                    self.ctx.store, ds, node_name))), node_name
            checker.lists += 1
            checker.creates += len(created)
            return seen

        monkeypatch.setattr(DaemonSetsController, "manage", managing)
        monkeypatch.setattr(DaemonSetsController, "_sync_nodes", acting)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_manage_hands_the_status_what_the_dict_held(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    checker = PodsSeen(monkeypatch)
    recorder = SCENARIOS[name]()
    assert {"digest": recorder.hash.hexdigest(), "steps": recorder.steps} == RECORDED[name]
    assert checker.lists >= 5 and checker.creates >= 3


def _surge_ds(image: str) -> dict[str, Any]:
    ds = _ds("surge", image)
    ds["spec"]["updateStrategy"] = {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxSurge": 2, "maxUnavailable": 0}}
    return ds


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=TAINT_OPS)
def test_random_clusters_hand_the_status_what_the_dict_held(
        ops: list[tuple[str, int, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    """With a surge DaemonSet beside them, whose rollouts create new pods on nodes that
    have pods (manage hands over nothing then)."""
    with monkeypatch.context() as patch:
        checker = PodsSeen(patch)
        cluster = Cluster(record_pod_events=False)
        for i in range(3):
            cluster.add_node(f"n{i}", labels={"pool": "a"})
        cluster.create(_ds("ds0", "img:0"))
        cluster.create(_surge_ds("img:0"))
        cluster.advance()
        for step, (op, i, j) in enumerate(ops):
            if op == "image" and j:
                surge = cluster.get("DaemonSet", "default", "surge")
                cluster.update(_surge_ds(f"img:{step}") | {"metadata": surge["metadata"]})
            elif op == "taint":
                if f"n{i}" in {n["metadata"]["name"] for n in cluster.list("Node")}:
                    _taint(cluster, f"n{i}", ("NoSchedule", "NoExecute", "none")[(i + j) % 3])
            else:
                _run(cluster, op, i, 0)
        cluster.advance(60)
        assert checker.lists >= 1


def test_a_surge_rollout_hands_over_nothing_where_it_creates_beside_a_pod(
        monkeypatch: pytest.MonkeyPatch) -> None:
    checker = PodsSeen(monkeypatch)
    cluster = Cluster(record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"n{i}", labels={"pool": "a"})
    cluster.create(_surge_ds("img:0"))
    cluster.advance()
    creates = checker.creates
    surge = cluster.get("DaemonSet", "default", "surge")
    cluster.update(_surge_ds("img:1") | {"metadata": surge["metadata"]})
    cluster.advance(60)
    assert checker.nones >= 1
    assert checker.creates >= creates
    assert {p["spec"]["containers"][0]["image"] for p in cluster.pods_of("surge")} == {"img:1"}
