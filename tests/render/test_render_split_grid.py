"""A table cut around its changing columns prints exactly what format_table prints."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.render.table import format_table, render_split, split_grid

CELL = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
ANY_CELL = st.one_of(CELL, st.sampled_from(["é", "日本", "a\tb", "x\ny", "\x1b[1m", ""]))


@st.composite
def tables(draw: st.DrawFn, cell: st.SearchStrategy[str] = CELL):
    ncols = draw(st.integers(1, 6))
    lo = draw(st.integers(0, ncols - 1))
    hi = draw(st.integers(lo, ncols - 1))
    headers = draw(st.lists(CELL, min_size=ncols, max_size=ncols))
    rows = draw(st.lists(st.lists(cell, min_size=ncols, max_size=ncols), min_size=1,
                         max_size=8))
    changed = [[draw(CELL) if lo <= i <= hi else c for i, c in enumerate(row)]
               for row in rows]
    return headers, rows, changed, lo, hi, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(tables(ANY_CELL))
def test_a_cut_table_prints_as_format_table(case) -> None:
    headers, rows, changed, lo, hi, no_headers = case
    grid, text = split_grid(headers, rows, no_headers, lo, hi)
    assert text == format_table(headers, rows, no_headers=no_headers)
    if grid is not None:
        assert render_split(grid, headers, rows) == text
        assert render_split(grid, headers, changed) == format_table(
            headers, changed, no_headers=no_headers)


def test_text_the_plain_path_cannot_take_is_not_cut() -> None:
    headers = ["NAME", "AGE"]
    assert split_grid(headers, [["pod-é", "5s"]], False, 1, 1)[0] is None
    assert split_grid(headers, [["a\tb", "5s"]], False, 1, 1)[0] is None
    assert split_grid(headers, [["a", "5s"], ["b"]], False, 1, 1)[0] is None
    assert split_grid(headers, [["a", "5s"]], False, 1, 2)[0] is None
    grid, _ = split_grid(headers, [["pod-a", "5s"]], False, 1, 1)
    assert grid is not None
    # A changing cell the plain path cannot take goes the general way too.
    assert render_split(grid, headers, [["pod-a", "5\ts"]]) == format_table(
        headers, [["pod-a", "5\ts"]])
