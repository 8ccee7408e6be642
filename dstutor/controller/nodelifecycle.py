"""Node lifecycle: conditions become taints, silent kubelets become NotReady nodes.

The DaemonSet controller never looks at conditions; it sees only these taints.
"""

from __future__ import annotations

from functools import lru_cache

from dstutor.controller.context import Context
from dstutor.model.objects import Obj, node_condition
from dstutor.model.sharedguard import cached, share
from dstutor.model.timefmt import to_rfc3339

COMPONENT = "node-controller"
NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure"
DISK_PRESSURE = "node.kubernetes.io/disk-pressure"
PID_PRESSURE = "node.kubernetes.io/pid-pressure"
NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable"
# nodeConditionToTaintKeyStatusMap: condition type -> {status: NoSchedule taint key}.
CONDITION_TAINTS: dict[str, dict[str, str]] = {
    "Ready": {"False": NOT_READY, "Unknown": UNREACHABLE},
    "MemoryPressure": {"True": MEMORY_PRESSURE},
    "DiskPressure": {"True": DISK_PRESSURE},
    "NetworkUnavailable": {"True": NETWORK_UNAVAILABLE},
    "PIDPressure": {"True": PID_PRESSURE},
}
# NotReadyTaintTemplate / UnreachableTaintTemplate, keyed by the Ready status.
NO_EXECUTE_TAINTS: dict[str, str] = {"False": NOT_READY, "Unknown": UNREACHABLE}
# Only these (key, effect) pairs belong to the controller: a user's taint that merely
# shares a key (memory-pressure:NoExecute, unschedulable:PreferNoSchedule) is left alone,
# as upstream filters on the effect before diffing.
MANAGED: frozenset[tuple[str, str]] = frozenset(
    {(key, "NoSchedule") for keys in CONDITION_TAINTS.values() for key in keys.values()}
    | {(UNSCHEDULABLE, "NoSchedule")}
    | {(key, "NoExecute") for key in NO_EXECUTE_TAINTS.values()})
CONDITION_TYPES = ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")
# What the controller turns Unknown for a silent kubelet, in upstream's order; it leaves
# NetworkUnavailable alone because the network plugin or cloud, not the kubelet, owns it.
KUBELET_CONDITION_TYPES = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")


def _ident(taint: Obj) -> tuple[str, str]:
    # MatchTaint: key and effect make a taint's identity; the value does not count.
    return (taint.get("key", ""), taint.get("effect", ""))


def wanted_taints(node: Obj, now: str) -> list[Obj]:
    """The taints this controller keeps on a node, each stamped with `now` as timeAdded.

    NoSchedule ones first, in the order of the node's conditions then unschedulable
    (doNoScheduleTaintingPass), then the NoExecute one for a Ready that is not True
    (doNoExecuteTaintingPass runs later, off a rate-limited queue). SwapNodeControllerTaint
    sets timeAdded on every taint either pass adds. A node without a Ready condition gets
    no Ready taint: upstream maps only the conditions that are there.
    """
    taints: list[Obj] = []
    seen: set[tuple[str, str]] = set()

    def add(key: str, effect: str) -> None:
        # A duplicated condition must not yield a duplicated taint (the API rejects those).
        if (key, effect) not in seen:
            seen.add((key, effect))
            taints.append({"key": key, "effect": effect, "timeAdded": now})

    for cond in node.get("status", {}).get("conditions") or []:
        key = CONDITION_TAINTS.get(cond.get("type", ""), {}).get(cond.get("status", ""))
        if key:
            add(key, "NoSchedule")
    if node.get("spec", {}).get("unschedulable"):
        add(UNSCHEDULABLE, "NoSchedule")
    ready = node_condition(node, "Ready")
    no_execute = NO_EXECUTE_TAINTS.get(ready.get("status", "")) if ready else None
    if no_execute:
        add(no_execute, "NoExecute")
    return taints


def reconcile_taints(node: Obj, now: str) -> list[Obj] | None:
    """The node's new taint list, or None if nothing changes.

    Taints already there stay where they are, with their own timeAdded (upstream diffs by
    key and effect and only adds what is missing); new ones go to the end.
    """
    current = node.get("spec", {}).get("taints") or []
    wanted = wanted_taints(node, now)
    managed_now = {_ident(t) for t in current if _ident(t) in MANAGED}
    managed_wanted = {_ident(t) for t in wanted}
    if managed_now == managed_wanted:
        return None
    kept = [t for t in current if _ident(t) not in MANAGED or _ident(t) in managed_wanted]
    kept_ids = {_ident(t) for t in kept}
    return kept + [t for t in wanted if _ident(t) not in kept_ids]


def unknown_conditions(node: Obj, now: str) -> list[Obj]:
    """The node's conditions once the controller gives up on a silent kubelet.

    The kubelet's four turn Unknown where they stand; any other condition (such as a
    NetworkUnavailable=True, and with it its taint) is kept, as tryUpdateNodeHealth
    leaves it. A kubelet condition never posted is appended as NodeStatusNeverUpdated.
    """
    unknown = {c["type"]: c for c in ready_conditions("Unknown", now)}
    merged = _replace_in_place(node, unknown)
    created = node["metadata"].get("creationTimestamp") or now
    for ctype in KUBELET_CONDITION_TYPES:
        if ctype in unknown:
            merged.append({"type": ctype, "status": "Unknown", "lastHeartbeatTime": created,
                           "lastTransitionTime": now, "reason": "NodeStatusNeverUpdated",
                           "message": "Kubelet never posted node status."})
    return merged


