"""Read-only indexes over the store for `describe`: events by involvedObject uid, and the
pods a DaemonSet controls or a node runs, without scanning every event and pod.

The event index is rebuilt from the store's own list when an Event has been written
since (Store.writes_of("Event"): every create, update and removal of one counts), so it
never shows anything the plain scan would not: reads cost one dict lookup until an Event
changes, then one pass (sim/eventindex.py: 0.09 s over 5,000 nodes' 250,000 Events). A
write to anything else (a node's label) leaves it.
"""

from __future__ import annotations

import weakref
from typing import Any

from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster

# namespace -> (the store, weakly: a cluster replaced by undo, load or reset must not be
# kept alive by its index; its Event writes; uid -> event keys in the API server's
# order) (events without an involvedObject uid are indexed under None)
_EVENTS_BY_UID: dict[str, tuple[weakref.ref[Any], int,
                                dict[str | None, list[tuple[str, str]]]]] = {}


def events_involving(cluster: Cluster, namespace: str, uid: str | None) -> list[Obj]:
    """The events of `namespace` whose involvedObject.uid is `uid`, in list order."""
    cluster.settle()  # as the scan did
    store = cluster.store
    revision = store.writes_of("Event")
    cached = _EVENTS_BY_UID.get(namespace)
    if cached is None or cached[0]() is not store or cached[1] != revision:
        # Keys, not Events: a recorded Event is built only when it is shown.
        index = store.event_keys_by_involved_uid(namespace)
        if len(_EVENTS_BY_UID) > 16:
            _EVENTS_BY_UID.clear()
        _EVENTS_BY_UID[namespace] = cached = (weakref.ref(store), revision, index)
    found = (store.get("Event", ns, name) for ns, name in cached[2].get(uid, ()))
    return [event for event in found if event is not None]


def pods_controlled_by(cluster: Cluster, owner: Obj) -> list[Obj]:
    """The pods in the owner's namespace whose controller reference is `owner`, in the
    API server's order; a superset of those describe counts (it also checks labels)."""
    cluster.settle()
    store = cluster.store
    namespace = owner["metadata"].get("namespace", "") or ""
    keys = sorted(k for keys in store.pods_of_owner(owner["metadata"].get("uid", "")).values()
                  for k in keys if k[1] == namespace)
    found = (store.get(*k) for k in keys)
    return [p for p in found if p is not None]


def pods_on_node(cluster: Cluster, node: str) -> list[Obj]:
    """Every pod whose spec.nodeName is `node`, in the API server's order."""
    cluster.settle()
    return [p for p in cluster.store.pods_on_node(node) if p["spec"].get("nodeName") == node]
