"""Typed decoding of a written object with fieldValidation (Strict, Warn, Ignore).

The API server decodes the body into the kind's Go structs (dstutor/model/decode.py): a
value of the wrong type is refused in encoding/json's words whatever the mode; unknown
fields are refused (Strict), dropped with a warning each (Warn) or dropped (Ignore).
The object is replaced in place by what the typed object re-encodes.
"""

from __future__ import annotations

from typing import Any

from dstutor.kubectl.commands._manifest import go_sprint
from dstutor.kubectl.resources import ResourceType
from dstutor.model.decode import cannot_handle, decode, strict_detail
from dstutor.model.names import go_quote
from dstutor.model.objects import Obj
from dstutor.serve.status import StatusError


def fields(rt: ResourceType, obj: Obj, mode: str, *, patch: Any = None) -> list[str]:
    """Warnings to send; raises the server's refusal for a type error or (Strict) unknown
    fields: 400 for a body, and for a patched object (`patch` given) the patch handler's
    422 naming the patch (`The request is invalid: patch: Invalid value: "map[...]": ...`)."""
    result = decode(rt.kind, obj, strict=mode != "Ignore")
    detail = result.error
    if detail is None and mode == "Strict" and result.unknown:
        detail = strict_detail(result.unknown)
    if detail is not None and patch is not None:
        cause = f"Invalid value: {go_quote(go_sprint(patch))}: {detail}"
        raise StatusError(422, "Invalid", f'"" is invalid: patch: {cause}',
                          {"causes": [{"reason": "FieldValueInvalid", "message": cause,
                                       "field": "patch"}]})
    if detail is not None:
        raise StatusError(400, "BadRequest", cannot_handle(rt.kind, rt.version, detail), {})
    if isinstance(result.obj, dict) and result.obj is not obj:
        obj.clear()
        obj.update(result.obj)
    return [f'unknown field "{p}"' for p in result.unknown] if mode == "Warn" else []
