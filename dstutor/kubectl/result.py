"""What one line produced, kubectl's or the shell's own: the text kubectl would print,
its exit code, the tutor's hint, and what only the shell adds (the map's picture, `exit`).

One type along the whole path (kubectl handler -> shell -> lesson): the shell and the
lessons pass it on instead of copying it field by field into types of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CommandResult:
    """stdout/stderr exactly as kubectl prints them; `hint` is the tutor's own line ("" for
    none). The shell writes stdout, then stderr, then the hint."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    hint: str = ""
    changed: bool = False
    # (1 stdout | 2 stderr, text) in the order kubectl writes them; () = stdout first.
    interleaved: tuple[tuple[int, str], ...] = ()
    # A Rich renderable (the map) the REPL may show in colour instead of `stdout`.
    renderable: Any = field(default=None, compare=False, repr=False)
    # `exit` was typed: the shell stops reading after this line.
    exit: bool = False

    @property
    def ok(self) -> bool:
        return self.exit_code == 0
