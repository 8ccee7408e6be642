"""Client-side event correlation: what client-go's EventCorrelator does before an Event
reaches the API server (k8s.io/client-go/tools/record/events_cache.go).

Three steps, in upstream order, per recorded event:

1. aggregate: once ten events differing only in message arrive about one object from one
   source within ten minutes, they become one event "(combined from similar events): …";
2. observe: an event seen before (same key) updates the stored one: count + 1;
3. spam filter: each source may write 25 events about one object, then one more every
   five minutes (a token bucket). Step 2 has already counted a dropped event.

So a DaemonSet that creates 5,000 pods leaves a handful of events, as on a real cluster,
not 5,000. Every cache is an LRU of 4,096 entries, like upstream's. Everything here is
decided on the virtual clock, so transcripts stay deterministic.

The API server keeps an Event for `--event-ttl` (default 1h) after its last write, then
etcd's lease drops it: `expired_events` decides which stored events are past that.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Final, Generic, Literal, NamedTuple, TypeVar

from dstutor.model.timefmt import parse_rfc3339, to_rfc3339

MAX_LRU_ENTRIES = 4096
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL_SECONDS = 600.0
SPAM_BURST = 25
SPAM_QPS = 1.0 / 300.0
AGGREGATE_PREFIX = "(combined from similar events): "
# kube-apiserver --event-ttl: "Amount of time to retain events" (default 1h0m0s).
EVENT_TTL_SECONDS = 3600.0

E = TypeVar("E")
K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """groupcache's lru.Cache: Get marks an entry recent; Add evicts the oldest."""

    def __init__(self, size: int = MAX_LRU_ENTRIES) -> None:
        self.size = size
        self.items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self.items.get(key)
        if value is not None:
            self.items.move_to_end(key)
        return value

    def add(self, key: K, value: V) -> None:
        items = self.items
        if key in items:
            items[key] = value
            items.move_to_end(key)
            return
        items[key] = value  # a new key goes to the end by itself
        if len(items) > self.size:
            items.popitem(last=False)


class Draft(NamedTuple):
    """An event as a recorder makes it, before correlation."""

    component: str
    host: str
    kind: str
    namespace: str
    name: str
    uid: str
    api_version: str
    type: str
    reason: str
    message: str
    field_path: str = ""  # involvedObject.fieldPath: which container an event is about

    # The keys are prefixes of the fields, in upstream's order (see the slices below).
    def spam_key(self) -> tuple[str, ...]:
        return self[:SPAM_KEY_LEN]

    def aggregate_key(self) -> tuple[str, ...]:
        return self[:AGGREGATE_KEY_LEN]

    def event_key(self) -> tuple[str, ...]:
        return tuple(self)


# getSpamKey: source and object; EventAggregatorByReasonFunc adds type and reason;
# getEventKey adds the message and the fieldPath (all of Draft). Prefix lengths for
# slicing, because this is a hot path; Final so that mypy types the slice as a tuple.
SPAM_KEY_LEN: Final = 7
AGGREGATE_KEY_LEN: Final = 9


# Small classes with slots: the correlator makes one of each per new event key, which at
# 50,000 pods is hundreds of thousands of them.
class _Aggregate:
    __slots__ = ("last", "messages")

    def __init__(self, messages: dict[str, None] | None = None, last: float = 0.0) -> None:
        self.messages = {} if messages is None else messages  # ordered: pops are stable
        self.last = last


class _Observation:
    __slots__ = ("count", "first", "name")

    def __init__(self, count: int, first: float, name: str) -> None:
        self.count = count
        self.first = first
        self.name = name


class _Bucket:
    __slots__ = ("last", "tokens")

    def __init__(self, tokens: float, last: float) -> None:
        self.tokens = tokens
        self.last = last


# What EventCorrelator.observe hands back for an event to store: the key it is
# remembered under, its message, whether it is the aggregate, and the observation
# (count, first time, and the stored event's name, "" for a new one).
Observed = tuple[tuple[str, ...], str, bool, _Observation]


