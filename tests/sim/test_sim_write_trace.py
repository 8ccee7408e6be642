"""Nothing a learner can see changes when the engine, kubelet or store get faster: every
visible state of the scenarios in write_trace.py matches the digests recorded on main
before that work (a2fcb1b, of json.dumps's text: write_trace_json_digests.json), and
the digests of orjson's text that the other tests compare with were taken of the same
states (write_trace_digests.json)."""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from dstutor.model.objects import key_of, target_node_name
from dstutor.sim.cluster import Cluster
from tests.sim import write_trace
from tests.sim.write_trace import SCENARIOS

RECORDED = json.loads((Path(__file__).parent / "write_trace_digests.json").read_text())
RECORDED_JSON = json.loads(
    (Path(__file__).parent / "write_trace_json_digests.json").read_text())


def test_every_scenario_is_recorded() -> None:
    assert sorted(RECORDED) == sorted(SCENARIOS) == sorted(RECORDED_JSON)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_visible_states_match_the_recording(name: str, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    # Meanwhile: the DaemonSet controller takes a written pod's target node from the
    # store's index instead of reading its affinity again, so for every pod write the
    # index must say what target_node_name says.
    pod_writes: list[int] = []

    def index_knows_the_target_node(cluster: Cluster, kind: str, old: object,
                                    new: object) -> None:
        if kind == "Pod" and isinstance(new, dict):
            assert cluster.store.pod_owner_and_node(key_of(new))[1] == target_node_name(new)
            pod_writes.append(1)

    monkeypatch.setattr(write_trace, "EXTRA_LISTENERS", [index_knows_the_target_node])
    recorder = write_trace.json_digests(SCENARIOS[name])
    assert recorder.steps == RECORDED[name]["steps"] == RECORDED_JSON[name]["steps"]
    assert recorder.hash.hexdigest() == RECORDED[name]["digest"]
    assert recorder.json_hash.hexdigest() == RECORDED_JSON[name]["digest"]
    assert len(pod_writes) > 20


def test_orjson_digests_what_json_digests(monkeypatch: pytest.MonkeyPatch) -> None:
    """The two encodings agree on every state of a scenario (the same JSON values), and
    each digest tells a changed state from the recorded one (a planted change: a pod's
    resourceVersion one higher at one step)."""
    states: list[tuple[bytes, str]] = []
    original_dumps = write_trace.orjson.dumps

    def both(state: Any, default: Any) -> bytes:
        encoded = original_dumps(state, default=default)
        states.append((encoded, json.dumps(state, default=str)))
        return encoded

    monkeypatch.setattr(write_trace.orjson, "dumps", both)
    SCENARIOS["kubeadm"]()
    assert len(states) == RECORDED["kubeadm"]["steps"]
    for encoded, text in states:
        assert json.loads(encoded) == json.loads(text)
    monkeypatch.setattr(write_trace.orjson, "dumps", original_dumps)

    def planted(cluster: Cluster, kind: str) -> list[Any]:
        live = original_list_live(cluster, kind)
        if kind == "Pod" and live and cluster.now() > 0:
            live = copy.deepcopy(live)
            live[0]["metadata"]["resourceVersion"] += "1"
        return live

    original_list_live = Cluster.list_live
    monkeypatch.setattr(Cluster, "list_live", planted)
    recorder = write_trace.json_digests(SCENARIOS["kubeadm"])
    assert recorder.hash.hexdigest() != RECORDED["kubeadm"]["digest"]
    assert recorder.json_hash.hexdigest() != RECORDED_JSON["kubeadm"]["digest"]


def test_the_recorder_reads_what_cluster_list_hands_out(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """Recorder.snap reads list_live instead of cloning every object through Cluster.list:
    at every step of a scenario the two give the same JSON (what the digest is made of),
    and so does a step where they would not (a planted difference)."""
    compared: list[str] = []

    def both(cluster: Cluster, kind: str) -> list[object]:
        handed_out, live = cluster.list(kind), cluster.list_live(kind)
        assert json.dumps(handed_out, default=str) == json.dumps(live, default=str)
        assert handed_out == live
        compared.append(kind)
        return live

    def snap(self: write_trace.Recorder) -> None:
        for kind in write_trace.KINDS:
            both(self.cluster, kind)
        original_snap(self)

    original_snap = write_trace.Recorder.snap
    monkeypatch.setattr(write_trace.Recorder, "snap", snap)
    recorder = SCENARIOS["workloads"]()
    assert recorder.hash.hexdigest() == RECORDED["workloads"]["digest"]
    assert len(compared) == len(write_trace.KINDS) * RECORDED["workloads"]["steps"]
    # The check itself can fail: a reader that sees another object than the store holds.
    cluster = _small()
    monkeypatch.setattr(Cluster, "list", lambda self, kind: [{"planted": 1}])
    with pytest.raises(AssertionError):
        both(cluster, "Pod")


def _small() -> Cluster:
    cluster = Cluster(seed=1, record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"n{i}", ready=True)
    for name in ("a", "b"):
        labels = {"app": name}
        cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet",
                        "metadata": {"name": name, "namespace": "default"},
                        "spec": {"selector": {"matchLabels": labels},
                                 "template": {"metadata": {"labels": labels}, "spec": {
                                     "containers": [{"name": "c", "image": f"{name}:1"}]}}}})
    cluster.advance()
    return cluster


