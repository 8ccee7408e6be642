"""Status fragments that many pods share.

Pods that change at the same instant in the same way carry equal conditions, equal
container states and (on one node) equal pinning affinity. At 50,000 pods one dict per
distinct value instead of one per pod saves about a third of the memory. The contract
that makes sharing safe: writers replace these dicts, they never edit them in place.
Callers outside the simulator only ever see copies (Cluster.get and friends clone).
"""

from __future__ import annotations

from functools import lru_cache

from dstutor.controller.daemonset_util import node_name_affinity
from dstutor.model.objects import Obj, register_pinned_affinity
from dstutor.model.shapes import POD_IP, DictShape
from dstutor.model.sharedguard import cached, share, share_always

# Bounded so a long session cannot grow them without limit; a miss only costs a new dict.
_MAX_ENTRIES = 8192
_NODE_AFFINITY = DictShape(("requiredDuringSchedulingIgnoredDuringExecution",))
_AFFINITY = DictShape(("nodeAffinity",))


@cached
@lru_cache(maxsize=_MAX_ENTRIES)
def pod_condition(ctype: str, status: str, since: str, reason: str = "",
                  message: str = "", generation: int = 0) -> Obj:
    """A PodCondition as the kubelet and scheduler write it (lastProbeTime null), with
    the pod generation its writer observed (PodObservedGenerationTracking)."""
    cond: Obj = {"type": ctype}
    if generation:
        cond["observedGeneration"] = generation
    cond.update({"status": status, "lastProbeTime": None, "lastTransitionTime": since})
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return share(cond)


@cached
@lru_cache(maxsize=_MAX_ENTRIES)
def waiting(reason: str, message: str = "") -> Obj:
    """A container state `{"waiting": {...}}`."""
    return share({"waiting": {"reason": reason, "message": message} if message
                  else {"reason": reason}})


@cached
@lru_cache(maxsize=_MAX_ENTRIES)
def running(started_at: str) -> Obj:
    """A container state `{"running": {"startedAt": ...}}`."""
    return share({"running": {"startedAt": started_at}})


EMPTY: Obj = share_always({})  # lastState before any restart


@cached
@lru_cache(maxsize=_MAX_ENTRIES)
def ip_list(ip: str) -> list[Obj]:
    """`hostIPs`/`podIPs` for one address (its entry a key-sharing dict, model/shapes.py:
    88 bytes instead of 184, one per node)."""
    return share([POD_IP.build(ip)])


@cached
@lru_cache(maxsize=_MAX_ENTRIES)
def image_id(image: str) -> str:
    """The digest reference the runtime reports for a pulled image."""
    return f"{image}@sha256:" + "0" * 12


@cached
@lru_cache(maxsize=_MAX_ENTRIES)
def pinned_affinity(node_name: str) -> Obj:
    """The whole affinity of a daemon pod whose template has none: pin to one node."""
    # Key-sharing dicts (model/shapes.py), as node_name_affinity's: one set per node.
    affinity = _AFFINITY.build(_NODE_AFFINITY.build(node_name_affinity(node_name)))
    register_pinned_affinity(affinity, node_name)
    return share(affinity)
