"""One node joins a settled cluster: bench_engine's "one node joins, settled", alone.

Run: `.venv/bin/python benchmarks/bench_join.py [--nodes 2000] [--joins 200]`
Builds the settled cluster once (pod events off, as bench_engine), then times `add_node`
of a ready node plus the `advance` that runs its daemon pods, `--joins` times: the median
CPU time, and the function calls per join under cProfile (a count that does not depend on
the machine's load, unlike the times: compare it between branches first). The join costs
about the same at 500 nodes as at 5,000, so a small cluster is enough to iterate.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from bench_engine import settled_cluster


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--daemonsets", type=int, default=10)
    parser.add_argument("--joins", type=int, default=200, help="joins to time")
    parser.add_argument("--profiled", type=int, default=20, help="joins to count calls of")
    parser.add_argument("--top", type=int, default=0,
                        help="also print the functions with most own time under cProfile")
    args = parser.parse_args()
    cluster = settled_cluster(args.nodes, args.daemonsets, pod_events=False)
    cpu = []
    for r in range(args.joins):
        start = time.process_time()
        cluster.add_node(f"extra-{r}", ready=True)
        cluster.advance()
        cpu.append(time.process_time() - start)
    profile = cProfile.Profile()
    profile.enable()
    for r in range(args.profiled):
        cluster.add_node(f"profiled-{r}", ready=True)
        cluster.advance()
    profile.disable()
    stats = pstats.Stats(profile)
    last = f"profiled-{args.profiled - 1}"
    running = sum(1 for p in cluster.store.pods_on_node(last)
                  if p["status"].get("phase") == "Running")
    if running != args.daemonsets:
        print("WARNING: the last node's pods did not all run; the figures do not count")
    print(f"{args.nodes} nodes x {args.daemonsets} DaemonSets, one node joins, settled: "
          f"median CPU {statistics.median(cpu) * 1000:.3f} ms of {args.joins} "
          f"(min {min(cpu) * 1000:.3f} ms); "
          f"{stats.total_calls / args.profiled:.0f} calls per join")  # type: ignore[attr-defined]
    if args.top:
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
