"""Issue 19, fleet scale: `kubectl get events` made every Event still kept as a record
its dict and left the store keeping the dicts (at 5,000 nodes, 250,000 of them: 210 MB
more for the rest of the session), with the collector walking them while the table was
made. Now `get` reads them as dicts made for its output only (Store.events_as_read), with
the collector paused while it runs, and so does `kubectl events`. What they print must be
what they printed."""

from __future__ import annotations

import gc
from functools import partial

import pytest
from plain_daemonset import plain_daemonset

from dstutor.kubectl.dispatch import run
from dstutor.sim.cluster import Cluster


def _busy() -> Cluster:
    """Events in two namespaces, of every form: new, seen again, aggregated."""
    cluster = Cluster(missing_images=["gone:1"], crashing_images=["crash:1"])
    for i in range(1, 13):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create(plain_daemonset("ok", "ok:1"))
    cluster.create(plain_daemonset("crash", "crash:1"))
    run(cluster, "kubectl create namespace other")
    gone = plain_daemonset("gone", "gone:1")
    gone["metadata"]["namespace"] = "other"
    cluster.create(gone)
    cluster.advance(600.0)
    return cluster


LINES = ["kubectl get events", "kubectl get events -A", "kubectl get events -n other",
         "kubectl get events -A -o wide", "kubectl get events --no-headers -A",
         "kubectl get events -o name", "kubectl get events -A -o yaml",
         "kubectl get events -A --sort-by=.lastTimestamp", "kubectl get events,ds -A",
         "kubectl get events -A --show-labels", "kubectl get ev -n nowhere",
         "kubectl events", "kubectl events -A", "kubectl events -A -o yaml",
         "kubectl events -A --types=Warning", "kubectl events -n nowhere"]


@pytest.mark.parametrize("line", LINES)
def test_a_listing_prints_what_it_printed_and_keeps_the_records(line: str) -> None:
    cluster = _busy()
    records = cluster.store._event_records
    assert records > 100
    first = run(cluster, line)
    assert cluster.store._event_records == records  # none made a kept dict
    twin = _busy()
    twin.store.list("Event")  # every Event a dict already, as the old `get` left them
    assert twin.store._event_records == 0
    before = run(twin, line)
    assert (first.stdout, first.stderr, first.exit_code) == (
        before.stdout, before.stderr, before.exit_code)
    assert run(cluster, line).stdout == first.stdout  # (and again: the same)


def test_a_read_event_stays_what_the_store_keeps() -> None:
    """An Event already made a dict (read by describe, say) is listed as that dict."""
    cluster = _busy()
    kept = cluster.store.list("Event", "other")
    listed = cluster.store.events_as_read("other")
    assert [id(e) for e in listed] == [id(e) for e in kept]
    assert cluster.store.events_as_read(None) == cluster.store.list("Event")


def test_no_collection_runs_while_get_lists(collections: list[int],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = _busy()
    cluster.settle()
    seen: list[int] = []
    from dstutor.kubectl.commands import get

    def counted(original, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        before = len(collections)
        try:
            return original(*args, **kwargs)
        finally:
            seen.append(len(collections) - before)

    monkeypatch.setattr(get, "_get", partial(counted, get._get))
    assert run(cluster, "kubectl get events -A").exit_code == 0
    assert seen == [0]
    assert gc.isenabled()
    # The control: the same listing with the collector on sets off collections.
    before = len(collections)
    cluster.store.events_as_read(None)
    assert len(collections) > before


def test_a_watch_runs_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """A watch may run for long: it is not run with the collector paused."""
    from dstutor.kubectl.commands import get

    states: list[bool] = []
    monkeypatch.setattr(get, "watch", lambda *args: states.append(gc.isenabled()))
    run(_busy(), "kubectl get events -w")
    assert states == [True]
