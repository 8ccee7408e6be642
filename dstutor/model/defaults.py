"""API-server defaulting, applied in place before validation.

Only fields the user left out are filled, mirroring the SetDefaults_* functions
of core/v1 and apps/v1. Status fields are the store's business, except the
Namespace phase, which upstream defaults too.
"""

from __future__ import annotations

from typing import Any

from dstutor.model.priority import default_priority_class

__all__ = ["apply_defaults", "default_pod_only_fields", "default_pod_spec",
           "image_pull_policy_for"]

_REVISION_HISTORY_LIMIT = 10


def image_pull_policy_for(image: str) -> str:
    """Always for ':latest' or untagged images, IfNotPresent otherwise.

    An image pinned by digest has no implied tag, so it gets IfNotPresent.
    """
    if "@" in image:
        name = image.split("@", 1)[0]
        tag = _tag_of(name)
        return "Always" if tag == "latest" else "IfNotPresent"
    tag = _tag_of(image)
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _tag_of(name: str) -> str:
    # A ':' before the last '/' belongs to a registry host:port, not to a tag.
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else ""


def _set(obj: dict[str, Any], key: str, value: Any) -> None:
    """Fill ``key`` only when it is absent or null (Go's zero value)."""
    if obj.get(key) is None:
        obj[key] = value


def _set_if_empty(obj: dict[str, Any], key: str, value: Any) -> None:
    """Fill string fields whose Go zero value is the empty string."""
    if not obj.get(key):
        obj[key] = value


def _default_probe(probe: Any) -> None:
    if not isinstance(probe, dict):
        return
    for key, value in (("timeoutSeconds", 1), ("periodSeconds", 10),
                       ("successThreshold", 1), ("failureThreshold", 3)):
        if not probe.get(key):
            probe[key] = value
    http = probe.get("httpGet")
    if isinstance(http, dict):
        _set_if_empty(http, "path", "/")
        _set_if_empty(http, "scheme", "HTTP")


def _default_container(ctr: Any) -> None:
    if not isinstance(ctr, dict):
        return
    if not ctr.get("imagePullPolicy"):
        ctr["imagePullPolicy"] = image_pull_policy_for(str(ctr.get("image") or ""))
    _set_if_empty(ctr, "terminationMessagePath", "/dev/termination-log")
    _set_if_empty(ctr, "terminationMessagePolicy", "File")
    # The API server always stores a resources block, empty when nothing was asked for.
    if not isinstance(ctr.get("resources"), dict):
        ctr["resources"] = {}
    for port in ctr.get("ports") or []:
        if isinstance(port, dict):
            _set_if_empty(port, "protocol", "TCP")
    for env in ctr.get("env") or []:
        ref = ((env or {}).get("valueFrom") or {}).get("fieldRef") if isinstance(env, dict) else None
        if isinstance(ref, dict):
            _set_if_empty(ref, "apiVersion", "v1")
    for probe_key in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(ctr.get(probe_key))


def _default_volume(vol: Any) -> None:
    if not isinstance(vol, dict):
        return
    sources = [k for k in vol if k != "name"]
    if not sources:
        # A volume that names no source is an emptyDir upstream.
        vol["emptyDir"] = {}
    host_path = vol.get("hostPath")
    if isinstance(host_path, dict):
        _set(host_path, "type", "")
    for key in ("configMap", "secret"):
        src = vol.get(key)
        if isinstance(src, dict):
            _set(src, "defaultMode", 420)


def default_pod_spec(spec: dict[str, Any]) -> None:
    """SetDefaults_PodSpec plus container and volume defaults (pods and templates)."""
    _set_if_empty(spec, "dnsPolicy", "ClusterFirst")
    _set_if_empty(spec, "restartPolicy", "Always")
    _set(spec, "securityContext", {})
    _set(spec, "terminationGracePeriodSeconds", 30)
    _set_if_empty(spec, "schedulerName", "default-scheduler")
    for key in ("initContainers", "containers"):
        for ctr in spec.get(key) or []:
            _default_container(ctr)
    for vol in spec.get("volumes") or []:
        _default_volume(vol)


