"""`dstutor plan` at fleet scale: the rollout planner's wall time, stage by stage.

A log agent (image pull 30s, Ready 10s after start) on N generated nodes: the old version
settles once, then each strategy rolls the new template out from the same state. Prints
the time of each stage and each strategy (wall, and CPU in brackets: compare CPU on a busy
machine), and the simulated durations, so a slow stage is easy to find. The planner adds
no work of its own per pod beyond a store listener; its cost is the engine's. A sync of
the DaemonSet controller costs what changed since the last one (rolling_update keeps its
per-node answers in rolling_index.py), so maxUnavailable 1, with a sync per replaced pod,
costs about what the wider strategies do.

Run: `.venv/bin/python benchmarks/bench_plan.py [--nodes 2000] [--fail 1%] [--only LABEL]
[--controller walk|verify]`. `walk` makes the controller walk every node in each sync, as
upstream does (the cost before the index); `verify` also checks every incremental answer
against that walk (raises IncrementalMismatch on the first difference).
"""

from __future__ import annotations

import argparse
import time

from dstutor.planner.fleet import Fleet, build_fleet
from dstutor.planner.inputs import PlanInputs, parse_percent
from dstutor.planner.plan import draw_failures, strategies
from dstutor.planner.rollout import run
from dstutor.planner.view import duration_text
from dstutor.sim.cluster import Cluster

AGENT = {
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "log-agent", "namespace": "kube-system"},
    "spec": {"selector": {"matchLabels": {"app": "log-agent"}},
             "template": {"metadata": {"labels": {"app": "log-agent"}},
                          "spec": {"tolerations": [{"operator": "Exists"}],
                                   "containers": [{"name": "agent",
                                                   "image": "fluent/fluent-bit:3.1"}]}}},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--fail", default="0%")
    parser.add_argument("--only", default="", help="run only strategies whose label has this")
    parser.add_argument("--controller", choices=("incremental", "walk", "verify"),
                        default="incremental")
    opts = parser.parse_args()
    if opts.controller != "incremental":
        thaw = Fleet.thaw

        def switched(fleet: Fleet) -> Cluster:
            cluster = thaw(fleet)
            cluster.daemonsets.full_walk = opts.controller == "walk"
            cluster.daemonsets.verify = opts.controller == "verify"
            return cluster

        Fleet.thaw = switched  # type: ignore[method-assign]
    inputs = PlanInputs(nodes=opts.nodes, image_pull=30, ready_after=10,
                        fail=parse_percent(opts.fail), seed=0)
    total, total_cpu = time.perf_counter(), time.process_time()
    t0, c0 = time.perf_counter(), time.process_time()
    fleet = build_fleet(AGENT, inputs)
    print(f"fleet of {opts.nodes} nodes, old version settled: "
          f"{time.perf_counter() - t0:.2f} s ({time.process_time() - c0:.2f} s CPU, "
          f"{len(fleet.frozen) / 1e6:.1f} MB pickled)")
    failures = draw_failures(fleet.nodes, inputs.fail, inputs.seed)
    for strategy in strategies(AGENT):
        if opts.only and opts.only not in strategy.label:
            continue
        t0, c0 = time.perf_counter(), time.process_time()
        result = run(fleet, strategy, failures)
        print(f"{strategy.label:30} {time.perf_counter() - t0:7.2f} s "
              f"({time.process_time() - c0:6.2f} s CPU)   simulated "
              f"{duration_text(result.duration):>10} {result.outcome}, "
              f"{len(result.points)} timeline points")
    print(f"total: {time.perf_counter() - total:.2f} s "
          f"({time.process_time() - total_cpu:.2f} s CPU)")


if __name__ == "__main__":
    main()
