"""Virtual timestamps: float seconds since the Unix epoch, shown as RFC 3339 like the API."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

# Every simulated cluster starts at this instant so transcripts never depend on the host.
SIM_EPOCH = 1767225600.0  # 2026-01-01T00:00:00Z


def to_rfc3339(seconds: float) -> str:
    """Render like metav1.Time: whole seconds, UTC, `Z` suffix."""
    return _format_whole(int(seconds))


@lru_cache(maxsize=4096)
def _format_whole(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
