"""Save and restore a whole simulated cluster as plain data (JSON-compatible).

A snapshot holds every object plus the little the components remember outside the
store (kubelet progress, image caches, silent kubelets, scheduled evictions, timers,
the name generator), so a restored cluster carries on exactly where the saved one
stood. Snapshots are data, never code: loading one only builds dicts, so an untrusted
file cannot run anything.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator
from dataclasses import asdict
from typing import Any

from dstutor.controller.kubelet_work import ContainerWork, NodeAgent, PodWork, image_set
from dstutor.errors import DstutorError
from dstutor.model import validation
from dstutor.model.kinds import KINDS
from dstutor.model.objects import Obj, clone
from dstutor.model.timefmt import parse_rfc3339
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import DEFAULT_TIMING, Cluster
from dstutor.sim.eventrows import RowProblem, RowReader, namespace_of, row_of
from dstutor.sim.events import SPAM_BURST, EventCorrelator
from dstutor.sim.eventstore import EventRecord, event_dict, is_record
from dstutor.sim.timeline import Timeline

FORMAT = "dstutor/snapshot-v1"


class SnapshotError(DstutorError):
    """A snapshot file that cannot be restored."""


def _tuple(value: Any) -> Any:
    """JSON has no tuples; queue keys come back as lists and must be tuples again."""
    if isinstance(value, list):
        return tuple(_tuple(v) for v in value)
    return value


def export_state(cluster: Cluster, *, copies: bool = True, event_rows: bool = False
                 ) -> dict[str, Any]:
    """The cluster as plain data. `copies` False: the objects are the stored ones
    themselves, made one by one as they are read (an iterator, not a list: Events kept as
    records are made dicts only then), for a caller that writes them out at once
    (savefile.save_file): at 5,000 nodes, 300,000 objects neither copied nor all held.
    `event_rows`: an Event still kept as a record is written as its row instead of its
    dict (sim/eventrows.py: a save file's), in its place among the objects."""
    engine = cluster.engine
    timers = [[queue, list(key) if isinstance(key, tuple) else key, due]
              for queue, key, due in sorted(engine.timers(), key=lambda t: t[2])]
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
        "objects": ([o for kind in KINDS for o in _stored(cluster, kind, rows=event_rows)]
                    if copies else (o for kind in KINDS
                                    for o in _stored(cluster, kind, copies=False,
                                                     rows=event_rows))),
        "resourceVersion": cluster.store.resource_version(),
        "kubelet": {
            "nodes": {name: {"alive": a.alive, "images": sorted(a.images),
                             "nextIP": a.next_ip} for name, a in cluster.kubelet.nodes.items()},
            "work": _work(cluster, copies),
        },
        "silentSince": dict(cluster.nodelifecycle.silent_since),
        "taintEviction": [[list(key), when] for key, when in
                          sorted(cluster.tainteviction.scheduled.items())],
        "timers": timers,
        "timeline": cluster.timeline.export(),
    }


def _work(cluster: Cluster, copies: bool) -> list[list[Any]]:
    """The kubelet's progress per pod, by pod key. Pods share their progress records
    (kubelet_work.shared_work: at 5,000 nodes 50,000 steady pods hold one): without
    `copies`, each record is made a dict once, that dict written for every pod holding
    it (the caller writes them out at once, editing none)."""
    items = sorted(cluster.kubelet.work.items())
    if copies:
        return [[list(key), asdict(w)] for key, w in items]
    made: dict[int, tuple[PodWork, dict[str, Any]]] = {}  # (the record kept: ids stay)
    out = []
    for key, work in items:
        entry = made.get(id(work))
        if entry is None:
            entry = made[id(work)] = (work, asdict(work))
        out.append([list(key), entry[1]])
    return out


def _stored(cluster: Cluster, kind: str, *, copies: bool = True, rows: bool = False
            ) -> Iterator[Any]:
    """A kind's objects in list order, copies of them if `copies`. Events still kept as
    records are built for the snapshot only (saving reads nothing a learner asked for:
    sim/eventstore.py), or written as their rows if `rows`."""
    store = cluster.store
    if kind != "Event":
        for obj in store.list(kind):
            yield clone(obj) if copies else obj
        return
    for entry in store.event_entries_in_order():
        if rows and is_record(entry):
            yield {"kind": "Event", "record": row_of(entry)}  # type: ignore[arg-type]
            continue
        event: Obj = event_dict(entry) if is_record(entry) else entry  # type: ignore[arg-type, assignment]
        yield clone(event) if copies else event


