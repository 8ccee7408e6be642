"""Long `advance`: what 30 days of virtual time cost.

Run: `.venv/bin/python benchmarks/bench_advance.py [--nodes N] [--days D]`
A cluster of N workers runs a DaemonSet whose image crashes at once, so every pod sits in
CrashLoopBackOff; then time jumps D days. Work must follow the events (one restart per
pod per five minutes once the back-off is at its maximum), never the seconds: the
report gives the engine's work items per restart and the wall time, and an idle cluster
for comparison.
"""

from __future__ import annotations

import argparse
import time

from dstutor.kubectl.dispatch import run
from dstutor.sim.clusterfile import build_cluster, default_spec

CRASHING = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: crash}
spec:
  selector: {matchLabels: {app: crash}}
  template:
    metadata: {labels: {app: crash}}
    spec:
      containers: [{name: c, image: "bad:1"}]
"""


def measure(nodes: int, days: float, crashing: bool) -> tuple[float, int, int]:
    spec = default_spec(nodes)
    spec.crashing_images = ["bad:1"]
    cluster = build_cluster(spec, seed=0)
    if crashing:
        assert run(cluster, f"kubectl apply -f - <<EOF\n{CRASHING}EOF").ok
        cluster.advance(60)
    before = cluster.engine.handled
    restarts = sum(p["status"]["containerStatuses"][0]["restartCount"]
                   for p in cluster.pods_of("crash"))
    start = time.perf_counter()
    cluster.advance(days * 86400)
    wall = time.perf_counter() - start
    restarts = sum(p["status"]["containerStatuses"][0]["restartCount"]
                   for p in cluster.pods_of("crash")) - restarts
    return wall, cluster.engine.handled - before, restarts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=3)
    parser.add_argument("--days", type=float, default=30)
    args = parser.parse_args()
    wall, work, _ = measure(args.nodes, args.days, crashing=False)
    print(f"idle, {args.nodes} workers, {args.days:g} days: {work} work items, {wall:.3f} s")
    wall, work, restarts = measure(args.nodes, args.days, crashing=True)
    print(f"CrashLoopBackOff on {args.nodes} workers, {args.days:g} days: {restarts} restarts "
          f"({restarts / max(args.nodes, 1):.0f} per pod), {work} work items "
          f"({work / max(restarts, 1):.2f} per restart), {wall:.2f} s")


if __name__ == "__main__":
    main()
