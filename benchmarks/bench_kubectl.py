"""kubectl benchmark: `kubectl get pods -o wide` on 100 nodes x 5 DaemonSets, in process.

Run: `.venv/bin/python benchmarks/bench_kubectl.py [--nodes N] [--daemonsets M] [--runs R]`
Prints the median wall-clock time of one command through dispatch.run (target <= 5 ms),
then the same command when the virtual clock moves between runs and when no pod row is
remembered (the first `get` after every pod changed), then a few other commands.

Timing: each batch starts right after a full garbage collection, so garbage left by
building the cluster is not billed to the first runs. The collector stays on: a full
pass over this heap takes tens of milliseconds and lands in about one run in fifty,
which shows in `max` but not in the median.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable

from bench_engine import settled_cluster  # the same DaemonSets as the engine benchmark

from dstutor.kubectl.dispatch import run
from dstutor.render.columns import forget_pod_rows
from dstutor.sim.cluster import Cluster

TARGET_MS = 5.0


def time_command(cluster: Cluster, line: str, runs: int,
                 clock: Callable[[], float] = time.perf_counter,
                 before: Callable[[], object] | None = None) -> list[float]:
    """Milliseconds per run; `clock` may be process_time to ignore other processes' load.

    `before` runs ahead of each timed run, outside the timing.
    """
    gc.collect()
    timings = []
    for _ in range(runs):
        if before is not None:
            before()
        start = clock()
        result = run(cluster, line)
        timings.append((clock() - start) * 1000)
        assert result.exit_code == 0, result.stderr
    return timings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=100)
    parser.add_argument("--daemonsets", type=int, default=5)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    cluster = settled_cluster(args.nodes, args.daemonsets, width=3)
    pods = cluster.store.count("Pod")
    line = "kubectl get pods -o wide"
    time_command(cluster, line, 3)  # warm caches (timestamps, imports)
    timings = time_command(cluster, line, args.runs)
    median = statistics.median(timings)
    p90 = statistics.quantiles(timings, n=10)[-1]
    cpu = statistics.median(time_command(cluster, line, args.runs, time.process_time))
    print(f"nodes={args.nodes} daemonsets={args.daemonsets} pods={pods} runs={args.runs}")
    print(f"{line}: median {median:.2f} ms wall ({cpu:.2f} ms CPU), min {min(timings):.2f} ms, "
          f"p90 {p90:.2f} ms, max {max(timings):.2f} ms (target <= {TARGET_MS:.0f} ms)")
    ticking = time_command(cluster, line, args.runs // 4, before=lambda: cluster.advance(1.0))
    print(f"{line}, clock +1 s before each run: median {statistics.median(ticking):.2f} ms")
    cold = time_command(cluster, line, args.runs // 4, before=forget_pod_rows)
    print(f"{line}, no pod row remembered: median {statistics.median(cold):.2f} ms")
    for other in ("kubectl get ds -o wide", "kubectl get nodes", "kubectl describe ds agent-0"):
        print(f"{other}: median {statistics.median(time_command(cluster, other, 20)):.2f} ms")


if __name__ == "__main__":
    main()
