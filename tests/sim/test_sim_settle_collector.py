"""Issue 19: after a big instant (a DaemonSet's 5,000 pods), Cluster.settle keeps Python's
cyclic collector paused until the recorders' caches are up to date too (EventCorrelator.
catch_up allocates thousands of entries), then collects the two young generations at once
if the settle left many new objects; it leaves the collector as it found it, on or off,
even when something fails. A small settle (a node joining) leaves the collector alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from dstutor.sim import cluster as cluster_module
from dstutor.sim.cluster import Cluster
from dstutor.sim.events import EventCorrelator


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


@pytest.fixture
def every_settle_big(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cluster_module, "BIG_SETTLE_ITEMS", 0)


def _collector_during_catch_up(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    seen: list[bool] = []
    original = EventCorrelator.catch_up

    def watched(self: EventCorrelator) -> None:
        seen.append(gc.isenabled())
        original(self)

    monkeypatch.setattr(EventCorrelator, "catch_up", watched)
    return seen


def test_catch_up_after_a_big_settle_runs_with_the_collector_paused(
        collector_on: None, every_settle_big: None, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = Cluster()
    seen = _collector_during_catch_up(monkeypatch)
    cluster.add_node("worker-1", ready=True)
    assert seen and not any(seen)
    assert gc.isenabled()


def test_a_small_settle_leaves_the_collector_alone(collector_on: None,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = Cluster()
    seen = _collector_during_catch_up(monkeypatch)
    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation))
    cluster.add_node("worker-1", ready=True)  # a few work items each settle
    assert seen and all(seen)
    assert collected == []


def test_settle_leaves_a_paused_collector_paused(every_settle_big: None) -> None:
    cluster = Cluster()
    was = gc.isenabled()
    gc.disable()
    try:
        cluster.add_node("worker-1", ready=True)
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_the_collector_comes_back_after_a_failure(collector_on: None, every_settle_big: None,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = Cluster()

    def broken(self: EventCorrelator) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(EventCorrelator, "catch_up", broken)
    with pytest.raises(RuntimeError):
        cluster.settle()
    assert gc.isenabled()


def _watch_promotions(monkeypatch: pytest.MonkeyPatch, collected: list[int]) -> None:
    """Record, instead of doing it, each collection and each move of the two young
    generations to the oldest (promote_young_objects: what collect(1) did there, without
    walking them), the latter as generation 1."""
    monkeypatch.setattr(gc, "collect", lambda generation=2: collected.append(generation))
    monkeypatch.setattr(cluster_module, "promote_young_objects", lambda: collected.append(1))


@pytest.mark.parametrize(("threshold", "expected"), [(-1, [1]), (10**9, [])])
def test_a_big_settle_collects_the_young_generations_at_once(
        collector_on: None, every_settle_big: None, monkeypatch: pytest.MonkeyPatch,
        threshold: int, expected: list[int]) -> None:
    cluster = Cluster()
    collected: list[int] = []
    monkeypatch.setattr(cluster_module, "YOUNG_OBJECTS_TO_PROMOTE", threshold)
    _watch_promotions(monkeypatch, collected)
    cluster.settle()
    assert collected == expected


def test_no_collection_while_the_collector_is_off(every_settle_big: None,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = Cluster()
    collected: list[int] = []
    monkeypatch.setattr(cluster_module, "YOUNG_OBJECTS_TO_PROMOTE", -1)
    _watch_promotions(monkeypatch, collected)
    was = gc.isenabled()
    gc.disable()
    try:
        cluster.settle()
    finally:
        if was:
            gc.enable()
    assert collected == []
