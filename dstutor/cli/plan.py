"""`dstutor plan`: the rollout planner's Typer command (front end; the logic is in
dstutor/planner/). `dstutor/cli/app.py` mounts it with `register(app)`; the simulator and
Rich are imported only when the command runs.
"""

# No `from __future__ import annotations`: Typer reads the annotations at run time.

import sys
from typing import Annotated, Any, NoReturn

import typer

from dstutor.cli.common import HiddenDebugOpt, NoColorOpt, fail, guarded, rich_console
from dstutor.textsafe import visible


def _fail(message: str, hint: str = "") -> NoReturn:
    if hint:
        print(visible(message if message.startswith("error:") else f"error: {message}"),
              file=sys.stderr)
        fail(hint)
    fail(message if message.startswith("error:") else f"error: {message}")


def register(app: Any) -> None:
    @app.command("plan")
    @guarded
    def plan(
        filename: Annotated[str, typer.Option(
            "-f", "--filename", metavar="MANIFEST",
            help="The DaemonSet manifest: its template is the new version (- reads stdin).")],
        nodes: Annotated[int | None, typer.Option(
            "--nodes", help="A generated fleet of N nodes (1 to 5000).")] = None,
        image_pull: Annotated[str | None, typer.Option(
            "--image-pull", metavar="DURATION",
            help="How long each node takes to pull the new image, e.g. 30s [default: 2s, "
                 "or the cluster file's timing].")] = None,
        ready_after: Annotated[str | None, typer.Option(
            "--ready-after", metavar="DURATION",
            help="From container start to Ready, e.g. 10s (a readiness probe's "
                 "initialDelaySeconds).")] = None,
        fail: Annotated[str | None, typer.Option(
            "--fail", metavar="PERCENT",
            help="The share of nodes that fail during the rollout, e.g. 1%.")] = None,
        cluster: Annotated[str | None, typer.Option(
            "--cluster", metavar="FILE",
            help="Plan on a cluster file's nodes (kind: Cluster) instead of --nodes; its "
                 "DaemonSet of the same name is the old version.")] = None,
        seed: Annotated[int, typer.Option(
            "--seed", help="Which nodes fail and when (and pod names).")] = 0,
        json_out: Annotated[bool, typer.Option(
            "--json", help="Machine-readable output (JSON).")] = False,
        svg: Annotated[str | None, typer.Option(
            "--svg", metavar="FILE", help="Also write a plot of the rollouts as SVG.")] = None,
        no_color: NoColorOpt = False,
        debug: HiddenDebugOpt = False,
    ) -> None:
        """How long will this DaemonSet's rollout take on my fleet? Simulates it with each
        update strategy and compares them."""
        import json

        from dstutor import yamlio
        from dstutor.errors import DstutorError
        from dstutor.planner import view
        from dstutor.planner.inputs import load_daemonset, read_inputs
        from dstutor.planner.plan import make_plan
        from dstutor.sim.clusterfile import parse_cluster_file

        try:
            inputs = read_inputs(nodes=nodes, image_pull=image_pull, ready_after=ready_after,
                                 fail=fail, seed=seed, cluster_file=cluster is not None)
            if filename == "-":
                text, source = yamlio.decode(sys.stdin.buffer.read(), "STDIN"), "STDIN"
            else:
                text, source = yamlio.read_file(filename), filename
            ds = load_daemonset(text, source)
            spec = parse_cluster_file(cluster) if cluster is not None else None
            result = make_plan(ds, inputs, spec)
        except DstutorError as exc:
            _fail(str(exc), str(getattr(exc, "hint", "") or ""))
        if json_out:
            sys.stdout.write(json.dumps(view.to_json(result), indent=2) + "\n")
        else:
            picture = view.picture(result)
            if sys.stdout.isatty():
                rich_console(no_color=no_color).print(picture)
            else:
                sys.stdout.write(view.render_text(picture))
        if svg is not None:
            try:
                with open(svg, "w", encoding="utf-8") as fh:
                    fh.write(view.svg(result))
            except OSError as exc:
                _fail(f"cannot write {svg}: {exc.strerror or exc}")
            print(f"wrote {svg}", file=sys.stderr)
