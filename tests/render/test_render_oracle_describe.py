"""`describe` outputs compared with the real kubectl 1.37.1 (TZ=UTC) on the same objects.

kubectl computes ages from its own clock, so every timestamp here is placed well
inside an age bucket relative to the real time; the renderer gets the same clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from render_builders import (
    make_daemonset,
    make_event,
    make_node,
    make_pod,
    make_revision,
    owner,
)
from render_oracle import Oracle

from dstutor.model.timefmt import to_rfc3339
from dstutor.render.columns import build_table
from dstutor.render.describe import (
    describe_controllerrevision,
    describe_daemonset,
    describe_namespace,
    describe_node,
    describe_pod,
    describe_priorityclass,
)

REAL_NOW = float(int(time.time()))


def ago(seconds: float) -> str:
    return to_rfc3339(REAL_NOW - seconds)


DS = make_daemonset(created=ago(7225))
DS["metadata"]["annotations"] = {
    "deprecated.daemonset.template.generation": "1",
    "kubectl.kubernetes.io/last-applied-configuration": '{"apiVersion":"apps/v1"}\n',
    "note": "x" * 150, "multi": "line one\nline two\n"}
TEMPLATE = DS["spec"]["template"]
TEMPLATE["metadata"]["annotations"] = {"prometheus.io/scrape": "true"}
TEMPLATE["spec"].update({
    "serviceAccountName": "fluentd",
    "priorityClassName": "system-node-critical",
    "nodeSelector": {"kubernetes.io/os": "linux"},
    "tolerations": [
        {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists",
         "effect": "NoSchedule"},
        {"operator": "Exists"},
        {"key": "dedicated", "operator": "Equal", "value": "logging", "effect": "NoExecute",
         "tolerationSeconds": 300},
    ],
    "initContainers": [{"name": "init-perms", "image": "busybox:1.36",
                        "command": ["sh", "-c", "chmod 755 /var/log\necho done"]}],
    "volumes": [
        {"name": "varlog", "hostPath": {"path": "/var/log", "type": ""}},
        {"name": "config", "configMap": {"name": "fluentd-config", "defaultMode": 420}},
        {"name": "buffer", "emptyDir": {"sizeLimit": "1Gi"}},
        {"name": "token", "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt"}}, {"downwardAPI": {"items": []}}]}},
        {"name": "creds", "secret": {"secretName": "es-creds", "optional": True}},
        {"name": "info", "downwardAPI": {"items": [
            {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
    ],
})
TEMPLATE["spec"]["containers"][0].update({
    "args": ["--config", "/etc/fluentd/fluent.conf"],
    "ports": [{"containerPort": 24224, "protocol": "TCP", "name": "forward"},
              {"containerPort": 24231, "hostPort": 24231, "protocol": "TCP"}],
    "resources": {"limits": {"memory": "200Mi"}, "requests": {"cpu": "0.1", "memory": "200Mi"}},
    "livenessProbe": {"httpGet": {"path": "/metrics", "port": 24231, "scheme": "HTTP"},
                      "initialDelaySeconds": 5, "timeoutSeconds": 1, "periodSeconds": 10,
                      "successThreshold": 1, "failureThreshold": 3},
    "readinessProbe": {"exec": {"command": ["cat", "/tmp/ready"]}, "periodSeconds": 5,
                       "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3},
    "env": [{"name": "FLUENT_UID", "value": "0"},
            {"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1",
                                                             "fieldPath": "spec.nodeName"}}},
            {"name": "MULTI", "value": "a\nb"},
            {"name": "MEM", "valueFrom": {"resourceFieldRef": {"resource": "limits.memory",
                                                               "divisor": "1Mi"}}},
            {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
            {"name": "PASS", "valueFrom": {"secretKeyRef": {"name": "es-creds", "key": "pw"}}},
            {"name": "LEVEL", "valueFrom": {"configMapKeyRef": {"name": "cfg", "key": "lvl",
                                                                "optional": True}}}],
    "envFrom": [{"configMapRef": {"name": "fluentd-env"}},
                {"secretRef": {"name": "extra", "optional": False}, "prefix": "X_"}],
    "volumeMounts": [{"name": "varlog", "mountPath": "/var/log"},
                     {"name": "config", "mountPath": "/etc/fluentd", "readOnly": True},
                     {"name": "buffer", "mountPath": "/buffer", "subPath": "fluentd"}],
})

PODS: list[dict[str, Any]] = []


def _pod(name: str, **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("created", ago(7090))
    pod = make_pod(name, **kwargs)
    PODS.append(pod)
    return pod


RUNNING = _pod("fluentd-ax0k9", owner_ref=owner(DS), labels={
    "app": "fluentd", "controller-revision-hash": "6d8f7c9b5", "pod-template-generation": "1"})
RUNNING["status"]["startTime"] = "2026-11-25T12:01:02Z"
RUNNING["spec"].update({"serviceAccountName": "fluentd", "priority": 2000001000,
                        "priorityClassName": "system-node-critical",
                        "tolerations": TEMPLATE["spec"]["tolerations"],
                        "volumes": TEMPLATE["spec"]["volumes"][:2]})
RUNNING["spec"]["containers"][0].update(
    {k: TEMPLATE["spec"]["containers"][0][k] for k in ("ports", "resources", "env",
                                                       "volumeMounts", "livenessProbe")})
CRASHING = _pod("fluentd-bx1k9", node="worker-2", owner_ref=owner(DS), ready=False, restarts=4,
                container_state={"waiting": {"reason": "CrashLoopBackOff",
                                             "message": "back-off 40s"}},
                last_terminated={"exitCode": 137, "reason": "OOMKilled", "signal": 9,
                                 "message": "killed", "startedAt": "2026-11-25T13:50:00Z",
                                 "finishedAt": "2026-11-25T13:51:00Z"})
CRASHING["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "500m", "memory": "1Gi"},
                                                   "requests": {"cpu": "500m", "memory": "1Gi"}}
CRASHING["status"]["qosClass"] = ""
PENDING = _pod("web", node=None, phase="Pending", ready=False, pod_ip=None, container_state={})
PENDING["status"].pop("containerStatuses")
PENDING["status"]["conditions"] = [{"type": "PodScheduled", "status": "False",
                                    "reason": "Unschedulable"}]
PENDING["spec"]["readinessGates"] = [{"conditionType": "example.com/gate"}]
PENDING["spec"]["topologySpreadConstraints"] = [
    {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
     "labelSelector": {"matchLabels": {"app": "web"}}},
    {"maxSkew": 2, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway"}]
TERMINATING = _pod("gone-zz9", deletion=ago(45), created=ago(3 * 3600 + 90))
TERMINATING["status"]["reason"] = "Evicted"
TERMINATING["status"]["message"] = "The node was low on resource: memory."
DONE = _pod("job-done", phase="Succeeded", ready=False, container_state={
    "terminated": {"exitCode": 0, "reason": "Completed", "startedAt": "2026-11-25T12:00:00Z",
                   "finishedAt": "2026-11-25T12:00:10Z"}})
INIT = _pod("init-wait", phase="Pending", ready=False, container_state={
    "waiting": {"reason": "PodInitializing"}})
INIT["spec"]["initContainers"] = [{"name": "setup", "image": "busybox",
                                   "resources": {"requests": {"cpu": "2", "memory": "64Mi"}}}]
INIT["status"]["initContainerStatuses"] = [{"name": "setup", "image": "busybox", "imageID": "",
                                            "ready": False, "restartCount": 0,
                                            "state": {"running": {"startedAt": ago(30)}}}]
for pod in (CRASHING, DONE, INIT):
    pod["spec"]["containers"][0].setdefault("resources", {})

NODE = make_node("worker-1", created=ago(3 * 86400 + 5 * 3600 + 600),
                 taints=[{"key": "c", "value": "3", "effect": "PreferNoSchedule"},
                         {"key": "b", "effect": "NoExecute"},
                         {"key": "a", "effect": "NoExecute"}],
                 labels={"kubernetes.io/hostname": "worker-1", "kubernetes.io/os": "linux",
                         "node-role.kubernetes.io/worker": ""})
NODE["metadata"]["annotations"] = {"node.alpha.kubernetes.io/ttl": "0"}
NODE["status"]["capacity"]["hugepages-2Mi"] = "0"
NODE["status"]["allocatable"].update({"cpu": "3900m", "hugepages-2Mi": "0",
                                      "example.com/gpu": "2"})
NODE["status"]["conditions"].insert(0, {
    "type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory",
    "message": "kubelet has sufficient memory available",
    "lastHeartbeatTime": "2026-11-25T13:58:52Z", "lastTransitionTime": "2026-11-22T09:03:51Z"})
BARE_NODE = make_node("worker-2", created=ago(86400 * 9), ready=None, labels={})
BARE_NODE["spec"] = {"unschedulable": True}
BARE_NODE["status"].pop("allocatable")
LEASE = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
         "metadata": {"name": "worker-1", "namespace": "kube-node-lease"},
         "spec": {"holderIdentity": "worker-1", "leaseDurationSeconds": 40,
                  "renewTime": "2026-11-25T13:59:58.123456Z"}}

EVENTS = [
    make_event("fluentd.1", first=ago(7100), last=ago(7100)),
    make_event("fluentd.2", reason="SuccessfulDelete", message="Deleted pod: fluentd-old  ",
               first=ago(900), last=ago(95), count=3),
    make_event("fluentd.3", reason="FailedDaemonPod", etype="Warning", first=ago(600),
               message="Found failed daemon pod default/fluentd-q on node worker-2, will try to "
                       "kill it"),
    make_event("bx1k9.1", kind="Pod", obj_name="fluentd-bx1k9", uid="uid-pod-fluentd-bx1k9",
               reason="BackOff", etype="Warning", component="kubelet", host="worker-2",
               field_path="spec.containers{fluentd}", message="Back-off restarting failed "
                                                              "container",
               first=ago(1800), last=ago(40), count=52),
    make_event("bx1k9.2", kind="Pod", obj_name="fluentd-bx1k9", uid="uid-pod-fluentd-bx1k9",
               reason="Pulled", component="kubelet", first=ago(7000)),
    make_event("worker-1.1", kind="Node", obj_name="worker-1", uid="worker-1", namespace="",
               reason="NodeReady", component="kubelet", first=ago(86400 * 3)),
    make_event("worker-1.2", kind="Node", obj_name="worker-1", uid="uid-node-worker-1",
               namespace="", reason="RegisteredNode", component="node-controller",
               first=ago(86400 * 3 + 60)),
]
# Many events with the same timestamp: Go's unstable sort decides their order.
EVENTS += [make_event(f"many.{i:02d}", kind="Pod", obj_name="web", uid="uid-pod-web",
                      reason=f"R{i:02d}", component="default-scheduler",
                      first=ago(300 if i % 3 else 200))
           for i in range(17)]
for event in EVENTS:
    if event["involvedObject"].get("namespace") == "":
        event["involvedObject"].pop("namespace")
        event["metadata"]["namespace"] = "default"

REVISION = make_revision(DS, "fluentd-6d8f7c9b5", 1, ago(7225))
PRIORITY_CLASSES = [
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
     "metadata": {"name": "system-node-critical", "uid": "uid-pc-1",
                  "creationTimestamp": ago(86400)},
     "value": 2000001000, "globalDefault": False, "preemptionPolicy": "PreemptLowerPriority",
     "description": "Used for system critical pods that must not be moved from their "
                    "current node."},
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
     "metadata": {"name": "batch-low", "uid": "uid-pc-2", "creationTimestamp": ago(600),
                  "annotations": {"owner": "team-a", "kubectl.kubernetes.io/last-applied-"
                                  "configuration": '{"value":-5}\n'}},
     "value": -5, "globalDefault": True, "preemptionPolicy": "Never"},
]
NAMESPACE = {"apiVersion": "v1", "kind": "Namespace",
             "metadata": {"name": "monitoring", "labels": {
                 "kubernetes.io/metadata.name": "monitoring", "team": "obs"},
                 "annotations": {"owner": "sre"}, "deletionTimestamp": ago(20)},
             "spec": {"finalizers": ["kubernetes"]},
             "status": {"phase": "Terminating", "conditions": [
                 {"type": "NamespaceDeletionDiscoveryFailure", "status": "False",
                  "lastTransitionTime": "2026-11-25T13:00:00Z", "reason": "ResourcesDiscovered",
                  "message": "All resources successfully discovered"},
                 {"type": "NamespaceContentRemaining", "status": "True",
                  "lastTransitionTime": "2026-11-25T13:00:05Z",
                  "reason": "SomeResourcesRemain",
                  "message": "Some resources are remaining: pods. has 2 resource instances"}]}}
OBJECTS = [DS, *PODS, NODE, BARE_NODE, LEASE, *EVENTS, REVISION, NAMESPACE,
           *PRIORITY_CLASSES]


def events_for(uid: str, name: str = "") -> list[dict[str, Any]]:
    return [e for e in EVENTS if e["involvedObject"].get("uid") in (uid, name or None)]


@pytest.fixture(scope="module")
def oracle(kubectl_binary: str) -> Iterator[Oracle]:
    with Oracle(OBJECTS, lambda kind, items: build_table(kind, items, REAL_NOW)) as server:
        yield server


def kubectl_describe(oracle: Oracle, *args: str) -> tuple[str, list[float]]:
    """Run describe; return its output and the seconds it spanned. A run that crossed a
    second is run again just after the next second starts (where it almost never does)."""
    for aligned in (False, True):
        if aligned:
            time.sleep(1 - time.time() % 1 + 0.01)
        start = int(time.time())
        result = oracle.run("describe", *args)
        assert (result.returncode, result.stderr) == (0, "")
        end = int(time.time())
        if end == start or aligned:
            break
    return result.stdout, [float(s) for s in range(start, end + 1)]


def assert_rendered(want: str, seconds: list[float], render: Callable[[float], str]) -> None:
    """kubectl's clock read one of these seconds; the rendering must match one of them."""
    candidates = [render(now) for now in seconds]
    if want not in candidates:
        assert candidates[0] == want


