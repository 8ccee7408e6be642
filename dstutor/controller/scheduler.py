"""kube-scheduler, reduced to its filters: bind each pod to a node that fits, or say why not."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import lru_cache

from dstutor.controller import preemption, shared
from dstutor.controller.context import Context
from dstutor.model.objects import Obj, is_terminating, key_of
from dstutor.model.podaffinity import (
    RESOLVABLE,
    has_required_anti_affinity,
    interpod_failure,
    uses_pod_affinity,
)
from dstutor.model.priority import pod_priority
from dstutor.model.quantity import parse_quantity
from dstutor.model.selectors import pod_matches_node_affinity
from dstutor.model.sharedguard import share
from dstutor.model.taints import find_matching_untolerated_taint, toleration_tolerates_taint
from dstutor.model.timefmt import to_rfc3339

COMPONENT = "default-scheduler"
UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
AFFINITY_MISMATCH = "node(s) didn't match Pod's node affinity/selector"
# NodeAffinity's PreFilter narrows a pod pinned by metadata.name to its node; every other
# node is "absent" and gets this status (SetAbsentNodesStatus).
AFFINITY_PREFILTER = "node(s) didn't satisfy plugin(s) [NodeAffinity]"
PORTS_CONFLICT = "node(s) didn't have free ports for the requested pod ports"


def resource_amount(name: str, quantity: object) -> int:
    """A quantity in framework.Resource's unit: millicores for cpu (MilliValue), whole
    units otherwise (Value: bytes, pods), rounded up as the scheduler rounds them.
    CommandError (ParseQuantity's words) when it is not a quantity."""
    if isinstance(quantity, str | int | float):
        return _resource_amount(name, quantity)
    return _resource_amount(name, "")  # a list or a mapping: the server's format error


# Every placement counts the requests of every pod on the node again: the same few
# quantities, so each is converted once (typed: True is not the quantity 1).
@lru_cache(maxsize=4096, typed=True)
def _resource_amount(name: str, quantity: str | int | float) -> int:
    q = parse_quantity(quantity)
    return q.milli_value() if name == "cpu" else q.int_value()


def pod_requests(pod: Obj) -> dict[str, int]:
    """computePodResourceRequest over the containers: cpu in millicores, memory in bytes."""
    total = {"cpu": 0, "memory": 0}
    for c in pod.get("spec", {}).get("containers") or []:
        req = (c.get("resources") or {}).get("requests") or {}
        for res in ("cpu", "memory"):
            if res in req:
                total[res] += resource_amount(res, req[res])
    return total


def filter_node(pod: Obj, node: Obj, pods_on_node: list[Obj]) -> str | None:
    """Run the scheduler's filters; None if the pod fits, else the first reason it does not."""
    reason = filter_node_rules(pod, node)
    if reason is not None:
        return reason
    room = filter_node_room(pod, node, pods_on_node)
    return room[0] if room else None


def matches_node_affinity(spec: Obj, node: Obj, pinned: str = "") -> bool:
    """pod_matches_node_affinity, with a short way for a daemon pod's own affinity.

    The DaemonSet controller gives a pod whose template has no affinity the shared
    pinning affinity of its node (controller/shared.py, never edited in place): its only
    term matches exactly the node of that name, so just the nodeSelector is left to ask.
    `pinned` is the node the pod's affinity names (target_node_name); only for that node
    is the shared affinity looked up, so other pods add nothing to its cache.
    """
    if pinned and spec.get("affinity") is shared.pinned_affinity(pinned) and (
            node.get("metadata") or {}).get("name") == pinned:
        selector = spec.get("nodeSelector")
        return not selector or pod_matches_node_affinity({"nodeSelector": selector}, node)
    return pod_matches_node_affinity(spec, node)


def filter_node_rules(pod: Obj, node: Obj, pinned: str = "") -> str | None:
    """The filters that look at the node alone, in the default profile's order:
    NodeUnschedulable, TaintToleration, NodeAffinity. (Their failures cannot be
    resolved by preemption.) `pinned`: the node the pod's affinity names, if any."""
    spec = pod.get("spec", {})
    tolerations = spec.get("tolerations") or []
    if node.get("spec", {}).get("unschedulable") and not any(
            toleration_tolerates_taint(t, UNSCHEDULABLE_TAINT) for t in tolerations):
        return "node(s) were unschedulable"
    taints = node.get("spec", {}).get("taints")  # node_taints(node), inline: every pod asks
    taint = find_matching_untolerated_taint(taints, tolerations, ("NoSchedule", "NoExecute")
                                            ) if taints else None
    if taint is not None:
        return f"node(s) had untolerated taint {{{taint['key']}: {taint.get('value', '')}}}"
    if not matches_node_affinity(spec, node, pinned):
        return AFFINITY_MISMATCH
    return None


def host_ports(pod: Obj) -> list[tuple[str, str, int]]:
    """(protocol, hostIP, hostPort) of every port the pod asks for on the host."""
    wanted = []
    for c in pod.get("spec", {}).get("containers") or []:
        for port in c.get("ports") or []:
            if port.get("hostPort"):
                wanted.append((port.get("protocol") or "TCP", port.get("hostIP") or "0.0.0.0",
                               int(port["hostPort"])))
    return wanted


def _ports_conflict(wanted: list[tuple[str, str, int]], used: list[tuple[str, str, int]]
                    ) -> bool:
    # HostPortInfo.CheckConflict: same protocol and port, and either address is the
    # wildcard or both are the same.
    return any(proto == uproto and port == uport and (ip == uip or "0.0.0.0" in (ip, uip))
               for proto, ip, port in wanted for uproto, uip, uport in used)


def filter_node_room(pod: Obj, node: Obj, pods_on_node: list[Obj]) -> list[str]:
    """The filters that count what already runs there: NodePorts, then NodeResourcesFit
    (which names every resource that is short). Preemption could resolve these."""
    live = [p for p in pods_on_node if p.get("status", {}).get("phase") not in
            ("Succeeded", "Failed")]
    wanted_ports = host_ports(pod)
    if wanted_ports and _ports_conflict(wanted_ports,
                                        [u for p in live for u in host_ports(p)]):
        return [PORTS_CONFLICT]
    reasons = []
    allocatable = node.get("status", {}).get("allocatable") or {}
    if "pods" in allocatable and len(live) + 1 > resource_amount("pods", allocatable["pods"]):
        reasons.append("Too many pods")
    wanted = pod_requests(pod)
    if not (wanted["cpu"] or wanted["memory"]):
        return reasons  # requests nothing, so any room is enough
    used = {"cpu": 0, "memory": 0}
    for other in live:
        for res, value in pod_requests(other).items():
            used[res] += value
    for res in ("cpu", "memory"):
        if wanted[res] and res in allocatable:
            if used[res] + wanted[res] > resource_amount(res, allocatable[res]):
                reasons.append(f"Insufficient {res}")
    return reasons


def room_is_certain(pod: Obj, node: Obj, pods_indexed_on_node: int) -> bool:
    """Whether the room filters must pass without counting: the pod asks for no cpu,
    memory or host port, and even every pod the store maps to the node (a superset of
    the bound, live ones) leaves room under the pod limit."""
    return asks_for_nothing(pod) and leaves_pod_room(node, pods_indexed_on_node)


def asks_for_nothing(pod: Obj) -> bool:
    """No cpu, no memory and no host port: the room filters cannot refuse it for those."""
    wanted = pod_requests(pod)
    return not (wanted["cpu"] or wanted["memory"] or host_ports(pod))


def leaves_pod_room(node: Obj, pods_indexed_on_node: int) -> bool:
    """One more pod stays within the node's pod limit, if it has one."""
    allowed = (node.get("status", {}).get("allocatable") or {}).get("pods")
    return allowed is None or pods_indexed_on_node + 1 <= resource_amount("pods", allowed)


def failure_message(reasons: Counter[str], total: int, post_filter: str = "") -> str:
    """FitError.Error(): the filters' reasons counted over nodes, then what the
    PostFilter (preemption) said, if anything."""
    message = preemption.fit_error(reasons, total)
    return f"{message} {post_filter}" if post_filter else message


# Containers lists whose answer Scheduler._room_is_certain keeps (a miss only costs one).
ASKS_NOTHING_MEMO_SIZE = 32


class Scheduler:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.unschedulable: set[tuple[str, str, str]] = set()
        # Pods preemption nominated to a node: room there is held for them (and for
        # anybody of their priority or higher) until the victims are gone.
        self.nominations: dict[tuple[str, str, str], str] = {}
        # Bound pods with required pod anti-affinity: while there are none, a pod without
        # pod (anti-)affinity of its own skips the InterPodAffinity filter.
        self.anti_affinity: set[tuple[str, str, str]] = set()
        # Containers lists _room_is_certain looked at, the newest last, and whether each
        # asks for nothing (no cpu, memory or host port).
        self._asks_nothing: list[tuple[object, bool]] = []
        self._pod_limits: dict[str, int] = {}  # allocatable "pods" text -> the number
        # The last condition a pod without conditions was given, and the one list holding
        # it alone that such pods share (see _set_scheduled_condition).
        self._first_conditions: tuple[object, list[Obj]] = (None, [])
        # Whether events about pods are recorded at all (Cluster.record_pod_events, as
        # the kubelet's): when not, a binding skips making its Scheduled message.
        self.pod_events: Callable[[], bool] = lambda: True

    def on_pod(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            if old is not None:
                self.unschedulable.discard(key_of(old))
                self.nominations.pop(key_of(old), None)
                self.anti_affinity.discard(key_of(old))
                if old["spec"].get("nodeName"):
                    self._retry_all()  # a removed pod frees room on its node
            return
        spec = new["spec"]
        bound = spec.get("nodeName")
        # Asked on every pod write: a pod without pod anti-affinity (a DaemonSet pod's
        # affinity holds only its node pinning) answers without building the term list.
        if bound:
            affinity = spec.get("affinity")
            if affinity and affinity.get("podAntiAffinity") and has_required_anti_affinity(new):
                self.anti_affinity.add(key_of(new))
            return
        meta = new["metadata"]
        if not meta.get("deletionTimestamp"):  # is_terminating(new), inline
            key = ("Pod", meta.get("namespace", "") or "", meta.get("name", ""))  # key_of
            # An unschedulable pod waits for a cluster event (a pod removed, a node
            # changed); its own status updates do not requeue it, as upstream's
            # queueing hints ignore them. A changed spec (say, a new toleration) does.
            if key not in self.unschedulable or old is None or old["spec"] != new["spec"]:
                self.ctx.enqueue("scheduler", key)

    def on_node(self, old: Obj | None, new: Obj | None) -> None:
        self._retry_all()

    def _retry_all(self) -> None:
        for key in sorted(self.unschedulable):
            self.ctx.enqueue("scheduler", key)

    def schedule(self, key: tuple[str, str, str]) -> None:
        store = self.ctx.store
        # The pod's record: the pod (store.get's answer), and its target node as the
        # store indexed it at its last write (target_node_name(pod), not asked again).
        record = store.pod_records.get(key)
        if record is None:
            self.unschedulable.discard(key)
            return
        pod = record.pod  # (a record always holds its pod)
        spec = pod["spec"]
        if spec.get("nodeName") or pod["metadata"].get("deletionTimestamp"):  # is_terminating
            self.unschedulable.discard(key)
            return
        pinned = record.node
        affinity = spec.get("affinity")
        interpod = bool(self.anti_affinity) or bool(
            affinity and (affinity.get("podAffinity") or affinity.get("podAntiAffinity"))
            and uses_pod_affinity(pod))
        if pinned:
            # DaemonSet pods name their node in the affinity; PreFilter drops the rest.
            node = store.get_plain("Node", "", pinned)
            if (node is not None and not interpod and filter_node_rules(pod, node, pinned)
                    is None and self._room_is_certain(pod, node,
                                                      len(store.pod_keys_on_node(pinned)))):
                # Nearly always: the one candidate fits for certain, which is all the
                # loop below would find (tests/sim/test_sim_join6_fast_paths.py).
                self._bind(pod, node, key)
                return
            candidates = [node] if node is not None else []
        else:
            candidates = store.list("Node")
        # The filters' reasons, one per refusal; counted only when the pod does not fit.
        refusals: list[str] = []
        feasible: list[tuple[float, str, Obj]] = []
        resolvable: list[tuple[Obj, list[Obj]]] = []  # nodes only the room filters refused
        placed = self._placed() if interpod else []
        for node in candidates:
            node_name = node["metadata"]["name"]
            reason = filter_node_rules(pod, node, pinned)
            if reason is not None:
                refusals.append(reason)
                continue
            indexed = store.pod_keys_on_node(node_name)
            if pinned and not interpod and self._room_is_certain(pod, node, len(indexed)):
                # One candidate: nothing to rank, and nothing to count (a DaemonSet pod
                # that requests nothing on a node far from its pod limit).
                feasible.append((0, node_name, node))
                continue
            # Only pods bound here use its room: a pending pod pinned to the node (this one
            # included) must not count against itself.
            # (Order does not matter here: only counts and sums are taken.)
            on_node = [p for p in (store.get(*k) for k in indexed)
                       if p is not None and p["spec"].get("nodeName")]
            if self.nominations:
                on_node += self._nominated_here(pod, node_name)
            room = filter_node_room(pod, node, on_node)
            if not room and interpod:
                failure = interpod_failure(pod, node, placed, self._namespace_labels())
                room = [failure] if failure else []
                if failure and failure not in RESOLVABLE:
                    refusals.append(failure)
                    continue
            if not room:
                feasible.append((len(on_node), node_name, node))
            else:
                refusals += room
                resolvable.append((node, on_node))
        if not feasible:
            # (The nodes are counted only here: the filters write nothing.)
            total = store.count("Node")
            prefiltered = total - len(candidates) if pinned else 0
            if not total:
                self._mark_unschedulable(pod, "no nodes available to schedule pods")
                return
            post_filter = self._preempt(pod, resolvable, total)
            reasons = Counter(refusals)
            if prefiltered:
                reasons[AFFINITY_PREFILTER] = prefiltered
            self._mark_unschedulable(pod, failure_message(reasons, total, post_filter))
            return
        if len(feasible) > 1:  # (a pinned pod has one candidate: nothing to rank)
            feasible.sort(key=lambda f: (f[0], f[1]))
        self._bind(pod, feasible[0][2], key)

    def _room_is_certain(self, pod: Obj, node: Obj, pods_indexed_on_node: int) -> bool:
        """room_is_certain, with what the pod asks for (requests, host ports) worked out
        once per containers list: a DaemonSet's pods share one (never edited in place)."""
        containers = pod["spec"].get("containers")
        # Per containers list: a node joining has each DaemonSet's pod scheduled in turn.
        memo = self._asks_nothing
        if memo and memo[-1][0] is containers:
            # The last entry found: a DaemonSet's create burst schedules its 5,000 pods
            # in a row (the loop below would find it there, last, and leave it so).
            cached = memo[-1]
        else:
            cached = self._asked_for(memo, containers, pod)
        if not cached[1]:
            return False
        allowed = (node.get("status", {}).get("allocatable") or {}).get("pods")
        if type(allowed) is not str:
            return leaves_pod_room(node, pods_indexed_on_node)
        # leaves_pod_room, with each pod limit's text converted once ("110" on every node).
        limit = self._pod_limits.get(allowed)
        if limit is None:
            if len(self._pod_limits) >= 64:
                self._pod_limits.clear()
            limit = self._pod_limits[allowed] = resource_amount("pods", allowed)
        return pods_indexed_on_node + 1 <= limit

    @staticmethod
    def _asked_for(memo: list[tuple[object, bool]], containers: object, pod: Obj
                   ) -> tuple[object, bool]:
        """_room_is_certain's memo entry for a containers list (found or made)."""
        for i, cached in enumerate(memo):  # by identity: each entry holds its list
            if cached[0] is containers:
                if i:
                    # The entry found goes last: a join schedules the DaemonSets' pods in
                    # the same order each time, so the next one asked for is then first.
                    del memo[i]
                    memo.append(cached)
                break
        else:
            # Both questions read nothing of the pod but its containers.
            if len(memo) >= ASKS_NOTHING_MEMO_SIZE:
                del memo[0]  # the oldest
            cached = (containers, asks_for_nothing(pod))
            memo.append(cached)
        return cached

    def _placed(self) -> list[tuple[Obj, Obj | None]]:
        """Every bound pod that still occupies its node, with that node."""
        store = self.ctx.store
        return [(p, store.get("Node", "", p["spec"]["nodeName"])) for p in store.list("Pod")
                if p["spec"].get("nodeName")
                and p.get("status", {}).get("phase") not in ("Succeeded", "Failed")]

    def _namespace_labels(self) -> dict[str, dict[str, str]]:
        return {ns["metadata"]["name"]: ns["metadata"].get("labels") or {}
                for ns in self.ctx.store.list("Namespace")}

    # --- preemption (PostFilter) -----------------------------------------------------

    def _nominated_here(self, pod: Obj, node_name: str) -> list[Obj]:
        """RunFilterPluginsWithNominatedPods: pods nominated to the node with at least
        this pod's priority count as if they were already there."""
        mine, key = pod_priority(pod), key_of(pod)
        found = []
        for other_key, nominated in self.nominations.items():
            other = self.ctx.store.get(*other_key) if nominated == node_name else None
            if other is not None and other_key != key and pod_priority(other) >= mine:
                found.append(other)
        return found

    def _preempt(self, pod: Obj, resolvable: list[tuple[Obj, list[Obj]]], total: int) -> str:
        """DefaultPreemption.PostFilter: evict lower-priority pods on one node and
        nominate it; returns the PostFilter message ("" when it nominated a node)."""
        store = self.ctx.store
        nominated = pod["status"].get("nominatedNodeName")
        nominated_pods = store.pods_on_node(nominated) if nominated else None
        why_not = preemption.eligible_to_preempt(pod, nominated_pods)
        if why_not:
            return f"preemption: {why_not}"
        if not resolvable:
            return "preemption: " + preemption.fit_error(
                Counter({preemption.NOT_HELPFUL: total}), total)
        room: Callable[[Obj, Obj, list[Obj]], list[str]] = filter_node_room
        if uses_pod_affinity(pod) or self.anti_affinity:
            placed, ns_labels = self._placed(), self._namespace_labels()

            def room_with_affinity(pod: Obj, node: Obj, pods: list[Obj]) -> list[str]:
                # The dry run: this node holds only `pods`; the rest of the cluster stays.
                short = filter_node_room(pod, node, pods)
                if short:
                    return short
                name = node["metadata"]["name"]
                here = [(p, n) for p, n in placed if (n or {}).get("metadata", {}).get(
                    "name") != name] + [(p, node) for p in pods]
                failure = interpod_failure(pod, node, here, ns_labels)
                return [failure] if failure else []

            room = room_with_affinity
        candidate, reasons = preemption.find_candidate(pod, resolvable, total, room)
        if candidate is None:
            if nominated:
                pod["status"].pop("nominatedNodeName", None)
                self.nominations.pop(key_of(pod), None)
            return "preemption: " + preemption.fit_error(reasons, total)
        now = to_rfc3339(self.ctx.clock.now())
        scheduler_name = pod["spec"].get("schedulerName") or COMPONENT
        for victim in candidate.victims:
            if is_terminating(victim):
                continue  # graceful deletion already under way
            conditions = [c for c in victim["status"].get("conditions") or []
                          if c.get("type") != "DisruptionTarget"]
            conditions.append(preemption.disruption_condition(scheduler_name, now))
            victim["status"]["conditions"] = conditions
            self.ctx.store.touch(victim)
            self.ctx.api.delete_object(victim)
            self.ctx.record_event(victim, "Normal", "Preempted",
                                  f"Preempted by pod {pod['metadata']['uid']} on node "
                                  f"{candidate.name}", component=COMPONENT)
        pod["status"]["nominatedNodeName"] = candidate.name
        self.nominations[key_of(pod)] = candidate.name
        self.unschedulable.add(key_of(pod))  # so this write does not requeue it
        self.ctx.store.touch(pod)
        return ""

    def _set_scheduled_condition(self, pod: Obj, status: str, reason: str = "",
                                 message: str = "") -> None:
        cond = shared.pod_condition("PodScheduled", status, to_rfc3339(self.ctx.clock.now()),
                                    reason, message,
                                    int(pod["metadata"].get("generation") or 0))
        current = pod["status"].get("conditions")
        if not current:
            # A pod's first condition (a new pod bound): the pods scheduled alike at one
            # instant share one list, as the condition in it (conditions lists are
            # replaced, never edited in place: controller/shared.py). So the kubelet's
            # memo of its conditions lists (Kubelet._set_conditions) finds theirs.
            first = self._first_conditions
            if first[0] is not cond:
                first = self._first_conditions = (cond, share([cond]))
            pod["status"]["conditions"] = first[1]
            return
        conditions = [c for c in current if c.get("type") != "PodScheduled"]
        conditions.append(cond)
        pod["status"]["conditions"] = conditions

    def _bind(self, pod: Obj, node: Obj, key: tuple[str, str, str]) -> None:
        if self.unschedulable:  # (nearly always empty, as the nominations)
            self.unschedulable.discard(key)
        if self.nominations:
            self.nominations.pop(key, None)
        node_name = node["metadata"]["name"]
        pod["spec"]["nodeName"] = node_name
        # The API server's binding clears a nomination that preemption left.
        pod["status"].pop("nominatedNodeName", None)
        self._set_scheduled_condition(pod, "True")
        self.ctx.store.touch(pod)
        if self.pod_events():  # (record_event would return at once: a pod's event)
            self.ctx.record_event(pod, "Normal", "Scheduled",
                                  f"Successfully assigned {key[1]}/{key[2]} to {node_name}",
                                  component=COMPONENT)

    def _mark_unschedulable(self, pod: Obj, message: str) -> None:
        key = key_of(pod)
        already = key in self.unschedulable
        self.unschedulable.add(key)
        cond = next((c for c in pod["status"].get("conditions") or []
                     if c.get("type") == "PodScheduled"), None)
        if cond is not None and cond.get("message") == message and already:
            return
        self._set_scheduled_condition(pod, "False", "Unschedulable", message)
        self.ctx.store.touch(pod)
        self.ctx.record_event(pod, "Warning", "FailedScheduling", message, component=COMPONENT)
