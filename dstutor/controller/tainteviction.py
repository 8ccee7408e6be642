"""Taint eviction: pods that do not tolerate a NoExecute taint are deleted.

A toleration with tolerationSeconds delays the eviction; one without tolerates forever,
which is why daemon pods survive NotReady and unreachable nodes.
"""

from __future__ import annotations

from dstutor.controller.context import Context
from dstutor.model.objects import Obj, is_terminating, key_of, node_taints
from dstutor.model.taints import toleration_tolerates_taint
from dstutor.model.timefmt import parse_rfc3339, to_rfc3339

COMPONENT = "taint-eviction-controller"


def eviction_time(pod: Obj, taints: list[Obj], now: float) -> float | None:
    """When the pod must go because of NoExecute taints: now, later, or never (None)."""
    tolerations = pod.get("spec", {}).get("tolerations") or []
    due: float | None = None
    for taint in taints:
        if taint.get("effect") != "NoExecute":
            continue
        matching = [t for t in tolerations if toleration_tolerates_taint(t, taint)]
        if not matching:
            return now
        seconds = [t["tolerationSeconds"] for t in matching if t.get("tolerationSeconds")
                   is not None]
        if len(seconds) < len(matching):
            continue  # one toleration without a limit tolerates forever
        added = parse_rfc3339(taint["timeAdded"]) if taint.get("timeAdded") else now
        when = added + max(0, min(int(s) for s in seconds))
        due = when if due is None else min(due, when)
    return due


class TaintEvictionController:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.scheduled: dict[tuple[str, str, str], float] = {}
        # The node each pod was last checked on. A status update in place cannot change
        # tolerations or the node, so only a pod's first sight on a node needs a check;
        # taint changes arrive through on_node.
        self.checked: dict[tuple[str, str, str], str] = {}

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
        key = key_of(new)
        if old is new and self.checked.get(key) == node_name:
            return
        if old is None or not old["spec"].get("nodeName") or old is new:
            self.checked[key] = node_name
            if key in self.scheduled or self._has_no_execute_taint(node_name):
                self.ctx.enqueue("tainteviction", key)
            # Else the sync could only find nothing to do; a taint added later arrives
            # through on_node, which checks every pod on the node.

    def _has_no_execute_taint(self, node_name: str) -> bool:
        node = self.ctx.store.get("Node", "", node_name)
        return node is None or any(t.get("effect") == "NoExecute" for t in node_taints(node))

    def sync(self, key: tuple[str, str, str]) -> None:
        pod = self.ctx.store.get(*key)
        if pod is None or is_terminating(pod):
            self.scheduled.pop(key, None)
            return
        node = self.ctx.store.get("Node", "", pod["spec"].get("nodeName", ""))
        if node is None:
            return
        now = self.ctx.clock.now()
        when = eviction_time(pod, node_taints(node), now)
        if when is None:
            if self.scheduled.pop(key, None) is not None:
                self.ctx.record_event(pod, "Normal", "TaintManagerEviction",
                                      f"Cancelling deletion of Pod {key[1]}/{key[2]}",
                                      component=COMPONENT)
            return
        if when > now:
            if self.scheduled.get(key) != when:
                self.scheduled[key] = when
                self.ctx.enqueue_at("tainteviction", key, when)
            return
        self.scheduled.pop(key, None)
        self.ctx.record_event(pod, "Normal", "TaintManagerEviction",
                              f"Marking for deletion Pod {key[1]}/{key[2]}", component=COMPONENT)
        conditions = [c for c in pod["status"].get("conditions") or []
                      if c.get("type") != "DisruptionTarget"]
        conditions.append({"type": "DisruptionTarget", "status": "True",
                           "reason": "DeletionByTaintManager",
                           "message": "Taint manager: deleting due to NoExecute taint",
                           "lastProbeTime": None, "lastTransitionTime": to_rfc3339(now)})
        pod["status"]["conditions"] = conditions
        self.ctx.api.delete_object(pod)
