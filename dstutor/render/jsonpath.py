"""kubectl's JSONPath templates (`-o jsonpath=...`), after client-go's util/jsonpath.

The grammar and evaluation follow client-go closely, quirks included: results of
one action are joined by single spaces, maps and lists print as compact JSON,
missing keys print nothing, `[0]` on an empty list is an error, a `range` over
nothing skips the rest of the template, and comparing an int with a float fails.
Map keys are visited in sorted order where Go would use random map order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dstutor.errors import CommandError
from dstutor.render._gofmt import format_float, json_dumps, quote, sharp_v, sprint

_DICT_KEY = re.compile(r"'([^']*)'")
_SLICE = re.compile(r"(-?\d*)(:-?\d*)?(:-?\d*)?")
_FILTER = re.compile(r"([^!<>=]+)([!<>=]+)(.+?)", re.DOTALL)
_TERMINATORS = set(" \t\r\n.,[]$@{}")


class JSONPathError(Exception):
    """A parse or execution failure, worded like client-go."""


# --- nodes -------------------------------------------------------------------

@dataclass
class _List:
    nodes: list[Any] = field(default_factory=list)


@dataclass
class _Text:
    text: str


@dataclass
class _Field:
    name: str


@dataclass
class _Param:
    value: int = 0
    known: bool = False
    derived: bool = False


@dataclass
class _Array:
    params: tuple[_Param, _Param, _Param]


@dataclass
class _Filter:
    left: _List
    right: _List
    operator: str


@dataclass
class _Literal:
    value: Any  # int, float or bool


@dataclass
class _Wildcard:
    pass


@dataclass
class _Recursive:
    pass


@dataclass
class _Union:
    lists: list[_List]


@dataclass
class _Identifier:
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


class _Parser:
    def __init__(self, text: str) -> None:
        self.input = text
        self.pos = 0
        self.start = 0
        self.root = _List()

    def parse(self) -> _List:
        cur: _List | None = self.root
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

    def _text(self) -> _List | None:
        """Collect literal text up to the next '{'; return the new action list, if any."""
        idx = self.input.find("{", self.pos)
        if idx < 0:
            self.pos = len(self.input)
            if self.pos > self.start:
                self.root.nodes.append(_Text(self._consume()))
            return None
        self.pos = idx
        if self.pos > self.start:
            self.root.nodes.append(_Text(self._consume()))
        self.pos += 1
        self._consume()
        action = _List()
        self.root.nodes.append(action)
        return action

    def _action(self, cur: _List) -> None:
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
                if cur.nodes and isinstance(cur.nodes[-1], _Recursive):
                    raise JSONPathError("invalid multiple recursive descent")
                self.pos += 2
                self._consume()
                cur.nodes.append(_Recursive())
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

    def _identifier(self, cur: _List) -> None:
        while self._peek() not in _TERMINATORS and self._peek() != "":
            self.pos += 1
        value = self._consume()
        cur.nodes.append(_Literal(value == "true") if value in ("true", "false")
                         else _Identifier(value))

    def _number(self, cur: _List) -> None:
        if self._peek() in ("+", "-"):
            self.pos += 1
        while self._peek() != "" and (self._peek() == "." or self._peek().isdecimal()):
            self.pos += 1
        value = self._consume()
        if re.fullmatch(r"[+-]?\d+", value) and -(2**63) <= int(value) < 2**63:
            cur.nodes.append(_Literal(int(value)))
            return
        try:
            cur.nodes.append(_Literal(float(value)))
        except ValueError:
            raise JSONPathError(f"cannot parse number {value}") from None

    def _array(self, cur: _List) -> None:
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
            cur.nodes.append(_Union([_parse_action(f"[{p.strip(' ')}]") for p in parts]))
            return
        key = _DICT_KEY.fullmatch(text)
        if key:
            cur.nodes.extend(_parse_action(f".{key[1]}").nodes)
            return
        m = _SLICE.fullmatch(text)
        if not m:
            raise JSONPathError(f"invalid array index {text}")
        params = (_Param(), _Param(), _Param())
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
        cur.nodes.append(_Array(params))

    def _filter(self, cur: _List) -> None:
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
            cur.nodes.append(_Filter(_parse_action(text), _List(), "exists"))
        else:
            cur.nodes.append(_Filter(_parse_action(m[1]), _parse_action(m[3]), m[2]))

    def _quote(self, cur: _List, end: str) -> None:
        while True:
            ch = self._next()
            if ch in ("", "\n"):
                raise JSONPathError("unterminated quoted string")
            if ch == end and self.input[self.pos - 2] != "\\":
                break
        value = self._consume()
        try:
            cur.nodes.append(_Text(_unquote(value)))
        except JSONPathError as exc:
            raise JSONPathError(f"unquote string {value} error {exc}") from None

    def _field(self, cur: _List) -> None:
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
        cur.nodes.append(_Wildcard() if value == "*" else _Field(value.replace("\\", "")))


def _parse_action(text: str) -> _List:
    root = _Parser("{" + text + "}").parse()
    first = root.nodes[0]
    assert isinstance(first, _List)
    return first


# --- evaluation --------------------------------------------------------------

_MISSING = object()


def _go_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    if isinstance(value, list):
        return "[]interface {}"
    return "interface {}"


def _basic_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    raise JSONPathError("invalid type for comparison")


def _compare(op: str, left: Any, right: Any) -> bool:
    """text/template's eq/ne/lt/le/gt/ge on JSON scalars."""
    lk, rk = _basic_kind(left), _basic_kind(right)
    if lk != rk:
        raise JSONPathError("incompatible types for comparison")
    if op in ("==", "!="):
        return (left == right) == (op == "==")
    if lk == "bool":
        raise JSONPathError("invalid type for comparison")
    if op == "<":
        return bool(left < right)
    if op == ">":
        return bool(left > right)
    if op == "<=":
        return bool(left <= right)
    if op == ">=":
        return bool(left >= right)
    raise JSONPathError(f"unrecognized filter operator {op}")


