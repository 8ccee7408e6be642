"""The interactive REPL: a thin prompt_toolkit loop around Session.handle_line."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from typing import Any, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.application import get_app
from prompt_toolkit.filters import Condition
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.output import ColorDepth

from dstutor.errors import ParseError, internal_error_line
from dstutor.files import data_dir
from dstutor.kubectl.lexer import pending_heredoc
from dstutor.kubectl.result import CommandResult
from dstutor.shell import console as con
from dstutor.shell.completer import ShellCompleter
from dstutor.shell.durations import clock_of
from dstutor.shell.script import mixed, write_interleaved
from dstutor.shell.session import Session
from dstutor.textsafe import visible

PROMPT = "dstutor> "
CONTINUATION = "> "
BANNER = ("dstutor shell: {nodes} nodes, {clock} clock. Type kubectl lines (`kubectl get "
          "nodes`), `help` for the simulator commands; Ctrl-D leaves.")
CANCELLED_MSG = "^C: the command was stopped; the cluster is as it was before it"
NO_HISTORY_MSG = "note: cannot keep command history in {path} ({reason}); using memory only"


def open_history(stderr: TextIO) -> History:
    path = data_dir() / "history"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(exist_ok=True)
    except OSError as exc:
        stderr.write(NO_HISTORY_MSG.format(path=path, reason=exc.strerror or exc) + "\n")
        return InMemoryHistory()
    return FileHistory(str(path))


def needs_more_lines(text: str) -> bool:
    """True while a heredoc is open, so Enter adds a line instead of running the command."""
    try:
        return pending_heredoc(text) is not None
    except ParseError:
        return False  # let handle_line report the syntax error


def key_bindings() -> KeyBindings:
    kb = KeyBindings()
    heredoc_open = Condition(lambda: needs_more_lines(get_app().current_buffer.text))

    @kb.add("enter", filter=heredoc_open)
    def _newline(event: KeyPressEvent) -> None:
        event.current_buffer.insert_text("\n")

    return kb


HEREDOC_TOOLBAR = " heredoc: end it with a line that is just {delimiter} · Ctrl-C cancels"


def _typed_text() -> str:
    # Outside a running prompt get_app() is a dummy application with an empty buffer.
    return get_app().current_buffer.text


def toolbar_text(session: Session, typed: str | None = None,
                 status: Callable[[], str] | None = None) -> str:
    typed = _typed_text() if typed is None else typed
    if needs_more_lines(typed):
        return HEREDOC_TOOLBAR.format(delimiter=pending_heredoc(typed))
    with session.lock:  # shell --serve: kubectl's requests change the cluster too
        cluster = session.cluster
        clock = cluster.clock
        # The live clock's target is "now"; the cluster catches up at the next command.
        now = clock.target() if clock.mode == "live" else clock.now()
        nodes = cluster.store.list("Node")
    speed = f" ×{clock.speed:g}" if clock.mode == "live" and clock.speed != 1 else ""
    extra = f"{status()} · " if status is not None else ""
    return (f" {extra}virtual time {clock_of(now)} ({clock.mode} clock{speed}) · "
            f"{len(nodes)} nodes · namespace {session.namespace} · Tab completes · "
            "Ctrl-D exits")


def make_prompt(session: Session, *, history: History | None = None, no_color: bool = False,
                status: Callable[[], str] | None = None, **io: Any) -> PromptSession[str]:
    """The PromptSession; `io` may carry input=/output= (tests pass pipe and dummy ones)."""
    live = session.cluster.clock.mode == "live"
    return PromptSession(
        PROMPT, completer=ShellCompleter(lambda: session), complete_while_typing=False,
        history=history or InMemoryHistory(), key_bindings=key_bindings(),
        prompt_continuation=CONTINUATION, bottom_toolbar=lambda: toolbar_text(session, status=status),
        refresh_interval=1.0 if live or status is not None else 0.0,  # 0: never refresh
        color_depth=ColorDepth.MONOCHROME if not con.colour_enabled(no_color) else None,
        **io)


def show(out: CommandResult, stdout: TextIO, stderr: TextIO, err_console: Any, out_console: Any,
         *, colour: bool) -> None:
    """kubectl text stays plain; the map and the tutor's hints get colour."""
    if out.renderable is not None and colour:
        out_console.print(out.renderable)
    elif mixed(out):
        write_interleaved(out, stdout, stderr)
    elif out.stdout:
        # visible(): text from objects and files never reaches the terminal raw; kubectl's
        # own output has no control characters, so it is unchanged byte for byte.
        stdout.write(visible(out.stdout if out.stdout.endswith("\n") else out.stdout + "\n"))
    stdout.flush()
    if out.stderr and (not mixed(out) or (out.renderable is not None and colour)):
        stderr.write(visible(out.stderr if out.stderr.endswith("\n") else out.stderr + "\n"))
        stderr.flush()
    if out.hint:
        con.tutor(err_console, out.hint.rstrip("\n"))


def run_repl(session: Session, *, no_color: bool = False, stdout: TextIO | None = None,
             stderr: TextIO | None = None, prompt: PromptSession[str] | None = None) -> int:
    """Read, run, show, until `exit` or Ctrl-D. Ctrl-C cancels the line being typed."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    colour = con.colour_enabled(no_color)
    out_console = con.make_console(stdout, no_color=no_color)
    err_console = con.make_console(stderr, no_color=no_color)
    if prompt is None:
        prompt = make_prompt(session, history=open_history(stderr), no_color=no_color)
    nodes = session.cluster.store.count("Node")
    con.tutor(err_console, BANNER.format(nodes=nodes, clock=session.cluster.clock.mode))
    progress = con.RolloutProgress(err_console, session)
    session.progress = progress

    def stream(text: str) -> None:  # logs -f, get -w
        stdout.write(text)
        stdout.flush()

    session.stream = stream
    while True:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:
            continue  # Ctrl-C: drop the line being typed
        except EOFError:
            break  # Ctrl-D
        session.width = shutil.get_terminal_size((80, 24)).columns
        try:
            out = session.handle_line(text)
        except KeyboardInterrupt:
            progress.finish()
            con.tutor(err_console, CANCELLED_MSG, style=con.NOTICE_STYLE)
            continue
        try:
            progress.finish()
            show(out, stdout, stderr, err_console, out_console, colour=colour)
        except Exception as exc:  # noqa: BLE001 - showing a result must not end the shell
            stderr.write(internal_error_line(exc) + "\n")
            stderr.flush()
        if out.exit:
            break
    return 0
