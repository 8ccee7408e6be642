"""Go text/tabwriter layout, and the `kubectl get` table built on it.

kubectl never pads cells itself: it writes tab-terminated cells and lets Go's
elastic tabwriter align them. Reproducing that algorithm (column blocks made of
consecutive lines, widths measured in runes, last cell never padded) is the only
way to get byte-identical output, both for `get` tables and for `describe`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# kubectl's table printer: minwidth 6, tabwidth 4, padding 3 (cli-runtime tabwriter.go).
TABLE_MIN_WIDTH = 6
TABLE_PADDING = 3
# Rows are flushed every 100 lines; widths are remembered across flushes.
TABLE_FLUSH_ROWS = 100

# Characters that make kubectl cut a cell short (tabwriter treats \f as a newline).
_CELL_BREAK_CHARS = "\f\n\r"


def escape_terminal(text: str) -> str:
    """Neutralise terminal control sequences the way kubectl's WriteEscaped does."""
    return text.replace("\x1b", "^[").replace("\r", "\\r")


def sanitize_cell(value: str) -> str:
    """Cut a cell at the first line break (adding '...') and escape the rest."""
    cut = min((i for i in (value.find(c) for c in _CELL_BREAK_CHARS) if i >= 0), default=-1)
    if cut >= 0:
        return escape_terminal(value[:cut]) + "..."
    return escape_terminal(value)


def tabwrite(text: str, *, min_width: int = 0, padding: int = 2,
             remembered: list[int] | None = None) -> str:
    """Align tab-terminated cells exactly like Go's tabwriter with a space pad char.

    A cell is text ending in a tab; the text after a line's last tab is not part
    of any column. Lines that share a column form a block whose width is the
    widest cell plus `padding` (at least `min_width`). `remembered` carries
    column widths between flushes (the RememberWidths flag) and is updated.
    """
    lines = text.split("\n")
    cells = [line.split("\t") for line in lines]
    if len({len(row) for row in cells}) == 1:
        # A uniform grid (every `get` table) forms one block per column: same result as
        # the general algorithm below, without its per-block recursion.
        return _tabwrite_grid(cells, min_width, padding, remembered)
    out: list[str] = []

    def write_lines(line0: int, line1: int, widths: list[int]) -> None:
        for i in range(line0, line1):
            row = cells[i]
            parts: list[str] = []
            for j, cell in enumerate(row):
                parts.append(cell)
                if j < len(widths) and j < len(row) - 1:
                    parts.append(" " * (widths[j] - len(cell)))
            out.append("".join(parts))

    def fmt(line0: int, line1: int, widths: list[int]) -> None:
        column = len(widths)
        this = line0
        while this < line1:
            if column >= len(cells[this]) - 1:
                this += 1
                continue
            write_lines(line0, this, widths)
            line0 = this
            width = min_width
            if remembered is not None and column < len(remembered):
                width = max(width, remembered[column])
            while this < line1 and column < len(cells[this]) - 1:
                width = max(width, len(cells[this][column]) + padding)
                this += 1
            if remembered is not None:
                if column < len(remembered):
                    remembered[column] = width
                else:
                    remembered.append(width)
            fmt(line0, this, [*widths, width])
            line0 = this
        write_lines(line0, line1, widths)

    fmt(0, len(cells), [])
    return "\n".join(out)


def _tabwrite_grid(cells: list[list[str]], min_width: int, padding: int,
                   remembered: list[int] | None) -> str:
    ncols = len(cells[0]) - 1  # the text after the last tab is no column
    columns = list(zip(*cells, strict=True))
    widths = []
    for column in range(ncols):
        width = max(min_width, max(map(len, columns[column])) + padding)
        if remembered is not None:
            if column < len(remembered):
                width = max(width, remembered[column])
                remembered[column] = width
            else:
                remembered.append(width)
        widths.append(width)
    # One format call per line: each cell left-justified to its column's width.
    template = "".join(f"{{:<{w}}}" for w in widths) + "{}"
    return "\n".join(template.format(*row) for row in cells)


_NEEDS_SANITIZING = re.compile("[\x1b\f\n\r]")
# Besides the characters sanitize_cell rewrites, a tab inside a cell would split it in
# two for the tabwriter: any of these sends a table down the general path. (Five
# substring searches beat one character-class regex on a whole table's text.)
_GRID_BREAKERS = ("\x1b", "\f", "\n", "\r", "\t")


