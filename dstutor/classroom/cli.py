"""Typer commands for the classroom: `lint`, `results export` and `grade`.

`dstutor/cli.py` mounts them with `register(app)`. Heavy modules (Rich, the simulator)
are imported inside the commands so building the app stays cheap.
"""

# No `from __future__ import annotations`: Typer reads the annotations at run time.

import sys
from enum import StrEnum
from typing import Annotated

import typer

results_app = typer.Typer(add_completion=False, no_args_is_help=True,
                          help="Your results: export one file to hand to the instructor.")


class LintFormat(StrEnum):
    text = "text"
    json = "json"


def _console(stderr: bool = False):  # noqa: ANN202 - Rich is imported lazily
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=True)


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def lint_command(
    files: Annotated[list[str], typer.Argument(metavar="FILE...",
                                               help="DaemonSet manifests.")],
    output: Annotated[LintFormat, typer.Option("-o", "--output",
                                               help="text or json.")] = LintFormat.text,
    cluster: Annotated[str | None, typer.Option(
        "--cluster", metavar="FILE", help="Judge tolerations and maxUnavailable against this "
        "cluster file [default: the default cluster].")] = None,
) -> None:
    """Review DaemonSet manifests against best practices; exit 1 if any error is found."""
    from rich.markup import escape

    from dstutor.classroom import lint
    from dstutor.errors import DstutorError

    try:
        findings = lint.lint_files([lint.relative(f) for f in files], cluster_file=cluster)
    except DstutorError as exc:  # an unreadable --cluster file
        print(f"dstutor lint: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    if output is LintFormat.json:
        sys.stdout.write(lint.format_json(findings))
    else:
        console = _console()
        for f in findings:
            style = SEVERITY_STYLE[f.severity]
            head = f"[bold]{escape(f.location)}[/]: [{style}]{f.severity}[/] {escape(f'[{f.rule}]')}"
            if f.object:
                head += f" DaemonSet {escape(f.object)}"
            where = f"[bold]{escape(f.path)}[/]: " if f.path else ""
            console.print(head)
            console.print(f"  {where}{escape(f.message)}")
            console.print(f"  [dim]why:[/] {escape(f.why)}")
            console.print(f"  [green]fix:[/] {escape(f.fix)}")
            console.print()
        console.print(lint.summary(findings, len(files)))
    if lint.has_errors(findings):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Mount the classroom commands on the main app."""
    app.command("lint")(lint_command)
