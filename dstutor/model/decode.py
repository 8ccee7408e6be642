"""The API server's typed decoding of a request body, before defaulting and validation.

A v1.37 API server decodes the JSON kubectl sends into the kind's Go structs with
sigs.k8s.io/json (case-sensitive encoding/json). A value of the wrong JSON type is refused
with encoding/json's UnmarshalTypeError, worded

    json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata.labels of type string

(the Go struct holding the field, the JSON path without list indices, the Go type); types
with their own UnmarshalJSON (IntOrString, Quantity, Time) answer with their own words.
With fieldValidation=Strict the fields the structs lack are then refused together as
`strict decoding error: unknown field "spec.template.spec.containers[0].foo"` (paths with
indices); a type error wins over unknown fields. Nothing is stored after either.

The structs come from decode_schema.json, generated from the v1.37 API schema by
scripts/gen_schema.py and read on first use (so start-up does not pay for it).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from dstutor.errors import DstutorError
from dstutor.model.quantity import QUANTITY_FORMAT_ERROR, parse_quantity

SCHEMA_FILE = Path(__file__).with_name("decode_schema.json")
# sigs.k8s.io/json keeps at most this many strict errors.
MAX_STRICT_ERRORS = 100
_INT_RANGE = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
RFC3339 = "2006-01-02T15:04:05Z07:00"
RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00"

Node = list[Any]


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return data


def served(kind: str) -> bool:
    return kind in schema()["kinds"]


@dataclass
class Decoded:
    """What decoding made of a request body.

    `obj` is the body as the typed object re-encodes it (unknown fields dropped, map keys
    as strings, integral numbers as ints); `error` the fatal decode error, `where` its
    JSON path with indices (for file:line) and `value` the offending value; `unknown` the
    strict decoding errors' paths in the order the server finds them.
    """

    obj: Any = None
    error: str | None = None
    where: tuple[str | int, ...] = ()
    value: Any = None
    go_type: str = ""
    expected: str = ""  # the JSON shape the Go type wanted: string, int, bool, list, map, struct
    unknown: list[str] = field(default_factory=list)
    unknown_at: list[tuple[str | int, ...]] = field(default_factory=list)


class _TypeError(Exception):
    """encoding/json's first saved error: decoding goes on, but this is what it reports."""


class _Fatal(Exception):
    """An UnmarshalJSON error: decoding stops at once."""

    def __init__(self, message: str, where: tuple[str | int, ...] = (), value: Any = None
                 ) -> None:
        super().__init__(message)
        self.where, self.value = where, value


class _InnerTypeError(Exception):
    """An UnmarshalJSON that unmarshals again (IntOrString, Time) failed with a type error;
    the decoder adds the field's context as encoding/json's addErrorContext does."""

    def __init__(self, json_value: str, go_type: str) -> None:
        super().__init__(json_value)
        self.json_value, self.go_type = json_value, go_type


# --- how kubectl turns YAML into JSON -----------------------------------------------------

def go_float(value: float) -> str:
    """encoding/json's float64 text: shortest digits, fixed notation inside [1e-6, 1e21)."""
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = repr(value)
        mantissa, _, exp = text.partition("e")
        sign, digits = exp[0], exp[1:].lstrip("0") or "0"
        if sign == "+" and len(digits) < 2:
            digits = digits.rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    from decimal import Decimal  # only here: importing decimal costs start-up ~6 ms

    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def number_literal(value: int | float) -> str:
    """The JSON number kubectl sends for a YAML number: go-yaml keeps int64 and uint64,
    and reads anything larger as a float64."""
    if isinstance(value, int) and -(2**63) <= value < 2**64:
        return str(value)
    return go_float(float(value))


