"""The node lifecycle controller turns node conditions into NoSchedule taints (§1.2).

Upstream: pkg/controller/nodelifecycle/node_lifecycle_controller.go
(nodeConditionToTaintKeyStatusMap, doNoScheduleTaintingPass, doNoExecuteTaintingPass) and
pkg/controller/util/node/controller_utils.go (SwapNodeControllerTaint stamps timeAdded on
every taint it adds). A learner puts conditions on a node through the status of a
`kind: Node` manifest (kubectl create/apply, or a cluster file's manifests); the API
server keeps a Node's status on create.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sim_builders import make_cluster, set_node_condition

from dstutor import yamlio
from dstutor.controller.nodelifecycle import reconcile_taints, unknown_conditions, wanted_taints
from dstutor.kubectl.dispatch import run
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import build_cluster, default_cluster, parse_cluster_file

NOW = "2026-01-01T00:10:00Z"
EARLIER = "2026-01-01T00:00:00Z"
NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
MEMORY = "node.kubernetes.io/memory-pressure"
DISK = "node.kubernetes.io/disk-pressure"
PID = "node.kubernetes.io/pid-pressure"
NETWORK = "node.kubernetes.io/network-unavailable"


def _node(conditions: list[tuple[str, str]], *, taints: list[Obj] | None = None,
          unschedulable: bool = False) -> Obj:
    spec: Obj = {}
    if taints is not None:
        spec["taints"] = taints
    if unschedulable:
        spec["unschedulable"] = True
    return {"kind": "Node", "metadata": {"name": "n"}, "spec": spec,
            "status": {"conditions": [{"type": t, "status": s} for t, s in conditions]}}


def _ids(taints: list[Obj] | None) -> list[tuple[str, str]]:
    return [(t["key"], t["effect"]) for t in taints or []]


# --- the taint computation -----------------------------------------------------------


@pytest.mark.parametrize(("ctype", "status", "expected"), [
    ("Ready", "True", []),
    ("Ready", "False", [(NOT_READY, "NoSchedule"), (NOT_READY, "NoExecute")]),
    ("Ready", "Unknown", [(UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")]),
    ("MemoryPressure", "True", [(MEMORY, "NoSchedule")]),
    ("MemoryPressure", "False", []),
    ("MemoryPressure", "Unknown", []),
    ("DiskPressure", "True", [(DISK, "NoSchedule")]),
    ("DiskPressure", "Unknown", []),
    ("PIDPressure", "True", [(PID, "NoSchedule")]),
    ("PIDPressure", "False", []),
    ("NetworkUnavailable", "True", [(NETWORK, "NoSchedule")]),
    ("NetworkUnavailable", "False", []),
    ("NetworkUnavailable", "Unknown", []),
    ("SomethingElse", "True", []),
])
def test_each_condition_maps_to_its_taint(ctype: str, status: str,
                                          expected: list[tuple[str, str]]) -> None:
    """nodeConditionToTaintKeyStatusMap, one condition at a time (Ready=True alongside,
    so that only the condition under test decides)."""
    conditions = [("Ready", "True"), (ctype, status)] if ctype != "Ready" else [(ctype, status)]
    taints = wanted_taints(_node(conditions), NOW)
    assert _ids(taints) == expected
    # SwapNodeControllerTaint sets timeAdded on every taint it adds, NoSchedule included.
    assert all(t["timeAdded"] == NOW for t in taints)


def test_taints_follow_condition_order_then_unschedulable_then_no_execute() -> None:
    """The NoSchedule list is built walking status.conditions, then spec.unschedulable;
    the NoExecute taint comes from the separate, later pass."""
    node = _node([("NetworkUnavailable", "True"), ("MemoryPressure", "True"),
                  ("DiskPressure", "True"), ("PIDPressure", "True"), ("Ready", "False")],
                 unschedulable=True)
    assert wanted_taints(node, NOW) == [
        {"key": NETWORK, "effect": "NoSchedule", "timeAdded": NOW},
        {"key": MEMORY, "effect": "NoSchedule", "timeAdded": NOW},
        {"key": DISK, "effect": "NoSchedule", "timeAdded": NOW},
        {"key": PID, "effect": "NoSchedule", "timeAdded": NOW},
        {"key": NOT_READY, "effect": "NoSchedule", "timeAdded": NOW},
        {"key": UNSCHEDULABLE, "effect": "NoSchedule", "timeAdded": NOW},
        {"key": NOT_READY, "effect": "NoExecute", "timeAdded": NOW},
    ]


def test_node_without_ready_condition_gets_no_ready_taint() -> None:
    """Upstream maps only the conditions present; a missing Ready is not Unknown."""
    assert _ids(wanted_taints(_node([("DiskPressure", "True")]), NOW)) == [(DISK, "NoSchedule")]


def test_reconcile_adds_new_taints_at_the_end_and_keeps_the_rest() -> None:
    user = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
    kept = {"key": MEMORY, "effect": "NoSchedule", "timeAdded": EARLIER}
    node = _node([("Ready", "True"), ("MemoryPressure", "True"), ("PIDPressure", "True")],
                 taints=[user, kept])
    assert reconcile_taints(node, NOW) == [
        user, kept, {"key": PID, "effect": "NoSchedule", "timeAdded": NOW}]


def test_reconcile_removes_taints_of_cleared_conditions_only() -> None:
    """Only the controller's own (key, effect) pairs are candidates for removal: a
    user's memory-pressure:NoExecute or unschedulable:PreferNoSchedule stays."""
    user_no_execute = {"key": MEMORY, "effect": "NoExecute"}
    user_prefer = {"key": UNSCHEDULABLE, "effect": "PreferNoSchedule"}
    node = _node([("Ready", "True"), ("MemoryPressure", "False"),
                  ("NetworkUnavailable", "False")],
                 taints=[{"key": MEMORY, "effect": "NoSchedule", "timeAdded": EARLIER},
                         user_no_execute,
                         {"key": NETWORK, "effect": "NoSchedule", "timeAdded": EARLIER},
                         user_prefer])
    assert reconcile_taints(node, NOW) == [user_no_execute, user_prefer]


