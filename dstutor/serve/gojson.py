"""Request bodies read as a Kubernetes API server reads them: Go's encoding/json.

Python's json module accepts what Go's refuses (NaN, Infinity, a byte-order mark, UTF-16
and UTF-32 bodies) and words its refusals its own way ("Expecting value: line 1 column 1
(char 0)"). A client that sends a malformed body to a real server reads Go's words:
`invalid character 'b' looking for beginning of object key string`. `loads` parses a body
as Go would accept it, and `GoJSONError` carries Go's message for one it would not.

The syntax check follows encoding/json's scanner (scanner.go: checkValid, its states and
their error contexts, quoteChar, the max nesting depth of 10,000, and eof(), which feeds
one more space to the state the input ended in, so "1." ends in `invalid character ' '
after decimal point in numeric literal`). It runs only on a body Python refused or on one
holding a value Go would refuse, so a well-formed body costs nothing more.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_NESTING_DEPTH = 10_000  # encoding/json's maxNestingDepth
_SPACE = frozenset(b" \t\r\n")
_DIGIT = frozenset(b"0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_STRING_RUN = re.compile(rb'[^"\\\x00-\x1f]*')
_DIGIT_RUN = re.compile(rb"[0-9]*")
_ESCAPES = frozenset(b'"\\/bfnrt')
_LITERALS = {ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}
_VALUE, _KEY, _END = "value", "key", "end"


class GoJSONError(ValueError):
    """A body Go's encoding/json refuses; the message is Go's."""


def quote_char(c: int) -> str:
    """encoding/json's quoteChar: the byte as a Go character literal (a byte of 0x80 or more
    is the code point of that number, as Go's string(byte) makes it)."""
    if c == 0x27:
        return "'\\''"
    if c == 0x22:
        return "'\"'"
    return "'" + go_quote(chr(c))[1:-1] + "'"


