"""What a settled daemon pod costs, all in (its dicts, the store's indexes, the
controllers' records, its share of the nodes), held below a bound so that a change which
makes pods plain dicts again, or copies them from a prototype, fails here rather than
only in benchmarks/bench_engine.py's peak RSS."""

from __future__ import annotations

import platform
import sys
import tracemalloc
from pathlib import Path

import pytest

from dstutor.model import sharedguard

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from bench_engine import settled_cluster  # noqa: E402  (the benchmark's own cluster)

NODES, DAEMONSETS = 100, 10
# Bytes a pod, traced: 2,660 now; 2,740 with two key tuples a pod in the store (one for
# its table, one for its indexes); 4,060 before key-sharing dicts and shared node parts;
# 3,400 with pods copied from key-sharing prototypes (see dstutor/model/shapes.py).
BOUND = 2750


@pytest.mark.skipif(platform.python_implementation() != "CPython",
                    reason="the bound is CPython's object sizes")
def test_a_settled_daemon_pod_costs_less_than_the_bound() -> None:
    sharedguard.stop()  # its frozen copies are the test suite's, not the product's
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cluster = settled_cluster(NODES, DAEMONSETS, pod_events=False)
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        sharedguard.start()
    pods = cluster.store.count("Pod")
    assert pods == NODES * DAEMONSETS
    assert used / pods < BOUND, f"{used / pods:.0f} bytes a settled pod"
