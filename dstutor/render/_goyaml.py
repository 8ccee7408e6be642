"""YAML text exactly as kubectl's `-o yaml` writes it.

kubectl marshals to JSON and hands the JSON to go-yaml v2 (sigs.k8s.io/yaml), so
the layout follows that emitter (a port of libyaml): 2-space indent, sequences
not indented under their key, keys in go-yaml's "natural" order, strings quoted
only when YAML 1.1 would read them as something else, long plain and quoted
scalars folded past column 80, multi-line strings as literal blocks.
"""

from __future__ import annotations

import math
import re
from functools import cmp_to_key, lru_cache
from typing import Any

from dstutor.render._gofmt import format_float, json_float

BEST_WIDTH = 80
BEST_INDENT = 2

_BOOL_NULL = {
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
    "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    "", "~", "null", "Null", "NULL",
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
    "-.inf", "-.Inf", "-.INF",
}
_HINT_NUMBER = set("+-0123456789")
_HINT_MAP = set("yYnNtTfFoO~")
_GO_INT = re.compile(r"[+-]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
_TIMESTAMP = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?(?:Z|[+-]\d{2}:\d{2}))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:[.,]\d+)?))?")
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _is_timestamp(text: str) -> bool:
    m = _TIMESTAMP.fullmatch(text)
    if not m:
        return False
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12 or not 1 <= day <= _DAYS_IN_MONTH[month - 1]:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if month == 2 and day == 29 and not leap:
        return False
    clock = [g for g in (m[4], m[5], m[6]) if g] or [g for g in (m[7], m[8], m[9]) if g]
    return not clock or (int(clock[0]) < 24 and int(clock[1]) < 60 and int(clock[2]) < 60)


def resolves_to_non_string(text: str) -> bool:
    """True when go-yaml v2 would read this unquoted text as a non-string."""
    if text in _BOOL_NULL:
        return True
    hint = text[0]
    if hint == ".":
        # strconv.ParseFloat: like Python's float() minus surrounding blanks; overflow fails.
        if text.strip() != text:
            return False
        try:
            return not math.isinf(float(text))
        except ValueError:
            return False
    if hint not in _HINT_NUMBER:
        return False
    if _is_timestamp(text):
        return True
    plain = text.replace("_", "")
    if _GO_INT.fullmatch(plain):
        return True
    if _YAML_FLOAT.fullmatch(plain):
        return not math.isinf(float(plain))
    return False


def _natural_less(a: str, b: str) -> bool:
    """go-yaml's keyList.Less for two string keys (digit runs compare as numbers)."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()  # unicode.IsLetter
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an = an * 10 + ord(a[ai]) - 48
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn = bn * 10 + ord(b[bi]) - 48
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _key_compare(a: str, b: str) -> int:
    return -1 if _natural_less(a, b) else (1 if _natural_less(b, a) else 0)


_KEY_ORDER = cmp_to_key(_key_compare)


@lru_cache(maxsize=4096)
def _ordered_keys(keys: tuple[Any, ...]) -> tuple[Any, ...]:
    """A mapping's keys in go-yaml's order; objects of one kind share their key sets."""
    return tuple(sorted(keys, key=_KEY_ORDER))

_BREAKS = "\r\n\x85\u2028\u2029"


def _printable(ch: str) -> bool:
    c = ord(ch)
    return (c == 0x0A or 0x20 <= c <= 0x7E or 0xA0 <= c <= 0xD7FF
            or (0xE000 <= c <= 0xFFFD and c != 0xFEFF))


class _Scalar:
    """libyaml's scalar analysis: which styles can represent this text."""

    def __init__(self, value: str) -> None:
        self.value = value
        if not value:
            self.multiline = False
            self.block_plain = self.single = True
            self.block = False
            return
        block_ind = value.startswith(("---", "..."))
        line_breaks = special = False
        leading_space = leading_break = trailing_space = trailing_break = False
        break_space = space_break = prev_space = prev_break = False
        preceded_by_ws = True
        n = len(value)
        for i, ch in enumerate(value):
            followed_by_ws = i + 1 >= n or value[i + 1] in " \t"
            if i == 0:
                if ch in "#,[]{}&*!|>'\"%@`":
                    block_ind = True
                elif ch in "?:" or ch == "-":
                    block_ind = block_ind or followed_by_ws
            elif (ch == ":" and followed_by_ws) or (ch == "#" and preceded_by_ws):
                block_ind = True
            if not _printable(ch):
                special = True
            if ch == " ":
                leading_space = leading_space or i == 0
                trailing_space = trailing_space or i == n - 1
                break_space = break_space or prev_break
                prev_space, prev_break = True, False
            elif ch in _BREAKS:
                line_breaks = True
                leading_break = leading_break or i == 0
                trailing_break = trailing_break or i == n - 1
                space_break = space_break or prev_space
                prev_space, prev_break = False, True
            else:
                prev_space = prev_break = False
            preceded_by_ws = ch in " \t" or ch in _BREAKS
        self.multiline = line_breaks
        self.block_plain = self.single = self.block = True
        if leading_space or leading_break or trailing_space or trailing_break:
            self.block_plain = False
        if trailing_space:
            self.block = False
        if break_space:
            self.block_plain = self.single = False
        if space_break or special:
            self.block_plain = self.single = False
            self.block = False
        if line_breaks or block_ind:
            self.block_plain = False


