"""`plan -f FILE --nodes N ...`: the rollout planner as a simulator word.

It never touches the session's cluster: the plan runs on a fleet of its own. Files are
read from the workspace, as `kubectl apply -f` reads them there.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from dstutor.errors import DstutorError
from dstutor.kubectl.result import CommandResult
from dstutor.shell.meta import FILE, MANIFEST, Args, MetaFlag, command
from dstutor.shell.session import error

if TYPE_CHECKING:
    from dstutor.shell.session import Session


def _one(args: Args, name: str) -> str | None:
    values = args.flags.get(name)
    return values[-1] if values else None


@command("plan", "plan -f FILE ...",
         "time a DaemonSet rollout on a big fleet, per strategy",
         flags=(MetaFlag("filename", "FILE", "the DaemonSet manifest (its new version)",
                         MANIFEST, repeat=False, short="f", reads=True),
                MetaFlag("nodes", "N", "a generated fleet of N nodes", repeat=False),
                MetaFlag("image-pull", "DURATION", "how long each node pulls the new image",
                         repeat=False),
                MetaFlag("ready-after", "DURATION", "container start to Ready (probe delay)", repeat=False),
                MetaFlag("fail", "PERCENT", "nodes that fail during the rollout", repeat=False),
                MetaFlag("cluster", "FILE", "the fleet from a cluster file instead", FILE,
                         repeat=False, reads=True),
                MetaFlag("seed", "N", "which nodes fail (and pod names)", repeat=False),
                MetaFlag("json", "", "machine-readable output", repeat=False),
                MetaFlag("svg", "FILE", "also write a plot as an SVG file", FILE,
                         repeat=False)),
         details="Simulates the rollout of the manifest's template on its own fleet (your\n"
                 "cluster is not touched): the old version first, then the new one, with\n"
                 "the manifest's strategy and with maxUnavailable 1, 10%, 25% and maxSurge\n"
                 "10%, side by side: time, most nodes without the daemon, and why a\n"
                 "rollout got stuck.",
         examples=("plan -f ds.yaml --nodes 2000", "plan -f ds.yaml --nodes 500 --fail 1% "
                   "--image-pull 30s --seed 3"))
def meta_plan(session: Session, args: Args) -> CommandResult:
    from dstutor.planner import view
    from dstutor.planner.inputs import load_daemonset, read_inputs
    from dstutor.planner.plan import make_plan
    from dstutor.shell.filecmds import workspace_of  # filecmds imports meta, as we do
    from dstutor.sim.clusterfile import parse_cluster_file

    ws = workspace_of(session)
    source = _one(args, "filename")
    if source is None:
        return error("error: plan needs the DaemonSet manifest: plan -f FILE --nodes N")
    seed_text = _one(args, "seed") or "0"
    nodes_text = _one(args, "nodes")
    try:
        seed = int(seed_text)
        nodes = int(nodes_text) if nodes_text is not None else None
    except ValueError:
        bad = "--seed" if not seed_text.lstrip("-").isdigit() else "--nodes"
        return error(f"error: {bad} needs a whole number")
    cluster_path = _one(args, "cluster")
    inputs = read_inputs(nodes=nodes, image_pull=_one(args, "image-pull"),
                         ready_after=_one(args, "ready-after"), fail=_one(args, "fail"),
                         seed=seed, cluster_file=cluster_path is not None)
    ds = load_daemonset(ws.read(source, "plan"), source)

    def read(path: str | Path) -> str:
        return ws.read(str(path), "plan")

    spec = parse_cluster_file(cluster_path, read) if cluster_path is not None else None
    plan = make_plan(ds, inputs, spec)
    if args.flags.get("json"):
        text = json.dumps(view.to_json(plan), indent=2) + "\n"
        picture = None
    else:
        picture = view.picture(plan)
        text = view.render_text(picture, width=max(session.width, 100))
    for path in args.flags.get("svg", []):
        try:
            ws.write(path, view.svg(plan))
        except (OSError, DstutorError) as exc:
            return error(f"error: cannot write {path}: {getattr(exc, 'strerror', None) or exc}")
        text += f"wrote {path}\n"
    return CommandResult(stdout=text, renderable=picture)
