"""Containers are independent, as the kubelet keeps them: a crash or a missing image in one
container of a pod affects that container only, with its own state, restarts, back-off and
events; imagePullPolicy Always pulls on every start; every pull retry records Pulling; the
waiting message is the runtime's error (wrapped as prevPullErrMsg during back-off)."""

from __future__ import annotations

from dstutor.controller.kubelet import pull_error, runtime_ref
from dstutor.model.objects import pod_condition
from dstutor.sim.cluster import Cluster

CRASHING = "example.com/log-shipper:2.0"
MISSING = "example.com/nope:1"


def _cluster() -> Cluster:
    cluster = Cluster(missing_images=[MISSING], crashing_images=[CRASHING, "crashy"])
    cluster.add_node("n1", ready=True)
    return cluster


def _pod(*containers: tuple[str, str]) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": n, "image": i} for n, i in containers]}}


def _statuses(cluster: Cluster) -> dict[str, dict]:
    pod = cluster.get("Pod", "default", "p")
    return {cs["name"]: cs for cs in pod["status"]["containerStatuses"]}


def _events(cluster: Cluster, reason: str, container: str) -> list[dict]:
    return [e for e in cluster.list("Event", "default")
            if e["reason"] == reason and e["involvedObject"].get("fieldPath")
            == f"spec.containers{{{container}}}"]


def test_a_crashing_sidecar_leaves_its_neighbour_running() -> None:
    cluster = _cluster()
    cluster.create(_pod(("app", "nginx:1.27"), ("sidecar", CRASHING)))
    cluster.advance(30)
    pod = cluster.get("Pod", "default", "p")
    cs = _statuses(cluster)
    assert "running" in cs["app"]["state"] and cs["app"]["ready"]
    assert cs["app"]["restartCount"] == 0 and cs["app"]["lastState"] == {}
    assert cs["sidecar"]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["sidecar"]["restartCount"] >= 2 and not cs["sidecar"]["ready"]
    assert cs["sidecar"]["lastState"]["terminated"]["exitCode"] == 1
    # Every container has started: one running, one restarting -> Running (getPhase).
    assert pod["status"]["phase"] == "Running"
    ready = pod_condition(pod, "ContainersReady")
    assert ready is not None and ready["message"] == "containers with unready status: [sidecar]"
    # Back-off is the sidecar's alone.
    assert _events(cluster, "BackOff", "sidecar") and not _events(cluster, "BackOff", "app")
    assert cs["app"]["containerID"] != cs["sidecar"]["lastState"]["terminated"]["containerID"]


def test_a_missing_image_in_one_container_keeps_the_pod_pending() -> None:
    cluster = _cluster()
    cluster.create(_pod(("app", "nginx:1.27"), ("broken", MISSING)))
    cluster.advance(2)  # the first pull has just failed
    cs = _statuses(cluster)
    assert cs["broken"]["state"]["waiting"] == {"reason": "ErrImagePull",
                                                "message": pull_error(MISSING)}
    cluster.advance(2)
    cs = _statuses(cluster)
    assert "running" in cs["app"]["state"] and cs["app"]["ready"]
    assert cs["broken"]["state"]["waiting"] == {
        "reason": "ImagePullBackOff",
        "message": f'Back-off pulling image "{MISSING}": {pull_error(MISSING)}'}
    # One container never started: the pod stays Pending (getPhase counts it waiting).
    assert cluster.get("Pod", "default", "p")["status"]["phase"] == "Pending"
    cluster.advance(70)
    # Pulling is recorded at the first pull (0 s) and again at every retry, after back-offs
    # of 10, 20 and 40 s (12 s, 32 s, 72 s).
    assert _events(cluster, "Pulling", "broken")[0]["count"] == 4
    assert _events(cluster, "Pulling", "app")[0]["count"] == 1


def test_image_pull_policy_always_pulls_on_every_start() -> None:
    cluster = _cluster()
    cluster.create(_pod(("app", "crashy")))  # untagged: imagePullPolicy Always
    cluster.advance(40)
    pulled = _events(cluster, "Pulled", "app")
    assert pulled and all(e["message"].startswith('Successfully pulled image "crashy:latest"')
                          for e in pulled)
    starts = sum(e["count"] for e in _events(cluster, "Started", "app"))
    pulls = sum(e["count"] for e in pulled)
    assert starts >= 3 and pulls == starts


def test_runtime_references_are_fully_qualified() -> None:
    assert runtime_ref("nginx") == "docker.io/library/nginx:latest"
    assert runtime_ref("bitnami/redis:7") == "docker.io/bitnami/redis:7"
    assert runtime_ref("registry.k8s.io/pause:3.10") == "registry.k8s.io/pause:3.10"
    assert runtime_ref("localhost:5000/x") == "localhost:5000/x:latest"


def test_a_long_crash_loop_writes_the_back_off_as_a_go_duration() -> None:
    # The kubelet formats its back-off with time.Duration.String(): 1m20s, 2m40s, 5m0s.
    cluster = _cluster()
    cluster.create(_pod(("app", CRASHING)))
    seen = set()
    for _ in range(120):
        cluster.advance(10)
        waiting = _statuses(cluster)["app"]["state"].get("waiting") or {}
        if waiting.get("reason") == "CrashLoopBackOff":
            seen.add(waiting["message"].split()[1])
    assert {"10s", "20s", "40s", "1m20s", "2m40s", "5m0s"} <= seen
    assert not any(s.endswith("0s") and s[:-1].isdigit() and int(s[:-1]) >= 60 for s in seen)
