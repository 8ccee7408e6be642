"""A DaemonSet's dirty nodes as a list that may repeat a node (DaemonSetState.dirty),
where they were the keys of a dict: at the end of a 5,000 x 10 settle, ten DaemonSets
hold every node at once until their syncs run, 0.6 MB less as lists. Against a shadow
that keeps the old dict (every mark_dirty puts the node in it, each sync starts from
what the one before left), in the write_trace scenarios and in random ones:

- whenever a sync starts, its list holds the dict's nodes, in the dict's order;
- what the sync visits (manage's nodes) is each node once: the dict's nodes in an
  incremental sync, a superset of them in a full one;
- the nodes handed to rolling_update and cleanupHistory name no node more than twice
  (once as visited, once as marked during the sync), as the dict's keys after the
  visited nodes did;
- a sync that does not take them (a DaemonSet being deleted) leaves each node once.

Each node's status part (NodeStat) as a byte at the node's place in an index the
controller's DaemonSets share, not a dict per DaemonSet (1 MB less at 5,000 x 10; the
parts against the old dict: test_sim_memory_transients.test_node_stats_hold_what_pop_
and_put_held): in every write_trace scenario and random cluster the totals are the sum
of the parts, and every state of a controller shares its index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstutor.controller import daemonset as daemonset_module
from dstutor.controller.daemonset import DaemonSetsController
from dstutor.controller.state import DaemonSetState, StatusTotals, add_stat, fold_dirty
from dstutor.sim.cluster import Cluster
from tests.sim.write_trace import SCENARIOS


class Shadow:
    """The old dict per DaemonSet, kept beside the list by patched controller methods."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, remark: bool = False) -> None:
        """`remark`: manage() marks its first node twice first, as two events of a pod
        there during the sync would, while `remarks` lasts (each such mark enqueues
        another sync: only a few per step, or the syncs would never end)."""
        self.old: dict[str, dict[str, None]] = {}
        self.compared = 0
        self.expect_visit: list[str] | None = None
        self.visited = 0
        self.remarks = 12 if remark else 0
        mark_dirty = DaemonSetsController.mark_dirty
        sync = DaemonSetsController._sync
        manage = DaemonSetsController.manage
        rolling = DaemonSetsController._rolling_update
        cleanup = daemonset_module.cleanup_history
        shadow = self

        def marking(self: DaemonSetsController, ds: Any, node_name: str) -> None:
            mark_dirty(self, ds, node_name)
            shadow.old.setdefault(ds["metadata"]["uid"], {})[node_name] = None

        def syncing(self: DaemonSetsController, ds: Any) -> None:
            ds_uid = ds["metadata"]["uid"]
            state = self.states.get(ds_uid)
            expected = shadow.old.get(ds_uid, {})
            shadow.expect_visit = None
            if state is not None:
                assert list(dict.fromkeys(state.dirty)) == list(expected)
                shadow.compared += bool(expected)
                if not state.full and state.generation == int(
                        ds["metadata"].get("generation", 1)):
                    shadow.expect_visit = sorted(expected)
            shadow.old[ds_uid] = {}  # marks during the sync
            sync(self, ds)
            state = self.states.get(ds_uid)
            if state is not None:
                # What the sync left: the marks made during it, and creates that failed.
                assert set(shadow.old[ds_uid]) <= set(state.dirty)
                shadow.old[ds_uid] = dict.fromkeys(state.dirty)

        def managing(self: DaemonSetsController, ds: Any, state: DaemonSetState,
                     nodes: list[str]) -> Any:
            assert len(set(nodes)) == len(nodes)
            if shadow.expect_visit is not None:
                assert nodes == shadow.expect_visit
            shadow.visited = len(nodes)
            if shadow.remarks and nodes:
                shadow.remarks -= 1
                self.mark_dirty(ds, nodes[0])
                self.mark_dirty(ds, nodes[0])
            return manage(self, ds, state, nodes)

        def check_changed(ds: Any, changed: list[str]) -> None:
            # The visited nodes, then those marked since, each once (the dict's keys).
            marked = list(shadow.old[ds["metadata"]["uid"]])
            assert len(changed) == shadow.visited + len(marked)
            assert changed[shadow.visited:] == marked
            assert max(Counter(changed).values(), default=0) <= 2

        def rolling_update(self: DaemonSetsController, ds: Any, state: DaemonSetState,
                           changed: list[str]) -> Any:
            check_changed(ds, changed)
            return rolling(self, ds, state, changed)

        def cleaning(ctx: Any, ds: Any, state: DaemonSetState, changed: Any = (),
                     **kwargs: Any) -> None:
            check_changed(ds, list(changed))
            cleanup(ctx, ds, state, changed, **kwargs)

        monkeypatch.setattr(DaemonSetsController, "mark_dirty", marking)
        monkeypatch.setattr(DaemonSetsController, "_sync", syncing)
        monkeypatch.setattr(DaemonSetsController, "manage", managing)
        monkeypatch.setattr(DaemonSetsController, "_rolling_update", rolling_update)
        monkeypatch.setattr(daemonset_module, "cleanup_history", cleaning)


