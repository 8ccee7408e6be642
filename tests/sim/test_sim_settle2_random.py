"""settle2's short ways (sim/informers.py pod_written_in_place, Store.put_created_pod and
Cluster._on_pod's own-create path) against the general paths they stand for, on random
clusters: nodes joining, failing and recovering, DaemonSets with maxSurge or
maxUnavailable rollouts and minReadySeconds, image updates, pods deleted, time passing.
After every pod write the informers' state and the store's indexes are alike, and so is
every object at the end of each action."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstutor.model.objects import Obj, canonical_json
from dstutor.sim import cluster as cluster_module
from dstutor.sim.cluster import Cluster
from dstutor.sim.store import Store
from tests.sim import write_trace
from tests.sim.test_sim_created_pods import general_on_pod, general_put_created_pod
from tests.sim.test_sim_in_place_writes import general_in_place

STRATEGIES = [None, {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1,
                                                                 "maxUnavailable": 0}},
              {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}},
              {"type": "OnDelete"}]
ACTION = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from([0.5, 1, 2, 3, 10])),
    st.tuples(st.just("join"), st.integers(0, 5)),
    st.tuples(st.just("ds"), st.integers(0, 2), st.sampled_from(range(len(STRATEGIES))),
              st.sampled_from([0, 2])),
    st.tuples(st.just("image"), st.integers(0, 2), st.integers(1, 3)),
    st.tuples(st.just("delete-pod"), st.integers(0, 2), st.integers(0, 9)),
    st.tuples(st.just("fail"), st.integers(0, 5)),
    st.tuples(st.just("recover"), st.integers(0, 5)),
)


def _state(c: Cluster, kind: str, new: Any) -> tuple[Any, ...]:
    store, e = c.store, c.engine
    return (kind, store.resource_version(), list(e._queue),
            sorted(map(repr, e._timer_due.items())),
            {u: list(s.dirty) for u, s in c.daemonsets.states.items()},
            sorted((k, r.owner, r.node, r.checked, repr(r.work),
                    r.signature and (*r.signature[:4], *r.signature[5:]))
                   for k, r in store.pod_records.items()),
            {o: {n: list(keys) for n, keys in per.items()}
             for o, per in store._pods_by_owner_node.items()},
            {n: list(keys) for n, keys in store._pods_by_node.items()},
            sorted(store._unplaced), sorted(c.scheduler.unschedulable))


def _play(actions: list[tuple[Any, ...]], fast: bool) -> list[Any]:
    log: list[Any] = []
    with ExitStack() as stack:
        if not fast:
            stack.callback(setattr, Cluster, "_on_pod", Cluster._on_pod)
            stack.callback(setattr, Store, "put_created_pod", Store.put_created_pod)
            stack.callback(setattr, cluster_module, "pod_written_in_place",
                           cluster_module.pod_written_in_place)
            Cluster._on_pod = general_on_pod  # type: ignore[method-assign]
            Store.put_created_pod = general_put_created_pod  # type: ignore[method-assign]
            cluster_module.pod_written_in_place = general_in_place
        c = Cluster(seed=7, record_pod_events=False)
        c.store.listeners.append(
            lambda kind, old, new: log.append(_state(c, kind, new)) if kind == "Pod" else None)
        for i in range(3):
            c.add_node(f"node-{i}", ready=True)
        for action in actions:
            _act(c, action)
            log.append(canonical_json({k: c.store.list(k) for k in ("Pod", "DaemonSet")}))
        c.advance(None)
        log.append(canonical_json({k: c.store.list(k) for k in ("Pod", "DaemonSet", "Event")}))
    return log


def _act(c: Cluster, action: tuple[Any, ...]) -> None:
    nodes = {n["metadata"]["name"] for n in c.store.list("Node")}
    op = action[0]
    if op == "advance":
        c.advance(action[1])
    elif op == "join" and f"node-{action[1]}" not in nodes:
        c.add_node(f"node-{action[1]}", ready=True)
    elif op == "ds" and c.store.get("DaemonSet", "default", f"ds-{action[1]}") is None:
        c.create(write_trace._ds(f"ds-{action[1]}", [{"name": "c", "image": "img:0"}],
                                 strategy=STRATEGIES[action[2]], min_ready=action[3]))
    elif op == "image" and c.store.get("DaemonSet", "default", f"ds-{action[1]}"):
        ds: Obj = c.get("DaemonSet", "default", f"ds-{action[1]}")
        ds["spec"]["template"]["spec"]["containers"][0]["image"] = f"img:{action[2]}"
        c.update(ds)
    elif op == "delete-pod":
        pods = c.pods_of(f"ds-{action[1]}")
        if pods:
            c.delete("Pod", "default", pods[action[2] % len(pods)]["metadata"]["name"])
    elif op == "fail" and f"node-{action[1]}" in nodes:
        c.fail_node(f"node-{action[1]}")
    elif op == "recover" and f"node-{action[1]}" in nodes:
        c.recover_node(f"node-{action[1]}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ACTION, min_size=3, max_size=12))
def test_random_clusters_as_the_general_paths(actions: list[tuple[Any, ...]]) -> None:
    actions = [("ds", 0, 1, 0), *actions]  # (a DaemonSet from the start: pods to write)
    fast, general = _play(actions, True), _play(actions, False)
    assert len(fast) == len(general)
    for at, (a, b) in enumerate(zip(fast, general, strict=True)):
        assert a == b, at
