"""What a settled daemon pod costs, all in (its dicts, the store's indexes, the
controllers' records, its share of the nodes), held below a bound so that a change which
makes pods plain dicts again, or copies them from a prototype, fails here rather than
only in benchmarks/bench_engine.py's peak RSS."""

from __future__ import annotations

import platform
import tracemalloc

import pytest

from dstutor.model import sharedguard
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster

NODES, DAEMONSETS = 100, 10
# Bytes a pod, traced: 2,690 now; 4,060 before key-sharing dicts and shared node parts;
# 3,400 with pods copied from key-sharing prototypes (see dstutor/model/shapes.py).
BOUND = 3000


def _daemonset(i: int) -> Obj:
    labels = {"app": f"agent-{i}"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": f"agent-{i}", "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "agent",
                                                           "image": f"agent:{i}"}]}}}}


@pytest.mark.skipif(platform.python_implementation() != "CPython",
                    reason="the bound is CPython's object sizes")
def test_a_settled_daemon_pod_costs_less_than_the_bound() -> None:
    sharedguard.stop()  # its frozen copies are the test suite's, not the product's
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        cluster = Cluster(record_pod_events=False)
        for i in range(NODES):
            cluster.add_node(f"node-{i:05d}", ready=True)
        for i in range(DAEMONSETS):
            cluster.create(_daemonset(i))
        cluster.advance()
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        sharedguard.start()
    pods = cluster.store.count("Pod")
    assert pods == NODES * DAEMONSETS
    assert used / pods < BOUND, f"{used / pods:.0f} bytes a settled pod"
