"""The patch handler's conversion of a merged map into the kind's Go types.

A strategic merge patch (kubectl patch's default, and kubectl apply to a live object) is
applied to the live object as a map; the API server then turns the merged map into the Go
struct with runtime.DefaultUnstructuredConverter.FromUnstructuredWithValidation
(k8s.io/apimachinery/pkg/runtime/converter.go), not with the JSON decoder, so its errors
have their own words:

    cannot convert int64 to string          (a number where a string belongs)
    unrecognized type: string               (a bool, float or map where a string belongs)
    cannot convert float64 to int32         (a fractional number in an integer)
    cannot restore struct from: string      (a scalar or list where an object belongs)
    cannot restore map from slice           (a list where a map belongs)
    cannot restore slice from map           (a map where a list belongs)

Types with their own UnmarshalJSON (IntOrString, Quantity, Time) are marshalled back to
JSON and unmarshalled, so they answer as json.Unmarshal into a Go value does. The first
error stops the conversion (structs in field order, which the schema keeps alphabetically;
one error is the usual case). Fields the types lack are collected with their paths and
sorted, as the converter sorts them.
"""

from __future__ import annotations

import math
import re
from typing import Any

from dstutor.model import decode as typed
from dstutor.model.decode import Decoded, Node


class _Failed(Exception):
    def __init__(self, message: str, where: tuple[str | int, ...], value: Any,
                 expected: str) -> None:
        super().__init__(message)
        self.where, self.value, self.expected = where, value, expected


def source_type(value: Any) -> tuple[str, str]:
    """(reflect Kind, Type.String()) of a value in the merged map: JSON numbers that are
    integers are int64 there (UnmarshalCaseSensitivePreserveInts), others float64."""
    if isinstance(value, bool):
        return "bool", "bool"
    if isinstance(value, str):
        return "string", "string"
    if isinstance(value, int | float):
        literal = typed.number_literal(value)
        if re.fullmatch(r"-?[0-9]+", literal) and -(2**63) <= int(literal) < 2**63:
            return "int64", "int64"
        return "float64", "float64"
    if isinstance(value, list):
        return "slice", "[]interface {}"
    return "map", "map[string]interface {}"


_SIMPLE_KIND = {"string": "string", "bytes": "string", "bool": "bool", "float": "float64"}


def _go_kind(kind: str, go: str) -> str:
    """reflect.Kind of a simple destination type (v1.Protocol is a string kind)."""
    if kind == "int":
        return go if go in ("int32", "int64") else "int64"
    return _SIMPLE_KIND[kind]


def _wrap_int(value: int, go: str) -> int:
    """reflect's Convert of an integer to a narrower Go type keeps the low bits."""
    bits = 32 if go == "int32" else 64
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


