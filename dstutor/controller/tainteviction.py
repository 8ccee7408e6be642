"""Taint eviction: pods that do not tolerate a NoExecute taint are deleted.

A toleration with tolerationSeconds delays the eviction; one without tolerates forever,
which is why daemon pods survive NotReady and unreachable nodes.
"""

from __future__ import annotations

from dstutor.controller.context import Context
from dstutor.controller.pod_record import RecordField
from dstutor.model.objects import (
    Obj,
    is_terminating,
    key_of,
    node_taints,
    with_disruption_target,
)
from dstutor.model.taints import toleration_tolerates_taint
from dstutor.model.timefmt import to_rfc3339

COMPONENT = "taint-eviction-controller"


def get_matching_tolerations(taints: list[Obj], tolerations: list[Obj]) -> list[Obj] | None:
    """v1helper.GetMatchingTolerations: for each taint the FIRST toleration that tolerates
    it, or None when some taint is not tolerated at all."""
    used = []
    for taint in taints:
        match = next((t for t in tolerations if toleration_tolerates_taint(t, taint)), None)
        if match is None:
            return None
        used.append(match)
    return used


def get_min_toleration_time(used: list[Obj]) -> float:
    """getMinTolerationTime: the shortest tolerationSeconds among the tolerations used
    (0 or less means at once), or -1 when none of them has a limit (tolerated forever).

    Only the first matching toleration of each taint counts: a user's toleration with
    tolerationSeconds that comes before the controller's unlimited one still limits."""
    if not used:
        return 0.0
    limits = [t["tolerationSeconds"] for t in used if t.get("tolerationSeconds") is not None]
    if not limits:
        return -1.0
    return float(max(0, min(int(s) for s in limits)))


def no_execute_taints(taints: list[Obj]) -> list[Obj]:
    return [t for t in taints if t.get("effect") == "NoExecute"]


class TaintEvictionController:
    # The node each pod was last checked on, by pod key: kept on the store's pod records
    # (controller/pod_record.py), it goes with the pod. A status update in place cannot
    # change tolerations or the node, so only a pod's first sight on a node needs a
    # check; taint changes arrive through on_node.
    checked = RecordField("checked")

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.scheduled: dict[tuple[str, str, str], float] = {}

    def on_node(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            return
        if old is not None and old is not new and old["spec"].get("taints") == new["spec"].get(
                "taints"):
            return
        for pod in self.ctx.store.pods_on_node(new["metadata"]["name"]):
            self.ctx.enqueue("tainteviction", key_of(pod))

    def on_pod(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            if old is not None:
                self.scheduled.pop(key_of(old), None)
                self.checked.pop(key_of(old), None)
            return
        node_name = new["spec"].get("nodeName")
        if not node_name:
            return
        meta = new["metadata"]
        key = ("Pod", meta.get("namespace", "") or "", meta.get("name", ""))  # key_of, inline
        record = self.ctx.store.pod_records.get(key)
        if old is new and record is not None and record.checked == node_name:
            return
        if old is None or not old["spec"].get("nodeName") or old is new:
            if record is not None:
                record.checked = node_name
            if key in self.scheduled or self._has_no_execute_taint(node_name):
                # The store's tuple, not a copy, in the queue and timers (3 MB).
                self.ctx.enqueue("tainteviction", self.ctx.store.stored_key(record, key)
                                 if record is not None else key)
            # Else the sync could only find nothing to do; a taint added later arrives
            # through on_node, which checks every pod on the node.

    def _has_no_execute_taint(self, node_name: str) -> bool:
        node = self.ctx.store.get("Node", "", node_name)
        if node is None:
            return True
        # no_execute_taints(node_taints(node)), without the list: asked at every bind.
        for taint in node.get("spec", {}).get("taints") or ():
            if taint.get("effect") == "NoExecute":
                return True
        return False

    def sync(self, key: tuple[str, str, str]) -> None:
        """handlePodUpdate/handleNodeUpdate for one pod, then the timed worker if due."""
        pod = self.ctx.store.get(*key)
        if pod is None or is_terminating(pod):
            self.scheduled.pop(key, None)
            return
        node = self.ctx.store.get("Node", "", pod["spec"].get("nodeName", ""))
        if node is None:
            return
        now = self.ctx.clock.now()
        when = self.process_pod_on_node(pod, key, no_execute_taints(node_taints(node)), now)
        if when is not None and when <= now:
            self._evict(pod, key, now)

    def process_pod_on_node(self, pod: Obj, key: tuple[str, str, str], taints: list[Obj],
                            now: float) -> float | None:
        """processPodOnNode: when the pod must go (None: not at all).

        The countdown starts when the controller first sees the taint on the pod's node,
        not at the taint's timeAdded, and a later look never moves a scheduled eviction.
        """
        if not taints:
            self._cancel(pod, key)
            return None
        used = get_matching_tolerations(taints, pod["spec"].get("tolerations") or [])
        if used is None:
            self._cancel(pod, key)  # the pod goes right away instead
            return now
        seconds = get_min_toleration_time(used)
        if seconds < 0:
            self._cancel(pod, key)
            return None
        when = self.scheduled.get(key)
        if when is None:
            when = self.scheduled[key] = now + seconds
            if when > now:
                self.ctx.enqueue_at("tainteviction", key, when)
        return when

    def _cancel(self, pod: Obj, key: tuple[str, str, str]) -> None:
        """cancelWorkWithEvent: only a scheduled eviction that is dropped gets an event."""
        if self.scheduled.pop(key, None) is not None:
            self.ctx.record_event(pod, "Normal", "TaintManagerEviction",
                                  f"Cancelling deletion of Pod {key[1]}/{key[2]}",
                                  component=COMPONENT)

    def _evict(self, pod: Obj, key: tuple[str, str, str], now: float) -> None:
        """The timed worker's deletePodHandler: no second look at the taints."""
        self.scheduled.pop(key, None)
        self.ctx.record_event(pod, "Normal", "TaintManagerEviction",
                              f"Marking for deletion Pod {key[1]}/{key[2]}", component=COMPONENT)
        pod["status"]["conditions"] = with_disruption_target(
            pod, "DeletionByTaintManager", "Taint manager: deleting due to NoExecute taint",
            to_rfc3339(now))
        self.ctx.api.delete_object(pod)
