"""Cluster.settle's end after a big instant: the young generations' objects go to the
oldest without the collector walking them (sim/cluster.py: promote_young_objects), as
gc.collect(1) would move them where none is garbage, and never unfreezing what the
shell keeps frozen."""

from __future__ import annotations

import copy
import gc
import weakref
from collections.abc import Iterator

import pytest

from dstutor.sim import cluster as cluster_module
from dstutor.sim.cluster import Cluster, promote_young_objects


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def _in_generation(obj: object, generation: int) -> bool:
    return any(o is obj for o in gc.get_objects(generation))


@pytest.fixture()
def collector() -> Iterator[None]:
    """The collector on, nothing frozen; put back as the suite had it."""
    enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    gc.disable()  # (no automatic pass may move the test's objects meanwhile)
    try:
        yield
    finally:
        gc.unfreeze()
        if frozen:
            gc.freeze()
        if enabled:
            gc.enable()


def test_young_objects_end_in_the_oldest_generation(collector: None) -> None:
    gc.collect()
    young = {"a": [1, 2, 3]}
    assert _in_generation(young, 0)
    promote_young_objects()
    owed = gc.get_count()[0]
    assert owed == 0  # no young pass is owed for them
    assert _in_generation(young, 2)
    assert not _in_generation(young, 0) and not _in_generation(young, 1)
    assert gc.get_freeze_count() == 0  # nothing is left frozen


def test_garbage_among_them_is_freed_by_the_next_full_collection(collector: None) -> None:
    freed: list[bool] = []
    cycle = _Cycle()
    weakref.finalize(cycle, freed.append, True)
    del cycle
    promote_young_objects()
    assert freed == []  # not walked: still there
    gc.collect()
    assert freed == [True]


def test_what_something_else_froze_stays_frozen(collector: None) -> None:
    kept = {"frozen": [0]}
    gc.freeze()
    frozen = gc.get_freeze_count()
    assert frozen > 0
    young = {"b": [4, 5]}
    promote_young_objects()
    # unfreeze() was not called: what was frozen is in no generation (a busy test
    # process may free a frozen object or two meanwhile: the count is not exact).
    assert gc.get_freeze_count() > frozen // 2
    assert not any(_in_generation(kept, generation) for generation in (0, 1, 2))
    assert _in_generation(young, 2)  # collect(1) moved the survivor


def test_a_big_settle_leaves_no_young_objects_and_nothing_frozen(
        collector: None, monkeypatch: pytest.MonkeyPatch) -> None:
    promoted: list[int] = []
    real = cluster_module.promote_young_objects
    monkeypatch.setattr(cluster_module, "promote_young_objects",
                        lambda: (promoted.append(gc.get_count()[0]), real())[1])
    monkeypatch.setattr(cluster_module, "YOUNG_OBJECTS_TO_PROMOTE", 1_000)
    monkeypatch.setattr(cluster_module, "BIG_SETTLE_ITEMS", 100)
    cluster = Cluster(record_pod_events=True)
    for i in range(60):
        cluster.add_node(f"node-{i:02d}", ready=True)
    gc.enable()
    cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet",
                    "metadata": {"name": "agent", "namespace": "default"},
                    "spec": {"selector": {"matchLabels": {"app": "agent"}},
                             "template": {"metadata": {"labels": {"app": "agent"}},
                                          "spec": {"containers": [{"name": "a",
                                                                   "image": "agent:1"}]}}}})
    gc.disable()
    assert promoted and all(count > 1_000 for count in promoted)
    assert gc.get_freeze_count() == 0
    assert len(cluster.store.list("Pod")) == 60


def _fleet(nodes: int) -> Cluster:
    cluster = Cluster(record_pod_events=True)
    for i in range(nodes):
        cluster.add_node(f"node-{i:02d}", ready=True)
    return cluster


_AGENT = {"apiVersion": "apps/v1", "kind": "DaemonSet",
          "metadata": {"name": "agent", "namespace": "default"},
          "spec": {"selector": {"matchLabels": {"app": "agent"}},
                   "template": {"metadata": {"labels": {"app": "agent"}},
                                "spec": {"containers": [{"name": "a", "image": "agent:1"}]}}}}


@pytest.mark.parametrize(("large", "collector_on", "promotes"),
                         [(50, True, True), (10**9, True, False), (50, False, False)])
def test_a_large_run_of_the_engine_hands_its_objects_to_the_oldest_generation(
        collector: None, monkeypatch: pytest.MonkeyPatch, large: int, collector_on: bool,
        promotes: bool) -> None:
    """Engine.run_queue: a run of LARGE_INSTANT items or more, with the collector on,
    leaves no young objects behind (the pass at the next allocation would walk them
    all); a smaller run, or the collector off (the shell's build), leaves them."""
    from dstutor.sim import engine as engine_module

    cluster = _fleet(40)
    cluster.advance()
    promoted: list[int] = []
    real = engine_module.promote_young_objects
    monkeypatch.setattr(engine_module, "promote_young_objects",
                        lambda: (promoted.append(gc.get_count()[0]), real())[1])
    monkeypatch.setattr(engine_module, "LARGE_INSTANT", large)
    monkeypatch.setattr(engine_module, "YOUNG_OBJECTS_TO_PROMOTE", 100)
    monkeypatch.setattr(cluster_module, "BIG_SETTLE_ITEMS", 10**9)  # (the engine alone)
    cluster.api.create(copy.deepcopy(_AGENT))  # (queued, not run: no settle)
    if collector_on:
        gc.enable()
    cluster.engine.run_queue()  # the DaemonSet's sync: 40 creates, their scheduling
    gc.disable()
    pods = [record.pod for record in cluster.store.pod_records.values()]
    assert len(pods) == 40
    if promotes:
        assert promoted and all(count > 100 for count in promoted)
        assert gc.get_freeze_count() == 0
        assert _in_generation(pods[-1], 2)  # made by the run, not walked since
    else:
        assert promoted == []
        assert _in_generation(pods[-1], 0)
