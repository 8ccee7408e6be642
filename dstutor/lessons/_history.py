"""The `history` check: what happened during the step, not only how it ended.

It asks the simulator's timeline (dstutor/sim/timeline.py) about the time since the
step's first command: the rollouts of a DaemonSet and the most of its pods unavailable
at once in each, the pods evicted, the nodes that went NotReady.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dstutor.lessons.checkkind import CheckKind, Outcome, World, register

FIELDS = ("max_unavailable", "peak_unavailable", "rollouts", "min_rollouts", "evicted",
          "not_ready")


def _ns(p: Mapping[str, Any]) -> str:
    return str(p.get("namespace") or "default")


def _since(world: World) -> float:
    """The step's first command; before any command, nothing has happened in the step."""
    times = [r.t for r in world.commands if r.t is not None]
    if times:
        return min(times)
    return 0.0 if world.commands else world.cluster.now() + 1


def _history(world: World, p: Mapping[str, Any]) -> Outcome:
    world.cluster.settle()
    timeline = world.cluster.timeline
    since = _since(world)
    problems, compared = [], []
    if "daemonset" in p:
        name = f"{_ns(p)}/{p['daemonset']}"
        rollouts = timeline.rollouts_of(_ns(p), str(p["daemonset"]), since)
        if "rollouts" in p:
            compared.append(("rollouts", str(p["rollouts"]), str(len(rollouts))))
            if len(rollouts) != int(p["rollouts"]):
                problems.append(f"DaemonSet {name} was rolled out {len(rollouts)} time(s), "
                                f"expected {p['rollouts']}")
        if "min_rollouts" in p and len(rollouts) < int(p["min_rollouts"]):
            problems.append(f"DaemonSet {name} has not been rolled out yet" if not rollouts
                            else f"DaemonSet {name} was rolled out {len(rollouts)} time(s), "
                            f"expected at least {p['min_rollouts']}")
        if "max_unavailable" in p:
            limit = int(p["max_unavailable"])
            worst = max((r.max_unavailable for r in rollouts), default=0)
            compared.append(("most pods unavailable at once", f"<= {limit}", str(worst)))
            for r in rollouts:
                if r.finished is None and r is rollouts[-1]:
                    # Its worst moment may be still to come: a guard on a rollout under way
                    # would hold for a wrong strategy typed a moment ago.
                    problems.append(f"the rollout of {p['daemonset']} to {r.image} has not "
                                    "finished, so it cannot yet be said how many pods it "
                                    "takes down at once")
                elif r.max_unavailable > limit:
                    problems.append(
                        f"during the rollout to {r.image}, {r.max_unavailable} of {r.desired} "
                        f"{p['daemonset']} pods were unavailable at once (at most {limit} "
                        "allowed): fixing the strategy afterwards does not undo that")
        if "peak_unavailable" in p:  # exactly: what a lesson's text claims happened
            worst = max((r.max_unavailable for r in rollouts), default=0)
            compared.append(("most pods unavailable at once", str(p["peak_unavailable"]),
                             str(worst)))
            if worst != int(p["peak_unavailable"]):
                problems.append(f"at most {worst} {p['daemonset']} pod(s) were unavailable "
                                f"at once, expected {p['peak_unavailable']}")
    if "evicted" in p:
        evicted = [e for e in timeline.evictions if e.t >= since
                   and ("namespace" not in p or e.namespace == _ns(p))]
        compared.append(("pods evicted", str(p["evicted"]), str(len(evicted))))
        if len(evicted) != int(p["evicted"]):
            names = ", ".join(f"{e.pod} ({e.node})" for e in evicted[:5])
            problems.append(f"{len(evicted)} pod(s) were evicted"
                            + (f" ({names})" if names else "") + f", expected {p['evicted']}")
    if "not_ready" in p:
        wanted = sorted(str(n) for n in p["not_ready"])
        seen = sorted({o.node for o in timeline.not_ready if o.t >= since})
        compared.append(("nodes that went NotReady", ", ".join(wanted) or "<none>",
                         ", ".join(seen) or "<none>"))
        if seen != wanted:
            problems.append(f"nodes that went NotReady: {', '.join(seen) or 'none'}; "
                            f"expected {', '.join(wanted) or 'none'}")
    if problems:
        return Outcome(False, "; ".join(problems), tuple(compared))
    return Outcome(True, "what happened so far is as expected", tuple(compared))


def _goal(p: Mapping[str, Any]) -> str:
    parts = []
    if "max_unavailable" in p:
        parts.append(f"at most {p['max_unavailable']} {p.get('daemonset')} pod(s) unavailable "
                     "at once during each rollout")
    if "peak_unavailable" in p:
        parts.append(f"{p['peak_unavailable']} {p.get('daemonset')} pod(s) unavailable at "
                     "once at the worst")
    if "rollouts" in p:
        parts.append(f"{p['rollouts']} rollout(s) of {p.get('daemonset')}")
    if "min_rollouts" in p:
        parts.append(f"at least {p['min_rollouts']} rollout(s) of {p.get('daemonset')}")
    if "evicted" in p:
        parts.append(f"{p['evicted']} pod(s) evicted")
    if "not_ready" in p:
        parts.append(f"nodes NotReady: {', '.join(map(str, p['not_ready'])) or 'none'}")
    return "during this step: " + "; ".join(parts)


def _validate(p: Mapping[str, Any]) -> str:
    if not any(k in p for k in FIELDS):
        return f"name at least one of {', '.join(FIELDS)}"
    if any(k in p for k in ("max_unavailable", "peak_unavailable", "rollouts",
                            "min_rollouts")) and "daemonset" not in p:
        return "rollout questions need a 'daemonset'"
    if "not_ready" in p and not isinstance(p["not_ready"], list):
        return "'not_ready' must be a list of node names (may be empty)"
    return ""


register(CheckKind("history", _history, _goal,
                   "anything before the step's first command, and the end state",
                   (), ("daemonset", "namespace", *FIELDS), _validate))
