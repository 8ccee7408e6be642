"""Readiness probes that fail while the application warms up (controller/prober.py).

The words are the kubelet prober's: `Unhealthy` / "Readiness probe failed: ..." with the
http and tcp dialers' errors for a port nobody listens on yet. minReadySeconds then
counts from the moment the pod turned Ready (upstream's podutil.IsPodAvailable).
"""

from __future__ import annotations

import pytest
from sim_builders import make_daemonset

from dstutor.controller.prober import (
    READY_AFTER_ANNOTATION,
    ProbePlan,
    failure_output,
    plan,
    readiness_delay,
    warmup_seconds,
)
from dstutor.model.objects import Obj, pod_condition
from dstutor.sim.cluster import Cluster


def probed_daemonset(ready_after: str = "20s", *, min_ready: int | None = None,
                     image: str = "nginx:1.27") -> Obj:
    ds = make_daemonset("web", image=image, labels={"app": "web"}, strategy="RollingUpdate",
                        max_unavailable=1, min_ready_seconds=min_ready)
    template = ds["spec"]["template"]
    template["metadata"]["annotations"] = {READY_AFTER_ANNOTATION: ready_after}
    template["spec"]["containers"][0].update({
        "ports": [{"name": "http", "containerPort": 8080}],
        "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"},
                           "initialDelaySeconds": 5, "periodSeconds": 5}})
    return ds


@pytest.mark.parametrize(("text", "seconds"), [
    ("20s", 20.0), ("1m30s", 90.0), ("15", 15.0), ("", 0.0), ("soon", 0.0), ("-5", 0.0),
    ("2h", 7200.0), ("1.5s", 1.5)])
def test_warmup_annotation(text: str, seconds: float) -> None:
    pod = {"metadata": {"annotations": {READY_AFTER_ANNOTATION: text}}}
    assert warmup_seconds(pod) == seconds


def test_probe_plan_follows_initial_delay_and_period() -> None:
    container = {"readinessProbe": {"initialDelaySeconds": 5, "periodSeconds": 5}}
    assert plan(container, 20.0).failures == (5.0, 10.0, 15.0)
    assert plan(container, 20.0).ready_after == 20.0
    assert plan(container, 0.0).ready_after == 5.0  # the first probe succeeds
    assert plan({}, 20.0).ready_after == 0.0  # no probe: ready once running
    assert plan({"readinessProbe": {}}, 25.0).failures == (0.0, 10.0, 20.0)


def test_failure_words() -> None:
    http = {"ports": [{"name": "http", "containerPort": 8080}],
            "readinessProbe": {"httpGet": {"path": "/ready", "port": "http"}}}
    assert failure_output(http, "10.244.1.5") == (
        'Get "http://10.244.1.5:8080/ready": dial tcp 10.244.1.5:8080: connect: connection '
        "refused")
    tcp = {"readinessProbe": {"tcpSocket": {"port": 9100}}}
    assert failure_output(tcp, "10.244.1.5") == (
        "dial tcp 10.244.1.5:9100: connect: connection refused")
    assert failure_output({"readinessProbe": {"exec": {"command": ["true"]}}}, "ip") == ""


def test_a_slow_pod_is_unready_for_its_warm_up_with_unhealthy_events() -> None:
    cluster = Cluster()
    cluster.add_node("node-0", ready=True)
    cluster.create(probed_daemonset())
    cluster.advance(10)
    [pod] = cluster.pods_of("web")
    assert readiness_delay(pod) == 20.0
    ready = pod_condition(pod, "Ready")
    assert pod["status"]["phase"] == "Running" and ready is not None
    assert ready["status"] == "False"
    cluster.advance(20)
    [pod] = cluster.pods_of("web")
    assert pod_condition(pod, "Ready")["status"] == "True"  # type: ignore[index]
    [event] = [e for e in cluster.store.list("Event") if e["reason"] == "Unhealthy"]
    ip = pod["status"]["podIP"]
    assert (event["type"], event["count"], event["message"]) == (
        "Warning", 3, f'Readiness probe failed: Get "http://{ip}:8080/ready": dial tcp '
        f"{ip}:8080: connect: connection refused")
    assert event["involvedObject"]["fieldPath"] == "spec.containers{foo}"
    assert event["source"] == {"component": "kubelet", "host": "node-0"}


def test_min_ready_seconds_counts_from_ready() -> None:
    cluster = Cluster()
    cluster.add_node("node-0", ready=True)
    cluster.create(probed_daemonset(min_ready=30))
    # Pulled and started after ~3 s, Ready 20 s later, available 30 s after that.
    cluster.advance(40)
    status = cluster.get("DaemonSet", "default", "web")["status"]
    assert (status["numberReady"], status.get("numberAvailable", 0)) == (1, 0)
    cluster.advance(15)
    status = cluster.get("DaemonSet", "default", "web")["status"]
    assert status["numberAvailable"] == 1


