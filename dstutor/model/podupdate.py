"""What a user may change in a pod that exists: upstream ``ValidatePodUpdate``.

A pod is not a template: once created, its spec is fixed except for a few fields
(kubernetes/kubernetes pkg/apis/core/validation/validation.go, ``ValidatePodUpdate``
and ``updatablePodSpecFields``). A learner who edits a DaemonSet's pod instead of the
DaemonSet's template gets the API server's refusal, as on a real cluster, instead of
a pod that quietly differs from its template.

Only user writes come here (``ApiServer.prepare_update``: apply, replace, patch, edit,
set image, label, annotate, served PUT/PATCH). The controllers' own writes (binding,
status, graceful deletion, owner references) never pass through validation.

The real server follows its "Forbidden: pod updates may not change fields ..." line
with a go-cmp diff of the internal ``core.PodSpec``. That diff is not reproduced: its
context lines show fields the simulator does not store (the service account's
``kube-api-access-*`` projected volume and mounts), go-cmp's output is deliberately
unstable (spaces or non-breaking spaces, chosen per process) and there is no go-cmp
here to check against, so only the first line is given (README, "Pod updates").
"""

from __future__ import annotations

from typing import Any

from dstutor.errors import CommandError
from dstutor.model.admission import add_default_toleration_seconds
from dstutor.model.names import field_forbidden, field_invalid, field_required
from dstutor.model.quantity import parse_quantity
from dstutor.model.taints import validate_tolerations

__all__ = ["POD_UPDATE_FORBIDDEN", "admit_pod_update", "validate_pod_update"]

Obj = dict[str, Any]
Errs = list[str]

# updatablePodSpecFields, joined with "," as ValidatePodUpdate joins them.
UPDATABLE_POD_SPEC_FIELDS = (
    "`spec.containers[*].image`",
    "`spec.initContainers[*].image`",
    "`spec.activeDeadlineSeconds`",
    "`spec.tolerations` (only additions to existing tolerations)",
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
)
POD_UPDATE_FORBIDDEN = ("pod updates may not change fields other than "
                        + ",".join(UPDATABLE_POD_SPEC_FIELDS))

_MAX_INT32 = 2**31 - 1
_MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
_APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"

# Semantic.DeepEqual compares Go values: an absent non-pointer field and its zero value
# ("", false, 0) are the same, and so are a nil and an empty slice or map. Pointer fields
# differ between nil and zero: these JSON names are pointers in the PodSpec tree (their
# zero values are kept; every other zero scalar counts as absent).
_POINTER_SCALARS = frozenset({
    "activeDeadlineSeconds", "terminationGracePeriodSeconds", "priority", "tolerationSeconds",
    "enableServiceLinks", "automountServiceAccountToken", "shareProcessNamespace", "hostUsers",
    "setHostnameAsFQDN", "runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup", "privileged",
    "readOnlyRootFilesystem", "allowPrivilegeEscalation", "defaultMode", "mode", "optional",
    "expirationSeconds", "minDomains", "preemptionPolicy", "runtimeClassName",
})
# Maps (and the one non-pointer struct a container always has) whose {} equals absent;
# any other {} is a pointer to an empty struct (`emptyDir: {}`), which is not nil.
_EMPTY_EQUALS_ABSENT = frozenset({
    "nodeSelector", "limits", "requests", "overhead", "volumeAttributes", "resources",
})
# resource.Quantity compares by value ("1" equals "1000m").
_QUANTITY_MAPS = frozenset({"limits", "requests", "overhead"})


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


# --- mutating admission on update -------------------------------------------------


def admit_pod_update(new: Obj, old: Obj) -> None:
    """What the mutating admission plugins do to a pod update, before validation.

    Priority keeps the priority (and preemption policy) it resolved on create when the
    update leaves them out; DefaultTolerationSeconds runs on updates too, so a client
    that drops its two tolerations gets them back. ``new`` is the caller's own copy.
    """
    spec, old_spec = new.setdefault("spec", {}), _dict(old.get("spec"))
    if not isinstance(spec, dict):
        return
    for field in ("priority", "preemptionPolicy"):
        if spec.get(field) is None and old_spec.get(field) is not None:
            spec[field] = old_spec[field]
    if isinstance(spec.get("tolerations", []), list):
        add_default_toleration_seconds(spec)