def test_render_describe_daemonset_matches_kubectl(oracle: Oracle) -> None:
    want, seconds = kubectl_describe(oracle, "ds", "fluentd")
    assert_rendered(want, seconds,
                    lambda now: describe_daemonset(DS, PODS, events_for("uid-ds-fluentd"), now))


@pytest.mark.parametrize("pod", PODS, ids=[p["metadata"]["name"] for p in PODS])
def test_render_describe_pod_matches_kubectl(oracle: Oracle, pod: dict[str, Any]) -> None:
    want, seconds = kubectl_describe(oracle, "pod", pod["metadata"]["name"])
    assert_rendered(want, seconds,
                    lambda now: describe_pod(pod, events_for(pod["metadata"]["uid"]), now))


def test_render_describe_node_matches_kubectl(oracle: Oracle) -> None:
    want, seconds = kubectl_describe(oracle, "node", "worker-1")
    events = events_for("uid-node-worker-1") + events_for("worker-1")
    assert_rendered(want, seconds, lambda now: describe_node(NODE, PODS, events, now, lease=LEASE))


def test_render_describe_node_without_allocatable_or_lease_matches_kubectl(
        oracle: Oracle) -> None:
    want, seconds = kubectl_describe(oracle, "node", "worker-2")
    # The oracle serves no Lease for worker-2; dstutor shows a synthesized one instead.
    failed = "Lease:              Failed to get lease: leases.coordination.k8s.io \"worker-2\" " \
             "not found\n"

    def render(now: float) -> str:
        lines = describe_node(BARE_NODE, PODS, [], now).splitlines(keepends=True)
        start = next(i for i, line in enumerate(lines) if line.startswith("Lease:"))
        return "".join(lines[:start]) + failed + "".join(lines[start + 4:])

    assert_rendered(want, seconds, render)


def test_render_describe_controllerrevision_matches_kubectl(oracle: Oracle) -> None:
    want, seconds = kubectl_describe(oracle, "controllerrevision", "fluentd-6d8f7c9b5")
    assert_rendered(want, seconds, lambda now: describe_controllerrevision(REVISION, now))


@pytest.mark.parametrize("pc", PRIORITY_CLASSES, ids=lambda pc: pc["metadata"]["name"])
def test_render_describe_priorityclass_matches_kubectl(oracle: Oracle, pc: dict[str, Any]
                                                       ) -> None:
    want, seconds = kubectl_describe(oracle, "priorityclass", pc["metadata"]["name"])
    assert_rendered(want, seconds, lambda now: describe_priorityclass(pc, [], now))


def test_render_describe_namespace_matches_kubectl(oracle: Oracle) -> None:
    want, seconds = kubectl_describe(oracle, "namespace", "monitoring")
    assert_rendered(want, seconds, lambda now: describe_namespace(NAMESPACE))
