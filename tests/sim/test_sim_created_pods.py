"""The DaemonSet controller's creates take two short ways: the store puts each new pod
under the controller uid and target node the controller made it for
(Store.put_created_pod, sim/podindex.py), and Cluster._on_pod tells such a create to
the DaemonSet controller and the scheduler alone (concerned_informers' answer for it).
Each scenario is played with them and with the general paths they stand for (put(),
concerned_informers): after every pod created, the store's tables and indexes, the
engine's queue and the controllers' state are alike, and so is every visible state."""

from __future__ import annotations

from typing import Any

import pytest

from dstutor.model.objects import Obj, key_of
from dstutor.sim import podindex
from dstutor.sim.cluster import Cluster
from dstutor.sim.informers import TIMELINE, concerned_informers
from dstutor.sim.store import Store
from tests.sim import write_trace
from tests.sim.test_sim_in_place_writes import CASES


def general_on_pod(self: Cluster, old: Obj | None, new: Obj | None) -> None:
    """Cluster._on_pod as it was before settle2: concerned_informers for every write."""
    concerned = concerned_informers(old, new, self.store.pod_records, None)
    timeline = concerned & TIMELINE
    if timeline:
        self.timeline.observe_pod(old, new, self.clock)
    for on_pod in self._pod_informer_sets[concerned >> 1]:
        on_pod(old, new)
    if timeline and (new is None or new["metadata"].get("deletionTimestamp")):
        self.gc.on_any("Pod", old, new)


def general_put_created_pod(self: Store, obj: Obj, key: Any, owner: str, refs: object,
                            node: str) -> None:
    """put(), checking on the way that the caller's word holds."""
    assert key not in self.pod_records and key == key_of(obj)
    self.put(obj)
    record = self.pod_records[key]
    assert (record.owner, record.node) == (owner, node)
    assert obj["metadata"]["ownerReferences"] is refs


def _store_state(c: Cluster, pod: Obj) -> tuple[Any, ...]:
    store = c.store
    key = key_of(pod)
    record = store.pod_records[key]
    signature: Any = None
    if record.signature is not None:
        sig = record.signature
        signature = (*sig[:4], *sig[5:])  # (its ownerReferences list by id: see below)
    stored = store.stored_key(record, key)
    return (pod["metadata"]["resourceVersion"], record.owner, record.node, signature,
            stored == key, list(store.pods_of_owner(record.owner).get(record.node, ())),
            list(store._pods_by_node.get(record.node, ())), sorted(store._unplaced),
            store._owner_refs.get(record.owner) is pod["metadata"]["ownerReferences"],
            sorted(store._sorted_keys), sorted(store._sorted_objs),
            store._pod_uids is not None and store._pod_uids.get(pod["metadata"]["uid"]) is pod,
            list(c.engine._queue),
            {u: list(s.dirty) for u, s in c.daemonsets.states.items()})


def _play(name: str, fast: bool, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[str, list[tuple[Any, ...]], int]:
    log: list[tuple[Any, ...]] = []
    own = [0]

    def logged(cluster: Cluster, kind: str, old: Any, new: Any) -> None:
        if kind == "Pod" and old is None and new is not None:
            own[0] += cluster.daemonsets._creating is not None
            log.append(_store_state(cluster, new))

    with monkeypatch.context() as m:
        m.setattr(write_trace, "EXTRA_LISTENERS", [logged])
        if not fast:
            m.setattr(Cluster, "_on_pod", general_on_pod)
            m.setattr(Store, "put_created_pod", general_put_created_pod)
        recorder = CASES[name]()
    return recorder.hash.hexdigest(), log, own[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_created_pods_as_the_general_path(name: str, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    fast_digest, fast_log, fast_own = _play(name, True, monkeypatch)
    general_digest, general_log, general_own = _play(name, False, monkeypatch)
    assert fast_own == general_own and fast_own >= 4
    assert fast_digest == general_digest
    for at, (fast, general) in enumerate(zip(fast_log, general_log, strict=True)):
        assert fast == general, at


def test_the_store_puts_created_pods_so() -> None:
    """Store.put_created_pod is the function tested here, and the DaemonSet
    controller's creates go through it."""
    assert Store.put_created_pod is podindex.put_created_pod
    calls: list[str] = []
    real = podindex.put_created_pod

    def counting(self: Store, obj: Obj, *args: Any) -> None:
        calls.append(obj["metadata"]["name"])
        real(self, obj, *args)

    Store.put_created_pod = counting  # type: ignore[method-assign]
    try:
        c = Cluster()
        for i in range(3):
            c.add_node(f"node-{i}", ready=True)
        c.create(write_trace._ds("agent", [{"name": "agent", "image": "agent:1"}]))
        c.advance(None)
    finally:
        Store.put_created_pod = real  # type: ignore[method-assign]
    assert sorted(calls) == sorted(p["metadata"]["name"] for p in c.pods_of("agent"))
