"""Which pod informers a pod write can concern: one look at the pod for all of them.

Every pod write used to go to six pod informers (the DaemonSet controller, scheduler,
kubelet, taint eviction, Deployment controller, network plugins) and the timeline, and
each dug in the pod's dicts to find, most of the time, that the write told it nothing:
a kubelet status update in place tells only the DaemonSet controller something, a
DaemonSet's new pod only it and the scheduler. `concerned_informers` asks their
questions once per write and answers with the informers that may act; Cluster._on_pod
tells only those, in the usual order. Each test below stands for an informer's own early
return, named there, and errs towards telling it. tests/sim/test_sim_quiet_writes.py
tells every informer left out, after every write of the write_trace scenarios, and checks
that none of them did anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from dstutor.controller.kubelet_work import PodWork
from dstutor.controller.network import NETWORK_PLUGIN_ANNOTATION
from dstutor.controller.pod_record import PodRecord
from dstutor.controller.pod_signature import _last_ready, ready_transition
from dstutor.model.objects import Obj, controller_ref

if TYPE_CHECKING:
    from dstutor.sim.cluster import Cluster

# The informers, as bits; Cluster._wire_informers keeps its tuple in this order.
TIMELINE = 1
DAEMONSET = 2
SCHEDULER = 4
KUBELET = 8
TAINT_EVICTION = 16
DEPLOYMENT = 32
NETWORK = 64
ALL = 127
POD_INFORMER_BITS = (DAEMONSET, SCHEDULER, KUBELET, TAINT_EVICTION, DEPLOYMENT, NETWORK)

_EMPTY: Obj = {}
# The last ownerReferences list concerned_informers read, and its DEPLOYMENT bit (or 0).
_last_refs: list[tuple[object, int]] = [(None, 0)]
# The lists read before it, by id, with their bits: a node joining writes the pods of ten
# DaemonSets in turn, each sharing its own list, so the last list alone is seldom it.
# Each entry holds its list (an id is not reused while the list lives); bounded.
_refs_memo: dict[int, tuple[object, int]] = {}
REFS_MEMO_SIZE = 64


def concerned_informers(old: Obj | None, new: Obj | None,
                        records: Mapping[tuple[str, str, str], PodRecord | PodWork],
                        taint_checked: Mapping[tuple[str, str, str], str] | None = None
                        ) -> int:
    """The informers (bits) that may act on this pod write; the others would return at
    once. A removal concerns them all.

    The kubelet's work and taint eviction's checked nodes are read from the store's pod
    records (`records` alone: Cluster._on_pod, one lookup a write for both), or, given
    `taint_checked` too, from two mappings: `records` then is the kubelet's work
    (Kubelet.work and TaintEvictionController.checked show the records so)."""
    if new is None:
        return ALL
    meta, spec = new["metadata"], new["spec"]
    status = new.get("status") or _EMPTY
    deleting = meta.get("deletionTimestamp")
    # DaemonSetsController.on_pod compares what the controller reads: always asked.
    concerned = DAEMONSET
    # Timeline.observe_pod: a pod being deleted or failed may have been evicted.
    if deleting or status.get("phase") == "Failed":
        concerned |= TIMELINE
    node_name = spec.get("nodeName")
    if not node_name:
        # Scheduler.on_pod queues an unbound pod; the kubelet and taint eviction look
        # only at bound ones.
        concerned |= SCHEDULER
    else:
        # Scheduler.on_pod: a bound pod with pod anti-affinity is remembered.
        if "affinity" in spec:
            affinity = spec["affinity"]
            if affinity and "podAntiAffinity" in affinity and affinity["podAntiAffinity"]:
                concerned |= SCHEDULER
        key = ("Pod", meta.get("namespace", "") or "", meta.get("name", ""))  # key_of
        record: Any = records.get(key)
        if taint_checked is not None:  # two mappings: the kubelet's work, then this
            work, checked = record, taint_checked.get(key)
        elif record is not None:
            work, checked = record.work, record.checked
        else:
            work = checked = None
        # Kubelet.on_pod: a pod it has no work for, one being deleted, or one whose spec
        # changed (a generation it has not observed) is queued. (Work is never None.)
        if (deleting or work is None
                or meta.get("generation", 0) != status.get("observedGeneration", 0)):
            concerned |= KUBELET
        # TaintEvictionController.on_pod: a new or newly bound pod, or one not yet
        # checked on this node, is looked at.
        if old is not new or checked != node_name:
            concerned |= TAINT_EVICTION
    # NetworkPlugins.on_pod: a network plugin's pod may bring its node's network up.
    if "annotations" in meta:
        annotations = meta["annotations"]
        if annotations and annotations.get(NETWORK_PLUGIN_ANNOTATION):
            concerned |= NETWORK
    # DeploymentController.on_pod: a ReplicaSet's pod wakes its ReplicaSet. A pod's
    # ownerReferences list is replaced on change, never edited in place, and the pods of
    # one controller share one (see pod_signature): the last list's answer is kept.
    refs = meta.get("ownerReferences")
    if refs is None:
        return concerned
    last = _last_refs[0]
    if refs is not last[0]:
        last = _remember_refs(refs)
    return concerned | last[1]


def _remember_refs(refs: list[Obj]) -> tuple[object, int]:
    """An ownerReferences list with its DEPLOYMENT bit (or 0), from the memo or worked
    out, now the last one read."""
    memo = _refs_memo.get(id(refs))  # (an entry holds its list: it is this one)
    if memo is None:
        owned = 0
        for ref in refs:
            if ref.get("controller"):
                if ref.get("kind") == "ReplicaSet":
                    owned = DEPLOYMENT
                break
        memo = (refs, owned)
        if len(_refs_memo) >= REFS_MEMO_SIZE:
            _refs_memo.clear()
        _refs_memo[id(refs)] = memo
    _last_refs[0] = memo
    return memo


def pod_written_in_place(cluster: Cluster, pod: Obj) -> None:
    """Cluster._on_pod(pod, pod) for a write in place (touch, a status update: three pod
    writes in four): concerned_informers' questions and the DaemonSet controller's
    (DaemonSetsController.on_pod_in_place: its signature of the pod, always asked, and
    first) answered from one look at the pod and its record, then the informers told
    as _on_pod tells them. tests/sim/test_sim_in_place_writes.py holds it to the
    general path on every write of the write_trace scenarios."""
    meta, spec = pod["metadata"], pod["spec"]
    status = pod.get("status") or _EMPTY
    record = cluster.store.pod_records.get(
        ("Pod", meta.get("namespace", "") or "", meta.get("name", "")))  # key_of
    deleting = meta.get("deletionTimestamp")
    phase = status.get("phase")
    concerned = DAEMONSET
    if deleting or phase == "Failed":
        concerned |= TIMELINE
    node_name = spec.get("nodeName")
    if not node_name:
        concerned |= SCHEDULER
    else:
        if "affinity" in spec:
            affinity = spec["affinity"]
            if affinity and "podAntiAffinity" in affinity and affinity["podAntiAffinity"]:
                concerned |= SCHEDULER
        if record is not None:
            work, checked = record.work, record.checked
        else:
            work = checked = None
        if (deleting or work is None
                or meta.get("generation", 0) != status.get("observedGeneration", 0)):
            concerned |= KUBELET
        # (In place, old is new: only a node not yet checked concerns taint eviction.)
        if checked != node_name:
            concerned |= TAINT_EVICTION
    if "annotations" in meta:
        annotations = meta["annotations"]
        if annotations and annotations.get(NETWORK_PLUGIN_ANNOTATION):
            concerned |= NETWORK
    refs = meta.get("ownerReferences")
    if refs is not None:
        last = _last_refs[0]
        if refs is not last[0]:
            last = _remember_refs(refs)
        concerned |= last[1]
    if concerned & TIMELINE:
        cluster.timeline.observe_pod(pod, pod, cluster.clock)
    # The DaemonSet controller (on_pod_in_place, from the reads above): pod_signature(pod,
    # not alone), its Ready answer from the same memo.
    if record is not None:
        owner, target = record.owner, record.node
    else:
        owner = target = ""
    conditions = status.get("conditions")
    if not conditions:
        ready = None
    else:
        last_ready = _last_ready[0]
        ready = (last_ready[1] if conditions is last_ready[0]
                 else ready_transition(conditions))
    # Its owner's pods on its node (Store.pods_of_owner(owner).get(target), its table
    # read here: every write in place asks; a pod alone there is held as its record).
    if owner:
        per_node = cluster.store._pods_by_owner_node.get(owner)
        there = per_node.get(target) if per_node is not None else None
    else:
        there = None
    signature = (
        phase if phase == "Failed" or phase == "Succeeded" else None,
        node_name if not owner or (
            there is not None and type(there) is not PodRecord and len(there) > 1
        ) else None,  # not alone
        deleting, ready, id(refs), len(refs) if refs else 0, meta.get("labels"))
    if record is None or record.signature != signature:
        daemonsets = cluster.daemonsets
        daemonsets._remember_signature(record, signature)
        daemonsets._pod_changed(pod, controller_ref(pod), target)
    for on_pod in cluster._pod_informer_sets[(concerned >> 1) & ~1]:
        on_pod(pod, pod)
    # The garbage collector, last, as for any kind: a pod being deleted.
    if deleting and concerned & TIMELINE:
        cluster.gc.on_any("Pod", pod, pod)