def test_a_cluster_pickles_and_its_copy_runs_alone() -> None:
    """Undo pickles the cluster (a deep copy is its slow fallback): the informer table and
    the kubelet's hooks must pickle, and the copy's hooks must point into the copy."""
    cluster = _small()
    twin = pickle.loads(pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL))
    assert twin.kubelet.pod_events() is False
    twin.record_pod_events = True
    assert twin.kubelet.pod_events() is True and cluster.kubelet.pod_events() is False
    twin.add_node("twin-only", ready=True)
    twin.advance()
    assert len(twin.store.pods_on_node("twin-only")) == 2
    assert cluster.store.get("Node", "", "twin-only") is None


def test_copies_of_a_cluster_start_without_the_kubelets_condition_memo() -> None:
    """The kubelet shares condition lists through a memo keyed by object ids; ids mean
    nothing in a pickled or deep-copied cluster, so a copy must not carry the memo."""
    cluster = _small()
    assert cluster.kubelet._conditions_memo
    for twin in (pickle.loads(pickle.dumps(cluster)), copy.deepcopy(cluster)):
        assert twin.kubelet._conditions_memo == {}
        assert cluster.kubelet._conditions_memo


def test_pods_that_turn_ready_together_share_one_conditions_list() -> None:
    cluster = _small()
    cluster.add_node("x", ready=True)
    cluster.advance()  # x's pods start later than the others: lists of their own
    cluster.add_node("y", ready=True)
    cluster.add_node("z", ready=True)  # the same instant: y and z run in step
    cluster.advance()
    x, y, z = (cluster.store.pods_on_node(n) for n in ("x", "y", "z"))
    pairs = [(p, q, r) for p in x for q in y for r in z
             if p["metadata"]["labels"]["app"] == q["metadata"]["labels"]["app"]
             == r["metadata"]["labels"]["app"]]
    assert len(pairs) == 2
    for p, q, r in pairs:
        assert q["status"]["conditions"] is r["status"]["conditions"]
        assert p["status"]["conditions"] is not q["status"]["conditions"]
        assert q["status"]["conditions"] == cluster.get(
            "Pod", q["metadata"]["namespace"], q["metadata"]["name"])["status"]["conditions"]


@pytest.mark.parametrize("name", ["kubeadm", "workloads"])
def test_a_scenario_without_its_digest_reads_and_ends_the_same(name: str) -> None:
    """write_trace.DIGESTS off (the tests that never read a digest): each step reads what
    the digest is made of, as before (the reads settle the cluster and turn Event records
    into dicts), so the scenario ends in the same state; there is no digest to read."""
    from dstutor.sim.timeline import Timeline

    def played(digests: bool) -> tuple[list[str], int, str, object]:
        reads: list[str] = []
        with pytest.MonkeyPatch.context() as patch:
            for owner, method in ((Cluster, "list_live"), (Cluster, "next_change"),
                                  (Cluster, "now"), (Timeline, "export")):
                real = getattr(owner, method)

                def spy(*args: object, _real: Any = real, _method: str = method,
                        **kwargs: object) -> object:
                    reads.append(_method)
                    return _real(*args, **kwargs)

                patch.setattr(owner, method, spy)
            patch.setattr(write_trace, "DIGESTS", digests)
            recorder = SCENARIOS[name]()
        end = json.dumps({kind: recorder.cluster.list(kind) for kind in write_trace.KINDS},
                         default=str)
        return reads, recorder.steps, end, recorder.hash

    reads, steps, end, digest = played(True)
    reads_without, steps_without, end_without, no_digest = played(False)
    assert (reads_without, steps_without, end_without) == (reads, steps, end)
    assert steps == RECORDED[name]["steps"] and digest is not None
    assert no_digest is None
