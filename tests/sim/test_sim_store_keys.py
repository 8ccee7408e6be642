"""The store keeps one key tuple a pod: its table's key is the Key its indexes hold (and
the one stored_pod_key hands the kubelet and taint eviction), through re-creates, status
writes and replaces; Events keep (namespace, name) keys."""

from __future__ import annotations

import copy

from dstutor.sim.cluster import Cluster


def _cluster() -> Cluster:
    cluster = Cluster(record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet",
                    "metadata": {"name": "agent", "namespace": "kube-system"},
                    "spec": {"selector": {"matchLabels": {"app": "agent"}},
                             "template": {"metadata": {"labels": {"app": "agent"}},
                                          "spec": {"containers": [
                                              {"name": "a", "image": "agent:1"}]}}}})
    cluster.advance()
    return cluster


def _check_one_tuple_a_pod(cluster: Cluster) -> int:
    store = cluster.store
    table = store._by_kind["Pod"]
    for key, pod in table.items():
        meta = pod["metadata"]
        assert key == ("Pod", meta["namespace"], meta["name"])
        assert store.stored_pod_key(("Pod", key[1], key[2])) is key
        assert store.get(*key) is pod
        assert any(k is key for k in store.pod_keys_on_node(pod["spec"]["nodeName"]))
    return len(table)


def test_table_and_indexes_share_the_key() -> None:
    cluster = _cluster()
    assert _check_one_tuple_a_pod(cluster) == 3
    store = cluster.store
    pod = store.list("Pod", "kube-system")[0]
    # A replace (put of another dict under the same key) keeps the first tuple everywhere.
    replacement = copy.deepcopy(pod)
    store.put(replacement)
    assert store.get("Pod", "kube-system", pod["metadata"]["name"]) is replacement
    assert _check_one_tuple_a_pod(cluster) == 3
    # A deleted pod is made again by the controller: a new key, shared again.
    cluster.delete("Pod", "kube-system", pod["metadata"]["name"])
    cluster.advance()
    assert _check_one_tuple_a_pod(cluster) == 3
    assert [p["metadata"]["namespace"] for p in store.list("Pod", "kube-system")] == [
        "kube-system"] * 3
    assert store.list("Pod", "default") == []
    assert all(isinstance(k, tuple) and len(k) == 2 for k in store._by_kind["Event"])
