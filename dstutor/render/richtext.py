"""A Rich picture (the map, the planner's chart) as plain text: no colour codes, trailing
spaces trimmed, so pipes, script mode and golden files see the same characters a
terminal shows."""

from __future__ import annotations

import io

from rich.console import Console, RenderableType


def plain_text(picture: RenderableType, *, width: int) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False,
                      no_color=True, highlight=False, emoji=False, legacy_windows=False)
    console.print(picture)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
