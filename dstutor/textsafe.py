"""Text from files, names and objects made safe to show on a terminal.

Lessons, results files, manifests and learner names are untrusted: a raw ESC, BEL or
C1 control in them could retitle the terminal, clear it or hide text. `visible()` is the
one function every printing boundary passes such text through. It writes controls the
way kubectl's `printers.EscapeTerminal` writes ESC and CR (`^[`, `\\r`), extending the
same caret notation to the rest of C0 and DEL, and Go's `\\u009b` form to C1, so that
ordinary text, tabs and newlines stay byte for byte as they were.
"""

from __future__ import annotations

import re

# C0 except TAB and LF, DEL, C1; also the Unicode line/paragraph separators and the
# bidi overrides that reorder what a reader sees.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _show(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    if ch == "\r":
        return "\\r"
    if code < 0x20:
        return "^" + chr(code + 0x40)
    if code == 0x7F:
        return "^?"
    return f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with every control character shown visibly; TAB and LF are kept."""
    if not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_show, text)


def visible_line(text: str) -> str:
    """As `visible`, and TAB and LF shown too: for one-line fields (names, titles, cells)."""
    return visible(text).replace("\t", "^I").replace("\n", "^J")
