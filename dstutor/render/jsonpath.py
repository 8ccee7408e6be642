"""kubectl's JSONPath templates (`-o jsonpath=...`), after client-go's util/jsonpath.

The grammar and evaluation follow client-go closely, quirks included: results of
one action are joined by single spaces, maps and lists print as compact JSON,
missing keys print nothing, `[0]` on an empty list is an error, a `range` over
nothing skips the rest of the template, and comparing an int with a float fails.
Map keys are visited in sorted order where Go would use random map order.
"""

from __future__ import annotations

from typing import Any

from dstutor.errors import CommandError
from dstutor.render._gofmt import format_float, json_dumps, quote, sharp_v, sprint
from dstutor.render._jsonpath_parser import (
    ArrayNode,
    FieldNode,
    FilterNode,
    IdentifierNode,
    JSONPathError,
    ListNode,
    LiteralNode,
    Parser,
    RecursiveNode,
    TextNode,
    UnionNode,
    WildcardNode,
)

__all__ = ["JSONPath", "JSONPathError", "execute_error_message", "jsonpath",
           "parse_error_message"]


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
        return bool(left == right) == (op == "==")
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
        self.root = Parser(template).parse()

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
        if isinstance(node, ListNode):
            for sub in node.nodes:
                values = self._walk(values, sub)
            return values
        if isinstance(node, TextNode):
            return [node.text]
        if isinstance(node, LiteralNode):
            return [node.value for _ in values]
        if isinstance(node, FieldNode):
            return self._field(values, node.name)
        if isinstance(node, ArrayNode):
            return self._array(values, node)
        if isinstance(node, FilterNode):
            return self._filter(values, node)
        if isinstance(node, WildcardNode):
            return [v for value in values if value is not None for v in _children(value)]
        if isinstance(node, RecursiveNode):
            return self._recursive(values)
        if isinstance(node, UnionNode):
            return [v for lst in node.lists for v in self._walk(values, lst)]
        if isinstance(node, IdentifierNode):
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

    def _array(self, values: list[Any], node: ArrayNode) -> list[Any]:
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

    def _filter(self, values: list[Any], node: FilterNode) -> list[Any]:
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
    if isinstance(node, ListNode):
        for sub in node.nodes:
            if isinstance(sub, IdentifierNode) and sub.name in ("range", "end"):
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
