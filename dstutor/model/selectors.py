"""Label selectors and node affinity, matching apimachinery's semantics.

Three sources produce a LabelSelector:

* the string form used by ``kubectl get -l`` and list requests
  (``parse_selector``), with the API server's own parser error texts;
* a metav1.LabelSelector dict from an object (``selector_from_dict``), where
  ``None`` selects nothing and ``{}`` selects everything;
* node-selector requirements inside pod affinity (``node_selector_*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dstutor.errors import CommandError
from dstutor.model.names import (
    field_invalid,
    field_not_supported,
    validate_label_key,
    validate_label_value,
)

__all__ = [
    "LabelSelector",
    "Requirement",
    "format_label_selector",
    "node_selector_requirement_matches",
    "node_selector_term_matches",
    "parse_selector",
    "pod_matches_node_affinity",
    "requirement_errors",
    "selector_from_dict",
]

# Operator spellings are those of apimachinery's selection.Operator values.
EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "=", "==", "!="
IN, NOT_IN = "in", "notin"
EXISTS, DOES_NOT_EXIST = "exists", "!"
GT, LT = "gt", "lt"

_BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GT, LT)
_ALL_OPERATORS = _BINARY_OPERATORS + (EXISTS, DOES_NOT_EXIST)


def _parse_int64(text: str) -> int | None:
    """Go's strconv.ParseInt(text, 10, 64): optional sign, decimal digits only."""
    body = text[1:] if text[:1] in ("+", "-") else text
    if not body or not body.isascii() or not body.isdigit():
        return None
    value = int(text)
    if not -(2**63) <= value < 2**63:
        return None
    return value


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        op = self.operator
        if op in (IN, EQUALS, DOUBLE_EQUALS):
            return self.key in labels and labels[self.key] in self.values
        if op in (NOT_IN, NOT_EQUALS):
            return self.key not in labels or labels[self.key] not in self.values
        if op == EXISTS:
            return self.key in labels
        if op == DOES_NOT_EXIST:
            return self.key not in labels
        if op in (GT, LT):
            if self.key not in labels or len(self.values) != 1:
                return False
            have = _parse_int64(labels[self.key])
            want = _parse_int64(self.values[0])
            if have is None or want is None:
                return False
            return have > want if op == GT else have < want
        return False

    def __str__(self) -> str:
        op = self.operator
        if op == EXISTS:
            return self.key
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        symbol = {IN: " in ", NOT_IN: " notin ", GT: ">", LT: "<"}.get(op, op)
        # Several values print sorted; a single value prints as given.
        shown = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if op in (IN, NOT_IN):
            shown = f"({shown})"
        return f"{self.key}{symbol}{shown}"


@dataclass(frozen=True)
class LabelSelector:
    """An AND of requirements. ``nothing`` marks the selector of a nil metav1 selector."""

    requirements: tuple[Requirement, ...] = ()
    nothing: bool = False

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        if self.nothing:
            return False
        have = labels or {}
        return all(r.matches(have) for r in self.requirements)

    def is_empty(self) -> bool:
        """True when the selector does not restrict anything (selects everything)."""
        return not self.nothing and not self.requirements

    def __str__(self) -> str:
        return ",".join(str(r) for r in self.requirements)


def _sorted_by_key(reqs: list[Requirement]) -> tuple[Requirement, ...]:
    return tuple(sorted(reqs, key=lambda r: r.key))


