"""Long sessions stay flat: time and peak memory of a long script, by length.

Run: `.venv/bin/python benchmarks/bench_long_session.py [--lines 1000 3000 10000]`

Each size runs in its own process (`dstutor shell` reading a script from a pipe), so
its peak RSS (resource.getrusage of the child) is its own. The script repeats a 10-line
mix of reads, writes, node commands, time and undo (issue 18, F8). In a flat session the
time grows linearly with the number of lines and the peak RSS hardly at all.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "fixtures" / "node-logger.yaml"


def mix(i: int) -> list[str]:
    """The 10-line mix; `i` makes the added node's name new each round."""
    return [
        "kubectl get pods -A",
        f"kubectl apply -f {MANIFEST}",
        "advance 30s",
        f"node add extra-{i}",
        "advance 30s",
        "kubectl get pods -n kube-system -o wide",
        f"node remove extra-{i}",
        "advance 30s",
        "undo",
        "kubectl describe ds node-logger -n kube-system",
    ]


def script(lines: int) -> str:
    out: list[str] = []
    i = 0
    while len(out) < lines:
        out += mix(i)
        i += 1
    return "\n".join(out[:lines]) + "\n"


def run_one(lines: int) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MB) of one `dstutor shell` run."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "dstutor", "shell", "--clock", "manual"]
    t0 = time.perf_counter()
    subprocess.run(cmd, input=script(lines), text=True, env=env, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - t0
    # This process has one child, so RUSAGE_CHILDREN is that run's alone.
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[1000, 3000, 10000])
    args = parser.parse_args()
    # CPU time is what to compare on a busy machine; wall time is what a learner waits.
    print(f"{'lines':>7} {'wall':>8} {'CPU':>8} {'CPU per 1k':>11} {'peak RSS':>9}")
    for lines in sorted(args.lines):
        # A fresh interpreter per size, so each peak RSS is that size's alone.
        child = subprocess.run([sys.executable, __file__, "--_one", str(lines)],
                               capture_output=True, text=True, check=True)
        elapsed, cpu, peak = (float(x) for x in child.stdout.split())
        print(f"{lines:>7} {elapsed:>7.1f}s {cpu:>7.1f}s {cpu / lines * 1000:>10.2f}s "
              f"{peak:>6.0f} MB", flush=True)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--_one":
        print(*run_one(int(sys.argv[2])))
    else:
        main()
