"""The JSONPath template grammar of client-go's util/jsonpath, as a small parse tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_DICT_KEY = re.compile(r"'([^']*)'")
_SLICE = re.compile(r"(-?\d*)(:-?\d*)?(:-?\d*)?")
_FILTER = re.compile(r"([^!<>=]+)([!<>=]+)(.+?)", re.DOTALL)
_TERMINATORS = set(" \t\r\n.,[]$@{}")


class JSONPathError(Exception):
    """A parse or execution failure, worded like client-go."""


# --- nodes -------------------------------------------------------------------

@dataclass
class ListNode:
    nodes: list[Any] = field(default_factory=list)


@dataclass
class TextNode:
    text: str


@dataclass
class FieldNode:
    name: str


@dataclass
class Param:
    value: int = 0
    known: bool = False
    derived: bool = False


@dataclass
class ArrayNode:
    params: tuple[Param, Param, Param]


@dataclass
class FilterNode:
    left: ListNode
    right: ListNode
    operator: str


@dataclass
class LiteralNode:
    value: Any  # int, float or bool


@dataclass
class WildcardNode:
    pass


@dataclass
class RecursiveNode:
    pass


@dataclass
class UnionNode:
    lists: list[ListNode]


@dataclass
class IdentifierNode:
    name: str


# --- parser ------------------------------------------------------------------

def _is_alnum(ch: str) -> bool:
    return ch == "_" or ch.isalpha() or ch.isdecimal()


def _u_plus(ch: str) -> str:
    """Go's %#U: `U+002C ','`, without the quoted rune when it is not printable."""
    code = f"U+{ord(ch):04X}"
    return f"{code} '{ch}'" if ch.isprintable() else code


def _unquote(text: str) -> str:
    """client-go's UnquoteExtend: Go string unquoting that also accepts single quotes."""
    q, body = text[0], text[1:-1]
    if "\\" not in body and q not in body:
        return body
    out: list[str] = []
    i = 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\"}
    while i < len(body):
        ch = body[i]
        if ch == q:
            raise JSONPathError("invalid syntax")
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= len(body):
            raise JSONPathError("invalid syntax")
        esc = body[i + 1]
        i += 2
        if esc in simple:
            out.append(simple[esc])
        elif esc == q:
            out.append(esc)
        elif esc in "xuU":
            size = {"x": 2, "u": 4, "U": 8}[esc]
            digits = body[i:i + size]
            if len(digits) != size or any(c not in "0123456789abcdefABCDEF" for c in digits):
                raise JSONPathError("invalid syntax")
            out.append(chr(int(digits, 16)))
            i += size
        elif esc in "01234567":
            digits = body[i - 1:i + 2]
            if len(digits) != 3 or any(c not in "01234567" for c in digits) or int(digits, 8) > 255:
                raise JSONPathError("invalid syntax")
            out.append(chr(int(digits, 8)))
            i += 2
        else:
            raise JSONPathError("invalid syntax")
    return "".join(out)


