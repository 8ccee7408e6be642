"""yamlio keeps recent parses by text: every caller still gets its own copy, and errors
(which name the source) are kept by text and source, refused in the same words as a
fresh parse."""

import pytest

from dstutor import yamlio
from dstutor.errors import YamlError

TEXT = "a: &x {b: [1, 2]}\nc: *x\n"


@pytest.mark.parametrize("load", [
    lambda t: yamlio.load_documents(t)[0],
    lambda t: yamlio.load_with_lines(t, "f.yaml")[0],
])
def test_a_caller_mutating_its_result_never_changes_the_next_parse(load) -> None:  # noqa: ANN001
    first = load(TEXT)
    assert first == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}}
    assert first["a"] is first["c"]  # an alias is one object, as PyYAML builds it
    first["a"]["b"].append(3)
    second = load(TEXT)
    assert second == {"a": {"b": [1, 2]}, "c": {"b": [1, 2]}}
    assert second["a"] is second["c"]
    assert second is not first


def test_lines_and_document_lines_are_copies_too() -> None:
    _, lines = yamlio.load_with_lines(TEXT, "f.yaml")
    lines[("a",)] = 99
    assert yamlio.load_with_lines(TEXT, "f.yaml")[1][("a",)] == 1
    doc_lines = yamlio.document_lines(TEXT, "f.yaml")
    doc_lines[0].clear()
    assert yamlio.document_lines(TEXT, "f.yaml")[0][("c",)] == 2


def test_errors_name_each_callers_source() -> None:
    bad = "a: [1, 2\n"
    for source in ("one.yaml", "two.yaml"):
        with pytest.raises(YamlError, match=source):
            yamlio.load_documents(bad, source)
        with pytest.raises(YamlError, match=source):
            yamlio.load_with_lines(bad, source)


def test_the_memo_stays_bounded() -> None:
    for i in range(yamlio._MEMO_ENTRIES + 50):
        assert yamlio.load_documents(f"num: {i}\n") == [{"num": i}]
    assert len(yamlio._MEMO) <= yamlio._MEMO_ENTRIES
    big = "k: " + "x" * (yamlio._MEMO_TEXT + 1) + "\n"
    yamlio.load_documents(big)
    assert ("documents", big) not in yamlio._MEMO


REFUSED = ["a: [1, 2\n", "a: b\n c: d\n", "a: *nope\n", "a: " + "[" * 150 + "]" * 150 + "\n",
           "{1: 2}: x\n", "a: b\x07\n", "a: !!int x\n", "- a\n---\n- b\n"]


@pytest.mark.parametrize("text", REFUSED)
@pytest.mark.parametrize("kind", ["documents", "lines", "document lines"])
def test_a_kept_refusal_is_the_fresh_parse_s(text: str, kind: str) -> None:
    """Refused again from the memo in a fresh parse's words, for each source (a text
    some readers take, such as a stream of two documents, is compared as taken)."""
    load, fresh = {"documents": (yamlio.load_documents, yamlio._load_documents),
                   "lines": (yamlio.load_with_lines, yamlio._load_with_lines),
                   "document lines": (yamlio.document_lines, yamlio._document_lines)}[kind]

    def outcome(read, source: str) -> str:  # noqa: ANN001
        try:
            return repr(read(text, source))
        except YamlError as exc:
            return f"{type(exc).__name__}: {exc}"

    for source in ("one.yaml", "two.yaml", "one.yaml"):
        want = outcome(fresh, source)
        assert outcome(load, source) == want  # the first time, or from the memo
        assert outcome(load, source) == want
        assert ((kind, text, source) in yamlio._MEMO) == want.startswith("YamlError")


def test_a_refusal_at_the_recursion_limit_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """It depends on the stack the parse began on, not on the text alone."""
    text = "a: [[1]]\n"

    def too_deep(text: str, source: str) -> list:
        raise YamlError(f"error: error parsing {source}: the document is nested too deeply")

    monkeypatch.setattr(yamlio, "_load_documents", too_deep)
    with pytest.raises(YamlError, match="nested too deeply"):
        yamlio.load_documents(text, "deep.yaml")
    assert ("documents", text, "deep.yaml") not in yamlio._MEMO
    monkeypatch.undo()
    assert yamlio.load_documents(text, "deep.yaml") == [{"a": [[1]]}]


@pytest.mark.parametrize("text", [TEXT, "a: !!binary aGk=\nb: [1.5, .nan, -.inf, ~, 0x1F]\n",
                                  "- &l [1, {k: v}]\n- *l\n- *l\n"])
def test_a_kept_result_is_a_fresh_parse_s(text: str) -> None:
    """The memo keeps a result pickled and hands out what unpickling gives: the same
    values and types as a fresh parse, aliases shared as a fresh parse shares them."""
    def shape(value: object) -> object:
        """repr, plus which containers are one object (by first position)."""
        seen: dict[int, int] = {}
        order: list[int] = []

        def walk(v: object) -> None:
            if isinstance(v, dict | list):
                order.append(seen.setdefault(id(v), len(seen)))
                for item in (v.values() if isinstance(v, dict) else v):
                    walk(item)
        walk(value)
        return repr(value), order

    fresh = shape(yamlio._load_documents(text, "f.yaml"))
    for _ in range(3):  # the first parse, then copies from the memo
        assert shape(yamlio.load_documents(text, "f.yaml")) == fresh
    fresh_lines = shape(yamlio._load_with_lines(text, "f.yaml")[0])
    for _ in range(3):
        assert shape(yamlio.load_with_lines(text, "f.yaml")[0]) == fresh_lines
