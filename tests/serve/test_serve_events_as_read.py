"""Issue 19: serve lists Events as `kubectl get events` does (Store.events_as_read):
those still kept as records are encoded from dicts made for the reply, not kept. The
reply must be what it was with every Event a kept dict."""

from __future__ import annotations

import pytest
from plain_daemonset import plain_daemonset

from dstutor.serve.api import Backend, Request
from dstutor.sim.cluster import Cluster


def _busy() -> Cluster:
    cluster = Cluster(crashing_images=["crash:1"])
    for i in range(1, 6):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create(plain_daemonset("ok", "ok:1"))
    cluster.create(plain_daemonset("crash", "crash:1"))
    cluster.advance(300.0)
    return cluster


TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.mark.parametrize(("path", "accept"), [
    ("/api/v1/events", "application/json"),
    ("/api/v1/namespaces/default/events", "application/json"),
    ("/api/v1/namespaces/default/events", TABLE),
    ("/api/v1/namespaces/kube-system/events", "application/json"),
])
def test_a_list_of_events_is_the_same_and_keeps_the_records(path: str, accept: str) -> None:
    cluster, twin = _busy(), _busy()
    twin.store.list("Event")  # every Event a kept dict, as lists left them
    records = cluster.store._event_records
    assert records > 20 and twin.store._event_records == 0
    replies = [Backend(lambda c=c: c).handle(Request("GET", path, accept=accept))
               for c in (cluster, twin)]
    assert replies[0].code == replies[1].code == 200
    assert replies[0].body == replies[1].body
    assert cluster.store._event_records == records
