"""The fields each served kind knows, for the API server's strict decoding (unknown fields).

With kubectl's default `--validate=strict` the server refuses a manifest naming a field
its Go types lack, e.g. `replicas:` in a DaemonSet spec. Only the parts lessons touch are
spelled out; `ANY` marks subtrees accepted as they are (probes, affinity, volume sources).
"""

from __future__ import annotations

from typing import Any

ANY: dict[str, Any] = {}
Schema = dict[str, Any]

OBJECT_META: Schema = {k: ANY for k in (
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels",
    "annotations", "ownerReferences", "finalizers", "managedFields")}
LABEL_SELECTOR: Schema = {"matchLabels": ANY, "matchExpressions": [
    {"key": ANY, "operator": ANY, "values": ANY}]}
CONTAINER: Schema = {k: ANY for k in (
    "name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
    "resizePolicy", "restartPolicy", "restartPolicyRules", "volumeMounts", "volumeDevices",
    "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath",
    "terminationMessagePolicy", "imagePullPolicy", "securityContext", "stdin", "stdinOnce",
    "tty")}
CONTAINER["ports"] = [{k: ANY for k in ("name", "hostPort", "containerPort", "protocol",
                                         "hostIP")}]
CONTAINER["volumeMounts"] = [{k: ANY for k in (
    "name", "readOnly", "recursiveReadOnly", "mountPath", "subPath", "mountPropagation",
    "subPathExpr")}]
CONTAINER["env"] = [{"name": ANY, "value": ANY, "valueFrom": ANY}]
CONTAINER["resources"] = {"limits": ANY, "requests": ANY, "claims": ANY}
TOLERATION: Schema = {k: ANY for k in ("key", "operator", "value", "effect",
                                       "tolerationSeconds")}
POD_SPEC: Schema = {k: ANY for k in (
    "volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
    "terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector",
    "serviceAccountName", "serviceAccount", "automountServiceAccountToken", "nodeName",
    "hostNetwork", "hostPID", "hostIPC", "shareProcessNamespace", "securityContext",
    "imagePullSecrets", "hostname", "subdomain", "affinity", "schedulerName", "tolerations",
    "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates",
    "runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead",
    "topologySpreadConstraints", "setHostnameAsFQDN", "os", "hostUsers", "schedulingGates",
    "resourceClaims", "resources")}
POD_SPEC["containers"] = [CONTAINER]
POD_SPEC["initContainers"] = [CONTAINER]
POD_SPEC["tolerations"] = [TOLERATION]
POD_SPEC["volumes"] = [{"name": ANY, "hostPath": {"path": ANY, "type": ANY}, **{k: ANY for k in (
    "emptyDir", "secret", "configMap", "persistentVolumeClaim", "projected", "downwardAPI",
    "gcePersistentDisk", "nfs", "csi", "ephemeral", "image")}}]
TEMPLATE: Schema = {"metadata": OBJECT_META, "spec": POD_SPEC}
DAEMONSET_SPEC: Schema = {
    "selector": LABEL_SELECTOR, "template": TEMPLATE, "minReadySeconds": ANY,
    "revisionHistoryLimit": ANY,
    "updateStrategy": {"type": ANY, "rollingUpdate": {"maxUnavailable": ANY, "maxSurge": ANY}},
}
DEPLOYMENT_SPEC: Schema = {
    "replicas": ANY, "selector": LABEL_SELECTOR, "template": TEMPLATE, "strategy": ANY,
    "minReadySeconds": ANY, "revisionHistoryLimit": ANY, "paused": ANY,
    "progressDeadlineSeconds": ANY,
}
NODE_SPEC: Schema = {k: ANY for k in ("podCIDR", "podCIDRs", "providerID", "unschedulable",
                                      "configSource", "externalID")}
NODE_SPEC["taints"] = [{k: ANY for k in ("key", "value", "effect", "timeAdded")}]

_TOP = {"apiVersion": ANY, "kind": ANY, "metadata": OBJECT_META}
SCHEMAS: dict[str, Schema] = {
    "DaemonSet": {**_TOP, "spec": DAEMONSET_SPEC, "status": ANY},
    "Deployment": {**_TOP, "spec": DEPLOYMENT_SPEC, "status": ANY},
    "Pod": {**_TOP, "spec": POD_SPEC, "status": ANY},
    "Node": {**_TOP, "spec": NODE_SPEC, "status": ANY},
    "Namespace": {**_TOP, "spec": {"finalizers": ANY}, "status": ANY},
    "ControllerRevision": {**_TOP, "data": ANY, "revision": ANY},
    "Event": {**_TOP, **{k: ANY for k in (
        "involvedObject", "reason", "message", "source", "firstTimestamp", "lastTimestamp",
        "count", "type", "eventTime", "series", "action", "related", "reportingComponent",
        "reportingInstance")}},
}


def unknown_fields(kind: str, obj: Any) -> list[str]:
    """Dotted paths of fields `kind` does not know, in document order (`spec.replicas`)."""
    found: list[str] = []
    _walk(SCHEMAS.get(kind, ANY), obj, "", found)
    return found


def _walk(schema: Any, value: Any, path: str, found: list[str], *, strip: bool = False
          ) -> None:
    """Collect the paths of unknown fields; with strip, also delete them from `value`."""
    if isinstance(schema, list):
        if isinstance(value, list):
            for i, item in enumerate(value):
                _walk(schema[0], item, f"{path}[{i}]", found, strip=strip)
        return
    if schema is ANY or not isinstance(value, dict):
        return
    for key in list(value):
        where = f"{path}.{key}" if path else str(key)
        if key not in schema:
            found.append(where)
            if strip:
                del value[key]
            continue
        _walk(schema[key], value[key], where, found, strip=strip)


def field_exists(kind: str, path: list[str]) -> bool:
    """Whether `path` (`spec.template`) names a field of `kind`, as far as dstutor knows."""
    schema: Any = SCHEMAS.get(kind)
    if schema is None:
        return False
    for part in path:
        if isinstance(schema, list):
            schema = schema[0]
        if schema is ANY:
            return True
        if not isinstance(schema, dict) or part not in schema:
            return False
        schema = schema[part]
    return True


def strip_unknown(kind: str, obj: Any) -> list[str]:
    """Drop the fields `kind` does not know (fieldValidation=Ignore/Warn); return their paths."""
    found: list[str] = []
    _walk(SCHEMAS.get(kind, ANY), obj, "", found, strip=True)
    return found
