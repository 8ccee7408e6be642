"""Save and restore a whole simulated cluster as plain data (JSON-compatible).

A snapshot holds every object plus the little the components remember outside the
store (kubelet progress, image caches, silent kubelets, scheduled evictions, timers,
the name generator), so a restored cluster carries on exactly where the saved one
stood. Snapshots are data, never code: loading one only builds dicts, so an untrusted
file cannot run anything.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from dstutor.controller.kubelet import NodeAgent, PodWork
from dstutor.errors import DstutorError
from dstutor.model.kinds import KINDS
from dstutor.model.objects import Obj, clone
from dstutor.model.timefmt import parse_rfc3339
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.events import EventCorrelator

FORMAT = "dstutor/snapshot-v1"


class SnapshotError(DstutorError):
    """A snapshot file that cannot be restored."""


def _tuple(value: Any) -> Any:
    """JSON has no tuples; queue keys come back as lists and must be tuples again."""
    if isinstance(value, list):
        return tuple(_tuple(v) for v in value)
    return value


def export_state(cluster: Cluster) -> dict[str, Any]:
    engine = cluster.engine
    timers = [[queue, list(key) if isinstance(key, tuple) else key, due]
              for (queue, key), due in sorted(engine._timer_due.items(), key=lambda i: i[1])]
    rng_state = cluster.names._rng.getstate()
    return {
        "format": FORMAT,
        "clock": {"now": cluster.clock.now(), "mode": cluster.clock.mode,
                  "speed": cluster.clock.speed},
        "timing": dict(cluster.timing),
        "registry": {"missing": sorted(cluster.kubelet.missing),
                     "crashing": sorted(cluster.kubelet.crashing)},
        "random": [rng_state[0], list(rng_state[1]), rng_state[2]],
        "nodeIndex": cluster._node_index,
        "eventSeq": cluster._event_seq,
        "events": cluster.events.export(),
        "recordPodEvents": cluster.record_pod_events,
        "objects": [clone(o) for kind in KINDS for o in cluster.store.list(kind)],
        "resourceVersion": cluster.store.resource_version(),
        "kubelet": {
            "nodes": {name: {"alive": a.alive, "images": sorted(a.images),
                             "nextIP": a.next_ip} for name, a in cluster.kubelet.nodes.items()},
            "work": [[list(key), asdict(w)] for key, w in sorted(cluster.kubelet.work.items())],
        },
        "silentSince": dict(cluster.nodelifecycle.silent_since),
        "taintEviction": [[list(key), when] for key, when in
                          sorted(cluster.tainteviction.scheduled.items())],
        "timers": timers,
    }


def import_state(data: Any, *, clock: Clock | None = None) -> Cluster:
    """Rebuild a cluster from export_state's data; raises SnapshotError if it is not one."""
    try:
        return _import(data, clock)
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise SnapshotError(f"error: the snapshot is damaged ({type(exc).__name__}: {exc})"
                            ) from None


def _import(data: Any, clock: Clock | None) -> Cluster:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError(f"error: not a dstutor snapshot (expected format {FORMAT})")
    saved_clock = data["clock"]
    new_clock = clock or Clock(mode="manual")
    new_clock._now = float(saved_clock["now"])
    new_clock.rebase()
    cluster = Cluster.__new__(Cluster)
    Cluster.__init__(cluster, clock=new_clock, timing=data["timing"],
                     missing_images=data["registry"]["missing"],
                     crashing_images=data["registry"]["crashing"],
                     record_pod_events=bool(data.get("recordPodEvents", True)))
    # The fresh cluster made its own namespaces; the snapshot's objects replace them all.
    store = cluster.store
    listeners, store.listeners = store.listeners, []
    for kind in KINDS:
        for obj in store.list(kind):
            store.remove(obj)
    for obj in data["objects"]:
        if not isinstance(obj, dict) or obj.get("kind") not in KINDS:
            raise SnapshotError("error: the snapshot holds an object of an unknown kind")
        store.put(clone(obj))
        obj_rv = obj.get("metadata", {}).get("resourceVersion")
        if obj_rv is not None:
            store.get(*_key(obj))["metadata"]["resourceVersion"] = obj_rv  # type: ignore[index]
    store._revision = int(data["resourceVersion"])
    store.listeners = listeners
    state = data["random"]
    cluster.names._rng.setstate((state[0], tuple(state[1]), state[2]))
    cluster._node_index = int(data["nodeIndex"])
    cluster._event_seq = int(data["eventSeq"])
    if "events" in data:
        cluster.events = EventCorrelator.restore(data["events"])
    else:  # saved before the correlator was part of a snapshot
        for event in store.list("Event"):
            first = event.get("firstTimestamp")
            cluster.events.adopt(event, parse_rfc3339(first) if first else 0.0)
    kubelet = cluster.kubelet
    kubelet.nodes = {name: NodeAgent(alive=bool(a["alive"]), images=set(a["images"]),
                                     next_ip=int(a["nextIP"]))
                     for name, a in data["kubelet"]["nodes"].items()}
    kubelet.work = {_tuple(key): PodWork(**work) for key, work in data["kubelet"]["work"]}
    cluster.nodelifecycle.silent_since = {k: float(v) for k, v in data["silentSince"].items()}
    engine = cluster.engine
    for queue, key, due in data["timers"]:
        if not engine.handles(str(queue)) or not math.isfinite(float(due)):
            raise SnapshotError(f"error: the snapshot is damaged (a timer for {queue!r})")
        engine.enqueue_at(str(queue), _tuple(key), float(due))
    # Scheduled evictions keep their time; saved before they were part of a snapshot,
    # each one is still there as its timer.
    scheduled = data.get("taintEviction")
    if scheduled is None:
        scheduled = [[key, due] for queue, key, due in data["timers"] if queue == "tainteviction"]
    cluster.tainteviction.scheduled = {_tuple(key): float(when) for key, when in scheduled}
    # Controllers rebuild what they cache with one full look at everything.
    for ds in store.list("DaemonSet"):
        cluster.daemonsets.on_daemonset(None, ds)
    for pod in store.list("Pod"):
        cluster.scheduler.on_pod(None, pod) if not pod["spec"].get("nodeName") else None
        nominated = pod.get("status", {}).get("nominatedNodeName")
        if nominated and not pod["spec"].get("nodeName"):
            cluster.scheduler.nominations[_key(pod)] = str(nominated)
    new_clock.mode = saved_clock.get("mode", "manual") if clock is None else new_clock.mode
    cluster.settle()
    return cluster


def _key(obj: Obj) -> tuple[str, str, str]:
    meta = obj.get("metadata", {})
    return (obj["kind"], meta.get("namespace", "") or "", meta.get("name", ""))
