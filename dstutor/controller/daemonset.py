"""The DaemonSet controller: upstream syncDaemonSet, manage and podsShouldBeOnNode.

Work is incremental: node and pod events mark single nodes dirty, and a sync visits
only those nodes, keeping per-node status contributions so totals stay exact. A change
to the DaemonSet itself (or its first sync) visits every node.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dstutor.controller import shared
from dstutor.controller.claims import PodClaims
from dstutor.controller.context import Context
from dstutor.controller.daemon_pod import daemon_pod_maker
from dstutor.controller.daemonset_manage import Manage
from dstutor.controller.daemonset_util import (
    COMPONENT,
    Backoff,
    template_generation,
)
from dstutor.controller.history_sync import cleanup_history, construct_history
from dstutor.controller.placement import daemon_pod_spec
from dstutor.controller.pod_record import PodRecord, signatures_by_namespace
from dstutor.controller.pod_signature import _last_ready, ready_transition
from dstutor.controller.pod_signature import pod_signature as _pod_signature
from dstutor.controller.state import (
    DaemonSetState,
    StatusTotals,
    fold_dirty,
    spec_answers,
)
from dstutor.controller.status import update_daemonset_status
from dstutor.controller.update import checked_rolling_update
from dstutor.errors import ApiError
from dstutor.model.admission import qos_class
from dstutor.model.objects import (
    TEMPLATE_GENERATION_ANNOTATION,
    Obj,
    controller_ref,
    is_pod_ready,
    labels,
    new_controller_ref,
    pod_condition,
    target_node_name,
    uid,
)
from dstutor.model.selectors import LabelSelector, selector_from_dict
from dstutor.model.sharedguard import share
from dstutor.model.timefmt import parse_rfc3339

# workqueue.DefaultControllerRateLimiter, per-key part: a sync that failed is retried
# after 5 ms, doubling up to 1000 s; a sync that succeeds forgets the key.
RETRY_BASE_SECONDS = 0.005
RETRY_MAX_SECONDS = 1000.0
SELECTING_ALL_MSG = "This daemon set is selecting all pods. A non-empty selector is required."

class DaemonSetsController(PodClaims, Manage):
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.states: dict[str, DaemonSetState] = {}
        self._node_index: dict[str, int] = {}  # shared by the states (see stat_codes)
        self.failed_pods_backoff = Backoff()
        # The last controller reference new pods were made for, with their shared parts.
        self._sync_failures: dict[str, int] = {}  # DaemonSet uid -> failed syncs in a row
        # What each pod looked like at its last event, to skip updates that change nothing
        # the controller reads (image pulls, container creation).
        self._own_writes: set[tuple[str, str]] = set()
        # The pod _create_pods is creating now, with its DaemonSet, node and signature
        # (on_pod knows its own creates by it).
        self._creating: tuple[Obj, Obj, str, tuple[object, ...]] | None = None
        # Each pod's signature is kept on its record in the store (PodRecord.signature).
        self._last_signature: tuple[object, ...] = ()
        self._syncing = ""  # uid of the DaemonSet being synced
        self._selects_memo: dict[int, tuple[LabelSelector, object, bool]] | None = None
        self._writing_status = ""  # uid of the DaemonSet whose sync writes its status now
        # Debugging and tests: `full_walk` makes rolling_update walk every node as
        # upstream does; `verify` checks each incremental answer against that walk and
        # raises IncrementalMismatch on a difference.
        self.full_walk = False
        self.verify = False

    def __getstate__(self) -> dict[str, Any]:
        # The selector memo is keyed by object ids, which mean nothing in a copy (undo
        # pickles and deep-copies the cluster): a copy starts without it, and without the
        # last signature, which holds one too (so do the pods' signatures, which their
        # records leave out of a copy: pod_record.PodRecord.__getstate__).
        state = dict(self.__dict__)
        state["_selects_memo"] = None
        state["_last_signature"] = ()
        return state

    @property
    def _signatures(self) -> dict[str, dict[str, tuple[object, ...]]]:
        """Each pod's signature by namespace and name, read from the pod records."""
        return signatures_by_namespace(self.ctx.store.pod_records)

    # --- event handlers (the informers) -----------------------------------------------

    def on_daemonset(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            if old is not None:
                self.states.pop(uid(old), None)
                self._sync_failures.pop(uid(old), None)
            return
        new_uid = new["metadata"]["uid"]  # uid(new): every status write passes here
        if old is not new:
            state = self.states.get(new_uid)
            if state is not None:
                state.full = True  # a write by a user, not our own status update
        elif self._writing_status == new_uid:
            state = self.states.get(new_uid)
            if (state is not None
                    and not (state.dirty or state.full or state.old_nodes
                             or state.create_failed)
                    and (not state.old_revision_count  # (the limit is never negative)
                         or state.old_revision_count <= int(new["spec"].get(
                             "revisionHistoryLimit", 10)))):
                # The status write ending a sync that left nothing to do: its resync would
                # visit, roll and write nothing (later node or pod events enqueue theirs).
                return
        self.ctx.enqueue("daemonset", (new["metadata"]["namespace"], new["metadata"]["name"]))

    def on_node(self, old: Obj | None, new: Obj | None) -> None:
        node = new if new is not None else old
        assert node is not None
        if old is not None and new is not None and old is not new:
            # shouldIgnoreNodeUpdate: only labels and taints matter to placement.
            if (old["metadata"].get("labels") == new["metadata"].get("labels")
                    and old["spec"].get("taints") == new["spec"].get("taints")):
                return
        node_name = node["metadata"]["name"]
        index = self._node_index
        at = index.get(node_name)
        if at is None:  # a new node takes its place (no DaemonSet has placed it)
            index[node_name] = len(index)
        for ds in self.ctx.store.iter_kind("DaemonSet"):
            if at is not None and (state := self.states.get(ds["metadata"]["uid"])):
                codes = state.placement_codes  # labels or taints moved: ask again
                if at < len(codes):  # (drop_placement(state, node_name), inline)
                    codes[at] = 0
            self.mark_dirty(ds, node_name)

    def on_pod(self, old: Obj | None, new: Obj | None) -> None:
        if new is not None and old is new:
            meta = new["metadata"]
            self.on_pod_in_place(new, self.ctx.store.pod_records.get(
                ("Pod", meta["namespace"], meta["name"])))
            return
        record = None
        if new is not None:
            meta = new["metadata"]
            creating = self._creating
            if old is None and creating is not None and creating[0] is new:
                # This controller's own create (_create_pods): _pod_changed for the owner
                # and node it made the pod for, without looking them up again, and the
                # pod's signature as _create_pods worked it out. (Its namespace and
                # name are there: new_daemon_pod's and the create's.)
                self._remember_signature(self.ctx.store.pod_records.get(
                    ("Pod", meta["namespace"], meta["name"])), creating[3])
                ds, node_name = creating[1], creating[2]
                if (ds["metadata"]["uid"], node_name) not in self._own_writes:
                    self.mark_dirty(ds, node_name)
                if ds["spec"].get("minReadySeconds", 0) != 0:
                    self._requeue_when_available(ds, new, node_name)
                return
            record = self.ctx.store.pod_records.get(
                ("Pod", meta.get("namespace", "") or "", meta.get("name", "")))
            self._remember_signature(record, _pod_signature(new))
        # (A removed pod's signature went with its record.)
        if old is not None:
            self._pod_changed(old, controller_ref(old), target_node_name(old))
        if new is not None:
            # The store indexed the pod before telling anyone: its target node is there
            # (target_node_name of this very object), without reading the affinity again.
            self._pod_changed(new, controller_ref(new), record.node if record else "")

    def on_pod_in_place(self, new: Obj, record: PodRecord | None) -> None:
        """on_pod of a write in place (old is new: touch, a status update), given the
        pod's record (Cluster._on_pod looked it up once for every informer): only changes
        the controller looks at matter. The store's index already knows the pod's
        controller and node; the signature is pod_signature(new, not alone), inline (its
        Ready answer from the same memo): every pod status write passes here."""
        store = self.ctx.store
        meta, status = new["metadata"], new.get("status") or shared.EMPTY
        if record is not None:  # (not a tuple built and unpacked: every write asks)
            owner = record.owner
            node_name = record.node
        else:
            owner = node_name = ""
        phase = status.get("phase")
        conditions = status.get("conditions")
        last = _last_ready[0]
        if not conditions:
            ready = None
        elif conditions is last[0]:
            ready = last[1]
        else:
            ready = ready_transition(conditions)
        refs = meta.get("ownerReferences")
        # Its owner's pods on its node (a pod alone there is held as its record:
        # asked without the record's Python-level len()).
        there = store.pods_of_owner(owner).get(node_name) if owner else None
        signature = (
            phase if phase == "Failed" or phase == "Succeeded" else None,
            new["spec"].get("nodeName") if not owner or (
                there is not None and type(there) is not PodRecord and len(there) > 1
            ) else None,  # not alone
            meta.get("deletionTimestamp"), ready,
            id(refs), len(refs) if refs else 0, meta.get("labels"))
        if record is not None and record.signature == signature:
            return
        self._remember_signature(record, signature)
        self._pod_changed(new, controller_ref(new), node_name)

    def _remember_signature(self, record: PodRecord | None,
                            signature: tuple[object, ...]) -> None:
        # Kept on the pod's record (none: a pod not stored, looked at again next time),
        # one tuple for a run of pods that look alike (those the kubelet readied at one
        # instant): at 50,000 pods that is about 9 MB less.
        if signature == self._last_signature:
            signature = self._last_signature
        else:
            self._last_signature = signature
        if record is not None:
            record.signature = signature

    def _pod_changed(self, pod: Obj, ref: Obj | None, node_name: str) -> None:
        """addPod/updatePod/deletePod: wake the owner, or every DaemonSet that may adopt."""
        if ref is not None:
            if ref.get("kind") == "DaemonSet":
                owner_uid = ref.get("uid", "")
                ds = self.ctx.store.by_uid(owner_uid)
                if ds is not None:
                    if (owner_uid, node_name) not in self._own_writes:
                        self.mark_dirty(ds, node_name)
                    if ds["spec"].get("minReadySeconds", 0) != 0:  # else nothing to requeue
                        self._requeue_when_available(ds, pod, node_name)
            return
        ns = pod["metadata"].get("namespace", "")
        for ds in self.ctx.store.list("DaemonSet", ns):
            sel = selector_from_dict(ds["spec"].get("selector"))
            if sel.matches(labels(pod)):
                self.mark_dirty(ds, node_name)

    def _requeue_when_available(self, ds: Obj, pod: Obj, node_name: str) -> None:
        """updatePod: a pod that turned Ready becomes available minReadySeconds later."""
        min_ready = int(ds["spec"].get("minReadySeconds", 0))
        if min_ready <= 0 or not is_pod_ready(pod):
            return
        cond = pod_condition(pod, "Ready") or {}
        since = parse_rfc3339(cond.get("lastTransitionTime", "1970-01-01T00:00:00Z"))
        self.ctx.enqueue_at("daemonset-node", (
            ds["metadata"]["namespace"], ds["metadata"]["name"], node_name), since + min_ready + 1)

    def on_revision(self, old: Obj | None, new: Obj | None) -> None:
        rev = new if new is not None else old
        assert rev is not None
        ref = controller_ref(rev)
        ns = rev["metadata"].get("namespace", "")
        for ds in self.ctx.store.list("DaemonSet", ns):
            if ref is None or ref.get("uid") == uid(ds):
                state = self.states.get(uid(ds))
                # The sync that writes its own revisions already accounts for them.
                if state is not None and self._syncing != uid(ds):
                    state.full = True
                self.ctx.enqueue("daemonset", (ns, ds["metadata"]["name"]))

    def mark_dirty(self, ds: Obj, node_name: str) -> None:
        meta = ds["metadata"]
        state = self.states.get(meta["uid"])  # uid(ds) of a stored DaemonSet
        if state is None:  # not setdefault: a state is a dozen fields to build and drop
            state = self.states[meta["uid"]] = DaemonSetState(node_index=self._node_index)
        state.dirty.append(node_name)  # (repeats allowed: see DaemonSetState.dirty)
        self.ctx.enqueue("daemonset", (meta["namespace"], meta["name"]))

    def wake_node(self, key: tuple[str, str, str]) -> None:
        """Timer callback: look at one node of one DaemonSet again."""
        ns, name, node_name = key
        ds = self.ctx.store.get("DaemonSet", ns, name)
        if ds is not None:
            self.mark_dirty(ds, node_name)

    # --- sync -------------------------------------------------------------------------

    def sync(self, key: tuple[str, str]) -> None:
        """syncDaemonSet for one DaemonSet."""
        ds = self.ctx.store.get_plain("DaemonSet", *key)
        if ds is None:
            return
        meta = ds["metadata"]
        if meta.get("deletionTimestamp"):  # is_terminating(ds)
            # A DaemonSet being deleted is left alone: no creates or status writes.
            if state := self.states.get(meta["uid"]):
                fold_dirty(state)
            return
        self._syncing = meta["uid"]  # uid(ds)
        try:
            self._sync(ds)
        finally:
            self._syncing = ""

    def _sync(self, ds: Obj) -> None:
        meta = ds["metadata"]
        ds_uid = meta["uid"]  # uid(ds)
        state = self.states.get(ds_uid)
        if state is None:  # (not setdefault: see mark_dirty)
            state = self.states[ds_uid] = DaemonSetState(node_index=self._node_index)
        generation = int(meta.get("generation", 1))
        # template_generation(ds), inline: every sync asks.
        if state.generation != generation or state.template_generation != (
                meta.get("annotations") or shared.EMPTY).get(TEMPLATE_GENERATION_ANNOTATION):
            state.full = True
        # The selector is immutable, so it is parsed once per full sync (and kept only
        # once it passed this check: a kept one is never empty).
        selector = state.selector
        if state.full or selector is None:
            selector = selector_from_dict(ds["spec"].get("selector"))
            if selector.is_empty():
                self.ctx.record_event(ds, "Warning", "SelectingAll", SELECTING_ALL_MSG,
                                      component=COMPONENT)
                fold_dirty(state)
                return
        full = state.full
        state.full = False
        store = self.ctx.store
        if full:
            every = {n["metadata"]["name"] for n in store.iter_kind("Node")}
            every |= set(store.pods_of_owner(ds_uid).keys())
            every.update(state.dirty)
            state.generation = generation
            state.template_generation = template_generation(ds)
            state.selector = selector
            # The pods made now share the parts of these (model/sharedguard.py).
            state.pod_spec = share(daemon_pod_spec(ds))
            state.controller_ref = share(new_controller_ref(ds))
            state.qos_class = qos_class(state.pod_spec)
            state.placement_codes.clear()
            state.stat_codes.clear()
            state.rolling = state.live_hashes = None
            state.totals = StatusTotals()
            self._claim_all_orphans(ds, selector)
            state.hash = construct_history(self.ctx, ds, state)
            if not state.hash:
                fold_dirty(state)
                return
            state.dirty.clear()
            visit = sorted(every)
        else:
            # The dirty nodes, handed over, each once (the dict goes before manage()
            # builds its own: 0.1 MB less at 5,000 nodes).
            visit, state.dirty = state.dirty, []
            if len(visit) != 1:  # (one node, as in a join: already the answer)
                visit = sorted(dict.fromkeys(visit))

        self._claim_on_nodes(ds, selector, visit)
        state.create_failed = False
        pods_seen = self.manage(ds, state, visit)
        # updateDaemonSet: an error from manage() skips the rolling update and cleanup.
        managed = not state.create_failed
        if managed and state.old_nodes and spec_answers(state, ds).rolling:
            pods_seen = None  # the rollout may delete or create pods
            # The nodes that may look different since the last rolling_update: this
            # sync's, and those its manage() marked dirty again (deleted pods).
            deletes, creates = self._rolling_update(
                ds, state, [*visit, *dict.fromkeys(state.dirty)])
            self._sync_nodes(ds, state, deletes, creates)
        else:
            # No rollout to follow (or this sync stopped short of it): the index would
            # miss this sync's changes, and it holds pods alive. Built again when needed.
            state.rolling = None
        # (No old revision is never too many: validation keeps the limit non-negative.)
        if managed and (full or state.old_revision_count and state.old_revision_count > int(
                ds["spec"].get("revisionHistoryLimit", 10))):
            cleanup_history(self.ctx, ds, state, [*visit, *dict.fromkeys(state.dirty)],
                            walk=self.full_walk, verify=self.verify)
        else:
            state.live_hashes = None  # this sync's changes are not in it
        # Status is written even after an error (syncDaemonSet's statusErr handling).
        self._writing_status = ds_uid
        try:
            update_daemonset_status(self.ctx, ds, state, visit, pods_seen)
        finally:
            self._writing_status = ""
        if state.create_failed:
            self._requeue_rate_limited(ds)
        elif self._sync_failures:
            self._sync_failures.pop(ds_uid, None)  # queue.Forget

    def _requeue_rate_limited(self, ds: Obj) -> None:
        """processNextWorkItem after a failed sync: queue.AddRateLimited."""
        failures = self._sync_failures.get(uid(ds), 0)
        self._sync_failures[uid(ds)] = failures + 1
        delay = min(RETRY_BASE_SECONDS * 2 ** failures, RETRY_MAX_SECONDS)
        self.ctx.enqueue_at("daemonset", (ds["metadata"]["namespace"], ds["metadata"]["name"]),
                            self.ctx.clock.now() + delay)

    def _rolling_update(self, ds: Obj, state: DaemonSetState, changed: list[str]
                        ) -> tuple[list[Obj], list[str]]:
        """rolling_update, or (debugging, tests) the walk over every node it stands for
        (update.checked_rolling_update)."""
        return checked_rolling_update(self.ctx, ds, state, changed, walk=self.full_walk,
                                      verify=self.verify)

    # --- acting ---------------------------------------------------------------------

    def _sync_nodes(self, ds: Obj, state: DaemonSetState, pods_to_delete: list[Obj],
                    nodes_needing_pods: list[str], *, refreshed: Sequence[str] = ()
                    ) -> list[tuple[str, Obj]]:
        """syncNodes: the only place that creates and deletes daemon pods.

        `refreshed` nodes get their status recomputed by this same sync, so the events of
        the pods created on them need not mark them dirty again. (Deletes still do: a
        finished pod vanishes at once and its node needs the next pass.)
        """
        if not pods_to_delete and not nodes_needing_pods:
            return []  # most syncs: nothing to create or delete, so no writes to mark
        api = self.ctx.api
        ds_uid = ds["metadata"]["uid"]  # uid(ds) of a stored DaemonSet
        # (One node, as in a join: no comprehension for it.)
        self._own_writes = {(ds_uid, refreshed[0])} if len(refreshed) == 1 else {
            (ds_uid, n) for n in refreshed}
        try:
            created = self._create_pods(ds, state, nodes_needing_pods)
        finally:
            self._own_writes = set()
        seen: set[str] = set()
        for pod in pods_to_delete:
            pod_name = pod["metadata"]["name"]
            if pod_name in seen or self.ctx.store.get("Pod", pod["metadata"]["namespace"],
                                                      pod_name) is None:
                continue
            seen.add(pod_name)
            api.delete_object(pod)
            self.ctx.record_event(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod_name}",
                                  component=COMPONENT)
        return created

    def _create_pods(self, ds: Obj, state: DaemonSetState, nodes_needing_pods: list[str]
                     ) -> list[tuple[str, Obj]]:
        """Create a pod on each node, in order, until a create fails; returns the nodes
        and pods made."""
        api = self.ctx.api
        created: list[tuple[str, Obj]] = []
        # These creates and their events write no PriorityClass: admission's answer
        # for the revision's pods holds for the whole run.
        priority = api.priority_answers() if nodes_needing_pods else None
        # (One generateName and ownerReferences list for all: their reference stays.)
        generate_name, owner_refs = self._pod_owner_parts(ds, state)
        refs_id, refs_len = id(owner_refs), len(owner_refs)
        # What the store indexes each pod under (Store.put_created_pod): the controller's
        # uid, and the node the pod is pinned to (a template naming its node: put()).
        owner = controller_ref({"metadata": {"ownerReferences": owner_refs}})
        owner_uid = owner["uid"] if owner else ""
        new_daemon_pod = daemon_pod_maker(ds, state, generate_name, owner_refs)
        for i, node_name in enumerate(nodes_needing_pods):
            pod = new_daemon_pod(node_name)
            # pod_signature(pod), as on_pod remembers it for the create: a new daemon pod
            # is Pending, without conditions or deletionTimestamp (daemon_pod.py), and
            # the create writes none of what a signature reads (admission: the spec's
            # priority fields; then the name, uid and creationTimestamp).
            self._creating = (pod, ds, node_name, (
                None, pod["spec"].get("nodeName"), None, None, refs_id, refs_len,
                pod["metadata"]["labels"]))
            try:
                api.create_trusted(pod, priority=priority, index=(
                    owner_uid, owner_refs, node_name) if owner_uid and not pod["spec"].get(
                        "nodeName") else None)
            except ApiError as err:
                # RealPodControl reports FailedCreate; slow start then skips the creates
                # not yet tried. Their nodes stay dirty for the rate-limited retry.
                self.ctx.record_event(ds, "Warning", "FailedCreate",
                                      f"Error creating: {err.message}", component=COMPONENT)
                state.dirty.extend(nodes_needing_pods[i:])
                state.create_failed = True
                break
            finally:
                self._creating = None
            created.append((node_name, pod))
            self.ctx.record_event(ds, "Normal", "SuccessfulCreate",
                                  f"Created pod: {pod['metadata']['name']}", component=COMPONENT)
        return created

    def _pod_owner_parts(self, ds: Obj, state: DaemonSetState) -> tuple[str, list[Obj]]:
        """The generateName and ownerReferences list of a new pod, one of each shared by
        the pods of one controller reference: like labels, a pod's ownerReferences list
        is replaced on change (adopt, release, orphaning), never edited in place."""
        ref = state.controller_ref
        if not ref:
            return f"{ds['metadata']['name']}-", [new_controller_ref(ds)]
        # Kept per DaemonSet: a node joining makes one pod for each DaemonSet in turn,
        # and new_daemon_pod's prototypes hold on to these very objects.
        cached = state.owner_parts
        if not cached or cached[0] is not ref:
            cached = state.owner_parts = (ref, f"{ds['metadata']['name']}-", share([ref]))
        return cached[1], cached[2]
