"""Names the kubelet reports for what it runs: a container's runtime id and the node's
address its pods show as hostIP (pure functions of the pod and the Node)."""

from __future__ import annotations

from dstutor.digest import sha256_hex
from dstutor.model.objects import Obj


def container_id(pod: Obj, name: str) -> str:
    """containerd's 64-hex id, one per container, stable for a given pod uid."""
    return "containerd://" + sha256_hex(f"{pod['metadata']['uid']}/{name}")


def internal_ip(node: Obj | None) -> str:
    """The node's InternalIP ("" for none, or no node)."""
    for addr in (node or {}).get("status", {}).get("addresses") or []:
        if addr.get("type") == "InternalIP":
            return str(addr["address"])
    return ""
