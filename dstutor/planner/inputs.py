"""What `dstutor plan` is given, read and checked: one clear sentence for each bad input."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dstutor.errors import DstutorError
from dstutor.model.objects import Obj
from dstutor.model.timefmt import parse_go_duration

MAX_NODES = 5000
# A pull or readiness delay beyond a day is a typo, not a plan.
MAX_DELAY_SECONDS = 86400.0
_PERCENT = re.compile(r"(\d+(?:\.\d+)?|\.\d+)%")


class PlanError(DstutorError):
    """An input the planner cannot use; str() is the one line the user sees."""


@dataclass(frozen=True)
class PlanInputs:
    """Everything a plan depends on (with the manifest): the same inputs, the same plan."""

    nodes: int | None = None  # a generated fleet of this many nodes (None: the cluster file's)
    image_pull: float | None = None  # seconds; None: the cluster's timing (2s by default)
    ready_after: float | None = None  # seconds from container start to Ready
    fail: float = 0.0  # the share of nodes that fail during the rollout, 0..1
    seed: int = 0


def parse_percent(text: str, flag: str = "--fail") -> float:
    """`1%`, `0.5%`, `0%` as a fraction; PlanError otherwise."""
    m = _PERCENT.fullmatch(text.strip())
    if m is None:
        raise PlanError(f'error: bad {flag} "{text}": use a percentage of the nodes, '
                        "like 1% or 0.5%")
    value = float(m.group(1))
    if value > 100:
        raise PlanError(f'error: bad {flag} "{text}": at most 100% of the nodes can fail')
    return value / 100


def parse_delay(text: str, flag: str) -> float:
    """A Go duration (`30s`, `2m`, `1m30s`) in seconds; PlanError otherwise."""
    try:
        seconds = parse_go_duration(text.strip())
    except ValueError:
        raise PlanError(f'error: bad {flag} "{text}": use a duration like 30s, 2m or '
                        "1m30s") from None
    if seconds < 0:
        raise PlanError(f'error: bad {flag} "{text}": a duration must not be negative')
    if seconds > MAX_DELAY_SECONDS:
        raise PlanError(f'error: bad {flag} "{text}": at most 24h')
    return seconds


def check_nodes(nodes: int | None, *, cluster_file: bool) -> None:
    if nodes is None:
        if not cluster_file:
            raise PlanError("error: say how big the fleet is: --nodes N, or --cluster FILE")
        return
    if cluster_file:
        raise PlanError("error: --nodes and --cluster cannot be used together: the cluster "
                        "file names its own nodes")
    if not 1 <= nodes <= MAX_NODES:
        raise PlanError(f"error: --nodes must be between 1 and {MAX_NODES}, not {nodes}")


def the_daemonset(objects: list[Obj], source: str) -> Obj:
    """The one DaemonSet in a manifest file; PlanError naming what is there instead."""
    found = [o for o in objects if isinstance(o, dict) and o.get("kind") == "DaemonSet"]
    if len(found) == 1:
        ds = found[0]
        if not (ds.get("metadata") or {}).get("name"):
            raise PlanError(f"error: {source}: the DaemonSet has no metadata.name")
        return ds
    if len(found) > 1:
        names = ", ".join(str((d.get("metadata") or {}).get("name")) for d in found)
        raise PlanError(f"error: {source} has {len(found)} DaemonSets ({names}); "
                        "plan one rollout at a time")
    kinds = sorted({str(o.get("kind")) for o in objects if isinstance(o, dict)})
    what = f"only {', '.join(kinds)}" if kinds else "nothing"
    raise PlanError(f"error: {source} has no DaemonSet ({what}); dstutor plan plans the "
                    "rollout of a DaemonSet")


def read_inputs(*, nodes: int | None, image_pull: str | None, ready_after: str | None,
                fail: str | None, seed: int, cluster_file: bool) -> PlanInputs:
    """The command line's words, checked: PlanError with one sentence for the first bad one."""
    check_nodes(nodes, cluster_file=cluster_file)
    return PlanInputs(
        nodes=nodes,
        image_pull=parse_delay(image_pull, "--image-pull") if image_pull is not None else None,
        ready_after=parse_delay(ready_after, "--ready-after") if ready_after is not None
        else None,
        fail=parse_percent(fail, "--fail") if fail is not None else 0.0,
        seed=seed)


def load_daemonset(text: str, source: str) -> Obj:
    """The DaemonSet of a manifest file, decoded as the API server decodes a create."""
    from dstutor.sim.clusterfile import load_manifests

    return the_daemonset(load_manifests(text, source), source)
