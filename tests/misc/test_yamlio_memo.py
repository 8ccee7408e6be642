"""yamlio keeps recent parses by text: every caller still gets its own copy, and errors
(which name the source) are never kept."""

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
