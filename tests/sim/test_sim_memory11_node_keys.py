"""The store's node index holds each node's pod keys as a NodeKeys (sim/nodekeys.py), a
tuple subclass, where it held plain tuples: a replaced one goes back to the allocator,
not to CPython's tuple free lists (0.8 MB of a 5,000 x 10 settle's peak).

Against a shadow that keeps the old dict of plain tuples (grown with (*keys, key) where
_index_pod indexed a pod on a node, shrunk with tuple(...) where _unindex_record took
one out), in the write_trace scenarios (visible states as recorded) and in random
clusters (nodes joining, leaving, failing, relabelled; pods deleted; bare pods with and
without a node; a Deployment's pods scheduled and scaled):

- after every write to the index, each node's entry holds the very keys of the old
  tuple in its order, the nodes in the dict's order, each a NodeKeys;
- every read (pod_keys_on_node, stored_key, pods_on_node) answers what the old tuples
  answered: equal, the same key objects, in the same order.

Planted once: NodeKeys((key, *on_node)) in _index_pod (a new pod first) fails both
tests; tuple(...) left in _unindex_record fails the type check.
"""

from __future__ import annotations

import copy
import json
import pickle
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstutor.controller.pod_record import PodRecord
from dstutor.model.objects import Key, Obj, key_of
from dstutor.sim.cluster import Cluster
from dstutor.sim.nodekeys import NodeKeys
from dstutor.sim.store import Store
from tests.sim.test_sim_memory9_dirty import _ds, _run
from tests.sim.write_trace import SCENARIOS

RECORDED = json.loads((Path(__file__).parent / "write_trace_digests.json").read_text())


