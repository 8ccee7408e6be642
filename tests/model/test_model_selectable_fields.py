"""The fields a field selector compares, as the API server's GetAttrs makes them
(pkg/registry/core/{node,pod,event}/strategy.go, apps/replicaset): Go's bools and
numbers where the object leaves the field unset, the first pod IP, an Event's source."""

from __future__ import annotations

from typing import Any

import pytest

from dstutor.kubectl.dispatch import run
from dstutor.model.objects import selectable_field
from dstutor.sim.clusterfile import default_cluster

CASES: list[tuple[dict[str, Any], str, str]] = [
    ({"kind": "Node", "spec": {}}, "spec.unschedulable", "false"),
    ({"kind": "Node"}, "spec.unschedulable", "false"),
    ({"kind": "Node", "spec": {"unschedulable": False}}, "spec.unschedulable", "false"),
    ({"kind": "Node", "spec": {"unschedulable": True}}, "spec.unschedulable", "true"),
    ({"kind": "Node", "metadata": {"name": "n"}}, "metadata.name", "n"),
    ({"kind": "Pod", "spec": {}}, "spec.hostNetwork", "false"),
    ({"kind": "Pod", "spec": {"hostNetwork": True}}, "spec.hostNetwork", "true"),
    ({"kind": "Pod", "spec": {"nodeName": "w1"}}, "spec.nodeName", "w1"),
    ({"kind": "Pod", "spec": {}}, "spec.nodeName", ""),
    ({"kind": "Pod", "spec": {"nodeName": "w1"}}, "spec.host", "w1"),
    ({"kind": "Pod", "spec": {"host": "x", "nodeName": "w1"}}, "spec.host", "w1"),
    ({"kind": "Pod", "status": {"podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"},
                                                                 {"ip": "fd00::1"}]}},
     "status.podIP", "10.0.0.1"),
    ({"kind": "Pod", "status": {"podIP": "10.0.0.1"}}, "status.podIP", ""),  # from podIPs
    ({"kind": "Pod", "status": {"podIPs": []}}, "status.podIP", ""),
    ({"kind": "Pod", "status": {"podIPs": [{"ip": "10.0.0.1"}]}}, "status.podIPs", ""),
    ({"kind": "Pod", "status": {"phase": "Running"}}, "status.phase", "Running"),
    ({"kind": "ReplicaSet", "status": {"replicas": 3}}, "status.replicas", "3"),
    ({"kind": "ReplicaSet", "status": {"replicas": 0}}, "status.replicas", "0"),
    ({"kind": "ReplicaSet", "status": {}}, "status.replicas", "0"),
    ({"kind": "Event", "source": {"component": "kubelet", "host": "w1"},
      "reportingComponent": "kubelet"}, "source", "kubelet"),
    ({"kind": "Event", "source": {}, "reportingComponent": "ctrl"}, "source", "ctrl"),
    ({"kind": "Event"}, "source", ""),
    ({"kind": "Namespace", "status": {"phase": "Active"}}, "status.phase", "Active"),
]


@pytest.mark.parametrize(("obj", "field", "value"), CASES)
def test_selectable_field_table(obj: dict[str, Any], field: str, value: str) -> None:
    assert selectable_field(obj, field) == value


def test_kubectl_selects_nodes_and_pods_by_their_unset_fields() -> None:
    """`spec.unschedulable=false` is every node not cordoned, `spec.hostNetwork=false`
    every pod not on the host's network: neither field is set on those objects."""
    cluster = default_cluster(workers=2)
    cluster.advance()
    assert run(cluster, "kubectl cordon worker-1").exit_code == 0
    out = run(cluster, "kubectl get nodes --field-selector spec.unschedulable=false -o name")
    assert out.stdout.split() == ["node/control-plane", "node/worker-2"]
    out = run(cluster, "kubectl get nodes --field-selector spec.unschedulable=true -o name")
    assert out.stdout.split() == ["node/worker-1"]
    pods = cluster.list_live("Pod")
    off_host = sorted(f"pod/{p['metadata']['name']}" for p in pods
                      if not p["spec"].get("hostNetwork"))
    assert off_host and len(off_host) < len(pods)
    out = run(cluster, "kubectl get pods -A --field-selector spec.hostNetwork=false -o name")
    assert sorted(out.stdout.split()) == off_host


def test_spec_host_is_the_old_name_of_spec_node_name() -> None:
    cluster = default_cluster(workers=2)
    cluster.advance()
    by_host = run(cluster, "kubectl get pods -A --field-selector spec.host=worker-1 -o name")
    by_node = run(cluster, "kubectl get pods -A --field-selector spec.nodeName=worker-1 -o name")
    assert by_host.exit_code == 0 and by_host.stdout == by_node.stdout and by_host.stdout
