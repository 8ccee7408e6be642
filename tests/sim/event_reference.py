"""Events as they were recorded before issue 19's fast paths, for tests to hold the
product to: `ReferenceCorrelator`, client-go's correlator steps one LRU call at a time
(sim/events.py's EventCorrelator.observe writes them out), and `DictEventsCluster`, whose
`record_event` and `expire_events` are the code that wrote and expired plain dicts
(copied from sim/cluster.py as it stood)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dstutor.model.objects import Obj
from dstutor.model.timefmt import to_rfc3339
from dstutor.sim.cluster import MIRROR_ANNOTATION, PRUNE_INTERVAL_SECONDS, Cluster
from dstutor.sim.events import (
    AGGREGATE_INTERVAL_SECONDS,
    AGGREGATE_KEY_LEN,
    AGGREGATE_MAX_EVENTS,
    AGGREGATE_PREFIX,
    EVENT_TTL_SECONDS,
    SPAM_BURST,
    SPAM_KEY_LEN,
    SPAM_QPS,
    Draft,
    EventCorrelator,
    _Aggregate,
    _Bucket,
    _Observation,
    expired_events,
    last_write,
)


# A dataclass, not a NamedTuple: a field named `count` would shadow tuple.count.
@dataclass(slots=True)
class Outcome:
    """What to do with one event: drop it, create it, or update the stored one."""

    skip: bool
    key: tuple[str, ...]
    message: str
    aggregated: bool
    count: int
    first: float
    name: str  # the stored event to update; "" for a new one


class ReferenceCorrelator(EventCorrelator):
    """EventCorrelator deciding through upstream's steps one by one (EventCorrelate:
    aggregate, observe, then the spam filter), each LRU step a Lru.get/Lru.add."""

    def correlate(self, draft: Draft, now: float) -> Outcome:
        key, message, aggregated = self._aggregate(draft, now)
        seen = self._observed.get(key)
        if seen is not None:
            seen.count += 1
        else:
            seen = _Observation(1, now, "")
            self._observed.add(key, seen)
        skip = not self._try_accept(draft[:SPAM_KEY_LEN], now)
        return Outcome(skip, key, message, aggregated, seen.count, seen.first, seen.name)

    def remember(self, key: tuple[str, ...], name: str) -> None:
        """The API server stored the event under this name (eventLogger.updateState)."""
        seen = self._observed.get(key)
        if seen is not None:
            seen.name = name

    def _aggregate(self, draft: Draft, now: float) -> tuple[tuple[str, ...], str, bool]:
        akey = draft[:AGGREGATE_KEY_LEN]
        record = self._aggregates.get(akey)  # a hit is now the most recent entry
        if record is None or now - record.last > AGGREGATE_INTERVAL_SECONDS:
            record = _Aggregate()
            self._aggregates.add(akey, record)
        record.messages[draft.message] = None
        record.last = now
        if len(record.messages) < AGGREGATE_MAX_EVENTS:
            return tuple(draft), draft.message, False
        # Upstream pops an arbitrary message; the oldest keeps runs reproducible.
        del record.messages[next(iter(record.messages))]
        return ("aggregate", *akey), AGGREGATE_PREFIX + draft.message, True

    def _try_accept(self, key: tuple[str, ...], now: float) -> bool:
        bucket = self._spam.get(key)  # a hit is now the most recent entry
        if bucket is None:
            bucket = _Bucket(float(SPAM_BURST), now)
            self._spam.add(key, bucket)
        bucket.tokens = min(float(SPAM_BURST), bucket.tokens + (now - bucket.last) * SPAM_QPS)
        bucket.last = now
        if bucket.tokens < 1.0:
            return False
        bucket.tokens -= 1.0
        return True


class DictEventsCluster(Cluster):
    """Stores every Event as a dict, as record_event did before (the reference)."""

    def __init__(self, **kwargs: Any) -> None:
        self._event_sources: dict[tuple[str, str], Obj] = {}
        self._event_involved_dict: tuple[object, Obj] = ((), {})
        super().__init__(**kwargs)

    def record_event(self, obj: Obj, etype: str, reason: str, message: str, *,
                     component: str, host: str = "", field_path: str = "") -> None:
        """Record an Event through client-go's correlator: repeats bump a count, floods of
        similar events are combined, and each source gets 25 events per object, then one
        every five minutes (see sim/events.py)."""
        kind = obj["kind"]
        meta = obj["metadata"]
        if kind == "Pod":
            if not self.record_pod_events:
                return
            # The kubelet reports a static pod's events under the static pod's own uid,
            # which its mirror pod keeps in the config.mirror annotation.
            annotations = meta.get("annotations")
            uid = (annotations.get(MIRROR_ANNOTATION) if annotations else None) or meta.get(
                "uid", "")
        else:
            uid = meta.get("uid", "")
        name = meta["name"]
        # A Draft's fields as a plain tuple: the correlator's keys are its prefixes.
        key = (component, host, kind, meta.get("namespace", "") or "", name, uid,
               obj.get("apiVersion", "v1"), etype, reason, message, field_path)
        if self.event_watchers:
            draft = Draft(*key)
            for watcher in self.event_watchers:
                watcher(draft)
        now_seconds = self.clock.now()
        observed = self.events.observe(key, now_seconds)
        if observed is None:
            return  # the spam filter dropped it
        event_key, text, aggregated, seen = observed
        if self._event_now[0] != now_seconds:
            self._event_now = (now_seconds, to_rfc3339(now_seconds))
        now = self._event_now[1]
        namespace = key[3] or "default"
        if seen.name:
            existing = self.store.get("Event", namespace, seen.name)
            if existing is not None and last_write(existing) <= to_rfc3339(
                    now_seconds - EVENT_TTL_SECONDS):
                self.store.remove(existing)  # its TTL ran out on the way here
                existing = None
            if existing is not None:
                existing["count"] = seen.count
                existing["message"] = text
                existing["lastTimestamp"] = now
                self.store.touch(existing)
                return
            event_name = seen.name  # deleted meanwhile: the recorder creates it again
        else:
            self._event_seq += 1
            event_name = f"{name}.{int(now_seconds * 1e9) + self._event_seq:x}"
        # Events in a row about one object as it stands (a container's Pulled, Created,
        # Started) share one involvedObject dict: never edited, like the source dict.
        about = (key[2:7], meta.get("resourceVersion", ""), field_path)
        if self._event_involved_dict[0] == about:
            involved = self._event_involved_dict[1]
        else:
            involved = {"apiVersion": key[6], "kind": kind, "name": name, "uid": uid,
                        "resourceVersion": about[1]}
            if key[3]:
                involved["namespace"] = key[3]
            if field_path:
                involved["fieldPath"] = field_path
            self._event_involved_dict = (about, involved)
        # One source dict per reporter: events are never edited except count/lastTimestamp.
        source = self._event_sources.get((component, host))
        if source is None:
            source = {"component": component, "host": host} if host else {
                "component": component}
            self._event_sources[(component, host)] = source
        event = {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": event_name, "namespace": namespace,
                         "uid": self.names.uid(), "creationTimestamp": now},
            "involvedObject": involved, "reason": reason, "message": text,
            "type": etype, "source": source,
            "firstTimestamp": now if seen.first == now_seconds else to_rfc3339(seen.first),
            "lastTimestamp": now, "count": seen.count,
            # The aggregate copy upstream carries no reporting fields.
            "reportingComponent": "" if aggregated else component,
            "reportingInstance": "" if aggregated else host,
        }
        seen.name = event_name  # EventCorrelator.remember: the key is the newest already
        self.store.put(event)


    def record_events(self, obj: Obj, events: tuple[tuple[str, str, str], ...], *,
                      component: str, host: str = "", field_path: str = "") -> None:
        """What Cluster.record_events stands for: record_event for each event in turn."""
        for etype, reason, message in events:
            self.record_event(obj, etype, reason, message, component=component, host=host,
                              field_path=field_path)

    def expire_events(self) -> None:
        now = self.clock.now()
        if now < self._events_expire_at:
            return
        gone, self._events_expire_at = expired_events(self.store.iter_kind("Event"), now)
        for event in gone:
            self.store.remove(event)
        if now - self._pruned_at < PRUNE_INTERVAL_SECONDS:
            return
        self._pruned_at = now
        self.events.prune(now, lambda uid: self.store.by_uid(uid) is not None,
                          lambda ns, name: self.store.get("Event", ns, name) is not None)
        for component, host in list(self._event_sources):
            if host and self.store.get("Node", "", host) is None:
                del self._event_sources[(component, host)]
