"""status.node_stat asks once whether a node's single pod is updated and skips
IsPodAvailable without minReadySeconds; it must answer exactly as the general code it
replaced, for every DaemonSet and node, through rollouts with surge (two pods on a node),
deletions and pods that never turn ready."""

from __future__ import annotations

import copy

import pytest

from dstutor.controller.daemonset_util import is_pod_updated
from dstutor.controller.pods import daemon_pods_on
from dstutor.controller.state import (
    MISSCHEDULED,
    NO_STAT,
    SCHEDULED,
    SHOULD_RUN_UNSCHEDULED,
    DaemonSetState,
    NodeStat,
)
from dstutor.controller.status import node_stat
from dstutor.model.objects import Obj, is_pod_available, is_pod_ready, is_terminating
from dstutor.sim.cluster import Cluster


def reference_node_stat(cluster: Cluster, ds: Obj, state: DaemonSetState, node_name: str,
                        now: float) -> tuple[NodeStat, bool]:
    """node_stat as it was (a2fcb1b), without its requeue; and whether the node holds
    old pods."""
    placement = state.placements.get(node_name)
    pods = daemon_pods_on(cluster.store, ds, node_name)
    has_old = any(not is_pod_updated(p, state.hash, state.template_generation)
                  for p in pods if not is_terminating(p))
    if placement is None:
        return NO_STAT, has_old
    if not pods:
        return (SHOULD_RUN_UNSCHEDULED if placement.should_run else NO_STAT), has_old
    if not placement.should_run:
        return MISSCHEDULED, has_old
    oldest = pods[0]
    ready = is_pod_ready(oldest)
    min_ready = int(ds["spec"].get("minReadySeconds", 0))
    available = ready and is_pod_available(oldest, min_ready, now)
    updated = is_pod_updated(oldest, state.hash, state.template_generation)
    return SCHEDULED[ready][available][updated], has_old


def _ds(name: str, image: str, *, min_ready: int = 0, surge: bool = False,
        unavailable: int = 0) -> Obj:
    labels = {"app": name}
    spec: Obj = {"selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels},
                              "spec": {"containers": [{"name": "c", "image": image}]}}}
    if min_ready:
        spec["minReadySeconds"] = min_ready
    if surge:
        spec["updateStrategy"] = {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxSurge": 2, "maxUnavailable": 0}}
    if unavailable:
        spec["updateStrategy"] = {"type": "RollingUpdate",
                                  "rollingUpdate": {"maxUnavailable": unavailable}}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def _compare_everywhere(cluster: Cluster) -> int:
    compared = 0
    now = cluster.now()
    for ds in cluster.store.list("DaemonSet"):
        state = cluster.daemonsets.states.get(ds["metadata"]["uid"])
        if state is None:
            continue
        for node in cluster.store.list("Node"):
            name = node["metadata"]["name"]
            mine = copy.copy(state)
            mine.old_nodes = set(state.old_nodes)
            got = node_stat(cluster, ds, mine, name, now)
            expected, has_old = reference_node_stat(cluster, ds, state, name, now)
            assert got == expected, (ds["metadata"]["name"], name)
            assert (name in mine.old_nodes) == has_old, (ds["metadata"]["name"], name)
            compared += 1
    return compared


@pytest.mark.parametrize("min_ready", [0, 5])
def test_node_stat_answers_as_the_general_code(min_ready: int) -> None:
    cluster = Cluster(seed=5, missing_images={"never:1"}, record_pod_events=False)
    for i in range(6):
        cluster.add_node(f"n{i}", ready=True)
    cluster.create(_ds("surge", "a:1", min_ready=min_ready, surge=True))
    cluster.create(_ds("stuck", "never:1", min_ready=min_ready))
    cluster.create(_ds("rolling", "b:1", min_ready=min_ready, unavailable=3))
    compared = 0
    for step in [0.5, 1, 1, 1, 3]:
        cluster.advance(step)
        compared += _compare_everywhere(cluster)
    rolling = cluster.get("DaemonSet", "default", "rolling")
    rolling["spec"]["template"]["spec"]["containers"][0]["image"] = "b:2"
    cluster.update(rolling)
    # The old pods being deleted are alone on their nodes: terminating, not updated.
    assert any(p["metadata"].get("deletionTimestamp") for p in cluster.pods_of("rolling"))
    compared += _compare_everywhere(cluster)
    ds = cluster.get("DaemonSet", "default", "surge")
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "a:2"
    cluster.update(ds)
    two_pods_seen = False
    for _ in range(12):
        cluster.advance(1)
        compared += _compare_everywhere(cluster)
        two_pods_seen = two_pods_seen or any(
            len(keys) > 1 for keys in cluster.store.pods_of_owner(ds["metadata"]["uid"]).values())
    assert two_pods_seen  # the surge put a second pod on a node: the general branch ran
    cluster.delete("Pod", "default", cluster.pods_of("surge")[0]["metadata"]["name"])
    compared += _compare_everywhere(cluster)
    cluster.remove_node("n5")
    cluster.advance(2)
    compared += _compare_everywhere(cluster)
    assert compared > 200
