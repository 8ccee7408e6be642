"""Store.put of a pod a controller creates (Store.put_created_pod, written here to keep
store.py short): the DaemonSet controller's create burst stores 5,000 pods of one
template in a row, each under a key just found free, with the controller uid and target
node it made the pod for. put() of such a pod takes the same steps without asking what
the controller already knows: no pod is stored under the key yet, the pod is not a
builtin, its controller reference and target node. tests/sim/test_sim_created_pods.py
holds it to put() (the store's tables and indexes, and what its listeners hear)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.controller.pod_record import PodRecord
from dstutor.model.objects import Key, Obj
from dstutor.sim.nodekeys import NodeKeys

if TYPE_CHECKING:
    from dstutor.sim.store import Store


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
    try:
        per_node = self._pods_by_owner_node[owner]
    except KeyError:
        per_node = self._pods_by_owner_node[owner] = {}
    there = per_node.get(node)
    if there is None:
        per_node[node] = record
    elif type(there) is PodRecord:
        per_node[node] = (self.stored_key(there, there.key), key)
    else:
        per_node[node] = (*there, key)
    self._pods_by_node[node] = NodeKeys((*self._pods_by_node.get(node, ()), key))
    for listener in self.listeners:
        listener("Pod", None, obj)