def test_reconcile_changes_nothing_when_the_taints_already_match() -> None:
    """Matching is by key and effect: an existing taint without timeAdded (the admission
    plugin's not-ready:NoSchedule) is not replaced."""
    node = _node([("Ready", "False"), ("DiskPressure", "True")],
                 taints=[{"key": NOT_READY, "effect": "NoSchedule"},
                         {"key": DISK, "effect": "NoSchedule", "timeAdded": EARLIER},
                         {"key": NOT_READY, "effect": "NoExecute", "timeAdded": EARLIER}])
    assert reconcile_taints(node, NOW) is None


def test_unknown_conditions_keep_foreign_ones_and_add_never_posted_ones() -> None:
    """tryUpdateNodeHealth: the kubelet's conditions turn Unknown in place, others stay,
    and a kubelet condition never posted is appended as NodeStatusNeverUpdated."""
    node = _node([("Ready", "True"), ("NetworkUnavailable", "True")])
    node["metadata"]["creationTimestamp"] = EARLIER
    merged = unknown_conditions(node, NOW)
    assert [(c["type"], c["status"], c.get("reason")) for c in merged] == [
        ("Ready", "Unknown", "NodeStatusUnknown"),
        ("NetworkUnavailable", "True", None),
        ("MemoryPressure", "Unknown", "NodeStatusNeverUpdated"),
        ("DiskPressure", "Unknown", "NodeStatusNeverUpdated"),
        ("PIDPressure", "Unknown", "NodeStatusNeverUpdated"),
    ]
    assert merged[2]["lastHeartbeatTime"] == EARLIER
    assert merged[2]["lastTransitionTime"] == NOW


# --- through the simulator ------------------------------------------------------------


def _set_condition(cluster: Cluster, node_name: str, ctype: str, status: str) -> None:
    set_node_condition(cluster, node_name, ctype, status)
    cluster.settle()


def _taints(cluster: Cluster, node_name: str) -> list[Obj]:
    return list(cluster.find("Node", "", node_name)["spec"].get("taints") or [])


