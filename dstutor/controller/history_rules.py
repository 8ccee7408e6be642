"""ControllerRevision history, the pure part: hashes, revision objects, which revisions
a DaemonSet owns or may adopt, which old ones to clean (update.go). Nothing here writes;
history_sync.py does the writing in a sync."""

from __future__ import annotations

from dstutor.model.hashing import fnv32a, safe_encode
from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    Obj,
    canonical_json,
    clone,
    controller_ref,
    labels,
    name,
    namespace,
    new_controller_ref,
    uid,
)
from dstutor.model.selectors import selector_from_dict


def compute_hash(template: Obj, collision_count: int | None) -> str:
    """controller.ComputeHash: FNV-32a of the template (and collision count), safe-encoded.

    Upstream hashes Go's deep dump of the struct; dstutor hashes canonical JSON, so the
    characters and length match real hashes but the values differ.
    """
    data = canonical_json(template).encode()
    if collision_count:
        data += str(collision_count).encode()
    return safe_encode(str(fnv32a(data)))


def revision_data(ds: Obj) -> Obj:
    """getPatch: a strategic-merge patch that puts the current template back."""
    template = clone(ds["spec"]["template"])
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def matches(ds: Obj, revision: Obj) -> bool:
    return canonical_json(revision.get("data")) == canonical_json(revision_data(ds))


def new_revision(ds: Obj, hash_: str, number: int) -> Obj:
    rev_labels = dict(labels(ds["spec"]["template"]))
    rev_labels[DAEMONSET_UNIQUE_LABEL] = hash_
    meta: Obj = {
        "name": f"{name(ds)}-{hash_}",
        "namespace": namespace(ds),
        "labels": rev_labels,
        "ownerReferences": [new_controller_ref(ds)],
    }
    anns = ds["metadata"].get("annotations")
    if anns:
        meta["annotations"] = dict(anns)
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision", "metadata": meta,
            "data": revision_data(ds), "revision": number}


def owned_or_adoptable(ds: Obj, revisions: list[Obj]) -> tuple[list[Obj], list[Obj]]:
    """controlledHistories: (revisions this DS controls, orphans it may adopt)."""
    owned: list[Obj] = []
    orphans: list[Obj] = []
    selector = selector_from_dict(ds["spec"].get("selector"))
    ds_uid = uid(ds)
    for rev in revisions:
        ref = controller_ref(rev)
        if ref is not None:
            if ref.get("uid") == ds_uid:
                owned.append(rev)
            continue
        if rev["metadata"].get("deletionTimestamp"):
            continue
        if selector.matches(labels(rev)):
            orphans.append(rev)
    return owned, orphans


def max_revision(revisions: list[Obj]) -> int:
    return max((int(r.get("revision", 0)) for r in revisions), default=0)


def revisions_to_clean(old: list[Obj], limit: int, live_hashes: set[str]) -> list[Obj]:
    """cleanupHistory: the oldest old revisions beyond the limit not carried by a live pod."""
    to_kill = len(old) - limit
    doomed: list[Obj] = []
    for rev in sorted(old, key=lambda r: int(r.get("revision", 0))):
        if to_kill <= 0:
            break
        if labels(rev).get(DAEMONSET_UNIQUE_LABEL) in live_hashes:
            continue
        doomed.append(rev)
        to_kill -= 1
    return doomed
