"""fieldValidation (Strict, Warn, Ignore) of a written object: unknown fields.

The `decode` branch's dstutor/model/decode.py decodes as the server does (types too);
once it is on main, `fields` calls it instead of kubectl.fields.unknown_fields.
"""

from __future__ import annotations

from dstutor.kubectl.fields import strip_unknown, unknown_fields
from dstutor.kubectl.resources import ResourceType
from dstutor.model.objects import Obj
from dstutor.serve.status import StatusError


def fields(rt: ResourceType, obj: Obj, mode: str) -> list[str]:
    """Warnings to send; unknown fields are dropped (Warn, Ignore) or refused (Strict)."""
    if mode == "Strict":
        bad = unknown_fields(rt.kind, obj)
        if bad:
            detail = ", ".join(f'unknown field "{b}"' for b in bad)
            raise StatusError(400, "BadRequest",
                              f'{rt.kind} in version "{rt.version}" cannot be handled as a '
                              f"{rt.kind}: strict decoding error: {detail}", {})
        return []
    dropped = strip_unknown(rt.kind, obj)
    return [f'unknown field "{p}"' for p in dropped] if mode == "Warn" else []
