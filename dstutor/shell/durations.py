"""Durations for `advance` and the messages that mention time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.errors import DstutorError
from dstutor.kubectl.registry import parse_go_duration
from dstutor.model.timefmt import SIM_EPOCH

if TYPE_CHECKING:
    from dstutor.shell.session import Session

MAX_ADVANCE_SECONDS = 24 * 3600
BAD_DURATION_ERR = ('error: bad duration "{text}": use a number and a unit, like 30s, 2m, '
                    '1h or 1m30s')


def parse_duration(text: str) -> float:
    """`30s`, `2m`, `1h`, `1m30s` in seconds; DstutorError with one clear line otherwise."""
    try:
        seconds = parse_go_duration(text)
    except ValueError:
        raise DstutorError(BAD_DURATION_ERR.format(text=text)) from None
    if seconds < 0:
        raise DstutorError(f'error: bad duration "{text}": time only moves forward')
    if seconds > MAX_ADVANCE_SECONDS:
        raise DstutorError(f'error: bad duration "{text}": advance at most 24h at a time')
    return seconds


def format_duration(seconds: float) -> str:
    """1h2m, 1m30s, 45s, 0.5s: short and exact enough for a learner."""
    if seconds < 60 and seconds != int(seconds):
        return f"{seconds:.3g}s"
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours}h" if hours else "", f"{minutes}m" if minutes else "",
             f"{secs}s" if secs or not whole else ""]
    return "".join(parts)


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
