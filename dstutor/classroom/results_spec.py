"""The shape of a results file, declared once; `check` names the first field that is wrong.

A results file comes from a learner, so `dstutor grade` treats it as hostile: every field
is type-checked here, before any other code reads it, and a file that does not fit is
REJECTED with a one-line reason naming the field (`lessons[0].steps[1].attempts: expected
an integer, got null`). Unknown keys are refused too: they would be covered by the digest
but read by nothing, and they are where deep nesting would hide. The digest cannot do this
job: anyone can recompute it (see results.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dstutor.model.timefmt import SIM_EPOCH
from dstutor.textsafe import visible_line

# Bounds that keep grading fast and its arithmetic finite; far beyond any real session.
MAX_TEXT = 100_000  # one log line (a heredoc manifest) or a title
MAX_NAME = 200  # learner name, ids, check ids
MAX_ITEMS = 5_000  # log entries per lesson (replaying them costs time)
MAX_COUNT = 1_000_000  # attempts, hints
MAX_SECONDS = 10 * 365 * 86400.0  # wall seconds spent
MAX_POINTS = 1_000_000.0
# Virtual times in a log: the simulator starts at SIM_EPOCH; a week is more than any lesson.
MAX_VIRTUAL_SECONDS = 7 * 86400.0
_SURROGATE = re.compile("[\ud800-\udfff]")


class SpecError(ValueError):
    """A field that does not fit the spec; str() is the one-line reason."""


Check = Callable[[Any, str], None]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _fail(where: str, want: str, value: Any) -> SpecError:
    return SpecError(f"{where}: expected {want}, got {_kind(value)}")


def text(max_len: int = MAX_TEXT, *, pattern: str | None = None) -> Check:
    compiled = re.compile(pattern) if pattern else None

    def check(value: Any, where: str) -> None:
        if not isinstance(value, str):
            raise _fail(where, "a string", value)
        if len(value) > max_len:
            raise SpecError(f"{where}: longer than {max_len} characters")
        if _SURROGATE.search(value):
            raise SpecError(f"{where}: not valid Unicode text (a lone surrogate)")
        if compiled is not None and not compiled.fullmatch(value):
            raise SpecError(f"{where}: not of the form {pattern}")
    return check


def integer(lo: int = 0, hi: int = MAX_COUNT) -> Check:
    def check(value: Any, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(where, "an integer", value)
        if not lo <= value <= hi:
            raise SpecError(f"{where}: {value} is outside {lo}..{hi}")
    return check


def number(lo: float = 0.0, hi: float = MAX_POINTS, *, bounds: str = "") -> Check:
    """A finite number in lo..hi; `bounds` says the range in words for the reason."""
    def check(value: Any, where: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _fail(where, "a number", value)
        if isinstance(value, float) and not math.isfinite(value):
            raise SpecError(f"{where}: {value} is not a finite number")
        if not lo <= value <= hi:
            raise SpecError(f"{where}: {value:g} is outside {bounds or f'{lo:g}..{hi:g}'}")
    return check


def boolean(value: Any, where: str) -> None:
    if not isinstance(value, bool):
        raise _fail(where, "true or false", value)


def const(*allowed: Any) -> Check:
    def check(value: Any, where: str) -> None:
        if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
            raise SpecError(f"{where}: must be one of {', '.join(map(repr, allowed))}")
    return check


def nullable(inner: Check) -> Check:
    def check(value: Any, where: str) -> None:
        if value is not None:
            inner(value, where)
    return check


def items(inner: Check, max_len: int = MAX_ITEMS) -> Check:
    def check(value: Any, where: str) -> None:
        if not isinstance(value, list):
            raise _fail(where, "a list", value)
        if len(value) > max_len:
            raise SpecError(f"{where}: more than {max_len} items")
        for i, item in enumerate(value):
            inner(item, f"{where}[{i}]")
    return check


@dataclass(frozen=True)
class Field:
    check: Check
    required: bool = True


def obj(fields: Mapping[str, Check | Field]) -> Check:
    spec = {k: v if isinstance(v, Field) else Field(v) for k, v in fields.items()}

    def check(value: Any, where: str) -> None:
        if not isinstance(value, dict):
            raise _fail(where, "an object", value)
        for key in value:
            if key not in spec:
                raise SpecError(f"{_join(where, _shown(key))}: unknown field")
        for key, field in spec.items():
            if key in value:
                field.check(value[key], _join(where, key))
            elif field.required:
                raise SpecError(f"{_join(where, key)}: missing")
    return check


def optional(check: Check) -> Field:
    return Field(check, required=False)


def _shown(key: str) -> str:
    """An unknown key, as a reason may quote it: short, controls and surrogates visible."""
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", key[:40])
    return visible_line(text)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


# --- the results file -------------------------------------------------------------------

NAME = text(MAX_NAME)
HASH = text(64, pattern="[0-9a-f]{64}")
VIRTUAL_TIME = number(SIM_EPOCH, SIM_EPOCH + MAX_VIRTUAL_SECONDS,
                      bounds=f"the lesson's virtual time (its first "
                             f"{MAX_VIRTUAL_SECONDS / 86400:g} days)")
LOG_KINDS = ("", "run", "typed", "auto")  # see dstutor.lessons.progress.LogEntry

LOG_ENTRY = obj({
    "t": VIRTUAL_TIME, "line": text(), "exit": integer(0, 255), "step": NAME,
    "skip": boolean, "kind": optional(const(*LOG_KINDS)), "hash": HASH,
})
CHECK = obj({"id": NAME, "weight": number(0.0, MAX_POINTS), "passed": boolean})
PREDICTION = obj({"guess": optional(nullable(integer(-MAX_COUNT, MAX_COUNT))),
                  "answer": optional(integer(-MAX_COUNT, MAX_COUNT))})
STEP = obj({
    "id": NAME, "title": text(), "quiz": boolean, "done": boolean, "skipped": boolean,
    "solution_seen": boolean, "hints_used": integer(), "attempts": integer(),
    "seconds": number(0.0, MAX_SECONDS), "earned": number(), "possible": number(),
    # optional: the first format-1 exports lacked them
    "quiz_answers": optional(items(text(8), 1000)),
    "prediction": optional(nullable(PREDICTION)),
    "checks": optional(items(CHECK, 1000)),
})
SCORING = obj({"points": number(0.0, MAX_POINTS), "hint_cost": number(),
               "late_cost": number()})
LESSON = obj({
    "id": NAME, "title": text(), "file": text(MAX_TEXT), "mode": const("lesson", "exercise"),
    "started": boolean, "completed": boolean, "steps_done": integer(), "steps_total": integer(),
    "hints_used": integer(), "attempts": integer(), "seconds": number(0.0, MAX_SECONDS),
    "time_limit": nullable(number(0.0, MAX_SECONDS)), "over_time": boolean,
    "scoring": SCORING, "score": number(), "steps": items(STEP, 1000),
    "log": items(LOG_ENTRY), "log_head": HASH, "log_complete": optional(boolean),
    "edits": optional(items(text(1_000_000), 1000)),
})
DOCUMENT = obj({
    "format": const("dstutor-results"), "format_version": const(1, 2), "learner": NAME,
    "exported": text(40), "dstutor": text(40), "course": text(4096), "integrity": text(1000),
    "lessons": items(LESSON, 1000), "total_score": number(), "total_points": number(),
    "digest": text(80, pattern="sha256:[0-9a-f]{64}"),
})


def check(doc: Any) -> None:
    """Raise SpecError naming the first field of `doc` that does not fit a results file."""
    DOCUMENT(doc, "")
