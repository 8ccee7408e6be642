"""The pods a DaemonSet owns, per node, as upstream getNodesToDaemonPods lists them."""

from __future__ import annotations

from dstutor.controller.daemonset_util import pod_sort_key
from dstutor.controller.pod_record import PodRecord
from dstutor.controller.ports import ObjectStore
from dstutor.model.objects import Obj, is_terminating, uid


def daemon_pods_on(store: ObjectStore, ds: Obj, node_name: str, *,
                   include_deleted_terminal: bool = False) -> list[Obj]:
    """Owned pods mapped to a node, oldest first; finished pods being deleted are left out."""
    keys = store.pods_of_owner(ds["metadata"]["uid"]).get(node_name)  # uid(ds)
    if keys is None:  # a node the DaemonSet has no pod on yet (every node of a new one)
        return []
    # Nearly always one pod per node, nothing to sort: the index holds its record then
    # (read without the record's Python-level len() and [0]: its pod is the stored one).
    alone = type(keys) is PodRecord
    if alone or len(keys) == 1:
        pod = keys.pod if alone else store.get(*keys[0])  # type: ignore[attr-defined]
        # is_terminating(pod), inline: every sync of a node asks.
        if pod is None or (not include_deleted_terminal
                           and pod["metadata"].get("deletionTimestamp")
                           and pod["status"].get("phase") in ("Failed", "Succeeded")):
            return []
        return [pod]
    pods = []
    for pod_key in keys:
        pod = store.get(*pod_key)
        if pod is None:
            continue
        if (not include_deleted_terminal and is_terminating(pod)
                and pod["status"].get("phase") in ("Failed", "Succeeded")):
            continue
        pods.append(pod)
    pods.sort(key=pod_sort_key)
    return pods


def node_to_daemon_pods(store: ObjectStore, ds: Obj) -> dict[str, list[Obj]]:
    result = {}
    for node_name in sorted(store.pods_of_owner(uid(ds))):
        pods = daemon_pods_on(store, ds, node_name)
        if pods:
            result[node_name] = pods
    return result