# Analysis and scalar text depend on the text alone, and an object list repeats most of
# them (keys, images, node names): memoised, they are computed once per distinct string.
_analyze = lru_cache(maxsize=65536)(_Scalar)

# Text without line breaks, quotes, backslashes, or anything outside printable ASCII but
# spaces: every writer puts it through unchanged when no space may fold it.
_SIMPLE = re.compile(r"[ !#-&(-\[\]-~]*")


class _Emitter:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.column = 0
        self.indent = -1
        self.whitespace = True
        self.indention = True

    # -- low level writes ----------------------------------------------------
    def put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def put_break(self) -> None:
        self.out.append("\n")
        self.column = 0
        self.indention = True

    def write_indent(self) -> None:
        indent = max(self.indent, 0)
        if not self.indention or self.column > indent or (
                self.column == indent and not self.whitespace):
            self.put_break()
        if self.column < indent:
            self.put(" " * (indent - self.column))
        self.whitespace = True

    def indicator(self, text: str, need_ws: bool, is_ws: bool, is_indention: bool) -> None:
        if need_ws and not self.whitespace:
            self.put(" ")
        self.put(text)
        self.whitespace = is_ws
        self.indention = self.indention and is_indention

    def write_break_char(self, ch: str) -> None:
        if ch == "\n":
            self.put_break()
        else:
            self.out.append(ch)
            self.column = 0
            self.indention = True

    # -- scalar writers ------------------------------------------------------
    def write_plain(self, value: str, allow_breaks: bool) -> None:
        if value and not self.whitespace:
            self.put(" ")
        if _SIMPLE.fullmatch(value) and (
                not allow_breaks or " " not in value or self.column + len(value) <= BEST_WIDTH):
            # No break character, and no space where the column could pass BEST_WIDTH:
            # the loop below would put every character as it is.
            self.out.append(value)
            self.column += len(value)
            if value:
                self.whitespace = False
            self.indention = False
            return
        spaces = breaks = False
        for i, ch in enumerate(value):
            if ch == " ":
                nxt = value[i + 1] if i + 1 < len(value) else ""
                if allow_breaks and not spaces and self.column > BEST_WIDTH and nxt != " ":
                    self.write_indent()
                else:
                    self.put(ch)
                spaces = True
            elif ch in _BREAKS:
                if not breaks and ch == "\n":
                    self.put_break()
                self.write_break_char(ch)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put(ch)
                self.indention = False
                spaces = breaks = False
        if value:
            self.whitespace = False
        self.indention = False

    def write_single(self, value: str, allow_breaks: bool) -> None:
        self.indicator("'", True, False, False)
        spaces = breaks = False
        n = len(value)
        for i, ch in enumerate(value):
            if ch == " ":
                nxt = value[i + 1] if i + 1 < n else ""
                if (allow_breaks and not spaces and self.column > BEST_WIDTH and 0 < i < n - 1
                        and nxt != " "):
                    self.write_indent()
                else:
                    self.put(ch)
                spaces = True
            elif ch in _BREAKS:
                if not breaks and ch == "\n":
                    self.put_break()
                self.write_break_char(ch)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                if ch == "'":
                    self.put("'")
                self.put(ch)
                self.indention = False
                spaces = breaks = False
        self.indicator("'", False, False, False)
        self.whitespace = self.indention = False

    def write_double(self, value: str, allow_breaks: bool) -> None:
        self.indicator('"', True, False, False)
        if _SIMPLE.fullmatch(value) and '"' not in value and (
                not allow_breaks or " " not in value or self.column + len(value) <= BEST_WIDTH):
            self.put(value)  # nothing to escape, nowhere to fold
            self.indicator('"', False, False, False)
            self.whitespace = self.indention = False
            return
        spaces = False
        n = len(value)
        for i, ch in enumerate(value):
            code = ord(ch)
            if (not _printable(ch) or code == 0xFEFF or ch in _BREAKS or ch in '"\\'):
                self.put("\\" + _double_escape(code))
                spaces = False
            elif ch == " ":
                if allow_breaks and not spaces and self.column > BEST_WIDTH and 0 < i < n - 1:
                    self.write_indent()
                    if i + 1 < n and value[i + 1] == " ":
                        self.put("\\")
                else:
                    self.put(ch)
                spaces = True
            else:
                self.put(ch)
                spaces = False
        self.indicator('"', False, False, False)
        self.whitespace = self.indention = False

    def write_literal(self, value: str) -> None:
        self.indicator("|", True, False, False)
        if value and (value[0] == " " or value[0] in _BREAKS):
            self.indicator(str(BEST_INDENT), False, False, False)
        chomp = ""
        if not value or value[-1] not in _BREAKS:
            chomp = "-"
        elif len(value) == 1 or value[-2] in _BREAKS:
            chomp = "+"
        if chomp:
            self.indicator(chomp, False, False, False)
        # go-yaml v2 always breaks the line after the block header.
        self.put_break()
        self.whitespace = True
        breaks = True
        for ch in value:
            if ch in _BREAKS:
                self.write_break_char(ch)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                self.put(ch)
                self.indention = False
                breaks = False

    # -- nodes ---------------------------------------------------------------
    def scalar(self, text: str, plain_ok: bool, *, simple_key: bool) -> None:
        info = _analyze(text)
        style = "literal" if "\n" in text else ("plain" if plain_ok else "double")
        if simple_key and info.multiline:
            style = "double"
        if style == "plain" and (not info.block_plain or (not text and simple_key)):
            style = "single"
        if style == "single" and not info.single:
            style = "double"
        if style == "literal" and (not info.block or simple_key):
            style = "double"
        saved = self.indent
        self.indent = BEST_INDENT if self.indent < 0 else self.indent + BEST_INDENT
        if style == "plain":
            self.write_plain(text, not simple_key)
        elif style == "single":
            self.write_single(text, not simple_key)
        elif style == "double":
            self.write_double(text, not simple_key)
        else:
            self.write_literal(text)
        self.indent = saved

    def node(self, value: Any, *, mapping: bool = False) -> None:
        if isinstance(value, dict):
            if not value:
                self.indicator("{", True, True, False)
                self.indicator("}", False, False, False)
            else:
                self.block_mapping(value)
        elif isinstance(value, list | tuple):
            if not value:
                self.indicator("[", True, True, False)
                self.indicator("]", False, False, False)
            else:
                self.block_sequence(value, indentless=mapping and not self.indention)
        else:
            text, plain_ok = _scalar_text(value)
            self.scalar(text, plain_ok, simple_key=False)

    def block_mapping(self, value: dict[str, Any]) -> None:
        saved = self.indent
        self.indent = 0 if self.indent < 0 else self.indent + BEST_INDENT
        out = self.out
        indent = self.indent  # >= 0 here: write_indent's max() is a no-op
        newline = "\n" + " " * indent
        keys = tuple(value)
        # The memo is keyed by the tuple: only str keys, so 1 and True never meet there.
        ordered = (_ordered_keys(keys) if all(type(k) is str for k in keys)
                   else sorted(keys, key=_KEY_ORDER))
        for key in ordered:
            simple = _plain_key(key) if type(key) is str else None
            if simple is not None:
                # write_indent(), inlined: the usual case breaks the line after a value.
                column = self.column
                if not self.indention or column > indent or (
                        column == indent and not self.whitespace):
                    out.append(newline)
                    self.indention = True
                elif column < indent:
                    out.append(" " * (indent - column))
                self.column = indent
                # What scalar(simple_key=True) and the ":" indicator write for it.
                out.append(simple)
                self.column += len(simple)
                self.whitespace = self.indention = False
                item = value[key]
                if type(item) is str:
                    plain = _plain_value(item)
                    if plain is not None and (
                            self.column + len(plain) <= BEST_WIDTH or " " not in item):
                        # What scalar() writes for a plain value that cannot fold.
                        out.append(plain)
                        self.column += len(plain)
                        continue
                self.node(item, mapping=True)
                continue
            self.write_indent()
            text, plain_ok = _scalar_text(str(key))
            if _analyze(text).multiline or len(text.encode("utf-8")) > 128:
                self.indicator("?", True, False, True)
                self.scalar(text, plain_ok, simple_key=False)
                self.write_indent()
                self.indicator(":", True, False, True)
            else:
                self.scalar(text, plain_ok, simple_key=True)
                self.indicator(":", False, False, False)
            self.node(value[key], mapping=True)
        self.indent = saved

    def block_sequence(self, value: list[Any] | tuple[Any, ...], indentless: bool) -> None:
        saved = self.indent
        if self.indent < 0:
            self.indent = 0
        elif not indentless:
            self.indent += BEST_INDENT
        for item in value:
            self.write_indent()
            self.indicator("-", True, False, True)
            self.node(item)
        self.indent = saved


