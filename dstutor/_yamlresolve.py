"""How kubectl's YAML reader types a plain scalar and a map key (used only by yamlio).

kubectl turns YAML into JSON with sigs.k8s.io/yaml, whose go-yaml v2 fork follows YAML 1.1
in its own way (resolve.go), not PyYAML's:

- booleans: y Y yes Yes YES true True TRUE on On ON, and n N no No NO false False FALSE
  off Off OFF - nothing else (`yEs` is a string);
- null: empty, ~, null Null NULL; .inf/.nan in three spellings each;
- integers by Go's strconv.ParseInt(s, 0, 64) after removing every `_`: 0x1F, 0o17, 017,
  0b101, +12, 1_000; then uint64; a longer decimal is a float there (kept exact here);
- floats: `[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?` - so 1e3, 1.e3 and 08
  are floats (PyYAML wants a dot), and one that overflows float64 stays a string;
- timestamps (2001-12-14) and sexagesimal numbers (1:30) stay strings.

Map keys that are not strings become strings as sigs.k8s.io/yaml's convertToJSONableObject
writes them: ints in decimal, floats by strconv.FormatFloat(f, 'g', -1, 32), booleans as
true/false; a null key is refused. Keys that collide after this (`1` and `"1"`) keep one
value: kubectl keeps a random one (Go map order), dstutor the last, as PyYAML does.

Every value was checked against the kubectl 1.37.1 binary (`kubectl label --local -f`).
"""

from __future__ import annotations

import math
import re
import struct
from typing import Any

STR, BOOL, INT, FLOAT, NULL, MERGE = (f"tag:yaml.org,2002:{t}" for t in
                                      ("str", "bool", "int", "float", "null", "merge"))

_MAP: dict[str, tuple[str, Any]] = {}
for _value, _tag, _words in (
        (True, BOOL, "y Y yes Yes YES true True TRUE on On ON"),
        (False, BOOL, "n N no No NO false False FALSE off Off OFF"),
        (None, NULL, "~ null Null NULL"),
        (math.nan, FLOAT, ".nan .NaN .NAN"),
        (math.inf, FLOAT, ".inf .Inf .INF +.inf +.Inf +.INF"),
        (-math.inf, FLOAT, "-.inf -.Inf -.INF"),
        ("<<", MERGE, "<<")):
    for _word in _words.split():
        _MAP[_word] = (_tag, _value)
_MAP[""] = (NULL, None)

_GO_INT = re.compile(r"([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_BASES = {"x": 16, "o": 8, "b": 2}
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INT64 = (-(2**63), 2**63 - 1)


def _go_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64), then ParseUint(text, 0, 64); None if neither."""
    match = _GO_INT.fullmatch(text)
    if match is None:
        return None
    sign, body = match.groups()
    if len(body) > 1 and body[1] in "xXoObB":
        number = int(body[2:], _BASES[body[1].lower()])
    elif len(body) > 1 and body[0] == "0":
        number = int(body, 8)
    else:
        number = int(body)
    number = -number if sign == "-" else number
    if _INT64[0] <= number <= _INT64[1]:
        return number
    if not sign and number < 2**64:  # ParseUint takes no sign
        return number
    if body.isdigit() and body[0] != "0":
        # go-yaml reads a longer decimal as a float64. It stays an exact int here, so that
        # dstutor's own files can quote it back; decode.number_literal gives the JSON
        # text kubectl sends for it (1e+20).
        return number
    return None


def resolve(text: str) -> tuple[str, Any]:
    """The tag and value go-yaml gives a plain (unquoted) scalar."""
    if text in _MAP:
        return _MAP[text]
    first = text[:1]
    if not first or not (first.isdigit() and first.isascii() or first in "+-."):
        return STR, text  # no number starts this way (and the map was checked)
    plain = text.replace("_", "")
    if first != ".":
        number = _go_int(plain)
        if number is not None:
            return INT, number
    if _FLOAT.fullmatch(plain):
        value = float(plain)
        if not math.isinf(value):  # ParseFloat's range error: the text stays a string
            return FLOAT, value
    return STR, text


def _float32_shortest(value: float) -> tuple[str, int]:
    """The shortest decimal digits of float32(value) and the decimal exponent (d.ddd·10^e)."""
    target = struct.unpack("f", struct.pack("f", value))[0]
    for precision in range(1, 10):
        text = f"{target:.{precision - 1}e}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == target:
            mantissa, _, exp = text.partition("e")
            return mantissa.replace(".", "").lstrip("-").rstrip("0") or "0", int(exp)
    raise AssertionError("unreachable: 9 digits always round-trip a float32")


def float_key(value: float) -> str:
    """strconv.FormatFloat(value, 'g', -1, 32), with go-yaml's .inf/.nan spellings."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if value == 0:
        return "-0" if math.copysign(1, value) < 0 else "0"
    digits, exp = _float32_shortest(value)
    sign = "-" if value < 0 else ""
    if exp < -4 or exp >= 6:  # %e form, as 'g' with the shortest digits chooses
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if exp < 0:
        return f"{sign}0.{'0' * (-exp - 1)}{digits}"
    whole = digits[:exp + 1].ljust(exp + 1, "0")
    rest = digits[exp + 1:]
    return f"{sign}{whole}.{rest}" if rest else f"{sign}{whole}"


class KeyError_(Exception):
    """A map key sigs.k8s.io/yaml cannot turn into a JSON object key."""


def json_key(key: Any, value: Any) -> str:
    """The JSON object key for a YAML map key (convertToJSONableObject)."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, int):
        if key > _INT64[1]:
            raise KeyError_(f"unsupported map key of type: uint64, key: {key:#x}, value: "
                            f"{go_sharp_v(value)}")
        return str(key)
    if isinstance(key, float):
        return float_key(key)
    if key is None:
        raise KeyError_("unsupported map key of type: %!s(<nil>), key: <nil>, value: "
                        f"{go_sharp_v(value)}")
    raise KeyError_(f"yaml: invalid map key: {go_sharp_v(key)}")


def go_sharp_v(value: Any) -> str:
    """fmt's %+#v of a value go-yaml decoded into interface{} (for error messages)."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, int | float):
        return str(value) if isinstance(value, int) else repr(value)
    if isinstance(value, list | tuple):
        return "[]interface {}{" + ", ".join(go_sharp_v(v) for v in value) + "}"
    if isinstance(value, dict):
        items = sorted(value.items(), key=lambda kv: str(kv[0]))
        return ("map[interface {}]interface {}{" +
                ", ".join(f"{go_sharp_v(k)}:{go_sharp_v(v)}" for k, v in items) + "}")
    return str(value)
