"""Serving a lesson's cluster, whose virtual clock starts at the simulator's fixed epoch
and moves only as the lesson goes: on the wire its times are moved by (wall − virtual),
recomputed at every request, so the ages the real kubectl computes from the wall clock
(describe's Age, events' Last Seen) are the ages the tutor shows. Bodies kubectl sends
are moved back. Whole seconds only, so every timestamp keeps its own precision.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from dstutor.serve.encode import dumps

STAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?Z$")
_FORMAT = "%Y-%m-%dT%H:%M:%S"


def shift_value(value: Any, seconds: int) -> Any:
    """`value` with every RFC 3339 UTC timestamp string moved by `seconds`."""
    if isinstance(value, dict):
        return {k: shift_value(v, seconds) for k, v in value.items()}
    if isinstance(value, list):
        return [shift_value(v, seconds) for v in value]
    if isinstance(value, str):
        found = STAMP.match(value)
        if found:
            try:
                when = (dt.datetime.strptime(found.group(1), _FORMAT)
                        + dt.timedelta(seconds=seconds))
            except (ValueError, OverflowError):
                return value  # not a date after all, or beyond year 9999: left alone
            return when.strftime("%Y-%m-%dT%H:%M:%S") + (found.group(2) or "") + "Z"
    return value


def shift_json(body: bytes, seconds: int) -> bytes:
    """A JSON body with its timestamps moved; anything else unchanged."""
    if not seconds or not body:
        return body
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return body
    return dumps(shift_value(doc, seconds))


def shift_stream(chunks: Iterator[bytes], offset: Callable[[], int]) -> Iterator[bytes]:
    """A watch stream (newline-delimited JSON events) with each event's times moved."""
    try:
        for chunk in chunks:
            seconds = offset()
            lines = chunk.split(b"\n")
            yield b"\n".join(shift_json(line, seconds) if line.strip() else line
                             for line in lines)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()  # the watch's own clean-up (unregistering) runs now