class Parser:
    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.root = ListNode()

    def parse(self) -> ListNode:
        cur: ListNode | None = self.root
        while cur is not None:
            cur = self._text()
            if cur is not None:
                self._action(cur)
        return self.root

    def _consume(self) -> str:
        value = self.input[self.start:self.pos]
        self.start = self.pos
        return value

    def _next(self) -> str:
        if self.pos >= len(self.input):
            return ""
        ch = self.input[self.pos]
        self.pos += 1
        return ch

    def _peek(self) -> str:
        return self.input[self.pos] if self.pos < len(self.input) else ""

    def _text(self) -> ListNode | None:
        """Collect literal text up to the next '{'; return the new action list, if any."""
        idx = self.input.find("{", self.pos)
        if idx < 0:
            self.pos = len(self.input)
            if self.pos > self.start:
                self.root.nodes.append(TextNode(self._consume()))
            return None
        self.pos = idx
        if self.pos > self.start:
            self.root.nodes.append(TextNode(self._consume()))
        self.pos += 1
        self._consume()
        action = ListNode()
        self.root.nodes.append(action)
        return action

    def _action(self, cur: ListNode) -> None:
        """Parse inside one {...} until its closing brace."""
        while True:
            rest = self.input[self.pos:]
            if rest.startswith("}"):
                self.pos += 1
                self._consume()
                return
            if rest.startswith("[?("):
                self._filter(cur)
                continue
            if rest.startswith(".."):
                if cur.nodes and isinstance(cur.nodes[-1], RecursiveNode):
                    raise JSONPathError("invalid multiple recursive descent")
                self.pos += 2
                self._consume()
                cur.nodes.append(RecursiveNode())
                if _is_alnum(self._peek()):
                    self._field(cur)
                continue
            ch = self._next()
            if ch == "" or ch in "\r\n":
                raise JSONPathError("unclosed action")
            if ch in " @$":
                self._consume()
            elif ch == "[":
                self._array(cur)
            elif ch in "\"'":
                self._quote(cur, ch)
            elif ch == ".":
                self._field(cur)
            elif ch in "+-" or ch.isdecimal():
                self.pos -= 1
                self._number(cur)
            elif _is_alnum(ch):
                self.pos -= 1
                self._identifier(cur)
            else:
                raise JSONPathError(f"unrecognized character in action: {_u_plus(ch)}")

    def _identifier(self, cur: ListNode) -> None:
        while self._peek() not in _TERMINATORS and self._peek() != "":
            self.pos += 1
        value = self._consume()
        cur.nodes.append(LiteralNode(value == "true") if value in ("true", "false")
                         else IdentifierNode(value))

    def _number(self, cur: ListNode) -> None:
        if self._peek() in ("+", "-"):
            self.pos += 1
        while self._peek() != "" and (self._peek() == "." or self._peek().isdecimal()):
            self.pos += 1
        value = self._consume()
        if re.fullmatch(r"[+-]?\d+", value) and -(2**63) <= int(value) < 2**63:
            cur.nodes.append(LiteralNode(int(value)))
            return
        try:
            cur.nodes.append(LiteralNode(float(value)))
        except ValueError:
            raise JSONPathError(f"cannot parse number {value}") from None

    def _array(self, cur: ListNode) -> None:
        while True:
            ch = self._next()
            if ch in ("", "\n"):
                raise JSONPathError("unterminated array")
            if ch == "]":
                break
        text = self._consume()[1:-1]
        if text == "*":
            text = ":"
        parts = text.split(",")
        if len(parts) > 1:
            cur.nodes.append(UnionNode([_parse_action(f"[{p.strip(' ')}]") for p in parts]))
            return
        key = _DICT_KEY.fullmatch(text)
        if key:
            cur.nodes.extend(_parse_action(f".{key[1]}").nodes)
            return
        m = _SLICE.fullmatch(text)
        if not m:
            raise JSONPathError(f"invalid array index {text}")
        params = (Param(), Param(), Param())
        for i, raw in enumerate(m.groups()):
            raw = raw or ""
            if raw:
                if i > 0:
                    raw = raw[1:]
                if i > 0 and raw == "":
                    params[i].known = False
                else:
                    params[i].known = True
                    if not re.fullmatch(r"-?\d+", raw):
                        raise JSONPathError(f"array index {raw} is not a number")
                    params[i].value = int(raw)
            elif i == 1:
                params[1].known, params[1].derived = True, True
                params[1].value = params[0].value + 1
        cur.nodes.append(ArrayNode(params))

    def _filter(self, cur: ListNode) -> None:
        self.pos += 3
        self._consume()
        begin = end = False
        pair = ""
        while True:
            ch = self._next()
            if ch in ("", "\n"):
                raise JSONPathError("unterminated filter")
            if ch in "\"'":
                if not begin:
                    begin, pair = True, ch
                    continue
                if self.input[self.pos - 2] != "\\" and ch == pair:
                    end = True
            elif ch == ")" and begin == end:
                break
        if self._next() != "]":
            raise JSONPathError("unclosed array expect ]")
        text = self._consume()[:-2]
        m = _FILTER.fullmatch(text)
        if m is None:
            cur.nodes.append(FilterNode(_parse_action(text), ListNode(), "exists"))
        else:
            cur.nodes.append(FilterNode(_parse_action(m[1]), _parse_action(m[3]), m[2]))

    def _quote(self, cur: ListNode, end: str) -> None:
        while True:
            ch = self._next()
            if ch in ("", "\n"):
                raise JSONPathError("unterminated quoted string")
            if ch == end and self.input[self.pos - 2] != "\\":
                break
        value = self._consume()
        try:
            cur.nodes.append(TextNode(_unquote(value)))
        except JSONPathError as exc:
            raise JSONPathError(f"unquote string {value} error {exc}") from None

    def _field(self, cur: ListNode) -> None:
        self._consume()
        while True:
            ch = self._next()
            if ch == "\\":
                self._next()
            elif ch == "" or ch in _TERMINATORS:
                if ch:
                    self.pos -= 1
                break
        value = self._consume()
        cur.nodes.append(WildcardNode() if value == "*" else FieldNode(value.replace("\\", "")))


def _parse_action(text: str) -> ListNode:
    root = Parser("{" + text + "}").parse()
    first = root.nodes[0]
    assert isinstance(first, ListNode)
    return first