def test_a_rollout_waits_for_each_pod_to_warm_up() -> None:
    cluster = Cluster()
    for name in ("node-0", "node-1"):
        cluster.add_node(name, ready=True)
    cluster.create(probed_daemonset())
    cluster.advance(60)
    ds = cluster.get("DaemonSet", "default", "web")
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    cluster.update(ds)
    cluster.advance(15)
    images = sorted(p["spec"]["containers"][0]["image"] for p in cluster.pods_of("web")
                    if not p["metadata"].get("deletionTimestamp"))
    # maxUnavailable 1: the second node waits while the first new pod warms up.
    assert images == ["nginx:1.27", "nginx:1.28"]
    cluster.advance(60)
    assert {p["spec"]["containers"][0]["image"] for p in cluster.pods_of("web")} == {
        "nginx:1.28"}


def test_each_container_warms_up_on_its_own() -> None:
    """The kubelet keeps each container's readiness apart: a sidecar without a probe is
    ready once it runs (READY 1/2), and only the probed container gets Unhealthy events."""
    cluster = Cluster()
    cluster.add_node("node-0", ready=True)
    ds = probed_daemonset()
    ds["spec"]["template"]["spec"]["containers"].append({"name": "sidecar",
                                                         "image": "busybox:1.36"})
    cluster.create(ds)
    cluster.advance(10)
    [pod] = cluster.pods_of("web")
    ready = {cs["name"]: cs["ready"] for cs in pod["status"]["containerStatuses"]}
    assert ready == {"foo": False, "sidecar": True}
    assert pod_condition(pod, "Ready")["message"] == (  # type: ignore[index]
        "containers with unready status: [foo]")
    cluster.advance(20)
    [pod] = cluster.pods_of("web")
    assert all(cs["ready"] for cs in pod["status"]["containerStatuses"])
    unhealthy = [e for e in cluster.store.list("Event") if e["reason"] == "Unhealthy"]
    assert [e["involvedObject"]["fieldPath"] for e in unhealthy] == ["spec.containers{foo}"]


# --- after upstream pkg/kubelet/prober/worker_test.go ------------------------------------


def test_initial_delay() -> None:
    """TestInitialDelay (readiness): during initialDelaySeconds the result is Failure and no
    probe runs; after it, the first probe of an answering container succeeds."""
    container = {"readinessProbe": {"initialDelaySeconds": 10}}
    assert plan(container, 0.0) == ProbePlan((), 10.0)
    cluster = Cluster()
    cluster.add_node("node-0", ready=True)
    ds = probed_daemonset(ready_after="0s")
    ds["spec"]["template"]["spec"]["containers"][0]["readinessProbe"][
        "initialDelaySeconds"] = 10
    cluster.create(ds)
    cluster.advance(8)  # pulled and started after ~3 s: still inside the delay
    [pod] = cluster.pods_of("web")
    assert pod["status"]["phase"] == "Running"
    assert pod_condition(pod, "Ready")["status"] == "False"  # type: ignore[index]
    cluster.advance(10)
    [pod] = cluster.pods_of("web")
    assert pod_condition(pod, "Ready")["status"] == "True"  # type: ignore[index]
    assert not [e for e in cluster.store.list("Event") if e["reason"] == "Unhealthy"]


@pytest.mark.parametrize(("threshold", "ready_after"), [(1, 20.0), (3, 30.0)])
def test_success_threshold(threshold: int, ready_after: float) -> None:
    """TestSuccessThreshold: readiness turns Success only at the successThreshold-th
    success in a row; the successes before it leave the result Failure."""
    container = {"readinessProbe": {"initialDelaySeconds": 5, "periodSeconds": 5,
                                    "successThreshold": threshold}}
    result = plan(container, 20.0)
    assert result.failures == (5.0, 10.0, 15.0)
    assert result.ready_after == ready_after


def test_success_threshold_delays_ready_in_the_cluster() -> None:
    cluster = Cluster()
    cluster.add_node("node-0", ready=True)
    ds = probed_daemonset()
    ds["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["successThreshold"] = 3
    cluster.create(ds)
    cluster.advance(30)  # started ~3 s, first success at 20 s: two more to go
    [pod] = cluster.pods_of("web")
    assert pod_condition(pod, "Ready")["status"] == "False"  # type: ignore[index]
    cluster.advance(10)
    [pod] = cluster.pods_of("web")
    assert pod_condition(pod, "Ready")["status"] == "True"  # type: ignore[index]
    [event] = [e for e in cluster.store.list("Event") if e["reason"] == "Unhealthy"]
    assert event["count"] == 3  # successes are not events; only the three failures
