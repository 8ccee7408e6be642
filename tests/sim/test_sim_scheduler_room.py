"""The scheduler's pod limit: a node full of pods leaves a daemon pod Pending with the
scheduler's reason, whether or not the quick "plenty of room" check applies."""

from __future__ import annotations

import pytest
from sim_builders import make_daemonset

from dstutor.controller.scheduler import filter_node_room, room_is_certain
from dstutor.model.objects import pod_condition
from dstutor.sim.cluster import Cluster

TOO_MANY = ("0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: "
            "1 No preemption victims found for incoming pod.")


def test_a_daemon_pod_over_the_node_pod_limit_stays_pending() -> None:
    cluster = Cluster()
    cluster.add_node("small", ready=True, capacity={"pods": "2"})
    for name in ("a", "b", "c"):
        cluster.create(make_daemonset(name, image=name, labels={"app": name}))
    cluster.advance()
    phases = {p["metadata"]["labels"]["app"]: p["status"]["phase"]
              for p in cluster.store.list("Pod")}
    assert phases == {"a": "Running", "b": "Running", "c": "Pending"}
    pending = cluster.pods_of("c")[0]
    cond = pod_condition(pending, "PodScheduled")
    assert cond is not None and (cond["status"], cond["reason"]) == ("False", "Unschedulable")
    assert cond["message"] == TOO_MANY


def _pod(cpu: str | None = None) -> dict:
    container: dict = {"name": "c", "image": "i"}
    if cpu:
        container["resources"] = {"requests": {"cpu": cpu}}
    return {"spec": {"containers": [container]}, "status": {"phase": "Pending"}}


def _node(pods: str) -> dict:
    return {"status": {"allocatable": {"pods": pods, "cpu": "2"}}}


@pytest.mark.parametrize("limit", [1, 2, 3, 10])
@pytest.mark.parametrize("indexed", [0, 1, 2, 3, 9, 10])
@pytest.mark.parametrize("cpu", [None, "500m"])
def test_room_is_certain_only_when_counting_could_not_refuse(limit: int, indexed: int,
                                                              cpu: str | None) -> None:
    pod, node = _pod(cpu), _node(str(limit))
    running = [_pod() | {"status": {"phase": "Running"}} for _ in range(indexed)]
    certain = room_is_certain(pod, node, indexed)
    assert certain == (cpu is None and indexed + 1 <= limit)
    if certain:
        # Any subset of the indexed pods (the bound, live ones) passes the real count.
        assert filter_node_room(pod, node, running) == []
    elif cpu is None:
        assert filter_node_room(pod, node, running) == ["Too many pods"]
