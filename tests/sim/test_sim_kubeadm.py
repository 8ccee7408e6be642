"""The default cluster's kube-system is what `kubeadm init` leaves: mirror pods of the
static control plane on the control-plane node, CoreDNS (a Deployment of two replicas),
and kube-proxy; cluster files opt in with `kubeadm: true`."""

from __future__ import annotations

from pathlib import Path

import pytest

from dstutor.model.objects import controller_ref, is_pod_ready
from dstutor.model.timefmt import to_rfc3339
from dstutor.sim.clusterfile import (
    ClusterFileError,
    build_cluster,
    default_cluster,
    parse_cluster_file,
)
from dstutor.sim.kubeadm import COREDNS_IMAGE, ETCD_IMAGE

STATIC = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler")


def test_default_cluster_has_kubeadms_kube_system() -> None:
    cluster = default_cluster()
    pods = {p["metadata"]["name"]: p for p in cluster.list("Pod", "kube-system")}
    node = cluster.get("Node", "", "control-plane")
    for component in STATIC:
        pod = pods[f"{component}-control-plane"]
        meta, spec, status = pod["metadata"], pod["spec"], pod["status"]
        assert meta["labels"] == {"component": component, "tier": "control-plane"}
        annotations = meta["annotations"]
        assert annotations["kubernetes.io/config.source"] == "file"
        assert annotations["kubernetes.io/config.mirror"] == annotations["kubernetes.io/config.hash"]
        assert len(annotations["kubernetes.io/config.hash"]) == 32
        assert meta["ownerReferences"] == [{"apiVersion": "v1", "controller": True, "kind": "Node",
                                            "name": "control-plane",
                                            "uid": node["metadata"]["uid"]}]
        assert spec["nodeName"] == "control-plane" and spec["hostNetwork"] is True
        assert spec["priorityClassName"] == "system-node-critical"
        assert spec["tolerations"] == [{"operator": "Exists", "effect": "NoExecute"}]
        assert status["podIP"] == status["hostIP"] == "172.18.0.2"
        assert is_pod_ready(pod)
    assert pods["etcd-control-plane"]["spec"]["containers"][0]["image"] == ETCD_IMAGE
    assert pods["kube-apiserver-control-plane"]["spec"]["containers"][0]["image"] == (
        "registry.k8s.io/kube-apiserver:v1.37.1")
    # No static pods on workers.
    assert not any(p["spec"]["nodeName"].startswith("worker") and "tier" in (
        p["metadata"].get("labels") or {}) for p in pods.values())


def test_coredns_is_a_deployment_whose_pods_run_on_the_control_plane() -> None:
    cluster = default_cluster()
    deploy = cluster.get("Deployment", "kube-system", "coredns")
    assert deploy["spec"]["replicas"] == 2 and deploy["status"]["readyReplicas"] == 2
    [rs] = cluster.list("ReplicaSet", "kube-system")
    assert controller_ref(rs)["uid"] == deploy["metadata"]["uid"]
    pods = cluster.list("Pod", "kube-system", "k8s-app=kube-dns")
    assert len(pods) == 2
    for pod in pods:
        # Deployment -> ReplicaSet -> Pod, the chain describe's `Controlled By` follows.
        assert controller_ref(pod)["name"] == rs["metadata"]["name"]
        assert pod["metadata"]["name"].startswith(rs["metadata"]["name"] + "-")
        assert pod["spec"]["nodeName"] == "control-plane"  # installed before workers join
        assert pod["spec"]["containers"][0]["image"] == COREDNS_IMAGE
        assert pod["status"]["podIP"].startswith("10.244.0.")


