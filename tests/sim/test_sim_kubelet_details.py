"""Small kubelet texts a learner reads in describe: the ContainersNotReady message is Go's
rendering of a list ("[a b]"), and only a container that runs gets a Killing event."""

from __future__ import annotations

from dstutor.controller.kubelet import image_size
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


def _kubelet_events(cluster: Cluster, pod_name: str) -> list[tuple[str, str, str]]:
    return [(e["reason"], e["involvedObject"].get("fieldPath", ""), e["message"])
            for e in sorted(cluster.store.list("Event"), key=lambda e: e["metadata"]["name"])
            if e["involvedObject"]["name"] == pod_name and e["source"]["component"] == "kubelet"]


def test_container_events_name_their_container_in_v1_37_words() -> None:
    cluster = _cluster()
    cluster.create(_pod("first", "nginx:1"))
    cluster.advance(10)
    cluster.create(_pod("second", "nginx:1"))  # same node: the image is there now
    cluster.advance(10)
    size = image_size("nginx:1")
    assert _kubelet_events(cluster, "first") == [
        ("Pulling", "spec.containers{c0}", 'Pulling image "nginx:1"'),
        ("Pulled", "spec.containers{c0}", 'Successfully pulled image "nginx:1" in 2s (2s '
         f"including waiting). Image size: {size} bytes."),
        ("Created", "spec.containers{c0}", "Container created"),
        ("Started", "spec.containers{c0}", "Container started")]
    assert _kubelet_events(cluster, "second") == [
        ("Pulled", "spec.containers{c0}",
         'Container image "nginx:1" already present on machine and can be accessed by the pod'),
        ("Created", "spec.containers{c0}", "Container created"),
        ("Started", "spec.containers{c0}", "Container started")]
    assert 10_000_000 <= size < 100_000_000 and size == image_size("nginx:1")


def test_a_restart_checks_the_image_again() -> None:
    cluster = Cluster(crashing_images=["crash:1"])
    cluster.add_node("n1", ready=True)
    cluster.create(_pod("loop", "crash:1"))
    cluster.advance(20)
    counts = {(e["reason"], e["message"].split(" ")[0]): e.get("count", 1)
              for e in cluster.store.list("Event") if e["involvedObject"]["name"] == "loop"}
    created = counts[("Created", "Container")]
    assert created >= 2 and counts[("Started", "Container")] == created
    assert counts[("Pulled", "Successfully")] == 1
    assert counts[("Pulled", "Container")] == created - 1  # each restart finds it present