# --- semantic equality --------------------------------------------------------------


def _quantity(value: Any) -> Any:
    try:
        return ("quantity", parse_quantity(value).value)
    except CommandError:
        return value


def _semantic(value: Any, key: str = "") -> Any:
    """``value`` in a form where == is Semantic.DeepEqual of the internal types."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            item = _semantic(v, k)
            if k in _QUANTITY_MAPS and isinstance(item, dict):
                item = {name: _quantity(q) for name, q in item.items()}
            if not _is_absent(item, k):
                out[k] = item
        return out
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def _is_absent(value: Any, key: str) -> bool:
    if value is None or (isinstance(value, list) and not value):
        return True
    if isinstance(value, dict):
        return not value and key in _EMPTY_EQUALS_ABSENT
    if key in _POINTER_SCALARS:
        return False
    return value == "" or value is False or (type(value) is int and value == 0)


def semantically_equal(a: Any, b: Any) -> bool:
    return bool(_semantic(a) == _semantic(b))


# --- the update rules --------------------------------------------------------------------


def _annotation_updates(new: Obj, old: Obj) -> Errs:
    """ValidatePodSpecificAnnotationUpdates (Go walks maps in random order; we sort)."""
    new_anns = _dict(_dict(new.get("metadata")).get("annotations"))
    old_anns = _dict(_dict(old.get("metadata")).get("annotations"))
    errs: Errs = []
    for key in sorted(old_anns):
        if key in new_anns and new_anns[key] == old_anns[key]:
            continue
        path = f"metadata.annotations[{key}]"
        if key.startswith(_APPARMOR_PREFIX):
            errs.append(field_forbidden(path, "may not remove or update AppArmor annotations"))
        if key == _MIRROR_POD_ANNOTATION:
            errs.append(field_forbidden(path, "may not remove or update mirror pod annotation"))
    for key in sorted(new_anns):
        if key in old_anns:
            continue
        path = f"metadata.annotations[{key}]"
        if key.startswith(_APPARMOR_PREFIX):
            errs.append(field_forbidden(path, "may not add AppArmor annotations"))
        if key == _MIRROR_POD_ANNOTATION:
            errs.append(field_forbidden(path, "may not add mirror pod annotation"))
    return errs


def _container_updates(new: list[Any], old: list[Any], path: str) -> tuple[Errs, bool]:
    """ValidateContainerUpdates: (causes, stop)."""
    if len(new) != len(old):
        return [field_forbidden(path, "pod updates may not add or remove containers")], True
    errs: Errs = []
    for i, ctr in enumerate(new):
        image = _dict(ctr).get("image") or ""
        if not isinstance(image, str):
            continue
        if not image:
            errs.append(field_required(f"{path}[{i}].image"))
        if image.strip() != image:
            errs.append(field_invalid(f"{path}[{i}].image", image,
                                      "must not have leading or trailing whitespace"))
    return errs, False


def _toleration_identity(tol: Any) -> tuple[str, str, str, str]:
    tol = _dict(tol)
    return (str(tol.get("key") or ""), str(tol.get("operator") or ""),
            str(tol.get("value") or ""), str(tol.get("effect") or ""))


def _only_added_tolerations(new: list[Any], old: list[Any]) -> Errs:
    """validateOnlyAddedTolerations: every old toleration is still there, up to its
    tolerationSeconds; the new list is then validated again (duplicates merge)."""
    kept = {_toleration_identity(t) for t in new}
    for tol in old:
        if _toleration_identity(tol) not in kept:
            return [field_forbidden("spec.tolerations",
                                    "existing toleration can not be modified except its "
                                    "tolerationSeconds")]
    return validate_tolerations(new, "spec.tolerations")


def _only_deleted_scheduling_gates(new: list[Any], old: list[Any]) -> Errs:
    """validateOnlyDeletedSchedulingGates (Go's map order is random; index order here)."""
    old_names = {_dict(g).get("name") for g in old}
    added: dict[Any, int] = {}
    for i, gate in enumerate(new):
        added[_dict(gate).get("name")] = i
    return [field_forbidden(f"spec.schedulingGates[{i}].name",
                            f"only deletion is allowed, but found new scheduling gate '{name}'")
            for name, i in sorted(added.items(), key=lambda item: item[1])
            if name not in old_names]


def _active_deadline(new_spec: Obj, old_spec: Obj) -> tuple[Errs, bool]:
    """Set from nil, or lowered; never raised or removed. (causes, stop)."""
    path = "spec.activeDeadlineSeconds"
    new, old = new_spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    if new is not None:
        if not isinstance(new, int):
            return [], False
        if new < 0 or new > _MAX_INT32:
            return [field_invalid(path, new, f"must be between 0 and {_MAX_INT32}, inclusive")], True
        if isinstance(old, int) and old < new:
            return [field_invalid(path, new, "must be less than or equal to previous value")], True
        return [], False
    if old is not None:
        return [field_invalid(path, None, "must not update from a positive integer to nil value")], False
    return [], False


def _node_selector_additions(new_spec: Obj, old_spec: Obj) -> Errs:
    """validateNodeSelectorMutation: a gated pod's nodeSelector may only grow."""
    new_sel = _dict(new_spec.get("nodeSelector"))
    for key, value in _dict(old_spec.get("nodeSelector")).items():
        if new_sel.get(key) != value:
            return [field_invalid("spec.nodeSelector", new_sel,
                                  "only additions to spec.nodeSelector are allowed "
                                  "(no mutations or deletions)", sort_keys=True)]
    return []


def _munged(new_spec: Obj, old_spec: Obj) -> Obj:
    """The new spec with every field an update may change taken from the old one."""
    munged = dict(new_spec)
    for field in ("containers", "initContainers"):
        old_ctrs = _list(old_spec.get(field))
        ctrs = _list(munged.get(field))
        munged[field] = [{**_dict(c), "image": _dict(old_ctrs[i]).get("image")}
                         if i < len(old_ctrs) else c for i, c in enumerate(ctrs)]
    for field in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        munged[field] = old_spec.get(field)
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and munged.get("terminationGracePeriodSeconds") == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if _list(old_spec.get("schedulingGates")):
        munged["nodeSelector"] = old_spec.get("nodeSelector")
    return munged


def validate_pod_update(new: Obj, old: Obj) -> Errs:
    """The update-only causes of ValidatePodUpdate, in upstream's order.

    The caller has already run the create-time pod validation on ``new`` (upstream's
    validatePodMetadataAndSpec, which ValidatePodUpdate runs first) and merges repeats.
    """
    errs = _annotation_updates(new, old)
    spec, old_spec = _dict(new.get("spec")), _dict(old.get("spec"))
    for field in ("containers", "initContainers"):
        found, stop = _container_updates(_list(spec.get(field)), _list(old_spec.get(field)),
                                         f"spec.{field}")
        errs += found
        if stop:
            return errs
    found, stop = _active_deadline(spec, old_spec)
    errs += found
    if stop:
        return errs
    errs += _only_added_tolerations(_list(spec.get("tolerations")), _list(old_spec.get("tolerations")))
    new_gates = _list(spec.get("schedulingGates"))
    if new_gates:
        errs += _only_deleted_scheduling_gates(new_gates, _list(old_spec.get("schedulingGates")))
    if semantically_equal(spec, old_spec):
        return errs
    if _list(old_spec.get("schedulingGates")) and not semantically_equal(
            spec.get("nodeSelector"), old_spec.get("nodeSelector")):
        errs += _node_selector_additions(spec, old_spec)
    if not semantically_equal(_munged(spec, old_spec), old_spec):
        errs.append(field_forbidden("spec", POD_UPDATE_FORBIDDEN))
    return errs
