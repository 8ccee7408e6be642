"""MarkPodsNotReady: when a node goes silent, its pods' Ready condition turns False and
each gets a NodeNotReady event; the container statuses are left alone, so `kubectl get
pods` still shows 1/1 Running on the NotReady node, as on a real cluster."""

from __future__ import annotations

from sim_builders import make_daemonset

from dstutor.kubectl.dispatch import run
from dstutor.model.objects import pod_condition
from dstutor.sim.cluster import Cluster


def _failed_node_cluster() -> Cluster:
    cluster = Cluster()
    cluster.add_node("n1", ready=True)
    cluster.create(make_daemonset("agent", image="agent", labels={"app": "agent"}))
    cluster.advance()
    cluster.fail_node("n1")
    cluster.advance(60)
    return cluster


def test_only_the_ready_condition_turns_false() -> None:
    cluster = _failed_node_cluster()
    [pod] = cluster.pods_of("agent")
    ready = pod_condition(pod, "Ready")
    assert ready is not None and ready["status"] == "False"
    containers_ready = pod_condition(pod, "ContainersReady")
    assert containers_ready is not None and containers_ready["status"] == "True"
    assert [cs["ready"] for cs in pod["status"]["containerStatuses"]] == [True]


def test_get_pods_still_shows_running_one_of_one() -> None:
    cluster = _failed_node_cluster()
    out = run(cluster, "kubectl get pods --no-headers").stdout.split()
    assert out[1:3] == ["1/1", "Running"]


def test_each_pod_gets_a_node_not_ready_event() -> None:
    cluster = _failed_node_cluster()
    [pod] = cluster.pods_of("agent")
    events = [(e["type"], e["reason"], e["message"], e["source"]["component"])
              for e in cluster.store.list("Event")
              if e["involvedObject"]["name"] == pod["metadata"]["name"]
              and e["reason"] == "NodeNotReady"]
    assert events == [("Warning", "NodeNotReady", "Node is not ready", "node-controller")]


def test_recovery_makes_the_pod_ready_again() -> None:
    cluster = _failed_node_cluster()
    cluster.recover_node("n1")
    cluster.advance(5)
    [pod] = cluster.pods_of("agent")
    ready = pod_condition(pod, "Ready")
    assert ready is not None and ready["status"] == "True"
    assert [cs["ready"] for cs in pod["status"]["containerStatuses"]] == [True]