def format_table(headers: list[str], rows: Sequence[Sequence[object]], *,
                 no_headers: bool = False) -> str:
    """Lay out a `kubectl get` table; returns "" when there are no rows.

    Headers are used as given (callers upper-case them). Cells are str()-ed and
    sanitised. Like kubectl 1.37, the header (or, with no_headers, the first row) is
    padded to the longest cell measured in bytes, so multi-byte cells widen a column.
    """
    if not rows:
        return ""
    fast = _format_grid(headers, rows, no_headers)
    if fast is not None:
        return fast
    return _format_table_general(headers, rows, no_headers=no_headers)


def _format_grid(headers: list[str], rows: Sequence[Sequence[object]],
                 no_headers: bool) -> str | None:
    """format_table for the common table (None when it is not one) in one pass per column.

    With nothing to sanitise and every row as long as the header, the 100-row flushes
    cannot change a width: the first flush holds the header (or first row) padded to
    each column's longest cell in bytes, a width no later cell can exceed in runes, and
    RememberWidths carries it on. So each column is max(header, longest cell) + padding
    wide throughout. The one exception is a non-ASCII first row without headers, padded
    by its own byte excess; that, like everything unusual, takes the general path.
    """
    ncols = len(headers)
    if ncols == 0:
        return None
    try:
        columns = list(zip(*rows, strict=True))
    except ValueError:  # rows of different lengths
        return None
    if len(columns) != ncols:
        return None
    # All the text in one string: one scan for breakers and one isascii() for the table.
    try:
        every = "".join(map("".join, columns))
    except TypeError:  # integer cells (DaemonSet counts): str() them once, then go on
        columns = [tuple(map(str, column)) for column in columns]
        every = "".join(map("".join, columns))
    if not no_headers:
        every += "".join(headers)
    if any(c in every for c in _GRID_BREAKERS):
        return None
    # The last column is never padded, so its width is never needed.
    padded = columns[:-1]
    if every.isascii():
        longest = [max(map(len, column)) for column in padded]
    elif no_headers:
        return None
    else:
        longest = [max(map(len, column)) if "".join(column).isascii()
                   else max(len(c.encode("utf-8")) for c in column) for column in padded]
    if not no_headers:
        longest = [max(n, len(h)) for n, h in zip(longest, headers, strict=False)]
    # %-Ns pads by code points, as the tabwriter counts runes.
    template = "".join(f"%-{max(TABLE_MIN_WIDTH, n + TABLE_PADDING)}s" for n in longest) + "%s"
    lines = [template % line for line in zip(*columns, strict=True)]
    if not no_headers:
        lines.insert(0, template % tuple(headers))
    return "\n".join(lines) + "\n"


def _format_table_general(headers: list[str], rows: Sequence[Sequence[object]], *,
                          no_headers: bool = False) -> str:
    """format_table for any table: sanitising, ragged rows, per-flush widths."""
    ncols = len(headers)
    raw = [[str(c) for c in row] for row in rows]
    byte_widths = [0] * ncols
    for i in range(ncols):
        column = [row[i] for row in raw if len(row) > i]
        # Only non-ASCII text is longer in bytes than in characters.
        if "".join(column).isascii():
            byte_widths[i] = max(map(len, column), default=0)
        else:
            byte_widths[i] = max((len(c.encode("utf-8")) for c in column), default=0)
    lines: list[str] = []
    if not no_headers:
        padded = [h + " " * max(0, byte_widths[i] - len(h)) if i < ncols - 1 else h
                  for i, h in enumerate(headers)]
        lines.append("\t".join(padded))
    for ri, row in enumerate(raw):
        if ri or not no_headers:
            joined = "\t".join(row[:ncols])
            if _NEEDS_SANITIZING.search(joined) is None:
                lines.append(joined)
                continue
        out_cells = []
        plain = _NEEDS_SANITIZING.search("\t".join(row)) is None
        for i, cell in enumerate(row[:ncols]):
            text = cell if plain else sanitize_cell(cell)
            if no_headers and ri == 0 and i < ncols - 1:
                text += " " * max(0, byte_widths[i] - len(cell.encode("utf-8")))
            out_cells.append(text)
        lines.append("\t".join(out_cells))
    # kubectl flushes the tabwriter every 100 data rows; widths carry over.
    remembered: list[int] = []
    head = 0 if no_headers else 1
    bounds = list(range(head + TABLE_FLUSH_ROWS, len(lines), TABLE_FLUSH_ROWS))
    chunks = [tabwrite("\n".join(lines[a:b]), min_width=TABLE_MIN_WIDTH,
                       padding=TABLE_PADDING, remembered=remembered)
              for a, b in zip([0, *bounds], [*bounds, len(lines)], strict=True)]
    return "\n".join(chunks) + "\n"