@lru_cache(maxsize=16384)
def _plain_key(key: str) -> str | None:
    """`key:` when block_mapping writes the key as a plain simple key with nothing to
    escape (the usual key), else None."""
    text, plain_ok = _string_text(key)
    info = _analyze(text)
    if (not text or text != key or not plain_ok or not info.block_plain or info.multiline
            or len(text.encode("utf-8")) > 128 or not _SIMPLE.fullmatch(text)):
        return None
    return text + ":"


@lru_cache(maxsize=65536)
def _plain_value(value: str) -> str | None:
    """` value` when scalar() writes this mapping value in plain style with nothing to
    escape (folding aside: the caller checks the column), else None."""
    text, plain_ok = _string_text(value)
    if not text or text != value or "\n" in text or not plain_ok:
        return None
    if not _analyze(text).block_plain or not _SIMPLE.fullmatch(text):
        return None
    return " " + text


def _double_escape(code: int) -> str:
    named = {0x00: "0", 0x07: "a", 0x08: "b", 0x09: "t", 0x0A: "n", 0x0B: "v", 0x0C: "f",
             0x0D: "r", 0x1B: "e", 0x22: '"', 0x5C: "\\", 0x85: "N", 0xA0: "_",
             0x2028: "L", 0x2029: "P"}
    if code in named:
        return named[code]
    if code <= 0xFF:
        return f"x{code:02X}"
    if code <= 0xFFFF:
        return f"u{code:04X}"
    return f"U{code:08X}"


