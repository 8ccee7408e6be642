"""Issue 19: when only the cluster's own informers listen, Cluster.expire_events drops
expired Event records without building a dict for each (the TTL drops 250,000 at once at
5,000 nodes), and tells the informers once per namespace. These tests hold that path to
the general one (every Event removed through Store.remove_event, its listeners told with
its dict), forced by a listener that only watches: after the expiry the same queue of
controller work, the same resourceVersion, the same stored state, and the same again
once the work has run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dstutor.model.timefmt import to_rfc3339
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster
from dstutor.sim.events import EVENT_TTL_SECONDS
from dstutor.sim.snapshot import export_state

AGENT: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "agent", "namespace": "team"},
    "spec": {"selector": {"matchLabels": {"app": "agent"}},
             "template": {"metadata": {"labels": {"app": "agent"}},
                          "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}},
}


def _base() -> Cluster:
    cluster = default_cluster(workers=2, seed=7)
    cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})
    cluster.create(dict(AGENT))
    cluster.advance(30)
    return cluster


def _nothing_read(cluster: Cluster) -> None:
    pass


def _some_read(cluster: Cluster) -> None:
    """A few Events read (their dicts are stored from then on), the rest records."""
    for event in list(cluster.store.event_entries())[::3]:
        if isinstance(event, tuple):
            cluster.store.get("Event", event[3][5] or "default", event[0])


def _all_read(cluster: Cluster) -> None:
    cluster.store.list("Event")


def _terminating_namespace(cluster: Cluster) -> None:
    """Events in a namespace that is being deleted, as if something still held it (set
    in place, so that nothing has queued the garbage collector's look at it yet): each
    Event that goes tells the garbage collector to look at the namespace again."""
    team = cluster.store.get("Namespace", "", "team")
    assert team is not None
    team["metadata"]["deletionTimestamp"] = to_rfc3339(cluster.now())
    team["status"] = {"phase": "Terminating"}
    assert any(isinstance(e, tuple) and e[3][5] == "team"  # a record (never read) in team
               for e in cluster.store.event_entries())


SCENARIOS: dict[str, Callable[[Cluster], None]] = {
    "nothing read": _nothing_read, "some read": _some_read, "all read": _all_read,
    "terminating namespace": _terminating_namespace,
}


def _watched(cluster: Cluster) -> list[tuple[str, Any, Any]]:
    """A listener that only looks (as `get -w` or serve's watch would): the general path."""
    seen: list[tuple[str, Any, Any]] = []
    cluster.store.listeners.append(lambda kind, old, new: seen.append((kind, old, new)))
    return seen


def _expire(cluster: Cluster) -> tuple[Any, ...]:
    """Past every Event's TTL, expire them, and what that leaves before work runs."""
    cluster.clock.set(cluster.now() + EVENT_TTL_SECONDS + 1)
    cluster.expire_events()
    return (cluster.store.resource_version(), list(cluster.engine._queue),
            cluster.store.count("Event"))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_quiet_expiry_does_what_the_general_one_does(name: str) -> None:
    quiet, general = _base(), _base()
    for cluster in (quiet, general):
        SCENARIOS[name](cluster)
    assert export_state(quiet) == export_state(general)
    assert quiet.store.count("Event") > 10
    seen = _watched(general)
    assert _expire(quiet) == _expire(general)
    assert quiet.store.count("Event") == 0
    assert [kind for kind, _, new in seen] == ["Event"] * len(seen) and seen
    assert export_state(quiet) == export_state(general)
    for cluster in (quiet, general):
        cluster.advance(60)
    assert export_state(quiet) == export_state(general)


def test_the_namespace_is_looked_at_again_when_its_events_expire() -> None:
    """The general path's effect the quiet one must keep: the garbage collector's second
    look at a Terminating namespace, queued by the Events that went."""
    cluster = _base()
    _terminating_namespace(cluster)
    cluster.settle()
    assert cluster.engine._queue == type(cluster.engine._queue)()
    _expire(cluster)
    team = cluster.find("Namespace", "", "team")
    assert team is not None
    assert ("gc", ("finalize", team["metadata"]["uid"], "")) in cluster.engine._queue


def test_nothing_is_expired_early() -> None:
    cluster = _base()
    count = cluster.store.count("Event")
    newest = max(str(e.get("lastTimestamp")) for e in cluster.store.list("Event"))
    cluster.clock.set(cluster.now() + EVENT_TTL_SECONDS - 40)
    cluster.expire_events()
    assert cluster.store.count("Event") == count
    assert newest > to_rfc3339(cluster.now() - EVENT_TTL_SECONDS)
