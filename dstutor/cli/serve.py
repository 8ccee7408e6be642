"""`dstutor serve` and the `--serve` of shell and lesson run: the face's side of serve.

Being the face, it may use the shell's start-up to build the cluster from the same
options; dstutor/serve itself never imports shell.
"""

# No `from __future__ import annotations`: Typer reads the annotations at run time.

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TextIO

DEFAULT_PORT = 0  # 0: any free port; the kubeconfig says which


def default_kubeconfig() -> Path:
    from dstutor.shell.prompt import data_dir

    return data_dir() / "kubeconfig"


def background(port: int, address: str = "127.0.0.1", kubeconfig: str | None = None,
               cluster_of: Callable[[Any], Any] | None = None, wall_clock: bool = False
               ) -> Callable[[Any, TextIO], Callable[[], None]]:
    """A hook for the shell and lessons: serve the session's cluster until it returns.

    `cluster_of(session)` finds the cluster when it is not `session.cluster` (lessons);
    `wall_clock` maps a lesson's virtual time to wall time on the wire (see timeshift.py).
    """

    def start(session: Any, out: TextIO) -> Callable[[], None]:
        from dstutor.serve.main import attach

        path = Path(kubeconfig) if kubeconfig else default_kubeconfig()
        find = (lambda: cluster_of(session)) if cluster_of else None
        try:
            server = attach(session, address=address, port=port, kubeconfig=path, out=out,
                            cluster_of=find, wall_clock=wall_clock)
        except OSError as exc:
            out.write(f"error: cannot serve on {address}:{port}: {exc.strerror or exc}; "
                      "going on without serving\n")
            return lambda: None
        if hasattr(session, "outside"):
            # A lesson runner: its command_run checks also read what kubectl ran here.
            session.outside = server.backend.outside.take
        return server.stop

    return start


def register(app: Any) -> None:
    import typer

    from dstutor.cli.common import HiddenDebugOpt, PlainUsage, fail, guarded, leave
    from dstutor.errors import ExitStatus

    @app.command("serve", cls=PlainUsage)
    @guarded
    def serve(
        port: Annotated[int, typer.Option("--port", min=0, max=65535,
                                          help="Port to listen on (0: any free port).")] = 0,
        address: Annotated[str, typer.Option(
            "--address", help="Address to bind (loopback unless you say otherwise).")
        ] = "127.0.0.1",
        kubeconfig: Annotated[str | None, typer.Option(
            "--kubeconfig", metavar="FILE",
            help="Where to write the kubeconfig (default: in the data dir).")] = None,
        cluster: Annotated[str | None, typer.Option(
            "--cluster", metavar="FILE", help="Start from a cluster file (kind: Cluster).")
        ] = None,
        manifest: Annotated[list[str] | None, typer.Option(
            "-f", "--filename", metavar="MANIFEST",
            help="Apply this manifest when the cluster starts (repeatable).")] = None,
        seed: Annotated[int, typer.Option("--seed", help="Seed for pod names and hashes.")
                        ] = 0,
        clock: Annotated[str, typer.Option(
            "--clock", help="live (follows wall time, default) or manual.")] = "live",
        speed: Annotated[float, typer.Option(
            "--speed", min=0.01, max=10000.0,
            help="Live clock: virtual seconds per wall second.")] = 1.0,
        state: Annotated[str | None, typer.Option(
            "--state", metavar="FILE",
            help="Resume from FILE if it exists; save to it when stopped.")] = None,
        debug: HiddenDebugOpt = False,
    ) -> None:
        """Serve the simulated cluster to a real kubectl (a Kubernetes API server on loopback)."""
        from dstutor.serve.main import start, wait_for_signal
        from dstutor.shell.startup import ShellOptions, save_state
        from dstutor.shell.startup import start as build

        if clock not in ("live", "manual"):
            fail(f"error: --clock must be live or manual, not {clock!r}", ExitStatus.USAGE)
        opts = ShellOptions(manifests=list(manifest or []), cluster_file=cluster, seed=seed,
                            clock=clock, speed=speed, state=state, clock_start=time.time())
        startup = build(opts, interactive=True)
        for problem in startup.problems:
            print(problem, file=sys.stderr)
        path = Path(kubeconfig) if kubeconfig else default_kubeconfig()
        try:
            server = start(lambda: startup.session.cluster, address=address, port=port,
                           kubeconfig=path, out=sys.stdout)
        except OSError as exc:
            fail(f"error: cannot serve on {address}:{port}: {exc.strerror or exc}")
        print("Press Ctrl-C to stop.", flush=True)
        wait_for_signal()
        server.stop()
        ok = save_state(startup, sys.stderr)
        print("stopped" + (f"; the cluster is saved in {state}" if state and ok else ""))
        leave(ExitStatus.SUCCESS if ok else ExitStatus.ERROR)
