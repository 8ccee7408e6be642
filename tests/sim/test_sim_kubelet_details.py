"""Small kubelet texts a learner reads in describe: the ContainersNotReady message is Go's
rendering of a list ("[a b]"), and only a container that runs gets a Killing event."""

from __future__ import annotations

from dstutor.model.objects import pod_condition
from dstutor.sim.cluster import Cluster


def _pod(name: str, *images: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": f"c{i}", "image": image}
                                    for i, image in enumerate(images)]}}


def _cluster() -> Cluster:
    cluster = Cluster(missing_images=["missing:1"])
    cluster.add_node("n1", ready=True)
    return cluster


def _killing(cluster: Cluster, pod_name: str) -> list[str]:
    return [e["message"] for e in cluster.store.list("Event")
            if e["reason"] == "Killing" and e["involvedObject"]["name"] == pod_name]


def test_containers_not_ready_message_lists_names_as_go_prints_a_slice() -> None:
    cluster = _cluster()
    cluster.create(_pod("two", "busybox:1", "busybox:2"))
    cluster.advance(1)  # admitted, still pulling
    cond = pod_condition(cluster.get("Pod", "default", "two"), "Ready")
    assert cond is not None
    assert (cond["reason"], cond["message"]) == ("ContainersNotReady",
                                                 "containers with unready status: [c0 c1]")


def test_deleting_a_pod_that_never_started_has_nothing_to_kill() -> None:
    cluster = _cluster()
    cluster.create(_pod("stuck", "missing:1"))
    cluster.advance(30)
    cluster.delete("Pod", "default", "stuck")
    cluster.advance(5)
    assert _killing(cluster, "stuck") == []


def test_deleting_a_running_pod_stops_its_container() -> None:
    cluster = _cluster()
    cluster.create(_pod("web", "nginx:1"))
    cluster.advance(10)
    cluster.delete("Pod", "default", "web")
    cluster.advance(5)
    assert _killing(cluster, "web") == ["Stopping container c0"]


def test_a_pod_gets_its_ip_with_its_sandbox_before_any_pull() -> None:
    cluster = _cluster()
    cluster.create(_pod("pulling", "busybox:1"))
    cluster.create(_pod("stuck", "missing:1"))
    cluster.advance(1)
    pulling = cluster.get("Pod", "default", "pulling")
    assert pulling["status"]["containerStatuses"][0]["state"]["waiting"]["reason"] == (
        "ContainerCreating")
    assert pulling["status"]["podIP"]
    cluster.advance(30)
    stuck = cluster.get("Pod", "default", "stuck")
    assert stuck["status"]["podIP"] and stuck["status"]["podIP"] != pulling["status"]["podIP"]
    cluster.advance(10)
    # The IP stays the pod's own once its container runs.
    assert cluster.get("Pod", "default", "pulling")["status"]["podIP"] == pulling["status"][
        "podIP"]
