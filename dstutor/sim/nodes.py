"""How a freshly registered Node looks, as a kubelet would report it."""

from __future__ import annotations

from typing import Any

from dstutor.model.objects import Obj
from dstutor.model.shapes import DictShape
from dstutor.model.sharedguard import share_always

KUBELET_VERSION = "v1.37.1"
DEFAULT_CAPACITY = {"cpu": "4", "ephemeral-storage": "102625208Ki", "hugepages-1Gi": "0",
                    "hugepages-2Mi": "0", "memory": "8148056Ki", "pods": "110"}


# kind's addressing, widened for big clusters. kind gives kube-controller-manager
# --cluster-cidr=10.244.0.0/16 with /24 node CIDRs: only 256 nodes fit, and the 257th
# would have none (an earlier version wrote 10.244.256.0/24, and pods got 10.244.375.2).
# The simulator's cluster CIDR is 10.244.0.0/14, which the range allocator hands out in
# order, so the first 256 nodes keep kind's addresses and 1,024 nodes fit. Past that the
# allocator wraps around to the start of the range, as its nextCandidate does (the real
# one also skips CIDRs still in use; node indices only grow, so wrapping reuses the
# oldest, most likely long removed, nodes' CIDRs). Node addresses come from kind's docker
# network, 172.18.0.0/16, from .2 on.
_CLUSTER_CIDR, _CLUSTER_PREFIX = (10 << 24) | (244 << 16), 14  # 10.244.0.0/14
NODE_CIDR_MASK = 24
_NODE_NETWORK, _NODE_PREFIX = (172 << 24) | (18 << 16), 16  # 172.18.0.0/16

# The same numbers as plain ints: a node joining pays for no ipaddress object, and the
# simulator does not import ipaddress at all (about 1 MB resident for two constants).
_CIDR_COUNT = 1 << (NODE_CIDR_MASK - _CLUSTER_PREFIX)
_CIDR_FIRST = _CLUSTER_CIDR
_NODE_FIRST = _NODE_NETWORK + 2
_NODE_HOSTS = (1 << (32 - _NODE_PREFIX)) - 3  # network, gateway and broadcast addresses


def __getattr__(name: str) -> Any:
    """CLUSTER_CIDR and NODE_NETWORK as ipaddress.IPv4Network, built when first asked for
    (PEP 562): the tests check the addresses against them."""
    if name in ("CLUSTER_CIDR", "NODE_NETWORK"):
        import ipaddress

        base, prefix = ((_CLUSTER_CIDR, _CLUSTER_PREFIX) if name == "CLUSTER_CIDR"
                        else (_NODE_NETWORK, _NODE_PREFIX))
        network = ipaddress.IPv4Network((base, prefix))
        globals()[name] = network
        return network
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _dotted(address: int) -> str:
    """str(ipaddress.IPv4Address(address))."""
    return f"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}"


def pod_cidr(index: int) -> str:
    """The /24 the range allocator gives the index-th node to register."""
    first = _CIDR_FIRST + (index % _CIDR_COUNT) * (1 << (32 - NODE_CIDR_MASK))
    return f"{_dotted(first)}/{NODE_CIDR_MASK}"


def node_address(index: int) -> str:
    """The index-th node's InternalIP on kind's docker network (.0.1 is the gateway)."""
    return _dotted(_NODE_FIRST + index % _NODE_HOSTS)


# What every registered node reports alike is one dict shared by the nodes (5,000 nodes:
# about 6 MB less). Stored objects are replaced, never edited in place, and every reader
# outside the simulator gets a copy (Cluster.get), so no node can change another's.
_ANNOTATIONS: Obj = share_always({"node.alpha.kubernetes.io/ttl": "0",
                                  "volumes.kubernetes.io/controller-managed-attach-detach": "true"})
_DAEMON_ENDPOINTS: Obj = share_always({"kubeletEndpoint": {"Port": 10250}})
_NODE_INFO: Obj = share_always({
    "architecture": "amd64",
    "bootID": "",
    "containerRuntimeVersion": "containerd://2.1.4",
    "kernelVersion": "6.8.0-45-generic",
    "kubeProxyVersion": "",
    "kubeletVersion": KUBELET_VERSION,
    "machineID": "",
    "operatingSystem": "linux",
    "osImage": "Debian GNU/Linux 12 (bookworm)",
    "systemUUID": "",
})


_NODE = DictShape(("apiVersion", "kind", "metadata", "spec", "status"))
# With the keys the API server and the controllers add, in the order they come.
_METADATA = DictShape(("name", "labels", "annotations", "uid", "creationTimestamp",
                       "resourceVersion"))
_SPEC = DictShape(("podCIDR", "podCIDRs", "taints"))
_STATUS = DictShape(("addresses", "allocatable", "capacity", "daemonEndpoints", "nodeInfo",
                     "conditions"))
_ADDRESS = DictShape(("address", "type"))
_LABELS = DictShape(("beta.kubernetes.io/arch", "beta.kubernetes.io/os", "kubernetes.io/arch",
                     "kubernetes.io/hostname", "kubernetes.io/os"))
_RESOURCES = DictShape(DEFAULT_CAPACITY)


def make_node(name: str, index: int, *, labels: dict[str, str] | None = None,
              taints: list[Obj] | None = None, roles: list[str] | None = None,
              capacity: dict[str, str] | None = None) -> Obj:
    node_labels = _LABELS.build("amd64", "linux", "amd64", name, "linux")
    for role in roles or []:
        node_labels[f"node-role.kubernetes.io/{role}"] = ""
    if labels:
        node_labels.update(labels)
    cap = _RESOURCES.filled(DEFAULT_CAPACITY)
    if capacity:
        cap.update({k: str(v) for k, v in capacity.items()})
    cidr = pod_cidr(index)
    spec = _SPEC.build(cidr, [cidr])
    if taints:
        spec["taints"] = [dict(t) for t in taints]
    # The node's own dicts are key-sharing ones (model/shapes.py): same dicts, less memory.
    status = _STATUS.build(
        [_ADDRESS.build(node_address(index), "InternalIP"), _ADDRESS.build(name, "Hostname")],
        # Each node's own: a test (and a learner's cluster file) may edit them.
        _RESOURCES.filled(cap), cap, _DAEMON_ENDPOINTS, _NODE_INFO)
    return _NODE.build("v1", "Node", _METADATA.build(name, node_labels, _ANNOTATIONS), spec,
                       status)