_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def json_unsupported(value: Any, text: str = "") -> str | None:
    """Why kubectl cannot turn this YAML into JSON, or None.

    json.Marshal refuses `.nan` and `.inf`; go-yaml refuses a `\\ud800` escape (a UTF-16
    surrogate is no character), which PyYAML lets through as a lone surrogate.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            shown = "NaN" if math.isnan(item) else ("+Inf" if item > 0 else "-Inf")
            return f"json: unsupported value: {shown}"
        if isinstance(item, str) and _SURROGATE.search(item):
            found = _SURROGATE_ESCAPE.search(text)
            line = f"line {text.count(chr(10), 0, found.start()) + 1}: " if found else ""
            return f"yaml: {line}found invalid Unicode character escape code"
        if isinstance(item, dict):
            stack.extend(item.values())
            stack.extend(k for k in item if isinstance(k, str))
        elif isinstance(item, list):
            stack.extend(item)
    return None


def json_key(key: Any) -> str:
    """sigs.k8s.io/yaml's string for a non-string YAML key (`1: x`, `true: x`)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int | float):
        return number_literal(key)
    return "null" if key is None else str(key)


def json_kind(value: Any) -> str:
    """How UnmarshalTypeError names a JSON value."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "array"
    return "object"


# --- the decoder ----------------------------------------------------------------------------

class _Decoder:
    def __init__(self, structs: dict[str, Any], strict: bool) -> None:
        self.structs = structs
        self.strict = strict
        self.unknown: list[str] = []
        self.unknown_at: list[tuple[str | int, ...]] = []
        self.first: tuple[str, tuple[str | int, ...], Any, str, str] | None = None
        self.expected = ""

    def save(self, json_value: str, node_go: str, struct: str, names: list[str],
             where: tuple[str | int, ...], value: Any) -> None:
        if self.first is None:
            text = f"json: cannot unmarshal {json_value} into Go struct field "
            text += f"{struct}.{'.'.join(names)} of type {node_go}"
            self.first = (text, where, value, node_go, self.expected)

    def struct(self, key: str, value: dict[Any, Any], names: list[str],
               where: tuple[str | int, ...]) -> dict[str, Any]:
        spec = self.structs[key]
        fields = spec["fields"]
        out: dict[str, Any] = {}
        # kubectl sends JSON with sorted keys: that is the order the server meets them in.
        items = sorted(((json_key(k), v) for k, v in value.items()), key=lambda kv: kv[0])
        for name, item in items:
            node = fields.get(name)
            if node is None:
                if self.strict and len(self.unknown) < MAX_STRICT_ERRORS:
                    self.unknown.append(_strict_path((*where, name)))
                    self.unknown_at.append((*where, name))
                continue
            via = spec.get("embedded", {}).get(name)
            path = [*names, *via.split("."), name] if via else [*names, name]
            decoded = self.value(node, item, spec["go"], path, (*where, name))
            if decoded is not None:
                out[name] = decoded
        return out

    def value(self, node: Node, value: Any, struct: str, names: list[str],
              where: tuple[str | int, ...]) -> Any:
        kind = node[0]
        if kind in _SPECIAL:
            try:
                return _SPECIAL[kind](value)
            except _InnerTypeError as exc:
                raise _Fatal(f"json: cannot unmarshal {exc.json_value} into Go struct field "
                             f"{struct}.{'.'.join(names)} of type {exc.go_type}", where,
                             value) from None
        if value is None:
            return None
        go = node[1]
        self.expected = kind
        if kind == "struct":
            if not isinstance(value, dict):
                self.save(json_kind(value), go, struct, names, where, value)
                return None
            return self.struct(node[2], value, names, where)
        if kind == "list":
            if not isinstance(value, list):
                self.save(json_kind(value), go, struct, names, where, value)
                return None
            return [self.element(node[2], item, struct, names, (*where, i))
                    for i, item in enumerate(value)]
        if kind == "map":
            if not isinstance(value, dict):
                self.save(json_kind(value), go, struct, names, where, value)
                return None
            items = sorted(((json_key(k), v) for k, v in value.items()), key=lambda kv: kv[0])
            return {k: self.element(node[2], v, struct, names, (*where, k)) for k, v in items}
        return self.scalar(kind, go, value, struct, names, where)

    def element(self, node: Node, value: Any, struct: str, names: list[str],
                where: tuple[str | int, ...]) -> Any:
        """A list item or map value: null decodes to the zero value."""
        if value is None and node[0] not in _SPECIAL:
            return _ZERO.get(node[0], {}) if node[0] != "list" else []
        decoded = self.value(node, value, struct, names, where)
        if decoded is None and node[0] in ("struct", "map"):
            return {}
        if decoded is None and node[0] == "list":
            return []
        return decoded

    def scalar(self, kind: str, go: str, value: Any, struct: str, names: list[str],
               where: tuple[str | int, ...]) -> Any:
        self.expected = {"bytes": "string"}.get(kind, kind)
        if kind in ("string", "bytes"):
            if isinstance(value, str):
                return value
        elif kind == "bool":
            if isinstance(value, bool):
                return value
        elif kind == "int":
            if isinstance(value, int | float) and not isinstance(value, bool):
                literal = number_literal(value)
                low, high = _INT_RANGE.get(go, _INT_RANGE["int64"])
                if re.fullmatch(r"-?[0-9]+", literal) and low <= int(literal) <= high:
                    return int(literal)
                self.save(f"number {literal}", go, struct, names, where, value)
                return None
        elif kind == "float":
            if isinstance(value, int | float) and not isinstance(value, bool):
                return value
        self.save(json_kind(value), go, struct, names, where, value)
        return None


def _strict_path(where: tuple[str | int, ...]) -> str:
    text = ""
    for part in where:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- types with their own UnmarshalJSON ----------------------------------------------------

def _int_or_string(value: Any) -> Any:
    """intstr.IntOrString: a JSON string is the string form, anything else an int32."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        literal = number_literal(value)
        if re.fullmatch(r"-?[0-9]+", literal) and -(2**31) <= int(literal) < 2**31:
            return int(literal)
        raise _InnerTypeError(f"number {literal}", "int32")
    raise _InnerTypeError(json_kind(value), "int32")


