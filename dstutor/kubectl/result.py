"""What one kubectl line produced: the text kubectl would print, its exit code, a tutor hint."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CommandResult:
    """stdout/stderr exactly as kubectl prints them; `hint` is the tutor's own line."""

    stdout: str
    stderr: str
    exit_code: int
    hint: str | None = None
    changed: bool = False
    # (1 stdout | 2 stderr, text) in the order kubectl writes them; () = stdout first.
    interleaved: tuple[tuple[int, str], ...] = ()

    @property
    def ok(self) -> bool:
        return self.exit_code == 0
