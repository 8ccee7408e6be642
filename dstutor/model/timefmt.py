"""Virtual timestamps: float seconds since the Unix epoch, shown as RFC 3339 like the API."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from functools import lru_cache

# Every simulated cluster starts at this instant so transcripts never depend on the host.
SIM_EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z


def to_rfc3339(seconds: float) -> str:
    """Render like metav1.Time: whole seconds, UTC, `Z` suffix."""
    # Most calls in a row ask for the same instant (every write at one virtual time).
    last = _last_rfc3339[0]
    if seconds == last[0]:
        return last[1]
    text = _format_whole(int(seconds))
    _last_rfc3339[0] = (seconds, text)
    return text


# The last (seconds, text) to_rfc3339 made (NaN equals nothing: no answer at first).
_last_rfc3339: list[tuple[float, str]] = [(float("nan"), "")]


@lru_cache(maxsize=4096)
def _format_whole(seconds: int) -> str:
    if _FIRST_SECOND <= seconds <= _LAST_SECOND:
        # What datetime's strftime formats (it asks time.strftime with this very tuple),
        # without building a datetime: a third of the cost, and each new instant asks.
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The seconds datetime can represent (years 1 to 9999); outside them it raises, as before.
_FIRST_SECOND = -62135596800
_LAST_SECOND = 253402300799


@lru_cache(maxsize=4096)
def parse_rfc3339(text: str) -> float:
    """Parse what to_rfc3339 writes (and the fractional/offset forms the API accepts)."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    return datetime.fromisoformat(value).timestamp()


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String() for a non-negative span: 10s, 1m20s, 5m0s, 1h0m0s."""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{secs:g}s"
    if hours:
        return f"{int(hours)}h{int(minutes)}m{text}"
    if minutes:
        return f"{int(minutes)}m{text}"
    return text


_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
             "m": 60.0, "h": 3600.0}
_GO_PART = re.compile(r"(\d*\.?\d*)([^\d.]*)")


def days_duration(seconds: float) -> str:
    """1d2h3m, 17h46m40s, 5m20s, 42s, 0s: whole seconds with days in front, the way the
    tutor writes a span of virtual time (Go's Duration stops at hours)."""
    whole = int(round(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{minutes}m" if minutes else "", f"{secs}s" if secs or not whole else ""]
    return "".join(parts)


def parse_go_duration(text: str) -> float:
    """Go's time.ParseDuration in seconds (`1m30s`, `500ms`, `-2h`, `0`).

    The one duration parser: kubectl's flags use it as it is (ValueError with Go's own
    text, `time: invalid duration "x"`); `advance` adds days in front, an exercise's
    `time_limit` whole minutes, and each says its own sentence when it fails.
    """
    invalid = ValueError(f'time: invalid duration "{text}"')
    body = text[1:] if text[:1] in "+-" else text
    sign = -1.0 if text.startswith("-") else 1.0
    if body == "0":
        return 0.0
    if not body:
        raise invalid
    total, pos = 0.0, 0
    while pos < len(body):
        m = _GO_PART.match(body, pos)
        assert m is not None
        number, unit = m.group(1), m.group(2)
        if number in ("", "."):
            raise invalid
        if not unit:
            raise ValueError(f'time: missing unit in duration "{text}"')
        if unit not in _GO_UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{text}"')
        total += float(number) * _GO_UNITS[unit]
        pos = m.end()
    return sign * total
