"""A plan: the same fleet, the same failures, one rollout per strategy, side by side."""

from __future__ import annotations

import gc
import math
import random
from dataclasses import dataclass, field

from dstutor.model.objects import Obj
from dstutor.planner.fleet import Fleet, build_fleet
from dstutor.planner.inputs import PlanInputs
from dstutor.planner.rollout import COMPLETE, Failure, Result, Strategy, run
from dstutor.sim.clusterfile import ClusterSpec

# The strategies every plan compares with the manifest's own (as upstream spells them).
COMPARED = (
    Strategy("maxUnavailable 1", {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
    Strategy("maxUnavailable 10%", {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": "10%", "maxSurge": 0}}),
    Strategy("maxUnavailable 25%", {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 0}}),
    Strategy("maxSurge 10%", {"type": "RollingUpdate",
                              "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "10%"}}),
)


@dataclass
class Plan:
    fleet: Fleet
    inputs: PlanInputs
    failures: list[Failure]
    results: list[Result]  # the manifest's own strategy first
    min_ready: int = 0
    notes: list[str] = field(default_factory=list)


def _normal(value: object) -> str:
    return str(value) if value is not None else "0"


def own_strategy(ds: Obj) -> Strategy:
    """The manifest's updateStrategy, defaulted as the API server defaults it."""
    given = (ds.get("spec") or {}).get("updateStrategy") or {}
    kind = given.get("type") or "RollingUpdate"
    if kind != "RollingUpdate":
        return Strategy(f"{kind} (manifest)", {"type": kind}, own=True)
    rolling = dict(given.get("rollingUpdate") or {})
    rolling.setdefault("maxUnavailable", 1)
    rolling.setdefault("maxSurge", 0)
    label = (f"maxSurge {rolling['maxSurge']}" if _normal(rolling["maxSurge"]) not in ("0", "0%")
             else f"maxUnavailable {rolling['maxUnavailable']}")
    return Strategy(f"{label} (manifest)", {"type": kind, "rollingUpdate": rolling},
                    own=True)


def strategies(ds: Obj) -> list[Strategy]:
    """The manifest's own first, then the compared ones it is not the same as."""
    own = own_strategy(ds)

    def key(s: Strategy) -> tuple[str, ...]:
        r = s.update_strategy.get("rollingUpdate") or {}
        return (s.update_strategy["type"], _normal(r.get("maxUnavailable")),
                _normal(r.get("maxSurge")))

    return [own] + [s for s in COMPARED if key(s) != key(own)]


def draw_failures(nodes: tuple[str, ...], share: float, seed: int) -> list[Failure]:
    """Which nodes fail, and when, under --seed: ceil(share × nodes) nodes (rounded up, as
    a DaemonSet's percentages are), each at a point of the rollout drawn uniformly and
    measured as the share of nodes finished, so every strategy meets the same failures
    at the same stage of its rollout."""
    if share <= 0 or not nodes:
        return []
    rng = random.Random(seed)
    count = min(len(nodes), math.ceil(share * len(nodes) - 1e-9))
    chosen = sorted(rng.sample(list(nodes), count))
    return sorted((Failure(node, round(rng.random(), 6)) for node in chosen),
                  key=lambda f: (f.at_share, f.node))


# A fleet whose pickle is this big or bigger collects before each strategy (make_plan).
COLLECT_BEFORE_EACH_FROM = 8 * 1024 * 1024


def make_plan(ds: Obj, inputs: PlanInputs, spec: ClusterSpec | None = None) -> Plan:
    fleet = build_fleet(ds, inputs, spec)
    failures = draw_failures(fleet.nodes, inputs.fail, inputs.seed)
    results = []
    for strategy in strategies(ds):
        if len(fleet.frozen) >= COLLECT_BEFORE_EACH_FROM:
            # The cluster the fleet was settled in, then each strategy's, is garbage with
            # reference cycles by now, and the next one is thawed with the collector paused
            # (sim/thaw.py): no full collection would come on its own, and they would all
            # stay (a 5,000-node cluster file's plan peaked at 1.27 GB, against 460 MB).
            gc.collect()
        results.append(run(fleet, strategy, failures))
    plan = Plan(fleet, inputs, failures, results,
                min_ready=int((ds.get("spec") or {}).get("minReadySeconds") or 0))
    if not fleet.nodes:
        plan.notes.append("the old version runs on no node: the DaemonSet's nodeSelector, "
                          "affinity or tolerations leave it nowhere to run")
    if not any(r.outcome == COMPLETE for r in results) and not failures:
        plan.notes.append("no strategy completes: the new version itself does not become "
                          "available (see why)")
    return plan
