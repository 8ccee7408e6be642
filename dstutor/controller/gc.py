"""Garbage collection: cascading deletes (background, foreground, orphan) and pod GC."""

from __future__ import annotations

import math

from dstutor.controller.context import Context
from dstutor.model.kinds import KINDS
from dstutor.model.objects import (
    Obj,
    is_node_ready,
    is_terminating,
    node_taints,
    uid,
    with_disruption_target,
)
from dstutor.model.timefmt import to_rfc3339

# Kinds that own dependents in this simulator.
DEPENDENT_KINDS = ("Pod", "ControllerRevision", "ReplicaSet")
# podgc/gc_controller.go: the controller looks every gcCheckPeriod, and a node found
# missing is quarantined (quarantineTime) before its pods go, in case it comes back.
GC_CHECK_PERIOD_SECONDS = 20.0
QUARANTINE_SECONDS = 40.0
OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service"


def next_gc_check(now: float) -> float:
    """The pod GC loop's next look at or after `now` (it runs every gcCheckPeriod)."""
    return math.ceil(now / GC_CHECK_PERIOD_SECONDS) * GC_CHECK_PERIOD_SECONDS


def is_out_of_service(node: Obj) -> bool:
    """gcTerminating's test: a NotReady node an administrator marked out-of-service,
    whose kubelet will never finish its pods' termination."""
    return not is_node_ready(node) and any(
        t.get("key") == OUT_OF_SERVICE_TAINT for t in node_taints(node))


def orphan_pods_deleted_at(node_deleted_at: float) -> float:
    """When pod GC deletes the pods of a node deleted at this time: the first check at
    or after the deletion notices it, and the check a quarantine later acts (40-60 s)."""
    return next_gc_check(node_deleted_at) + QUARANTINE_SECONDS


