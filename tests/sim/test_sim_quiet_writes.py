"""The shortcut for quiet pod writes (sim/informers.py) agrees with the general path: for
every write it calls quiet, each pod informer it skips, and the timeline, would have done
nothing at all. Run over every write_trace scenario (their visible states must still match
the recording, which test_sim_write_trace checks)."""

from __future__ import annotations

from typing import Any

import pytest

from dstutor.model.objects import Obj
from dstutor.sim import cluster as cluster_module
from dstutor.sim.cluster import Cluster
from dstutor.sim.informers import quiet_status_write
from tests.sim.write_trace import SCENARIOS


def _what_informers_change(c: Cluster) -> tuple[Any, ...]:
    """Everything a pod informer or the timeline may change when told of a write."""
    e = c.engine
    return (list(e._queue), dict(e._timer_due), set(c.scheduler.unschedulable),
            set(c.scheduler.anti_affinity), dict(c.scheduler.nominations),
            dict(c.tainteviction.checked), dict(c.tainteviction.scheduled),
            {k: id(w) for k, w in c.kubelet.work.items()}, set(c.network._warned),
            list(c.timeline.evictions), list(c.timeline.rollouts), c.store.resource_version())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_quiet_writes_concern_no_other_informer(name: str, monkeypatch: pytest.MonkeyPatch
                                                ) -> None:
    seen = {"quiet": 0, "loud": 0}
    general = Cluster._on_pod

    def checking(self: Cluster, old: Obj | None, new: Obj | None) -> None:
        if old is new and new is not None and quiet_status_write(
                new, self.kubelet.work, self.tainteviction.checked):
            seen["quiet"] += 1
            before = _what_informers_change(self)
            self.timeline.observe_pod(old, new, self.clock)
            for on_pod in self._pod_informers:
                if on_pod != self.daemonsets.on_pod:
                    on_pod(old, new)
            assert _what_informers_change(self) == before, new["metadata"]["name"]
        else:
            seen["loud"] += 1
        general(self, old, new)

    monkeypatch.setattr(Cluster, "_on_pod", checking)
    SCENARIOS[name]()
    assert seen["quiet"] >= 10 and seen["loud"] >= 10


def test_the_cluster_uses_the_shortcut() -> None:
    """The shortcut is the one Cluster._on_pod asks (a renamed import would leave the
    test above checking a function nobody calls)."""
    assert cluster_module.quiet_status_write is quiet_status_write


KEY = ("Pod", "default", "p")


def _pod(**changes: Any) -> Obj:
    pod: Obj = {"metadata": {"name": "p", "namespace": "default", "generation": 1,
                             "ownerReferences": [{"kind": "DaemonSet", "name": "ds",
                                                  "uid": "u", "controller": True}]},
                "spec": {"nodeName": "n1", "affinity": {"nodeAffinity": {}}},
                "status": {"phase": "Running", "observedGeneration": 1}}
    for path, value in changes.items():
        part, field = path.split("__")
        pod[part][field] = value
    return pod


# Each row: one reason an informer other than the DaemonSet controller's must hear of it.
LOUD = {
    "unbound (scheduler)": _pod(spec__nodeName=""),
    "being deleted (kubelet, timeline)": _pod(metadata__deletionTimestamp="2026-01-01T00:00:00Z"),
    "failed (timeline)": _pod(status__phase="Failed"),
    "pod anti-affinity (scheduler)": _pod(spec__affinity={"podAntiAffinity": {"x": 1}}),
    "network plugin (network)": _pod(metadata__annotations={
        "dstutor.io/network-plugin": "calico"}),
    "ReplicaSet's pod (deployment)": _pod(metadata__ownerReferences=[
        {"kind": "ReplicaSet", "name": "rs", "uid": "r", "controller": True}]),
    "spec changed (kubelet)": _pod(metadata__generation=2),
}


def test_a_kubelet_status_write_of_a_daemon_pod_is_quiet() -> None:
    assert quiet_status_write(_pod(), {KEY: object()}, {KEY: "n1"})  # type: ignore[dict-item]


@pytest.mark.parametrize("why", sorted(LOUD))
def test_writes_another_informer_acts_on_are_not_quiet(why: str) -> None:
    assert not quiet_status_write(LOUD[why], {KEY: object()},  # type: ignore[dict-item]
                                  {KEY: "n1"})


def test_pods_the_kubelet_or_taint_manager_have_not_seen_are_not_quiet() -> None:
    work = {KEY: object()}
    assert not quiet_status_write(_pod(), {}, {KEY: "n1"})  # kubelet: no work yet
    assert not quiet_status_write(_pod(), work, {})  # type: ignore[arg-type]
    assert not quiet_status_write(_pod(), work, {KEY: "n0"})  # type: ignore[arg-type]