def go_quote(text: str) -> str:
    """strconv.Quote for the characters quote_char can meet (U+0000-U+00FF)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\a\b\f\n\r\t\v":
            out.append("\\" + "abfnrtv"["\a\b\f\n\r\t\v".index(ch)])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0x80 <= code <= 0xA0 or code == 0xAD:  # not printable in Go (unicode.IsPrint)
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


class _Refused(Exception):
    pass


def syntax_error(data: bytes) -> str | None:
    """encoding/json's checkValid: None where Go's scanner accepts the whole body, else the
    text of the SyntaxError it returns."""
    try:
        _Scanner(data).run()
    except _Refused as exc:
        return str(exc)
    return None


class _Scanner:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.n = len(data)
        self.stack: list[bool] = []  # True: in an object, False: in an array

    def fail(self, at: int, context: str) -> _Refused:
        c = self.data[at] if at < self.n else 0x20  # eof() feeds the state a space
        return _Refused(f"invalid character {quote_char(c)} {context}")

    def end_of_input(self) -> _Refused:
        return _Refused("unexpected end of JSON input")

    def skip_space(self, i: int) -> int:
        data, n = self.data, self.n
        while i < n and data[i] in _SPACE:
            i += 1
        return i

    def run(self) -> None:
        """The scanner's states, by hand and without recursion (a body may nest 10,000
        deep): `want` is what comes next, a value, an object key or the end of a value."""
        data, n, stack = self.data, self.n, self.stack
        want, i = _VALUE, self.skip_space(0)
        while True:
            if want is _END:
                i = self.skip_space(i)
                if not stack:
                    if i < n:
                        raise self.fail(i, "after top-level value")
                    return
                if i >= n:
                    raise self.end_of_input()
                c = data[i]
                if c == 0x2C:  # ,
                    want, i = (_KEY if stack[-1] else _VALUE), self.skip_space(i + 1)
                elif c == (0x7D if stack[-1] else 0x5D):  # } or ]
                    stack.pop()
                    i += 1
                else:
                    raise self.fail(i, "after object key:value pair" if stack[-1]
                                    else "after array element")
                continue
            if i >= n:
                raise self.end_of_input()
            c = data[i]
            if want is _KEY:
                if c != 0x22:
                    raise self.fail(i, "looking for beginning of object key string")
                i = self.skip_space(self.string(i))
                if i >= n:
                    raise self.end_of_input()
                if data[i] != 0x3A:  # :
                    raise self.fail(i, "after object key")
                want, i = _VALUE, self.skip_space(i + 1)
            elif c == 0x7B or c == 0x5B:  # { [
                stack.append(c == 0x7B)
                if len(stack) > MAX_NESTING_DEPTH:
                    raise self.fail(i, "exceeded max depth")
                i = self.skip_space(i + 1)
                if i < n and data[i] == c + 2:  # } ]
                    stack.pop()
                    want, i = _END, i + 1
                else:
                    want = _KEY if c == 0x7B else _VALUE
            else:
                want, i = _END, self.scalar(i, c)

    def scalar(self, i: int, c: int) -> int:
        if c == 0x22:
            return self.string(i)
        if c == 0x2D or c in _DIGIT:
            return self.number(i)
        if c in _LITERALS:
            return self.literal(i, _LITERALS[c])
        raise self.fail(i, "looking for beginning of value")

    def string(self, i: int) -> int:
        data, n = self.data, self.n
        i += 1
        while True:
            match = _STRING_RUN.match(data, i)
            i = match.end() if match else i
            if i >= n:
                raise self.end_of_input()
            c = data[i]
            if c == 0x22:
                return i + 1
            if c < 0x20:
                raise self.fail(i, "in string literal")
            i += 1  # a backslash
            if i < n and data[i] in _ESCAPES:
                i += 1
            elif i < n and data[i] == 0x75:  # u
                for at in range(i + 1, i + 5):
                    if at >= n or data[at] not in _HEX:
                        raise self.fail(at, "in \\u hexadecimal character escape")
                i += 5
            else:
                raise self.fail(i, "in string escape code")

    def number(self, i: int) -> int:
        data, n = self.data, self.n
        if data[i] == 0x2D:
            i += 1
            if i >= n or data[i] not in _DIGIT:
                raise self.fail(i, "in numeric literal")
        i = i + 1 if data[i] == 0x30 else _DIGIT_RUN.match(data, i).end()  # type: ignore[union-attr]
        if i < n and data[i] == 0x2E:  # .
            i += 1
            if i >= n or data[i] not in _DIGIT:
                raise self.fail(i, "after decimal point in numeric literal")
            i = _DIGIT_RUN.match(data, i).end()  # type: ignore[union-attr]
        if i < n and data[i] in b"eE":
            i += 1
            if i < n and data[i] in b"+-":
                i += 1
            if i >= n or data[i] not in _DIGIT:
                raise self.fail(i, "in exponent of numeric literal")
            i = _DIGIT_RUN.match(data, i).end()  # type: ignore[union-attr]
        return i

    def literal(self, i: int, word: bytes) -> int:
        name = word.decode()
        for at in range(1, len(word)):
            if i + at >= self.n or self.data[i + at] != word[at]:
                raise self.fail(i + at, f"in literal {name} (expecting {quote_char(word[at])})")
        return i + len(word)


class NumberOutOfRange(GoJSONError):
    """A number too big for a float64: Python reads 1e999 as inf, Go's decoder refuses it.
    The message is what decoding it into an interface{} (a patch's map) says; a field of
    another Go type would name that type."""


def _refuse_constant(name: str) -> float:
    raise GoJSONError(name)  # NaN, Infinity: the syntax check words the refusal


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise NumberOutOfRange(f"json: cannot unmarshal number {text} into Go value of "
                               f"type float64")
    return value


def loads(body: bytes) -> Any:
    """The body parsed as Go accepts it (a byte that is not UTF-8 inside a string reads as
    U+FFFD, as Go decodes it); GoJSONError with Go's message otherwise. RecursionError
    where the body is valid but deeper than Python's parser goes."""
    try:
        return json.loads(body.decode("utf-8", "replace"), parse_constant=_refuse_constant,
                          parse_float=_finite)
    except NumberOutOfRange:
        raise
    except RecursionError:
        found = syntax_error(body)
        if found:
            raise GoJSONError(found) from None
        raise
    except ValueError:  # JSONDecodeError, and GoJSONError for NaN and Infinity
        found = syntax_error(body)
        # Python refuses nothing Go accepts but U+2028/U+2029 raw in strings, which
        # both accept: found is None only if the two scanners disagree.
        raise GoJSONError(found or "unexpected end of JSON input") from None
