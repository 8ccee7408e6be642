"""The tutor's line after a decode error that comes from a YAML 1.1 trap.

kubectl's YAML reader (go-yaml v2, YAML 1.1) reads unquoted `true`, `yes`, `y`, `on` as
booleans, `1.10` as the number 1.1, `1e3` as 1000 and `0x1F` or `017` as numbers, so a
label `gpu: y` reaches the server as a boolean where the Go type wants a string. The
server's message names the Go type; the tutor names the YAML mistake and the fix.
"""

from __future__ import annotations

import re
from typing import Any

from dstutor import yamlio
from dstutor.errors import DstutorError

_STRING_MAPS = {"labels": "label values are strings", "matchLabels": "label values are strings",
                "nodeSelector": "nodeSelector values are strings",
                "annotations": "annotation values are strings"}


def _written(text: str, key: str, value: Any) -> str | None:
    """How `key: value` was written in the YAML text (`1.10` for 1.1), if it can be found."""
    pattern = re.compile(r"(?:^|[\s{,\-])" + re.escape(key) + r"[ \t]*:[ \t]*([^\s,}#\]]+)",
                         re.MULTILINE)
    for match in pattern.finditer(text):
        token = match.group(1)
        try:
            loaded = yamlio.load_documents(token, "token")
        except DstutorError:
            continue
        if loaded and loaded[0] == value and type(loaded[0]) is type(value):
            return token
    return None


def trap_hint(where: tuple[str | int, ...], value: Any, expected: str, text: str) -> str | None:
    """A tutor line for the value that failed to decode at `where`, or None."""
    if not where:
        return None
    key = where[-1]
    parent = where[-2] if len(where) > 1 else ""
    if isinstance(key, int):  # a list item: name the list
        field = str(parent)
        if expected == "string" and not isinstance(value, list | dict):
            return f"{field} takes strings: quote each item, e.g. \"{_plain(value)}\""
        return None
    if expected == "string" and isinstance(value, bool | int | float):
        written = _written(text, key, value) or _plain(value)
        what = "a boolean" if isinstance(value, bool) else "a number"
        if isinstance(value, bool) and written.lower() not in ("true", "false"):
            what = f"the boolean {_plain(value)}"
        elif not isinstance(value, bool) and written != _plain(value):
            what = f"the number {_plain(value)}"
        rule = (_STRING_MAPS.get(str(parent), f"{key} is a string")
                if isinstance(parent, str) else f"{key} is a string")
        return f'YAML reads {key}: {written} as {what}; {rule}: write {key}: "{written}"'
    if expected == "int" and isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()):
        return f"{key} is a number: write {key}: {value.strip()} without quotes"
    if expected == "bool" and isinstance(value, str) and value.lower() in ("true", "false"):
        return f"{key} is a boolean: write {key}: {value.lower()} without quotes"
    if expected == "map" and isinstance(value, list):
        return (f"{key} is a map of key: value pairs, not a list: drop the `- ` in front of "
                "each entry")
    if expected == "list" and isinstance(value, dict):
        return f"{key} is a list: start each item with `- `"
    if expected == "struct" and not isinstance(value, dict | list):
        return f"{key} is an object with its own fields, not a single value"
    return None


def _plain(value: Any) -> str:
    """The value as kubectl sends it in JSON (1e3 is 1000, 0x1F is 31)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        from dstutor.model.decode import number_literal

        return number_literal(value)
    return str(value)
