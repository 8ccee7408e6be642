"""Cluster.record_event: an Event through client-go's correlator into the store.

A module of its own so that cluster.py stays readable in one sitting; the Cluster class
takes this function as its method (`record_event = recorder.record_event`), so each call
is one call, as when it was written there. A 5,000-node cluster file records 300,000
events while it settles, most of them the first about a new pod from its reporter:
those take EventCorrelator.observe_new's fresh path, which remembers the event under the
name this function gives it (made before the correlator decides), and nothing else until
the caches are looked at. `record_events` (Cluster.record_events) records several events
in a row about one object from one reporter, as record_event for each would: the
kubelet's Created and Started, 100,000 of those 300,000.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.model.objects import Obj
from dstutor.model.timefmt import to_rfc3339
from dstutor.sim.events import EVENT_TTL_SECONDS, Draft, Observed
from dstutor.sim.eventstore import Involved, Source, entry_last_write, is_record

if TYPE_CHECKING:
    from dstutor.sim.cluster import Cluster

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"


def reported_uid(kind: str, meta: Obj) -> str:
    """The involvedObject uid an event about this object is reported under. The kubelet
    reports a static pod's events under the static pod's own uid, which its mirror pod
    keeps in the config.mirror annotation."""
    if kind == "Pod":
        annotations = meta.get("annotations")
        if annotations:
            mirrored = annotations.get(MIRROR_ANNOTATION)
            if mirrored:
                return mirrored
    return meta.get("uid", "")


def record_event(self: Cluster, obj: Obj, etype: str, reason: str, message: str, *,
                 component: str, host: str = "", field_path: str = "") -> None:
    """Record an Event through client-go's correlator: repeats bump a count, floods of
    similar events are combined, and each source gets 25 events per object, then one
    every five minutes (see sim/events.py)."""
    kind = obj["kind"]
    meta = obj["metadata"]
    if kind == "Pod" and not self.record_pod_events:
        return
    uid = reported_uid(kind, meta)
    name = meta["name"]
    namespace = meta.get("namespace", "") or ""
    # A Draft's fields as a plain tuple: the correlator's keys are its prefixes.
    key = (component, host, kind, namespace, name, uid, obj.get("apiVersion", "v1"),
           etype, reason, message, field_path)
    if self.event_watchers:
        draft = Draft(*key)
        for watcher in self.event_watchers:
            watcher(draft)
    now_seconds = self.clock.now()
    stamp = self._event_now
    if kind == "Pod":
        if stamp[0] != now_seconds:
            stamp = self._event_now = (now_seconds, to_rfc3339(now_seconds),
                                       int(now_seconds * 1e9))
        # Nearly every event about a pod is a new one: the name it gets (the next in
        # this recorder's sequence) is made before the correlator decides, so that its
        # fresh path remembers the Event under it at once (EventCorrelator.observe_new);
        # the sequence moves on only if it is used. (Events about other objects are
        # mostly counted on one already stored, or dropped by the spam filter: a
        # DaemonSet's SuccessfulCreate for each of its pods.)
        event_name = f"{name}.{stamp[2] + self._event_seq + 1:x}"
        observed = self.events.observe_new(key, now_seconds, event_name)
    else:
        event_name = ""
        observed = self.events.observe_new(key, now_seconds)
        if observed is None:
            return  # the spam filter dropped it
        if stamp[0] != now_seconds:  # (as above, once it is needed)
            stamp = self._event_now = (now_seconds, to_rfc3339(now_seconds),
                                       int(now_seconds * 1e9))
    if observed is True:
        # The fresh path: a new Event, seen once, now (count 1, not aggregated), and
        # remembered under its name: stored as such (_store_new, inline: 150,000 of a
        # 5,000-node settle's events come this way, one call each).
        self._event_seq += 1
        if not event_name:
            event_name = f"{name}.{stamp[2] + self._event_seq:x}"
            self.events.named(key, now_seconds, event_name)
        texts = self._event_texts
        if len(texts) > self._event_texts_limit:
            texts.clear()
        message = texts.setdefault(message, message)
        if field_path:
            field_path = texts.setdefault(field_path, field_path)
        involved: Involved = (key[6], kind, name, uid, meta.get("resourceVersion", ""),
                              namespace, field_path)
        if involved == self._event_involved:
            involved = self._event_involved
        else:
            self._event_involved = involved
        reporter = (component, host)
        source = self._event_reporters.get(reporter)
        if source is None:
            source = self._event_reporters[reporter] = reporter
        self.store.put_event(event_name, namespace or "default", self.names.uid_bits(),
                             stamp[1], involved, reason, message, etype, source)
        return
    if observed is not None:  # (None: the spam filter dropped it)
        _record_observed(self, observed, meta, key, stamp)


def record_events(self: Cluster, obj: Obj, events: tuple[tuple[str, str, str], ...], *,
                  component: str, host: str = "", field_path: str = "") -> None:
    """record_event(obj, type, reason, message, ...) for each (type, reason, message) of
    `events` in turn: events in a row about one object from one reporter (a container's
    Created and Started), each decided and stored as its own call would, with what they
    share (the object's identity and the instant) read once
    (tests/sim/test_sim_events2_fast_paths.py holds the two to each other)."""
    kind = obj["kind"]
    meta = obj["metadata"]
    if kind == "Pod" and not self.record_pod_events:
        return
    uid = reported_uid(kind, meta)
    name = meta["name"]
    namespace = meta.get("namespace", "") or ""
    api_version = obj.get("apiVersion", "v1")
    now_seconds = self.clock.now()
    stamp = self._event_now
    if stamp[0] != now_seconds:
        stamp = self._event_now = (now_seconds, to_rfc3339(now_seconds),
                                   int(now_seconds * 1e9))
    correlator = self.events
    # What the new Events share (the object as it stands, the reporter): made for the
    # first that is stored, as _store_new makes them, and kept for the others (storing an
    # Event changes neither the object nor its reporter).
    shared: tuple[Involved, Source] | None = None
    for etype, reason, message in events:
        key = (component, host, kind, namespace, name, uid, api_version, etype, reason,
               message, field_path)
        if self.event_watchers:
            draft = Draft(*key)
            for watcher in self.event_watchers:
                watcher(draft)
        event_name = f"{name}.{stamp[2] + self._event_seq + 1:x}"
        observed = correlator.observe_new(key, now_seconds, event_name)
        if observed is True:
            self._event_seq += 1
            shared = _store_new(self, meta, key, stamp, event_name, message, shared=shared)
        elif observed is not None:
            _record_observed(self, observed, meta, key, stamp)


def _record_observed(self: Cluster, observed: Observed, meta: Obj, key: tuple[str, ...],
                     stamp: tuple[float, str, int]) -> None:
    """record_event's tail for an event the correlator remembered something about (or
    decided on its general path): update the stored Event, or store a new one. `key`:
    the event as a Draft's fields; `stamp`: Cluster._event_now for this instant."""
    now_seconds, now = stamp[0], stamp[1]
    _, text, aggregated, seen = observed
    count = seen.count
    if seen.name:
        store = self.store
        entry = store.event_entry(key[3] or "default", seen.name)
        if entry is not None and entry_last_write(entry) <= to_rfc3339(
                now_seconds - EVENT_TTL_SECONDS):
            store.remove_event(entry)  # its TTL ran out on the way here
            entry = None
        if is_record(entry):  # stored compactly, never read yet
            store.update_event(entry, count, text, now)  # type: ignore[arg-type]
            return
        if entry is not None:
            existing: Obj = entry  # type: ignore[assignment]
            existing["count"] = count
            existing["message"] = text
            existing["lastTimestamp"] = now
            store.touch(existing)
            return
        event_name = seen.name  # deleted meanwhile: the recorder creates it again
    else:
        self._event_seq += 1
        event_name = f"{key[4]}.{stamp[2] + self._event_seq:x}"
    first = now if seen.first == now_seconds else to_rfc3339(seen.first)
    seen.name = event_name  # EventCorrelator.remember: the key is the newest already
    _store_new(self, meta, key, stamp, event_name, text, first, count, aggregated)


