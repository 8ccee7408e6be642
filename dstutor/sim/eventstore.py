"""Events the recorders wrote, kept compactly until somebody reads them (issue 19).

A settle at 5,000 nodes records about 250,000 Events. As dicts each is three dicts and
about 1.3 KB, and the cyclic collector walks all 750,000 dicts at every full collection
of the settle; nobody reads most of them before they expire. So `Cluster.record_event`
hands the store an `EventRecord`: a plain tuple of strings and numbers (the collector
stops tracking such a tuple after its first collection), and the store builds the API
dict the first time anything reads that Event (`Store.get`/`list`/`iter_kind`). From
then on that dict *is* the stored object, exactly as if it had been stored as a dict all
along: same keys in the same order, same resourceVersion, same place in the store's
order, edited in place and touched like any other object. A record is never handed out
to readers, so none can tell the two apart.

Listeners are told about a record's writes with its dict, unless every listener says it
ignores Event writes (`Store.event_blind`: the Cluster's informers do nothing with an
Event that is created or updated, only with one removed); then no dict is built.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import Any, Final

from dstutor.model.objects import selectable_field
from dstutor.sim.events import last_write
from dstutor.sim.namegen import uid_text

Obj = dict[str, Any]

# involvedObject: (apiVersion, kind, name, uid, resourceVersion, namespace, fieldPath),
# the last two "" when absent; source: (component, host), host "" when absent.
Involved = tuple[str, str, str, str, str, str, str]
Source = tuple[str, str]
# A record is (name, uid, creationTimestamp, involved, reason, message, type, source,
# resourceVersion), and once its recorder has seen it again (or if it was not new: an
# aggregate, or one made again after its TTL) also (firstTimestamp, lastTimestamp,
# count, aggregated); the short form means (creationTimestamp, creationTimestamp, 1,
# False). The namespace is the involved object's, or "default". The uid is kept as the
# name generator's 128 bits (NameGenerator.uid_bits) and written out when read. At
# 250,000 Events, each field left out is 2 MB.
EventRecord = tuple[Any, ...]
# Where the fields are (Final: mypy then types record[NAME] as its field).
NAME: Final = 0
CREATED: Final = 2
INVOLVED: Final = 3
RV: Final = 8
LAST: Final = 10
SHORT: Final = 9  # the length of the short form


def record_key(record: EventRecord) -> tuple[str, str]:
    """A record's (namespace, name): its key in the store."""
    return record[INVOLVED][5] or "default", record[NAME]


def new_record(name: str, uid: int, created: str, involved: Involved, reason: str,
               message: str, etype: str, source: Source, first: str, count: int,
               aggregated: bool, rv: int) -> EventRecord:
    """The record of an Event as the recorder creates it (lastTimestamp: its creation)."""
    if count == 1 and first == created and not aggregated:
        return (name, uid, created, involved, reason, message, etype, source, rv)
    return (name, uid, created, involved, reason, message, etype, source, rv, first, created,
            count, aggregated)


def is_record(entry: object) -> bool:
    """A stored Event kept as a record (every other stored object is a dict)."""
    return entry.__class__ is tuple


def event_dict(record: EventRecord, shared: dict[Any, Obj] | None = None) -> Obj:
    """The Event as record_event used to store it, key for key and in its order
    (resourceVersion last in metadata: the store added it after the others).
    `shared`: involvedObject and source dicts already built for other events, to share
    as record_event shared them (never edited)."""
    name, bits, created, about, reason, message, etype, reporter, rv = record[:SHORT]
    if len(record) == SHORT:
        first, last, count, aggregated = created, created, 1, False
    else:
        first, last, count, aggregated = record[SHORT:]
    namespace = about[5] or "default"
    involved = shared.get(about) if shared is not None else None
    if involved is None:
        involved = {"apiVersion": about[0], "kind": about[1], "name": about[2],
                    "uid": about[3], "resourceVersion": about[4]}
        if about[5]:
            involved["namespace"] = about[5]
        if about[6]:
            involved["fieldPath"] = about[6]
        if shared is not None:
            shared[about] = involved
    component, host = reporter
    source = shared.get(reporter) if shared is not None else None
    if source is None:
        source = {"component": component, "host": host} if host else {"component": component}
        if shared is not None:
            shared[reporter] = source
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": namespace, "uid": uid_text(bits),
                     "creationTimestamp": created, "resourceVersion": str(rv)},
        "involvedObject": involved, "reason": reason, "message": message,
        "type": etype, "source": source,
        "firstTimestamp": first, "lastTimestamp": last, "count": count,
        # The aggregate copy upstream carries no reporting fields.
        "reportingComponent": "" if aggregated else component,
        "reportingInstance": "" if aggregated else host,
    }


# involvedObject's fields by their place in a record's Involved tuple.
_INVOLVED_FIELDS = {"involvedObject.apiVersion": 0, "involvedObject.kind": 1,
                    "involvedObject.name": 2, "involvedObject.uid": 3,
                    "involvedObject.resourceVersion": 4, "involvedObject.namespace": 5,
                    "involvedObject.fieldPath": 6}


def record_field(record: EventRecord, field: str) -> str:
    """What a field selector compares for `field` of the Event a record keeps:
    selectable_field(event_dict(record), field), read from the record itself (a
    `kubectl get events --field-selector` at 5,000 nodes looks at 250,000 of them)."""
    return record_getter(field)(record)


def record_getter(field: str) -> Callable[[EventRecord], str]:
    """record_field(record, field) as a function of the record alone, for a selector's
    fields, known before the records are read: one tuple lookup or two for the fields
    kubectl selects on (describe's involvedObject search), not a walk of the rules."""
    place = _INVOLVED_FIELDS.get(field)
    if place is not None:
        return lambda record: record[INVOLVED][place]
    simple = {"reason": 4, "type": 6, "metadata.name": NAME}.get(field)
    if simple is not None:
        return itemgetter(simple)
    if field == "metadata.namespace":
        return lambda record: record[INVOLVED][5] or "default"
    if field == "source":  # source.component (reportingComponent is the same or "")
        return lambda record: record[7][0]
    if field == "reportingComponent":
        return _reporting_component
    return lambda record: selectable_field(event_dict(record), field)


def _reporting_component(record: EventRecord) -> str:
    aggregated = len(record) > SHORT and record[SHORT + 3]
    return "" if aggregated else record[7][0]


def updated(record: EventRecord, count: int, message: str, last: str, rv: int) -> EventRecord:
    """The record after its recorder saw it again, at resourceVersion `rv`."""
    first, aggregated = ((record[CREATED], False) if len(record) == SHORT
                         else (record[SHORT], record[SHORT + 3]))
    return (*record[:5], message, record[6], record[7], rv, first, last, count, aggregated)


def entry_last_write(entry: EventRecord | Obj) -> str:
    """When a stored Event, a record or a dict, was last written (RFC 3339): what
    events.last_write says of its dict."""
    if isinstance(entry, tuple):
        return entry[CREATED] if len(entry) == SHORT else max(entry[LAST], entry[CREATED])
    return last_write(entry)
