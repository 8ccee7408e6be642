"""The store's pod indexes (Store methods, written here to keep store.py short): a pod
indexed under its controller uid and target node (Store._index_pod), taken out again
(Store._unindex_record), and the put of a pod a controller creates (put_created_pod).

put_created_pod: the DaemonSet controller's create burst stores 5,000 pods of one
template in a row, each under a key just found free, with the controller uid and target
node it made the pod for. put() of such a pod takes the same steps without asking what
the controller already knows: no pod is stored under the key yet, the pod is not a
builtin, its controller reference and target node. tests/sim/test_sim_created_pods.py
holds it to put() (the store's tables and indexes, and what its listeners hear)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.controller.pod_record import PodRecord
from dstutor.model.objects import Key, Obj, target_node_name
from dstutor.sim.nodekeys import NodeKeys

if TYPE_CHECKING:
    from dstutor.sim.store import Store

_NO_REFS = object()  # no ownerReferences list is known for that controller uid


def put_created_pod(self: Store, obj: Obj, key: Key, owner: str, refs: object,
                    node: str) -> None:
    """put(obj) of a new pod (nothing stored under `key`, its ("Pod", namespace,
    name), the tuple the table keeps), whose controller reference (in `refs`, its
    ownerReferences list) has the uid `owner` (not ""), and whose target node
    (target_node_name) is `node` (not ""): Store._put_pod's and _index_pod's steps for
    such a pod, in their order."""
    meta = obj["metadata"]
    self._revision += 1  # next_resource_version(), inline
    meta["resourceVersion"] = str(self._revision)
    self._sorted_objs.pop("Pod", None)
    self._sorted_keys.pop("Pod", None)
    pod_uid = meta["uid"]
    if self._pod_uids is not None:
        self._pod_uids[pod_uid] = obj
    if self._replaced_pods:  # the newest put of a uid is what by_uid finds
        self._by_uid.pop(pod_uid, None)
    # _index_pod(obj, key, stored=True) for a new key, a controller and a target node.
    self._owner_refs[owner] = refs
    record = self.pod_records[key] = PodRecord(obj, owner, node)
    add_to_indexes(self, record, key, owner, node)
    for listener in self.listeners:
        listener("Pod", None, obj)


def index_pod(self: Store, pod: Obj, key: Key, stored: bool = False) -> None:
    """Index a pod under its key: `stored`, a pod put() stores now (a new key gets
    its record here); else a pod touched, indexed again if it has a record (one that
    is not stored has none: nothing of it is indexed)."""
    known = self.pod_records.get(key)
    if known is None and not stored:
        return
    meta = pod["metadata"]
    refs = meta.get("ownerReferences")
    node = pod["spec"].get("nodeName")
    # A status write to a bound pod (most writes): the same ownerReferences list
    # (never edited in place: replaced on change) and the same node mean the same
    # entry, without looking for the controller reference again.
    if (node and known is not None and known.node == node
            and self._owner_refs.get(known.owner, _NO_REFS) is refs):
        return
    ref = None
    for candidate in refs or ():  # controller_ref(pod), inline
        if candidate.get("controller"):
            ref = candidate
            break
    if ref:
        self._owner_refs[ref["uid"]] = refs
    owner, node = (ref["uid"] if ref else ""), target_node_name(pod)
    if known is None:
        # `key`: put()'s tuple, from now on the table's (the one the indexes hold).
        record = self.pod_records[key] = PodRecord(pod, owner, node)
    else:
        if known.owner == owner and known.node == node:
            return
        # Moved to another owner or node: out of the indexes under the old ones, in
        # under the new (under the tuple they held); the record, and what the
        # controllers hung on it, stays.
        key = self.stored_key(known, key)
        self._unindex_record(known, key)
        known.owner, known.node = owner, node
        record = known
    add_to_indexes(self, record, key, owner, node)


def add_to_indexes(self: Store, record: PodRecord, key: Key, owner: str, node: str
                   ) -> None:
    """Index a pod's record under its controller uid (else as an orphan) and its target
    node (else as unplaced), `key` the table's tuple: index_pod's end, and
    put_created_pod's."""
    if owner:
        try:  # (not setdefault: no new dict made for each pod to throw away)
            per_node = self._pods_by_owner_node[owner]
        except KeyError:
            per_node = self._pods_by_owner_node[owner] = {}
        there = per_node.get(node)
        # Alone on its node (nearly always): its record, which reads as the sequence
        # of its one key; else a tuple of the keys (see _pods_by_owner_node): the
        # table's tuples, not the equal one a record reads as.
        if there is None:
            per_node[node] = record
        elif type(there) is PodRecord:
            per_node[node] = (self.stored_key(there, there.key), key)
        else:
            per_node[node] = (*there, key)
    else:
        self._orphans_by_node.setdefault(node, set()).add(key)
    if node:
        # Never there yet: a key is in its node's entry while its record is indexed
        # on that node, and a moved record was taken out above.
        self._pods_by_node[node] = NodeKeys((*self._pods_by_node.get(node, ()), key))
    else:
        self._unplaced[key] = key


def unindex_record(self: Store, record: PodRecord, key: Key) -> None:
    """Take a pod out of the owner and node indexes (its record stays as it is);
    `key` equals its key."""
    owner, node = record.owner, record.node
    if owner:
        per_node = self._pods_by_owner_node.get(owner)
        if per_node is not None:
            on_node = per_node.get(node)
            if on_node is not None:
                rest = tuple(k for k in on_node if k != key)
                if len(rest) > 1:
                    per_node[node] = rest
                elif rest:  # alone again: its record (a stored pod's: it has one)
                    per_node[node] = self.pod_records[rest[0]]
                else:
                    del per_node[node]
            if not per_node:
                del self._pods_by_owner_node[owner]
                self._owner_refs.pop(owner, None)
    else:
        orphans = self._orphans_by_node.get(node)
        if orphans is not None:
            orphans.discard(key)
            if not orphans:
                del self._orphans_by_node[node]
    if not node:
        self._unplaced.pop(key, None)
    on_node = self._pods_by_node.get(node) if node else None
    if on_node is not None:
        rest = NodeKeys(k for k in on_node if k != key)
        if rest:
            self._pods_by_node[node] = rest
        else:
            del self._pods_by_node[node]
