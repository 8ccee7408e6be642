"""Label and field selectors as the API server applies them to a list request."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import NamedTuple

from dstutor.errors import BadRequest, CommandError
from dstutor.kubectl.resources import (
    FieldRequirement,
    ResourceType,
    parse_field_selector,
    unsupported_field_labels,
)
from dstutor.model.objects import Obj, selectable_field
from dstutor.model.selectors import LabelSelector, parse_selector
from dstutor.sim.eventstore import EventRecord, record_getter


def gvr_string(rt: ResourceType) -> str:
    """Go's GroupVersionResource.String(): `apps/v1, Resource=daemonsets`, `/v1, Resource=pods`."""
    return f"{rt.group}/{rt.version}, Resource={rt.plural}"


def selector_error(rt: ResourceType, label: str, fields: str, message: str) -> BadRequest:
    # cli-runtime's selector visitor rewrites the server's BadRequest this way.
    return BadRequest(f'Unable to find "{gvr_string(rt)}" that match label selector "{label}", '
                      f'field selector "{fields}": {message}')


def label_filter(rt: ResourceType, label: str, namespace: str | None = None,
                 fields: str = "") -> Callable[[Obj], bool]:
    """A predicate for objects matching both selectors; bad ones raise kubectl's BadRequest."""
    return selection(rt, label, fields).matches


class Selection(NamedTuple):
    """Both selectors as predicates: `keep` over an object's selectable fields (a function
    of a field's name) and its labels, `keep_record` over a recorded Event as the store
    keeps it (Store.list_events_where), with the same answers."""

    keep: Callable[[Callable[[str], str], Mapping[str, str]], bool]
    keep_record: Callable[[EventRecord], bool]

    def matches(self, obj: Obj) -> bool:
        """`keep` asked of a stored object."""
        return self.keep(partial(selectable_field, obj), obj["metadata"].get("labels") or {})


def selection(rt: ResourceType, label: str, fields: str = "") -> Selection:
    """label and fields parsed as the API server parses them; bad selectors raise
    kubectl's BadRequest."""
    return parsed(rt, label, fields, lambda message: selector_error(rt, label, fields, message))


def parsed(rt: ResourceType, label: str, fields: str,
           refused: Callable[[str], Exception]) -> Selection:
    """The Selection of a label and a field selector, or refused(the server's message)
    raised for a bad one (kubectl's BadRequest, serve's 400)."""
    try:
        selector = parse_selector(label) if label else None
    except CommandError as exc:
        raise refused(str(exc)) from None
    try:
        terms = parse_field_selector(fields) if fields else ()
    except ValueError as exc:
        raise refused(str(exc)) from None
    bad = unsupported_field_labels(rt, terms)
    if bad:
        raise refused(f"field label not supported: {bad[0]}")
    return selecting(selector, terms)


def selecting(selector: LabelSelector | None, terms: Sequence[FieldRequirement]) -> Selection:
    """The Selection of a parsed label selector and field terms (kubectl's and serve's)."""

    def keep(field_of: Callable[[str], str], labels: Mapping[str, str]) -> bool:
        if selector is not None and not selector.matches(labels):
            return False
        for term in terms:  # noqa: SIM110 (all() of a generator costs more per object)
            if (field_of(term.field) == term.value) == term.negated:
                return False
        return True

    # A recorded Event has no labels: the label selector's answer is the same for all.
    labels_match = selector is None or selector.matches({})
    getters = tuple((record_getter(t.field), t.value, t.negated) for t in terms)

    def keep_record(record: EventRecord) -> bool:
        if not labels_match:
            return False
        for get, value, negated in getters:  # noqa: SIM110 (as above)
            if (get(record) == value) == negated:
                return False
        return True

    return Selection(keep, keep_record)
