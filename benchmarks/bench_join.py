"""One node joins a settled cluster: bench_engine's "one node joins, settled", alone.

Run: `.venv/bin/python benchmarks/bench_join.py [--nodes 2000] [--joins 200]`
Builds the settled cluster once (pod events off, as bench_engine), then times `add_node`
of a ready node plus the `advance` that runs its daemon pods, `--joins` times: the median
CPU time, and the function calls per join under cProfile (a count that does not depend on
the machine's load, unlike the times: compare it between branches first). The join costs
about the same at 500 nodes as at 5,000, so a small cluster is enough to iterate.
`--opcodes N` also counts the bytecodes a join runs (sys.settrace, over N joins), in all
and by function: as steady as the call count, and closer to the time (a join's CPU time
goes mostly to running bytecodes, about 10 ns each). `--opcodes-tree DEPTH` counts them by
call path instead (each path with its callees), down to `--least` bytecodes a join.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections import Counter
from types import FrameType
from typing import Any

from bench_engine import settled_cluster

from dstutor.sim.cluster import Cluster


def _joins_traced(cluster: Cluster, joins: int, tracer: Any, prefix: str) -> None:
    """`joins` nodes join (each settled by its advance) under `tracer` (sys.settrace)."""
    sys.settrace(tracer)
    try:
        for r in range(joins):
            cluster.add_node(f"{prefix}-{r}", ready=True)
            cluster.advance()
    finally:
        sys.settrace(None)


def count_opcodes(cluster: Cluster, joins: int, top: int) -> None:
    """The bytecodes `joins` joins run, per join, and the functions running most of them."""
    ops: Counter[str] = Counter()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        code = frame.f_code
        name = (f"{code.co_filename.split('dstutor/')[-1]}:{code.co_firstlineno}"
                f"({code.co_name})")

        def local(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "opcode":
                ops[name] += 1
            return local
        return local

    _joins_traced(cluster, joins, tracer, "counted")
    total = sum(ops.values())
    print(f"{total / joins:.0f} bytecodes per join")
    for name, count in ops.most_common(top):
        print(f"{count / joins:8.0f} {100 * count / total:5.1f}%  {name}")


def opcode_tree(cluster: Cluster, joins: int, depth: int, least: float) -> None:
    """The bytecodes `joins` joins run, per join, by call path (`depth` calls deep), each
    path with what it runs itself and in its callees: where a join's work goes per
    controller, per write and per informer (paths under `least` bytecodes left out)."""
    inclusive: Counter[tuple[str, ...]] = Counter()
    calls: Counter[tuple[str, ...]] = Counter()
    stack: list[str] = []

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        code = frame.f_code
        stack.append(f"{code.co_filename.split('dstutor/')[-1].removesuffix('.py')}:"
                     f"{code.co_name}")
        path = tuple(stack[:depth])
        if len(stack) <= depth:
            calls[path] += 1

        def local(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "opcode":
                inclusive[path] += 1
            elif event == "return":
                stack.pop()
            return local
        return local

    _joins_traced(cluster, joins, tracer, "traced")
    total: Counter[tuple[str, ...]] = Counter()
    for path, count in inclusive.items():
        for i in range(1, len(path) + 1):
            total[path[:i]] += count
    children: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for path in total:
        children.setdefault(path[:-1], []).append(path)

    def show(parent: tuple[str, ...]) -> None:
        for path in sorted(children.get(parent, ()), key=lambda p: -total[p]):
            if total[path] / joins < least:
                continue
            print(f"{'  ' * (len(path) - 1)}{total[path] / joins:8.0f} "
                  f"x{calls[path] / joins:5.1f}  {path[-1]}")
            show(path)
    print(f"{sum(inclusive.values()) / joins:.0f} bytecodes per join, by call path "
          "(bytecodes per join in the call and its callees, calls per join):")
    show(())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--daemonsets", type=int, default=10)
    parser.add_argument("--joins", type=int, default=200, help="joins to time")
    parser.add_argument("--profiled", type=int, default=20, help="joins to count calls of")
    parser.add_argument("--top", type=int, default=0,
                        help="also print the functions with most own time under cProfile")
    parser.add_argument("--opcodes", type=int, default=0,
                        help="also count the bytecodes of this many joins (and, with "
                             "--top, the functions running most)")
    parser.add_argument("--opcodes-tree", type=int, default=0, metavar="DEPTH",
                        help="also count the bytecodes of --opcodes joins (20 if not given) "
                             "by call path, DEPTH calls deep")
    parser.add_argument("--least", type=float, default=200,
                        help="--opcodes-tree leaves out paths running fewer bytecodes a join")
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
    if args.opcodes:
        count_opcodes(cluster, args.opcodes, args.top)
    if args.opcodes_tree:
        opcode_tree(cluster, args.opcodes or 20, args.opcodes_tree, args.least)


if __name__ == "__main__":
    main()