def test_condition_taints_come_and_go_with_the_condition() -> None:
    cluster = make_cluster(1)
    stamp = cluster.find("Node", "", "node-0")["metadata"]["creationTimestamp"]
    for ctype, key in (("MemoryPressure", MEMORY), ("DiskPressure", DISK),
                       ("PIDPressure", PID), ("NetworkUnavailable", NETWORK)):
        cluster.advance(5)
        _set_condition(cluster, "node-0", ctype, "True")
        (taint,) = _taints(cluster, "node-0")
        assert (taint["key"], taint["effect"]) == (key, "NoSchedule")
        assert taint["timeAdded"] > stamp
        _set_condition(cluster, "node-0", ctype, "False")
        assert _taints(cluster, "node-0") == []


def test_not_ready_node_taints_carry_time_added() -> None:
    """Ready=False posted by the kubelet: not-ready NoSchedule and NoExecute, both stamped."""
    cluster = make_cluster(1)
    cluster.advance(7)
    _set_condition(cluster, "node-0", "Ready", "False")
    taints = _taints(cluster, "node-0")
    assert _ids(taints) == [(NOT_READY, "NoSchedule"), (NOT_READY, "NoExecute")]
    assert all(t.get("timeAdded") for t in taints)


def test_silent_node_taints_carry_time_added_and_keep_network_unavailable() -> None:
    """After the grace period the kubelet's conditions turn Unknown; NetworkUnavailable is
    not the kubelet's (tryUpdateNodeHealth leaves it), so its taint stays."""
    cluster = make_cluster(1)
    _set_condition(cluster, "node-0", "NetworkUnavailable", "True")
    cluster.fail_node("node-0")
    cluster.advance(55)
    node = cluster.find("Node", "", "node-0")
    statuses = {c["type"]: c["status"] for c in node["status"]["conditions"]}
    assert statuses == {"MemoryPressure": "Unknown", "DiskPressure": "Unknown",
                        "PIDPressure": "Unknown", "Ready": "Unknown",
                        "NetworkUnavailable": "True"}
    taints = _taints(cluster, "node-0")
    assert _ids(taints) == [(NETWORK, "NoSchedule"), (UNREACHABLE, "NoSchedule"),
                            (UNREACHABLE, "NoExecute")]
    assert all(t.get("timeAdded") for t in taints)


# --- what a learner sees: a Node manifest with conditions -------------------------------

NODE_MANIFEST = """apiVersion: v1
kind: Node
metadata:
  name: {name}
  labels:
    kubernetes.io/os: linux
    kubernetes.io/hostname: {name}
status:
  conditions:
  - type: Ready
    status: "True"
{extra}"""

DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {name}
spec:
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
{host_network}      containers:
      - name: main
        image: busybox