class GarbageCollector:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def dependents(self, owner_uid: str, namespace: str) -> list[Obj]:
        store = self.ctx.store
        found: list[Obj] = []
        for keys in store.pods_of_owner(owner_uid).values():
            found += [p for p in (store.get(*k) for k in keys) if p is not None]
        # Pods whose only reference is not a controller reference.
        for kind in DEPENDENT_KINDS[1:]:
            for obj in store.list(kind, namespace):
                if any(r.get("uid") == owner_uid for r in obj["metadata"].get(
                        "ownerReferences") or []):
                    found.append(obj)
        return sorted(found, key=lambda o: (o["kind"], o["metadata"]["name"]))

    def on_any(self, kind: str, old: Obj | None, new: Obj | None) -> None:
        if new is None and old is not None:
            if kind in ("DaemonSet", "Deployment", "ReplicaSet"):
                self.ctx.enqueue("gc", ("owner-gone", uid(old), old["metadata"].get(
                    "namespace", "")))
            ref_owner = self._terminating_owner(old)
            if ref_owner is not None:
                self.ctx.enqueue("gc", ("finalize", uid(ref_owner), ""))
            if kind == "Node":
                self.ctx.enqueue_at("podgc", old["metadata"]["name"],
                                    orphan_pods_deleted_at(self.ctx.clock.now()))
            if old["metadata"].get("namespace"):
                ns = self.ctx.store.get("Namespace", "", old["metadata"]["namespace"])
                if ns is not None and is_terminating(ns):
                    self.ctx.enqueue("gc", ("finalize", uid(ns), ""))
        elif kind == "Node" and new is not None and is_out_of_service(new):
            self.ctx.enqueue_at("podgc-terminating", new["metadata"]["name"],
                                next_gc_check(self.ctx.clock.now()))
        elif kind == "Pod" and new is not None and is_terminating(new):
            node = self.ctx.store.get("Node", "", new["spec"].get("nodeName") or "")
            if node is not None and is_out_of_service(node):
                self.ctx.enqueue_at("podgc-terminating", node["metadata"]["name"],
                                    next_gc_check(self.ctx.clock.now()))
        if new is not None and is_terminating(new) and (
                new["metadata"].get("finalizers") or kind == "Namespace"):
            self.ctx.enqueue("gc", ("finalize", uid(new), ""))

    def _terminating_owner(self, obj: Obj) -> Obj | None:
        for ref in obj["metadata"].get("ownerReferences") or []:
            owner = self.ctx.store.by_uid(ref.get("uid", ""))
            if owner is not None and is_terminating(owner):
                return owner
        return None

    def sync(self, key: tuple[str, str, str]) -> None:
        action, owner_uid, namespace = key
        api = self.ctx.api
        if action == "owner-gone":
            # Background propagation: the owner is gone, so are its dependents.
            if self.ctx.store.by_uid(owner_uid) is not None:
                return
            for dep in self.dependents(owner_uid, namespace):
                if not is_terminating(dep):
                    api.delete_object(dep)
            return
        owner = self.ctx.store.by_uid(owner_uid)
        if owner is None or not is_terminating(owner):
            return
        if owner["kind"] == "Namespace":
            self._finalize_namespace(owner)
            return
        finalizers = owner["metadata"].get("finalizers") or []
        ns = owner["metadata"].get("namespace", "")
        if "orphan" in finalizers:
            for dep in self.dependents(owner_uid, ns):
                refs = [r for r in dep["metadata"].get("ownerReferences") or []
                        if r.get("uid") != owner_uid]
                if refs:
                    dep["metadata"]["ownerReferences"] = refs
                else:
                    dep["metadata"].pop("ownerReferences", None)
                self.ctx.store.touch(dep)
            api.remove_finalizer(owner, "orphan")
        elif "foregroundDeletion" in finalizers:
            remaining = self.dependents(owner_uid, ns)
            for dep in remaining:
                if not is_terminating(dep):
                    api.delete_object(dep, propagation="Foreground"
                                      if dep["kind"] == "ReplicaSet" else "Background")
            blocking = [d for d in self.dependents(owner_uid, ns) if any(
                r.get("uid") == owner_uid and r.get("blockOwnerDeletion")
                for r in d["metadata"].get("ownerReferences") or [])]
            if not blocking:
                api.remove_finalizer(owner, "foregroundDeletion")

    def _finalize_namespace(self, ns_obj: Obj) -> None:
        name = ns_obj["metadata"]["name"]
        store, api = self.ctx.store, self.ctx.api
        left = 0
        for info in KINDS.values():
            if not info.namespaced:
                continue
            for obj in store.list(info.kind, name):
                left += 1
                if not is_terminating(obj):
                    api.delete_object(obj)
        if left == 0:
            api.finish_deletion(ns_obj)

    def gc_terminating(self, node_name: str) -> None:
        """gcTerminating: on a NotReady node with the out-of-service taint, pods stuck
        terminating (their kubelet is gone) are marked Failed and deleted at once."""
        store = self.ctx.store
        node = store.get("Node", "", node_name)
        if node is None or not is_out_of_service(node):
            return
        for pod in store.pods_on_node(node_name):
            if pod["spec"].get("nodeName") == node_name and is_terminating(pod):
                self._mark_failed_and_delete(pod)

    def pod_gc(self, node_name: str) -> None:
        """gcOrphaned: pods bound to a node that is still missing after the quarantine
        are marked Failed with a DisruptionTarget condition, then deleted at once."""
        store = self.ctx.store
        if store.get("Node", "", node_name) is not None:
            return  # the node came back during the quarantine
        now = to_rfc3339(self.ctx.clock.now())
        for pod in store.pods_on_node(node_name):
            if pod["spec"].get("nodeName") == node_name:
                self._mark_failed_and_delete(pod, with_disruption_target(
                    pod, "DeletionByPodGC", "PodGC: node no longer exists", now))

    def _mark_failed_and_delete(self, pod: Obj, conditions: list[Obj] | None = None) -> None:
        """markFailedAndDeletePodWithCondition: a pod not yet finished is marked Failed
        (with the condition, if any), then deleted with grace period 0."""
        status = pod["status"]
        changed = status.get("phase") not in ("Succeeded", "Failed")
        if changed:
            status["phase"] = "Failed"
        if conditions is not None:
            status["conditions"] = conditions
            changed = True
        if changed:
            self.ctx.store.touch(pod)
        self.ctx.api.finish_deletion(pod)
