"""Pod records without their key tuple (controller/pod_record.py): six slots, 80 bytes a
pod where seven took 96 (0.8 MB at 50,000 pods). The store's table and node index hold a
pod's one key tuple; Store.stored_key finds it for the kubelet and taint eviction, which
keep it in their queues and timers, as record.key handed it before:

- through puts, touches, replacements, moves between nodes (and to and from no node) and
  removals, stored_key answers the table's own tuple, and every index holds that one
  (the old record held it: the same object is what each reader gets);
- a settle's kubelet timers and queue hold the table's tuples, not equal copies;
- move_stat, which now writes only the numbers a move changes, leaves the totals as
  taking the old part out and putting the new one in did.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller.pod_record import PodRecord
from dstutor.controller.state import (
    MISSCHEDULED,
    NO_STAT,
    SCHEDULED,
    SHOULD_RUN_UNSCHEDULED,
    StatusTotals,
    add_stat,
    move_stat,
)
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster
from dstutor.sim.store import Store

REFS = {"o": [{"kind": "DaemonSet", "name": "o", "uid": "o", "controller": True}],
        "none": None}


def _pod(i: int, ns: str, node: str, refs: str, uid: str, pinned: bool) -> Obj:
    spec: Obj = {"nodeName": node} if not pinned else {"affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In",
                              "values": [node]}]}]}}}}
    pod: Obj = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"namespace": ns, "name": f"p{i}", "uid": uid},
                "spec": spec, "status": {}}
    if REFS[refs] is not None:
        pod["metadata"]["ownerReferences"] = REFS[refs]
    return pod


def _check_one_tuple_a_pod(store: Store) -> None:
    table_keys = {k: k for k in store.pod_records}
    for key, record in store.pod_records.items():
        fresh = ("Pod", key[1], key[2])
        assert record.key == key and record.key is not key  # (made from the pod)
        assert store.stored_pod_key(fresh) is key
        assert store.stored_key(record, fresh) is key
        assert store.pod_owner_and_node(fresh) == (record.owner, record.node)
    for node in {r.node for r in store.pod_records.values() if r.node}:
        for k in store.pod_keys_on_node(node):
            assert table_keys[k] is k
    for per_node in store.pods_of_owner("o").values():
        if type(per_node) is not PodRecord:  # (a record reads as an equal key)
            for k in per_node:
                assert table_keys[k] is k
    for k in store._unplaced:
        assert table_keys[k] is k and store._unplaced[k] is k
        assert store.pod_records[k].node == ""
    assert len(store._unplaced) == sum(1 for r in store.pod_records.values() if not r.node)


ops = st.lists(st.tuples(st.sampled_from(["put", "put", "touch", "remove"]),
                         st.integers(0, 4), st.sampled_from(["default", "kube-system"]),
                         st.sampled_from(["n1", "n2", ""]), st.sampled_from(sorted(REFS)),
                         st.booleans()), max_size=40)


@settings(max_examples=300, deadline=None)
@given(ops)
def test_every_reader_gets_the_tables_tuple(script: list[tuple[str, int, str, str, str,
                                                                 bool]]) -> None:
    store = Store()
    for step, (op, i, ns, node, refs, pinned) in enumerate(script):
        stored = store.get("Pod", ns, f"p{i}")
        if op == "remove":
            if stored is not None:
                store.remove(stored)
        elif op == "put" or stored is None:
            store.put(_pod(i, ns, node, refs, f"uid-{i}-{step}", pinned and bool(node)))
        else:  # an in-place change of node (binding, or a move the tests make)
            stored["spec"] = _pod(i, ns, node, refs, "", pinned and bool(node))["spec"]
            store.touch(stored)
        _check_one_tuple_a_pod(store)


def test_a_record_is_six_slots() -> None:
    record = PodRecord({"metadata": {"namespace": "ns", "name": "p"}}, "o", "n")
    assert PodRecord.__slots__ == ("pod", "owner", "node", "work", "checked", "signature")
    assert not hasattr(record, "__dict__")
    if sys.implementation.name == "cpython":
        assert sys.getsizeof(record) <= 80


def _agents(nodes: int) -> Cluster:
    cluster = Cluster(record_pod_events=False)
    for i in range(nodes):
        cluster.add_node(f"node-{i}", ready=True)
    for d in range(2):
        labels = {"app": f"agent-{d}"}
        cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet",
                        "metadata": {"name": f"agent-{d}", "namespace": "kube-system"},
                        "spec": {"selector": {"matchLabels": labels},
                                 "template": {"metadata": {"labels": labels},
                                              "spec": {"containers": [
                                                  {"name": "a", "image": f"agent:{d}"}]}}}})
    return cluster


@pytest.mark.parametrize("seconds", [0, 1, 2])
def test_kubelet_timers_hold_the_tables_tuples(seconds: int) -> None:
    cluster = _agents(4)
    cluster.advance(seconds)
    table = {k: k for k in cluster.store.pod_records}
    engine = cluster.engine
    pending: list[Any] = [*engine._timer_due, *engine._queue]
    pod_keys = [k for k in pending if type(k) is tuple and len(k) == 3 and k[0] == "Pod"]
    assert pod_keys  # (the kubelet is waiting on image pulls)
    for key in pod_keys:
        assert table[key] is key
    assert cluster.store.stored_pod_key(pod_keys[0]) is pod_keys[0]


STATS = [NO_STAT, SHOULD_RUN_UNSCHEDULED, MISSCHEDULED,
         *(SCHEDULED[r][a][u] for r in (0, 1) for a in (0, 1) for u in (0, 1))]


@pytest.mark.parametrize(("previous", "stat"), list(itertools.product(STATS, STATS)))
def test_move_stat_writes_what_add_stat_twice_wrote(previous: Any, stat: Any) -> None:
    start = StatusTotals(7, 6, 1, 5, 4, 3)
    moved, added = StatusTotals(7, 6, 1, 5, 4, 3), StatusTotals(7, 6, 1, 5, 4, 3)
    move_stat(moved, previous, stat)
    add_stat(added, previous, -1)
    add_stat(added, stat, 1)
    assert moved == added
    assert (moved == start) == (previous == stat)
