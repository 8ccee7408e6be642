"""A pod whose container image a user changes (`kubectl set image pod/...`, patch,
apply): the kubelet restarts that container (controller/kubelet_restart.py).

Upstream's kubelet (pkg/kubelet/kuberuntime/kuberuntime_manager.go, computePodActions)
sees the container's spec hash differ from the running container's (containerChanged),
kills it with `Killing` "Container web definition changed, will be restarted" and starts
it again from the new spec: the image pull (or "already present on machine"), Created,
Started, restartCount + 1, the old container as lastState. The simulator's clock: the
stop takes terminationSeconds (1 s), a pull imagePullSeconds (2 s), a start
containerStartSeconds (1 s).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstutor.model.objects import DAEMONSET_UNIQUE_LABEL, Obj
from dstutor.model.timefmt import to_rfc3339
from dstutor.shell.session import Session
from dstutor.sim.clusterfile import build_cluster, default_spec

MISSING, CRASHING = "registry.example/missing:1", "registry.example/crashy:1"
MISSING2 = "registry.example/missing:2"
NGINX_OLD, NGINX_NEW = "nginx:1.25", "nginx:1.27"
Counts = dict[tuple[str, str], int]


def _session(*, workers: int = 1) -> Session:
    spec = default_spec(workers)
    spec.missing_images, spec.crashing_images = [MISSING, MISSING2], [CRASHING]
    return Session(build_cluster(spec))


def _run(session: Session, line: str) -> str:
    result = session.handle_line(line)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def _web(session: Session, image: str = NGINX_OLD, policy: str | None = None,
         running: bool = True) -> float:
    """A running pod `web` (one container `web`); returns the instant it settled."""
    manifest = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
                f"  - name: web\n    image: {image}\n")
    if policy:
        manifest += f"    imagePullPolicy: {policy}\n"
    _run(session, f"kubectl apply -f - <<EOF\n{manifest}EOF")
    _run(session, "advance 10s")
    if running:
        assert _pod_line(session).split()[1:4] == ["1/1", "Running", "0"]
    return session.cluster.now()


def _pod(session: Session, name: str = "web", namespace: str = "default") -> Obj:
    return session.cluster.get("Pod", namespace, name)


def _status(session: Session) -> Obj:
    [cs] = _pod(session)["status"]["containerStatuses"]
    return cs


def _pod_line(session: Session) -> str:
    return _run(session, "kubectl get pod web").splitlines()[-1]


def _counts(session: Session) -> Counts:
    return {(e["reason"], e["message"]): int(e.get("count") or 1)
            for e in session.cluster.list("Event", "default")
            if e["involvedObject"]["name"] == "web"}


def _new_events(before: Counts, after: Counts) -> set[tuple[str, str]]:
    return {key for key, count in after.items() if count > before.get(key, 0)}


def _advance(session: Session, seconds: int = 1) -> set[tuple[str, str]]:
    """Let `seconds` pass; the events that happened meanwhile."""
    before = _counts(session)
    _run(session, f"advance {seconds}s")
    return _new_events(before, _counts(session))


def _set_image(session: Session, image: str, line: str = "") -> set[tuple[str, str]]:
    before = _counts(session)
    out = _run(session, line or f"kubectl set image pod/web web={image}")
    assert out in ("pod/web image updated\n", "pod/web patched\n", "pod/web configured\n")
    return _new_events(before, _counts(session))


KILLING = ("Killing", "Container web definition changed, will be restarted")
CREATED_STARTED = {("Created", "Container created"), ("Started", "Container started")}


def _pulling(image: str) -> tuple[str, str]:
    return ("Pulling", f'Pulling image "{image}"')


def _pulled(image: str, size: int) -> tuple[str, str]:
    return ("Pulled", f'Successfully pulled image "{image}" in 2s (2s including waiting). '
                      f"Image size: {size} bytes.")


def _present(image: str) -> tuple[str, str]:
    return ("Pulled", f'Container image "{image}" already present on machine and can be '
                      "accessed by the pod")


# --- the restart, step by step -------------------------------------------------------------


UPDATES = [
    "kubectl set image pod/web web=nginx:1.27",
    "kubectl patch pod web -p '{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}'",
    "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n"
    "  containers:\n  - name: web\n    image: nginx:1.27\nEOF",
]


@pytest.mark.parametrize("line", UPDATES, ids=["set-image", "patch", "apply"])
def test_a_new_image_restarts_the_container_step_by_step(line: str) -> None:
    session = _session()
    t0 = _web(session)
    old = dict(_status(session))
    started = old["state"]["running"]["startedAt"]

    # t0: the kubelet sees the new spec at once and kills the container; until it has
    # stopped, the status is the old container's (running, ready, the old image).
    assert _set_image(session, NGINX_NEW, line) == {KILLING}
    cs = _status(session)
    assert (cs["image"], cs["ready"], cs["restartCount"]) == (NGINX_OLD, True, 0)
    assert cs["state"] == {"running": {"startedAt": started}}
    pod = _pod(session)
    assert pod["metadata"]["generation"] == 2 == pod["status"]["observedGeneration"]
    assert _pod_line(session) == "web    1/1     Running   0          10s"

    # t0+1 s: stopped (exit 0); the restart shows, and the new image's pull begins.
    assert _advance(session) == {_pulling(NGINX_NEW)}
    cs = _status(session)
    assert cs["lastState"] == {"terminated": {
        "exitCode": 0, "reason": "Completed", "startedAt": started,
        "finishedAt": to_rfc3339(t0 + 1), "containerID": old["containerID"]}}
    assert (cs["image"], cs["imageID"], cs["ready"], cs["started"], cs["restartCount"]) == (
        NGINX_NEW, "", False, False, 1)
    assert cs["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert _pod_line(session) == "web    0/1     ContainerCreating   1 (0s ago)   11s"
    assert _pod(session)["status"]["phase"] == "Running"

    assert _advance(session) == set()
    assert _advance(session) == {_pulled(NGINX_NEW, 72019371)}  # t0+3 s
    assert _pod_line(session) == "web    0/1     ContainerCreating   1 (2s ago)   13s"
    assert _advance(session) == CREATED_STARTED  # t0+4 s
    cs = _status(session)
    assert cs["state"] == {"running": {"startedAt": to_rfc3339(t0 + 4)}}
    assert (cs["image"], cs["imageID"], cs["ready"], cs["started"], cs["restartCount"]) == (
        NGINX_NEW, "nginx:1.27@sha256:000000000000", True, True, 1)
    assert _pod_line(session) == "web    1/1     Running   1 (3s ago)   14s"
    assert _advance(session, 60) == set()  # and it stays running
    assert _pod(session)["metadata"]["uid"] == pod["metadata"]["uid"]


def test_describe_and_get_events_show_the_restart() -> None:
    session = _session()
    _web(session)
    _set_image(session, NGINX_NEW)
    _advance(session, 4)
    out = _run(session, "kubectl describe pod web")
    assert (
        "    State:          Running\n"
        "      Started:      Thu, 01 Jan 2026 00:00:17 +0000\n"
        "    Last State:     Terminated\n"
        "      Reason:       Completed\n"
        "      Exit Code:    0\n"
        "      Started:      Thu, 01 Jan 2026 00:00:06 +0000\n"
        "      Finished:     Thu, 01 Jan 2026 00:00:14 +0000\n"
        "    Ready:          True\n"
        "    Restart Count:  1\n") in out
    assert out.endswith(
        "  Normal  Killing    4s                kubelet            spec.containers{web}: "
        "Container web definition changed, will be restarted\n"
        "  Normal  Pulling    3s                kubelet            spec.containers{web}: "
        'Pulling image "nginx:1.27"\n'
        "  Normal  Pulled     1s                kubelet            spec.containers{web}: "
        'Successfully pulled image "nginx:1.27" in 2s (2s including waiting). '
        "Image size: 72019371 bytes.\n"
        "  Normal  Created    0s (x2 over 11s)  kubelet            spec.containers{web}: "
        "Container created\n"
        "  Normal  Started    0s (x2 over 11s)  kubelet            spec.containers{web}: "
        "Container started\n")
    events = _run(session, "kubectl get events --field-selector reason=Killing")
    assert events == (
        "LAST SEEN   TYPE     REASON    OBJECT    MESSAGE\n"
        "4s          Normal   Killing   pod/web   Container web definition changed, will be "
        "restarted\n")


def test_previous_logs_of_the_stopped_container_show_no_crash() -> None:
    session = _session()
    _web(session)
    _set_image(session, NGINX_NEW)
    _advance(session, 5)
    previous = _run(session, "kubectl logs web -p")
    # Its lines up to its stop at 00:00:14 (exit 0), without the crash line a container
    # that exited non-zero ends with.
    assert previous.endswith("2026/01/01 00:00:06 [notice] 1#1: start worker processes\n")
    assert "[emerg]" not in previous


def test_an_unchanged_image_or_another_field_restarts_nothing() -> None:
    session = _session()
    _web(session)
    # The same image again: no spec change, no new generation, nothing to do.
    assert _set_image(session, NGINX_OLD) == set()
    # An added toleration changes the spec (generation 2) but no container's definition.
    patch = {"spec": {"tolerations": [{"key": "a", "operator": "Exists",
                                       "effect": "NoSchedule"}]}}
    _run(session, f"kubectl patch pod web -p '{json.dumps(patch)}'")
    assert _pod(session)["metadata"]["generation"] == 2
    assert _advance(session, 30) == set()
    assert (_status(session)["restartCount"], _pod(session)["status"]["observedGeneration"]) == (
        0, 2)


def test_only_the_changed_container_restarts() -> None:
    session = _session()
    manifest = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
                "  - name: web\n    image: nginx:1.25\n  - name: side\n    image: busybox:1.36\n")
    _run(session, f"kubectl apply -f - <<EOF\n{manifest}EOF")
    _run(session, "advance 10s")
    _run(session, "kubectl set image pod/web side=busybox:1.37")
    _run(session, "advance 1s")
    assert _pod_line(session) == "web    1/2     ContainerCreating   1 (0s ago)   11s"
    _run(session, "advance 3s")
    assert _pod_line(session) == "web    2/2     Running   1 (3s ago)   14s"
    web, side = _pod(session)["status"]["containerStatuses"]
    assert (web["restartCount"], web["lastState"], web["image"]) == (0, {}, "nginx:1.25")
    assert (side["restartCount"], side["image"]) == (1, "busybox:1.37")
    killed = [e["involvedObject"]["fieldPath"] for e in session.cluster.list("Event", "default")
              if e["reason"] == "Killing"]
    assert killed == ["spec.containers{side}"]


def test_a_mirror_pods_new_image_changes_nothing_on_the_node() -> None:
    """A static pod runs from the kubelet's file; its mirror's spec is only a copy."""
    session = _session()
    name = "kube-scheduler-control-plane"
    before = dict(_pod(session, name, "kube-system")["status"]["containerStatuses"][0])
    _run(session, f"kubectl set image pod/{name} -n kube-system kube-scheduler=busybox:1.37")
    _run(session, "advance 30s")
    pod = _pod(session, name, "kube-system")
    assert pod["spec"]["containers"][0]["image"] == "busybox:1.37"
    assert pod["status"]["containerStatuses"][0] == before


# --- the image cache and imagePullPolicy ---------------------------------------------------


def test_back_to_the_old_image_is_already_present_under_if_not_present() -> None:
    session = _session()
    _web(session)
    _set_image(session, NGINX_NEW)
    _advance(session, 10)
    assert _set_image(session, NGINX_OLD) == {KILLING}
    # The node still has nginx:1.25 and the policy is IfNotPresent (a tagged image):
    # no pull, the container starts 1 s after it stopped.
    assert _advance(session) == set()
    assert _status(session)["image"] == NGINX_OLD
    assert _advance(session) == {_present(NGINX_OLD)} | CREATED_STARTED
    cs = _status(session)
    assert (cs["image"], cs["restartCount"], cs["ready"]) == (NGINX_OLD, 2, True)
    assert _pod_line(session) == "web    1/1     Running   2 (1s ago)   22s"


def test_policy_always_pulls_even_a_cached_image() -> None:
    session = _session()
    _web(session, policy="Always")
    _set_image(session, NGINX_NEW)
    _advance(session, 10)
    assert _set_image(session, NGINX_OLD) == {KILLING}
    assert _advance(session) == {_pulling(NGINX_OLD)}
    assert _advance(session, 2) == {_pulled(NGINX_OLD, 44826247)}
    assert _advance(session) == CREATED_STARTED
    assert _status(session)["restartCount"] == 2


def test_policy_if_not_present_pulls_an_image_the_node_lacks() -> None:
    session = _session()
    _web(session, policy="IfNotPresent")
    _set_image(session, "nginx")  # untagged, but the pod's policy is already set
    assert _advance(session) == {_pulling("nginx:latest")}
    _advance(session, 3)
    assert _status(session)["image"] == "nginx"
    assert _pod_line(session).startswith("web    1/1     Running   1 (")


# --- missing and crashing images ----------------------------------------------------------


def test_a_missing_image_fails_to_pull_and_a_fixed_one_starts_without_waiting() -> None:
    session = _session()
    _web(session)
    assert _set_image(session, MISSING) == {KILLING}
    assert _advance(session) == {_pulling(MISSING)}
    ref = "registry.example/missing:1"
    error = (f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": '
             f'failed to resolve reference "{ref}": {ref}: not found')
    assert _advance(session, 2) == {("Failed", f'Failed to pull image "{ref}": {error}'),
                                    ("Failed", "Error: ErrImagePull")}
    assert _pod_line(session) == "web    0/1     ErrImagePull   1 (2s ago)   13s"
    assert _advance(session) == {("BackOff", f'Back-off pulling image "{ref}"'),
                                 ("Failed", "Error: ImagePullBackOff")}
    assert _pod_line(session) == "web    0/1     ImagePullBackOff   1 (3s ago)   14s"
    conditions = _pod(session)["status"]["conditions"]
    assert {c["type"]: c["status"] for c in conditions}["Ready"] == "False"
    # The pull back-off is per image: a fixed image is pulled at once, nothing killed.
    assert _set_image(session, NGINX_NEW) == {_pulling(NGINX_NEW)}
    assert _status(session)["image"] == NGINX_NEW
    assert _advance(session, 2) == {_pulled(NGINX_NEW, 72019371)}
    assert _pod_line(session) == "web    0/1     ContainerCreating   1 (5s ago)   16s"
    assert _advance(session) == CREATED_STARTED
    assert _pod_line(session) == "web    1/1     Running   1 (6s ago)   17s"


def test_another_missing_image_starts_its_own_back_off() -> None:
    """The pull back-off is kept per image: after three failed pulls of one image (back-off
    at 40 s), another missing image is pulled at once and waits 10 s, then 20 s."""
    session = _session()
    _web(session, image=MISSING, running=False)  # never ran: ImagePullBackOff from the start
    _run(session, "advance 60s")  # pulls at 0, 12, 24 and 46 s: back-off 40 s now
    assert _pod_line(session).split()[2:4] == ["ImagePullBackOff", "0"]
    assert _set_image(session, MISSING2) == {_pulling(MISSING2)}  # nothing to kill
    assert _status(session)["image"] == MISSING2
    failures, shown = [], "ImagePullBackOff"
    for second in range(1, 40):  # (the events' spam filter is spent: read the status)
        _run(session, "advance 1s")
        reason = _status(session)["state"]["waiting"]["reason"]
        if reason == "ErrImagePull" and shown != reason:
            failures.append(second)
        shown = reason
    # The first pull fails at 2 s; the retries fail as they begin, 10 s and then 20 s
    # later (after 40 s of the old image's back-off, the first retry would be at 82 s).
    assert failures == [2, 12, 32]
    assert _status(session)["restartCount"] == 0


def test_a_crashing_image_loops_and_a_fixed_one_starts_at_once() -> None:
    session = _session()
    _web(session)
    _set_image(session, CRASHING)
    assert _advance(session, 3) == {_pulling(CRASHING), _pulled(CRASHING, 58188775)}
    # It starts, exits, is restarted at once (no back-off yet for the new definition) and
    # exits again: the second attempt of the new definition (upstream counts attempts).
    assert _advance(session) == {_present(CRASHING)} | CREATED_STARTED
    cs = _status(session)
    assert cs["restartCount"] == 2
    assert cs["lastState"]["terminated"]["reason"] == "Error"
    assert _advance(session) >= {("BackOff", "Back-off restarting failed container web in pod "
                                             f"web_default({_pod(session)['metadata']['uid']})")}
    assert _pod_line(session) == "web    0/1     CrashLoopBackOff   2 (1s ago)   15s"
    # The crash back-off is per container hash: the fixed image starts now, not in 10 s.
    assert _set_image(session, NGINX_OLD) == set()  # on the node, IfNotPresent: no pull
    assert _advance(session) == {_present(NGINX_OLD)} | CREATED_STARTED
    cs = _status(session)
    assert (cs["image"], cs["restartCount"], cs["ready"]) == (NGINX_OLD, 3, True)
    assert "running" in cs["state"]


# --- a DaemonSet's pod --------------------------------------------------------------------


LOGGER = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: logger
spec:
  selector:
    matchLabels: {app: logger}
  template:
    metadata:
      labels: {app: logger}
    spec:
      containers:
      - name: logger
        image: busybox:1.36
        readinessProbe:
          exec: {command: [cat, /tmp/ready]}
          initialDelaySeconds: 5
          periodSeconds: 5
"""