class _Converter:
    def __init__(self, structs: dict[str, Any], strict: bool) -> None:
        self.structs = structs
        self.strict = strict
        self.unknown: list[tuple[str, tuple[str | int, ...]]] = []

    def struct(self, key: str, value: Any, where: tuple[str | int, ...],
               path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _Failed(f"cannot restore struct from: {source_type(value)[0]}", where, value,
                          "struct")
        fields = self.structs[key]["fields"]
        value = {typed.json_key(k): v for k, v in value.items()}
        out: dict[str, Any] = {}
        for name in sorted(fields):
            if name not in value or value[name] is None:
                continue
            converted = self.value(fields[name], value[name], (*where, name),
                                   f"{path}.{name}" if path else name)
            if converted is not None:
                out[name] = converted
        if self.strict:
            for name in value:
                if name not in fields:
                    self.unknown.append((f"{path}.{name}" if path else str(name),
                                         (*where, name)))
        return out

    def value(self, node: Node, value: Any, where: tuple[str | int, ...], path: str) -> Any:
        if value is None:
            return None
        kind = node[0]
        if kind in _SPECIAL:
            return _SPECIAL[kind](value, where)
        if kind == "struct":
            return self.struct(node[2], value, where, path)
        if kind == "map":
            if not isinstance(value, dict):
                raise _Failed(f"cannot restore map from {source_type(value)[0]}", where, value,
                              "map")
            # mapFromUnstructured pushes no key: paths inside map values stop at the map.
            return {k: self.element(node[2], v, (*where, k), path)
                    for k, v in sorted(value.items())}
        if kind == "list":
            if not isinstance(value, list):
                raise _Failed(f"cannot restore slice from {source_type(value)[0]}", where,
                              value, "list")
            return [self.element(node[2], item, (*where, i), f"{path}[{i}]")
                    for i, item in enumerate(value)]
        if kind == "bytes":  # []byte: a slice kind, stored as a (base64) string
            if isinstance(value, str | list):
                return value
            raise _Failed(f"cannot restore slice from {source_type(value)[0]}", where, value,
                          "string")
        return self.simple(kind, node[1], value, where)

    def element(self, node: Node, value: Any, where: tuple[str | int, ...], path: str) -> Any:
        if value is None:
            return typed._ZERO.get(node[0]) if node[0] not in typed._SPECIAL else None
        return self.value(node, value, where, path)

    def simple(self, kind: str, go: str, value: Any, where: tuple[str | int, ...]) -> Any:
        """fromUnstructured's simple types: assignable, convertible within a group, or not."""
        dest_kind = _go_kind(kind, go)
        src_kind, src_type = source_type(value)
        expected = "string" if kind == "bytes" else kind
        if src_kind in ("map", "slice") or (src_kind == "bool") != (dest_kind == "bool"):
            raise _Failed(f"unrecognized type: {dest_kind}", where, value, expected)
        if dest_kind == "string":
            if src_kind == "string":
                return value
            if src_kind == "int64":  # Go converts an integer to a string (a rune): refused
                raise _Failed(f"cannot convert {src_type} to {go}", where, value, expected)
            raise _Failed(f"unrecognized type: {dest_kind}", where, value, expected)
        if src_kind == "string":  # a string converts to no number or bool
            raise _Failed(f"unrecognized type: {dest_kind}", where, value, expected)
        if dest_kind == "bool":
            return value
        if dest_kind == "float64":
            return value
        number = float(value) if src_kind == "float64" else int(typed.number_literal(value))
        if src_kind == "float64":
            if not math.isfinite(number) or number != math.trunc(number):
                raise _Failed(f"cannot convert {src_type} to {go}", where, value, expected)
            # Out of int64 range Go's conversion gives the minimum int64 (amd64).
            number = int(number) if abs(number) < 2**63 else -(2**63)
        return _wrap_int(int(number), dest_kind)


def _unmarshal_into(json_value: str, go_type: str) -> str:
    return f"json: cannot unmarshal {json_value} into Go value of type {go_type}"


def _int_or_string(value: Any, where: tuple[str | int, ...]) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        literal = typed.number_literal(value)
        if re.fullmatch(r"-?[0-9]+", literal) and -(2**31) <= int(literal) < 2**31:
            return int(literal)
        raise _Failed(_unmarshal_into(f"number {literal}", "int32"), where, value, "intstr")
    raise _Failed(_unmarshal_into(typed.json_kind(value), "int32"), where, value, "intstr")


def _quantity(value: Any, where: tuple[str | int, ...]) -> Any:
    try:
        return typed._quantity(value)
    except typed._Fatal as exc:
        raise _Failed(str(exc), where, value, "quantity") from None


def _time(layout: str) -> Any:
    def convert(value: Any, where: tuple[str | int, ...]) -> Any:
        if not isinstance(value, str):
            raise _Failed(_unmarshal_into(typed.json_kind(value), "string"), where, value,
                          "string")
        problem = typed.parse_rfc3339(value)
        if problem:
            raise _Failed(f'parsing time "{value}" as "{layout}": {problem}', where, value,
                          "string")
        return value
    return convert


_SPECIAL = {"intstr": _int_or_string, "quantity": _quantity, "time": _time(typed.RFC3339),
            "microtime": _time(typed.RFC3339_MICRO), "raw": lambda value, where: value}


def convert(kind: str, obj: Any, *, strict: bool = True) -> Decoded:
    """FromUnstructuredWithValidation of the merged map `obj` into `kind`'s Go types."""
    data = typed.schema()
    key = data["kinds"].get(kind)
    if key is None:
        return Decoded(obj=obj)
    converter = _Converter(data["structs"], strict)
    try:
        out = converter.struct(key, obj, (), "")
    except _Failed as exc:
        return Decoded(error=str(exc), where=exc.where, value=exc.value, expected=exc.expected)
    found = sorted(converter.unknown, key=lambda item: f'unknown field "{item[0]}"')
    return Decoded(obj=out, unknown=[p for p, _ in found], unknown_at=[w for _, w in found])
