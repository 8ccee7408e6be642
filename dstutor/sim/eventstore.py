"""Events the recorders wrote, kept compactly until somebody reads them (issue 19).

A settle at 5,000 nodes records about 250,000 Events. As dicts each is three dicts and
about 1.3 KB; nobody reads most of them before they expire. So `Cluster.record_event`
hands the store an `EventRecord` (the fields that vary, the involvedObject and source
dicts shared as before), and the store builds the API dict the first time anything
reads that Event (`Store.get`/`list`/`iter_kind`). From then on that dict *is* the
stored object, exactly as if it had been stored as a dict all along: same keys in the
same order, same resourceVersion, edited in place and touched like any other object.
A record is never handed out, so no reader can tell the two apart.

Listeners are told about a record's writes with its dict, unless every listener says it
ignores Event writes (`Store.event_blind`: the Cluster's informers do nothing with an
Event that is created or updated, only with one removed); then no dict is built.
"""

from __future__ import annotations

from typing import Any

from dstutor.sim.events import last_write

Obj = dict[str, Any]


class EventRecord:
    """One stored Event as `Cluster.record_event` made it, without its dicts.

    `involved` and `source` are the dicts record_event shares between events (never
    edited); the reporting fields follow from the source, blank for an aggregate.
    """

    __slots__ = ("aggregated", "count", "created", "first", "involved", "last", "message",
                 "name", "namespace", "reason", "rv", "source", "type", "uid")

    def __init__(self, name: str, namespace: str, uid: str, created: str, involved: Obj,
                 reason: str, message: str, etype: str, source: Obj, first: str,
                 count: int, aggregated: bool) -> None:
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.created = created
        self.involved = involved
        self.reason = reason
        self.message = message
        self.type = etype
        self.source = source
        self.first = first
        self.last = created
        self.count = count
        self.aggregated = aggregated
        self.rv = 0  # the store sets it

    def to_dict(self) -> Obj:
        """The Event as record_event used to store it, key for key and in its order
        (resourceVersion last in metadata: the store added it after the others)."""
        source = self.source
        return {
            "apiVersion": "v1", "kind": "Event",
            "metadata": {"name": self.name, "namespace": self.namespace, "uid": self.uid,
                         "creationTimestamp": self.created, "resourceVersion": str(self.rv)},
            "involvedObject": self.involved, "reason": self.reason, "message": self.message,
            "type": self.type, "source": source,
            "firstTimestamp": self.first, "lastTimestamp": self.last, "count": self.count,
            "reportingComponent": "" if self.aggregated else source["component"],
            "reportingInstance": "" if self.aggregated else source.get("host", ""),
        }

    def last_write(self) -> str:
        """events.last_write of its dict, without building it."""
        return max(self.last, self.created)


def entry_last_write(entry: EventRecord | Obj) -> str:
    """When a stored Event, a record or a dict, was last written (RFC 3339)."""
    if isinstance(entry, EventRecord):
        return entry.last_write()
    return last_write(entry)
