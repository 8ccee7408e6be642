"""labelSelector and fieldSelector of a list or watch request, with the server's 400s."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from dstutor.errors import CommandError
from dstutor.kubectl.commands._select import Selection, selecting
from dstutor.kubectl.resources import ResourceType, parse_field_selector, unsupported_field_labels
from dstutor.model.objects import Obj, selectable_field
from dstutor.model.selectors import parse_selector
from dstutor.serve.status import StatusError


def matcher(rt: ResourceType, query: dict[str, str]) -> Callable[[Obj], bool]:
    keep = selection(rt, query).keep

    def matches(obj: Obj) -> bool:
        return keep(partial(selectable_field, obj), obj["metadata"].get("labels") or {})

    return matches


def selection(rt: ResourceType, query: dict[str, str]) -> Selection:
    """Both selectors as kubectl's selecting() makes them (a predicate over an object's
    selectable fields and labels, and one over a recorded Event: what
    Store.list_events_where asks); bad ones are the server's 400s."""
    label = query.get("labelSelector", "")
    fields = query.get("fieldSelector", "")
    try:
        selector = parse_selector(label) if label else None
    except CommandError as exc:
        raise StatusError(400, "BadRequest", str(exc)) from None
    try:
        terms = parse_field_selector(fields) if fields else ()
    except ValueError as exc:
        raise StatusError(400, "BadRequest", str(exc)) from None
    bad = unsupported_field_labels(rt, terms)
    if bad:
        raise StatusError(400, "BadRequest", f'field label not supported: {bad[0]}')
    return selecting(selector, terms)