def _ds_line(session: Session) -> str:
    return _run(session, "kubectl get ds logger").splitlines()[-1]


def test_a_daemonset_pod_with_a_new_image_stays_the_daemonsets_pod() -> None:
    """What a learner sees: `kubectl set image pod/logger-xxxxx` restarts that one pod's
    container with the new image (RESTARTS 1; READY 0/1 until its readiness probe passes,
    and the DaemonSet's READY and AVAILABLE count one less meanwhile); the pod keeps its
    name, uid and controller-revision-hash, so the DaemonSet controller neither replaces
    it nor counts it out of date (UP-TO-DATE stays 2): it now differs from the template
    until the template changes (upstream pkg/controller/daemon/update.go: a pod is
    updated if its hash label, not its spec, matches the current revision)."""
    session = _session(workers=2)
    _run(session, f"kubectl apply -f - <<EOF\n{LOGGER}EOF")
    _run(session, "advance 30s")
    assert _ds_line(session) == "logger   2         2         2       2            2           <none>          30s"
    [pod, other] = sorted(session.cluster.list("Pod", "default"),
                          key=lambda p: p["spec"]["nodeName"])
    name = pod["metadata"]["name"]
    uid, labels = pod["metadata"]["uid"], dict(pod["metadata"]["labels"])
    _run(session, f"kubectl set image pod/{name} logger=busybox:1.37")
    _run(session, "advance 1s")
    assert _ds_line(session) == "logger   2         2         1       2            1           <none>          31s"
    _run(session, "advance 3s")  # pulled, started; the probe's initial delay is 5 s
    line = _run(session, f"kubectl get pod {name} --no-headers")
    assert line.split()[1:4] == ["0/1", "Running", "1"]
    assert _ds_line(session).split()[3] == "1"
    _run(session, "advance 5s")
    assert _ds_line(session) == "logger   2         2         2       2            2           <none>          39s"
    pod = session.cluster.get("Pod", "default", name)
    assert (pod["metadata"]["uid"], pod["metadata"]["labels"]) == (uid, labels)
    assert labels[DAEMONSET_UNIQUE_LABEL]
    assert pod["spec"]["containers"][0]["image"] == "busybox:1.37"
    assert pod["status"]["containerStatuses"][0]["restartCount"] == 1
    ds = session.cluster.get("DaemonSet", "default", "logger")
    assert ds["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox:1.36"
    assert ds["status"]["updatedNumberScheduled"] == 2
    # The other pod never restarted, and the controller created and deleted nothing.
    other = session.cluster.get("Pod", "default", other["metadata"]["name"])
    assert other["status"]["containerStatuses"][0]["restartCount"] == 0
    reasons = [e["reason"] for e in session.cluster.list("Event", "default")
               if e["involvedObject"]["kind"] == "DaemonSet"]
    assert reasons.count("SuccessfulCreate") == 2 and "SuccessfulDelete" not in reasons
    # A template change still rolls it like any other pod.
    _run(session, "kubectl set image ds/logger logger=busybox:1.37")
    _run(session, "advance 60s")
    assert name not in {p["metadata"]["name"] for p in session.cluster.list("Pod", "default")}


# --- undo, save and load across the restart ---------------------------------------------------


def _final(session: Session) -> tuple[str, Obj, Counts]:
    _run(session, "advance 10s")
    return _pod_line(session), dict(_status(session)), _counts(session)


@pytest.mark.parametrize("stop_after", [0, 1, 3])
def test_save_and_load_mid_restart_finish_the_same(tmp_path: Path, stop_after: int) -> None:
    session = _session()
    _web(session)
    _set_image(session, NGINX_NEW)
    if stop_after:
        _advance(session, stop_after)
    path = tmp_path / "mid.json"
    _run(session, f"save {path}")
    expected = _final(session)
    _run(session, f"load {path}")
    assert _final(session) == expected
    assert expected[1]["restartCount"] == 1 and expected[0].startswith("web    1/1     Running")


def test_undo_before_and_during_the_restart() -> None:
    session = _session()
    _web(session)
    before = dict(_status(session))
    _set_image(session, NGINX_NEW)
    _run(session, "advance 2s")
    assert _run(session, "undo") == "undone: advance 2s"
    assert _status(session)["image"] == NGINX_OLD  # still stopping: the old status
    assert _advance(session, 3) == {_pulling(NGINX_NEW), _pulled(NGINX_NEW, 72019371)}
    assert _run(session, "undo") == "undone: advance 3s"
    assert _run(session, "undo") == "undone: kubectl set image pod/web web=nginx:1.27"
    assert _status(session) == before
    assert _advance(session, 30) == set()  # nothing pending: no restart ever happens
    assert _status(session) == before


# --- any sequence of image changes -----------------------------------------------------------


IMAGES = [NGINX_OLD, NGINX_NEW, MISSING, CRASHING, "nginx"]
change = st.tuples(st.sampled_from(IMAGES), st.integers(0, 6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(change, min_size=1, max_size=6))
def test_any_image_changes_end_running_the_last_good_image(changes: list[tuple[str, int]]
                                                           ) -> None:
    """Whatever images a user sets, and however soon after each other: the kubelet has seen
    every spec (observedGeneration), restartCount never goes down, and once the image is a
    good one the pod runs it, ready, with nothing left in progress."""
    session = _session()
    _web(session)
    restarts = 0
    for image, seconds in [*changes, (NGINX_NEW, 30)]:
        _run(session, f"kubectl set image pod/web web={image}")
        pod = _pod(session)
        assert pod["status"]["observedGeneration"] == pod["metadata"]["generation"]
        if seconds:
            _run(session, f"advance {seconds}s")
        assert _status(session)["restartCount"] >= restarts
        restarts = _status(session)["restartCount"]
    cs = _status(session)
    assert (cs["image"], cs["ready"], cs["started"]) == (NGINX_NEW, True, True)
    assert "running" in cs["state"]
    assert session.cluster.kubelet.work[("Pod", "default", "web")].stage == "steady"
