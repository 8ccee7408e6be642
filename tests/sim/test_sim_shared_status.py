"""Pods share status fragments (conditions, container states, labels, affinity); a change
to one pod must never show through on another."""

from __future__ import annotations

from sim_builders import make_daemonset

from dstutor.model.objects import pod_condition
from dstutor.sim.cluster import Cluster


def _cluster() -> Cluster:
    cluster = Cluster()
    for name in ("node-a", "node-b"):
        cluster.add_node(name, ready=True)
    cluster.create(make_daemonset("agent", image="agent", labels={"app": "agent"}))
    cluster.advance()
    return cluster


def _pods(cluster: Cluster) -> dict[str, dict]:
    return {p["spec"]["nodeName"]: p for p in cluster.pods_of("agent")}


def test_pods_changed_together_share_fragments() -> None:
    pods = _pods(_cluster())
    a, b = pods["node-a"], pods["node-b"]
    assert pod_condition(a, "Ready") is pod_condition(b, "Ready")
    assert a["status"]["containerStatuses"][0]["state"] is b["status"][
        "containerStatuses"][0]["state"]
    assert a["metadata"]["labels"] is b["metadata"]["labels"]


def test_node_failure_marks_only_its_own_pods_not_ready() -> None:
    cluster = _cluster()
    cluster.fail_node("node-a")
    cluster.advance(60)
    pods = _pods(cluster)
    assert (pod_condition(pods["node-a"], "Ready") or {}).get("status") == "False"
    assert (pod_condition(pods["node-b"], "Ready") or {}).get("status") == "True"
    ds = cluster.store.get("DaemonSet", "default", "agent")
    assert ds is not None and ds["status"]["numberReady"] == 1


def test_kubectl_label_on_one_pod_leaves_the_others() -> None:
    cluster = _cluster()
    pod = cluster.get("Pod", "default", _pods(cluster)["node-a"]["metadata"]["name"])
    pod["metadata"]["labels"]["extra"] = "yes"
    cluster.update(pod)
    pods = _pods(cluster)
    assert pods["node-a"]["metadata"]["labels"].get("extra") == "yes"
    assert "extra" not in pods["node-b"]["metadata"]["labels"]