"""


def _conditions_yaml(*ctypes: str) -> str:
    return "".join(f"  - type: {c}\n    status: \"True\"\n" for c in ctypes)


def _apply(cluster: Cluster, text: str) -> None:
    result = run(cluster, f"kubectl apply -f - <<EOF\n{text}EOF")
    assert result.exit_code == 0, result.stderr


def _daemonset(name: str, *, host_network: bool) -> str:
    return DAEMONSET.format(name=name,
                            host_network="      hostNetwork: true\n" if host_network else "")


def _pod_nodes(cluster: Cluster, ds_name: str, namespace: str = "default") -> list[str]:
    return [p["spec"].get("nodeName", "") for p in cluster.pods_of(ds_name, namespace)]


def test_applied_node_with_network_unavailable_gets_only_host_network_daemon_pods() -> None:
    cluster = default_cluster(workers=1)
    _apply(cluster, NODE_MANIFEST.format(name="worker-9",
                                         extra=_conditions_yaml("NetworkUnavailable")))
    _apply(cluster, _daemonset("plain", host_network=False))
    _apply(cluster, _daemonset("hostnet", host_network=True))
    cluster.advance(30)

    yaml_out = run(cluster, "kubectl get node worker-9 -o yaml").stdout
    taints = yamlio.load_one(yaml_out, "node")["spec"]["taints"]
    assert [(t["key"], t["effect"]) for t in taints] == [(NETWORK, "NoSchedule")]
    assert taints[0]["timeAdded"]
    describe = run(cluster, "kubectl describe node worker-9").stdout
    assert f"Taints:             {NETWORK}:NoSchedule\n" in describe

    # control-plane's own taint keeps "plain" off it; worker-9's keeps it off too.
    assert _pod_nodes(cluster, "plain") == ["worker-1"]
    assert "worker-9" in _pod_nodes(cluster, "hostnet")
    # kube-proxy is hostNetwork and tolerates everything: it runs there too.
    assert "worker-9" in _pod_nodes(cluster, "kube-proxy", "kube-system")
    status = run(cluster, "kubectl get ds plain hostnet --no-headers").stdout.split("\n")
    assert [line.split()[:2] for line in status if line] == [["plain", "1"], ["hostnet", "2"]]


def test_applied_node_under_pressure_runs_daemon_pods_but_not_ordinary_pods() -> None:
    cluster = default_cluster(workers=1)
    _apply(cluster, NODE_MANIFEST.format(
        name="worker-9", extra=_conditions_yaml("MemoryPressure", "DiskPressure", "PIDPressure")))
    _apply(cluster, _daemonset("plain", host_network=False))
    _apply(cluster, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n"
                    "  nodeSelector:\n    kubernetes.io/hostname: worker-9\n"
                    "  containers:\n  - name: web\n    image: nginx\n")
    cluster.advance(30)

    node = cluster.find("Node", "", "worker-9")
    assert _ids(node["spec"]["taints"]) == [
        (MEMORY, "NoSchedule"), (DISK, "NoSchedule"), (PID, "NoSchedule")]
    assert all(t.get("timeAdded") for t in node["spec"]["taints"])
    # The DaemonSet controller's default tolerations cover the pressure taints.
    (pod,) = [p for p in cluster.pods_of("plain") if p["spec"].get("nodeName") == "worker-9"]
    assert pod["status"]["phase"] == "Running"
    web = cluster.find("Pod", "default", "web")
    assert not web["spec"].get("nodeName") and web["status"]["phase"] == "Pending"
    events = run(cluster, "kubectl get events --field-selector involvedObject.name=web").stdout
    assert "FailedScheduling" in events and "untolerated taint" in events


def test_cluster_file_node_manifest_with_network_unavailable(tmp_path: Path) -> None:
    (tmp_path / "node.yaml").write_text(NODE_MANIFEST.format(
        name="edge-1", extra=_conditions_yaml("NetworkUnavailable")))
    (tmp_path / "ds.yaml").write_text(_daemonset("plain", host_network=False))
    (tmp_path / "cluster.yaml").write_text(
        "apiVersion: dstutor/v1\nkind: Cluster\nnodes:\n- name: worker-1\n"
        "manifests:\n- node.yaml\n- ds.yaml\n")
    cluster = build_cluster(parse_cluster_file(tmp_path / "cluster.yaml"))
    assert _ids(_taints(cluster, "edge-1")) == [(NETWORK, "NoSchedule")]
    assert _pod_nodes(cluster, "plain") == ["worker-1"]
    # The network comes up: the taint goes and the DaemonSet fills the node.
    _set_condition(cluster, "edge-1", "NetworkUnavailable", "False")
    cluster.advance(10)
    assert _taints(cluster, "edge-1") == []
    assert sorted(_pod_nodes(cluster, "plain")) == ["edge-1", "worker-1"]


def test_a_node_turning_ready_keeps_conditions_its_kubelet_does_not_own() -> None:
    """The kubelet posts its own four conditions; a NetworkUnavailable set by somebody
    else survives the node turning Ready, and after a failure and recovery, and so does
    its taint."""
    cluster = default_cluster(workers=1)
    manifest = NODE_MANIFEST.format(name="worker-9", extra=_conditions_yaml(
        "NetworkUnavailable")).replace('type: Ready\n    status: "True"',
                                       'type: Ready\n    status: "False"')
    _apply(cluster, manifest)
    cluster.advance(30)
    for step in ("joined", "recovered"):
        node = cluster.find("Node", "", "worker-9")
        statuses = {c["type"]: c["status"] for c in node["status"]["conditions"]}
        assert statuses == {"NetworkUnavailable": "True", "Ready": "True",
                            "MemoryPressure": "False", "DiskPressure": "False",
                            "PIDPressure": "False"}, step
        assert _ids(_taints(cluster, "worker-9")) == [(NETWORK, "NoSchedule")], step
        cluster.fail_node("worker-9")
        cluster.advance(60)
        cluster.recover_node("worker-9")
        cluster.advance(30)
