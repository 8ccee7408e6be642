"""The scheduler's FailedScheduling text, as kube-scheduler words it: the other nodes of a
DaemonSet pod are dropped by NodeAffinity's PreFilter, filters run in the default
profile's order (taints before affinity), NodePorts refuses a taken host port,
NodeResourcesFit names every short resource, and preemption finds no victims on nodes
only room could fix."""

from __future__ import annotations

from sim_builders import make_daemonset, update_ds

from dstutor.model.objects import pod_condition
from dstutor.sim.cluster import Cluster


def _message(pod: dict) -> str:
    cond = pod_condition(pod, "PodScheduled")
    assert cond is not None and cond["status"] == "False", pod["status"]
    return str(cond["message"])


def _pending(cluster: Cluster) -> list[dict]:
    return [p for p in cluster.store.list("Pod") if not p["spec"].get("nodeName")]


def _bare_pod(name: str, spec: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}], **spec}}


def test_daemon_pod_too_big_for_its_node() -> None:
    cluster = Cluster()
    for name in ("n1", "n2", "n3"):
        cluster.add_node(name, ready=True, capacity={"cpu": "1"})
    cluster.create(make_daemonset("big", labels={"app": "big"}, requests={"cpu": "2"}))
    cluster.advance()
    messages = {_message(p) for p in _pending(cluster)}
    assert messages == {
        "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't satisfy plugin(s) "
        "[NodeAffinity]. preemption: 0/3 nodes are available: 1 No preemption victims found "
        "for incoming pod, 2 Preemption is not helpful for scheduling."}


def test_a_taken_host_port_keeps_the_daemon_pod_pending() -> None:
    cluster = Cluster()
    for name in ("n1", "n2"):
        cluster.add_node(name, ready=True)
    cluster.create(_bare_pod("squatter", {
        "nodeName": "n1",
        "containers": [{"name": "c", "image": "busybox",
                        "ports": [{"containerPort": 9100, "hostPort": 9100}]}]}))
    cluster.advance()
    cluster.create(make_daemonset("exporter", labels={"app": "exporter"}, host_port=9100))
    cluster.advance()
    [pending] = [p for p in _pending(cluster)]
    assert pending["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0][
        "matchFields"][0]["values"] == ["n1"]
    assert _message(pending) == (
        "0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod "
        "ports, 1 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/2 nodes "
        "are available: 1 No preemption victims found for incoming pod, 1 Preemption is not "
        "helpful for scheduling.")


def test_a_surge_pod_cannot_share_the_old_pods_host_port() -> None:
    # Why maxSurge and hostPort do not mix: the new pod waits for a port the old one holds.
    cluster = Cluster()
    cluster.add_node("n1", ready=True)
    cluster.create(make_daemonset("exporter", labels={"app": "exporter"}, host_port=9100,
                                  strategy="RollingUpdate", max_unavailable=0, max_surge=1))
    cluster.advance()
    update_ds(cluster, "exporter", image="foo/bar:2", settle=True)
    cluster.advance(60)
    [surge] = _pending(cluster)
    assert "1 node(s) didn't have free ports for the requested pod ports" in _message(surge)
    assert len(cluster.pods_of("exporter")) == 2


def test_an_untolerated_taint_is_reported_before_an_affinity_mismatch() -> None:
    cluster = Cluster()
    cluster.add_node("n1", ready=True, taints=[{"key": "dedicated", "value": "gpu",
                                                "effect": "NoSchedule"}])
    cluster.create(_bare_pod("picky", {"nodeSelector": {"disk": "ssd"}}))
    cluster.advance()
    assert _message(cluster.get("Pod", "default", "picky")) == (
        "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. "
        "preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.")


def test_every_short_resource_is_named() -> None:
    cluster = Cluster()
    cluster.add_node("n1", ready=True, capacity={"cpu": "1", "memory": "1Gi"})
    cluster.create(_bare_pod("greedy", {"containers": [{
        "name": "c", "image": "busybox",
        "resources": {"requests": {"cpu": "2", "memory": "2Gi"}}}]}))
    cluster.advance()
    assert _message(cluster.get("Pod", "default", "greedy")) == (
        "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory. preemption: "
        "0/1 nodes are available: 1 No preemption victims found for incoming pod.")
