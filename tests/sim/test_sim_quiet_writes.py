"""Pod writes are told only to the informers they may concern (sim/informers.py): for
every write of every write_trace scenario, each informer left out, and the timeline,
would have done nothing at all. (Their visible states must still match the recording,
which test_sim_write_trace checks.)"""

from __future__ import annotations

from typing import Any

import pytest

from dstutor.model.objects import Obj
from dstutor.sim import cluster as cluster_module
from dstutor.sim.cluster import Cluster
from dstutor.sim.informers import (
    ALL,
    DAEMONSET,
    DEPLOYMENT,
    KUBELET,
    NETWORK,
    POD_INFORMER_BITS,
    SCHEDULER,
    TAINT_EVICTION,
    TIMELINE,
    concerned_informers,
)
from tests.sim.write_trace import SCENARIOS

# The scenarios are played for what happens during them; no test here reads a digest.
pytestmark = pytest.mark.usefixtures("no_digest")


def _what_informers_change(c: Cluster) -> tuple[Any, ...]:
    """Everything a pod informer or the timeline may change when told of a write."""
    e = c.engine
    return (list(e._queue), dict(e._timer_due), set(c.scheduler.unschedulable),
            set(c.scheduler.anti_affinity), dict(c.scheduler.nominations),
            dict(c.tainteviction.checked), dict(c.tainteviction.scheduled),
            {k: id(w) for k, w in c.kubelet.work.items()}, set(c.network._warned),
            list(c.timeline.evictions), list(c.timeline.rollouts), c.store.resource_version())


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_informers_left_out_would_do_nothing(name: str, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    left_out = {bit: 0 for bit in (TIMELINE, *POD_INFORMER_BITS)}
    general = Cluster._on_pod

    def checking(self: Cluster, old: Obj | None, new: Obj | None) -> None:
        concerned = concerned_informers(old, new, self.kubelet.work,
                                        self.tainteviction.checked)
        before = _what_informers_change(self)
        if not concerned & TIMELINE:
            left_out[TIMELINE] += 1
            self.timeline.observe_pod(old, new, self.clock)
        for bit, on_pod in zip(POD_INFORMER_BITS, self._pod_informers, strict=True):
            if not concerned & bit:
                left_out[bit] += 1
                on_pod(old, new)
        assert _what_informers_change(self) == before, (concerned, old is new, new)
        general(self, old, new)

    monkeypatch.setattr(Cluster, "_on_pod", checking)
    SCENARIOS[name]()
    assert left_out[DAEMONSET] == 0  # always told
    for bit in (TIMELINE, SCHEDULER, KUBELET, TAINT_EVICTION, DEPLOYMENT, NETWORK):
        assert left_out[bit] >= 10, bit


def test_the_cluster_asks_this_function() -> None:
    """The function Cluster._on_pod asks is the one tested (a renamed import would leave
    the test above checking a function nobody calls)."""
    assert cluster_module.concerned_informers is concerned_informers


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


# Each row: one reason an informer other than the DaemonSet controller's must hear of a
# status write in place, and which.
LOUD = {
    "unbound": (_pod(spec__nodeName=""), SCHEDULER),
    "being deleted": (_pod(metadata__deletionTimestamp="2026-01-01T00:00:00Z"),
                      TIMELINE | KUBELET),
    "failed": (_pod(status__phase="Failed"), TIMELINE),
    "pod anti-affinity": (_pod(spec__affinity={"podAntiAffinity": {"x": 1}}), SCHEDULER),
    "network plugin": (_pod(metadata__annotations={"dstutor.io/network-plugin": "calico"}),
                       NETWORK),
    "ReplicaSet's pod": (_pod(metadata__ownerReferences=[
        {"kind": "ReplicaSet", "name": "rs", "uid": "r", "controller": True}]), DEPLOYMENT),
    "spec changed": (_pod(metadata__generation=2), KUBELET),
}


def _asked(pod: Obj | None, *, old: Obj | None | str = "same", work: bool = True,
           checked: str = "n1") -> int:
    kubelet_work: Any = {KEY: object()} if work else {}
    return concerned_informers(pod if old == "same" else old,  # type: ignore[arg-type]
                               pod, kubelet_work, {KEY: checked} if checked else {})


def test_a_kubelet_status_write_of_a_daemon_pod_concerns_its_controller_only() -> None:
    assert _asked(_pod()) == DAEMONSET


@pytest.mark.parametrize("why", sorted(LOUD))
def test_each_reason_brings_its_informer_in(why: str) -> None:
    pod, wanted = LOUD[why]
    assert _asked(pod) == DAEMONSET | wanted


def test_pods_the_kubelet_or_taint_manager_have_not_seen() -> None:
    assert _asked(_pod(), work=False) == DAEMONSET | KUBELET
    assert _asked(_pod(), checked="") == DAEMONSET | TAINT_EVICTION
    assert _asked(_pod(), checked="n0") == DAEMONSET | TAINT_EVICTION
    assert _asked(_pod(), old=None) == DAEMONSET | TAINT_EVICTION  # created bound
    assert _asked(_pod(), old=_pod()) == DAEMONSET | TAINT_EVICTION  # replaced


def test_a_removal_concerns_every_informer() -> None:
    assert concerned_informers(_pod(), None, {}, {}) == ALL