def _scalar_text(value: Any) -> tuple[str, bool]:
    """Text of a scalar after the JSON round trip, and whether plain style may be used."""
    if value is None:
        return "null", True
    if value is True:
        return "true", True
    if value is False:
        return "false", True
    if isinstance(value, int | float):
        # The JSON text is re-read as YAML: integers that overflow 64 bits become floats.
        text = str(value) if isinstance(value, int) else json_float(value)
        if _GO_INT.fullmatch(text) and -(2**63) <= int(text) < 2**64:
            return str(int(text)), True
        return format_float(float(text)), True
    return _string_text(str(value))


@lru_cache(maxsize=65536)
def _string_text(value: str) -> tuple[str, bool]:
    text = _fold_nel(value)
    plain_ok = not resolves_to_non_string(text) and not _BASE60.fullmatch(text)
    return text, plain_ok


_NEL_RUN = re.compile(" *\x85(?: *\x85)* *")


def _fold_nel(text: str) -> str:
    """A raw NEL survives json.Marshal, and YAML then folds it like a line break."""
    if "\x85" not in text:
        return text
    return _NEL_RUN.sub(lambda m: " " if m[0].count("\x85") == 1
                        else "\n" * (m[0].count("\x85") - 1), text)


def dump(value: Any) -> str:
    """Serialise a decoded JSON value the way `kubectl get -o yaml` does."""
    emitter = _Emitter()
    emitter.node(value)
    emitter.write_indent()
    return "".join(emitter.out)
