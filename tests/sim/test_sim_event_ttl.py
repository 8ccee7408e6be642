"""Events expire as the API server's --event-ttl (default 1h) makes them: an hour after
their last write. The recorders' caches forget only what can no longer change an
outcome, so a long session stays flat and behaves exactly as before (issue 18, F8)."""

from __future__ import annotations

import json

import pytest

from dstutor.model.timefmt import to_rfc3339
from dstutor.sim.cluster import Cluster
from dstutor.sim.events import EVENT_TTL_SECONDS, EventCorrelator, expired_events
from dstutor.sim.snapshot import export_state, import_state

OWNER = {"apiVersion": "apps/v1", "kind": "DaemonSet",
         "metadata": {"name": "agent", "namespace": "default", "uid": "u-1"}}


def _record(cluster: Cluster, message: str = "Created pod: agent-a") -> None:
    cluster.record_event(OWNER, "Normal", "SuccessfulCreate", message,
                         component="daemonset-controller")


def _agent_events(cluster: Cluster) -> list[dict]:
    return [e for e in cluster.store.list("Event") if e["involvedObject"]["name"] == "agent"]


def test_the_default_ttl_is_the_api_servers() -> None:
    assert EVENT_TTL_SECONDS == 3600.0


def test_an_event_is_kept_for_an_hour_after_its_last_write() -> None:
    cluster = Cluster()
    _record(cluster)
    cluster.advance(EVENT_TTL_SECONDS - 1)
    assert len(_agent_events(cluster)) == 1
    cluster.advance(1)
    assert _agent_events(cluster) == []


def test_an_update_restarts_the_ttl() -> None:
    cluster = Cluster()
    _record(cluster)
    cluster.advance(1800)
    _record(cluster)  # the same event again: count 2, lastTimestamp now
    cluster.advance(3000)
    (event,) = _agent_events(cluster)
    assert event["count"] == 2
    cluster.advance(600)
    assert _agent_events(cluster) == []


def test_an_expired_event_seen_again_is_created_again_with_its_count() -> None:
    # recordToSink: the patch fails with NotFound, so the recorder creates the event
    # again, with the count and first timestamp it remembers.
    from sim_builders import make_daemonset

    cluster = Cluster()
    cluster.api.create(make_daemonset(name="agent", node_selector={"none": "none"}))
    owner = cluster.store.get("DaemonSet", "default", "agent")
    assert owner is not None

    def record() -> None:
        cluster.record_event(owner, "Normal", "Custom", "seen again",
                             component="daemonset-controller")

    record()
    first = [e for e in _agent_events(cluster) if e["reason"] == "Custom"][0]["firstTimestamp"]
    cluster.advance(EVENT_TTL_SECONDS + 10)
    record()
    (event,) = [e for e in _agent_events(cluster) if e["reason"] == "Custom"]
    assert (event["count"], event["firstTimestamp"]) == (2, first)
    assert event["lastTimestamp"] == to_rfc3339(cluster.now())


def test_events_expire_during_a_long_advance_too() -> None:
    cluster = Cluster()
    _record(cluster)
    cluster.advance(5 * 3600)
    assert _agent_events(cluster) == []


def test_expired_events_compares_whole_second_timestamps() -> None:
    now = 1767225600.0 + 7200
    old = {"lastTimestamp": to_rfc3339(now - 3600), "metadata": {}}
    fresh = {"lastTimestamp": to_rfc3339(now - 3599), "metadata": {}}
    recreated = {"lastTimestamp": to_rfc3339(now - 9000),
                 "metadata": {"creationTimestamp": to_rfc3339(now - 10)}}
    gone, next_at = expired_events([old, fresh, recreated], now)
    assert gone == [old]
    assert next_at == now + 1


def test_a_saved_cluster_expires_its_old_events_when_loaded() -> None:
    cluster = Cluster()
    _record(cluster)
    cluster.clock.set(cluster.now() + 2 * EVENT_TTL_SECONDS)  # time moved, nobody looked
    restored = import_state(json.loads(json.dumps(export_state(cluster))))
    assert _agent_events(restored) == []


def _session(cluster: Cluster, rounds: int) -> None:
    """Pods come and go on nodes that come and go, for several hours."""
    from sim_builders import make_daemonset

    cluster.api.create(make_daemonset(name="agent"))
    for i in range(rounds):
        cluster.add_node(f"extra-{i}")
        cluster.advance(300)
        cluster.remove_node(f"extra-{i}")
        cluster.advance(900)


def _visible(cluster: Cluster) -> list[tuple]:
    return [(e["metadata"]["name"], e["count"], e["message"], e["firstTimestamp"],
             e["lastTimestamp"]) for e in cluster.store.list("Event")]


def test_pruning_the_caches_changes_no_event(monkeypatch: pytest.MonkeyPatch) -> None:
    pruned = Cluster()
    _session(pruned, 12)
    monkeypatch.setattr(EventCorrelator, "prune", lambda self, *a: None)
    kept = Cluster()
    _session(kept, 12)
    assert _visible(pruned) == _visible(kept)
    sizes = [len(c.events._observed.items) for c in (pruned, kept)]
    assert sizes[0] < sizes[1] / 2


def test_a_long_session_keeps_about_an_hour_of_events() -> None:
    cluster = Cluster()
    _session(cluster, 8)
    after_8 = cluster.store.count("Event"), len(cluster.events._observed.items)
    _session_more = 16
    for i in range(8, _session_more):
        cluster.add_node(f"extra-{i}")
        cluster.advance(300)
        cluster.remove_node(f"extra-{i}")
        cluster.advance(900)
    assert cluster.store.count("Event") <= after_8[0] + 5
    assert len(cluster.events._observed.items) <= after_8[1] + 10
    cutoff = to_rfc3339(cluster.now() - EVENT_TTL_SECONDS)
    assert all(max(e["lastTimestamp"], e["metadata"]["creationTimestamp"]) > cutoff
               for e in cluster.store.list("Event"))
