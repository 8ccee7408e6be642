"""The suite's bring-up memo (tests/suite_speed.py) gives what build_cluster gives.

Outside tests/sim and tests/planner, a settled cluster is built once per spec, seed,
extra manifests and clock reading, and later callers get an unpickled copy bound to
their own Clock. Here (where the real build_cluster runs) a copy must hold exactly what
a fresh build holds (the snapshot export: every object, timer, event, kubelet memory,
the name generator) and then do exactly what it does: the same scenario played on both
gives the same objects, events and kubectl output after every step.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from suite_speed import ORIGINAL_BUILD_CLUSTER, memo_build_cluster

from dstutor.kubectl.dispatch import run
from dstutor.model.timefmt import SIM_EPOCH
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import ClusterSpec, NodeSpec, build_cluster, default_spec
from dstutor.sim.snapshot import export_state

LOGGER: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "logger", "namespace": "kube-system"},
    "spec": {"selector": {"matchLabels": {"app": "logger"}},
             "template": {"metadata": {"labels": {"app": "logger"}},
                          "spec": {"tolerations": [{"operator": "Exists"}],
                                   "containers": [{"name": "c", "image": "busybox:1.36"}]}}},
}


def _odd_spec() -> ClusterSpec:
    spec = ClusterSpec(name="odd", nodes=[NodeSpec("alpha"), NodeSpec("beta", labels={"gpu": "1"})],
                       kube_proxy=False, kubeadm=False)
    spec.crashing_images = ["crash:1"]
    return spec


CASES = {
    "default": (default_spec, {}, None),
    "no-workers-seed-5": (lambda: default_spec(0), {"seed": 5}, None),
    "twelve-workers-late-clock": (lambda: default_spec(12), {"seed": 1},
                                  lambda: Clock(mode="manual", start=SIM_EPOCH + 1000)),
    "odd-with-manifests": (_odd_spec, {"extra_manifests": [LOGGER]}, None),
}

SCENARIO = [
    "kubectl apply -f ds.yaml", "advance 40s", "node add extra-9", "advance 10s",
    "node fail worker-1", "advance 2m",
    "kubectl set image ds/logger -n kube-system c=busybox:1.37", "advance 3m",
    "node recover worker-1", "advance 1m",
]
READS = ["kubectl get pods -A -o wide", "kubectl get events -A", "kubectl describe nodes",
         "kubectl get ds -A -o yaml"]


def _step(cluster: Cluster, line: str) -> None:
    words = line.split()
    if words[0] == "kubectl":
        if words[1:3] != ["apply", "-f"]:
            run(cluster, line)
        elif cluster.find("DaemonSet", "kube-system", "logger") is None:
            cluster.create(copy.deepcopy(LOGGER))
    elif words[0] == "advance":
        unit = {"s": 1, "m": 60}[words[1][-1]]
        cluster.advance(float(words[1][:-1]) * unit)
    elif words[:2] == ["node", "add"]:
        cluster.add_node(words[2])
    elif words[:2] == ["node", "fail"] and cluster.find("Node", "", words[2]) is not None:
        cluster.fail_node(words[2])
    elif words[:2] == ["node", "recover"] and cluster.find("Node", "", words[2]) is not None:
        cluster.recover_node(words[2])


def _seen(cluster: Cluster) -> tuple[Any, ...]:
    return (export_state(cluster), [(r.stdout, r.stderr, r.exit_code)
                                    for r in (run(cluster, line) for line in READS)])


def test_the_memo_is_not_installed_here() -> None:
    assert build_cluster is ORIGINAL_BUILD_CLUSTER


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_copy_is_the_fresh_build_and_carries_on_the_same(name: str) -> None:
    make_spec, kwargs, make_clock = CASES[name]
    clocks = [(make_clock or Clock)() for _ in range(3)]
    fresh = ORIGINAL_BUILD_CLUSTER(make_spec(), clock=clocks[0], **copy.deepcopy(kwargs))
    first = memo_build_cluster(make_spec(), clock=clocks[1], **copy.deepcopy(kwargs))
    copied = memo_build_cluster(make_spec(), clock=clocks[2], **copy.deepcopy(kwargs))
    assert copied is not first and copied.clock is clocks[2]
    assert clocks[2].now() == clocks[0].now() > (make_clock or Clock)().now()
    assert _seen(copied) == _seen(fresh) == _seen(first)
    for line in SCENARIO:
        for cluster in (fresh, first, copied):
            _step(cluster, line)
        assert _seen(copied) == _seen(fresh) == _seen(first), line


def test_copies_do_not_share_state() -> None:
    one = memo_build_cluster(default_spec(2), seed=3)
    two = memo_build_cluster(default_spec(2), seed=3)
    one.add_node("only-in-one")
    one.advance(30)
    assert two.find("Node", "", "only-in-one") is None
    assert two.clock is not one.clock and two.now() < one.now()
    assert export_state(memo_build_cluster(default_spec(2), seed=3)) == export_state(two)


def test_a_live_clock_is_built_as_usual() -> None:
    clock = Clock(mode="live", speed=1000)
    cluster = memo_build_cluster(default_spec(1), clock=clock)
    assert cluster.clock is clock and clock.mode == "live"
