"""A node that joins without a pod network until its CNI agent runs (controller/network.py).

The wording is the kubelet's (NetworkPluginNotReady, "network is not ready: ...", the
NoRouteCreated condition) and Calico's ("CalicoIsUp", "Calico is running on this node").
"""

from __future__ import annotations

from pathlib import Path

from sim_builders import make_daemonset

from dstutor.controller.network import CNI_NOT_READY, NETWORK_PLUGIN_ANNOTATION
from dstutor.model.objects import Obj, node_condition
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import build_cluster, parse_cluster_file

NETWORK = "node.kubernetes.io/network-unavailable"
NOT_READY = "node.kubernetes.io/not-ready"


def cni_daemonset(*, tolerate_all: bool = True, annotate: bool = True) -> Obj:
    ds = make_daemonset("calico-node", labels={"k8s-app": "calico-node"}, host_network=True,
                        strategy="RollingUpdate")
    template = ds["spec"]["template"]
    if annotate:
        template["metadata"]["annotations"] = {NETWORK_PLUGIN_ANNOTATION: "Calico"}
    if tolerate_all:
        template["spec"]["tolerations"] = [{"operator": "Exists"}]
    return ds


def plain_daemonset() -> Obj:
    return make_daemonset("logger", labels={"app": "logger"}, strategy="RollingUpdate")


def taints(cluster: Cluster, node: str) -> set[tuple[str, str]]:
    return {(t["key"], t["effect"])
            for t in cluster.get("Node", "", node)["spec"].get("taints") or []}


def nodes_of(cluster: Cluster, ds: str) -> set[str]:
    return {p["spec"].get("nodeName", "") for p in cluster.pods_of(ds)
            if p["status"].get("phase") == "Running"}


def base() -> Cluster:
    cluster = Cluster()
    cluster.add_node("node-0", ready=True)
    return cluster


def test_a_node_without_network_is_not_ready_and_tainted() -> None:
    cluster = base()
    cluster.add_node("node-1", network=False)
    cluster.advance(30)
    node = cluster.get("Node", "", "node-1")
    ready = node_condition(node, "Ready")
    assert ready is not None and (ready["status"], ready["reason"], ready["message"]) == (
        "False", "KubeletNotReady", CNI_NOT_READY)
    network = node_condition(node, "NetworkUnavailable")
    assert network is not None and (network["status"], network["reason"],
                                    network["message"]) == (
        "True", "NoRouteCreated", "Node created without a route")
    assert taints(cluster, "node-1") == {(NETWORK, "NoSchedule"), (NOT_READY, "NoSchedule"),
                                         (NOT_READY, "NoExecute")}


def test_the_cni_agent_runs_first_and_brings_the_node_up() -> None:
    cluster = base()
    cluster.add_node("node-1", network=False)
    cluster.create(plain_daemonset())
    cluster.advance(30)
    # An ordinary DaemonSet's pod waits: it tolerates neither taint.
    assert nodes_of(cluster, "logger") == {"node-0"}
    cluster.create(cni_daemonset())
    cluster.advance(30)
    assert nodes_of(cluster, "calico-node") == {"node-0", "node-1"}
    node = cluster.get("Node", "", "node-1")
    network = node_condition(node, "NetworkUnavailable")
    assert network is not None and (network["status"], network["reason"],
                                    network["message"]) == (
        "False", "CalicoIsUp", "Calico is running on this node")
    assert node_condition(node, "Ready")["status"] == "True"  # type: ignore[index]
    assert taints(cluster, "node-1") == set()
    assert nodes_of(cluster, "logger") == {"node-0", "node-1"}
    ready_events = [e for e in cluster.store.list("Event") if e["reason"] == "NodeReady"
                    and e["involvedObject"]["name"] == "node-1"]
    assert len(ready_events) == 1


def test_a_cni_agent_without_the_tolerations_never_starts_there() -> None:
    """hostNetwork gives the pod the network-unavailable toleration, but nothing gives it
    not-ready:NoSchedule: the node waits for the agent, the agent waits for the node."""
    cluster = base()
    cluster.add_node("node-1", network=False)
    cluster.create(cni_daemonset(tolerate_all=False))
    cluster.advance(300)
    assert nodes_of(cluster, "calico-node") == {"node-0"}
    assert node_condition(cluster.get("Node", "", "node-1"), "Ready")["status"] == "False"  # type: ignore[index]


def test_a_pod_without_host_network_waits_for_the_network() -> None:
    cluster = base()
    cluster.add_node("node-1", network=False)
    ds = make_daemonset("sensor", labels={"app": "sensor"})
    ds["spec"]["template"]["spec"]["tolerations"] = [{"operator": "Exists"}]
    cluster.create(ds)
    cluster.advance(30)
    waiting = next(p for p in cluster.pods_of("sensor") if p["spec"]["nodeName"] == "node-1")
    assert waiting["status"]["phase"] == "Pending"
    [cs] = waiting["status"]["containerStatuses"]
    assert cs["state"] == {"waiting": {"reason": "ContainerCreating"}} and not cs["ready"]
    assert waiting["status"]["hostIP"]
    events = [e for e in cluster.store.list("Event")
              if e["involvedObject"]["name"] == waiting["metadata"]["name"]
              and e["reason"] == "NetworkNotReady"]
    assert [(e["type"], e["message"]) for e in events] == [
        ("Warning", f"network is not ready: {CNI_NOT_READY}")]
    cluster.create(cni_daemonset())
    cluster.advance(30)
    assert nodes_of(cluster, "sensor") == {"node-0", "node-1"}


def test_a_pod_without_the_annotation_does_not_count_as_the_plugin() -> None:
    cluster = base()
    cluster.add_node("node-1", network=False)
    cluster.create(cni_daemonset(annotate=False))
    cluster.advance(60)
    assert "node-1" in nodes_of(cluster, "calico-node")
    assert taints(cluster, "node-1") >= {(NETWORK, "NoSchedule")}


def test_a_cluster_file_control_plane_without_network(tmp_path: Path) -> None:
    (tmp_path / "cluster.yaml").write_text(
        "apiVersion: dstutor/v1\nkind: Cluster\nnodes:\n"
        "- {name: control-plane, roles: [control-plane], network: false}\n"
        "- {name: worker-1, network: false}\n")
    cluster = build_cluster(parse_cluster_file(tmp_path / "cluster.yaml"))
    assert all(node_condition(n, "Ready")["status"] == "False"  # type: ignore[index]
               for n in cluster.list("Node"))
    cluster.create(cni_daemonset())
    cluster.advance(30)
    assert all(node_condition(n, "Ready")["status"] == "True"  # type: ignore[index]
               for n in cluster.list("Node"))


def test_why_says_the_node_has_no_network_yet() -> None:
    from dstutor.shell.why import explain_pair

    cluster = base()
    cluster.add_node("node-1", network=False)
    cluster.create(cni_daemonset(tolerate_all=False))
    cluster.advance(30)
    text = explain_pair(cluster, cluster.get("Node", "", "node-1"),
                        cluster.get("DaemonSet", "default", "calico-node"), width=300)
    assert ("✗ NotReady (Ready=False): no pod network yet (cni plugin not initialized); until "
            "a CNI agent runs here only pods that tolerate not-ready:NoSchedule and use "
            "hostNetwork can start") in text
    assert "✗ taint: taint node.kubernetes.io/not-ready:NoSchedule is not tolerated" in text
