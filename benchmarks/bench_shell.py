"""Shell benchmarks: `dstutor --version` cold start, and a 1,000-command script.

Run: `.venv/bin/python benchmarks/bench_shell.py [--runs N] [--commands N]`

1. Cold start: median wall time of `dstutor --version` (the installed command) against
   `python -c "import typer"`; the target is a ratio of at most 1.5.
2. A script of 1,000 mixed commands on the default cluster (reads, writes, node
   commands, advance, why, map), timed per command through Session.handle_line (the
   path script mode and the REPL share), and end to end through `dstutor shell`.
3. What an undo snapshot costs as the cluster grows (pickled bytes vs copy.deepcopy).
"""

from __future__ import annotations

import argparse
import copy
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

BIN = Path(sys.executable).with_name("dstutor")
AGENT = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "busybox:1.36"}]
"""


def cold(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def script(commands: int) -> list[str]:
    lines = [f"kubectl apply -f - <<EOF\n{AGENT}EOF", "advance"]
    i = 0
    while len(lines) < commands:
        i += 1
        lines += [
            "kubectl get pods -A",
            "kubectl get ds -A",
            f"kubectl label node worker-1 round={i} --overwrite",
            f"node add extra-{i}",
            "advance 5s",
            "kubectl get nodes -o wide",
            f"kubectl set image ds/agent agent=busybox:1.{i}",
            "why worker-2 agent",
            f"node remove extra-{i}",
            "map",
        ]
    return lines[:commands]


def per_command(lines: list[str]) -> dict[str, list[float]]:
    from dstutor.shell.session import Session
    from dstutor.sim.clusterfile import default_cluster

    session = Session(default_cluster())
    timings: dict[str, list[float]] = defaultdict(list)
    for line in lines:
        t0 = time.perf_counter()
        out = session.handle_line(line)
        elapsed = time.perf_counter() - t0
        if not out.ok:
            raise SystemExit(f"benchmark command failed: {line!r}: {out.stderr}{out.hint}")
        key = " ".join(line.split()[:2]) if not line.startswith("k") else " ".join(
            line.split()[:3])
        timings[key.split("=")[0]].append(elapsed)
    return timings


def snapshot_costs() -> list[tuple[int, float, float]]:
    """(workers, pickle-based UndoEntry, copy.deepcopy) seconds per snapshot."""
    from dstutor.shell.session import UndoEntry
    from dstutor.sim.clusterfile import default_cluster

    rows = []
    for workers in (3, 20, 100):
        cluster = default_cluster(workers=workers)
        t0 = time.perf_counter()
        for _ in range(5):
            UndoEntry.of(cluster, "default")
        t1 = time.perf_counter()
        for _ in range(5):
            copy.deepcopy(cluster)
        rows.append((workers, (t1 - t0) / 5, (time.perf_counter() - t1) / 5))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--commands", type=int, default=1000)
    args = parser.parse_args()

    exe = [str(BIN)] if BIN.exists() else [sys.executable, "-m", "dstutor"]
    typer_s = cold([sys.executable, "-c", "import typer"], args.runs)
    version_s = cold(exe + ["--version"], args.runs)
    help_s = cold(exe + ["--help"], max(3, args.runs // 3))
    print(f"cold start (median of {args.runs} runs)")
    print(f"  python -c 'import typer'  {typer_s * 1000:7.1f} ms")
    print(f"  dstutor --version         {version_s * 1000:7.1f} ms   "
          f"ratio {version_s / typer_s:.2f} (target <= 1.5)")
    print(f"  dstutor --help            {help_s * 1000:7.1f} ms")

    lines = script(args.commands)
    t0 = time.perf_counter()
    timings = per_command(lines)
    total = time.perf_counter() - t0
    every = [t for ts in timings.values() for t in ts]
    print(f"\n{len(lines)}-command script on the default cluster, in process")
    print(f"  total {total:.2f} s, per-command median {statistics.median(every) * 1000:.2f} ms,"
          f" p95 {statistics.quantiles(every, n=20)[-1] * 1000:.2f} ms")
    for key, ts in sorted(timings.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"    {key:32} n={len(ts):4d} median {statistics.median(ts) * 1000:7.2f} ms")

    text = "\n".join(lines) + "\n"
    t0 = time.perf_counter()
    proc = subprocess.run(exe + ["shell"], input=text, text=True, capture_output=True)
    wall = time.perf_counter() - t0
    print(f"  through `dstutor shell` (script mode): {wall:.2f} s, status {proc.returncode}")

    print("\nundo snapshot per write: pickled bytes (used) vs copy.deepcopy")
    for workers, pickled, deep in snapshot_costs():
        print(f"  {workers:4d} workers   {pickled * 1000:7.1f} ms   vs {deep * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
