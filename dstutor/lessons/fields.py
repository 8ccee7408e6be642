"""Every field a lesson file may have, and its type: one table the loader checks first.

A lesson comes from someone else's course, so any value may be the wrong type (`checks:
true`, `node: []`). `check_types` walks the whole document against `FIELDS` before
anything reads it, and turns the first mismatch into one sentence with file and line.
A new field is one new row here; the loader then builds it from data of a known shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dstutor.textsafe import visible

Path_ = tuple[str | int, ...]
Fail = Callable[[Path_, str], Exception]


@dataclass(frozen=True)
class Kind:
    """A field type: `check` returns None or the sentence after the field's name."""

    noun: str
    check: Callable[[Any], str | None]
    block: str = ""  # a nested mapping (or list of them) described by FIELDS[block]
    many: bool = False  # a list of `block` mappings
    texts: bool = True  # strings inside are lesson text: control characters refused


def _is_scalar_text(value: Any) -> bool:
    # A number is read as text (`title: 42`); YAML booleans are almost always a mistake.
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _whole(low: int, high: int) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return "must be a whole number"
        if not low <= value <= high:
            return f"must be a whole number from {low} to {high}, not {value}"
        return None
    return check


def _text(value: Any) -> str | None:
    return None if _is_scalar_text(value) else "must be a string"


def _texts(value: Any) -> str | None:
    # One string is accepted where a list is expected (`hints: one hint`).
    if isinstance(value, str) or (isinstance(value, list)
                                  and all(isinstance(v, str) for v in value)):
        return None
    return "must be a list of strings"


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _labels(value: Any) -> str | None:
    if isinstance(value, dict) and all(
            _is_scalar_text(k) and (v is None or _is_scalar_text(v) or isinstance(v, bool))
            for k, v in value.items()):
        return None
    return "must be a mapping of names to values"


def _mapping(value: Any) -> str | None:
    return None if isinstance(value, dict) else "must be a mapping"


def _list_of_mappings(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, dict) for v in value):
        return None
    return "must be a list of mappings"


def _duration(value: Any) -> str | None:
    return None if _is_scalar_text(value) else "must be a duration such as 30m"


TEXT = Kind("text", _text)
TEXTS = Kind("texts", _texts)
FLAG = Kind("flag", _flag)
LABELS = Kind("labels", _labels)
# A check parameter: its shape is checked by the check's own validator (checks.py);
# here only that no string inside it hides a control character.
PARAM = Kind("param", lambda _value: None)
SCORING = Kind("scoring", _mapping, texts=False)  # read by dstutor.lessons.exercise


def whole(low: int, high: int) -> Kind:
    return Kind("whole", _whole(low, high))


def block(name: str) -> Kind:
    return Kind("block", _mapping, block=name)


def blocks(name: str) -> Kind:
    return Kind("blocks", _list_of_mappings, block=name, many=True)


# Commands (setup, solution, wrong, variants) and file references are texts too; what
# they may say is decided in `confine.py`, which the loader applies after the types.
COMMANDS = TEXTS
PATH = TEXT
PATHS = TEXTS
ANY_INT = whole(-1_000_000, 1_000_000)

FIELDS: Mapping[str, Mapping[str, Kind]] = {
    "lesson": {
        "format_version": whole(0, 1_000_000), "id": TEXT, "title": TEXT,
        "summary": TEXT, "k8s_version": TEXT, "minutes": whole(0, 1000),
        "setup": block("setup"), "steps": blocks("step"), "outro": TEXT,
        # exercises (dstutor.lessons.exercise reads and checks these three)
        "mode": TEXT, "time_limit": Kind("duration", _duration), "scoring": SCORING,
    },
    "setup": {
        "cluster": PATH, "workers": whole(0, 50), "nodes": blocks("node"), "manifests": PATHS,
        "commands": COMMANDS, "seed": whole(0, 2**31), "clock": TEXT,
        "settle": Kind("duration", _duration), "expect": blocks("check"),
    },
    "node": {"name": TEXT, "labels": LABELS, "taints": TEXTS, "roles": TEXTS},
    "step": {
        "id": TEXT, "title": TEXT, "text": TEXT, "task": TEXT, "checks": blocks("check"),
        "hints": TEXTS, "solution": COMMANDS, "explain": TEXT, "wrong": blocks("wrong"),
        "variants": blocks("variant"), "quiz": block("quiz"), "predict": block("predict"),
        "expect": blocks("check"),
    },
    "quiz": {"question": TEXT, "choices": blocks("choice")},
    "choice": {"text": TEXT, "correct": FLAG, "explain": TEXT},
    "predict": {"question": TEXT, "answer": ANY_INT, "before": TEXT, "explain": TEXT,
                "measure": block("measure")},
    "measure": {"daemonset": TEXT, "selector": TEXT, "namespace": TEXT, "kind": TEXT,
                "name": TEXT, "path": TEXT},
    "wrong": {"commands": COMMANDS, "fails": TEXT, "message": TEXT},
    "variant": {"name": TEXT, "commands": COMMANDS, "checks": blocks("check")},
    # A check is `kind`, an optional `id` and `weight`, and the kind's own parameters.
    "check": {"kind": TEXT, "id": TEXT, "weight": Kind("number", lambda v: None if (
        isinstance(v, int | float) and not isinstance(v, bool)) else "must be a number")},
}


