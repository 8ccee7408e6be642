"""Issue 19: a big text of plain maps, lists and scalars (a generated cluster file) is
built straight from libyaml's events (yamlio._plain_documents) and must read exactly as
the pure-Python path reads it; anything else (anchors, aliases, tags, merge keys, keys
that are not scalars, deep nesting) is left to the general path."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor import yamlio
from dstutor.errors import YamlError

SCALARS = ["y", "no", "on", "off", "~", "null", "", "0x1F", "017", "0o17", "1e3", ".5", "-.inf",
           ".nan", "2001-12-14", "12:30", "1_000", "true", "True", "'quoted'", '"q\\tx"',
           "'yes'", '"1"', "9223372036854775808", "18446744073709551616", "-0", "+1", "a b"]


def _pure(text: str) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yamlio, "FAST_PARSE_BYTES", 10**9)
        try:
            return yamlio._load_documents(text, "f.yaml")
        except YamlError as exc:
            return f"YamlError: {exc}"


def _plain(text: str) -> Any:
    """_plain_documents' answer: the documents (empty ones dropped), None when it leaves
    the text to the general path, or "raised" when it gave up with an exception."""
    try:
        docs = yamlio._plain_documents(yamlio._CParser(text))
    except Exception:  # noqa: BLE001 - _load_fast then reads it the general way
        return "raised"
    return None if docs is None else [d for d in docs if d is not None]


scalar = st.sampled_from(SCALARS)
keys = st.sampled_from(["a", "b", "1", "true", "~", "0x10", "'q'", "1.5", "n"])
values = st.recursive(scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=12)


def _render(value: Any, indent: int = 0, flow: bool = False) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        if flow or not value:
            return "{" + ", ".join(f"{k}: {_render(v, flow=True)}" for k, v in value.items()) + "}"
        return "\n" + "\n".join(f"{pad}{k}: {_render(v, indent + 1)}" for k, v in value.items())
    if isinstance(value, list):
        if flow or not value:
            return "[" + ", ".join(_render(v, flow=True) for v in value) + "]"
        return "\n" + "\n".join(f"{pad}- {_render(v, indent + 1, flow=True)}" for v in value)
    return str(value)


@settings(max_examples=300, deadline=None)
@given(docs=st.lists(st.dictionaries(keys, values, min_size=1, max_size=5), min_size=1,
                     max_size=3), flow=st.booleans())
def test_plain_documents_read_as_the_pure_path(docs: list[dict[str, Any]], flow: bool) -> None:
    text = "---\n".join(_render(doc, flow=flow).lstrip("\n") + "\n" for doc in docs)
    pure = _pure(text)
    plain = _plain(text)
    if isinstance(pure, str):  # refused: never a document from the plain builder
        assert plain in (None, "raised")
    else:
        assert plain is not None and plain != "raised", text
        assert repr(plain) == repr(pure), text  # repr: types too (True vs 1), and NaN


@pytest.mark.parametrize("text", [
    "a: &x [1]\nb: *x\n",                 # an anchor and an alias
    "a: !!str 1\n",                       # a tag
    "base: {x: 1}\nc:\n  <<: {y: 2}\n",   # a merge key
    "? [1, 2]\n: x\n",                    # a list as a key
    "? {a: 1}\n: x\n",                    # a map as a key
    "a: " + "[" * 120 + "]" * 120 + "\n",  # nested past MAX_DEPTH
])
def test_anything_else_is_left_to_the_general_path(text: str) -> None:
    assert _plain(text) is None


@pytest.mark.parametrize("text", ["~: x\n", "18446744073709551616: x\n"])
def test_keys_json_cannot_hold_give_up(text: str) -> None:
    assert _plain(text) == "raised"
    assert isinstance(_pure(text), str)  # the general path words the error


def test_a_generated_cluster_file_is_built_plainly() -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    import bench_cluster_file

    text = bench_cluster_file.cluster_yaml(300, 4, kubeadm=True)
    plain = _plain(text)
    assert plain is not None and plain != "raised"
    assert repr(plain) == repr(_pure(text))
    assert len(plain[0]["nodes"]) == 300
