"""A pod write in place (touch, a status update) reaches the informers through
sim/informers.py's pod_written_in_place: concerned_informers' questions and the
DaemonSet controller's signature answered from one look at the pod and its record. The
general path it stands for asks concerned_informers, then tells each concerned informer
(the DaemonSet controller through its own on_pod). Each scenario below is played both
ways: after every in-place write, what any informer keeps (the engine's queue and
timers, the controllers' per-pod state, the DaemonSet controller's dirty nodes and
the pod's signature) is alike, and so is every visible state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dstutor.model.objects import Obj
from dstutor.sim import cluster as cluster_module
from dstutor.sim.cluster import Cluster
from dstutor.sim.informers import POD_INFORMER_BITS, TIMELINE, concerned_informers
from tests.sim import write_trace
from tests.sim.write_trace import SCENARIOS, Recorder


def general_in_place(cluster: Cluster, pod: Obj) -> None:
    """Cluster._on_pod(pod, pod) as it was before pod_written_in_place."""
    concerned = concerned_informers(pod, pod, cluster.store.pod_records, None)
    if concerned & TIMELINE:
        cluster.timeline.observe_pod(pod, pod, cluster.clock)
    for bit, on_pod in zip(POD_INFORMER_BITS, cluster._pod_informers, strict=True):
        if concerned & bit:
            on_pod(pod, pod)
    if concerned & TIMELINE and pod["metadata"].get("deletionTimestamp"):
        cluster.gc.on_any("Pod", pod, pod)


def _informer_state(c: Cluster, pod: Obj) -> tuple[Any, ...]:
    meta = pod["metadata"]
    record = c.store.pod_records.get(("Pod", meta["namespace"], meta["name"]))
    signature: Any = None
    if record is not None and record.signature is not None:
        # (Its ownerReferences list by id: the same list in both runs, not the same id.)
        sig = record.signature
        assert sig[4] == id(meta.get("ownerReferences"))
        signature = (*sig[:4], *sig[5:])
    e = c.engine
    return (meta["resourceVersion"], list(e._queue), sorted(map(repr, e._timer_due.items())),
            sorted(c.scheduler.unschedulable), sorted(c.scheduler.anti_affinity),
            sorted(c.tainteviction.checked.items()), sorted(c.tainteviction.scheduled),
            sorted(c.network._warned), repr(c.timeline.evictions),
            {u: list(s.dirty) for u, s in c.daemonsets.states.items()}, signature,
            record is not None and repr(record.work))


def _play(scenario: Callable[[], Recorder], fast: bool, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[str, list[tuple[Any, ...]]]:
    log: list[tuple[Any, ...]] = []
    tell = cluster_module.pod_written_in_place if fast else general_in_place

    def logged(cluster: Cluster, pod: Obj) -> None:
        tell(cluster, pod)
        log.append(_informer_state(cluster, pod))

    with monkeypatch.context() as m:
        m.setattr(cluster_module, "pod_written_in_place", logged)
        recorder = scenario()
    return recorder.hash.hexdigest(), log


def surge() -> Recorder:
    """A maxSurge rollout: two pods of one DaemonSet on a node (the signature names the
    node then), a deletion, and a node that fails."""
    c = Cluster(seed=5)
    r = Recorder(c)
    for i in range(4):
        c.add_node(f"node-{i}", ready=True)
    c.create(write_trace._ds("agent", [{"name": "agent", "image": "agent:1"}],
                             strategy={"type": "RollingUpdate", "rollingUpdate": {
                                 "maxSurge": 1, "maxUnavailable": 0}}, min_ready=2))
    r.advance(None)
    ds = c.get("DaemonSet", "default", "agent")
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "agent:2"
    c.update(ds)
    r.advance(1, times=4)
    c.delete("Pod", "default", c.pods_of("agent")[0]["metadata"]["name"])
    r.advance(1, times=3)
    c.fail_node("node-1")
    r.advance(None)
    return r


CASES: dict[str, Callable[[], Recorder]] = {**SCENARIOS, "surge": surge}


@pytest.mark.parametrize("name", sorted(CASES))
def test_in_place_writes_as_the_general_path(name: str, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    fast_digest, fast_log = _play(CASES[name], True, monkeypatch)
    general_digest, general_log = _play(CASES[name], False, monkeypatch)
    assert len(fast_log) > 20
    assert fast_digest == general_digest
    for at, (fast, general) in enumerate(zip(fast_log, general_log, strict=True)):
        assert fast == general, at


def test_the_cluster_tells_this_function() -> None:
    """Cluster._on_pod's in-place writes go through the function tested here (a renamed
    import would leave the test above playing a function nobody calls)."""
    calls: list[Obj] = []
    original = cluster_module.pod_written_in_place
    cluster_module.pod_written_in_place = lambda c, pod: (calls.append(pod), original(c, pod))
    try:
        c = Cluster()
        c.add_node("node-0", ready=True)
        c.create(write_trace._ds("agent", [{"name": "agent", "image": "agent:1"}]))
        c.advance(None)
    finally:
        cluster_module.pod_written_in_place = original
    assert len(calls) >= 3  # the binding, the kubelet's admission and start
