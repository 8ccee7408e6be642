"""Issue 19: Events recorded with equal messages or fieldPaths keep one copy of the text
(Cluster.record_event), and the texts kept for sharing stay bounded."""

from __future__ import annotations

import pytest
from sim_builders import make_daemonset

from dstutor.sim import cluster as cluster_module
from dstutor.sim.cluster import Cluster
from dstutor.sim.eventstore import is_record


def _kubelet_records(cluster: Cluster, reason: str) -> list[tuple]:
    return [e for e in cluster.store.event_entries()
            if is_record(e) and e[4] == reason]  # type: ignore[index]


def test_a_fleet_keeps_one_copy_of_each_repeated_text() -> None:
    cluster = Cluster()
    for i in range(6):
        cluster.add_node(f"worker-{i}", ready=True)
    cluster.create(make_daemonset(name="agent"))
    cluster.advance(30.0)
    pulling = _kubelet_records(cluster, "Pulling")
    assert len(pulling) == 6
    assert len({id(e[5]) for e in pulling}) == 1  # the message
    assert len({id(e[3][6]) for e in pulling}) == 1  # involvedObject.fieldPath
    shown = [e for e in cluster.list("Event", "default") if e["reason"] == "Pulling"]
    image = make_daemonset(name="agent")["spec"]["template"]["spec"]["containers"][0]
    assert {e["message"] for e in shown} == {f'Pulling image "{image["image"]}:latest"'}
    assert {e["involvedObject"]["fieldPath"] for e in shown} == {
        f"spec.containers{{{image['name']}}}"}


def test_the_shared_texts_stay_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_module, "MAX_SHARED_TEXTS", 8)
    cluster = Cluster()
    cluster.add_node("worker-1", ready=True)
    node = cluster.get("Node", "", "worker-1")
    for i in range(20):  # below the spam filter's 25
        cluster.record_event(node, "Normal", f"Reason{i}", f"message {i}", component="kubelet",
                             host="worker-1")
        assert len(cluster._event_texts) <= 9
    messages = sorted(e["message"] for e in cluster.list("Event", "default")
                      if e["reason"].startswith("Reason"))
    assert messages == sorted(f"message {i}" for i in range(20))
