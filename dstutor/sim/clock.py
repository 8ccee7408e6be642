"""The virtual clock: every timestamp and AGE comes from here."""

from __future__ import annotations

import time
from collections.abc import Callable

from dstutor.model.timefmt import SIM_EPOCH


class Clock:
    """Virtual time in seconds since the Unix epoch.

    In ``manual`` mode time moves only when the engine advances it. In ``live`` mode
    the engine catches up with ``target()``, which follows wall time times ``speed``.
    """

    def __init__(self, *, mode: str = "manual", speed: float = 1.0, start: float = SIM_EPOCH,
                 wall: Callable[[], float] = time.monotonic) -> None:
        if mode not in ("manual", "live"):
            raise ValueError(f"unknown clock mode {mode!r}")
        self.mode = mode
        self.speed = speed
        self._now = start
        self._wall = wall
        self._wall_base = wall()
        self._virtual_base = start

    def now(self) -> float:
        return self._now

    def set(self, t: float) -> None:
        """Move to t (never backwards); only the engine calls this."""
        if t > self._now:
            self._now = t

    def target(self) -> float:
        """Where time should be now: the current time (manual) or wall-clock driven (live)."""
        if self.mode == "manual":
            return self._now
        return self._virtual_base + (self._wall() - self._wall_base) * self.speed

    def rebase(self) -> None:
        """Live mode: after a manual jump (advance), keep following wall time from here."""
        self._wall_base = self._wall()
        self._virtual_base = self._now