def _quantity(value: Any) -> Any:
    """resource.Quantity: the JSON text (quotes stripped) must parse as a quantity."""
    if value is None:
        return None
    if isinstance(value, bool | list | dict):
        raise _Fatal(QUANTITY_FORMAT_ERROR)
    text = value.strip() if isinstance(value, str) else number_literal(value)
    try:
        parse_quantity(text)
    except DstutorError as exc:
        raise _Fatal(str(exc).removeprefix("error: ")) from None
    return value


def _time(layout: str) -> Any:
    def decode(value: Any) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):
            raise _InnerTypeError(json_kind(value), "string")
        problem = parse_rfc3339(value)
        if problem:
            raise _Fatal(f'parsing time "{value}" as "{layout}": {problem}')
        return value
    return decode


_SPECIAL = {"intstr": _int_or_string, "quantity": _quantity, "time": _time(RFC3339),
            "microtime": _time(RFC3339_MICRO), "raw": lambda value: value}
_ZERO: dict[str, Any] = {"string": "", "bytes": "", "int": 0, "bool": False, "float": 0,
                         "struct": {}, "map": {}}

_RFC3339_PARTS = [("2006", 4, "-"), ("01", 2, "-"), ("02", 2, "T"), ("15", 2, ":"),
                  ("04", 2, ":"), ("05", 2, "")]


