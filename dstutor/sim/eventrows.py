"""A stored Event's record (sim/eventstore.py) as a row of a snapshot file, and back.

At 5,000 nodes a snapshot holds about 250,000 Events, nearly all still kept as records
(nobody read them). Written as API dicts they were two thirds of the file's text, each
built for the file only, and a `load` parsed, validated and stored them as dicts, which
the store then kept as such (three dicts an Event, walked by every full collection). A
record is written instead as `{"kind": "Event", "record": ROW}` (every item of a
snapshot's objects is still a mapping with a kind), ROW a JSON array of its fields, in
the record's order, with its uid as text:

    [name, uid, creationTimestamp,
     [apiVersion, kind, name, uid, resourceVersion, namespace, fieldPath],
     reason, message, type, [component, host], resourceVersion]

followed, for an Event seen more than once (or an aggregate), by
`firstTimestamp, lastTimestamp, count, aggregated`. The Event's namespace is its
involved object's, or "default" (as a recorder stores it). A loaded row is the record
again: the store builds the same dict from it when it is first read.

A file may come from anyone: `record_of` checks every field of a row before it is a
record, and names the first bad one; a row whose Event's name or namespace the API
would refuse is refused with validation's own cause (snapshot.py asks it).
"""

from __future__ import annotations

import re
from typing import Any

from dstutor.model.names import validate_dns_label, validate_dns_subdomain
from dstutor.sim.eventstore import SHORT, EventRecord
from dstutor.sim.namegen import uid_text

LONG = SHORT + 4  # a record's long form: firstTimestamp, lastTimestamp, count, aggregated
# What to_rfc3339 writes (a recorder's timestamps, to the second, in UTC).
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
MAX_RESOURCE_VERSION = 2**63 - 1
MAX_COUNT = 2**31 - 1  # Event.count is an int32


class RowProblem(ValueError):
    """A row that is not an Event's record: `where` (e.g. "[3][2]", "" for the row
    itself) and what is wrong with it."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where} {problem}")
        self.where, self.problem = where, problem


def row_of(record: EventRecord) -> tuple[Any, ...]:
    """The record as its row (JSON writes the tuples as arrays)."""
    return (record[0], uid_text(record[1]), *record[2:])


def namespace_of(row: list[Any]) -> str:
    """The namespace of a row's Event (a row record_of accepted)."""
    return str(row[3][5]) or "default"


class RowReader:
    """record_of for the rows of one file: the texts and tuples the rows repeat (a pod's
    involvedObject in each of its Events, a reporter in thousands, the same messages and
    timestamps) are checked once and shared by their records, as the recorders share
    them (sim/recorder.py)."""

    def __init__(self) -> None:
        self._shared: dict[Any, Any] = {}
        self._timestamps: dict[str, str] = {}
        self._namespaces: set[str] = set()  # namespaces the API accepts

    def record_of(self, row: Any) -> EventRecord:
        """The record a row holds; RowProblem for the first field that is not as
        row_of writes it."""
        if row.__class__ is list and len(row) == SHORT:
            # Most rows (short, their scalar fields of the right types): those need one
            # look each, the others their checks, which know what they have seen (a
            # pod's involvedObject in each of its Events, a reporter, an instant) and
            # raise in the order _checked would. Any other row takes _checked.
            name, uid, created, involved, reason, message, etype, source, rv = row
            if (name.__class__ is str and reason.__class__ is str
                    and message.__class__ is str and etype.__class__ is str
                    and rv.__class__ is int and 0 < rv <= MAX_RESOURCE_VERSION
                    and uid.__class__ is str and _UID.fullmatch(uid) is not None):
                shared = self._shared
                return (name, int(uid.replace("-", ""), 16),
                        self._timestamp(created, "[2]"), self._strings(involved, 7, "[3]"),
                        shared.setdefault(reason, reason),
                        shared.setdefault(message, message),
                        shared.setdefault(etype, etype), self._strings(source, 2, "[7]"), rv)
        return self._checked(row)

    def _checked(self, row: Any) -> EventRecord:
        """record_of, each field checked in turn (the first bad one raises)."""
        if not isinstance(row, list) or len(row) not in (SHORT, LONG):
            raise RowProblem("", f"must be a list of {SHORT} or {LONG} items")
        name, uid, created, involved, reason, message, etype, source, rv = row[:SHORT]
        _text(name, "[0]")
        bits = _uid_bits(uid)
        fields: list[Any] = [name, bits, self._timestamp(created, "[2]"),
                             self._strings(involved, 7, "[3]")]
        for value, where in ((reason, "[4]"), (message, "[5]"), (etype, "[6]")):
            fields.append(self._string(value, where))
        fields.append(self._strings(source, 2, "[7]"))
        fields.append(_whole(rv, "[8]", 1, MAX_RESOURCE_VERSION))
        if len(row) == LONG:
            first, last, count, aggregated = row[SHORT:]
            fields += [self._timestamp(first, f"[{SHORT}]"),
                       self._timestamp(last, f"[{SHORT + 1}]"),
                       _whole(count, f"[{SHORT + 2}]", 1, MAX_COUNT)]
            if not isinstance(aggregated, bool):
                raise RowProblem(f"[{SHORT + 3}]", "must be true or false")
            fields.append(aggregated)
        return tuple(fields)

    # Everything in _shared was checked: a key found there equal to a row's field (a
    # str, or a tuple of the field's length) is a field that passes.
    def _string(self, value: Any, where: str) -> str:
        if value.__class__ is str:
            return self._shared.setdefault(value, value)
        return _text(value, where)

    def _strings(self, value: Any, length: int, where: str) -> tuple[str, ...]:
        if value.__class__ is list and len(value) == length:
            items = tuple(value)
            try:
                known = self._shared.get(items)
                "".join(items)  # (raises unless every item is a string)
            except TypeError:  # an item unhashable, or not a string: _texts names it
                pass
            else:
                return known if known is not None else self._shared.setdefault(items, items)
        checked = _texts(value, length, where)
        return self._shared.setdefault(checked, checked)

    def name_refused(self, row: list[Any]) -> bool:
        """Whether the API would refuse the name or namespace of the Event of a row
        record_of accepted (the only fields validation.validate checks of an Event):
        then snapshot.py asks validation for its cause."""
        namespace = namespace_of(row)
        if namespace not in self._namespaces:
            if validate_dns_label(namespace):
                return True
            self._namespaces.add(namespace)
        return bool(validate_dns_subdomain(row[0]))

    def _timestamp(self, value: Any, where: str) -> str:
        known = self._timestamps.get(value) if value.__class__ is str else None
        if known is not None:
            return known
        if not isinstance(value, str) or _TIMESTAMP.fullmatch(value) is None:
            raise RowProblem(where, "must be a time as YYYY-MM-DDThh:mm:ssZ")
        return self._timestamps.setdefault(value, value)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise RowProblem(where, "must be a string")
    return value


def _texts(value: Any, length: int, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or len(value) != length:
        raise RowProblem(where, f"must be a list of {length} strings")
    for i, item in enumerate(value):
        _text(item, f"{where}[{i}]")
    return tuple(value)


def _whole(value: Any, where: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise RowProblem(where, f"must be a whole number from {low} to {high}")
    return value


def _uid_bits(value: Any) -> int:
    """The 128 bits uid_text writes as `value` (a version 4 UUID in lower case)."""
    if not isinstance(value, str) or _UID.fullmatch(value) is None:
        raise RowProblem("[1]", "must be a uid (a version 4 UUID in lower case)")
    return int(value.replace("-", ""), 16)
