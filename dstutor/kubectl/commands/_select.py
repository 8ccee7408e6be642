"""Label and field selectors as the API server applies them to a list request."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from dstutor.errors import BadRequest, CommandError
from dstutor.kubectl.resources import ResourceType, parse_field_selector, unsupported_field_labels
from dstutor.model.objects import Obj, selectable_field
from dstutor.model.selectors import parse_selector


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
    keep = selection(rt, label, namespace, fields)

    def matches(obj: Obj) -> bool:
        return keep(partial(selectable_field, obj), obj["metadata"].get("labels") or {})

    return matches


def selection(rt: ResourceType, label: str, namespace: str | None = None, fields: str = ""
              ) -> Callable[[Callable[[str], str], Mapping[str, str]], bool]:
    """Both selectors as a predicate over an object's selectable fields (a function of a
    field's name) and its labels: what Store.list_events_where asks, so that a recorded
    Event is judged without building it. Bad selectors raise kubectl's BadRequest."""
    try:
        selector = parse_selector(label) if label else None
    except CommandError as exc:
        raise selector_error(rt, label, fields, str(exc)) from None
    try:
        terms = parse_field_selector(fields) if fields else ()
    except ValueError as exc:
        raise selector_error(rt, label, fields, str(exc)) from None
    bad = unsupported_field_labels(rt, terms)
    if bad:
        raise selector_error(rt, label, fields, f"field label not supported: {bad[0]}")

    def keep(field_of: Callable[[str], str], labels: Mapping[str, str]) -> bool:
        if selector is not None and not selector.matches(labels):
            return False
        for term in terms:  # noqa: SIM110 (all() of a generator costs more per object)
            if (field_of(term.field) == term.value) == term.negated:
                return False
        return True

    return keep
