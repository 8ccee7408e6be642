"""benchmarks/bench_engine.py --by-queue: the settle's CPU per work queue and per instant
(each pod: one scheduler item, three kubelet visits: admit, pull done, start)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_engine  # noqa: E402


def test_by_queue_counts_each_queues_items(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["bench_engine.py", "--nodes", "20", "--daemonsets", "2",
                                      "--by-queue"])
    bench_engine.main()
    out = capsys.readouterr().out
    items = {m[1]: int(m[2].replace(",", ""))
             for m in re.finditer(r"^  (\S+) +([\d,]+) +[\d.]+ s +[\d.]+ us$", out, re.M)}
    assert items["kubelet"] == 20 * 2 * 3
    assert items["scheduler"] == 20 * 2
    assert "one node joins" not in out  # the wrapped engine would distort the joins
