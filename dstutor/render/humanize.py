"""Ages the way kubectl prints them (apimachinery's HumanDuration) and describe dates."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from dstutor.model.timefmt import parse_rfc3339

UNKNOWN = "<unknown>"
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def human_duration(seconds: float) -> str:
    """Format an elapsed time; every division truncates, years have 365 days."""
    whole = math.trunc(seconds)
    if whole < -1:
        return "<invalid>"
    if whole < 0:
        return "0s"
    if whole < 120:
        return f"{whole}s"
    minutes = whole // 60
    if minutes < 10:
        rest = whole % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = whole // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if hours < 24 * 8:
        rest = hours % 24
        return f"{days}d" if rest == 0 else f"{days}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{days}d"
    years = days // 365
    if hours < 24 * 365 * 8:
        rest = days % 365
        return f"{years}y" if rest == 0 else f"{years}y{rest}d"
    return f"{years}y"


def age(timestamp: str | None, now: float) -> str:
    """AGE cell for an RFC 3339 timestamp; a missing one prints `<unknown>`."""
    if not timestamp:
        return UNKNOWN
    # A table asks for a few timestamps many times at one `now` (at 5,000 nodes
    # `get events -A` asks 500,000 times, mostly for the settle's few instants).
    if now != _AGES_AT[0]:
        _AGES.clear()
        _AGES_AT[0] = now
    text = _AGES.get(timestamp)
    if text is None:
        if len(_AGES) >= AGES_KEPT:
            _AGES.clear()
        text = _AGES[timestamp] = human_duration(now - parse_rfc3339(timestamp))
    return text


# age's answers at the `now` it was last asked at (NaN equals nothing: none at first).
AGES_KEPT = 4096
_AGES: dict[str, str] = {}
_AGES_AT = [float("nan")]


def rfc1123z(timestamp: str | None) -> str:
    """Describe's date format (Go's RFC1123Z), always in UTC like `TZ=UTC kubectl`."""
    if not timestamp:
        # A zero metav1.Time formats as Go's zero time.
        return "Mon, 01 Jan 0001 00:00:00 +0000"
    moment = datetime.fromtimestamp(int(parse_rfc3339(timestamp)), UTC)
    # Spelled out so the host locale can never leak into the output.
    return (f"{_DAYS[moment.weekday()]}, {moment.day:02d} {_MONTHS[moment.month - 1]} "
            f"{moment.year:04d} {moment:%H:%M:%S} +0000")
