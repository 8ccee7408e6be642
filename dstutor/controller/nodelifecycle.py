"""Node lifecycle: conditions become taints, silent kubelets become NotReady nodes.

The DaemonSet controller never looks at conditions; it sees only these taints.
"""

from __future__ import annotations

from dstutor.controller.context import Context
from dstutor.model.objects import Obj, node_condition
from dstutor.model.timefmt import to_rfc3339

COMPONENT = "node-controller"
NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
MANAGED_KEYS = frozenset({NOT_READY, UNREACHABLE, UNSCHEDULABLE})
CONDITION_TYPES = ("MemoryPressure", "DiskPressure", "PIDPressure", "Ready")


def wanted_taints(node: Obj, now: str) -> list[Obj]:
    """The taints this controller keeps on a node, derived from Ready and unschedulable."""
    taints: list[Obj] = []
    ready = node_condition(node, "Ready")
    status = ready.get("status") if ready else "Unknown"
    if status == "False":
        taints += [{"key": NOT_READY, "effect": "NoSchedule"},
                   {"key": NOT_READY, "effect": "NoExecute", "timeAdded": now}]
    elif status == "Unknown":
        taints += [{"key": UNREACHABLE, "effect": "NoSchedule"},
                   {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": now}]
    if node.get("spec", {}).get("unschedulable"):
        taints.append({"key": UNSCHEDULABLE, "effect": "NoSchedule", "timeAdded": now})
    return taints


def reconcile_taints(node: Obj, now: str) -> list[Obj] | None:
    """The node's new taint list, or None if nothing changes. Keeps user taints first."""
    current = node.get("spec", {}).get("taints") or []
    wanted = wanted_taints(node, now)

    def ident(t: Obj) -> tuple[str, str]:
        return (t["key"], t.get("effect", ""))

    managed_now = {ident(t) for t in current if t.get("key") in MANAGED_KEYS}
    managed_wanted = {ident(t) for t in wanted}
    if managed_now == managed_wanted:
        return None
    kept = [t for t in current if t.get("key") not in MANAGED_KEYS or ident(t) in managed_wanted]
    kept_ids = {ident(t) for t in kept}
    return kept + [t for t in wanted if ident(t) not in kept_ids]


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
        conditions.append({"type": ctype, "status": cstatus, "lastHeartbeatTime": now,
                           "lastTransitionTime": prev or now, "reason": reason,
                           "message": message})
    return conditions


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
            # No heartbeat for the grace period: every condition becomes Unknown.
            node["status"]["conditions"] = ready_conditions("Unknown", stamp)
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
        """MarkPodsNotReady: pods on an unreachable node stop counting as ready."""
        for pod in self.ctx.store.pods_on_node(node_name):
            changed = False
            conditions = list(pod.get("status", {}).get("conditions") or [])
            for i, cond in enumerate(conditions):
                if cond.get("type") == "Ready" and cond.get("status") != "False":
                    # Conditions are shared between pods: replace, never edit in place.
                    conditions[i] = {**cond, "status": "False", "lastTransitionTime": stamp}
                    changed = True
            if changed:
                pod["status"]["conditions"] = conditions
            for cs in pod.get("status", {}).get("containerStatuses") or []:
                cs["ready"] = False
            if changed:
                self.ctx.store.touch(pod)