def requirement_errors(key: str, operator: str, values: list[str], path: str = "") -> list[str]:
    """The field errors apimachinery's NewRequirement reports, in its order.

    ``path`` is the field path prefix ("" for the string parser, whose
    requirement paths print as "key" / "values[0]").
    """
    def sub(child: str) -> str:
        return f"{path}.{child}" if path else child

    errs: list[str] = []
    key_errs = validate_label_key(key)
    if key_errs:
        errs.append(field_invalid(sub("key"), key, "; ".join(key_errs)))
    vpath = sub("values")
    if operator in (IN, NOT_IN):
        if not values:
            errs.append(field_invalid(vpath, values, "for 'in', 'notin' operators, values set can't be empty"))
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(values) != 1:
            errs.append(field_invalid(vpath, values, "exact-match compatibility requires one single value"))
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if values:
            errs.append(field_invalid(vpath, values, "values set must be empty for exists and does not exist"))
    elif operator in (GT, LT):
        if len(values) != 1:
            errs.append(field_invalid(vpath, values, "for 'Gt', 'Lt' operators, exactly one value is required"))
        for i, v in enumerate(values):
            if _parse_int64(v) is None:
                errs.append(field_invalid(f"{vpath}[{i}]", v, "for 'Gt', 'Lt' operators, the value must be an integer"))
    else:
        errs.append(field_not_supported(sub("operator"), operator, list(_ALL_OPERATORS)))
    for i, v in enumerate(values):
        value_errs = validate_label_value(v)
        if value_errs:
            errs.append(field_invalid(f"{vpath}[{i}][{key}]", v, "; ".join(value_errs)))
    # An aggregate drops repeated messages.
    return list(dict.fromkeys(errs))


def _aggregate(errs: list[str]) -> str:
    return errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"


# --- the string parser --------------------------------------------------------
# A direct port of the lexer/recursive-descent parser in apimachinery's
# labels/selector.go, so that error texts and edge cases (empty values, "in"
# used as a value, greedy operator scanning) behave identically.

_T_ERROR, _T_END, _T_CLOSE, _T_COMMA, _T_NOT = "error", "end", ")", ",", "!"
_T_DEQ, _T_EQ, _T_GT, _T_ID, _T_IN, _T_LT, _T_NEQ, _T_NOTIN, _T_OPEN = (
    "==", "=", ">", "id", "in", "<", "!=", "notin", "(",
)
_LITERAL_TOKENS = {
    ")": _T_CLOSE, ",": _T_COMMA, "!": _T_NOT, "==": _T_DEQ, "=": _T_EQ, ">": _T_GT,
    "in": _T_IN, "<": _T_LT, "!=": _T_NEQ, "notin": _T_NOTIN, "(": _T_OPEN,
}
_SPECIAL = set("=!(),><")
_SPACE = set(" \t\r\n")


def _lex(text: str) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in _SPACE:
            pos += 1
        if pos >= n:
            items.append((_T_END, ""))
            return items
        if text[pos] in _SPECIAL:
            # Grow the symbol while it still forms a known operator.
            buf, last = "", None
            while pos < n and text[pos] in _SPECIAL:
                buf += text[pos]
                if buf in _LITERAL_TOKENS:
                    last = (_LITERAL_TOKENS[buf], buf)
                    pos += 1
                elif last is not None:
                    break
                else:
                    pos += 1
            items.append(last or (_T_ERROR, f"error expected: keyword found '{buf}'"))
            continue
        start = pos
        while pos < n and text[pos] not in _SPECIAL and text[pos] not in _SPACE:
            pos += 1
        word = text[start:pos]
        items.append((_LITERAL_TOKENS.get(word, _T_ID), word))


class _ParseFailure(Exception):
    pass