class EventCorrelator:
    def __init__(self) -> None:
        self._aggregates: Lru[tuple[str, ...], _Aggregate] = Lru()
        self._observed: Lru[tuple[str, ...], _Observation] = Lru()
        self._spam: Lru[tuple[str, ...], _Bucket] = Lru()
        # The fresh path (see observe): events whose aggregate and observation entries
        # are not yet in the two caches, in order, each (key, time, observation).
        # (each: key, time, and the observation, or only the name its event is stored
        # under when its recorder names it: see observe_new)
        self._pending: list[tuple[tuple[str, ...], float, _Observation | str]] = []
        # The run of events about one object from one source that the fresh path is
        # in: its spam key and bucket, its first event's key, and the (type, reason)
        # pairs of the others (None while there are none).
        self._run: tuple[tuple[str, ...], _Bucket, tuple[str, ...],
                         list[tuple[str, str]] | None] | None = None
        # Whether every aggregate and observation has its spam key cached (see _verify),
        # and after how many more events to look again when not.
        self._trusted = False
        self._retry = 0
        # The streak: the last event took the general path and was aggregated (a
        # DaemonSet's SuccessfulCreate for each of 5,000 pods, each message new): its
        # aggregate key, aggregate record, observation, spam bucket and event key, each
        # the newest entry of its cache, while nothing else touches the caches (see
        # _streak_step). None otherwise.
        self._streak: tuple[tuple[str, ...], _Aggregate, _Observation, _Bucket,
                            tuple[str, ...]] | None = None

    def observe(self, key: tuple[str, ...], now: float) -> Observed | None:
        """Correlate one event, given as the fields of a Draft in a plain tuple (see
        _observe). Most events at scale are the first about an object from a source (a
        new pod's Scheduled, its kubelet's Pulling): nothing cached can match them, so
        their new entries wait in a list and reach the caches when something could look
        them up (_materialize), and most never do, pushed out by newer ones first.

        Why "nothing cached can match": each event touches one entry in each of the
        three caches, which hold as many, and its spam key is a prefix of its aggregate
        and event keys. A cached aggregate's (or observation's) spam key was touched with
        it, and since then no more spam keys than aggregate (or event) keys have been
        touched: the spam key is at least as recent in its cache, so it is still cached.
        A spam key that is not cached has nothing cached under it. Pruning and adopting
        can break that, so after them _verify looks before the fast path is used again.
        """
        got = self.observe_new(key, now)
        if got is not True:
            return got
        seen = _Observation(1, now, "")
        self._pend(key, now, seen)
        return key, key[9], False, seen

    def observe_new(self, key: tuple[str, ...], now: float, name: str | None = None
                    ) -> Observed | Literal[True] | None:
        """observe for a recorder that names its new events itself (Cluster.record_event):
        True for an event on the fresh path that is kept. Without `name`, before anything
        is remembered about it: the caller then names it and calls `named` at once, with
        nothing in between. With `name` (what the caller names a new event), the event
        is remembered under it, as `named` would, before True is returned. Either way the
        observation (count 1, first seen now) is made only if the caches are ever looked
        at, not for each of the 250,000 events of a 5,000-node settle."""
        if self._streak is not None:
            if self._trusted and key[:AGGREGATE_KEY_LEN] == self._streak[0]:
                got = self._streak_step(key[9], now)
                if got is not False:
                    return got
            self._streak = None
        if self._trusted:
            skey = key[:SPAM_KEY_LEN]
            run = self._run
            if run is not None and skey == run[0]:
                first, others = run[2], run[3]
                etype, reason = key[7], key[8]
                if (reason == first[8] and etype == first[7]) or (
                        others is not None and (etype, reason) in others):
                    return self._observe(key, now)  # (type, reason) again: general path
                # The run goes on with a (type, reason) it has not had: its aggregate and
                # event keys are new, and its bucket is the newest spam entry. (The run's
                # list of the others grows in place: nothing else holds it.)
                if others is None:
                    self._run = (skey, run[1], first, [(etype, reason)])
                else:
                    others.append((etype, reason))
                bucket = run[1]
                tokens = bucket.tokens + (now - bucket.last) * SPAM_QPS
                bucket.last = now
                if tokens >= 1.0:  # (min(SPAM_BURST, tokens) >= 1.0: the burst is 25)
                    bucket.tokens = (tokens if tokens < SPAM_BURST else float(SPAM_BURST)) - 1.0
                    if name is not None:
                        self._pend(key, now, name)
                    return True
                bucket.tokens = tokens
                self._pend(key, now, "")  # counted, though dropped
                return None
            spam = self._spam.items
            if skey not in spam:
                # A new run: nothing cached is about this object from this source. Its
                # bucket goes in at the end and, the cache being full, the oldest goes
                # out (popped first: the same entries are left) and lends its object:
                # nothing else holds it (the streak is over, the run is replaced here).
                if len(spam) >= self._spam.size:
                    bucket = spam.popitem(last=False)[1]
                    bucket.tokens = SPAM_BURST - 1.0
                    bucket.last = now
                else:
                    bucket = _Bucket(SPAM_BURST - 1.0, now)
                spam[skey] = bucket
                self._run = (skey, bucket, key, None)
                if name is not None:  # (named, inline: most events come this way)
                    pending = self._pending
                    pending.append((key, now, name))
                    if len(pending) >= 2 * self._observed.size:
                        self._pend_trim()
                return True
        return self._observe(key, now)

    def _streak_step(self, message: str, now: float) -> Observed | Literal[False] | None:
        """_observe for one more event of the streak's aggregate key with a message its
        record does not hold, at most ten minutes after the last: aggregated again. The
        three entries it touches are already the newest of their caches, so the general
        path's LRU moves would move nothing; what is left is its arithmetic. False (and
        nothing changed) for any other event: the general path decides it."""
        akey, record, seen, bucket, ekey = self._streak  # type: ignore[misc]
        messages = record.messages
        if (now - record.last > AGGREGATE_INTERVAL_SECONDS or message in messages
                or len(messages) != AGGREGATE_MAX_EVENTS - 1 or self._pending):
            return False
        # 1. aggregate: the new message makes ten, so the oldest goes and this is the
        # aggregate event
        messages[message] = None
        record.last = now
        del messages[next(iter(messages))]
        # 2. observe
        seen.count += 1
        # 3. spam filter
        bucket.tokens = min(float(SPAM_BURST), bucket.tokens + (now - bucket.last) * SPAM_QPS)
        bucket.last = now
        if bucket.tokens < 1.0:
            return None
        bucket.tokens -= 1.0
        return ekey, AGGREGATE_PREFIX + message, True, seen

    def _pend(self, key: tuple[str, ...], now: float, seen: _Observation | str) -> None:
        """What _observe's misses in the aggregate and observation caches add, for an
        event they hold nothing about: kept in order in _pending until looked for (the
        aggregate record only then, as _observe would have made it). `seen`: the
        observation, or only the name of the event stored for it ("" for none yet)."""
        pending = self._pending
        pending.append((key, now, seen))
        if len(pending) >= 2 * self._observed.size:
            self._pend_trim()

    def _pend_trim(self) -> None:
        # The oldest pending entries have been pushed out of both caches by the newer ones.
        self._aggregates.items.clear()
        self._observed.items.clear()
        del self._pending[:-self._observed.size]

    # The event observe_new answered True for is stored under a name: named(key, now,
    # name) pends it with that name (what _materialize turns into its observation).
    named = _pend

    def _materialize(self) -> None:
        """Put the pending entries into the caches, as if each had been added in turn."""
        self._run = None
        self._streak = None
        pending = self._pending
        if not pending:
            return
        aggregates, observed = self._aggregates.items, self._observed.items
        size = self._observed.size
        if len(pending) >= size:
            aggregates.clear()
            observed.clear()
            pending = pending[len(pending) - size:]
        for key, now, seen in pending:
            aggregates[key[:AGGREGATE_KEY_LEN]] = _Aggregate({key[9]: None}, now)
            if len(aggregates) > size:
                aggregates.popitem(last=False)
            # (named by record_event: the observation _observe would have made, named)
            observed[key] = seen if seen.__class__ is _Observation else _Observation(
                1, now, seen)  # type: ignore[arg-type]
            if len(observed) > size:
                observed.popitem(last=False)
        self._pending = []

    def _verify(self) -> bool:
        """Whether the fast path may be used: the three caches are the same size, and
        each cached aggregate's and observation's spam key is at least as recent in its
        cache as they are in theirs (counted from the newest). Every event keeps that
        true (observe says why), and while it holds, a spam key that is not cached has
        no aggregate or observation cached either."""
        size = self._spam.size
        if size < 1 or self._aggregates.size != size or self._observed.size != size:
            return False
        spam = {skey: at for at, skey in enumerate(reversed(self._spam.items))}
        for at, akey in enumerate(reversed(self._aggregates.items)):
            if spam.get(akey[:SPAM_KEY_LEN], size) > at:
                return False
        for at, ekey in enumerate(reversed(self._observed.items)):
            start = 1 if len(ekey) == AGGREGATE_KEY_LEN + 1 and ekey[0] == "aggregate" else 0
            if spam.get(ekey[start:start + SPAM_KEY_LEN], size) > at:
                return False
        return True

    def catch_up(self) -> None:
        """Bring the caches up to date (after a settle: readers may look at them)."""
        self._materialize()

    def _distrust(self) -> None:
        self._materialize()
        self._trusted = False
        self._retry = 0

    def _observe(self, key: tuple[str, ...], now: float) -> Observed | None:
        """The general path of observe: the
        three steps with their LRU operations written out, without a call per LRU
        operation or an object per outcome. tests/sim/test_sim_event_fast_path.py holds
        it, decision by decision and cache by cache, to upstream's steps one by one
        (tests/sim/event_reference.py). None: the spam filter drops the event. The
        caller names a new event by setting the observation's name
        (eventLogger.updateState).
        """
        self._materialize()
        if not self._trusted:
            self._retry -= 1
            if self._retry <= 0:
                self._trusted = self._verify()
                self._retry = self._spam.size
        message = key[9]
        # 1. aggregate (Lru.get, then Lru.add for a missing or stale record)
        aggregates = self._aggregates.items
        akey = key[:AGGREGATE_KEY_LEN]
        record = aggregates.get(akey)
        if record is None:
            record = aggregates[akey] = _Aggregate({message: None}, now)
            if len(aggregates) > self._aggregates.size:
                aggregates.popitem(last=False)
        else:
            aggregates.move_to_end(akey)
            if now - record.last > AGGREGATE_INTERVAL_SECONDS:
                record = aggregates[akey] = _Aggregate({message: None}, now)
            else:
                record.messages[message] = None
                record.last = now
        if len(record.messages) < AGGREGATE_MAX_EVENTS:
            ekey, aggregated = key, False
        else:
            del record.messages[next(iter(record.messages))]
            ekey, message, aggregated = ("aggregate", *akey), AGGREGATE_PREFIX + message, True
        # 2. observe
        observed = self._observed.items
        seen = observed.get(ekey)
        if seen is None:
            seen = observed[ekey] = _Observation(1, now, "")
            if len(observed) > self._observed.size:
                observed.popitem(last=False)
        else:
            observed.move_to_end(ekey)
            seen.count += 1
        # 3. spam filter: a new bucket starts full (25), and this event takes a token.
        spam = self._spam.items
        skey = key[:SPAM_KEY_LEN]
        bucket = spam.get(skey)
        if bucket is None:
            bucket = spam[skey] = _Bucket(SPAM_BURST - 1.0, now)
            if len(spam) > self._spam.size:
                spam.popitem(last=False)
            if aggregated:
                self._streak = (akey, record, seen, bucket, ekey)
            return ekey, message, aggregated, seen
        spam.move_to_end(skey)
        if aggregated:
            self._streak = (akey, record, seen, bucket, ekey)
        bucket.tokens = min(float(SPAM_BURST), bucket.tokens + (now - bucket.last) * SPAM_QPS)
        bucket.last = now
        if bucket.tokens < 1.0:
            return None
        bucket.tokens -= 1.0
        return ekey, message, aggregated, seen

    def adopt(self, event: dict[str, Any], first: float) -> None:
        """Know a stored Event as if this recorder had written it (for older snapshots)."""
        self._distrust()
        involved, source = event.get("involvedObject") or {}, event.get("source") or {}
        message = str(event.get("message", ""))
        draft = Draft(str(source.get("component", "")), str(source.get("host", "")),
                      str(involved.get("kind", "")), str(involved.get("namespace", "")),
                      str(involved.get("name", "")), str(involved.get("uid", "")),
                      str(involved.get("apiVersion", "")), str(event.get("type", "")),
                      str(event.get("reason", "")), message)
        key = (("aggregate", *draft.aggregate_key()) if message.startswith(AGGREGATE_PREFIX)
               else draft.event_key())
        self._observed.add(key, _Observation(int(event.get("count", 1)), first,
                                             str(event["metadata"]["name"])))

    def prune(self, now: float, exists: Callable[[str], bool],
              stored: Callable[[str, str], bool]) -> None:
        """Forget what can no longer change an outcome, so a long session stays flat.

        An aggregate record older than the interval and a spam bucket that has refilled
        act exactly as a missing one. An observation whose Event has expired and whose
        object is gone (a uid never comes back) can never be matched again.
        `exists(uid)`: the object is stored; `stored(namespace, name)`: the Event is.
        """
        self._distrust()
        for akey in [k for k, v in self._aggregates.items.items()
                     if now - v.last > AGGREGATE_INTERVAL_SECONDS]:
            del self._aggregates.items[akey]
        for skey in [k for k, v in self._spam.items.items()
                     if v.tokens + (now - v.last) * SPAM_QPS >= SPAM_BURST]:
            del self._spam.items[skey]
        for okey in [k for k, v in self._observed.items.items()
                     if _gone(k, v.name, exists, stored)]:
            del self._observed.items[okey]

    # --- snapshots: the correlator is part of the state a saved session resumes --------

    def export(self) -> dict[str, Any]:
        self._materialize()
        return {
            "aggregates": [[list(k), list(v.messages), v.last]
                           for k, v in self._aggregates.items.items()],
            "observed": [[list(k), v.count, v.first, v.name]
                         for k, v in self._observed.items.items()],
            "spam": [[list(k), v.tokens, v.last] for k, v in self._spam.items.items()],
        }

    @classmethod
    def restore(cls, data: dict[str, Any]) -> EventCorrelator:
        correlator = cls()
        for key, messages, last in data["aggregates"]:
            correlator._aggregates.add(tuple(key), _Aggregate(dict.fromkeys(messages),
                                                              float(last)))
        for key, count, first, name in data["observed"]:
            correlator._observed.add(tuple(key), _Observation(int(count), float(first),
                                                              str(name)))
        for key, tokens, last in data["spam"]:
            correlator._spam.add(tuple(key), _Bucket(float(tokens), float(last)))
        return correlator