def parse_rfc3339(text: str) -> str | None:
    """time.Parse(time.RFC3339, text)'s error after `parsing time "..." as "...": `."""
    rest = text
    layout_rest = "2006-01-02T15:04:05Z07:00"
    for elem, width, sep in _RFC3339_PARTS:
        digits = rest[:width]
        if len(digits) < width or not digits.isdigit():
            return f'cannot parse "{rest}" as "{elem}"'
        rest = rest[width:]
        layout_rest = layout_rest[len(elem):]
        if sep:
            if not rest.startswith(sep):
                return f'cannot parse "{rest}" as "{sep}"'
            rest, layout_rest = rest[1:], layout_rest[1:]
    if rest[:1] in (".", ","):
        frac = re.match(r"[.,][0-9]+", rest)
        if not frac:
            return f'cannot parse "{rest}" as "Z07:00"'
        rest = rest[frac.end():]
    if rest == "Z" or re.fullmatch(r"[+-][0-9]{2}:[0-9]{2}", rest):
        rest = ""
    else:
        return f'cannot parse "{rest}" as "Z07:00"'
    month, day = int(text[5:7]), int(text[8:10])
    if not 1 <= month <= 12:
        return "month out of range"
    if not 1 <= day <= 31 or int(text[11:13]) > 23 or int(text[14:16]) > 59 or (
            int(text[17:19]) > 59):
        return "day out of range" if not 1 <= day <= 31 else "hour out of range"
    return None


# --- entry points ------------------------------------------------------------------------

def decode(kind: str, obj: Any, *, strict: bool = True) -> Decoded:
    """Decode `obj` (a manifest as YAML loaded it) as the server decodes a `kind` body."""
    data = schema()
    key = data["kinds"].get(kind)
    if key is None:
        return Decoded(obj=obj)
    decoder = _Decoder(data["structs"], strict)
    if not isinstance(obj, dict):
        return Decoded(error=f"json: cannot unmarshal {json_kind(obj)} into Go value of type "
                       f"{_go_kind(kind)}")
    try:
        out = decoder.struct(key, obj, [], ())
    except _Fatal as exc:
        return Decoded(error=str(exc), where=exc.where, value=exc.value)
    if decoder.first is not None:
        text, where, value, go_type, expected = decoder.first
        return Decoded(error=text, where=where, value=value, go_type=go_type,
                       expected=expected)
    return Decoded(obj=out, unknown=decoder.unknown, unknown_at=decoder.unknown_at)


def _go_kind(kind: str) -> str:
    key = schema()["kinds"][kind]
    return "v1." + schema()["structs"][key]["go"]


def field_exists(kind: str, path: list[str]) -> bool:
    """Whether `path` (`spec.template`) names a field of `kind`'s Go types."""
    data = schema()
    key = data["kinds"].get(kind)
    if key is None:
        return False
    node: Node = ["struct", "", key]
    for part in path:
        while node[0] in ("list", "map"):
            node = node[2]
        if node[0] != "struct":
            return False
        found = data["structs"][node[2]]["fields"].get(part)
        if found is None:
            return False
        node = found
    return True


def refusal(kind: str, version: str, obj: Any) -> tuple[str, tuple[str | int, ...], Decoded
                                                        ] | None:
    """The strict decode's refusal of a manifest (message, where it points, the result)."""
    result = decode(kind, obj)
    if result.error is not None:
        return cannot_handle(kind, version, result.error), result.where, result
    if result.unknown:
        return (cannot_handle(kind, version, strict_detail(result.unknown)),
                result.unknown_at[0], result)
    return None


def line_of(lines: dict[tuple[str | int, ...], int], where: tuple[str | int, ...]) -> int | None:
    """The line of `where`, or of its nearest parent that the YAML has."""
    for end in range(len(where), -1, -1):
        if where[:end] in lines:
            return lines[where[:end]]
    return None


def cannot_handle(kind: str, version: str, detail: str) -> str:
    """The serializer's wrapping of a decode error."""
    return f'{kind} in version "{version}" cannot be handled as a {kind}: {detail}'


def strict_detail(unknown: list[str]) -> str:
    return "strict decoding error: " + ", ".join(f'unknown field "{p}"' for p in unknown)
