"""Issue 19: a big text (a cluster file for thousands of nodes) is scanned by libyaml, and
must read exactly as the pure-Python path reads it: same documents, same types, same
errors in the same words."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor import yamlio
from dstutor.errors import YamlError

REPO = Path(__file__).resolve().parents[2]
# The project's own files: no hidden folder (.git, a virtual environment such as CI's
# .venv-ci, which holds an installed copy of the lessons).
FILES = sorted(p for p in REPO.rglob("*.yaml")
               if not any(part.startswith(".") for part in p.relative_to(REPO).parts))

sys.path.insert(0, str(REPO / "benchmarks"))
import bench_cluster_file  # noqa: E402


def _read(load: Callable[[str, str], Any], text: str, *, fast: bool,
          monkeypatch: pytest.MonkeyPatch) -> Any:
    """What `load` (_load_documents, _load_with_lines) gives, or the error's text, by one
    path or the other."""
    monkeypatch.setattr(yamlio, "FAST_PARSE_BYTES", -1 if fast else 10**9)
    try:
        return load(text, "f.yaml")
    except YamlError as exc:
        return f"YamlError: {exc}"


def _same(text: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Both paths read `text` alike: as documents, and as one document with its lines
    (lesson files; a stream of several is an error both ways)."""
    answers = []
    for load in (yamlio._load_documents, yamlio._load_with_lines):
        pure = _read(load, text, fast=False, monkeypatch=monkeypatch)
        fast = _read(load, text, fast=True, monkeypatch=monkeypatch)
        assert repr(fast) == repr(pure)  # repr: types too (True vs 1, 1.0 vs 1), and NaN
        answers.append(pure)
    return answers[0]  # the documents


def test_the_repository_yaml_files_are_there() -> None:
    assert len(FILES) > 50


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_yaml_file_reads_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _same(path.read_text(encoding="utf-8"), monkeypatch)


def test_a_big_cluster_file_takes_the_fast_path_and_reads_the_same(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = bench_cluster_file.cluster_yaml(2000, 10, kubeadm=True)
    assert len(text) > yamlio.FAST_PARSE_BYTES
    used = []
    real = yamlio._load_fast

    def spy(text: str, source: str) -> Any:
        used.append(found := real(text, source))
        return found

    monkeypatch.setattr(yamlio, "_load_fast", spy)
    docs = _same(text, monkeypatch)
    assert used and used[0] is not None and len(docs[0]["nodes"]) == 2000


PAD = "# " + "x" * 100 + "\n"


@pytest.mark.parametrize("text", [
    "a: [1, 2\n",                                  # a syntax error
    "a: b\n c: d\n",                               # bad indentation
    "a: *nope\n",                                  # an unknown alias
    "a: &x [1]\n" + "".join(f"k{i}: *x\n" for i in range(150)),  # excessive aliasing
    "a: " + "[" * 150 + "]" * 150 + "\n",          # nested too deeply
    "a: !!int x\n",                                # a tag go-yaml cannot decode
    "{1: 2}: x\n",                                 # a key JSON cannot hold
    "a: b\x07\n",                                  # a control character
    "k0: \t",                                      # a tab where PyYAML finds no token
    "a: 1\t\nb: 2\n",                               # a tab ending a line
    "a: \ufeffb\n",                                # a BOM inside the text
    "---\na: 1\n---\n---\nb: [y, n, 0x1F, 1e3, 2001-12-14, ~]\n",
    # Found by comparing the paths on generated texts (yamlio._fast_candidate,
    # _empty_item, _key_name): a block header with a comment and no space, BOMs past
    # the start, empty plain scalars as the document or a list's item (marked
    # differently), plain keys typed by go-yaml's rules beside a block scalar.
    "|#\n", "a: >+#c\n  x\n", "\ufeff\ufeff", "\n\ufeff>+\n", "a: [\ufeff1]\n", "---",
    "--- #c\n", "- \n- b\n", "a:\n  -\n  - 1\n", "y: |\n  x\n", "0x1F: |\n  x\n",
    ".5: 1\n017: 2\n'y': 3\n",
])
def test_big_texts_with_errors_and_traps_read_the_same(text: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    big = PAD * (yamlio.FAST_PARSE_BYTES // len(PAD) + 1) + text
    assert len(big) > yamlio.FAST_PARSE_BYTES
    _same(big, monkeypatch)
    _same(text, monkeypatch)


scalars = st.one_of(
    st.sampled_from(["y", "no", "on", "~", "null", "0x1F", "017", "1e3", ".5", "-.inf", ".nan",
                     "2001-12-14", "12:30", "1_000", "true", "'quoted'", '"q\\tx"', "a: b",
                     "- x", "[1, 2]", "{a: 1}", "&a 1", "*a", "!!str 1", "|\n  block\n",
                     ">\n  folded\n", "''", '""', "# c"]),
    st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=0x2FF), max_size=12))


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = []
    for i in range(draw(st.integers(0, 8))):
        indent = "  " * draw(st.integers(0, 2))
        lead = draw(st.sampled_from([f"k{i}: ", "- ", f"k{i}:\n{indent}  - ", ""]))
        lines.append(f"{indent}{lead}{draw(scalars)}")
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n---\n"]))


@settings(max_examples=300, deadline=None)
@given(text=documents())
def test_generated_texts_read_the_same(text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        _same(text, monkeypatch)
