"""Command-line entry point (Typer); maps errors to exit codes."""

from __future__ import annotations

import sys


def main() -> None:
    if "--version" in sys.argv[1:]:
        from dstutor import __version__

        print(f"dstutor {__version__}")
        return
    print("dstutor: an interactive teaching shell for Kubernetes DaemonSets.")
