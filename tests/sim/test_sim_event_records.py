"""Issue 19: Events are stored as compact records until read (sim/eventstore.py). Every
reader must see exactly what it saw when each Event was a dict: the same dicts (key
order included), resourceVersions, listing and iteration order, expiry, listener calls,
saved state and pickled copies. Each test runs the same history on the product's Cluster
and on one whose record_event is the code that stored dicts (tests/sim/event_reference.py)."""

from __future__ import annotations

import json
import pickle
from typing import Any

from event_reference import DictEventsCluster
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_builders import make_daemonset

from dstutor.errors import DstutorError
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster
from dstutor.sim.events import AGGREGATE_INTERVAL_SECONDS, EVENT_TTL_SECONDS
from dstutor.sim.eventstore import is_record
from dstutor.sim.snapshot import export_state, import_state

GAPS = (0.0, 1.0, 30.0, 301.0, AGGREGATE_INTERVAL_SECONDS + 1, EVENT_TTL_SECONDS - 1,
        EVENT_TTL_SECONDS, EVENT_TTL_SECONDS + 1)


def _objects() -> list[dict[str, Any]]:
    def obj(kind: str, name: str, namespace: str, api: str = "v1",
            annotations: dict[str, str] | None = None) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": name, "uid": f"uid-{name}", "resourceVersion": "7"}
        if namespace:
            meta["namespace"] = namespace
        if annotations:
            meta["annotations"] = annotations
        return {"apiVersion": api, "kind": kind, "metadata": meta}

    return [obj("Pod", "agent-a", "default"), obj("Pod", "agent-b", "kube-system"),
            obj("Pod", "etcd-cp", "kube-system",
                annotations={"kubernetes.io/config.mirror": "static-uid"}),
            obj("DaemonSet", "agent", "default", "apps/v1"), obj("Node", "worker-1", "")]


COMPONENTS = (("kubelet", "worker-1"), ("default-scheduler", ""), ("daemonset-controller", ""))
REASONS = (("Normal", "Pulled"), ("Warning", "BackOff"), ("Normal", "SuccessfulCreate"))

record_op = st.tuples(st.just("record"), st.integers(0, 4), st.integers(0, 2),
                      st.integers(0, 2), st.integers(0, 11), st.booleans())
ops = st.lists(st.one_of(
    record_op, record_op, record_op,
    st.tuples(st.just("advance"), st.sampled_from(GAPS)),
    st.tuples(st.just("read"), st.integers(0, 4), st.integers(0, 50)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("update"), st.integers(0, 50)),
    st.tuples(st.just("bump"), st.integers(0, 4)),
    st.tuples(st.just("pickle")),
    st.tuples(st.just("listen")),
), max_size=60)