class Shadow:
    """The old node index of every store, by the store's id, kept by patched _index_pod
    and _unindex_record as the old code kept it, and compared with the new one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.old: dict[int, dict[str, tuple[Key, ...]]] = {}
        self.writes = 0
        self.reads = {"pod_keys_on_node": 0, "stored_key": 0, "pods_on_node": 0}
        shadow = self
        index_pod = Store._index_pod
        unindex = Store._unindex_record
        pod_keys_on_node = Store.pod_keys_on_node
        stored_key = Store.stored_key
        pods_on_node = Store.pods_on_node
        put_created = Store.put_created_pod

        def indexing(store: Store, pod: Obj, key: Key, stored: bool = False) -> None:
            old = shadow.of(store)
            known = store.pod_records.get(key)
            before = (known.owner, known.node) if known is not None else None
            if known is not None:  # the table's key, as the old stored_key found it
                table_key = (old[known.node][old[known.node].index(key)] if known.node
                             else store._unplaced[key])
            else:
                table_key = key
            index_pod(store, pod, key, stored)
            record = store.pod_records.get(key)
            if record is not None and (before is None
                                       or (record.owner, record.node) != before):
                # The old code reached its end: (*on_node, key) on the pod's node.
                if record.node:
                    on_node = old.get(record.node, ())
                    if table_key not in on_node:
                        old[record.node] = (*on_node, table_key)
            shadow.check(store)

        def unindexing(store: Store, record: PodRecord, key: Key) -> None:
            old = shadow.of(store)
            node = record.node
            on_node = old.get(node) if node else None
            unindex(store, record, key)
            if on_node is not None:
                rest = tuple(k for k in on_node if k != key)
                if rest:
                    old[node] = rest
                else:
                    del old[node]
            shadow.check(store)

        def putting_created(store: Store, obj: Obj, key: Key, owner: str, refs: object,
                            node: str) -> None:
            # (settle2: a controller's new pod is indexed by Store.put_created_pod, not
            # _index_pod; the old code put the new key last on its node, before the
            # listeners heard of it.)
            old = shadow.of(store)
            old[node] = (*old.get(node, ()), key)
            put_created(store, obj, key, owner, refs, node)
            shadow.check(store)

        def reading_keys(store: Store, node: str) -> tuple[Key, ...]:
            answer = pod_keys_on_node(store, node)
            shadow.same(answer, shadow.of(store).get(node, ()))
            shadow.reads["pod_keys_on_node"] += 1
            return answer

        def reading_key(store: Store, record: PodRecord, key: Key) -> Key:
            answer = stored_key(store, record, key)
            if record.node:
                on_node = shadow.of(store)[record.node]
                assert answer is on_node[on_node.index(key)]
                shadow.reads["stored_key"] += 1
            return answer

        def reading_pods(store: Store, node: str) -> list[Obj]:
            answer = pods_on_node(store, node)
            found = [store.get(*k) for k in shadow.of(store).get(node, ())]
            expected = sorted((p for p in found if p is not None), key=key_of)
            assert len(answer) == len(expected)
            assert all(a is b for a, b in zip(answer, expected, strict=True))
            shadow.reads["pods_on_node"] += 1
            return answer

        monkeypatch.setattr(Store, "_index_pod", indexing)
        monkeypatch.setattr(Store, "put_created_pod", putting_created)
        monkeypatch.setattr(Store, "_unindex_record", unindexing)
        monkeypatch.setattr(Store, "pod_keys_on_node", reading_keys)
        monkeypatch.setattr(Store, "stored_key", reading_key)
        monkeypatch.setattr(Store, "pods_on_node", reading_pods)

    def of(self, store: Store) -> dict[str, tuple[Key, ...]]:
        if id(store) not in self.old:
            # A store seen first: one copied or unpickled (its index as it came), or new.
            self.old[id(store)] = {node: tuple(keys)
                                   for node, keys in store._pods_by_node.items()}
        return self.old[id(store)]

    @staticmethod
    def same(new: tuple[Key, ...], old: tuple[Key, ...]) -> None:
        assert new == old and len(new) == len(old)
        assert all(a is b for a, b in zip(new, old, strict=True))

    def check(self, store: Store) -> None:
        old = self.of(store)
        assert list(store._pods_by_node) == list(old)
        for node, keys in store._pods_by_node.items():
            assert type(keys) is NodeKeys
            self.same(keys, old[node])
        self.writes += 1


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_node_index_holds_what_the_tuples_held(name: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    shadow = Shadow(monkeypatch)
    recorder = SCENARIOS[name]()
    assert {"digest": recorder.hash.hexdigest(), "steps": recorder.steps} == RECORDED[name]
    assert shadow.writes >= 5
    assert shadow.reads["pod_keys_on_node"] >= 1 and shadow.reads["pods_on_node"] >= 1


def _bare_pod(name: str, node: str | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "img:0"}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def _deployment(replicas: int) -> dict[str, Any]:
    labels = {"app": "web"}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c",
                                                           "image": "web:0"}]}}}}


# memory9's operations (test_sim_memory9_dirty.OPS), bare pods and a Deployment's scale.
NODE_OPS = st.lists(st.tuples(
    st.sampled_from(["add", "remove", "fail", "recover", "relabel", "image", "delete-pod",
                     "advance", "bare-pod", "scale"]),
    st.integers(0, 3), st.integers(0, 1)), max_size=25)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=NODE_OPS)
def test_random_clusters_index_nodes_as_the_tuples_did(
        ops: list[tuple[str, int, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        shadow = Shadow(patch)
        cluster = Cluster(record_pod_events=False)
        for i in range(2):
            cluster.add_node(f"n{i}", labels={"pool": "a"})
        for j in range(2):
            cluster.create(_ds(f"ds{j}", "img:0"))
        cluster.create(_deployment(2))
        cluster.advance()
        for step, (op, i, j) in enumerate(ops):
            if op == "bare-pod":
                cluster.create(_bare_pod(f"bare-{step}", f"n{i}" if j else None))
            elif op == "scale":
                deployment = cluster.get("Deployment", "default", "web")
                cluster.update(_deployment(i + j) | {"metadata": deployment["metadata"]})
            else:
                _run(cluster, op, i, j)
            for node in ("n0", "n1", "n2", "n3"):
                cluster.store.pod_keys_on_node(node)
                cluster.store.pods_on_node(node)
        cluster.advance(60)
        shadow.check(cluster.store)
        assert shadow.writes >= 1


def test_node_keys_are_tuples_of_a_tuples_size() -> None:
    """Readers see a tuple; a NodeKeys is no bigger than one (no __dict__, no weakref
    slot), and is not the plain tuple the free lists keep."""
    keys = (("Pod", "default", "a"), ("Pod", "default", "b"))
    node_keys = NodeKeys(keys)
    assert isinstance(node_keys, tuple) and type(node_keys) is not tuple
    assert node_keys == keys and keys == node_keys and hash(node_keys) == hash(keys)
    assert sys.getsizeof(node_keys) == sys.getsizeof(keys)
    assert not hasattr(node_keys, "__dict__")
    (first, second) = node_keys
    assert first is keys[0] and second is keys[1] and node_keys.index(keys[1]) == 1


def _fleet() -> Cluster:
    cluster = Cluster(record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"n{i}", labels={"pool": "a"})
    for j in range(3):
        cluster.create(_ds(f"ds{j}", "img:0"))
    cluster.advance()
    return cluster


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_copied_cluster_keeps_node_keys_sharing_the_table_keys(how: str) -> None:
    """The shell's undo and the lessons' memo copy whole clusters: the copy's index holds
    NodeKeys of the copy's own table keys."""
    cluster = _fleet()
    copied = (pickle.loads(pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL))  # noqa: S301
              if how == "pickle" else copy.deepcopy(cluster))
    store = copied.store
    table = {k: k for k in store.pod_records}
    assert store._pods_by_node.keys() == cluster.store._pods_by_node.keys()
    for node, keys in store._pods_by_node.items():
        assert type(keys) is NodeKeys and len(keys) == 3
        assert keys == cluster.store._pods_by_node[node]
        assert all(table[k] is k for k in keys)
