"""Label and field selectors as the API server applies them to a list request."""

from __future__ import annotations

from collections.abc import Callable

from dstutor.errors import BadRequest, CommandError
from dstutor.kubectl.resources import ResourceType, parse_field_selector, unsupported_field_labels
from dstutor.model.objects import Obj, field_selector_value
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

    def matches(obj: Obj) -> bool:
        if selector is not None and not selector.matches(obj["metadata"].get("labels") or {}):
            return False
        for term in terms:
            equal = field_selector_value(obj, term.field) == term.value
            if equal == term.negated:
                return False
        return True

    return matches