def import_state(data: Any, *, clock: Clock | None = None, owned: bool = False) -> Cluster:
    """Rebuild a cluster from export_state's data; raises SnapshotError if it is not one.
    `owned`: the caller hands the data over (savefile.loads: just parsed, held by nothing
    else), so its objects are stored as they are, not copied."""
    try:
        return _import(data, clock, owned)
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise SnapshotError(f"error: the snapshot is damaged ({type(exc).__name__}: {exc})"
                            ) from None


def _import(data: Any, clock: Clock | None, owned: bool = False) -> Cluster:
    records = validate(data)
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
    for i, obj in enumerate(data["objects"]):
        record = records.get(i)
        if record is not None:  # an Event's row: its record again (sim/eventrows.py)
            store.restore_event_record(record)
            continue
        if not isinstance(obj, dict) or obj.get("kind") not in KINDS:
            raise SnapshotError("error: the snapshot holds an object of an unknown kind")
        # (Read first: an object stored as it is gets the store's own resourceVersion.)
        obj_rv = obj.get("metadata", {}).get("resourceVersion")
        store.put(obj if owned else clone(obj))
        stored = store.get(*_key(obj))  # just put, so always found
        if obj_rv is not None and stored is not None:
            stored["metadata"]["resourceVersion"] = obj_rv
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
    kubelet.nodes = {name: NodeAgent(alive=bool(a["alive"]), images=image_set(a["images"]),
                                     next_ip=int(a["nextIP"]))
                     for name, a in data["kubelet"]["nodes"].items()}
    kubelet.work = {_tuple(key): PodWork.from_dict(work) for key, work in data["kubelet"]["work"]}
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
    if "timeline" in data:  # saved before the timeline existed: it starts empty
        cluster.timeline = Timeline.restore(data["timeline"])
    # Controllers rebuild what they cache with one full look at everything.
    for ds in store.list("DaemonSet"):
        cluster.daemonsets.on_daemonset(None, ds)
    for pod in store.list("Pod"):
        # Unbound pods go back on the queue; bound ones with required anti-affinity are
        # remembered, or a new pod would skip the InterPodAffinity filter.
        cluster.scheduler.on_pod(None, pod)
        nominated = pod.get("status", {}).get("nominatedNodeName")
        if nominated and not pod["spec"].get("nodeName"):
            cluster.scheduler.nominations[_key(pod)] = str(nominated)
    new_clock.mode = saved_clock.get("mode", "manual") if clock is None else new_clock.mode
    cluster._events_expire_at = 0.0  # the saved events' TTLs are looked at afresh
    cluster.settle()
    return cluster


def _key(obj: Obj) -> tuple[str, str, str]:
    meta = obj.get("metadata", {})
    return (obj["kind"], meta.get("namespace", "") or "", meta.get("name", ""))


# --- validation: every field checked before anything is built ------------------------
# A snapshot file may come from anyone. Each field is checked for its type and range
# here, so a bad one is named in one line at `load` and never breaks a later command.

# How many strings make a work-queue key, per queue (0: one plain string).
TIMER_KEY_ARITY = {"daemonset": 2, "daemonset-node": 3, "scheduler": 3, "kubelet": 3,
                   "kubelet-backoff": 3, "node-ready": 0, "nodelifecycle": 0,
                   "tainteviction": 3, "gc": 3, "podgc": 0, "podgc-terminating": 0,
                   "deployment": 2, "replicaset": 2}
POD_KEY_ARITY = 3
MAX_SECONDS = 1e12  # about 31,700 years: anything a session can reach, and finite
MAX_TIMING_SECONDS = 30 * 86400.0
# A pod's progress (active/steady/killing), and each container's; snapshots saved before
# containers had their own progress carry a container stage on the pod.
_OLD_CONTAINER_STAGES = frozenset({"pulling", "starting", "running", "crashed", "pull-failed"})
# "stopping": stopped for a new image (controller/kubelet_restart.py)
CONTAINER_STAGES = _OLD_CONTAINER_STAGES | {"stopping"}
WORK_STAGES = frozenset({"active", "steady", "killing"}) | _OLD_CONTAINER_STAGES
LEGACY_WORK_FIELDS = frozenset({"backoff", "ready_at", "fresh_images"})
MT_STATE_WORDS = 625  # random.Random's Mersenne Twister state: 624 words and a position