class _Parser:
    def __init__(self, text: str) -> None:
        self.items = _lex(text)
        self.pos = 0

    # In the "values" context the keywords in/notin are ordinary identifiers.
    def peek(self, values: bool = True) -> tuple[str, str]:
        tok, lit = self.items[self.pos]
        if values and tok in (_T_IN, _T_NOTIN):
            tok = _T_ID
        return tok, lit

    def take(self, values: bool = True) -> tuple[str, str]:
        item = self.peek(values)
        self.pos += 1
        return item

    def parse(self) -> list[Requirement]:
        reqs: list[Requirement] = []
        while True:
            tok, lit = self.peek()
            if tok == _T_END:
                return reqs
            if tok not in (_T_ID, _T_NOT):
                raise _ParseFailure(f"found '{lit}', expected: !, identifier, or 'end of string'")
            try:
                reqs.append(self.requirement())
            except _ParseFailure as exc:
                raise _ParseFailure(f"unable to parse requirement: {exc}") from None
            tok, lit = self.take()
            if tok == _T_END:
                return reqs
            if tok != _T_COMMA:
                raise _ParseFailure(f"found '{lit}', expected: ',' or 'end of string'")
            tok2, lit2 = self.peek()
            if tok2 not in (_T_ID, _T_NOT):
                raise _ParseFailure(f"found '{lit2}', expected: identifier after ','")

    def requirement(self) -> Requirement:
        key, op = self.key_and_inferred_operator()
        values: list[str] = []
        if op is None:
            op = self.operator()
            values = self.set_values() if op in (IN, NOT_IN) else self.exact_value()
        errs = requirement_errors(key, op, values)
        if errs:
            raise _ParseFailure(_aggregate(errs))
        return Requirement(key, op, tuple(values))

    def key_and_inferred_operator(self) -> tuple[str, str | None]:
        op: str | None = None
        tok, lit = self.take()
        if tok == _T_NOT:
            op = DOES_NOT_EXIST
            tok, lit = self.take()
        if tok != _T_ID:
            raise _ParseFailure(f"found '{lit}', expected: identifier")
        key_errs = validate_label_key(lit)
        if key_errs:
            # The parser validates keys with a nil field path, printed "<nil>".
            raise _ParseFailure(field_invalid("<nil>", lit, "; ".join(key_errs)))
        if self.peek()[0] in (_T_END, _T_COMMA) and op is None:
            op = EXISTS
        return lit, op

    def operator(self) -> str:
        tok, lit = self.take(values=False)
        ops = {_T_IN: IN, _T_EQ: EQUALS, _T_DEQ: DOUBLE_EQUALS, _T_GT: GT, _T_LT: LT,
               _T_NOTIN: NOT_IN, _T_NEQ: NOT_EQUALS}
        if tok not in ops:
            raise _ParseFailure(f"found '{lit}', expected: {', '.join(_BINARY_OPERATORS)}")
        return ops[tok]

    def set_values(self) -> list[str]:
        tok, lit = self.take()
        if tok != _T_OPEN:
            raise _ParseFailure(f"found '{lit}' expected: '('")
        tok, lit = self.peek()
        if tok in (_T_ID, _T_COMMA):
            found = self.identifier_list()
            if self.take()[0] != _T_CLOSE:
                raise _ParseFailure(f"found '{lit}', expected: ')'")
            return sorted(found)
        if tok == _T_CLOSE:
            self.take()
            return [""]
        raise _ParseFailure(f"found '{lit}', expected: ',', ')' or identifier")

    def identifier_list(self) -> set[str]:
        found: set[str] = set()
        while True:
            tok, lit = self.take()
            if tok == _T_ID:
                found.add(lit)
                tok2, lit2 = self.peek()
                if tok2 == _T_COMMA:
                    continue
                if tok2 == _T_CLOSE:
                    return found
                raise _ParseFailure(f"found '{lit2}', expected: ',' or ')'")
            if tok == _T_COMMA:
                # Empty slots between commas stand for the empty value.
                if not found:
                    found.add("")
                tok2 = self.peek()[0]
                if tok2 == _T_CLOSE:
                    found.add("")
                    return found
                if tok2 == _T_COMMA:
                    found.add("")
                continue
            raise _ParseFailure(f"found '{lit}', expected: ',', or identifier")

    def exact_value(self) -> list[str]:
        if self.peek()[0] in (_T_END, _T_COMMA):
            return [""]
        tok, lit = self.take()
        if tok == _T_ID:
            return [lit]
        raise _ParseFailure(f"found '{lit}', expected: identifier")


def parse_selector(text: str) -> LabelSelector:
    """Parse the string form; raises CommandError with the API server's message."""
    try:
        reqs = _Parser(text).parse()
    except _ParseFailure as exc:
        raise CommandError(str(exc)) from None
    return LabelSelector(_sorted_by_key(reqs))


# --- metav1.LabelSelector -----------------------------------------------------

