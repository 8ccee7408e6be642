"""Pod priority: PriorityClass objects and the Priority admission plugin.

After upstream `pkg/apis/scheduling` (the two system classes, the highest value a user
may give), its validation, and `plugin/pkg/admission/priority` (a new pod's
`priorityClassName` becomes `spec.priority` and `spec.preemptionPolicy`; a class marked
`globalDefault` gives pods without a name its value).
"""

from __future__ import annotations

from typing import Any

from dstutor.model.names import field_forbidden, field_invalid, field_not_supported

Obj = dict[str, Any]

API_VERSION = "scheduling.k8s.io/v1"
SYSTEM_NODE_CRITICAL = "system-node-critical"
SYSTEM_CLUSTER_CRITICAL = "system-cluster-critical"
SYSTEM_PREFIX = "system-"
# scheduling.SystemCriticalPriority and the classes built on it.
SYSTEM_CRITICAL_PRIORITY = 2 * 1_000_000_000
HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000
DEFAULT_PRIORITY = 0  # DefaultPriorityWhenNoDefaultClassExists
PREEMPT_LOWER = "PreemptLowerPriority"
PREEMPT_NEVER = "Never"
PREEMPTION_POLICIES = (PREEMPT_LOWER, PREEMPT_NEVER)

SYSTEM_CLASSES: dict[str, tuple[int, str]] = {
    SYSTEM_NODE_CRITICAL: (SYSTEM_CRITICAL_PRIORITY + 1000,
                           "Used for system critical pods that must not be moved from their "
                           "current node."),
    SYSTEM_CLUSTER_CRITICAL: (SYSTEM_CRITICAL_PRIORITY,
                              "Used for system critical pods that must run in the cluster, but "
                              "can be moved to another node if necessary."),
}


class PriorityRejected(Exception):
    """The Priority admission plugin refuses a pod; str() is its reason (Forbidden)."""


def system_priority_classes() -> list[Obj]:
    """The classes every API server creates at start-up (scheduling's post-start hook)."""
    return [{"apiVersion": API_VERSION, "kind": "PriorityClass",
             "metadata": {"name": name}, "value": value, "globalDefault": False,
             "description": description, "preemptionPolicy": PREEMPT_LOWER}
            for name, (value, description) in SYSTEM_CLASSES.items()]


def default_priority_class(pc: Obj) -> None:
    """SetDefaults_PriorityClass: a class preempts lower priorities unless it says Never."""
    if not pc.get("preemptionPolicy"):
        pc["preemptionPolicy"] = PREEMPT_LOWER


def validate_priority_class(pc: Obj, old: Obj | None = None) -> list[str]:
    """ValidatePriorityClass (+ ValidatePriorityClassUpdate): the API server's causes."""
    errs: list[str] = []
    name = str((pc.get("metadata") or {}).get("name") or "")
    value = pc.get("value", 0)
    if not isinstance(value, int) or isinstance(value, bool):
        return [field_invalid("value", value, "must be an integer")]
    if name.startswith(SYSTEM_PREFIX):
        known = SYSTEM_CLASSES.get(name)
        if known is None:
            reason = f"{name} is not a known system priority class"
        elif known[0] != value:
            reason = (f"value of {name} PriorityClass must be {known[0]}")
        elif pc.get("globalDefault"):
            reason = f"globalDefault of {name} PriorityClass must be false"
        else:
            reason = ""
        if reason:
            errs.append(field_forbidden(
                "metadata.name", f"priority class names with '{SYSTEM_PREFIX}' prefix are "
                f"reserved for system use only. error: {reason}"))
    elif value > HIGHEST_USER_DEFINABLE_PRIORITY:
        errs.append(field_forbidden("value", "maximum allowed value of a user defined "
                                    f"priority is {HIGHEST_USER_DEFINABLE_PRIORITY}"))
    policy = pc.get("preemptionPolicy")
    if policy not in PREEMPTION_POLICIES:
        errs.append(field_not_supported("preemptionPolicy", policy, list(PREEMPTION_POLICIES)))
    if old is not None:
        if old.get("value", 0) != value:
            errs.append(field_forbidden("value", "may not be changed in an update."))
        if old.get("preemptionPolicy") != policy:
            errs.append(field_invalid("preemptionPolicy", policy, "field is immutable"))
    return errs


def global_default(classes: list[Obj]) -> Obj | None:
    """getDefaultPriorityClass: the globalDefault class with the lowest value (two can
    exist after a race)."""
    found = None
    for pc in classes:
        if pc.get("globalDefault") and (found is None or found.get("value", 0) > pc.get(
                "value", 0)):
            found = pc
    return found


def admit_priority_class(pc: Obj, classes: list[Obj]) -> None:
    """validatePriorityClass of the admission plugin: only one class may be the default."""
    if not pc.get("globalDefault"):
        return
    current = global_default(classes)
    name = pc["metadata"]["name"]
    if current is not None and current["metadata"]["name"] != name:
        raise PriorityRejected(f"PriorityClass {current['metadata']['name']} is already "
                               "marked as default. Only one default can exist")


def resolve_pod_priority(spec: Obj, classes: dict[str, Obj]) -> tuple[str, int, str]:
    """admitPod: the pod's (priorityClassName, priority, preemptionPolicy); raises
    PriorityRejected if refused. A pod without a class name takes the globalDefault
    class's name and value, or priority 0.

    `classes` maps names to the PriorityClass objects that exist (the system ones
    included, as on a real cluster).
    """
    name = spec.get("priorityClassName") or ""
    if name:
        pc = classes.get(name)
        if pc is None:
            raise PriorityRejected(f"no PriorityClass with name {name} was found")
    else:
        pc = global_default(list(classes.values()))
    priority = int(pc.get("value", 0)) if pc is not None else DEFAULT_PRIORITY
    policy = str(pc.get("preemptionPolicy") or PREEMPT_LOWER) if pc is not None else (
        PREEMPT_LOWER)
    given = spec.get("priority")
    if given is not None and given != priority:
        raise PriorityRejected(
            f"the integer value of priority ({given}) must not be provided in pod spec; "
            f"priority admission controller computed {priority} from the given "
            "PriorityClass name")
    given_policy = spec.get("preemptionPolicy")
    if given_policy is not None and given_policy != policy:
        raise PriorityRejected(
            f"the string value of PreemptionPolicy ({given_policy}) must not be provided in "
            f"pod spec; priority admission controller computed {policy} from the given "
            "PriorityClass name")
    return (pc["metadata"]["name"] if pc is not None else ""), priority, policy


def pod_priority(pod: Obj) -> int:
    """corev1helpers.PodPriority: spec.priority, or 0."""
    value = (pod.get("spec") or {}).get("priority")
    return int(value) if isinstance(value, int) else 0