def _damaged(path: str, problem: str) -> SnapshotError:
    return SnapshotError(f"error: the snapshot is damaged: {path} {problem}")


def _describe(value: Any) -> str:
    text = json_text(value)
    return text if len(text) <= 40 else text[:37] + "..."


def json_text(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=True)
    except (TypeError, ValueError, RecursionError):
        return type(value).__name__


def _mapping(value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _damaged(path, f"must be a mapping, not {_describe(value)}")
    return value


def _sequence(value: Any, path: str, length: int | None = None) -> list[Any]:
    if isinstance(value, tuple):  # export_state's own data, not yet through JSON
        value = list(value)
    if not isinstance(value, list):
        raise _damaged(path, f"must be a list, not {_describe(value)}")
    if length is not None and len(value) != length:
        raise _damaged(path, f"must have {length} items, not {len(value)}")
    return value


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise _damaged(path, f"must be a string, not {_describe(value)}")
    return value


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise _damaged(path, f"must be true or false, not {_describe(value)}")
    return value


def _number(value: Any, path: str, *, low: float = 0.0, high: float = MAX_SECONDS,
            integer: bool = False) -> float:
    kind = "a whole number" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, int | float) or (
            integer and not isinstance(value, int)):
        raise _damaged(path, f"must be {kind}, not {_describe(value)}")
    if not math.isfinite(value) or not low <= value <= high:
        span = f"{_plain(low)} to {_plain(high)}"
        raise _damaged(path, f"must be {kind} from {span}, not {value!r}")
    return value


def _plain(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:g}"


def _strings(value: Any, path: str) -> list[str]:
    items = _sequence(value, path)
    for i, item in enumerate(items):
        _string(item, f"{path}[{i}]")
    return items


def _queue_key(value: Any, path: str, arity: int) -> None:
    if arity == 0:
        _string(value, path)
    else:
        for i, part in enumerate(_sequence(value, path, arity)):
            _string(part, f"{path}[{i}]")