def _gone(key: tuple[str, ...], name: str, exists: Callable[[str], bool],
          stored: Callable[[str, str], bool]) -> bool:
    # An event key is a Draft (namespace at 3, uid at 5); an aggregate's key is
    # ("aggregate", *prefix), one further along.
    at = 1 if key and key[0] == "aggregate" else 0
    if len(key) < 6 + at:
        return False
    namespace, uid = key[3 + at], key[5 + at]
    if not uid or exists(uid):
        return False
    return not name or not stored(namespace or "default", name)


def last_write(event: dict[str, Any]) -> str:
    """When an Event was last written, as RFC 3339 (what its TTL counts from): the later
    of its creation and its lastTimestamp (a recorder's update moves only the latter)."""
    meta = event.get("metadata") or {}
    return max(str(event.get("lastTimestamp") or ""), str(meta.get("creationTimestamp") or ""))


def expired_events(events: Iterable[E], now: float, ttl: float = EVENT_TTL_SECONDS, *,
                   written: Callable[[E], str] = last_write,  # type: ignore[assignment]
                   ) -> tuple[list[E], float]:
    """The events whose last write is `ttl` or more before `now`, and the earliest time
    another one expires (a lower bound: events written later expire later still).
    `written`: when an event was last written (the store's records say it themselves)."""
    cutoff = to_rfc3339(now - ttl)
    gone: list[E] = []
    oldest = ""
    last_written = written
    for event in events:
        # Whole-second RFC 3339 in UTC sorts as text, so no parsing per event.
        written_at = last_written(event)
        if written_at <= cutoff:
            gone.append(event)
        elif not oldest or written_at < oldest:
            oldest = written_at
    if not oldest:
        return gone, now + ttl
    try:
        return gone, parse_rfc3339(oldest) + ttl
    except ValueError:
        return gone, now + ttl
