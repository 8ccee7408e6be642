"""Realistic object dicts (Kubernetes JSON form) for the renderer tests."""

from __future__ import annotations

from typing import Any

from dstutor.model.timefmt import parse_rfc3339, to_rfc3339

Obj = dict[str, Any]

# 2026-11-25T14:00:00Z: the moment most samples in kubectl-output.md were taken.
NOW = parse_rfc3339("2026-11-25T14:00:00Z")


def ago(seconds: float, now: float = NOW) -> str:
    return to_rfc3339(now - seconds)


def make_node(name: str, *, created: str = "2026-11-22T09:03:51Z", ready: str | None = "True",
              unschedulable: bool = False, labels: dict[str, str] | None = None,
              taints: list[Obj] | None = None, internal_ip: str = "172.18.0.3",
              extra_addresses: list[Obj] | None = None, kubelet: str = "v1.37.1") -> Obj:
    node: Obj = {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "uid": f"uid-node-{name}", "creationTimestamp": created,
                     "labels": labels if labels is not None else {
                         "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}},
        "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]},
        "status": {
            "addresses": [{"type": "InternalIP", "address": internal_ip},
                          {"type": "Hostname", "address": name}] + (extra_addresses or []),
            "capacity": {"cpu": "4", "ephemeral-storage": "100Gi", "memory": "8Gi",
                         "pods": "110"},
            "allocatable": {"cpu": "4", "ephemeral-storage": "100Gi", "memory": "8Gi",
                            "pods": "110"},
            "conditions": [],
            "nodeInfo": {"machineID": "m", "systemUUID": "s", "bootID": "b",
                         "kernelVersion": "6.8.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                         "operatingSystem": "linux", "architecture": "amd64",
                         "containerRuntimeVersion": "containerd://2.1.0",
                         "kubeletVersion": kubelet},
        },
    }
    if ready is not None:
        node["status"]["conditions"].append({
            "type": "Ready", "status": ready, "reason": "KubeletReady",
            "message": "kubelet is posting ready status",
            "lastHeartbeatTime": "2026-11-25T13:58:52Z",
            "lastTransitionTime": "2026-11-24T13:59:22Z"})
    if unschedulable:
        node["spec"]["unschedulable"] = True
    if taints:
        node["spec"]["taints"] = taints
    return node


def make_daemonset(name: str = "fluentd", *, created: str = ago(7200), image: str = "fluentd:v1.16",
                   status: Obj | None = None, node_selector: dict[str, str] | None = None,
                   uid: str = "uid-ds-fluentd") -> Obj:
    pod_spec: Obj = {"containers": [{"name": name, "image": image}]}
    if node_selector:
        pod_spec["nodeSelector"] = node_selector
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "default", "uid": uid,
                     "creationTimestamp": created, "generation": 1,
                     "labels": {"app": name}},
        "spec": {"selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}}, "spec": pod_spec},
                 "updateStrategy": {"type": "RollingUpdate",
                                    "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}},
        "status": status if status is not None else {
            "desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 2,
            "updatedNumberScheduled": 2, "numberAvailable": 2, "numberMisscheduled": 0,
            "observedGeneration": 1},
    }


def owner(ds: Obj) -> Obj:
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "name": ds["metadata"]["name"],
            "uid": ds["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}


def make_pod(name: str, *, node: str | None = "worker-1", phase: str = "Running",
             created: str = ago(7080), ready: bool = True, container_state: Obj | None = None,
             restarts: int = 0, last_terminated: Obj | None = None, owner_ref: Obj | None = None,
             labels: dict[str, str] | None = None, image: str = "fluentd:v1.16",
             pod_ip: str | None = "10.244.1.5", deletion: str | None = None) -> Obj:
    container = name.rsplit("-", 1)[0]
    state = container_state if container_state is not None else (
        {"running": {"startedAt": ago(7000)}} if phase == "Running" else
        {"waiting": {"reason": "ContainerCreating"}})
    cstatus: Obj = {"name": container, "image": image, "imageID": "", "ready": ready,
                    "restartCount": restarts, "started": phase == "Running", "state": state,
                    "containerID": "containerd://abc"}
    if last_terminated is not None:
        cstatus["lastState"] = {"terminated": last_terminated}
    pod: Obj = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-pod-{name}",
                     "creationTimestamp": created,
                     "labels": labels if labels is not None else {"app": container}},
        "spec": {"containers": [{"name": container, "image": image}]},
        "status": {"phase": phase, "containerStatuses": [cstatus],
                   "conditions": [{"type": "Ready", "status": "True" if ready else "False"},
                                  {"type": "PodScheduled", "status": "True"}],
                   "qosClass": "BestEffort"},
    }
    if node:
        pod["spec"]["nodeName"] = node
        pod["status"]["hostIP"] = "172.18.0.3"
    if pod_ip:
        pod["status"]["podIP"] = pod_ip
        pod["status"]["podIPs"] = [{"ip": pod_ip}]
    if owner_ref is not None:
        pod["metadata"]["ownerReferences"] = [owner_ref]
    if deletion is not None:
        pod["metadata"]["deletionTimestamp"] = deletion
        pod["metadata"]["deletionGracePeriodSeconds"] = 30
    return pod


def make_revision(ds: Obj, name: str, revision: int, created: str) -> Obj:
    return {
        "apiVersion": "apps/v1", "kind": "ControllerRevision",
        "metadata": {"name": name, "namespace": "default", "uid": f"uid-cr-{name}",
                     "creationTimestamp": created,
                     "labels": {"app": ds["metadata"]["name"],
                                "controller-revision-hash": name.rsplit("-", 1)[-1]},
                     "ownerReferences": [owner(ds)]},
        "data": {"spec": {"template": {"$patch": "replace", **ds["spec"]["template"]}}},
        "revision": revision,
    }


def make_event(name: str, *, kind: str = "DaemonSet", obj_name: str = "fluentd",
               reason: str = "SuccessfulCreate", message: str = "Created pod: fluentd-ax0k9",
               first: str = ago(7080), last: str | None = None, count: int = 1,
               etype: str = "Normal", component: str = "daemonset-controller",
               field_path: str = "", uid: str = "uid-ds-fluentd", namespace: str = "default",
               host: str = "") -> Obj:
    involved: Obj = {"kind": kind, "name": obj_name, "namespace": namespace, "uid": uid,
                     "apiVersion": "apps/v1" if kind == "DaemonSet" else "v1"}
    if field_path:
        involved["fieldPath"] = field_path
    source: Obj = {"component": component}
    if host:
        source["host"] = host
    return {
        "apiVersion": "v1", "kind": "Event",
        "metadata": {"name": name, "namespace": namespace, "creationTimestamp": first},
        "involvedObject": involved, "reason": reason, "message": message, "source": source,
        "firstTimestamp": first, "lastTimestamp": last or first, "count": count,
        "type": etype, "reportingComponent": component,
    }


def make_namespace(name: str = "default", created: str = ago(3 * 86400)) -> Obj:
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, "uid": f"uid-ns-{name}", "creationTimestamp": created,
                         "labels": {"kubernetes.io/metadata.name": name}},
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def make_deployment(name: str = "web", created: str = ago(600)) -> Obj:
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default", "uid": f"uid-deploy-{name}",
                         "creationTimestamp": created, "generation": 1, "labels": {"app": name}},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"},
                                                          {"name": "side", "image": "busybox"}]}}},
            "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3,
                       "availableReplicas": 2}}