def default_pod_only_fields(spec: dict[str, Any]) -> None:
    """The part of SetDefaults_Pod that templates never get, only stored Pods.

    Split out so the DaemonSet controller can apply it once per revision to the spec
    its pods share: upstream those pods pass through the API server, which fills these.
    """
    _set(spec, "enableServiceLinks", True)
    if spec.get("hostNetwork"):
        for key in ("initContainers", "containers"):
            for ctr in spec.get(key) or []:
                for port in (ctr.get("ports") or []) if isinstance(ctr, dict) else []:
                    if isinstance(port, dict) and not port.get("hostPort"):
                        port["hostPort"] = port.get("containerPort")
    for key in ("initContainers", "containers"):
        for ctr in spec.get(key) or []:
            resources = ctr.get("resources") if isinstance(ctr, dict) else None
            if not isinstance(resources, dict) or not resources.get("limits"):
                continue
            requests = resources.setdefault("requests", {})
            for name, qty in resources["limits"].items():
                requests.setdefault(name, qty)


def _default_pod(pod: dict[str, Any]) -> None:
    spec = pod.setdefault("spec", {})
    default_pod_spec(spec)
    default_pod_only_fields(spec)


def _default_template(owner_spec: dict[str, Any]) -> None:
    template = owner_spec.get("template")
    if isinstance(template, dict):
        default_pod_spec(template.setdefault("spec", {}))


def _default_daemonset(ds: dict[str, Any]) -> None:
    spec = ds.setdefault("spec", {})
    strategy = spec.get("updateStrategy")
    if not isinstance(strategy, dict):
        strategy = spec["updateStrategy"] = {}
    _set_if_empty(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            rolling = strategy["rollingUpdate"] = {}
        _set(rolling, "maxUnavailable", 1)
        _set(rolling, "maxSurge", 0)
    _set(spec, "revisionHistoryLimit", _REVISION_HISTORY_LIMIT)
    _default_template(spec)


def _default_deployment(deploy: dict[str, Any]) -> None:
    spec = deploy.setdefault("spec", {})
    _set(spec, "replicas", 1)
    strategy = spec.get("strategy")
    if not isinstance(strategy, dict):
        strategy = spec["strategy"] = {}
    _set_if_empty(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.get("rollingUpdate")
        if not isinstance(rolling, dict):
            rolling = strategy["rollingUpdate"] = {}
        _set(rolling, "maxUnavailable", "25%")
        _set(rolling, "maxSurge", "25%")
    _set(spec, "revisionHistoryLimit", _REVISION_HISTORY_LIMIT)
    _set(spec, "progressDeadlineSeconds", 600)
    _default_template(spec)


def _default_namespace(ns: dict[str, Any]) -> None:
    spec = ns.setdefault("spec", {})
    _set(spec, "finalizers", ["kubernetes"])
    meta = ns.setdefault("metadata", {})
    name = meta.get("name")
    if name:
        # Every namespace carries its own name as an immutable label (since 1.21).
        labels = meta.get("labels")
        if not isinstance(labels, dict):
            labels = meta["labels"] = {}
        labels["kubernetes.io/metadata.name"] = name
    status = ns.setdefault("status", {})
    _set_if_empty(status, "phase", "Active")


_BY_KIND = {
    "PriorityClass": default_priority_class,
    "Pod": _default_pod,
    "DaemonSet": _default_daemonset,
    "Deployment": _default_deployment,
    "Namespace": _default_namespace,
}


def apply_defaults(obj: dict[str, Any]) -> None:
    """Fill in server-side defaults for ``obj`` according to its kind (in place)."""
    handler = _BY_KIND.get(str(obj.get("kind") or ""))
    if handler is not None:
        handler(obj)
