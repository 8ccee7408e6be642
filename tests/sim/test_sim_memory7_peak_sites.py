"""benchmarks/bench_engine.py --peak-sites (benchmarks/bench_peak_sites.py): where a
settle's traced memory peaks, found in one run and looked at in a second (the settle is
deterministic), and what is live then."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_engine  # noqa: E402
import bench_peak_sites  # noqa: E402


def test_the_second_run_finds_the_same_peak_and_snapshots_there() -> None:
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


def test_peak_sites_prints_the_sites(monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["bench_engine.py", "--nodes", "12", "--daemonsets", "2",
                                      "--peak-sites", "5"])
    bench_engine.main()
    out = capsys.readouterr().out
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
