"""The YAML emitter's fast paths (issue 19) write exactly what its general,
character-by-character paths write: the same values dumped with the fast paths
switched off must give the same text."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.render import _goyaml

# Text that exercises folding (spaces past column 80), quoting, escapes and breaks.
_PIECE = st.sampled_from(list("ab 09:#-'\"\\\n\t.é") + ["x" * 30, "  ", "word "])
_TEXT = st.lists(_PIECE, max_size=12).map("".join)
_SCALAR = st.one_of(_TEXT, st.integers(-5, 10**20), st.booleans(), st.none(),
                    st.sampled_from(["yes", "0x1F", "1e3", "12:30", "2001-12-14", "~", ""]))
_KEY = st.one_of(_TEXT, st.sampled_from(["metadata", "name", "a10", "a9", "on", "- x"]))
_VALUE = st.recursive(_SCALAR, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(_KEY, inner, max_size=4)), max_leaves=12)


def _slow_dump(value: Any, monkeypatch: pytest.MonkeyPatch) -> str:
    with monkeypatch.context() as patch:
        patch.setattr(_goyaml, "_SIMPLE", re.compile(r"(?!)"))
        patch.setattr(_goyaml, "_plain_key", lambda key: None)
        patch.setattr(_goyaml, "_plain_value", lambda value: None)
        patch.setattr(_goyaml, "_ordered_keys",
                      lambda keys: tuple(sorted(keys, key=_goyaml._KEY_ORDER)))
        return _goyaml.dump(value)


@settings(max_examples=80, deadline=None)
@given(value=st.dictionaries(_KEY, _VALUE, max_size=6))
def test_goyaml_fast_paths_write_what_the_general_paths_write(value: dict[str, Any]) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        assert _goyaml.dump(value) == _slow_dump(value, monkeypatch)


@pytest.mark.parametrize("value", [
    {"a": "word " * 20},                       # a plain value that folds past column 80
    {"k" * 70: "short words here"},            # a plain value starting near column 80
    {"a": {"b": [{"c": "x y z " * 15}]}},      # folding at depth
    {"message": 'say "hi" ' * 12},             # double-quoted: escapes and folding
    {"x": "y"},                                # quoted by YAML 1.1 rules
])
def test_goyaml_fast_paths_on_folding_and_quoting(value: dict[str, Any],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _goyaml.dump(value)
    assert fast == _slow_dump(value, monkeypatch)
    assert fast.endswith("\n")