def _store_new(self: Cluster, meta: Obj, key: tuple[str, ...], stamp: tuple[float, str, int],
               event_name: str, text: str, first: str | None = None, count: int = 1,
               aggregated: bool = False, shared: tuple[Involved, Source] | None = None
               ) -> tuple[Involved, Source]:
    """Store a new Event named `event_name` (created now; `first` None: seen once, now).
    Returns its involvedObject and source, which `shared` gives where they are known: the
    next events in a row about the object as it stands, from the same reporter
    (record_events; storing an Event changes neither).

    The Event is kept as a record until read (sim/eventstore.py): its dict is what was
    stored here before, key for key. Events in a row about one object as it stands (a
    container's Pulled, Created, Started) share one involvedObject, and the events of
    one reporter one source, as their dicts did. Recorders format their messages and
    fieldPaths anew each time, mostly the same few texts (a 5,000-node settle: 200,000
    copies of `spec.containers{agent}`): an Event keeps the copy an earlier one kept
    (equal strings, so no reader can tell)."""
    texts = self._event_texts
    if len(texts) > self._event_texts_limit:
        texts.clear()
    text = texts.setdefault(text, text)
    if shared is None:
        shared = _involved_and_source(self, meta, key)
    self.store.put_event(event_name, key[3] or "default", self.names.uid_bits(), stamp[1],
                         shared[0], key[8], text, key[7], shared[1], first, count, aggregated)
    return shared


def _involved_and_source(self: Cluster, meta: Obj, key: tuple[str, ...]
                         ) -> tuple[Involved, Source]:
    """A new Event's involvedObject and source tuples, each the one stored Events already
    share where it is equal (see _store_new)."""
    component, host, kind, namespace, name, uid, api_version, _, _, _, path = key
    if path:
        texts = self._event_texts
        path = texts.setdefault(path, path)
    involved: Involved = (api_version, kind, name, uid, meta.get("resourceVersion", ""),
                          namespace, path)
    if involved == self._event_involved:
        involved = self._event_involved
    else:
        self._event_involved = involved
    reporter = (component, host)
    source = self._event_reporters.get(reporter)
    if source is None:
        source = self._event_reporters[reporter] = reporter
    return involved, source
