"""The course's realistic manifests (lessons/manifests/) apply and settle where they should.

One per category an administrator meets: logging (Fluent Bit), monitoring (Datadog
Agent), networking (calico-node), security (Falco) and storage (Ceph OSDs). Each is
applied to the default cluster (plus what it needs: a storage node, a node without a
network) and must run exactly where its placement rules say.
"""

from __future__ import annotations

import pytest
from lesson_paths import COURSE

from dstutor import yamlio
from dstutor.classroom.lint import format_text, has_errors, lint_text
from dstutor.model.objects import Obj, node_condition
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import build_cluster, default_cluster, parse_cluster_file

WORKERS = {"worker-1", "worker-2", "worker-3"}
ALL = WORKERS | {"control-plane"}


def manifest(name: str) -> Obj:
    [doc] = yamlio.load_documents(yamlio.read_file(COURSE / "manifests" / f"{name}.yaml"),
                                  name)
    return doc


def apply(cluster: Cluster, doc: Obj) -> None:
    ns = doc["metadata"]["namespace"]
    if cluster.find("Namespace", "", ns) is None:
        cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    cluster.create(doc)
    cluster.advance(60)


def running_on(cluster: Cluster, doc: Obj) -> set[str]:
    pods = cluster.pods_of(doc["metadata"]["name"], doc["metadata"]["namespace"])
    return {p["spec"]["nodeName"] for p in pods if p["status"].get("phase") == "Running"
            and any(c["type"] == "Ready" and c["status"] == "True"
                    for c in p["status"].get("conditions") or [])}


@pytest.mark.parametrize(("name", "nodes"), [
    ("fluent-bit", ALL),  # tolerates every taint
    ("datadog-agent", ALL),  # tolerates the control-plane taint
    ("calico-node", ALL),
    ("falco", ALL),
])
def test_a_manifest_runs_where_its_rules_say(name: str, nodes: set[str]) -> None:
    cluster = default_cluster()
    doc = manifest(name)
    apply(cluster, doc)
    assert running_on(cluster, doc) == nodes


def test_ceph_osds_run_only_on_labelled_storage_nodes() -> None:
    cluster = default_cluster()
    node = cluster.get("Node", "", "worker-2")
    node["metadata"].setdefault("labels", {})["role"] = "storage-node"
    node["spec"]["taints"] = [{"key": "storage-node", "value": "true", "effect": "NoSchedule"}]
    cluster.update(node)
    doc = manifest("ceph-osd")
    assert doc["spec"]["updateStrategy"]["type"] == "OnDelete"
    apply(cluster, doc)
    assert running_on(cluster, doc) == {"worker-2"}


def test_the_cni_agent_brings_up_a_node_that_joined_without_network() -> None:
    cluster = default_cluster()
    cluster.add_node("worker-4", network=False)
    cluster.advance(30)
    doc = manifest("calico-node")
    apply(cluster, doc)
    assert running_on(cluster, doc) == ALL | {"worker-4"}
    node = cluster.get("Node", "", "worker-4")
    assert node_condition(node, "NetworkUnavailable")["reason"] == "CalicoIsUp"  # type: ignore[index]
    assert node_condition(node, "Ready")["status"] == "True"  # type: ignore[index]


def test_the_monitoring_agent_carries_the_fields_the_lessons_teach() -> None:
    spec = manifest("datadog-agent")["spec"]["template"]["spec"]
    assert spec["hostPID"] is True and spec["priorityClassName"] == "system-node-critical"
    port = spec["containers"][0]["ports"][0]
    assert port["hostPort"] == 8125
    assert spec["containers"][0]["resources"]["limits"]


def test_the_cni_agent_brings_up_a_fresh_kubeadm_cluster_control_plane_first() -> None:
    """Lesson 13's cluster: after `kubeadm init` no node has a network, the control-plane
    included; CoreDNS waits until calico-node runs."""
    cluster = build_cluster(parse_cluster_file(COURSE / "clusters" / "fresh-kubeadm.yaml"))
    plane = cluster.get("Node", "", "control-plane")
    assert node_condition(plane, "Ready")["status"] == "False"  # type: ignore[index]
    assert {"node.kubernetes.io/not-ready", "node.kubernetes.io/network-unavailable"} <= {
        t["key"] for t in plane["spec"]["taints"]}
    assert cluster.get("Deployment", "kube-system", "coredns")["status"].get(
        "readyReplicas") is None
    doc = manifest("calico-node")
    apply(cluster, doc)
    assert running_on(cluster, doc) == ALL
    plane = cluster.get("Node", "", "control-plane")
    assert node_condition(plane, "NetworkUnavailable")["reason"] == "CalicoIsUp"  # type: ignore[index]
    assert cluster.get("Deployment", "kube-system", "coredns")["status"]["readyReplicas"] == 2


def test_every_manifest_carries_the_fields_the_issue_lists() -> None:
    """Logging reads /var/log and the container logs and tolerates every taint; the CNI
    agent uses hostNetwork, tolerates every NoSchedule/NoExecute taint, is node-critical
    and updates one node at a time; Falco is privileged with /proc, /boot and /dev; the
    Ceph OSDs are placed by required node affinity and update OnDelete."""
    logging = manifest("fluent-bit")["spec"]["template"]["spec"]
    assert {v["hostPath"]["path"] for v in logging["volumes"]} == {
        "/var/log", "/var/lib/docker/containers"}
    assert logging["tolerations"] == [{"operator": "Exists"}]
    cni = manifest("calico-node")
    spec = cni["spec"]["template"]["spec"]
    assert spec["hostNetwork"] is True and spec["priorityClassName"] == "system-node-critical"
    assert {"effect": "NoSchedule", "operator": "Exists"} in spec["tolerations"]
    assert {"effect": "NoExecute", "operator": "Exists"} in spec["tolerations"]
    assert cni["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] == 1
    falco = manifest("falco")["spec"]["template"]["spec"]
    assert falco["containers"][0]["securityContext"]["privileged"] is True
    assert {v["hostPath"]["path"] for v in falco["volumes"]} == {"/proc", "/boot", "/dev"}
    ceph = manifest("ceph-osd")
    assert ceph["spec"]["updateStrategy"] == {"type": "OnDelete"}
    [term] = ceph["spec"]["template"]["spec"]["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    assert term["matchExpressions"] == [{"key": "role", "operator": "In",
                                         "values": ["storage-node"]}]


@pytest.mark.parametrize(("name", "errors"), [
    ("fluent-bit", []), ("datadog-agent", []), ("calico-node", []),
    # A security sensor and a storage daemon need the node itself: `dstutor lint` says so,
    # and lessons use exactly these findings to discuss the trade-off.
    ("falco", [("hostpath-sensitive", "/boot"), ("hostpath-sensitive", "/dev")]),
    ("ceph-osd", [("hostpath-sensitive", "/dev")]),
])
def test_lint_errors_are_only_the_intended_ones(name: str, errors: list[tuple[str, str]]
                                                 ) -> None:
    path = COURSE / "manifests" / f"{name}.yaml"
    findings = lint_text(yamlio.read_file(path), str(path))
    found = [(f.rule, f.message.split("'")[1]) for f in findings if f.severity == "error"]
    assert found == errors, format_text(findings, 1)
    assert has_errors(findings) == bool(errors)
