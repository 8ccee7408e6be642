"""What the pod-isolation tests share (tests/kubectl and tests/serve): a settled
DaemonSet on three nodes, and the parts the controller builds its next pods from."""

from __future__ import annotations

from typing import Any

from dstutor.controller import shared
from dstutor.model.objects import Obj, uid
from dstutor.sim.cluster import Cluster

NODES = ("node-a", "node-b", "node-c")


def daemonset(container: Obj) -> Obj:
    """DaemonSet `agent` with this one container, tolerating `dedicated`."""
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}},
                     "template": {"metadata": {"labels": {"app": "agent"}},
                                  "spec": {"containers": [container],
                                           "tolerations": [{"key": "dedicated",
                                                            "operator": "Exists"}]}}}}


def settled(ds: Obj) -> tuple[Cluster, str]:
    """The DaemonSet settled on NODES, and the name of its pod on node-a."""
    cluster = Cluster()
    for node in NODES:
        cluster.add_node(node, ready=True)
    cluster.create(ds)
    cluster.advance()
    target = next(p["metadata"]["name"] for p in cluster.store.list("Pod")
                  if p["spec"]["nodeName"] == "node-a")
    return cluster, target


def shared_parts(cluster: Cluster) -> dict[str, Any]:
    """What the controller builds the next pods from, and the node pinnings."""
    ds = cluster.store.get("DaemonSet", "default", "agent")
    assert ds is not None
    state = cluster.daemonsets.states[uid(ds)]
    return {"spec": state.pod_spec, "labels": state.pod_labels, "ref": state.controller_ref,
            "pinned": {n: shared.pinned_affinity(n) for n in NODES}}
