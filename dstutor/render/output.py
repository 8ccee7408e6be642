"""`-o yaml|json|name|custom-columns` renderings of objects and lists."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dstutor.errors import CommandError
from dstutor.render import _goyaml
from dstutor.render._gofmt import json_dumps, sprint
from dstutor.render.columns import kind_prefix
from dstutor.render.jsonpath import JSONPath, JSONPathError
from dstutor.render.table import TABLE_MIN_WIDTH, TABLE_PADDING, escape_terminal, tabwrite

Obj = dict[str, Any]


def as_list(objects: Sequence[Obj]) -> Obj:
    """The wrapper kubectl prints around several objects (`kind: List`)."""
    return {"apiVersion": "v1", "items": list(objects), "kind": "List",
            "metadata": {"resourceVersion": ""}}


def _document(obj_or_objects: Obj | Sequence[Obj]) -> Obj:
    if isinstance(obj_or_objects, dict):
        return obj_or_objects
    return as_list(obj_or_objects)


def to_yaml(obj_or_objects: Obj | Sequence[Obj]) -> str:
    """`-o yaml`: one object as is, a sequence of objects wrapped in a List."""
    return _goyaml.dump(_document(obj_or_objects))


def to_json(obj_or_objects: Obj | Sequence[Obj], *, sort_keys: bool = True) -> str:
    """`-o json`: 4-space indent, sorted keys (or the order given: a typed object's, see
    _gotyped), Go's escaping, trailing newline."""
    return json_dumps(_document(obj_or_objects), "    ", sort_keys=sort_keys) + "\n"


def name_line(obj: Obj) -> str:
    """`-o name` for one object: `daemonset.apps/fluentd`, `pod/web`, `node/worker-1`."""
    name = (obj.get("metadata") or {}).get("name", "")
    return f"{kind_prefix(obj.get('kind', ''), obj.get('apiVersion', ''))}/{name}"


# --- custom columns ------------------------------------------------------------

_RELAXED = re.compile(r"^\{\.?([^{}]+)\}$|^\.?([^{}]+)$")


@dataclass(frozen=True)
class CustomColumn:
    header: str
    template: str  # a full JSONPath template such as {.metadata.name}


def relaxed_jsonpath(expression: str) -> str:
    """cmd/get's RelaxedJSONPathExpression: `.a.b`, `a.b`, `{a.b}` all mean `{.a.b}`."""
    if not expression:
        return expression
    m = _RELAXED.match(expression)
    if m is None:
        raise CommandError(
            "error: unexpected path string, expected a 'name1.name2' or '.name1.name2' or "
            "'{name1.name2}' or '{.name1.name2}'")
    return "{." + (m[1] or m[2]) + "}"


def parse_custom_columns(spec: str) -> list[CustomColumn]:
    """Parse `HEADER:path,HEADER:path`; raises CommandError with kubectl's wording."""
    if not spec:
        raise CommandError("error: custom-columns format specified but no custom columns given")
    columns = []
    for part in spec.split(","):
        header, sep, path = part.partition(":")
        if not sep:
            raise CommandError(
                f"error: unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>")
        columns.append(CustomColumn(header, relaxed_jsonpath(path)))
    return columns


def custom_columns(spec: str | Sequence[CustomColumn], objects: Sequence[Obj], *,
                   no_headers: bool = False) -> str:
    """`-o custom-columns=...`: headers as written, cells from JSONPath, `<none>` if absent.

    Several matches join with commas; values print like Go's fmt (maps as map[k:v]).
    A column that fails raises CommandError whose `partial_output` holds the header
    kubectl printed before the error.
    """
    columns = parse_custom_columns(spec) if isinstance(spec, str) else list(spec)
    header = "" if no_headers else _tabulate([[c.header for c in columns]])
    parsers = []
    for column in columns:
        try:
            parsers.append(JSONPath(column.template))
        except JSONPathError as exc:
            # kubectl has already written the header when it parses the columns.
            error = CommandError(f"error: {exc}")
            error.partial_output = header
            raise error from None
    rows = []
    for obj in objects:
        row = []
        for parser in parsers:
            try:
                found = parser.find_results(obj)
            except JSONPathError as exc:
                error = CommandError(f"error: {exc}")
                error.partial_output = header
                raise error from None
            values = [escape_terminal(_cell_text(v)) for group in found for v in group]
            if not found or not found[0]:
                values.insert(0, "<none>")
            row.append(",".join(values))
        rows.append(row)
    head = [] if no_headers else [[c.header for c in columns]]
    return _tabulate(head + rows)


def _tabulate(rows: list[list[str]]) -> str:
    # This printer writes straight into the tabwriter: no cell cutting, no header padding.
    if not rows:
        return ""
    text = "\n".join("\t".join(row) for row in rows) + "\n"
    return tabwrite(text, min_width=TABLE_MIN_WIDTH, padding=TABLE_PADDING)


def _cell_text(value: Any) -> str:
    return sprint(value)
