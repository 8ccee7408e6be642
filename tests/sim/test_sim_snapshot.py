"""Snapshots: a restored cluster is indistinguishable from the one saved, and bad data is refused."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster
from dstutor.sim.snapshot import SnapshotError, export_state, import_state


def _ds(image: str = "agent:1") -> dict[str, Any]:
    labels = {"app": "agent"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "a", "image": image}]}}}}


def _dump(cluster: Cluster) -> str:
    return json.dumps(export_state(cluster), sort_keys=True)


def test_sim_snapshot_restores_mid_rollout_and_continues_identically() -> None:
    cluster = default_cluster()
    cluster.create(_ds())
    cluster.advance()
    obj = cluster.get("DaemonSet", "default", "agent")
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "agent:2"
    cluster.update(obj)
    cluster.advance(1.5)  # mid-rollout: pods pulling, one terminating
    cluster.fail_node("worker-2")
    restored = import_state(json.loads(_dump(cluster)))
    assert _dump(restored) == _dump(cluster)
    for c in (cluster, restored):
        c.advance(60)
        c.recover_node("worker-2")
        c.add_node("worker-9")
        c.advance()
    assert _dump(restored) == _dump(cluster)
    status = restored.get("DaemonSet", "default", "agent")["status"]
    assert status["updatedNumberScheduled"] == status["desiredNumberScheduled"] == 4


@pytest.mark.parametrize("data, message", [
    ({}, "not a dstutor snapshot"),
    ([1, 2], "not a dstutor snapshot"),
    ({"format": "dstutor/snapshot-v1"}, "the snapshot is damaged"),
])
def test_sim_snapshot_refuses_bad_data(data: Any, message: str) -> None:
    with pytest.raises(SnapshotError, match=message):
        import_state(data)


def test_sim_snapshot_refuses_unknown_kinds() -> None:
    data = export_state(Cluster())
    data["objects"].append({"kind": "Secret", "metadata": {"name": "x"}})
    with pytest.raises(SnapshotError, match="unknown kind"):
        import_state(data)
