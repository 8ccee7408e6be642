"""How Go prints values: strconv floats, encoding/json, and fmt's %v and %#v.

kubectl is a Go program, so every number, JSON document and error message it
prints goes through these routines. Objects are plain Python values decoded
from JSON: int stands for int64, float for float64.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any


def _digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits and the decimal point position (Go's digs.d, digs.dp)."""
    sign, digits, exponent = Decimal(repr(abs(value))).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    if text == "0":
        return "0", 1
    assert isinstance(exponent, int)
    # Decimal gives value = int(digits) * 10**exponent; dp counts digits left of the point.
    return text, len(digits) + exponent


def _fixed(text: str, dp: int) -> str:
    if dp <= 0:
        return "0." + "0" * -dp + text
    if dp >= len(text):
        return text + "0" * (dp - len(text))
    return text[:dp] + "." + text[dp:]


def _exp(text: str, dp: int, min_exp_digits: int = 2) -> str:
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    exp = dp - 1
    sign = "-" if exp < 0 else "+"
    return f"{mantissa}e{sign}{abs(exp):0{min_exp_digits}d}"


def format_float(value: float, verb: str = "g") -> str:
    """strconv.FormatFloat(value, verb, -1, 64) for verbs 'g', 'f' and 'e'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    neg = "-" if math.copysign(1.0, value) < 0 else ""
    text, dp = _digits(value)
    if verb == "f":
        return neg + _fixed(text, dp)
    if verb == "e":
        return neg + _exp(text, dp)
    # Shortest %g uses exponent form when the exponent is below -4 or at least 6.
    exp = dp - 1
    if exp < -4 or exp >= 6:
        return neg + _exp(text, dp)
    return neg + _fixed(text, dp)


def json_float(value: float) -> str:
    """encoding/json's float64 text: fixed notation inside [1e-6, 1e21), else 'e'."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"json: unsupported value: {format_float(value)}")
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        text = format_float(value, "e")
        # Go trims one leading zero of a negative exponent: e-07 becomes e-7.
        if len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
            text = text[:-2] + text[-1]
        return text
    return format_float(value, "f")


def json_string(text: str) -> str:
    """A JSON string literal with Go's escaping (HTML-safe, U+2028/9 escaped)."""
    encoded = json.dumps(text, ensure_ascii=False)
    return (encoded.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def json_dumps(value: Any, indent: str | None = None, *, sort_keys: bool = True) -> str:
    """json.Marshal (indent None) or json.MarshalIndent(value, "", indent); keys sorted
    (a map's order) unless sort_keys is False (a typed struct's, see _gotyped)."""
    out: list[str] = []

    def enc(v: Any, level: int) -> None:
        if v is None:
            out.append("null")
        elif v is True:
            out.append("true")
        elif v is False:
            out.append("false")
        elif isinstance(v, int):
            out.append(str(v))
        elif isinstance(v, float):
            out.append(json_float(v))
        elif isinstance(v, str):
            out.append(json_string(v))
        elif isinstance(v, dict):
            if not v:
                out.append("{}")
                return
            out.append("{")
            for i, key in enumerate(sorted(v) if sort_keys else v):
                if i:
                    out.append(",")
                newline(level + 1)
                out.append(json_string(str(key)))
                out.append(": " if indent is not None else ":")
                enc(v[key], level + 1)
            newline(level)
            out.append("}")
        elif isinstance(v, list | tuple):
            if not v:
                out.append("[]")
                return
            out.append("[")
            for i, item in enumerate(v):
                if i:
                    out.append(",")
                newline(level + 1)
                enc(item, level + 1)
            newline(level)
            out.append("]")
        else:
            raise TypeError(f"json: unsupported type: {type(v).__name__}")

    def newline(level: int) -> None:
        if indent is not None:
            out.append("\n" + indent * level)

    enc(value, 0)
    return "".join(out)


def sprint(value: Any) -> str:
    """fmt.Sprint / %v of a decoded JSON value (maps print as map[k:v ...])."""
    if value is None:
        return "<nil>"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{sprint(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list | tuple):
        return "[" + " ".join(sprint(v) for v in value) + "]"
    return str(value)


def quote(text: str) -> str:
    """strconv.Quote: a double-quoted Go string literal."""
    out = ['"']
    for ch in text:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


_SHORT_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r",
                  "\t": "\\t", "\v": "\\v"}


def sharp_v(value: Any, in_interface: bool = False) -> str:
    """fmt's %#v of a decoded JSON value, as kubectl dumps it in jsonpath errors."""
    if value is None:
        return "interface {}(nil)"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        body = ", ".join(f"{quote(str(k))}:{sharp_v(value[k], True)}" for k in sorted(value))
        return "map[string]interface {}{" + body + "}"
    if isinstance(value, list | tuple):
        return "[]interface {}{" + ", ".join(sharp_v(v, True) for v in value) + "}"
    return str(value)