def kubelet_posted_conditions(node: Obj, status: str, now: str) -> list[Obj]:
    """The node's conditions after its kubelet posts its own four (Ready = `status`).

    The kubelet only writes the conditions it owns; one set by somebody else (such as a
    NetworkUnavailable from the network plugin) stays where it stands.
    """
    posted = {c["type"]: c for c in ready_conditions(status, now)}
    return [*_replace_in_place(node, posted), *posted.values()]


def _replace_in_place(node: Obj, fresh: dict[str, Obj]) -> list[Obj]:
    """The node's conditions with those of a type in `fresh` replaced where they stand;
    the ones used are taken out of `fresh`, so what is left there is new to the node."""
    return [fresh.pop(c.get("type", ""), c) for c in node["status"].get("conditions") or []]


def ready_conditions(status: str, now: str, *, since: dict[str, str] | None = None) -> list[Obj]:
    """The kubelet's four conditions; `status` is that of Ready."""
    reasons = {
        "MemoryPressure": ("False", "KubeletHasSufficientMemory",
                           "kubelet has sufficient memory available"),
        "DiskPressure": ("False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        "PIDPressure": ("False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    }
    if status == "True":
        ready = ("True", "KubeletReady", "kubelet is posting ready status")
    elif status == "False":
        ready = ("False", "KubeletNotReady",
                 "container runtime status check may not have completed yet")
    else:
        ready = ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.")
    conditions = []
    for ctype in CONDITION_TYPES:
        cstatus, reason, message = ready if ctype == "Ready" else reasons[ctype]
        if status == "Unknown":
            cstatus, reason, message = ready
        prev = (since or {}).get(f"{ctype}/{cstatus}")
        conditions.append(_node_condition(ctype, cstatus, now, prev or now, reason, message))
    return conditions


@cached
@lru_cache(maxsize=4096)
def _node_condition(ctype: str, status: str, heartbeat: str, since: str, reason: str,
                    message: str) -> Obj:
    """One NodeCondition dict for every node that posts it alike at one instant (5,000
    nodes: 5 MB less). Writers replace a node's conditions, never edit one in place."""
    return share({"type": ctype, "status": status, "lastHeartbeatTime": heartbeat,
                  "lastTransitionTime": since, "reason": reason, "message": message})


class NodeLifecycleController:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.silent_since: dict[str, float] = {}

    def on_node(self, old: Obj | None, new: Obj | None) -> None:
        if new is not None:
            self.ctx.enqueue("nodelifecycle", new["metadata"]["name"])
        elif old is not None:
            self.silent_since.pop(old["metadata"]["name"], None)

    def kubelet_stopped(self, node_name: str) -> None:
        now = self.ctx.clock.now()
        self.silent_since[node_name] = now
        grace = float(self.ctx.timing["nodeMonitorGracePeriodSeconds"])
        self.ctx.enqueue_at("nodelifecycle", node_name, now + grace)

    def kubelet_resumed(self, node_name: str) -> None:
        self.silent_since.pop(node_name, None)

    def sync(self, node_name: str) -> None:
        store = self.ctx.store
        node = store.get("Node", "", node_name)
        if node is None:
            return
        now = self.ctx.clock.now()
        stamp = to_rfc3339(now)
        silent = self.silent_since.get(node_name)
        grace = float(self.ctx.timing["nodeMonitorGracePeriodSeconds"])
        ready = node_condition(node, "Ready")
        if silent is not None and now >= silent + grace and (
                ready is None or ready.get("status") != "Unknown"):
            # No heartbeat for the grace period: the kubelet's conditions become Unknown.
            node["status"]["conditions"] = unknown_conditions(node, stamp)
            store.touch(node)
            self.ctx.record_event(node, "Normal", "NodeNotReady",
                                  f"Node {node_name} status is now: NodeNotReady",
                                  component=COMPONENT)
            self._mark_pods_not_ready(node_name, stamp)
        taints = reconcile_taints(node, stamp)
        if taints is not None:
            if taints:
                node["spec"]["taints"] = taints
            else:
                node["spec"].pop("taints", None)
            store.touch(node)

    def _mark_pods_not_ready(self, node_name: str, stamp: str) -> None:
        """MarkPodsNotReady: pods on an unreachable node stop counting as ready.

        Only the pod's Ready condition turns False. Nobody can ask the silent kubelet
        about the containers, so their statuses keep saying ready, and `get pods` still
        shows 1/1 Running on a NotReady node, as on a real cluster.
        """
        for pod in self.ctx.store.pods_on_node(node_name):
            changed = False
            conditions = list(pod.get("status", {}).get("conditions") or [])
            for i, cond in enumerate(conditions):
                if cond.get("type") == "Ready" and cond.get("status") != "False":
                    # Conditions are shared between pods: replace, never edit in place.
                    conditions[i] = {**cond, "status": "False", "lastTransitionTime": stamp}
                    if pod["metadata"].get("generation"):
                        conditions[i]["observedGeneration"] = pod["metadata"]["generation"]
                    changed = True
            if changed:
                pod["status"]["conditions"] = conditions
                self.ctx.store.touch(pod)
                # Recorded after the status update, so the pod surely still exists.
                self.ctx.record_event(pod, "Warning", "NodeNotReady", "Node is not ready",
                                      component=COMPONENT)