class SplitGrid:
    """A plain table (what _format_grid lays out) cut around the columns lo..hi that
    change between renders (a pod table's RESTARTS and AGE as the clock moves): the
    text left and right of them is padded once, and each render pads only those."""

    __slots__ = ("lo", "hi", "left", "right", "header")

    def __init__(self, lo: int, hi: int, left: list[str], right: list[str],
                 header: tuple[str, str] | None) -> None:
        self.lo, self.hi, self.left, self.right, self.header = lo, hi, left, right, header


def split_grid(headers: list[str], rows: Sequence[Sequence[Any]], no_headers: bool,
               lo: int, hi: int) -> tuple[SplitGrid | None, str]:
    """format_table's text, and the SplitGrid for rendering it again (None when
    format_table would not take the plain path whatever the changing cells hold: text
    to sanitise, non-ASCII, ragged rows; or, never expected, when the cut table does not
    print exactly as format_table prints it)."""
    text = format_table(headers, rows, no_headers=no_headers)
    ncols = len(headers)
    if not rows or not 0 <= lo <= hi < ncols or any(len(row) != ncols for row in rows):
        return None, text
    columns = list(zip(*rows, strict=True))
    fixed = [c for i, c in enumerate(columns) if not lo <= i <= hi]
    try:
        every = "".join(map("".join, fixed)) + ("" if no_headers else "".join(headers))
    except TypeError:  # cells that are not text
        return None, text
    if not every.isascii() or any(c in every for c in _GRID_BREAKERS):
        return None, text
    widths = []
    for i, column in enumerate(columns[:-1]):
        longest = 0 if lo <= i <= hi else max(map(len, column))
        if not no_headers:
            longest = max(longest, len(headers[i]))
        widths.append(max(TABLE_MIN_WIDTH, longest + TABLE_PADDING))
    left_t = "".join(f"%-{widths[i]}s" for i in range(lo))
    right_t = "".join(f"%-{widths[i]}s" if i < ncols - 1 else "%s"
                      for i in range(hi + 1, ncols))
    left = [left_t % tuple(row[:lo]) for row in rows]
    right = [right_t % tuple(row[hi + 1:]) for row in rows]
    header = None if no_headers else (left_t % tuple(headers[:lo]),
                                      right_t % tuple(headers[hi + 1:]))
    grid = SplitGrid(lo, hi, left, right, header)
    if render_split(grid, headers, rows) != text:
        return None, text
    return grid, text


def render_split(grid: SplitGrid, headers: list[str], rows: Sequence[Sequence[Any]]) -> str:
    """format_table's text for rows that differ from the grid's only in lo..hi."""
    lo, hi, last = grid.lo, grid.hi, len(headers) - 1
    parts = []
    for i in range(lo, hi + 1):
        column = [row[i] for row in rows]
        if not "".join(column).isascii() or any(c in "".join(column)
                                                 for c in _GRID_BREAKERS):
            return format_table(headers, rows, no_headers=grid.header is None)
        if i == last:
            parts.append("%s")
            continue
        longest = max(map(len, column))
        if grid.header is not None:
            longest = max(longest, len(headers[i]))
        parts.append(f"%-{max(TABLE_MIN_WIDTH, longest + TABLE_PADDING)}s")
    middle = "".join(parts)
    lines = [f"{left}{middle % tuple(row[lo:hi + 1])}{right}"
             for left, row, right in zip(grid.left, rows, grid.right, strict=True)]
    if grid.header is not None:
        lines.insert(0, f"{grid.header[0]}{middle % tuple(headers[lo:hi + 1])}"
                        f"{grid.header[1]}")
    return "\n".join(lines) + "\n"
