"""Small accessors over Kubernetes objects kept as plain JSON-shaped dicts."""

# No `from __future__ import annotations`: it would bind the name `annotations`, which the
# accessor below redefines.
import json
from collections.abc import Callable
from typing import Any

from dstutor.model.timefmt import parse_rfc3339

Obj = dict[str, Any]

# Keys that name an object in the store: (kind, namespace, name); namespace "" if cluster-scoped.
Key = tuple[str, str, str]

DAEMONSET_UNIQUE_LABEL = "controller-revision-hash"
TEMPLATE_GENERATION_LABEL = "pod-template-generation"
TEMPLATE_GENERATION_ANNOTATION = "deprecated.daemonset.template.generation"
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
# deploymentutil.RevisionAnnotation: a Deployment's revision, kept on its ReplicaSets.
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"


def clone(obj: Any) -> Any:
    """Deep copy of JSON-shaped data; much faster than copy.deepcopy on dicts and lists."""
    if isinstance(obj, dict):
        return {k: clone(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [clone(v) for v in obj]
    return obj


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def key_of(obj: Obj) -> Key:
    meta = obj.get("metadata") or {}
    return (obj["kind"], meta.get("namespace", "") or "", meta.get("name", ""))


def name(obj: Obj) -> str:
    return str(obj["metadata"]["name"])


def namespace(obj: Obj) -> str:
    return str(obj["metadata"].get("namespace", "") or "")


def uid(obj: Obj) -> str:
    return str(obj["metadata"].get("uid", ""))


def labels(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("labels") or {}


def annotations(obj: Obj) -> dict[str, str]:
    return obj.get("metadata", {}).get("annotations") or {}


def creation_time(obj: Obj) -> float:
    ts = obj.get("metadata", {}).get("creationTimestamp")
    return parse_rfc3339(ts) if ts else 0.0


def is_terminating(obj: Obj) -> bool:
    return bool(obj.get("metadata", {}).get("deletionTimestamp"))


def controller_ref(obj: Obj) -> Obj | None:
    """The ownerReference with controller=true, as metav1.GetControllerOf returns."""
    for ref in obj.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def new_controller_ref(owner: Obj) -> Obj:
    """metav1.NewControllerRef: the reference a controller puts on what it creates."""
    group_version = owner.get("apiVersion", "v1")
    return {
        "apiVersion": group_version,
        "kind": owner["kind"],
        "name": name(owner),
        "uid": uid(owner),
        "controller": True,
        "blockOwnerDeletion": True,
    }


# --- pods -----------------------------------------------------------------------------


def pod_phase(pod: Obj) -> str:
    return str(pod.get("status", {}).get("phase", ""))


def pod_condition(pod: Obj, ctype: str) -> Obj | None:
    for cond in pod.get("status", {}).get("conditions") or []:
        if cond.get("type") == ctype:
            return cond
    return None


def with_disruption_target(pod: Obj, reason: str, message: str, since: str) -> list[Obj]:
    """The pod's conditions with a DisruptionTarget=True one in place of any earlier one,
    as a new list (conditions are shared between pods: replaced, never edited)."""
    cond: Obj = {"type": "DisruptionTarget"}
    if pod["metadata"].get("generation"):
        cond["observedGeneration"] = pod["metadata"]["generation"]
    cond.update({"status": "True", "reason": reason, "message": message,
                 "lastProbeTime": None, "lastTransitionTime": since})
    return [*(c for c in pod["status"].get("conditions") or []
              if c.get("type") != "DisruptionTarget"), cond]


def is_pod_ready(pod: Obj) -> bool:
    cond = pod_condition(pod, "Ready")
    return bool(cond and cond.get("status") == "True")


def is_pod_available(pod: Obj, min_ready_seconds: int, now: float) -> bool:
    """podutil.IsPodAvailable: Ready, and Ready for longer than minReadySeconds."""
    cond = pod_condition(pod, "Ready")
    if not cond or cond.get("status") != "True":
        return False
    if min_ready_seconds == 0:
        return True
    since = cond.get("lastTransitionTime")
    if not since:
        return False
    return parse_rfc3339(since) + min_ready_seconds < now


# The node-pinning affinities a controller shares between the pods of one node (never
# edited in place), by identity: target_node_name knows their node without a walk. An
# entry holds its object, so its id cannot be reused while it is here; bounded, as the
# controller's own cache is (a miss only costs the walk).
_PINNED_AFFINITIES: dict[int, tuple[Obj, str]] = {}
_MAX_PINNED_AFFINITIES = 8192


def register_pinned_affinity(affinity: Obj, node_name: str) -> None:
    """Tell target_node_name that `affinity` (a whole spec.affinity, never to be edited
    in place) pins exactly `node_name`."""
    if len(_PINNED_AFFINITIES) >= _MAX_PINNED_AFFINITIES:
        _PINNED_AFFINITIES.clear()
    _PINNED_AFFINITIES[id(affinity)] = (affinity, node_name)


def target_node_name(pod: Obj) -> str:
    """util.GetTargetNodeName: nodeName, else the node pinned by the metadata.name affinity."""
    spec = pod.get("spec", {})
    if spec.get("nodeName"):
        return str(spec["nodeName"])
    affinity = spec.get("affinity")
    known = _PINNED_AFFINITIES.get(id(affinity))
    if known is not None and known[0] is affinity:
        return known[1]
    required = (
        spec.get("affinity", {})
        .get("nodeAffinity", {})
        .get("requiredDuringSchedulingIgnoredDuringExecution", {})
    )
    for term in required.get("nodeSelectorTerms") or []:
        for field in term.get("matchFields") or []:
            if field.get("key") == "metadata.name" and field.get("operator") == "In":
                values = field.get("values") or []
                if len(values) == 1:
                    return str(values[0])
    return ""


# --- nodes ----------------------------------------------------------------------------


def node_condition(node: Obj, ctype: str) -> Obj | None:
    for cond in node.get("status", {}).get("conditions") or []:
        if cond.get("type") == ctype:
            return cond
    return None


def is_node_ready(node: Obj) -> bool:
    cond = node_condition(node, "Ready")
    return bool(cond and cond.get("status") == "True")


def node_taints(node: Obj) -> list[Obj]:
    return node.get("spec", {}).get("taints") or []


def selectable_field(obj: Obj, field: str) -> str:
    """What a field selector compares for `field` of a stored object: the API server's
    selectable fields (GetAttrs, ToSelectableFields in pkg/registry/*/strategy.go), which
    are the text at the field's path but for these, worked out from the object:

    - Node spec.unschedulable and Pod spec.hostNetwork: Go's bool, "false" when unset;
    - Pod status.podIP: the first of status.podIPs; status.podIPs: none (""); spec.host:
      spec.nodeName (the server converts the old name);
    - ReplicaSet status.replicas: the number, "0" when unset;
    - Event source: source.component, or reportingComponent when that is empty."""
    rule = _SELECTABLE.get((obj.get("kind") or "", field))
    return rule(obj) if rule is not None else field_selector_value(obj, field)


def _go_bool(obj: Obj, path: str) -> str:
    return "true" if field_selector_value(obj, path) == "true" else "false"


def _first_pod_ip(pod: Obj) -> str:
    ips = (pod.get("status") or {}).get("podIPs")
    first = ips[0] if isinstance(ips, list) and ips else None
    return field_selector_value(first, "ip") if isinstance(first, dict) else ""


_SELECTABLE: dict[tuple[str, str], Callable[[Obj], str]] = {
    ("Node", "spec.unschedulable"): lambda node: _go_bool(node, "spec.unschedulable"),
    ("Pod", "spec.hostNetwork"): lambda pod: _go_bool(pod, "spec.hostNetwork"),
    ("Pod", "status.podIP"): _first_pod_ip,
    ("Pod", "status.podIPs"): lambda pod: "",
    ("Pod", "spec.host"): lambda pod: field_selector_value(pod, "spec.nodeName"),
    ("ReplicaSet", "status.replicas"):
        lambda rs: field_selector_value(rs, "status.replicas") or "0",
    ("Event", "source"): lambda event: (field_selector_value(event, "source.component")
                                        or field_selector_value(event, "reportingComponent")),
}


def field_selector_value(obj: Obj, path: str) -> str:
    """The text a field selector compares at a dotted path ("" if absent, Go's bools)."""
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return ""
        cur = cur.get(part)
    if cur is None:
        return ""
    if isinstance(cur, bool):
        return "true" if cur else "false"
    return str(cur)
