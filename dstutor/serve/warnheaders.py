"""Warning headers as the API server writes them (k8s.io/apiserver
pkg/endpoints/filters/warning.go's recorder, apimachinery's NewWarningHeader).

Each warning text is sent once, as `299 - "text"` with `"` and `\\` escaped and the rest
as it is, in UTF-8; a text with a control character (a line break in an unknown field's
name, say) is not sent at all, so it can never end the header early. Past 4,096
characters in all, every warning is cut to 256 and the list is written again.
"""

from __future__ import annotations

from collections.abc import Iterable

TRUNCATE_AT_TOTAL_RUNES = 4 * 1024
TRUNCATE_ITEM_RUNES = 256


def _is_control(ch: str) -> bool:
    """Go's unicode.IsControl (C0 and C1), and a lone surrogate, which is not UTF-8."""
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF


def warning_header(text: str) -> str | None:
    """NewWarningHeader(299, "-", text); None where it refuses the text."""
    if any(_is_control(ch) for ch in text):
        return None
    return '299 - "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def warning_headers(texts: Iterable[str]) -> list[str]:
    """The Warning header values the recorder writes for these texts, added in order."""
    headers: list[str] = []
    recorded: set[str] = set()
    ordered: list[str] = []
    written, truncating = 0, False
    for text in texts:
        if not text or (truncating and written >= TRUNCATE_AT_TOTAL_RUNES):
            continue
        if text in recorded:
            continue
        recorded.add(text)
        ordered.append(text)
        if truncating and len(text) > TRUNCATE_ITEM_RUNES:
            text = text[:TRUNCATE_ITEM_RUNES]
        header = warning_header(text)
        if header is None:
            continue
        if written + len(text) <= TRUNCATE_AT_TOTAL_RUNES or truncating:
            written += len(text)
            headers.append(header)
            continue
        truncating, written, headers = True, 0, []
        for earlier in ordered:
            cut = earlier[:TRUNCATE_ITEM_RUNES]
            again = warning_header(cut)
            if again is not None:
                written += len(cut)
                headers.append(again)
    return headers


def latin1_bytes(value: str) -> str:
    """A header value's UTF-8 bytes as the latin-1 text http.server encodes them back to
    (it writes headers in latin-1; Go writes the string's bytes, which are UTF-8)."""
    return value.encode("utf-8").decode("latin-1")
