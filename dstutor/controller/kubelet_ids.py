"""Names the kubelet reports for what it runs: a container's runtime id and the node's
address its pods show as hostIP (pure functions of the pod and the Node), and the pods'
own IPs."""

from __future__ import annotations

from dstutor.controller.kubelet_work import NodeAgent
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


def pod_ip(pod: Obj, node: Obj | None, agent: NodeAgent) -> str:
    """The sandbox's IP: the node's own address for a hostNetwork pod (it shares the
    node's network namespace, as kube-proxy does), else the next one in the podCIDR.
    `node` is the stored Node the pod runs on (None if there is none), `agent` its kubelet's
    record (whose next address this takes)."""
    if pod["spec"].get("hostNetwork"):
        return pod["status"].get("hostIP") or internal_ip(node)
    cidr = (node or {}).get("spec", {}).get("podCIDR", "10.244.0.0/24")
    base = cidr.split("/")[0].rsplit(".", 1)[0]
    count = agent.next_ip
    agent.next_ip += 1
    return f"{base}.{count % 254 or 254}"