_EXPR_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def selector_from_dict(sel: Mapping[str, Any] | None) -> LabelSelector:
    """metav1.LabelSelectorAsSelector: None selects nothing, {} selects everything.

    Raises CommandError for an operator or requirement the API would reject;
    stored objects have passed validation, so callers normally never see it.
    """
    if sel is None:
        return LabelSelector(nothing=True)
    match_labels = sel.get("matchLabels") or {}
    exprs = sel.get("matchExpressions") or []
    reqs: list[Requirement] = []
    for key, value in match_labels.items():
        errs = requirement_errors(key, EQUALS, [value])
        if errs:
            raise CommandError(_aggregate(errs))
        reqs.append(Requirement(key, EQUALS, (value,)))
    for expr in exprs:
        op_name = expr.get("operator", "")
        if op_name not in _EXPR_OPERATORS:
            raise CommandError(f'"{op_name}" is not a valid label selector operator')
        op = _EXPR_OPERATORS[op_name]
        values = list(expr.get("values") or [])
        errs = requirement_errors(expr.get("key", ""), op, values)
        if errs:
            raise CommandError(_aggregate(errs))
        reqs.append(Requirement(expr.get("key", ""), op, tuple(values)))
    return LabelSelector(_sorted_by_key(reqs))


def format_label_selector(sel: Mapping[str, Any] | None) -> str:
    """metav1.FormatLabelSelector: the canonical string, "<none>" when it is empty."""
    try:
        text = str(selector_from_dict(sel))
    except CommandError:
        return "<error>"
    return text or "<none>"


# --- node affinity ------------------------------------------------------------

_NODE_OPERATORS = {
    "In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST,
    "Gt": GT, "Lt": LT,
}


def _node_requirement(req: Mapping[str, Any]) -> Requirement | None:
    """Convert one NodeSelectorRequirement; None when upstream would report an error."""
    op = _NODE_OPERATORS.get(req.get("operator", ""))
    if op is None:
        return None
    key = req.get("key", "")
    values = list(req.get("values") or [])
    if requirement_errors(key, op, values):
        return None
    return Requirement(key, op, tuple(values))


def node_selector_requirement_matches(req: Mapping[str, Any], labels: Mapping[str, str] | None) -> bool:
    parsed = _node_requirement(req)
    return parsed is not None and parsed.matches(labels or {})


def _field_requirement_matches(req: Mapping[str, Any], node_name: str) -> bool | None:
    """matchFields entries: only metadata.name with In/NotIn and one value."""
    values = req.get("values") or []
    if req.get("key") != "metadata.name" or len(values) != 1:
        return None
    if req.get("operator") == "In":
        return node_name == values[0]
    if req.get("operator") == "NotIn":
        return node_name != values[0]
    return None


def node_selector_term_matches(term: Mapping[str, Any] | None, node: Mapping[str, Any]) -> bool:
    """One NodeSelectorTerm: expressions and fields ANDed; empty or malformed -> no match."""
    if not term:
        return False
    exprs = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not exprs and not fields:
        return False
    meta = node.get("metadata") or {}
    parsed = [_node_requirement(e) for e in exprs]
    if any(p is None for p in parsed):
        return False
    field_results = [_field_requirement_matches(f, meta.get("name", "")) for f in fields]
    if any(r is None for r in field_results):
        return False
    labels = meta.get("labels") or {}
    return all(p.matches(labels) for p in parsed if p is not None) and all(field_results)


def pod_matches_node_affinity(pod_spec: Mapping[str, Any], node: Mapping[str, Any]) -> bool:
    """nodeaffinity.GetRequiredNodeAffinity(pod).Match(node), errors counted as no match.

    nodeSelector (every key=value) AND the required terms (any one of them).
    Preferred terms never matter here.
    """
    labels = (node.get("metadata") or {}).get("labels") or {}
    for key, value in (pod_spec.get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return False
    affinity = (pod_spec.get("affinity") or {}).get("nodeAffinity") or {}
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return True
    terms = required.get("nodeSelectorTerms") or []
    return any(node_selector_term_matches(t, node) for t in terms)
