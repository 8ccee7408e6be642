"""The object store, as the API server keeps objects: by kind, namespace and name.

Objects are stored as dicts and handed out by reference for speed; callers outside
the simulator copy before changing anything (see Cluster). Events the recorders wrote
are kept as compact records until something reads them, then as their dicts
(sim/eventstore.py): no reader ever sees a record. Each pod is kept in its PodRecord
(controller/pod_record.py), with its index entry and the controllers' per-pod state.
"""

from __future__ import annotations

import builtins
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import partial
from typing import Any

from dstutor.controller.pod_record import PodRecord, PodTable
from dstutor.model.objects import Key, Obj, key_of, selectable_field
from dstutor.sim import podindex
from dstutor.sim.eventindex import keys_by_involved_uid
from dstutor.sim.eventstore import (
    EventRecord,
    Involved,
    Source,
    event_dict,
    is_record,
    new_record,
    record_field,
    record_key,
    updated,
)

Listener = Callable[[str, Obj | None, Obj | None], None]
# The tables are typed as holding dicts; an Event may be an EventRecord until read, which
# only the Event paths below look for (`type`, so that mypy lets the check through).
_RECORD: type = tuple
_NO_KEYS: frozenset[Key] = frozenset()


class Store:
    def __init__(self) -> None:
        # Each kind's objects by key: (kind, namespace, name), the very tuple the pod
        # indexes below hold as the pod's Key (one tuple a pod, not two: 3 MB at 50,000
        # pods); an Event's key is (namespace, name), as eventstore.record_key gives it.
        # Pods: a view (PodTable) of their records (pod_records, below), for readers
        # from outside; the store reads the records.
        self._by_kind: dict[str, dict[tuple[str, ...], Obj]] = {}
        # Owners by uid: every object but Events and pods. Pods are rarely anybody's
        # owner, and a table of 50,000 uids is 2 MB at the peak of a settle: they are
        # found through _pod_uids, built at the first lookup that needs it (by_uid) and
        # kept up to date from then on.
        self._by_uid: dict[str, Obj] = {}
        self._pod_uids: dict[str, Obj] | None = None
        self._replaced_pods = False  # a pod replaced under another uid is in _by_uid
        # Controller owner uid -> node name -> pod keys: lets the DaemonSet controller
        # look at one node without scanning every pod. (A tuple, not a set: almost always
        # one pod, and 50,000 small sets cost 10 MB. One pod alone: its PodRecord, a
        # sequence of its one key, not a tuple of one: 2.6 MB less at 50,000 pods.)
        self._pods_by_owner_node: dict[str, dict[str, Sequence[Key]]] = {}
        # (NodeKeys tuples, sim/nodekeys.py: a set of ten pods is 700 bytes, a tuple 140.)
        self._pods_by_node: dict[str, tuple[Key, ...]] = {}
        self._orphans_by_node: dict[str, set[Key]] = {}
        # The table's key of each pod with no node (neither bound nor pinned: pending
        # pods of the scheduler's), by itself: where stored_key finds it for them.
        self._unplaced: dict[Key, Key] = {}
        # Pod key -> its record (controller/pod_record.py): the pod itself (this is the
        # store's table of pods), the controller uid and target node the indexes hold it
        # under, and the per-pod state the controllers hang on it. Made when a pod is
        # stored, dropped when it is removed. (The record holds no key: see stored_key.)
        self.pod_records: dict[Key, PodRecord] = {}
        self._by_kind["Pod"] = PodTable(self.pod_records)  # type: ignore[assignment]
        # Controller uid -> the ownerReferences list a pod of it was last indexed from
        # (its pods share one): a pod still holding that very list still has that
        # controller (lists are replaced, never edited in place). One list an owner, not
        # one a pod's entry (a 4-tuple is 16 bytes more than a 3-tuple: 0.8 MB at 50,000
        # pods). "" (no controller): a pod without ownerReferences.
        self._owner_refs: dict[str, object] = {"": None}
        self._revision = 0
        # Each kind's keys and objects in the API server's order, kept until a key comes
        # or goes (a replaced object drops only the objects; an update in place keeps
        # both): listing 50,000 pods then costs neither a sort nor 50,000 lookups.
        self._sorted_keys: dict[str, list[tuple[str, ...]]] = {}
        self._sorted_objs: dict[str, list[Obj]] = {}
        self.listeners: list[Listener] = []
        # Events are stored as EventRecords until first read (sim/eventstore.py), in
        # _by_kind["Event"] among the dicts, so they keep their place in its order.
        # How many records there are, and the listeners that ignore an Event's writes.
        self._event_records = 0
        self.event_blind: list[Listener] = []
        # Writes so far of the kinds whose readers keep answers between writes (the
        # Priority admission plugin's PriorityClasses; describe's index of Events by
        # involved object, kubectl/commands/_index.py): see writes_of.
        self._kind_writes: dict[str, int] = {"PriorityClass": 0, "Event": 0}

    # --- reads --------------------------------------------------------------------

    def _kind(self, kind: str) -> dict[tuple[str, ...], Obj]:
        items = self._by_kind.get(kind)
        if items is None:
            items = self._by_kind[kind] = {}
        return items

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        if kind == "Pod":
            record = self.pod_records.get((kind, namespace, name))
            return record.pod if record is not None else None
        items = self._by_kind.get(kind)
        if kind != "Event":  # (only an Event may be held as a record)
            return items.get((kind, namespace, name)) if items else None
        found = items.get((namespace, name)) if items else None
        if found.__class__ is _RECORD:
            return self._promote_event(found)
        return found

    def get_plain(self, kind: str, namespace: str, name: str) -> Obj | None:
        """get(kind, ...) for a kind other than Pod and Event: its table alone."""
        try:
            return self._by_kind[kind].get((kind, namespace, name))
        except KeyError:
            return None

    def by_uid(self, uid: str) -> Obj | None:
        found = self._by_uid.get(uid)
        if found is not None:
            return found
        pods = self._pod_uids
        if pods is None:
            if not self.pod_records:
                return None
            # Every stored pod by its uid (a replaced pod's old uid, kept as a table of
            # every put kept it, is in _by_uid: see put).
            pods = self._pod_uids = {r.pod["metadata"]["uid"]: r.pod
                                     for r in self.pod_records.values()}
        return pods.get(uid)

    # Annotations below this method say builtins.list: in the class body `list` is it.
    def list(self, kind: str, namespace: str | None = None) -> list[Obj]:
        """Objects of a kind sorted by namespace then name (the API server's order)."""
        if self._event_records and kind == "Event":
            self._promote_events(namespace)
        objs = self._sorted_objs.get(kind)
        if objs is None:
            items: Any = self._kind(kind) if kind != "Pod" else self.pod_records
            keys = self._sorted_keys.get(kind)
            if keys is None:
                keys = self._sorted_keys[kind] = sorted(items)
            objs = self._sorted_objs[kind] = (
                [items[k] for k in keys] if kind != "Pod" else [items[k].pod for k in keys])
        if namespace is None:
            return list(objs)
        # One namespace's keys are contiguous; no name sorts after U+10FFFF.
        keys = self._sorted_keys[kind]
        prefix = (kind,) if kind != "Event" else ()
        lo = bisect_left(keys, (*prefix, namespace, ""))
        hi = bisect_right(keys, (*prefix, namespace, "\U0010ffff"), lo)
        return objs[lo:hi]

    def events_as_read(self, namespace: str | None) -> builtins.list[Obj]:
        """list("Event", namespace) for a reader done with them before the next write
        (`kubectl get events`' output): an Event kept as a record is made its dict for
        this read only, and stays a record. (At 5,000 nodes a `get events -A` made
        250,000 dicts the store then kept: 210 MB more for the rest of the session.)"""
        shared: dict[Any, Obj] = {}  # (as _promote_events: small dicts shared)
        return [event_dict(entry, shared) if entry.__class__ is _RECORD  # type: ignore[arg-type, misc]
                else entry for entry in self.event_entries_in_order(namespace)]

    def event_entries_in_order(self, namespace: str | None = None
                               ) -> builtins.list[EventRecord | Obj]:
        """The stored Events as they are kept, records or dicts, in list()'s order."""
        items = self._kind("Event")
        keys = self._sorted_keys.get("Event")
        if keys is None:
            keys = self._sorted_keys["Event"] = sorted(items)
        if namespace is not None:  # (as list: one namespace's keys are contiguous)
            keys = keys[bisect_left(keys, (namespace, "")):
                        bisect_right(keys, (namespace, "\U0010ffff"))]
        return builtins.list(map(items.__getitem__, keys))

    def iter_kind(self, kind: str) -> Iterator[Obj]:
        if self._event_records and kind == "Event":
            self._promote_events(None)
        if kind == "Pod":
            return iter([record.pod for record in self.pod_records.values()])
        return iter(list(self._kind(kind).values()))

    def count(self, kind: str) -> int:
        return len(self._kind(kind)) if kind != "Pod" else len(self.pod_records)

    def pods_of_owner(self, owner_uid: str) -> dict[str, Sequence[Key]]:
        try:
            return self._pods_by_owner_node[owner_uid]
        except KeyError:
            return {}

    def pod_owner_and_node(self, key: Key) -> tuple[str, str]:
        """A stored pod's controller uid and target node as the indexes hold them (both
        "" for a pod not stored): what a listener would otherwise work out again."""
        record = self.pod_records.get(key)
        return (record.owner, record.node) if record is not None else ("", "")

    def stored_pod_key(self, key: Key) -> Key:
        """The key tuple the indexes hold for a stored pod, else `key`: the kubelet's and
        taint eviction's per-pod records keep it instead of an equal tuple of their own
        (64 bytes a pod each)."""
        record = self.pod_records.get(key)
        return self.stored_key(record, key) if record is not None else key

    def stored_key(self, record: PodRecord, key: Key) -> Key:
        """stored_pod_key for a stored pod's record, `key` equal to its key. A record
        holds no key (controller/pod_record.py): the table's tuple is the one in its
        node's index, among the few pods there (or, for a pod with no node, the one
        _unplaced keeps)."""
        node = record.node
        if node:
            on_node = self._pods_by_node[node]
            last = on_node[-1]  # (a pod just made: bound, its kubelet queued, in a row)
            return last if last == key else on_node[on_node.index(key)]
        return self._unplaced[key]

    def pods_on_node(self, node: str) -> builtins.list[Obj]:
        found = [self.get(*k) for k in self._pods_by_node.get(node, ())]
        return sorted((p for p in found if p is not None), key=key_of)

    def orphan_pod_keys_on_node(self, node: str) -> AbstractSet[Key]:
        """Pods without a controller on a node: the only ones a controller may adopt
        (read only; a node without any answers one empty frozenset, not a new set)."""
        return self._orphans_by_node.get(node, _NO_KEYS)

    def orphan_pod_keys(self, namespace: str) -> builtins.list[Key]:
        """Every pod without a controller in a namespace, in the API server's order."""
        return sorted(k for keys in self._orphans_by_node.values() for k in keys
                      if k[1] == namespace)

    def pod_keys_on_node(self, node: str) -> tuple[Key, ...]:
        return self._pods_by_node.get(node, ())

    def resource_version(self) -> int:
        return self._revision

    def writes_of(self, kind: str) -> int:
        """How many writes (creates, updates, touches, removals) objects of `kind` have had:
        an answer worked out from them holds while this stays the same. Counted only for
        the kinds set up in __init__ (other kinds raise KeyError)."""
        return self._kind_writes[kind]

    # --- writes -------------------------------------------------------------------

    def next_resource_version(self) -> str:
        self._revision += 1
        return str(self._revision)

    def put(self, obj: Obj, *, builtin: bool = False) -> None:
        """Insert or replace an object; bumps resourceVersion and tells listeners.

        A builtin object (made by the API server at start-up) takes resourceVersion 1
        and leaves the counter alone, so the versions of everything else stay as they
        were before such objects were simulated.
        """
        meta = obj.get("metadata") or {}
        kind, ns, name = obj["kind"], meta.get("namespace", "") or "", meta.get("name", "")
        if kind == "Pod":
            self._put_pod(obj, ("Pod", ns, name), builtin)
            return
        items = self._by_kind.get(kind)  # _kind(kind), inline (every create passes here)
        if items is None:
            items = self._by_kind[kind] = {}
        key = (kind, ns, name) if kind != "Event" else (ns, name)
        old = items.get(key)
        if old.__class__ is _RECORD:  # a recorded Event replaced: listeners see its dict
            old = self._drop_event_record(old)
        if builtin:
            obj["metadata"]["resourceVersion"] = "1"
        else:
            self._revision += 1  # next_resource_version(), inline
            obj["metadata"]["resourceVersion"] = str(self._revision)
        items[key] = obj  # a replaced object's key stays the tuple stored first
        if old is not obj:
            self._sorted_objs.pop(kind, None)
            if old is None:
                self._sorted_keys.pop(kind, None)
        if kind != "Event":  # an Event is never anybody's owner; by_uid finds owners
            self._by_uid[obj["metadata"]["uid"]] = obj
        if kind in self._kind_writes:
            self._kind_writes[kind] += 1
        for listener in self.listeners:
            listener(kind, old, obj)

    def _put_pod(self, obj: Obj, key: Key, builtin: bool) -> None:
        """put() of a pod: into its record (a new one for a new key)."""
        record = self.pod_records.get(key)
        old = record.pod if record is not None else None
        if builtin:
            obj["metadata"]["resourceVersion"] = "1"
        else:
            self._revision += 1  # next_resource_version(), inline
            obj["metadata"]["resourceVersion"] = str(self._revision)
        if record is not None:
            record.pod = obj  # a replaced pod's key stays the tuple stored first
        if old is not obj:
            self._sorted_objs.pop("Pod", None)
            if old is None:
                self._sorted_keys.pop("Pod", None)
        pod_uid = obj["metadata"]["uid"]
        if self._pod_uids is not None:
            self._pod_uids[pod_uid] = obj
        if self._replaced_pods:  # the newest put of a uid is what by_uid finds
            self._by_uid.pop(pod_uid, None)
        if old is not None and old["metadata"]["uid"] != pod_uid:
            # The replaced pod stays found by its own uid, as in a table of every
            # put (by_uid's answer only changes when that uid is removed).
            self._by_uid[old["metadata"]["uid"]] = old
            self._replaced_pods = True
        self._index_pod(obj, key, stored=True)
        for listener in self.listeners:
            listener("Pod", old, obj)

    # A controller's new pod, its index known (sim/podindex.py).
    put_created_pod = podindex.put_created_pod

    def touch(self, obj: Obj, old: Obj | None = None) -> None:
        """Record an in-place change to a stored object (controllers edit in place)."""
        self._revision += 1
        meta = obj["metadata"]
        meta["resourceVersion"] = str(self._revision)
        kind = obj["kind"]
        if kind == "Pod":
            self._index_pod(obj, ("Pod", meta.get("namespace", "") or "", meta.get("name", "")))
        elif kind in self._kind_writes:
            self._kind_writes[kind] += 1
        if old is None:
            old = obj
        for listener in self.listeners:
            listener(kind, old, obj)

    def touch_status(self, obj: Obj) -> None:
        """touch() for a change to the object's status alone (the kubelet's writes): its
        metadata and spec are as they were, and the pod indexes are made from those, so
        they are not asked again. Listeners hear of it as of touch()."""
        self._revision += 1
        obj["metadata"]["resourceVersion"] = str(self._revision)
        kind = obj["kind"]
        if kind != "Pod" and kind in self._kind_writes:
            self._kind_writes[kind] += 1
        for listener in self.listeners:
            listener(kind, obj, obj)

    def remove(self, obj: Obj) -> None:
        kind, ns, name = key_of(obj)
        record = None
        if kind == "Pod":
            record = self.pod_records.pop((kind, ns, name), None)
            found: Any = record.pod if record is not None else None
        else:
            found = self._kind(kind).pop((kind, ns, name) if kind != "Event" else (ns, name),
                                         None)
        if found is None:
            return
        if found.__class__ is _RECORD:
            self._event_records -= 1
        self._sorted_keys.pop(kind, None)
        self._sorted_objs.pop(kind, None)
        self._by_uid.pop(obj["metadata"]["uid"], None)
        if kind == "Pod":
            if self._pod_uids is not None:
                self._pod_uids.pop(obj["metadata"]["uid"], None)
            self._unindex_record(record, (kind, ns, name))  # type: ignore[arg-type]
        elif kind in self._kind_writes:
            self._kind_writes[kind] += 1
        self._revision += 1
        for listener in self.listeners:
            listener(kind, obj, None)

    # The pod indexes (sim/podindex.py): a pod indexed under its key, taken out.
    _index_pod = podindex.index_pod
    _unindex_record = podindex.unindex_record

    # --- Events as records (sim/eventstore.py) ------------------------------------------

    def event_entry(self, namespace: str, name: str) -> EventRecord | Obj | None:
        """A stored Event as it is kept, record or dict, without building its dict."""
        items = self._by_kind.get("Event")
        return items.get((namespace, name)) if items else None

    def event_entries(self) -> builtins.list[EventRecord | Obj]:
        """Every stored Event as it is kept, in the order iter_kind gives them."""
        return builtins.list(self._kind("Event").values())

    def list_events_where(self, namespace: str | None,
                          keep: Callable[[Callable[[str], str], Mapping[str, str]], bool],
                          keep_record: Callable[[EventRecord], bool] | None = None
                          ) -> builtins.list[Obj]:
        """list("Event", namespace), but only the Events `keep` keeps: it is asked with
        a function giving a field's selectable value (selectable_field) and the labels.
        A record is asked as it is kept (eventstore.record_field, no labels), or by
        `keep_record` if given (the same answer, from the record alone), and its dict
        is built only if it is kept, not for all 250,000 of a 5,000-node cluster."""
        # One pass in the table's own order, and only the kept keys sorted (into the
        # API server's order): sorting all 250,000 first took longer than the pass.
        items: Any = self._kind("Event")  # (records and dicts)
        kept_keys: builtins.list[tuple[str, str]] = []
        for key, found in items.items():
            if namespace is not None and key[0] != namespace:
                continue
            if type(found) is tuple:  # (found.__class__ is _RECORD, as mypy reads it)
                if (keep_record(found) if keep_record is not None
                        else keep(partial(record_field, found), {})):
                    kept_keys.append(key)
            elif keep(partial(selectable_field, found), found["metadata"].get("labels") or {}):
                kept_keys.append(key)
        kept_keys.sort()
        return [self._promote_event(found) if type(found := items[key]) is tuple else found
                for key in kept_keys]

    def event_keys_by_involved_uid(self, namespace: str
                                   ) -> dict[str | None, builtins.list[tuple[str, str]]]:
        """One namespace's Event keys by involvedObject.uid (None: no uid), each list in
        the API server's order, read from records without building their dicts: a
        describe then builds only the few Events it shows."""
        return keys_by_involved_uid(self._kind("Event"), namespace)  # (sim/eventindex.py)

    def events_watched(self) -> bool:
        """Whether a listener wants to see an Event created or updated."""
        blind = self.event_blind
        for listener in self.listeners:  # noqa: SIM110 (any() and a generator cost more)
            if listener not in blind:  # `in` looks for the very object first: fast
                return True
        return False

    def put_event(self, name: str, namespace: str, uid: int, created: str, involved: Involved,
                  reason: str, message: str, etype: str, source: Source,
                  first: str | None = None, count: int = 1, aggregated: bool = False) -> None:
        """Store a new Event recorded by Cluster.record_event: `put` for its dict, as a
        record (eventstore.new_record: the uid as NameGenerator.uid_bits drew it;
        lastTimestamp is its creation; `first` None: an Event seen once, now, count and
        aggregated left as they are). `namespace`: the involved object's, or "default"."""
        items = self._by_kind.get("Event")
        if items is None:
            items = self._kind("Event")
        blind = self.event_blind
        for listener in self.listeners:  # events_watched(), inline
            if listener not in blind:
                break
        else:
            record = ((name, uid, created, involved, reason, message, etype, source,
                       self._revision + 1) if first is None else  # (the short form)
                      new_record(name, uid, created, involved, reason, message, etype, source,
                                 first, count, aggregated, self._revision + 1))
            # One lookup: the key is always new (a recorder names an Event once).
            stored: Any = items.setdefault((namespace, name), record)  # type: ignore[arg-type]
            if stored is record:
                self._revision += 1
                self._event_records += 1
                self._kind_writes["Event"] += 1
                self._sorted_objs.pop("Event", None)
                self._sorted_keys.pop("Event", None)
                return
        self.put(event_dict(new_record(name, uid, created, involved, reason, message, etype,
                                       source, created if first is None else first, count,
                                       aggregated, 0)))

    def update_event(self, record: EventRecord, count: int, message: str, last: str) -> None:
        """What a recorder's update of a stored record does (`touch` after it set count,
        message and lastTimestamp on the dict): a new resourceVersion."""
        self._revision += 1
        self._kind_writes["Event"] += 1
        new = updated(record, count, message, last, self._revision)
        self._kind("Event")[record_key(record)] = new  # type: ignore[assignment]
        if self.events_watched():
            obj = self._promote_event(new)
            for listener in self.listeners:
                listener("Event", obj, obj)

    def remove_event(self, entry: EventRecord | Obj) -> None:
        """`remove` for a stored Event as event_entry/event_entries gave it."""
        if not is_record(entry):
            self.remove(entry)  # type: ignore[arg-type]
            return
        items = self._kind("Event")
        key = record_key(entry)  # type: ignore[arg-type]
        found: Any = items.get(key)
        if found is not entry:
            return
        obj = self._drop_event_record(entry)
        del items[key]
        self._sorted_keys.pop("Event", None)
        self._sorted_objs.pop("Event", None)
        self._revision += 1
        self._kind_writes["Event"] += 1
        for listener in self.listeners:
            listener("Event", obj, None)

    def drop_event_record(self, record: EventRecord) -> str | None:
        """`remove_event` for a record, telling no listener: Cluster.expire_events tells
        its informers what they need (the TTL drops 250,000 Events at once at 5,000
        nodes, and building the dict of each only told the garbage collector its
        namespace). The namespace it was stored in; None: it is not stored."""
        items = self._kind("Event")
        key = record_key(record)
        found: Any = items.get(key)
        if found is not record:
            return None
        del items[key]
        self._event_records -= 1
        self._sorted_keys.pop("Event", None)
        self._sorted_objs.pop("Event", None)
        self._revision += 1
        self._kind_writes["Event"] += 1
        return key[0]

    def restore_event_record(self, record: EventRecord) -> None:
        """A snapshot's Event stored again as the record it was saved from (its key not
        stored yet; resourceVersion its own: sim/snapshot.py, with the listeners off)."""
        self._kind("Event")[record_key(record)] = record  # type: ignore[assignment]
        self._event_records += 1
        self._kind_writes["Event"] += 1
        self._sorted_objs.pop("Event", None)
        self._sorted_keys.pop("Event", None)

    def _drop_event_record(self, record: Any) -> Obj:
        self._event_records -= 1
        return event_dict(record)

    def _promote_event(self, record: Any) -> Obj:
        """Build a record's dict and keep it in the record's place: from now on the dict
        is the stored Event (the key set is unchanged, so the sorted keys stay)."""
        obj = event_dict(record)
        self._kind("Event")[record_key(record)] = obj
        self._event_records -= 1
        self._sorted_objs.pop("Event", None)
        return obj

    def _promote_events(self, namespace: str | None) -> None:
        items = self._kind("Event")
        shared: dict[Any, Obj] = {}  # events built together share their small dicts
        before = self._event_records
        for key, found in items.items():
            if found.__class__ is _RECORD and (namespace is None or key[0] == namespace):
                # Replacing a value while iterating is allowed: the key set is unchanged.
                items[key] = event_dict(found, shared)  # type: ignore[arg-type]
                self._event_records -= 1
        if self._event_records != before:
            self._sorted_objs.pop("Event", None)
