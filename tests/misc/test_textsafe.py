"""The one sanitising function: every control character shown, ordinary text untouched."""

import pytest

from dstutor.textsafe import visible, visible_line

CORPUS = [
    ("plain text, ünïcode ✓ and CJK 日本", "plain text, ünïcode ✓ and CJK 日本"),
    ("tab\tand\nnewline kept", "tab\tand\nnewline kept"),
    ("\x1b]0;TITLE\x07\x1b[2J", "^[]0;TITLE^G^[[2J"),
    ("back\x08space", "back^Hspace"),
    ("carriage\rreturn", "carriage\\rreturn"),
    ("nul\x00byte", "nul^@byte"),
    ("del\x7f", "del^?"),
    ("csi\u009b31m c1", "csi\\u009b31m c1"),
    ("osc\u009d0;x\u009c", "osc\\u009d0;x\\u009c"),
    ("bidi \u202egnp.exe", "bidi \\u202egnp.exe"),
    ("line\u2028sep", "line\\u2028sep"),
    ("form\x0cfeed vt\x0b", "form^Lfeed vt^K"),
]


@pytest.mark.parametrize(("raw", "shown"), CORPUS)
def test_visible_shows_controls(raw: str, shown: str) -> None:
    assert visible(raw) == shown


@pytest.mark.parametrize(("raw", "_shown"), CORPUS)
def test_visible_output_has_no_control_left(raw: str, _shown: str) -> None:
    out = visible_line(raw)
    assert all(ch.isprintable() or ch == " " for ch in out), repr(out)


def test_visible_line_flattens_tab_and_newline() -> None:
    assert visible_line("a\tb\nc") == "a^Ib^Jc"


def test_visible_is_idempotent_on_its_output() -> None:
    once = visible("\x1b[31mred\x07")
    assert visible(once) == once
