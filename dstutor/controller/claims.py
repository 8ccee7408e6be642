"""ClaimPods for the DaemonSet controller: upstream's PodControllerRefManager
(pkg/controller/controller_ref_manager.go): adopt matching orphans, release owned pods
whose labels no longer match.
"""

from __future__ import annotations

from dstutor.controller.context import Context
from dstutor.controller.pod_record import PodRecord
from dstutor.model.objects import (
    Obj,
    controller_ref,
    is_terminating,
    labels,
    new_controller_ref,
)
from dstutor.model.selectors import LabelSelector

# DaemonSets whose selector's last answer _selects keeps (a miss only costs a match).
SELECTS_MEMO_SIZE = 32


class PodClaims:
    """Mixed into DaemonSetsController, which sets `ctx` and `_selects_memo`."""

    ctx: Context
    _selects_memo: dict[int, tuple[LabelSelector, object, bool]] | None

    def _adopt(self, ds: Obj, pod: Obj) -> None:
        # A new list, not an append: the store's index knows a pod's references by identity.
        refs = pod["metadata"].get("ownerReferences") or []
        pod["metadata"]["ownerReferences"] = [*refs, new_controller_ref(ds)]
        self.ctx.store.touch(pod)

    def _release(self, pod: Obj, owner_uid: str) -> None:
        refs = pod["metadata"].get("ownerReferences") or []
        pod["metadata"]["ownerReferences"] = [r for r in refs if r.get("uid") != owner_uid]
        if not pod["metadata"]["ownerReferences"]:
            del pod["metadata"]["ownerReferences"]
        self.ctx.store.touch(pod)

    def _claim_all_orphans(self, ds: Obj, selector: LabelSelector) -> None:
        # Only pods without a controller can be adopted: the store indexes them, so a
        # full sync need not walk every pod in the namespace.
        store, ns = self.ctx.store, ds["metadata"]["namespace"]
        for pod_key in store.orphan_pod_keys(ns):
            pod = store.get(*pod_key)
            if pod is not None and controller_ref(pod) is None and not is_terminating(
                    pod) and selector.matches(labels(pod)):
                self._adopt(ds, pod)

    def _claim_on_nodes(self, ds: Obj, selector: LabelSelector, nodes: list[str]) -> None:
        """ClaimPods for the pods on these nodes: adopt matching orphans, release the rest."""
        store, ds_uid = self.ctx.store, ds["metadata"]["uid"]
        owned_by_node = store.pods_of_owner(ds_uid)
        for node_name in nodes:
            orphans = store.orphan_pod_keys_on_node(node_name)
            if orphans:
                ns = ds["metadata"]["namespace"]
                for pod_key in list(orphans):
                    pod = store.get(*pod_key)
                    if (pod is not None and pod_key[1] == ns and not is_terminating(pod)
                            and selector.matches(labels(pod))):
                        self._adopt(ds, pod)
            owned = owned_by_node.get(node_name)
            if owned is None:
                continue
            if type(owned) is PodRecord:
                # Nearly always: the node's one pod, held as its record (the stored pod
                # in it, without the record's Python-level len(), iter() and a lookup).
                if not self._selects(selector, owned.pod):
                    self._release(owned.pod, ds_uid)
                continue
            # (A tuple the index replaces on change, never edits: safe to walk as is.)
            for pod_key in owned:
                pod = store.get(*pod_key)
                if pod is not None and not self._selects(selector, pod):
                    self._release(pod, ds_uid)

    def _selects(self, selector: LabelSelector, pod: Obj) -> bool:
        """selector.matches(labels(pod)), remembered per selector for the last labels dict
        it was asked about: the pods of one revision share theirs, and a pod's labels are
        replaced on change, never edited in place (see pod_signature). Per selector, as a
        node joining has each DaemonSet claim its own pod in turn. Entries are found by
        the selector's id and hold their objects (so an id is not reused while its entry
        lives), the newest last; bounded, the oldest going first."""
        pod_labels = pod["metadata"].get("labels")
        memos = self._selects_memo
        if memos is None:
            memos = self._selects_memo = {}
        memo = memos.get(id(selector))
        if memo is not None and memo[0] is selector:
            if memo[1] is pod_labels:
                return memo[2]
            del memos[id(selector)]
        matched = selector.matches(pod_labels)
        if len(memos) >= SELECTS_MEMO_SIZE:
            del memos[next(iter(memos))]
        memos[id(selector)] = (selector, pod_labels, matched)
        return matched