def test_static_pod_events_carry_the_static_pods_uid() -> None:
    """The kubelet reports about the static pod; describe finds the events through the
    mirror pod's config.mirror annotation."""
    cluster = default_cluster()
    pod = cluster.get("Pod", "kube-system", "etcd-control-plane")
    mirror = pod["metadata"]["annotations"]["kubernetes.io/config.mirror"]
    events = [e for e in cluster.list("Event", "kube-system")
              if e["involvedObject"]["name"] == "etcd-control-plane"]
    assert [e["reason"] for e in events] == ["Pulled", "Created", "Started"]
    assert {e["involvedObject"]["uid"] for e in events} == {mirror}
    assert "already present on machine" in events[0]["message"]  # kubeadm pre-pulls


def test_cluster_file_opts_in_with_kubeadm(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("kind: Cluster\nkubeadm: true\nnodes:\n"
                    "- {name: cp, roles: [control-plane]}\n- {name: w1}\n")
    cluster = build_cluster(parse_cluster_file(path))
    names = sorted(p["metadata"]["name"] for p in cluster.list("Pod", "kube-system"))
    assert [n for n in names if not n.startswith(("coredns-", "kube-proxy-"))] == [
        "etcd-cp", "kube-apiserver-cp", "kube-controller-manager-cp", "kube-scheduler-cp"]
    assert sum(n.startswith("coredns-") for n in names) == 2
    assert sum(n.startswith("kube-proxy-") for n in names) == 2
    path.write_text("kind: Cluster\nnodes:\n- {name: cp, roles: [control-plane]}\n")
    assert build_cluster(parse_cluster_file(path)).list("Pod", "kube-system") == []


def test_cluster_file_kubeadm_must_be_a_boolean(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("kind: Cluster\nkubeadm: yes please\n")
    with pytest.raises(ClusterFileError, match="kubeadm must be true or false"):
        parse_cluster_file(path)


def test_deleting_a_mirror_pod_brings_a_new_mirror_for_the_running_static_pod() -> None:
    cluster = default_cluster()
    before = cluster.get("Pod", "kube-system", "kube-scheduler-control-plane")
    cluster.advance(60)
    cluster.delete("Pod", "kube-system", "kube-scheduler-control-plane")
    after = cluster.get("Pod", "kube-system", "kube-scheduler-control-plane")
    assert after["metadata"]["uid"] != before["metadata"]["uid"]
    assert after["metadata"]["creationTimestamp"] == to_rfc3339(cluster.now())  # AGE 0s
    assert before["metadata"]["creationTimestamp"] != to_rfc3339(cluster.now())
    assert after["status"]["phase"] == "Running" and is_pod_ready(after)
    assert after["status"]["containerStatuses"] == before["status"]["containerStatuses"]
    assert not [e for e in cluster.list("Event", "kube-system") if e["reason"] == "Killing"]


def test_kube_system_priorities_are_kubeadms() -> None:
    """kubeadm's manifests name the classes (kube-proxy and the static control plane:
    system-node-critical; CoreDNS: system-cluster-critical) and the Priority admission
    plugin fills in their values, as `kubectl get pod -n kube-system -o yaml` shows."""
    cluster = default_cluster()
    want = {"kube-proxy": ("system-node-critical", 2000001000),
            "coredns": ("system-cluster-critical", 2000000000),
            **{c: ("system-node-critical", 2000001000) for c in STATIC}}
    seen = set()
    for pod in cluster.list("Pod", "kube-system"):
        labels = pod["metadata"].get("labels") or {}
        app = labels.get("component") or (
            "coredns" if labels.get("k8s-app") == "kube-dns" else labels.get("k8s-app"))
        spec = pod["spec"]
        assert (spec["priorityClassName"], spec["priority"]) == want[app], app
        assert spec["preemptionPolicy"] == "PreemptLowerPriority"
        seen.add(app)
    assert seen == set(want)
    ds = cluster.get("DaemonSet", "kube-system", "kube-proxy")
    assert ds["spec"]["template"]["spec"]["priorityClassName"] == "system-node-critical"
    assert "priority" not in ds["spec"]["template"]["spec"]  # admission fills pods only
