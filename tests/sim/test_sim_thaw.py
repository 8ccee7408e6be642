"""sim/thaw.py: a pickled cluster loads with the cyclic collector paused (no collection
walks the objects it is making), comes back the same, and leaves the collector as it
found it; what it made goes to the oldest generation where asked."""

from __future__ import annotations

import gc
import pickle

import pytest

from dstutor.sim import thaw as thaw_module
from dstutor.sim.cluster import Cluster
from dstutor.sim.thaw import collector_paused, thaw


def _cluster() -> Cluster:
    cluster = Cluster()
    for i in range(30):
        cluster.add_node(f"worker-{i}", ready=True)
    for name in ("agent", "logger"):
        cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet",
                        "metadata": {"name": name, "namespace": "default"},
                        "spec": {"selector": {"matchLabels": {"app": name}},
                                 "template": {"metadata": {"labels": {"app": name}},
                                              "spec": {"containers": [{"name": name,
                                                                       "image": "x:1"}]}}}})
    cluster.advance()
    return cluster


def test_loading_runs_no_collection_and_gives_the_same_cluster(
        collections: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = _cluster()
    frozen = pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL)
    real_loads = pickle.loads
    during: list[int] = []  # collections started while pickle.loads ran, per call

    def loads(data: bytes) -> object:
        before = len(collections)
        loaded = real_loads(data)
        during.append(len(collections) - before)
        return loaded

    monkeypatch.setattr(pickle, "loads", loads)
    # The control: loaded plainly, the same bytes set off collections (else the check
    # below could not fail).
    plain = pickle.loads(frozen)
    thawed = thaw(frozen)
    assert during[0] > 10 and during[1:] == [0]
    assert gc.isenabled()
    # Re-pickled, both as loaded: byte for byte.
    assert pickle.dumps(thawed, pickle.HIGHEST_PROTOCOL) == pickle.dumps(
        plain, pickle.HIGHEST_PROTOCOL)


def test_a_paused_collector_stays_paused() -> None:
    frozen = pickle.dumps(_cluster(), pickle.HIGHEST_PROTOCOL)
    gc.disable()
    try:
        thaw(frozen)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_it_made_goes_to_the_oldest_generation_before_the_collector_is_back(
        monkeypatch: pytest.MonkeyPatch, collections: list[int]) -> None:
    monkeypatch.setattr(thaw_module, "YOUNG_OBJECTS_TO_PROMOTE", 2000)  # (a small cluster)
    frozen = pickle.dumps(_cluster(), pickle.HIGHEST_PROTOCOL)
    gc.collect()
    with collector_paused():  # not promoted: the young generation keeps it all
        pickle.loads(frozen)
        left = gc.get_count()[0]
    assert left > 2000
    gc.collect()
    collections.clear()
    kept = thaw(frozen)
    # Promoted before the collector was back on: nothing is left young, and no young
    # collection walked what it made on the way out.
    assert gc.get_count()[0] < left // 10
    assert 0 not in collections and 1 not in collections
    assert kept is not None