class JSONPath:
    """A parsed template; `execute` renders it against one decoded JSON value."""

    def __init__(self, template: str, *, allow_missing_keys: bool = True) -> None:
        self.template = template
        self.allow_missing_keys = allow_missing_keys
        self.root = _Parser(template).parse()

    def execute(self, data: Any) -> str:
        self._nodes = list(self.root.nodes)
        self._stack: list[list[Any]] = []
        self._begin = self._in = self._end = 0
        self._cur: list[Any] = [data]
        out = []
        for results in self._find(data):
            out.append(" ".join(_to_text(v) for v in results))
        return "".join(out)

    def find_results(self, data: Any) -> list[list[Any]]:
        """The raw matches per action, as custom-columns uses them."""
        self._nodes = list(self.root.nodes)
        self._stack = []
        self._begin = self._in = self._end = 0
        return self._find(data)

    def _find(self, data: Any) -> list[list[Any]]:
        self._cur = [data]
        nodes = self._nodes
        full: list[list[Any]] = []
        i = 0
        while i < len(nodes):
            results = self._walk(self._cur, nodes[i])
            if 0 < self._end <= self._in:
                self._end -= 1
                break
            if self._begin > 0:
                self._begin -= 1
                if not results:
                    # kubectl 1.37 jumps past the matching {end} of an empty range.
                    self._cur = self._stack.pop()
                    i = _matching_end(nodes, i) + 1
                    continue
                # A range runs the rest of the template once per result.
                self._in += 1
                for k, value in enumerate(results):
                    self._nodes = nodes[i + 1:]
                    if k == len(results) - 1:
                        self._in -= 1
                    full.extend(self._find(value))
                break
            full.append(results)
            i += 1
        return full

    def _walk(self, values: list[Any], node: Any) -> list[Any]:
        if isinstance(node, _List):
            for sub in node.nodes:
                values = self._walk(values, sub)
            return values
        if isinstance(node, _Text):
            return [node.text]
        if isinstance(node, _Literal):
            return [node.value for _ in values]
        if isinstance(node, _Field):
            return self._field(values, node.name)
        if isinstance(node, _Array):
            return self._array(values, node)
        if isinstance(node, _Filter):
            return self._filter(values, node)
        if isinstance(node, _Wildcard):
            return [v for value in values if value is not None for v in _children(value)]
        if isinstance(node, _Recursive):
            return self._recursive(values)
        if isinstance(node, _Union):
            return [v for lst in node.lists for v in self._walk(values, lst)]
        if isinstance(node, _Identifier):
            return self._identifier(values, node.name)
        raise JSONPathError(f"unexpected Node {node}")

    def _identifier(self, values: list[Any], name: str) -> list[Any]:
        if name == "range":
            self._stack.append(self._cur)
            self._begin += 1
            return values
        if name == "end":
            if self._end < self._in:
                self._end += 1
                return []
            if not self._stack:
                raise JSONPathError("not in range, nothing to end")
            self._cur = self._stack.pop()
            return []
        raise JSONPathError(f"unrecognized identifier {name}")

    def _field(self, values: list[Any], name: str) -> list[Any]:
        results = [v[name] for v in values if isinstance(v, dict) and name in v]
        if not results and values and not self.allow_missing_keys:
            raise JSONPathError(f"{name} is not found")
        return results

    def _array(self, values: list[Any], node: _Array) -> list[Any]:
        result: list[Any] = []
        for value in values:
            if value is None:
                continue
            if not isinstance(value, list):
                raise JSONPathError(f"{_go_type(value)} is not array or slice")
            n = len(value)
            p0 = node.params[0].value if node.params[0].known else 0
            p0 = p0 + n if p0 < 0 else p0
            p1 = node.params[1].value if node.params[1].known else n
            if p1 < 0 or (p1 == 0 and node.params[1].derived):
                p1 += n
            if p1 == p0:
                return result
            if p0 >= n or p0 < 0:
                raise JSONPathError(f"array index out of bounds: index {p0}, length {n}")
            if p1 > n or p1 < 0:
                raise JSONPathError(f"array index out of bounds: index {p1 - 1}, length {n}")
            if p0 > p1:
                raise JSONPathError(f"starting index {p0} is greater than ending index {p1}")
            step = 1
            if node.params[2].known:
                if node.params[2].value <= 0:
                    raise JSONPathError("step must be > 0")
                step = node.params[2].value
            result.extend(value[p0:p1:step])
        return result

    def _filter(self, values: list[Any], node: _Filter) -> list[Any]:
        results: list[Any] = []
        for value in values:
            if not isinstance(value, list):
                raise JSONPathError(f"{sprint(value)} is not array or slice and cannot be filtered")
            for item in value:
                try:
                    lefts = self._walk([item], node.left)
                    error = None
                except JSONPathError as exc:
                    lefts, error = [], exc
                if node.operator == "exists":
                    if lefts:
                        results.append(item)
                    continue
                if error is not None:
                    raise error
                if not lefts:
                    continue
                if len(lefts) > 1:
                    raise JSONPathError("can only compare one element at a time")
                rights = self._walk([item], node.right)
                if not rights:
                    continue
                if len(rights) > 1:
                    raise JSONPathError("can only compare one element at a time")
                if _compare(node.operator, lefts[0], rights[0]):
                    results.append(item)
        return results

    def _recursive(self, values: list[Any]) -> list[Any]:
        result: list[Any] = []
        for value in values:
            if value is None:
                continue
            children = _children(value)
            if children:
                result.append(value)
                result.extend(self._recursive(children))
        return result


