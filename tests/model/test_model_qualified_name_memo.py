"""validate_qualified_name remembers keys it found valid (label and annotation keys repeat
from object to object): its answers, valid or not, asked once or again, stay those of the
check itself, and the memo stays bounded."""

from __future__ import annotations

import pytest

from dstutor.model import names

KEYS = ["app", "kubernetes.io/hostname", "node-role.kubernetes.io/control-plane",
        "example.com/MyName", "a" * 63, "a" * 64, "", "/x", "x/", "a/b/c", "-bad",
        "Bad_Prefix/name", "ex ample.com/x", "x" * 254 + "/n", "kubernetes.io/" + "n" * 64]


@pytest.mark.parametrize("key", KEYS)
def test_answers_are_the_checks_own_first_and_second_time(key: str) -> None:
    expected = names._qualified_name_errors(key)
    assert names.validate_qualified_name(key) == expected
    assert names.validate_qualified_name(key) == expected
    assert (key in names._VALID_QUALIFIED_NAMES) == (not expected)


def test_a_returned_list_is_the_callers_own() -> None:
    first = names.validate_qualified_name("app")
    first.append("changed by a caller")
    assert names.validate_qualified_name("app") == []


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(names, "_VALID_QUALIFIED_NAMES", set())
    monkeypatch.setattr(names, "_VALID_QUALIFIED_NAMES_MAX", 8)
    for i in range(50):
        assert names.validate_qualified_name(f"key-{i}") == []
        assert len(names._VALID_QUALIFIED_NAMES) <= 8