def _check_parts(controller: DaemonSetsController) -> int:
    """Each state's totals are the sum of its nodes' parts; the states share one index."""
    counted = 0
    for state in controller.states.values():
        assert state.node_index is controller._node_index
        totals = StatusTotals()
        for stat in state.stats.values():
            add_stat(totals, stat, 1)
        assert totals == state.totals
        counted += len(state.stats)
    return counted


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_every_sync_takes_the_nodes_the_dict_held(name: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    shadow = Shadow(monkeypatch)
    parts = [0]
    sync = DaemonSetsController.sync

    def syncing(self: DaemonSetsController, key: tuple[str, str]) -> None:
        sync(self, key)
        parts[0] += _check_parts(self)

    monkeypatch.setattr(DaemonSetsController, "sync", syncing)
    SCENARIOS[name]()
    assert shadow.compared >= 5
    assert parts[0] > 0


def _ds(name: str, image: str) -> dict[str, Any]:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "updateStrategy": {"type": "RollingUpdate",
                                        "rollingUpdate": {"maxUnavailable": 2}},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"nodeSelector": {"pool": "a"},
                                           "containers": [{"name": "c", "image": image}]}}}}


OPS = st.lists(st.tuples(
    st.sampled_from(["add", "remove", "fail", "recover", "relabel", "image", "delete-pod",
                     "mark", "advance"]),
    st.integers(0, 3), st.integers(0, 1)), max_size=25)


def _pool_cluster(nodes: int = 2, daemonsets: int = 2,
                  name: str = "n{i}") -> Cluster:
    """Nodes in pool a and DaemonSets on them, settled (the random tests' start)."""
    cluster = Cluster(record_pod_events=False)
    for i in range(nodes):
        cluster.add_node(name.format(i=i), labels={"pool": "a"})
    for j in range(daemonsets):
        cluster.create(_ds(f"ds{j}", "img:0"))
    cluster.advance()
    return cluster


def _run(cluster: Cluster, op: str, i: int, j: int) -> None:
    node, ds_name = f"n{i}", f"ds{j}"
    nodes = {n["metadata"]["name"] for n in cluster.list("Node")}
    if op == "add" and node not in nodes:
        cluster.add_node(node, labels={"pool": "a"})
    elif op == "remove" and node in nodes:
        cluster.remove_node(node)
    elif op == "fail" and node in nodes:
        cluster.fail_node(node)
    elif op == "recover" and node in nodes:
        cluster.recover_node(node)
    elif op == "relabel" and node in nodes:
        obj = cluster.get("Node", "", node)
        pool = (obj["metadata"].get("labels") or {}).get("pool")
        changed = {**obj, "metadata": {**obj["metadata"], "labels": {
            **(obj["metadata"].get("labels") or {}), "pool": "b" if pool == "a" else "a"}}}
        cluster.update(changed)
    elif op == "image":
        obj = cluster.get("DaemonSet", "default", ds_name)
        cluster.update(_ds(ds_name, f"img:{i}") | {"metadata": obj["metadata"]})
    elif op == "delete-pod":
        pods = cluster.pods_of(ds_name)
        if pods:
            pod = pods[i % len(pods)]
            cluster.delete("Pod", "default", pod["metadata"]["name"])
    elif op == "mark":
        # Repeats of one node, as pod events at one instant make them.
        ds = cluster.get("DaemonSet", "default", ds_name)
        for _ in range(3):
            cluster.daemonsets.mark_dirty(ds, node)
    else:
        cluster.advance(1 + 7 * i)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_random_clusters_take_the_nodes_the_dict_held(
        ops: list[tuple[str, int, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        shadow = Shadow(patch, remark=True)
        cluster = _pool_cluster()
        for op, i, j in ops:
            shadow.remarks = 3
            _run(cluster, op, i, j)
            _check_parts(cluster.daemonsets)
        cluster.advance(60)
        _check_parts(cluster.daemonsets)


def test_node_parts_of_a_big_fleet_take_a_byte_each() -> None:
    cluster = _pool_cluster(300, 3, "node-{i:05d}")
    states = list(cluster.daemonsets.states.values())
    assert len(states) == 3
    for state in states:
        assert state.totals.ready == 300 and len(state.stats) == 300
        assert 300 <= len(state.stat_codes) <= 300 + 64
    assert len(cluster.daemonsets._node_index) == 300


def test_fold_dirty_keeps_each_node_once_in_first_marked_order() -> None:
    state = DaemonSetState()
    state.dirty.extend(["b", "a", "b", "c", "a", "b"])
    fold_dirty(state)
    assert state.dirty == ["b", "a", "c"]


def test_a_daemonset_being_deleted_holds_each_marked_node_once() -> None:
    """Its syncs return without taking the dirty nodes: the repeats its pods' events
    would pile up are folded there (the dict held each node once)."""
    cluster = Cluster(record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"n{i}", labels={"pool": "a"})
    cluster.create(_ds("ds0", "img:0"))
    cluster.advance()
    ds = cluster.get("DaemonSet", "default", "ds0")
    state = cluster.daemonsets.states[ds["metadata"]["uid"]]
    terminating = {**ds, "metadata": {**ds["metadata"],
                                      "deletionTimestamp": "2026-01-01T00:00:00Z"}}
    get_plain: Callable[..., Any] = cluster.store.get_plain
    cluster.store.get_plain = (  # type: ignore[method-assign]
        lambda kind, *key: terminating if kind == "DaemonSet" else get_plain(kind, *key))
    for _ in range(4):
        for i in range(3):
            cluster.daemonsets.mark_dirty(ds, f"n{i}")
        cluster.daemonsets.sync(("default", "ds0"))
        assert state.dirty == ["n0", "n1", "n2"]
