"""ControllerRevision history, the writing part of a sync: constructHistory,
dedupCurHistories, cleanupHistory. The decisions come from history_rules.py (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from dstutor.controller import history_rules
from dstutor.controller.context import Context
from dstutor.controller.pods import daemon_pods_on, node_to_daemon_pods
from dstutor.controller.ports import ObjectStore
from dstutor.controller.rolling_index import IncrementalMismatch
from dstutor.controller.state import DaemonSetState, LiveHashes
from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    Obj,
    controller_ref,
    labels,
    new_controller_ref,
    uid,
)


def construct_history(ctx: Context, ds: Obj, state: DaemonSetState) -> str:
    """constructHistory: find or create the current revision; returns its hash."""
    store, api = ctx.store, ctx.api
    ns = ds["metadata"]["namespace"]
    owned, orphans = history_rules.owned_or_adoptable(ds, store.list("ControllerRevision", ns))
    for rev in orphans:
        rev["metadata"].setdefault("ownerReferences", []).append(new_controller_ref(ds))
        store.touch(rev)
        owned.append(rev)
    current = [r for r in owned if history_rules.matches(ds, r)]
    old = [r for r in owned if not history_rules.matches(ds, r)]
    next_number = history_rules.max_revision(old) + 1
    if not current:
        while True:
            collision = ds["status"].get("collisionCount")
            hash_ = history_rules.compute_hash(ds["spec"]["template"], collision)
            rev = history_rules.new_revision(ds, hash_, next_number)
            existing = store.get("ControllerRevision", ns, rev["metadata"]["name"])
            if existing is None:
                api.create_trusted(rev)
                cur = rev
                break
            ref = controller_ref(existing)
            if ref is not None and ref.get("uid") == uid(ds) and history_rules.matches(ds, existing):
                cur = existing
                break
            # Hash collision: a different revision holds the name; count and retry.
            status = dict(ds["status"])
            status["collisionCount"] = int(collision or 0) + 1
            api.update_status(ds, status)
    else:
        current.sort(key=lambda r: int(r.get("revision", 0)), reverse=True)
        cur = current[0]
        for dup in current[1:]:
            relabel_pods(ctx, ds, labels(cur).get(DAEMONSET_UNIQUE_LABEL, ""))
            api.delete_object(dup)
        if int(cur.get("revision", 0)) < next_number:
            cur["revision"] = next_number
            store.touch(cur)
    state.old_revision_count = len(old)
    return str(labels(cur).get(DAEMONSET_UNIQUE_LABEL) or cur["metadata"]["name"])

def relabel_pods(ctx: Context, ds: Obj, to_hash: str) -> None:
    """dedupCurHistories' relabel: every owned pod whose hash differs from the kept
    revision's gets it, a pod of a genuinely older revision too (upstream does not
    look at which duplicate a pod came from, so such a pod then counts as updated)."""
    for pods in node_to_daemon_pods(ctx.store, ds).values():
        for pod in pods:
            if labels(pod).get(DAEMONSET_UNIQUE_LABEL) != to_hash:
                # Pods of one revision share their labels dict: replace it.
                pod["metadata"]["labels"] = {**labels(pod), DAEMONSET_UNIQUE_LABEL: to_hash}
                ctx.store.touch(pod)

def cleanup_history(ctx: Context, ds: Obj, state: DaemonSetState,
                    changed: Iterable[str] = (), *, walk: bool = False,
                    verify: bool = False) -> None:
    """cleanupHistory: drop the oldest old revisions beyond revisionHistoryLimit.

    Which hashes live pods carry is kept per node between calls (state.live_hashes;
    `changed`: the nodes that may look different since the last call): with a small
    revisionHistoryLimit this runs on every sync of a rollout. `walk` looks at every
    pod instead, as upstream does; `verify` checks one against the other.
    """
    owned, _ = history_rules.owned_or_adoptable(
        ds, ctx.store.list("ControllerRevision", ds["metadata"]["namespace"]))
    old = [r for r in owned if labels(r).get(DAEMONSET_UNIQUE_LABEL) != state.hash]
    limit = int(ds["spec"].get("revisionHistoryLimit", 10))
    if len(old) <= limit:
        state.old_revision_count = len(old)
        state.live_hashes = None  # not brought up to date: build it again when needed
        return
    if walk:
        state.live_hashes = None
        live = live_hashes_walk(ctx.store, ds)
    else:
        live = _refreshed_live_hashes(ctx.store, ds, state, changed).live()
        if verify and live != live_hashes_walk(ctx.store, ds):
            raise IncrementalMismatch(
                f"cleanup_history of {ds['metadata']['name']} at {ctx.clock.now()}: live "
                f"hashes {sorted(live)}, the walk says {sorted(live_hashes_walk(ctx.store, ds))}")
    doomed = history_rules.revisions_to_clean(old, limit, live)
    for rev in doomed:
        ctx.api.delete_object(rev)
    state.old_revision_count = len(old) - len(doomed)


def _node_hashes(store: ObjectStore, ds: Obj, node_name: str) -> frozenset[str]:
    return frozenset(labels(pod).get(DAEMONSET_UNIQUE_LABEL, "") for pod in daemon_pods_on(
        store, ds, node_name, include_deleted_terminal=True))


def _refreshed_live_hashes(store: ObjectStore, ds: Obj, state: DaemonSetState,
                           changed: Iterable[str]) -> LiveHashes:
    hashes = state.live_hashes
    if hashes is None:
        hashes = state.live_hashes = LiveHashes()
        changed = store.pods_of_owner(uid(ds))
    for node_name in set(changed):
        hashes.put(node_name, _node_hashes(store, ds, node_name))
    return hashes


def live_hashes_walk(store: ObjectStore, ds: Obj) -> set[str]:
    """The hashes every owned pod carries, finished pods being deleted included."""
    live: set[str] = set()
    for node_name in store.pods_of_owner(uid(ds)):
        live |= _node_hashes(store, ds, node_name)
    return live
