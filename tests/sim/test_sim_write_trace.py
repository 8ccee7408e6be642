"""Nothing a learner can see changes when the engine, kubelet or store get faster: every
visible state of the scenarios in write_trace.py matches the digests recorded on main
before that work (a2fcb1b)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dstutor.sim.cluster import Cluster
from tests.sim.write_trace import SCENARIOS

RECORDED = json.loads((Path(__file__).parent / "write_trace_digests.json").read_text())


def test_every_scenario_is_recorded() -> None:
    assert sorted(RECORDED) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_visible_states_match_the_recording(name: str) -> None:
    recorder = SCENARIOS[name]()
    assert recorder.steps == RECORDED[name]["steps"]
    assert recorder.hash.hexdigest() == RECORDED[name]["digest"]


def test_a_cluster_pickles_and_its_copy_runs_alone() -> None:
    """Undo pickles the cluster (a deep copy is its slow fallback): the informer table and
    the kubelet's hooks must pickle, and the copy's hooks must point into the copy."""
    import pickle

    from tests.sim.write_trace import fleet

    cluster = fleet(False).cluster
    copy = pickle.loads(pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL))
    assert copy.kubelet.pod_events() is False
    copy.record_pod_events = True
    assert copy.kubelet.pod_events() is True and cluster.kubelet.pod_events() is False
    copy.add_node("copy-only", ready=True)
    copy.advance()
    assert len(copy.store.pods_on_node("copy-only")) == 3
    assert cluster.store.get("Node", "", "copy-only") is None


def test_copies_of_a_cluster_start_without_the_kubelets_condition_memo() -> None:
    """The kubelet shares condition lists through a memo keyed by object ids; ids mean
    nothing in a pickled or deep-copied cluster, so a copy must not carry the memo."""
    import copy
    import pickle

    from tests.sim.write_trace import fleet

    cluster = fleet(False).cluster
    assert cluster.kubelet._conditions_memo
    for twin in (pickle.loads(pickle.dumps(cluster)), copy.deepcopy(cluster)):
        assert twin.kubelet._conditions_memo == {}
        assert cluster.kubelet._conditions_memo


def test_pods_that_turn_ready_together_share_one_conditions_list() -> None:
    from tests.sim.write_trace import fleet

    cluster = fleet(False).cluster
    pods = [p for p in cluster.pods_of("agent") if p["spec"]["nodeName"].startswith("join-")]
    assert len(pods) == 3
    lists = {id(p["status"]["conditions"]) for p in pods}
    assert len(lists) == 3  # they joined at different instants: three lists
    cluster.add_node("a", ready=True)
    cluster.add_node("b", ready=True)  # the same instant: a and b run in step
    cluster.advance()
    a, b = (cluster.store.pods_on_node(n) for n in ("a", "b"))
    shared = [(x, y) for x in a for y in b
              if x["metadata"]["labels"]["app"] == y["metadata"]["labels"]["app"]]
    assert len(shared) == 3
    for x, y in shared:
        assert x["status"]["conditions"] is y["status"]["conditions"]
        assert x["status"]["conditions"] == cluster.get(
            "Pod", x["metadata"]["namespace"], x["metadata"]["name"])["status"]["conditions"]


def test_the_store_index_holds_each_written_pods_target_node(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The DaemonSet controller takes a written pod's target node from the store's index
    instead of reading its affinity again: for every pod write of every scenario the
    index must say what target_node_name says."""
    from dstutor.model.objects import key_of, target_node_name
    from tests.sim import write_trace

    seen: list[int] = []

    def check(cluster: Cluster, kind: str, old: object, new: object) -> None:
        if kind == "Pod" and isinstance(new, dict):
            assert cluster.store.pod_owner_and_node(key_of(new))[1] == target_node_name(new)
            seen.append(1)

    monkeypatch.setattr(write_trace, "EXTRA_LISTENERS", [check])
    for scenario in SCENARIOS.values():
        scenario()
    assert len(seen) > 1000
