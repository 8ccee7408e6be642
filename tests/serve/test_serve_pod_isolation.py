"""Writes over the served API (what a real kubectl or client-go sends) to one pod of a
DaemonSet change no other pod, nor the shared parts the controller builds pods from:
pods share sub-objects (containers, tolerations, node pinning, labels, ownerReferences),
and the API must never write into them in place."""

from __future__ import annotations

import http.client
import json

from pod_isolation import daemonset, settled, shared_parts
from serve_support import Served

from dstutor.model.objects import canonical_json
from dstutor.sim.cluster import Cluster

DS = daemonset({"name": "agent", "image": "agent:1"})


def _request(served: Served, method: str, path: str, body: object, content_type: str
             ) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    try:
        conn.request(method, path, body=json.dumps(body).encode(),
                     headers={"Content-Type": content_type})
        reply = conn.getresponse()
        reply.read()
        return reply.status
    finally:
        conn.close()


def _state(cluster: Cluster, names: set[str]) -> str:
    """The pods named (the others may come and go: relabelling the target orphans it,
    and the DaemonSet makes a new pod for its node) and the shared parts."""
    return canonical_json({
        "pods": {p["metadata"]["name"]: p for p in cluster.store.list("Pod")
                 if p["metadata"]["name"] in names},
        **shared_parts(cluster)})


def test_served_writes_to_one_pod_change_no_other() -> None:
    cluster, target = settled(DS)
    path = f"/api/v1/namespaces/default/pods/{target}"
    others = {p["metadata"]["name"] for p in cluster.store.list("Pod")} - {target}
    before = _state(cluster, others)
    json_patch = "application/json-patch+json"
    writes = [
        ("PATCH", path, [{"op": "add", "path": "/spec/tolerations/-",
                          "value": {"key": "x", "operator": "Exists"}}], json_patch),
        ("PATCH", path, [{"op": "replace", "path": "/spec/containers/0/image",
                          "value": "agent:2"}], json_patch),
        ("PATCH", path, [{"op": "replace", "path": "/metadata/labels/app", "value": "b"}],
         json_patch),
        ("PATCH", path, [{"op": "add", "path": "/metadata/ownerReferences/0/controller",
                          "value": False}], json_patch),
        ("PATCH", path, {"spec": {"containers": [{"name": "agent", "image": "agent:3"}]}},
         "application/strategic-merge-patch+json"),
        ("PATCH", path, {"metadata": {"annotations": {"a": "b"}}},
         "application/merge-patch+json"),
        ("PATCH", path + "/status", [{"op": "replace", "path": "/status/conditions/0/status",
                                      "value": "False"}], json_patch),
        ("PATCH", path + "/status", {"status": {"conditions": [{"type": "Extra",
                                                                 "status": "True"}]}},
         "application/strategic-merge-patch+json"),
    ]
    with Served(cluster, None) as served:
        codes = [_request(served, method, where, body, kind)
                 for method, where, body, kind in writes]
        pod = served.cluster.get("Pod", "default", target)
        status_put = dict(pod, status=dict(pod["status"], phase="Failed"))
        codes.append(_request(served, "PUT", path + "/status", status_put, "application/json"))
    assert codes.count(200) >= 6, codes  # most land; a refusal must change nothing either
    assert cluster.store.get("Pod", "default", target)["spec"]["containers"][0][
        "image"] == "agent:3"
    assert _state(cluster, others) == before
