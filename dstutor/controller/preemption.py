"""DefaultPreemption, the scheduler's PostFilter: make room by evicting lower-priority pods.

After upstream `pkg/scheduler/framework/plugins/defaultpreemption` and
`pkg/scheduler/framework/preemption`. Pure decisions: the scheduler acts on them.
Only nodes whose filters failed for want of room (NodePorts, NodeResourcesFit) are
candidates; taints, affinity and cordons cannot be fixed by evicting anybody.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from dstutor.model.objects import Obj, is_terminating
from dstutor.model.priority import PREEMPT_NEVER, pod_priority

NO_VICTIMS = "No preemption victims found for incoming pod"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NOT_ELIGIBLE_NEVER = "not eligible due to preemptionPolicy=Never."
NOT_ELIGIBLE_TERMINATING = "not eligible due to a terminating pod on the nominated node."
REASON_PREEMPTION = "PreemptionByScheduler"

RoomCheck = Callable[[Obj, Obj, list[Obj]], list[str]]


@dataclass(frozen=True)
class Candidate:
    node: Obj
    victims: tuple[Obj, ...]

    @property
    def name(self) -> str:
        return str(self.node["metadata"]["name"])


def _start_time(pod: Obj) -> str:
    status = pod.get("status") or {}
    return str(status.get("startTime") or pod["metadata"].get("creationTimestamp") or "")


def more_important_first(pods: list[Obj]) -> list[Obj]:
    """util.MoreImportantPod as a sort: higher priority first, then the pod that has
    run longer (earlier start time)."""
    return sorted(pods, key=lambda p: (-pod_priority(p), _start_time(p), p["metadata"]["name"]))


def terminating_by_preemption(pod: Obj) -> bool:
    """podTerminatingByPreemption: deleting, with the scheduler's DisruptionTarget."""
    if not is_terminating(pod):
        return False
    return any(c.get("type") == "DisruptionTarget" and c.get("status") == "True"
               and c.get("reason") == REASON_PREEMPTION
               for c in (pod.get("status") or {}).get("conditions") or [])


def eligible_to_preempt(pod: Obj, nominated_pods: list[Obj] | None) -> str:
    """PodEligibleToPreemptOthers: "" if the pod may preempt, else why not.

    `nominated_pods` are the pods on the node the pod was nominated to earlier (None
    without a nomination): while a lower-priority victim there is still terminating,
    the pod waits instead of preempting more.
    """
    if (pod.get("spec") or {}).get("preemptionPolicy") == PREEMPT_NEVER:
        return NOT_ELIGIBLE_NEVER
    if nominated_pods:
        mine = pod_priority(pod)
        if any(pod_priority(p) < mine and terminating_by_preemption(p) for p in nominated_pods):
            return NOT_ELIGIBLE_TERMINATING
    return ""


def select_victims_on_node(pod: Obj, node: Obj, pods_on_node: list[Obj], room: RoomCheck
                           ) -> tuple[tuple[Obj, ...], list[str]]:
    """SelectVictimsOnNode: (victims, []) or ((), the reasons the node stays unusable).

    Every lower-priority pod is taken off the node; if the pod still does not fit, the
    node is no candidate. Otherwise pods are put back, most important first, as long as
    the pod still fits; the ones that cannot be put back are the victims.
    """
    mine = pod_priority(pod)
    potential = [p for p in pods_on_node if pod_priority(p) < mine]
    if not potential:
        return (), [NO_VICTIMS]
    kept = [p for p in pods_on_node if pod_priority(p) >= mine]
    reasons = room(pod, node, kept)
    if reasons:
        return (), reasons
    victims = []
    for candidate in more_important_first(potential):
        if room(pod, node, [*kept, candidate]):
            victims.append(candidate)
        else:
            kept.append(candidate)
    return tuple(victims), []


def _earliest_start_of_most_important(victims: tuple[Obj, ...]) -> str:
    """util.GetEarliestPodStartTime: the earliest start among the highest-priority victims."""
    top = max(pod_priority(v) for v in victims)
    return min(_start_time(v) for v in victims if pod_priority(v) == top)


def pick_one_node(candidates: list[Candidate]) -> Candidate:
    """pickOneNodeForPreemption, without PodDisruptionBudgets: the lowest highest-priority
    victim, then the lowest sum of priorities (each raised by 2^31, as upstream does, so
    that more victims of negative priority never look cheaper), then the fewest victims,
    then the node whose most important victims started latest; remaining ties go to the
    first node by name (upstream's order is random)."""
    def score(c: Candidate) -> tuple[int, int, int]:
        prios = [pod_priority(v) for v in c.victims]
        return (max(prios), sum(p + 2**31 for p in prios), len(prios))
    best = min(score(c) for c in candidates)
    tied = sorted((c for c in candidates if score(c) == best), key=lambda c: c.name)
    latest = max(_earliest_start_of_most_important(c.victims) for c in tied)
    return next(c for c in tied if _earliest_start_of_most_important(c.victims) == latest)


def find_candidate(pod: Obj, nodes_with_pods: list[tuple[Obj, list[Obj]]], total: int,
                   room: RoomCheck) -> tuple[Candidate | None, Counter[str]]:
    """findCandidates + SelectCandidate: the node to preempt on, or None and, per reason,
    how many nodes preemption could not help (the FitError it reports)."""
    reasons: Counter[str] = Counter()
    candidates = []
    for node, pods in nodes_with_pods:
        victims, why = select_victims_on_node(pod, node, pods, room)
        if victims:
            candidates.append(Candidate(node, victims))
        else:
            reasons.update(why)
    if candidates:
        return pick_one_node(candidates), Counter()
    # SetAbsentNodesStatus: every node that was not even a potential candidate.
    if total - len(nodes_with_pods):
        reasons[NOT_HELPFUL] += total - len(nodes_with_pods)
    return None, reasons


def disruption_condition(scheduler_name: str, now: str) -> Obj:
    """The DisruptionTarget condition a victim gets before it is deleted."""
    return {"type": "DisruptionTarget", "status": "True", "lastProbeTime": None,
            "lastTransitionTime": now, "reason": REASON_PREEMPTION,
            "message": f"{scheduler_name}: preempting to accommodate a higher priority pod"}


def fit_error(reasons: Counter[str], total: int) -> str:
    """FitError.Error() without a PostFilter message."""
    parts = sorted(f"{count} {reason}" for reason, count in reasons.items())
    return f"0/{total} nodes are available: {', '.join(parts)}."
