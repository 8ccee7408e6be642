"""Event correlation as client-go does it: dedup, aggregation, and the spam filter."""

from __future__ import annotations

import json

import pytest
from sim_builders import make_daemonset

from dstutor.sim.cluster import Cluster
from dstutor.sim.events import AGGREGATE_PREFIX, Draft, EventCorrelator, Lru
from dstutor.sim.snapshot import export_state, import_state

OWNER = {"apiVersion": "apps/v1", "kind": "DaemonSet",
         "metadata": {"name": "agent", "namespace": "default", "uid": "u-1"}}


def _events(cluster: Cluster) -> list[dict]:
    return sorted((e for e in cluster.store.list("Event")
                   if e["involvedObject"]["name"] == "agent"),
                  key=lambda e: e["metadata"]["name"])


def _record(cluster: Cluster, message: str, reason: str = "SuccessfulCreate") -> None:
    cluster.record_event(OWNER, "Normal", reason, message, component="daemonset-controller")


def test_a_repeated_event_bumps_the_count_of_the_stored_one() -> None:
    cluster = Cluster()
    for _ in range(3):
        _record(cluster, "Created pod: agent-a")
        cluster.advance(5)
    (event,) = _events(cluster)
    assert event["count"] == 3
    assert event["firstTimestamp"] != event["lastTimestamp"]


def test_the_tenth_similar_event_is_combined() -> None:
    cluster = Cluster()
    for i in range(12):
        _record(cluster, f"Created pod: agent-{i:02d}")
    events = _events(cluster)
    singles = [e for e in events if not e["message"].startswith(AGGREGATE_PREFIX)]
    (combined,) = [e for e in events if e["message"].startswith(AGGREGATE_PREFIX)]
    assert [e["message"] for e in singles] == [f"Created pod: agent-{i:02d}" for i in range(9)]
    assert combined["message"] == AGGREGATE_PREFIX + "Created pod: agent-11"
    assert combined["count"] == 3
    assert combined["reportingComponent"] == ""


def test_similar_events_ten_minutes_apart_are_not_combined() -> None:
    cluster = Cluster()
    for i in range(12):
        _record(cluster, f"Created pod: agent-{i:02d}")
        cluster.advance(601)
    assert not any(e["message"].startswith(AGGREGATE_PREFIX) for e in _events(cluster))


def test_a_source_gets_25_events_per_object_then_one_every_five_minutes() -> None:
    cluster = Cluster()
    for i in range(30):
        _record(cluster, f"Deleted pod: agent-{i:02d}", reason=f"Reason{i}")
    assert len(_events(cluster)) == 25
    cluster.advance(299)
    _record(cluster, "late", reason="Late1")
    assert len(_events(cluster)) == 25
    cluster.advance(1)
    _record(cluster, "later", reason="Late2")
    assert [e["reason"] for e in _events(cluster)].count("Late2") == 1
    assert len(_events(cluster)) == 26


def test_a_daemonset_on_thirty_nodes_leaves_ten_events_like_a_real_cluster() -> None:
    cluster = Cluster()
    for i in range(30):
        cluster.add_node(f"node-{i:02d}", ready=True)
    cluster.create(make_daemonset("agent", image="agent", labels={"app": "agent"}))
    cluster.advance()
    events = _events(cluster)
    combined = [e for e in events if e["message"].startswith(AGGREGATE_PREFIX)]
    assert len(events) == 10 and len(combined) == 1
    # 9 single events, then the combined one takes the rest of the burst of 25.
    assert combined[0]["count"] == 16
    assert len(cluster.pods_of("agent")) == 30


def test_watchers_see_every_event_before_correlation() -> None:
    cluster = Cluster()
    seen: list[Draft] = []
    cluster.event_watchers.append(seen.append)
    for i in range(30):
        _record(cluster, f"Created pod: agent-{i:02d}")
    assert len(seen) == 30 and len(_events(cluster)) == 10


def test_a_restored_snapshot_correlates_like_the_running_cluster() -> None:
    cluster = Cluster()
    for i in range(8):
        _record(cluster, f"Created pod: agent-{i:02d}")
    data = json.loads(json.dumps(export_state(cluster)))
    restored = import_state(data)
    for target in (cluster, restored):
        for i in range(8, 12):
            _record(target, f"Created pod: agent-{i:02d}")
    strip = [(e["message"], e["count"]) for e in _events(cluster)]
    assert [(e["message"], e["count"]) for e in _events(restored)] == strip
    assert any(m.startswith(AGGREGATE_PREFIX) for m, _ in strip)


def test_a_snapshot_saved_before_correlation_still_loads_and_counts_on() -> None:
    cluster = Cluster()
    _record(cluster, "Created pod: agent-a")
    data = json.loads(json.dumps(export_state(cluster)))
    del data["events"]
    restored = import_state(data)
    _record(restored, "Created pod: agent-a")
    (event,) = _events(restored)
    assert event["count"] == 2


@pytest.mark.parametrize("size", [1, 3])
def test_lru_keeps_the_most_recently_used(size: int) -> None:
    lru: Lru[str, int] = Lru(size)
    for i, key in enumerate("abcd"):
        lru.add(key, i)
        lru.get("a")
    assert list(lru.items) == (["d"] if size == 1 else ["c", "d", "a"])


def test_correlator_export_round_trip() -> None:
    correlator = EventCorrelator()
    draft = Draft("c", "", "DaemonSet", "default", "agent", "u", "apps/v1", "Normal", "R", "m")
    correlator.observe(tuple(draft), 0.0)
    again = EventCorrelator.restore(json.loads(json.dumps(correlator.export())))
    observed = again.observe(tuple(draft), 1.0)
    assert observed is not None and observed[3].count == 2
