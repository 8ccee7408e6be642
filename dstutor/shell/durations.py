"""Durations for `advance` and the messages that mention time."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from dstutor.errors import DstutorError
from dstutor.model.timefmt import SIM_EPOCH, days_duration, parse_go_duration

if TYPE_CHECKING:
    from dstutor.shell.session import Session

# Time costs work per event, not per second (timers jump from one to the next), so a
# long advance is cheap; the limit only stops a typo like `advance 100000d`.
MAX_ADVANCE_DAYS = 366
MAX_ADVANCE_SECONDS = MAX_ADVANCE_DAYS * 86400
DAY = 86400
BAD_DURATION_ERR = ('error: bad duration "{text}": use a number and a unit, like 30s, 2m, '
                    '1h, 1m30s or 7d')
_DAYS = re.compile(r"([-+]?(?:\d+(?:\.\d*)?|\.\d+))d(.*)")


def parse_duration(text: str) -> float:
    """`30s`, `2m`, `1h`, `1m30s`, `7d`, `1d12h` in seconds (Go's duration syntax with
    days in front); DstutorError with one clear line otherwise."""
    m = _DAYS.fullmatch(text)
    days, rest = (float(m.group(1)), m.group(2)) if m else (0.0, text)
    try:
        if m and rest[:1] in ("-", "+"):
            raise ValueError(text)
        seconds = days * DAY + (parse_go_duration(rest) if rest or not m else 0.0)
    except ValueError:
        raise DstutorError(BAD_DURATION_ERR.format(text=text)) from None
    if seconds < 0 or (m and days < 0):
        raise DstutorError(f'error: bad duration "{text}": time only moves forward')
    if seconds > MAX_ADVANCE_SECONDS:
        raise DstutorError(f'error: bad duration "{text}": advance at most '
                           f"{MAX_ADVANCE_DAYS}d at a time")
    return seconds


def format_duration(seconds: float) -> str:
    """7d, 1d2h, 1h2m, 1m30s, 45s, 0.5s: short and exact enough for a learner."""
    if seconds < 60 and seconds != int(seconds):
        return f"{seconds:.3g}s"
    return days_duration(seconds)


def clock_of(now: float) -> str:
    """Virtual time as HH:MM:SS from the start of the first simulated day; the hours go
    on past 24 (25:00:03), so a clock never seems to run backwards."""
    whole = max(int(now - SIM_EPOCH), 0)
    hours, rest = divmod(whole, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}"


def clock_text(session: Session) -> str:
    """The virtual time, HH:MM:SS (the date never matters to a learner)."""
    return clock_of(session.cluster.now())
