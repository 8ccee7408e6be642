"""A node joining makes one pod for each DaemonSet in turn: each DaemonSet keeps its own
generateName and ownerReferences list for its new pods, instead of one controller-wide
slot that every other DaemonSet's create evicted (a new list per join and DaemonSet)."""

from __future__ import annotations

from dstutor.model.objects import controller_ref
from dstutor.sim.cluster import Cluster


def _daemonset(name: str) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": f"{name}:1"}]}}}}


def test_joins_reuse_each_daemonsets_owner_parts() -> None:
    cluster = Cluster(record_pod_events=False)
    cluster.add_node("n0", ready=True)
    for name in ("a", "b", "c"):
        cluster.create(_daemonset(name))
    cluster.advance()
    states = {ds["metadata"]["name"]: cluster.daemonsets.states[ds["metadata"]["uid"]]
              for ds in cluster.store.list("DaemonSet")}
    parts = {name: state.owner_parts for name, state in states.items()}
    for node in ("n1", "n2", "n3"):
        cluster.add_node(node, ready=True)
        cluster.advance()
    for name, state in states.items():
        assert state.owner_parts is parts[name]  # not made again per join
        pods = cluster.pods_of(name)
        assert len(pods) == 4
        refs = pods[0]["metadata"]["ownerReferences"]
        assert all(p["metadata"]["ownerReferences"] is refs for p in pods)
        assert controller_ref(pods[0])["name"] == name
        assert all(p["metadata"]["generateName"] == f"{name}-" for p in pods)
