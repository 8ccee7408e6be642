"""DaemonSet pods are stored as the API server would store them: SetDefaults_Pod applies.

Upstream the controller's pods go through the API server, so the Pod-only defaults that
a template never gets (requests copied from limits, enableServiceLinks, hostNetwork
hostPorts) are on every daemon pod, and the scheduler and QoS class see them.
"""

from __future__ import annotations

from sim_builders import make_daemonset

from dstutor.model.objects import Obj, clone, pod_condition
from dstutor.sim.cluster import Cluster

INSUFFICIENT_CPU = ("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are "
                    "available: 1 No preemption victims found for incoming pod.")


def _limits_only(name: str, limits: dict[str, str]) -> Obj:
    """A DaemonSet whose one container sets resources.limits and no requests."""
    ds = make_daemonset(name, labels={"app": name})
    ds["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": dict(limits)}
    return ds


def _small_cluster() -> Cluster:
    cluster = Cluster()
    cluster.add_node("small", ready=True, capacity={"cpu": "1", "memory": "1Gi"})
    return cluster


def test_a_limits_only_daemon_pod_too_big_for_its_node_stays_pending() -> None:
    cluster = _small_cluster()
    cluster.create(_limits_only("big", {"cpu": "2"}))
    cluster.advance()
    [pod] = cluster.pods_of("big")
    assert pod["status"]["phase"] == "Pending"
    assert not pod["spec"].get("nodeName")
    cond = pod_condition(pod, "PodScheduled")
    assert cond is not None
    assert (cond["status"], cond["reason"], cond["message"]) == (
        "False", "Unschedulable", INSUFFICIENT_CPU)


def test_a_daemon_pod_and_a_bare_pod_with_the_same_spec_are_scheduled_alike() -> None:
    cluster = _small_cluster()
    ds = _limits_only("big", {"cpu": "2"})
    cluster.create(ds)
    bare = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "bare"},
            "spec": clone(ds["spec"]["template"]["spec"])}
    cluster.create(bare)
    cluster.advance()
    [daemon_pod] = cluster.pods_of("big")
    bare_pod = cluster.get("Pod", "default", "bare")
    for pod in (daemon_pod, bare_pod):
        cond = pod_condition(pod, "PodScheduled")
        assert cond is not None and cond["message"] == INSUFFICIENT_CPU


def test_a_daemon_pod_gets_requests_from_limits_and_service_links() -> None:
    cluster = _small_cluster()
    cluster.create(_limits_only("fits", {"cpu": "500m", "memory": "128Mi"}))
    cluster.advance()
    [pod] = cluster.pods_of("fits")
    assert pod["status"]["phase"] == "Running"
    spec = pod["spec"]
    assert spec["enableServiceLinks"] is True
    assert spec["containers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "128Mi"},
        "requests": {"cpu": "500m", "memory": "128Mi"}}
    # Requests equal to limits for cpu and memory on every container: Guaranteed.
    assert pod["status"]["qosClass"] == "Guaranteed"
    # The DaemonSet's own template is a template: it gets none of this.
    ds = cluster.get("DaemonSet", "default", "fits")
    template_spec = ds["spec"]["template"]["spec"]
    assert "enableServiceLinks" not in template_spec
    assert "requests" not in template_spec["containers"][0]["resources"]


def test_a_request_already_set_is_kept_and_only_missing_ones_are_copied() -> None:
    cluster = _small_cluster()
    ds = _limits_only("mixed", {"cpu": "500m", "memory": "128Mi"})
    ds["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"] = {"cpu": "100m"}
    cluster.create(ds)
    cluster.advance()
    [pod] = cluster.pods_of("mixed")
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {
        "cpu": "100m", "memory": "128Mi"}
    assert pod["status"]["qosClass"] == "Burstable"


def test_an_explicit_enable_service_links_false_is_kept() -> None:
    cluster = _small_cluster()
    ds = make_daemonset("quiet", labels={"app": "quiet"})
    ds["spec"]["template"]["spec"]["enableServiceLinks"] = False
    cluster.create(ds)
    cluster.advance()
    [pod] = cluster.pods_of("quiet")
    assert pod["spec"]["enableServiceLinks"] is False


def test_a_host_network_daemon_pod_gets_host_ports() -> None:
    cluster = _small_cluster()
    ds = make_daemonset("net", labels={"app": "net"}, host_network=True)
    ds["spec"]["template"]["spec"]["containers"][0]["ports"] = [
        {"containerPort": 9100}, {"containerPort": 53, "protocol": "UDP"}]
    cluster.create(ds)
    cluster.advance()
    [pod] = cluster.pods_of("net")
    assert pod["spec"]["containers"][0]["ports"] == [
        {"containerPort": 9100, "hostPort": 9100, "protocol": "TCP"},
        {"containerPort": 53, "hostPort": 53, "protocol": "UDP"}]
    template_ports = cluster.get("DaemonSet", "default", "net")["spec"]["template"]["spec"][
        "containers"][0]["ports"]
    assert all("hostPort" not in p for p in template_ports)


def test_without_host_network_container_ports_get_no_host_port() -> None:
    cluster = _small_cluster()
    ds = make_daemonset("plain", labels={"app": "plain"})
    ds["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"containerPort": 8080}]
    cluster.create(ds)
    cluster.advance()
    [pod] = cluster.pods_of("plain")
    assert pod["spec"]["containers"][0]["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]


def test_a_deployment_pod_gets_the_pod_only_defaults_too() -> None:
    # The ReplicaSet's pods pass through the API server just the same.
    cluster = _small_cluster()
    cluster.create({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}},
                              "spec": {"containers": [{
                                  "name": "web", "image": "nginx",
                                  "resources": {"limits": {"cpu": "2"}}}]}}}})
    cluster.advance()
    [pod] = cluster.store.list("Pod")
    assert pod["spec"]["enableServiceLinks"] is True
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "2"}
    assert pod["status"]["qosClass"] == "Burstable"  # Guaranteed needs a memory limit too
    cond = pod_condition(pod, "PodScheduled")
    assert cond is not None and cond["message"] == INSUFFICIENT_CPU
