"""gcTerminating: a pod stuck Terminating on a dead node (its kubelet will never confirm)
is force-deleted by pod GC once an administrator marks the NotReady node with the
node.kubernetes.io/out-of-service taint, at the GC loop's next look (every 20 s). That
is what unblocks a rolling update stalled on an unreachable node (reference §5.5)."""

from __future__ import annotations

from sim_builders import make_daemonset, update_ds

from dstutor.controller.gc import GC_CHECK_PERIOD_SECONDS, next_gc_check
from dstutor.sim.cluster import Cluster

OUT_OF_SERVICE = {"key": "node.kubernetes.io/out-of-service", "value": "nodeshutdown",
                  "effect": "NoExecute"}


def _stalled_rollout() -> Cluster:
    cluster = Cluster()
    for name in ("n1", "n2"):
        cluster.add_node(name, ready=True)
    cluster.create(make_daemonset("agent", image="agent:1", labels={"app": "agent"},
                                  strategy="RollingUpdate"))
    cluster.advance()
    cluster.fail_node("n2")
    cluster.advance(60)
    update_ds(cluster, "agent", image="agent:2", settle=True)
    cluster.advance(120)
    return cluster


def _pods(cluster: Cluster) -> list[tuple[str, str, bool]]:
    return sorted((p["spec"]["nodeName"], p["spec"]["containers"][0]["image"],
                   bool(p["metadata"].get("deletionTimestamp")))
                  for p in cluster.pods_of("agent"))


def _taint(cluster: Cluster, node_name: str, taint: dict) -> None:
    node = cluster.get("Node", "", node_name)
    node["spec"]["taints"] = [*node["spec"].get("taints", []), taint]
    cluster.update(node)


def test_without_the_taint_the_pod_stays_terminating_and_the_rollout_stalls() -> None:
    cluster = _stalled_rollout()
    assert _pods(cluster) == [("n1", "agent:1", False), ("n2", "agent:1", True)]
    cluster.advance(600)
    assert _pods(cluster) == [("n1", "agent:1", False), ("n2", "agent:1", True)]


def test_the_out_of_service_taint_lets_pod_gc_finish_it_and_the_rollout_goes_on() -> None:
    cluster = _stalled_rollout()
    _taint(cluster, "n2", OUT_OF_SERVICE)
    due = next_gc_check(cluster.now())
    assert 0 <= due - cluster.now() <= GC_CHECK_PERIOD_SECONDS
    if due > cluster.now():
        cluster.advance(due - cluster.now() - 0.5)
        assert ("n2", "agent:1", True) in _pods(cluster)
    cluster.advance(1)
    assert all(node == "n1" for node, _, _ in _pods(cluster))
    cluster.advance(30)
    assert _pods(cluster) == [("n1", "agent:2", False)]
    status = cluster.get("DaemonSet", "default", "agent")["status"]
    assert (status["desiredNumberScheduled"], status["updatedNumberScheduled"],
            status["numberAvailable"]) == (1, 1, 1)


def test_the_taint_on_a_ready_node_forces_nothing() -> None:
    cluster = Cluster()
    cluster.add_node("n1", ready=True)
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "p", "namespace": "default"},
                    "spec": {"containers": [{"name": "c", "image": "busybox"}],
                             "tolerations": [{"operator": "Exists"}]}})
    cluster.advance(10)
    _taint(cluster, "n1", OUT_OF_SERVICE)
    cluster.advance(60)
    assert cluster.get("Pod", "default", "p")["status"]["phase"] == "Running"
