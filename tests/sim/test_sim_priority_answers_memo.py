"""The API server keeps the Priority plugin's answers between a controller's syncs (a node
joining makes one pod per DaemonSet, each in a sync of its own) until a PriorityClass is
written: every write of one must show in the next pod's priority."""

from __future__ import annotations

from dstutor.sim.cluster import Cluster
from tests.sim.sim_builders import priority_class


def _daemonset() -> dict:
    labels = {"app": "agent"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "a:1"}]}}}}


def _joined_pod_priority(cluster: Cluster, node: str) -> tuple[object, object]:
    cluster.add_node(node, ready=True)
    (pod,) = cluster.store.pods_on_node(node)
    return pod["spec"].get("priorityClassName"), pod["spec"].get("priority")


def test_each_priority_class_write_reaches_the_next_join() -> None:
    cluster = Cluster(record_pod_events=False)
    cluster.add_node("n0", ready=True)
    cluster.create(_daemonset())
    cluster.advance()
    assert _joined_pod_priority(cluster, "n1") == (None, 0)
    cluster.create(priority_class("fleet", 1000, default=True))
    assert _joined_pod_priority(cluster, "n2") == ("fleet", 1000)
    stored = cluster.get("PriorityClass", "", "fleet")
    stored["globalDefault"] = False
    cluster.update(stored)
    assert _joined_pod_priority(cluster, "n3") == (None, 0)
    stored = cluster.get("PriorityClass", "", "fleet")
    stored["globalDefault"] = True
    cluster.update(stored)
    assert _joined_pod_priority(cluster, "n4") == ("fleet", 1000)
    cluster.delete("PriorityClass", "", "fleet")
    cluster.advance()
    assert _joined_pod_priority(cluster, "n5") == (None, 0)
