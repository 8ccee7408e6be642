"""What of a pod the DaemonSet controller reads: two pods' writes with equal signatures
cannot change syncDaemonSet's result, so the informer skips them (most writes are the
kubelet's image pulls and container creations)."""

from __future__ import annotations

from dstutor.model.objects import Obj

# pod_signature's last conditions list and its Ready transition (None: not Ready).
_last_ready: list[tuple[object, str | None]] = [(None, None)]


def pod_signature(pod: Obj, with_node: bool = True) -> tuple[object, ...]:
    """The fields of a pod that syncDaemonSet reads; other updates cannot change its result.

    Pending and Running are the same to the controller (only a finished phase matters),
    and a pod that is not Ready is not Ready whether the condition is False or missing.
    Labels are held by reference: pod labels are replaced on change, never edited.
    Binding (nodeName) only reorders the pods on a node, so it matters only where an
    owner has more than one pod (`with_node`).
    """
    meta, status = pod["metadata"], pod.get("status") or {}
    phase = status.get("phase")
    conditions = status.get("conditions")
    # (ready_transition's answer for no conditions, a pod just made, without the call)
    ready = ready_transition(conditions) if conditions else None
    refs = meta.get("ownerReferences")
    return (phase if phase == "Failed" or phase == "Succeeded" else None,
            pod["spec"].get("nodeName") if with_node else None,
            meta.get("deletionTimestamp"), ready,
            id(refs), len(refs) if refs else 0, meta.get("labels"))


def ready_transition(conditions: list[Obj] | None) -> str | None:
    """When the Ready condition of this conditions list turned True ("" if it does not
    say), None if it is not True. The last list's answer is kept: conditions lists are
    replaced, never edited in place, and the pods that changed alike share one
    (kubelet._set_conditions)."""
    if not conditions:
        return None  # a pod just made (the memo stays with the last list)
    last = _last_ready[0]
    if conditions is last[0]:
        return last[1]
    ready = None
    for cond in conditions:
        if cond.get("type") == "Ready":
            if cond.get("status") == "True":
                ready = cond.get("lastTransitionTime") or ""
            break
    _last_ready[0] = (conditions, ready)
    return ready