def _scalar(value: Any) -> str | None:
    return None if isinstance(value, str | int | float | bool) else "must be a single value"


def _scalars(value: Any) -> str | None:
    if isinstance(value, list) and all(_scalar(v) is None for v in value):
        return None
    return "must be a list of values"


def _names(value: Any) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return None
    return "must be a list of names"


def _count_or_flag(value: Any) -> str | None:
    if isinstance(value, bool) or (isinstance(value, int) and 0 <= value <= 100_000):
        return None
    return "must be true, false or a whole number"


def _flag_map(value: Any) -> str | None:
    if isinstance(value, dict) and all(
            isinstance(k, str) and _scalar(v) is None for k, v in value.items()):
        return None
    return "must be a mapping of flag names to values"


COUNT = whole(0, 100_000)
# Check parameters by name: a name means the same thing in every check kind. Whether a
# kind takes a parameter at all, and how its values fit together, is the kind's own
# `validate` (checks.py); a parameter not listed here is only checked for control
# characters, so a new check kind works before a row is added.
CHECK_PARAMS: Mapping[str, Kind] = {
    **{name: TEXT for name in (
        "daemonset", "describe", "effect", "image", "key", "name", "namespace", "node",
        "node_selector", "path", "pattern", "resource", "selector", "type", "value",
        "verb")},
    **{name: COUNT for name in ("count", "available", "current", "desired",
                                 "misscheduled", "unavailable")},
    **{name: FLAG for name in ("absent", "owned", "rolled_out", "succeeded",
                                "all_namespaces", "allow_noop", "subset", "node_ip")},
    **{name: TEXT for name in ("shows", "shows_what", "before", "state", "target_node")},
    **{name: COUNT for name in ("max_unavailable", "peak_unavailable", "rollouts",
                                 "min_rollouts", "evicted")},
    "not_ready": Kind("names", _names),
    "ready": Kind("count_or_flag", _count_or_flag),
    "updated": Kind("count_or_flag", _count_or_flag),
    "equals": Kind("scalar", _scalar),
    "one_of": Kind("scalars", _scalars),
    "nodes": Kind("names", _names),
    "exclude": Kind("names", _names),
    "flags": Kind("flags", _flag_map),
}
# Mappings whose other keys are not unknown fields but parameters (checked elsewhere).
OPEN_BLOCKS = {"check": PARAM}
EXTRA_FIELDS = {"check": CHECK_PARAMS}


def keys(block_name: str) -> set[str]:
    """The field names of one kind of mapping (what the loader calls known fields)."""
    return set(FIELDS[block_name])


def _control(value: str) -> str | None:
    """The first control character in lesson text, shown visibly; None if there is none."""
    shown = visible(value)
    if shown == value:
        return None
    for ch in value:
        if visible(ch) != ch:
            return visible(ch)
    return None  # pragma: no cover - visible() changed something, so a char was found


def _strings(value: Any) -> list[tuple[Path_, str]]:
    """Every string in a value, with its relative path (keys included)."""
    found: list[tuple[Path_, str]] = []
    stack: list[tuple[Path_, Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            found.append((path, item))
        elif isinstance(item, dict):
            for k, v in item.items():
                if isinstance(k, str):
                    found.append(((*path, k), k))
                stack.append(((*path, str(k)), v))
        elif isinstance(item, list):
            stack.extend(((*path, i), v) for i, v in enumerate(item))
    return sorted(found, key=lambda f: [str(p) for p in f[0]])


def _what(block_name: str) -> str:
    return {"lesson": "lesson", "choice": "quiz choice", "wrong": "wrong entry"}.get(
        block_name, block_name)


def check_types(doc: Any, fail: Fail, root: str = "lesson") -> None:
    """Raise `fail(path, message)` for the first field whose value has the wrong type.

    Unknown fields are left to the loader, which names them with the known ones.
    """
    todo: list[tuple[str, Any, Path_]] = [(root, doc, ())]
    while todo:
        name, data, path = todo.pop(0)
        if not isinstance(data, dict):
            raise fail(path, f"{_what(name)} must be a mapping")
        spec = FIELDS[name]
        extra = OPEN_BLOCKS.get(name)
        for key, value in data.items():
            kind = spec.get(key) if isinstance(key, str) else None
            if kind is None and extra is not None:
                kind = EXTRA_FIELDS.get(name, {}).get(key, extra)
            if kind is None or value is None:
                continue  # unknown (the loader says so) or absent
            here = (*path, key)
            problem = kind.check(value)
            if problem:
                raise fail(here, f"{key!r} {problem}")
            if kind.block:
                items = list(enumerate(value)) if kind.many else [(None, value)]
                todo += [(kind.block, item, here if i is None else (*here, i))
                         for i, item in items]
                continue
            if not kind.texts:
                continue
            for sub, text in _strings(value):
                ch = _control(text)
                if ch is not None:
                    raise fail((*here, *sub), f"{key!r} contains the control character {ch}: "
                               "lesson text must be plain text")
