"""The root command line (Typer): `dstutor`, `dstutor shell`, and where the other
commands of the face (lesson, lint, grade, results, serve) are mounted.

Start-up time matters (`dstutor --version` should cost no more than importing Typer), so
Typer is imported only once a real command line must be parsed, and the simulator,
prompt_toolkit and Rich only inside the commands that use them.
"""

# No `from __future__ import annotations`: Typer reads the parameter annotations at
# run time and must see real types.

import sys
from enum import StrEnum
from typing import Annotated, Any

from dstutor import __version__

WELCOME = """\
dstutor {version}: an interactive teaching shell for Kubernetes DaemonSets.

  dstutor lesson run    learn step by step: a task, hints, a check after every command
  dstutor shell         a sandbox cluster: type real kubectl lines, plus simulator
                        commands such as `node add`, `advance`, `map`, `why` and `help`

Everything runs in memory: no cluster and no network are needed.
"""


class ClockMode(StrEnum):
    live = "live"
    manual = "manual"


def _version_callback(value: bool) -> None:
    if value:
        from dstutor.cli.common import leave

        print(f"dstutor {__version__}")
        leave()


def build_app(help_markup: bool = True) -> Any:
    """The Typer application (built on demand so `--version` never imports Typer).

    help_markup=False skips preparing help text for Rich (and importing rich.markup),
    for command lines that cannot print help.
    """
    import typer

    from dstutor.cli.common import NoColorOpt, PlainUsage, guarded, leave
    from dstutor.cli.lessons import lesson_app, welcome_status

    app = typer.Typer(invoke_without_command=True,
                      pretty_exceptions_enable=False, no_args_is_help=False,
                      help="An interactive teaching shell for Kubernetes DaemonSets.")

    @app.callback()
    def root(ctx: typer.Context,
             version: Annotated[bool, typer.Option(
                 "--version", callback=_version_callback, is_eager=True,
                 help="Print the version and exit.")] = False) -> None:
        if ctx.invoked_subcommand is None:
            print(WELCOME.format(version=__version__), end="")
            print(welcome_status())

    @app.command("shell", cls=PlainUsage)
    @guarded
    def shell(
        manifest: Annotated[list[str] | None, typer.Option(
            "-f", "--filename", metavar="MANIFEST",
            help="Apply this manifest when the cluster starts (repeatable).")] = None,
        cluster: Annotated[str | None, typer.Option(
            "--cluster", metavar="FILE", help="Start from a cluster file (kind: Cluster).")
        ] = None,
        nodes: Annotated[int | None, typer.Option(
            "--nodes", min=0, max=5000, help="Workers in the default cluster (3 unless given).")
        ] = None,
        seed: Annotated[int, typer.Option("--seed", help="Seed for pod names and hashes.")
                        ] = 0,
        clock: Annotated[ClockMode | None, typer.Option(
            "--clock", case_sensitive=False,
            help="live (follows wall time) or manual (only `advance` moves it) "
                 "(default: live interactively, manual in script mode).")] = None,
        speed: Annotated[float, typer.Option(
            "--speed", min=0.01, max=10000.0,
            help="Live clock: virtual seconds per wall second.")] = 1.0,
        echo: Annotated[bool, typer.Option(
            "--echo", help="Script mode: print `$ COMMAND` before each output.")] = False,
        state: Annotated[str | None, typer.Option(
            "--state", metavar="FILE",
            help="Resume from FILE if it exists; save to it on every way out (end of "
                 "input, exit, Ctrl-D, Ctrl-C, SIGTERM, an error).")] = None,
        no_color: NoColorOpt = False,
        debug: Annotated[bool, typer.Option(
            "--debug", help="Show tracebacks of internal errors (the shell still goes on).")
        ] = False,
        serve: Annotated[bool, typer.Option(
            "--serve", help="Also serve this cluster to your own kubectl (see `dstutor serve`).")
        ] = False,
        port: Annotated[int, typer.Option(
            "--port", min=0, max=65535, help="With --serve: the port (0: any free port).")
        ] = 0,
    ) -> None:
        """A sandbox cluster: kubectl lines and simulator commands (reads a script from a pipe)."""
        from dstutor.shell.startup import ShellOptions, run

        opts = ShellOptions(manifests=list(manifest or []), cluster_file=cluster, nodes=nodes,
                            seed=seed, clock=clock.value if clock else None, speed=speed,
                            echo=echo, state=state, no_color=no_color, debug=debug)
        if serve:
            import time

            from dstutor.cli.serve import background

            opts.serve, opts.clock_start = background(port), time.time()
        leave(run(opts))

    app.add_typer(lesson_app, name="lesson")

    from dstutor.cli.classroom import register as register_classroom
    from dstutor.cli.serve import register as register_serve

    register_classroom(app)
    register_serve(app)
    if help_markup:
        _keep_brackets_in_help(app)
    return app


def _keep_brackets_in_help(app: Any) -> None:
    """Option help is plain text: `[default: X]` must not be taken for Rich markup.

    Typer's Rich help reads every help string as markup, so "Where to write [default:
    dstutor-results-NAME.json]." lost its bracket text. Escaping at the one place the
    app is built covers the commands other modules register too.
    """
    import typing

    from rich.markup import escape
    from typer.models import ParameterInfo

    def walk(typer_app: Any) -> None:
        for info in typer_app.registered_commands:
            if info.callback is None:
                continue
            try:
                hints = typing.get_type_hints(info.callback, include_extras=True)
            except (NameError, TypeError):  # help must never stop the CLI
                continue
            for hint in hints.values():
                for extra in getattr(hint, "__metadata__", ()):
                    help_text = getattr(extra, "help", None)
                    # Escaped once per process: the annotations outlive one app.
                    if isinstance(extra, ParameterInfo) and help_text and "\\[" not in help_text:
                        extra.help = escape(help_text)
        for group in typer_app.registered_groups:
            if group.typer_instance is not None:
                walk(group.typer_instance)

    walk(app)


def main() -> None:
    # Fast path: the version needs neither Typer nor anything else.
    if sys.argv[1:] == ["--version"]:
        print(f"dstutor {__version__}")
        return
    # `dstutor shell ...` without --help never prints help (a usage error prints only the
    # usage line): its start-up need not escape every command's help text for Rich.
    args = sys.argv[1:]
    quiet = bool(args) and args[0] == "shell" and "--help" not in args
    build_app(help_markup=not quiet)(prog_name="dstutor")
