"""What every command of the face shares: exit statuses, internal errors, usage lines,
and the Rich console.

Exit statuses are named in dstutor.errors.ExitStatus; a command leaves through `fail()`
or `leave()`, and `@guarded` maps what escapes a command (Ctrl-C, a bug) to a status.
Typer is imported here because this is the face: every module that imports this one
builds Typer commands anyway.
"""

# No `from __future__ import annotations`: Typer reads the annotations at run time.

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperCommand
from typer.exceptions import TyperException

from dstutor.errors import ExitStatus, internal_error_line
from dstutor.textsafe import visible

F = TypeVar("F", bound=Callable[..., Any])

# Every command takes --debug, since the internal-error line tells the user to run it
# again with --debug. `shell` and `lesson run` show theirs (a bug there does not end
# them); in the other commands it is hidden, so their help stays as it was.
HiddenDebugOpt = Annotated[bool, typer.Option(
    "--debug", help="Show tracebacks of internal errors.", hidden=True)]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colours (as NO_COLOR).")]


def leave(status: int = ExitStatus.SUCCESS) -> NoReturn:
    """End the command with this status."""
    raise typer.Exit(int(status))


def fail(message: str, status: ExitStatus = ExitStatus.ERROR) -> NoReturn:
    """One line on stderr (control characters made visible), then exit with `status`."""
    print(visible(message), file=sys.stderr)
    leave(status)


def guarded(command: F) -> F:
    """Ctrl-C exits 130; a bug inside dstutor is one line and exit 1 (the traceback only
    with --debug). Every command of the face is wrapped: tests/misc/test_cli_face.py
    checks it, so a new command cannot forget."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, TyperException):
            raise  # Typer's own ways out: an exit status, a usage error
        except KeyboardInterrupt:
            leave(ExitStatus.INTERRUPTED)
        except Exception as exc:  # the one place a command's internal errors end
            if kwargs.get("debug"):
                raise  # Python prints the traceback; the exit status is 1
            fail(internal_error_line(exc))

    run.dstutor_guarded = True  # type: ignore[attr-defined]
    return run  # type: ignore[return-value]


class PlainUsage(TyperCommand):
    """A usage line that reads like any CLI's: `dstutor lint [OPTIONS] FILE...`.

    Typer wraps an argument's metavar in `[...]` or `{...}` and may add `...`, so the
    metavar "[ID]" showed as `[[ID]]` and "FILE..." as `{FILE...}...` (how depends on the
    Typer release). Here each argument's metavar is written as declared, which is also
    how the Arguments panel shows it.
    """

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument" and not getattr(param, "hidden", False):
                pieces.append(param.metavar or (param.name or "").upper())
        return pieces


def rich_console(*, no_color: bool = False, soft_wrap: bool = False) -> Any:
    """The face's Rich console on stdout: the shell's make_console, so NO_COLOR, --no-color
    and the terminal check are decided in one place."""
    from dstutor.shell.console import make_console

    return make_console(sys.stdout, no_color=no_color, soft_wrap=soft_wrap)
