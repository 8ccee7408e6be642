"""benchmarks/bench_engine.py --peak-sites (benchmarks/bench_peak_sites.py): where a
settle's traced memory peaks, found in one run and looked at in a second (the settle is
deterministic), and what is live then.

The settle is deterministic in a fresh interpreter, which is where the benchmark runs; in
a test worker, memos other tests filled (and emptied at their size limits) change what the
two traced runs allocate by a few hundred bytes, enough to move a 12-node cluster's peak
to the next item. So these tests run the tracing in a fresh interpreter of their own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_peak_sites  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _fresh(code: str) -> str:
    """`code` run in a fresh interpreter (repository and benchmarks on its path); its
    standard output."""
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "benchmarks")])},
    ).stdout


def test_the_second_run_finds_the_same_peak_and_snapshots_there() -> None:
    assert _fresh("from tests.sim.test_sim_memory7_peak_sites import second_run_check; "
                  "second_run_check(); print('checked')") == "checked\n"


def second_run_check() -> None:
    """(Run by the test above in a fresh interpreter.)"""
    first, _ = bench_peak_sites.settle_traced(12, 2)
    traced, item, _where = first.peak
    assert 0 < item <= first.items and traced > 0
    again, settled = bench_peak_sites.settle_traced(12, 2, at=item)
    assert (again.items, again.peak[1]) == (first.items, item)
    assert again.snapshot is not None and settled is not None
    # Taken right then: it holds what the second run had traced at that item (the first
    # run traced the caches and memos it filled besides).
    total = sum(s.size for s in again.snapshot.statistics("filename"))
    assert abs(total - again.peak[0]) < 2000 and again.peak[0] <= traced, (total, again.peak)
    # The snapshot is the peak's: every pod is stored by then (12 x 2 records).
    records = [s for s in again.snapshot.statistics("lineno")
               if s.traceback[0].filename.endswith("sim/store.py")]
    assert records
    assert not tracemalloc.is_tracing()  # left as it was


def test_peak_sites_prints_the_sites() -> None:
    out = _fresh("import sys, bench_engine; sys.argv = ['bench_engine.py', '--nodes', '12', "
                 "'--daemonsets', '2', '--peak-sites', '5']; bench_engine.main()")
    head, *rest = out.splitlines()
    assert re.fullmatch(r"traced memory peaks after work item [\d,]+ of [\d,]+ "
                        r"\(\+\S+ \S+\): [\d.]+ MB", head), head
    live = rest[1:rest.index("live then beyond what the settled cluster holds (transients):")]
    assert len(live) == 5
    assert all(re.fullmatch(r" +[\d.]+ MB +[\d,]+  \S+:\d+", line) for line in live), live
    transients = rest[len(live) + 2:]
    assert transients and all(re.fullmatch(r" +\+[\d.]+ MB +[+-][\d,]+  \S+:\d+", line)
                              for line in transients), transients  # more at the peak only
    assert "tracemalloc.py" not in out  # its own snapshot is left out
    assert "one node joins" not in out  # only the sites: no timings from a traced run


def test_the_benchmark_does_not_import_tracemalloc_until_asked() -> None:
    """Nor the --peak-sites code: with tracemalloc (which brings pickle) 1.5 MB more
    resident memory in every run of the benchmark, whose peak RSS is what it measures."""
    bench = Path(__file__).resolve().parents[2] / "benchmarks"
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import bench_engine; "
            "print(sorted({'tracemalloc', 'pickle', 'bench_peak_sites'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code, str(bench)], capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(
                             bench.parent)}).stdout
    assert out.strip() == "[]"