class Recorder:
    """A listener that watches Events (as serve's watch does), attached mid-history;
    a class, not a closure, so that the cluster still pickles."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, kind: str, old: Any, new: Any) -> None:
        if kind == "Event":
            self.calls.append(json.dumps([old, new]))


def _event_names(cluster: Cluster) -> list[tuple[str, str]]:
    # The stored keys without reading any Event (a read would build its dict).
    return sorted(cluster.store._by_kind.get("Event", {}))


def _step(cluster: Cluster, objects: list[dict[str, Any]], op: tuple[Any, ...]) -> Any:
    """One step of a history; returns what a reader saw (to compare, as JSON text)."""
    kind = op[0]
    if kind == "record":
        _, which, source, reason, message, container = op
        component, host = COMPONENTS[source]
        etype, why = REASONS[reason]
        cluster.record_event(objects[which], etype, why, f"message {message}",
                             component=component, host=host,
                             field_path="spec.containers{agent}" if container else "")
        return None
    if kind == "advance":
        cluster.advance(op[1])
        return None
    if kind == "listen":
        cluster.store.listeners.append(Recorder())
        return None
    if kind == "bump":
        meta = objects[op[1]]["metadata"]
        meta["resourceVersion"] = str(int(meta["resourceVersion"]) + 1)
        return None
    names = _event_names(cluster)
    if kind == "read":
        read, index = op[1], op[2]
        store = cluster.store
        if read == 0:
            return store.get("Event", *names[index % len(names)]) if names else None
        if read == 1:
            return store.list("Event")
        if read == 2:
            return store.list("Event", "kube-system")
        if read == 3:
            return list(store.iter_kind("Event"))
        return store.count("Event")
    if kind in ("delete", "update") and names:
        namespace, name = names[op[1] % len(names)]
        try:
            if kind == "delete":
                return cluster.delete("Event", namespace, name)
            event = cluster.get("Event", namespace, name)
            event["message"] = "edited by hand"
            return cluster.update(event)
        except DstutorError as exc:
            return str(exc)
    return None


def _text(value: Any) -> str:
    return json.dumps(value)  # no sort_keys: key order is part of what a reader sees


def _state(cluster: Cluster) -> list[str]:
    """Everything a reader can see of the Events, read last (reads build dicts)."""
    store = cluster.store
    saved = _text(export_state(cluster))  # before any read: saving builds copies only
    return [saved, str(store.resource_version()), str(store.count("Event")),
            _text(list(store.iter_kind("Event"))), _text(store.list("Event")),
            _text(store.list("Event", "default")), str(store.resource_version())]


def _run(history: list[tuple[Any, ...]]) -> tuple[list[str], list[str]]:
    clusters: list[Cluster] = [Cluster(), DictEventsCluster()]
    objects = [_objects(), _objects()]
    seen: list[list[str]] = [[], []]
    for op in history:
        for i in (0, 1):
            if op[0] == "pickle":
                clusters[i] = pickle.loads(pickle.dumps(clusters[i], pickle.HIGHEST_PROTOCOL))
            else:
                seen[i].append(_text(_step(clusters[i], objects[i], op)))
    for i in (0, 1):  # what the listeners heard, in order
        seen[i] += [call for listener in clusters[i].store.listeners
                    if isinstance(listener, Recorder) for call in listener.calls]
    return seen[0] + _state(clusters[0]), seen[1] + _state(clusters[1])


@settings(max_examples=60, deadline=None)
@given(ops)
def test_compact_events_read_as_the_dicts_did(history: list[tuple[Any, ...]]) -> None:
    compact, plain = _run(history)
    assert compact == plain


def test_a_long_history_with_expiry_reads_the_same() -> None:
    history: list[tuple[Any, ...]] = []
    for round_ in range(30):
        for i in range(12):
            history.append(("record", i % 5, i % 3, (i + round_) % 3, (i * round_) % 12,
                            i % 2 == 0))
        history.append(("advance", GAPS[round_ % len(GAPS)]))
        if round_ % 7 == 3:
            history.append(("read", round_ % 5, round_))
        if round_ % 11 == 5:
            history.append(("pickle",))
        if round_ == 17:
            history.append(("listen",))
    compact, plain = _run(history)
    assert compact == plain


def test_recorded_events_stay_records_until_read() -> None:
    cluster = Cluster()
    objects = _objects()
    for which in range(3):
        _step(cluster, objects, ("record", which, 0, 0, which, False))
    _step(cluster, objects, ("record", 0, 0, 0, 0, False))  # a repeat: count 2
    entries = cluster.store.event_entries()
    assert [is_record(e) for e in entries] == [True] * 3
    assert cluster.store.count("Event") == 3
    first = cluster.store.get("Event", *_event_names(cluster)[0])
    assert first is not None and first is cluster.store.get("Event", *_event_names(cluster)[0])
    assert sum(is_record(e) for e in cluster.store.event_entries()) == 2
    assert [e["count"] for e in cluster.store.list("Event")] == [2, 1, 1]
    assert not any(is_record(e) for e in cluster.store.event_entries())


def _listened(cluster: Cluster) -> list[str]:
    calls: list[str] = []
    cluster.store.listeners.append(
        lambda kind, old, new: calls.append(_text([kind, old, new])) if kind == "Event" else None)
    return calls


def test_a_listener_sees_the_same_calls() -> None:
    """A listener that watches Events (serve's watch) gets the dicts as before."""
    calls = []
    for cluster in (Cluster(), DictEventsCluster()):
        seen = _listened(cluster)
        objects = _objects()
        for i in range(40):
            _step(cluster, objects, ("record", i % 5, i % 3, i % 3, i % 4, i % 2 == 0))
            if i % 10 == 9:
                cluster.advance(EVENT_TTL_SECONDS / 2)
        calls.append(seen + _state(cluster))
    assert calls[0] == calls[1]


def test_removals_reach_the_informers_with_the_event_as_stored() -> None:
    """Records are removed (TTL) with their dict handed to every listener, informers too."""
    calls = []
    for cluster in (Cluster(), DictEventsCluster()):
        removed: list[str] = []
        dispatch = cluster._dispatch

        def spy(kind: str, old: Any, new: Any, dispatch: Any = dispatch,
                removed: list[str] = removed) -> None:
            if kind == "Event" and new is None:
                removed.append(_text(old))
            dispatch(kind, old, new)

        cluster.store.listeners[cluster.store.listeners.index(dispatch)] = spy
        cluster.store.event_blind.append(spy)
        objects = _objects()
        for i in range(20):
            _step(cluster, objects, ("record", i % 5, i % 3, i % 3, i, False))
        cluster.advance(EVENT_TTL_SECONDS + 1)
        calls.append(removed + _state(cluster))
    assert len(calls[0]) > 7 and calls[0] == calls[1]


def _scenario(cluster: Cluster, reads: bool) -> list[str]:
    """A DaemonSet's life on real nodes: pulls, a crashing image, a node failing, a
    rolling update, deletion, an hour and more of time; read between steps or not."""

    seen: list[str] = []
    for i in range(4):
        cluster.add_node(f"worker-{i}", ready=True)
    ds = make_daemonset("agent", strategy="RollingUpdate")
    cluster.create(ds)
    crash = make_daemonset("crash", strategy="OnDelete")
    crash["spec"]["template"]["spec"]["containers"][0]["image"] = "crash:1"
    cluster.kubelet.crashing.add("crash:1")
    cluster.create(crash)
    for step, gap in enumerate((5, 30, 120, 600, 1800, 3600, 30, 3700)):
        cluster.advance(gap)
        if step == 2:
            cluster.kubelet.nodes["worker-1"].alive = False
        if step == 4:
            live = cluster.get("DaemonSet", "default", "agent")
            live["spec"]["template"]["spec"]["containers"][0]["image"] = "agent:2"
            cluster.update(live)
        if step == 6:
            cluster.delete("DaemonSet", "default", "crash")
        if reads:
            seen.append(_text(cluster.list("Event")))
        seen.append(str(cluster.store.resource_version()))
    return seen + _state(cluster)


def test_a_daemonset_scenario_reads_the_same() -> None:
    for reads in (False, True):
        compact, plain = _scenario(Cluster(), reads), _scenario(DictEventsCluster(), reads)
        assert len(compact) > 10 and compact == plain


def test_a_restored_snapshot_reads_the_same() -> None:
    compact, plain = Cluster(), DictEventsCluster()
    for cluster in (compact, plain):
        objects = _objects()
        for i in range(30):
            _step(cluster, objects, ("record", i % 5, i % 3, i % 3, i % 6, False))
    restored = [import_state(json.loads(_text(export_state(c)))) for c in (compact, plain)]
    assert _state(restored[0]) == _state(restored[1])


def test_the_default_cluster_settles_the_same() -> None:
    """The shell's own start-up cluster: system pods, kubeadm's static pods, their events."""
    compact = default_cluster()
    texts = _text(export_state(compact))
    assert any(is_record(e) for e in compact.store.event_entries())
    assert texts == _text(export_state(pickle.loads(pickle.dumps(compact))))
