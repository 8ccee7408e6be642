"""JSON as the Go API server writes it: compact, map keys sorted, HTML characters escaped.

Sorted keys matter beyond looks: `kubectl rollout undo` compares a ControllerRevision's
raw data with its own compact encoding of the live template, byte for byte.
"""

from __future__ import annotations

import json
from typing import Any

_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dumps(value: Any) -> bytes:
    text = _ENCODER.encode(value)
    if "<" in text or ">" in text or "&" in text or "\u2028" in text or "\u2029" in text:
        # These can only occur inside strings, where Go writes them as \u escapes.
        text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
                .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    return text.encode("utf-8")
