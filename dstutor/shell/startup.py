"""`dstutor shell` start-up: options to a cluster and a Session, then script mode or the REPL.

Problems with the inputs (an unreadable --cluster file, a bad -f manifest, a corrupt
--state file) are reported in one line each and the shell starts anyway with what it
could build; in script mode they make the exit status 1.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from dstutor import yamlio
from dstutor.errors import DstutorError, ExitStatus
from dstutor.files import cache_dir, clean_stale_temps
from dstutor.model.objects import Obj
from dstutor.shell.session import Session
from dstutor.sim import buildcache
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import (
    ClusterSpec,
    build_cluster,
    default_spec,
    load_manifests,
    parse_cluster_file,
)
from dstutor.textsafe import visible

DEFAULT_WORKERS = 3


@dataclass
class ShellOptions:
    manifests: list[str] = field(default_factory=list)
    cluster_file: str | None = None
    nodes: int | None = None
    seed: int = 0
    clock: str | None = None  # None: live in the REPL, manual in script mode
    speed: float = 1.0
    echo: bool = False
    state: str | None = None
    no_color: bool = False
    debug: bool = False
    # Where the virtual clock starts (None: the simulator's epoch). `dstutor serve` and
    # --serve start at wall time, because a real kubectl computes describe's ages from it.
    clock_start: float | None = None
    # --serve: a hook that serves the session's cluster (dstutor/cli/serve.py) and
    # returns how to stop it; the shell does not import the server itself.
    serve: Callable[[Session, TextIO], Callable[[], None]] | None = None


@dataclass
class Startup:
    session: Session
    problems: list[str]
    # Where to save the cluster on exit; None when there is no --state or it must be kept.
    save_to: Path | None


def _problem(exc: DstutorError, consequence: str) -> str:
    """One start-up problem: the error, what the shell does instead, and the tutor's line
    (a YAML trap's fix) under it, as the shell prints a hint after a failed command."""
    text = f"{exc}{consequence}"
    hint = getattr(exc, "hint", None)
    return f"{text}\n{hint}" if hint else text


def _read_manifests(paths: list[str], problems: list[str]) -> list[Obj]:
    docs: list[Obj] = []
    for path in paths:
        try:
            # Decoded as the API server would (file:line on a refusal), as cluster files are.
            found = load_manifests(yamlio.read_file(path), path)
        except DstutorError as exc:
            problems.append(_problem(exc, " (skipped)"))
            continue
        docs.extend(found)
    return docs


def _spec(opts: ShellOptions, problems: list[str]) -> ClusterSpec:
    workers = DEFAULT_WORKERS if opts.nodes is None else opts.nodes
    if opts.cluster_file:
        try:
            return parse_cluster_file(opts.cluster_file)
        except DstutorError as exc:
            problems.append(_problem(exc, "; starting the default cluster instead"))
    return default_spec(workers)


def cluster_factory(opts: ShellOptions, mode: str, problems: list[str]
                    ) -> Callable[[], Cluster]:
    """A function that builds the starting cluster (again for `reset`).

    Its first call falls back, with one line in `problems`, when the API server rejects
    a -f manifest (then without them) or a cluster file's manifest (then the default
    cluster), so the shell always starts.
    """
    spec = _spec(opts, problems)
    manifests = _read_manifests(opts.manifests, problems)
    # A big cluster is kept on disk once built, for the next start and for `reset`; not
    # one that starts at wall time (serve), which no later start could use.
    cache = (None if buildcache.disabled() or opts.clock_start is not None
             else buildcache.BuildCache(cache_dir()))

    def build() -> Cluster:
        clock = (Clock(mode=mode, speed=opts.speed) if opts.clock_start is None
                 else Clock(mode=mode, speed=opts.speed, start=opts.clock_start))
        return build_cluster(spec, seed=opts.seed, clock=clock, extra_manifests=manifests,
                             cache=cache)

    def first_build() -> Cluster:
        nonlocal manifests, spec
        try:
            return build()
        except DstutorError as exc:
            problems.append(_problem(exc, "; starting without the -f manifests"))
            manifests = []
        try:
            return build()
        except DstutorError as exc:
            problems.append(_problem(exc, "; starting the default cluster instead"))
            spec = default_spec(DEFAULT_WORKERS)
            return build()

    calls = 0

    def factory() -> Cluster:
        nonlocal calls
        calls += 1
        return first_build() if calls == 1 else build()

    return factory


def new_session(factory: Callable[[], Cluster], cluster: Cluster | None, opts: ShellOptions,
                *, interactive: bool) -> Session:
    """The session on `cluster` (a --state file's), else on what the factory builds."""
    from dstutor.shell.editor import text_editor

    # The cluster is millions of long-lived objects at 50,000 pods. The cyclic collector
    # would walk them all again and again as they age (seconds, in the first commands),
    # so it waits until they are built, and then leaves them alone (gc.freeze). Session
    # unfreezes them when the cluster is replaced, so that an old one can be collected.
    paused = gc.isenabled()
    gc.disable()
    try:
        # A cluster the factory built can be built again, the same, instead of being
        # copied before the first command (Session.rebuildable); a --state file's cannot.
        session = Session(cluster or factory(), interactive=interactive,
                          reset_factory=factory, editor=text_editor(), debug=opts.debug,
                          rebuildable=cluster is None)
    finally:
        gc.freeze()
        if paused:
            gc.enable()
    return session


def start(opts: ShellOptions, *, interactive: bool) -> Startup:
    from dstutor.shell import savefile

    mode = opts.clock or ("live" if interactive else "manual")
    problems: list[str] = []
    factory = cluster_factory(opts, mode, problems)
    cluster: Cluster | None = None
    save_to: Path | None = None
    if opts.state:
        save_to = Path(opts.state)
        clean_stale_temps(save_to)  # what a killed save left behind
        if save_to.exists():
            try:
                cluster = savefile.load_file(save_to, mode=mode, speed=opts.speed)
            except DstutorError as exc:
                problems.append(f"{exc}; starting a fresh cluster and leaving {opts.state} "
                                "untouched")
                save_to = None  # never overwrite a file we could not read
    session = new_session(factory, cluster, opts, interactive=interactive)
    return Startup(session, problems, save_to)


def save_state(startup: Startup, stderr: TextIO) -> bool:
    """Write the --state file at exit; False (and one line on stderr) if that fails."""
    if startup.save_to is None:
        return True
    from dstutor.shell import savefile

    try:
        savefile.save_file(startup.session.cluster, startup.save_to)
    except DstutorError as exc:
        stderr.write(f"{visible(str(exc))}\n")
        return False
    return True


class Terminated(BaseException):
    """SIGTERM arrived: leave as Ctrl-D would, after the command under way is undone."""


@contextlib.contextmanager
def _sigterm_ends_the_session() -> Iterator[None]:
    """SIGTERM raises Terminated in the main thread, so the --state file is still saved."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_term(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        previous = signal.signal(signal.SIGTERM, on_term)
    except (ValueError, OSError):  # not the main interpreter, or no signals here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(opts: ShellOptions, *, stdin: TextIO | None = None, stdout: TextIO | None = None,
        stderr: TextIO | None = None, interactive: bool | None = None) -> int:
    """`dstutor shell`: the exit status (0 only if every command and the start-up worked).

    The --state file is written on every way out: the end of the input, `exit`, Ctrl-D,
    Ctrl-C, SIGTERM, and even an error that escapes the shell. A command stopped part
    way is undone first (Session.handle_line), so the file never holds half of one.
    """
    if stdin is None and hasattr(sys.stdin, "reconfigure"):
        # A script with bytes that are not UTF-8 gets U+FFFD and a clear error for that
        # line, not a crash of the whole run.
        sys.stdin.reconfigure(errors="replace")
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    if interactive is None:
        interactive = stdin.isatty() and stdout.isatty()
    startup = start(opts, interactive=interactive)
    for problem in startup.problems:
        stderr.write(f"{visible(problem)}\n")
    stderr.flush()
    stop_serving = opts.serve(startup.session, stderr) if opts.serve else None
    status = 1
    try:
        with _sigterm_ends_the_session():
            status = _session(startup, opts, interactive, stdin, stdout, stderr)
    except KeyboardInterrupt:
        stderr.write("interrupted\n")
        status = ExitStatus.INTERRUPTED
    except Terminated:
        stderr.write("terminated\n")
        status = ExitStatus.TERMINATED
    finally:
        if stop_serving is not None:
            stop_serving()  # before saving: no request changes the cluster meanwhile
        # Also when something escapes (an internal error is then reported by the CLI).
        if not save_state(startup, stderr) and status == 0:
            status = 1
        _thaw()
    return status


def _thaw() -> None:
    """What new_session froze may be garbage now, for a caller that goes on (a test
    running the CLI in its process): unfreeze it. When the process ends instead, freeze
    everything again first: the interpreter's last collection would otherwise free the
    whole cluster object by object (seconds at 50,000 pods), which the OS does at once."""
    gc.unfreeze()
    if not _REFREEZE_AT_EXIT:
        _REFREEZE_AT_EXIT.append(atexit.register(gc.freeze))


_REFREEZE_AT_EXIT: list[object] = []


def _session(startup: Startup, opts: ShellOptions, interactive: bool, stdin: TextIO,
             stdout: TextIO, stderr: TextIO) -> int:
    if interactive:
        from dstutor.shell.prompt import run_repl

        return run_repl(startup.session, no_color=opts.no_color)
    from dstutor.shell.script import bounded_lines, run_script

    status = run_script(startup.session, bounded_lines(stdin), stdout, stderr, echo=opts.echo)
    return 1 if startup.problems else status