def _keyword(node: Any) -> str:
    if isinstance(node, _List):
        for sub in node.nodes:
            if isinstance(sub, _Identifier) and sub.name in ("range", "end"):
                return sub.name
    return ""


def _matching_end(nodes: list[Any], start: int) -> int:
    """Index of the {end} closing the {range} at `start` (the last node if unclosed)."""
    depth = 0
    for i in range(start, len(nodes)):
        word = _keyword(nodes[i])
        depth += 1 if word == "range" else -1 if word == "end" else 0
        if depth == 0:
            return i
    return len(nodes) - 1


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    if isinstance(value, list):
        return list(value)
    if isinstance(value, str):
        # Go's reflection iterates a string's bytes; only the count matters here.
        return list(value.encode("utf-8"))
    return []


def _to_text(value: Any) -> str:
    if isinstance(value, dict | list):
        return json_dumps(value)
    if value is None:
        return "null"
    if isinstance(value, float):
        return format_float(value)
    return sprint(value)


def parse_error_message(template: str, exc: JSONPathError) -> str:
    """What kubectl prints (minus the final newline) for a template that does not parse."""
    return f"error: error parsing jsonpath {template}, {exc}"


def execute_error_message(template: str, exc: JSONPathError, data: Any) -> str:
    """What kubectl prints (minus the final newline) when a template fails on the data."""
    return (f"error: error executing jsonpath {quote(template)}: Error executing template: "
            f"{exc}. Printing more information for debugging the template:\n"
            f"\ttemplate was:\n\t\t{template}\n"
            f"\tobject given to jsonpath engine was:\n\t\t{sharp_v(data)}\n\n")


def jsonpath(template: str, data: Any) -> str:
    """Render `-o jsonpath=TEMPLATE` for one object or a List wrapper.

    Raises CommandError whose text is kubectl's stderr without its last newline.
    """
    try:
        compiled = JSONPath(template)
    except JSONPathError as exc:
        raise CommandError(parse_error_message(template, exc)) from None
    try:
        return compiled.execute(data)
    except JSONPathError as exc:
        raise CommandError(execute_error_message(template, exc, data)) from None
