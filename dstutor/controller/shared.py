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
from dstutor.model.objects import Obj

# Bounded so a long session cannot grow it without limit; a miss only costs a new dict.
_MAX_ENTRIES = 8192
_fragments: dict[tuple[object, ...], Obj] = {}


def _shared(key: tuple[object, ...], value: Obj) -> Obj:
    found = _fragments.get(key)
    if found is not None:
        return found
    if len(_fragments) >= _MAX_ENTRIES:
        _fragments.clear()
    _fragments[key] = value
    return value


def pod_condition(ctype: str, status: str, since: str, reason: str = "",
                  message: str = "") -> Obj:
    """A PodCondition as the kubelet and scheduler write it (lastProbeTime null)."""
    key = ("condition", ctype, status, since, reason, message)
    found = _fragments.get(key)
    if found is not None:
        return found
    cond: Obj = {"type": ctype, "status": status, "lastProbeTime": None,
                 "lastTransitionTime": since}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return _shared(key, cond)


def waiting(reason: str, message: str = "") -> Obj:
    """A container state `{"waiting": {...}}`."""
    key = ("waiting", reason, message)
    found = _fragments.get(key)
    if found is not None:
        return found
    inner = {"reason": reason, "message": message} if message else {"reason": reason}
    return _shared(key, {"waiting": inner})


def running(started_at: str) -> Obj:
    """A container state `{"running": {"startedAt": ...}}`."""
    key = ("running", started_at)
    found = _fragments.get(key)
    if found is not None:
        return found
    return _shared(key, {"running": {"startedAt": started_at}})


EMPTY: Obj = {}  # lastState before any restart


@lru_cache(maxsize=_MAX_ENTRIES)
def ip_list(ip: str) -> list[Obj]:
    """`hostIPs`/`podIPs` for one address."""
    return [{"ip": ip}]


@lru_cache(maxsize=_MAX_ENTRIES)
def image_id(image: str) -> str:
    """The digest reference the runtime reports for a pulled image."""
    return f"{image}@sha256:" + "0" * 12


@lru_cache(maxsize=_MAX_ENTRIES)
def pinned_affinity(node_name: str) -> Obj:
    """The whole affinity of a daemon pod whose template has none: pin to one node."""
    return {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": node_name_affinity(node_name)}}
