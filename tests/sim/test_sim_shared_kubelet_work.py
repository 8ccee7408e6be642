"""The kubelet's progress records are shared between pods (kubelet_work.shared_work) and
copied before a pod moves on (copy-on-write): whatever the scenario, every visible state,
every progress record and the save file are what private records give, and the records
are shared indeed. The autouse guard (tests/conftest.py) fails any of these tests after
which a shared record was edited in place."""

from __future__ import annotations

import json
import pickle
from dataclasses import asdict
from typing import Any

import pytest
from sim_builders import make_daemonset

from dstutor.controller import kubelet as kubelet_module
from dstutor.controller.kubelet_work import (
    ContainerWork,
    PodWork,
    SharedPodWork,
    own_work,
    shared_work,
)
from dstutor.sim.cluster import Cluster
from dstutor.sim.snapshot import export_state
from tests.sim import write_trace
from tests.sim.write_trace import SCENARIOS


def _progress(cluster: Cluster) -> str:
    return json.dumps(sorted((list(k), asdict(w)) for k, w in cluster.kubelet.work.items()))


def _private_record(signature: tuple[Any, ...]) -> PodWork:
    return PodWork(signature[0], signature[1], {
        signature[i]: ContainerWork(*signature[i + 1:i + 8])
        for i in range(2, len(signature), 8)})


def _run(name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, list[str], str, int]:
    """The scenario's digest, the kubelet's progress after every step of the scenario and
    which pods it has (and at which stage) at every write (what the informers ask it in
    the middle of a step), the save file, and the most pods that held one active record
    at once."""
    seen: list[str] = []
    most = [0]
    snap = write_trace.Recorder.snap

    def snapping(recorder: write_trace.Recorder) -> None:
        seen.append(_progress(recorder.cluster))
        snap(recorder)

    def listener(cluster: Cluster, kind: str, old: Any, new: Any) -> None:
        seen.append(repr(sorted((k, w.stage) for k, w in cluster.kubelet.work.items())))
        holders: dict[int, int] = {}
        for work in cluster.kubelet.work.values():
            if work.stage == "active":
                holders[id(work)] = holders.get(id(work), 0) + 1
        most[0] = max([most[0], *holders.values()])

    with monkeypatch.context() as patched:
        patched.setattr(write_trace, "EXTRA_LISTENERS", [listener])
        patched.setattr(write_trace.Recorder, "snap", snapping)
        recorder = SCENARIOS[name]()
    save = json.dumps(export_state(recorder.cluster), sort_keys=True, default=str)
    return recorder.hash.hexdigest(), seen, save, most[0]


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_shared_progress_is_what_private_progress_gives(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    shared = _run(name, monkeypatch)
    with monkeypatch.context() as private:
        # The general path: every pod's record its own, from admission on.
        private.setattr(kubelet_module, "shared_work", lambda work, table=None: work)
        private.setattr(kubelet_module, "shared_record", _private_record)
        alone = _run(name, monkeypatch)
    assert shared[0] == alone[0]
    assert len(shared[1]) == len(alone[1])
    for i, (a, b) in enumerate(zip(shared[1], alone[1], strict=True)):
        assert a == b, f"write or step {i}"
    assert shared[2] == alone[2]
    assert alone[3] == 1
    if name.startswith("fleet"):
        assert shared[3] >= 10  # ten nodes' pods of one DaemonSet start alike


def test_a_copy_of_the_cluster_copies_before_it_moves_on() -> None:
    """Undo pickles the cluster: the copy's records are still known as shared, so moving
    the copy on leaves the original's records (and pods) as they were."""
    cluster = Cluster()
    for i in range(4):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create(make_daemonset("agent", image="agent:1", labels={"app": "agent"}))
    cluster.advance(1)
    works = [w for w in cluster.kubelet.work.values() if w.stage == "active"]
    assert len(works) == 4 and len({id(w) for w in works}) == 1
    assert type(works[0]) is SharedPodWork
    before = _progress(cluster)
    copy = pickle.loads(pickle.dumps(cluster))
    copied = [w for w in copy.kubelet.work.values() if w.stage == "active"]
    assert type(copied[0]) is SharedPodWork and len({id(w) for w in copied}) == 1
    copy.advance(60)
    assert _progress(cluster) == before
    assert all(w.stage == "steady" for w in copy.kubelet.work.values())
    cluster.advance(60)
    assert _progress(cluster) == _progress(copy)


def test_records_share_only_exact_floats() -> None:
    """A saved file's 10 (an int) must save as 10 again: such a record stays its own."""
    floats = PodWork("active", 0.0, {"a": ContainerWork("pulling", 10.0)})
    ints = PodWork("active", 0.0, {"a": ContainerWork("pulling", 10)})
    assert type(shared_work(floats)) is SharedPodWork
    assert shared_work(floats) is shared_work(own_work(floats))
    assert shared_work(ints) is ints
    assert json.dumps(asdict(shared_work(ints))) == json.dumps(asdict(ints))
    copy = own_work(shared_work(floats))
    assert type(copy) is PodWork and copy == floats
    assert copy.containers["a"] is not shared_work(floats).containers["a"]