def validate(data: Any) -> dict[int, EventRecord]:
    """Check every field of export_state's data; SnapshotError naming the first bad one.
    Returns the records of the Events written as rows, by their place in the objects."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise SnapshotError(f"error: not a dstutor snapshot (expected format {FORMAT})")
    doc = data
    clock = _mapping(doc.get("clock"), "clock")
    _number(clock.get("now"), "clock.now")
    if clock.get("mode", "manual") not in ("manual", "live"):
        raise _damaged("clock.mode", f"must be manual or live, not {_describe(clock['mode'])}")
    if "speed" in clock:
        _number(clock["speed"], "clock.speed", low=0.01, high=10000.0)
    timing = _mapping(doc.get("timing"), "timing")
    for key, value in timing.items():
        if key not in DEFAULT_TIMING:
            raise _damaged(f"timing.{key}", f"is not a timing (known: "
                           f"{', '.join(sorted(DEFAULT_TIMING))})")
        _number(value, f"timing.{key}", high=MAX_TIMING_SECONDS)
    registry = _mapping(doc.get("registry"), "registry")
    for name in ("missing", "crashing"):
        _strings(registry.get(name), f"registry.{name}")
    rng = _sequence(doc.get("random"), "random", 3)
    _number(rng[0], "random[0]", low=3, high=3, integer=True)
    words = _sequence(rng[1], "random[1]", MT_STATE_WORDS)
    for i, word in enumerate(words[:-1]):
        _number(word, f"random[1][{i}]", high=2**32 - 1, integer=True)
    _number(words[-1], f"random[1][{MT_STATE_WORDS - 1}]", high=MT_STATE_WORDS - 1,
            integer=True)
    if rng[2] is not None:
        _number(rng[2], "random[2]", low=-MAX_SECONDS)
    _number(doc.get("nodeIndex"), "nodeIndex", integer=True)
    _number(doc.get("eventSeq"), "eventSeq", integer=True)
    _number(doc.get("resourceVersion"), "resourceVersion", integer=True)
    if "recordPodEvents" in doc:
        _boolean(doc["recordPodEvents"], "recordPodEvents")
    if "events" in doc:
        _validate_events(doc["events"])
    records = _validate_objects(doc.get("objects"))
    _validate_components(doc)
    if "timeline" in doc:
        _validate_timeline(doc["timeline"])
    return records


# The timeline's rows (dstutor/sim/timeline.py): field -> kind of value.
_TIMELINE_ROWS = {
    "rollouts": {"namespace": "s", "daemonset": "s", "uid": "s", "generation": "i",
                 "image": "s", "started": "n", "finished": "n?", "max_unavailable": "i",
                 "desired": "i"},
    "evictions": {"namespace": "s", "pod": "s", "node": "s", "reason": "s", "t": "n"},
    "notReady": {"node": "s", "t": "n"},
}


def _validate_timeline(value: Any) -> None:
    timeline = _mapping(value, "timeline")
    for name, fields in _TIMELINE_ROWS.items():
        for i, row in enumerate(_sequence(timeline.get(name, []), f"timeline.{name}")):
            row = _mapping(row, f"timeline.{name}[{i}]")
            for key in row:
                if key not in fields:
                    raise _damaged(f"timeline.{name}[{i}].{key}", "is not a known field")
            for key, kind in fields.items():
                path, item = f"timeline.{name}[{i}].{key}", row.get(key)
                if kind == "s":
                    _string(item, path)
                elif kind == "n?" and item is None:
                    continue
                else:
                    _number(item, path, integer=kind == "i")
    _strings(timeline.get("down", []), "timeline.down")


def _validate_events(value: Any) -> None:
    events = _mapping(value, "events")
    for i, item in enumerate(_sequence(events.get("aggregates"), "events.aggregates")):
        path = f"events.aggregates[{i}]"
        key, messages, last = _sequence(item, path, 3)
        _strings(key, f"{path}[0]")
        _strings(messages, f"{path}[1]")
        _number(last, f"{path}[2]")
    for i, item in enumerate(_sequence(events.get("observed"), "events.observed")):
        path = f"events.observed[{i}]"
        key, count, first, name = _sequence(item, path, 4)
        _strings(key, f"{path}[0]")
        _number(count, f"{path}[1]", low=1, integer=True)
        _number(first, f"{path}[2]")
        _string(name, f"{path}[3]")
    for i, item in enumerate(_sequence(events.get("spam"), "events.spam")):
        path = f"events.spam[{i}]"
        key, tokens, last = _sequence(item, path, 3)
        _strings(key, f"{path}[0]")
        _number(tokens, f"{path}[1]", high=SPAM_BURST)
        _number(last, f"{path}[2]")


def _validate_objects(value: Any) -> dict[int, EventRecord]:
    seen: set[tuple[str, str, str]] = set()
    records: dict[int, EventRecord] = {}
    rows = RowReader()
    for i, obj in enumerate(_sequence(value, "objects")):
        if is_row(obj):
            row = obj["record"]
            records[i] = _event_row(rows, row, i)
            key = ("Event", namespace_of(row), row[0])
            if key in seen:
                raise _damaged(f"objects[{i}]", f"is a second Event named {row[0]!r}")
            seen.add(key)
            continue
        if not isinstance(obj, dict) or obj.get("kind") not in KINDS:
            raise SnapshotError("error: the snapshot holds an object of an unknown kind")
        # The paths are made only for a message (300,000 objects at 5,000 nodes).
        meta = obj.get("metadata")
        if not isinstance(meta, dict):
            raise _damaged(f"objects[{i}].metadata", f"must be a mapping, not {_describe(meta)}")
        name = meta.get("name")
        if not isinstance(name, str):
            raise _damaged(f"objects[{i}].metadata.name", f"must be a string, not "
                           f"{_describe(name)}")
        namespace = meta.get("namespace", "")
        if namespace is None:
            namespace = ""
        elif not isinstance(namespace, str):
            raise _damaged(f"objects[{i}].metadata.namespace", f"must be a string, not "
                           f"{_describe(namespace)}")
        uid = meta.get("uid", "")
        if not isinstance(uid, str):
            _string(uid, f"objects[{i}].metadata.uid")
        key = (obj["kind"], namespace, name)
        if key in seen:
            raise _damaged(f"objects[{i}]", f"is a second {obj['kind']} named {name!r}")
        seen.add(key)
        try:
            causes = validation.validate(obj)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError,
                RecursionError) as exc:
            raise _damaged(f"objects[{i}]", f"({obj['kind']} {name!r}) cannot be read "
                           f"({type(exc).__name__})") from None
        if causes:
            raise _damaged(f"objects[{i}]", f"({obj['kind']} {name!r}) is invalid: {causes[0]}")
    return records


def is_row(obj: Any) -> bool:
    """Whether an item of a snapshot's objects is an Event written as its record's row:
    {"kind": "Event", "record": [...]}, those two keys alone (an Event's dict has its
    metadata), so that every item is a mapping with a kind (`jq` scripts read them so)."""
    return (obj.__class__ is dict and len(obj) == 2 and obj.get("kind") == "Event"
            and "record" in obj)


def _event_row(rows: RowReader, row: Any, i: int) -> EventRecord:
    """The record of the Event row objects[i] holds, checked as its dict would be."""
    try:
        record = rows.record_of(row)
    except RowProblem as exc:
        raise _damaged(f"objects[{i}].record{exc.where}", exc.problem) from None
    if rows.name_refused(row):  # (validation's own cause, from the dict the record reads as)
        causes = validation.validate(event_dict(record))
        raise _damaged(f"objects[{i}]", f"(Event {row[0]!r}) is invalid: {causes[0]}")
    return record


def _validate_components(doc: dict[str, Any]) -> None:
    kubelet = _mapping(doc.get("kubelet"), "kubelet")
    for name, agent in _mapping(kubelet.get("nodes"), "kubelet.nodes").items():
        path = f"kubelet.nodes.{name}"
        _mapping(agent, path)
        _boolean(agent.get("alive"), f"{path}.alive")
        _strings(agent.get("images"), f"{path}.images")
        _number(agent.get("nextIP"), f"{path}.nextIP", high=2**32, integer=True)
    fields = {f.name for f in dataclasses.fields(PodWork)} | LEGACY_WORK_FIELDS
    container_fields = {f.name for f in dataclasses.fields(ContainerWork)}
    for i, item in enumerate(_sequence(kubelet.get("work"), "kubelet.work")):
        path = f"kubelet.work[{i}]"
        key, work = _sequence(item, path, 2)
        _queue_key(key, f"{path}[0]", POD_KEY_ARITY)
        _mapping(work, f"{path}[1]")
        extra = set(work) - fields
        if extra:
            raise _damaged(f"{path}[1].{sorted(extra)[0]}", "is not a field of the work")
        if work.get("stage") not in WORK_STAGES:
            raise _damaged(f"{path}[1].stage", f"must be one of {', '.join(sorted(WORK_STAGES))}, "
                           f"not {_describe(work.get('stage'))}")
        for name in ("due", "backoff"):
            if name in work:
                _number(work[name], f"{path}[1].{name}")
        if work.get("ready_at") is not None:
            _number(work["ready_at"], f"{path}[1].ready_at")
        if "fresh_images" in work:
            _strings(work["fresh_images"], f"{path}[1].fresh_images")
        for name, cw in _mapping(work.get("containers") or {}, f"{path}[1].containers").items():
            where = f"{path}[1].containers.{name}"
            _mapping(cw, where)
            extra = set(cw) - container_fields
            if extra:
                raise _damaged(f"{where}.{sorted(extra)[0]}", "is not a field of the work")
            if cw.get("stage") not in CONTAINER_STAGES:
                raise _damaged(f"{where}.stage", "must be one of "
                               f"{', '.join(sorted(CONTAINER_STAGES))}, "
                               f"not {_describe(cw.get('stage'))}")
            for field in ("due", "backoff"):
                if field in cw:
                    _number(cw[field], f"{where}.{field}")
            if cw.get("ready_at") is not None:
                _number(cw["ready_at"], f"{where}.ready_at")
            for field in ("fresh", "shown"):
                if field in cw:
                    _boolean(cw[field], f"{where}.{field}")
            if "error" in cw and not isinstance(cw["error"], str):
                raise _damaged(f"{where}.error", f"must be text, not {_describe(cw['error'])}")
    for name, since in _mapping(doc.get("silentSince"), "silentSince").items():
        _number(since, f"silentSince.{name}")
    evictions = doc.get("taintEviction")
    if evictions is not None:
        for i, item in enumerate(_sequence(evictions, "taintEviction")):
            key, when = _sequence(item, f"taintEviction[{i}]", 2)
            _queue_key(key, f"taintEviction[{i}][0]", TIMER_KEY_ARITY["tainteviction"])
            _number(when, f"taintEviction[{i}][1]")
    for i, item in enumerate(_sequence(doc.get("timers"), "timers")):
        path = f"timers[{i}]"
        queue, key, due = _sequence(item, path, 3)
        if queue not in TIMER_KEY_ARITY:
            raise _damaged(f"{path}[0]", f"is not a work queue ({_describe(queue)})")
        _queue_key(key, f"{path}[1]", TIMER_KEY_ARITY[queue])
        _number(due, f"{path}[2]")
