"""Read-side benchmark (issue 19): big `get`, `-o yaml`, `describe ds`, and shell start-up.

Run: `.venv/bin/python benchmarks/bench_reads.py [--nodes N] [--daemonsets M] [--runs R]`

1. `kubectl get pods -A -o wide` at nodes x daemonsets pods (10,000 by default), in
   process, through dispatch.run (target <= 20 ms), the clock moving 1 s between runs.
2. `kubectl get pods -A -o yaml` at 1,000 pods (the first 100 nodes; target <= 0.2 s).
3. `kubectl describe ds agent-0` at 10,000 pods, with pod events recorded
   (target <= 5 ms).
4. Cold start: `echo 'kubectl get nodes' | dstutor shell` against
   `python -c "import typer"`, medians of the same run (target ratio <= 3).
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench_engine import settled_cluster  # the same DaemonSets as the engine benchmark

from dstutor.kubectl.dispatch import run
from dstutor.sim.cluster import Cluster

BIN = Path(sys.executable).with_name("dstutor")


def timed(cluster: Cluster, line: str, runs: int, tick: bool = False) -> tuple[float, float]:
    """Median milliseconds of one command, wall and CPU (process_time, which other
    processes on a shared machine disturb far less), after one warm-up run."""
    assert run(cluster, line).exit_code == 0
    gc.collect()
    wall, cpu = [], []
    for _ in range(runs):
        if tick:
            cluster.advance(1.0)
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run(cluster, line)
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
        assert result.exit_code == 0, result.stderr
    return statistics.median(wall), statistics.median(cpu)


def _figure(ms: tuple[float, float]) -> str:
    return f"median {ms[0]:7.2f} ms wall, {ms[1]:7.2f} ms CPU"


def cold(commands: list[tuple[list[str], str | None]], runs: int,
         bytecode: bool = True) -> list[float]:
    """Median milliseconds of each command, run in turns so load hits all alike.

    Bytecode is written and used, as in an installed package: with
    PYTHONDONTWRITEBYTECODE set (as in some sandboxes) every dstutor module is compiled
    from source on every start, while site-packages (Typer) has its .pyc from pip.
    """
    env = {k: v for k, v in os.environ.items()
           if bytecode is False or k != "PYTHONDONTWRITEBYTECODE"}
    times: list[list[float]] = [[] for _ in commands]
    for turn in range(runs + 1):
        for i, (cmd, stdin) in enumerate(commands):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, input=stdin, text=True, env=env,
                           stdout=subprocess.DEVNULL)
            if turn:  # the first turn writes the bytecode
                times[i].append(time.perf_counter() - t0)
    return [statistics.median(t) * 1000 for t in times]


def in_process(args: argparse.Namespace) -> None:
    small = settled_cluster(100, args.daemonsets)
    yaml_ms = timed(small, "kubectl get pods -A -o yaml", max(3, args.runs // 4))
    t0 = time.perf_counter()
    big = settled_cluster(args.nodes, args.daemonsets)
    built = time.perf_counter() - t0
    pods = big.store.count("Pod")
    wide_ms = timed(big, "kubectl get pods -A -o wide", args.runs, tick=True)
    describe_ms = timed(big, "kubectl describe ds agent-0", args.runs)
    print(f"cluster: {args.nodes} nodes x {args.daemonsets} DaemonSets = {pods} pods "
          f"(built in {built:.1f} s)")
    print(f"  kubectl get pods -A -o wide ({pods} pods, clock +1 s each run): "
          f"{_figure(wide_ms)}  (target <= 20 ms)")
    print(f"  kubectl get pods -A -o yaml ({small.store.count('Pod')} pods): "
          f"{_figure(yaml_ms)}  (target <= 200 ms)")
    print(f"  kubectl describe ds agent-0 ({pods} pods): "
          f"{_figure(describe_ms)}  (target <= 5 ms)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--daemonsets", type=int, default=10)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--cold-runs", type=int, default=15)
    parser.add_argument("--cold-only", action="store_true", help="only the start-up figures")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="keep PYTHONDONTWRITEBYTECODE from the environment")
    args = parser.parse_args()

    if not args.cold_only:
        in_process(args)
    exe = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "dstutor"]
    typer_ms, shell_ms = cold([([sys.executable, "-c", "import typer"], None),
                               (exe + ["shell"], "kubectl get nodes\n")], args.cold_runs,
                               bytecode=not args.no_bytecode)
    print(f"cold start (median of {args.cold_runs} runs, "
          f"{'no bytecode' if args.no_bytecode else 'bytecode as installed'})")
    print(f"  python -c 'import typer'              {typer_ms:7.1f} ms")
    print(f"  echo 'kubectl get nodes' | dstutor shell {shell_ms:7.1f} ms   "
          f"ratio {shell_ms / typer_ms:.2f} (target <= 3)")


if __name__ == "__main__":
    main()
