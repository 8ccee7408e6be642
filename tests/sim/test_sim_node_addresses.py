"""Node CIDRs and addresses stay valid IPv4 in big clusters (issue 18's long sessions).

kind's --cluster-cidr=10.244.0.0/16 holds only 256 /24 node CIDRs; the simulator's
10.244.0.0/14 keeps those first 256 unchanged (goldens) and fits 1,024 nodes, wrapping
around after that as the range allocator does. An earlier version wrote 10.244.256.0/24
and gave pods 10.244.375.2.
"""

from __future__ import annotations

import ipaddress

import pytest
from sim_builders import make_daemonset

from dstutor.sim.cluster import Cluster
from dstutor.sim.nodes import CLUSTER_CIDR, NODE_NETWORK, node_address, pod_cidr


@pytest.mark.parametrize(("index", "cidr", "address"), [
    (0, "10.244.0.0/24", "172.18.0.2"),  # kind's first node, as the goldens show
    (1, "10.244.1.0/24", "172.18.0.3"),
    (253, "10.244.253.0/24", "172.18.0.255"),
    (255, "10.244.255.0/24", "172.18.1.1"),
    (256, "10.245.0.0/24", "172.18.1.2"),
    (375, "10.245.119.0/24", "172.18.1.121"),
    (1023, "10.247.255.0/24", "172.18.4.1"),
    (1024, "10.244.0.0/24", "172.18.4.2"),  # the allocator wraps around its range
])
def test_node_cidr_and_address(index: int, cidr: str, address: str) -> None:
    assert (pod_cidr(index), node_address(index)) == (cidr, address)


def test_every_index_gives_a_valid_cidr_inside_the_cluster_cidr() -> None:
    seen = set()
    for index in range(0, 70_000, 7):
        net = ipaddress.IPv4Network(pod_cidr(index))  # raises on 10.244.375.0/24
        assert net.subnet_of(CLUSTER_CIDR) and net.prefixlen == 24
        assert ipaddress.IPv4Address(node_address(index)) in NODE_NETWORK
        if index < 1024:
            assert net not in seen
            seen.add(net)


def test_pods_on_the_300th_node_get_valid_ips_in_its_cidr() -> None:
    cluster = Cluster()
    for i in range(300):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create(make_daemonset())
    cluster.advance()
    pods = {p["spec"]["nodeName"]: p for p in cluster.pods_of("foo")}
    for name in ("node-0", "node-255", "node-256", "node-299"):
        node = cluster.store.get("Node", "", name)
        ip = ipaddress.IPv4Address(pods[name]["status"]["podIP"])
        assert ip in ipaddress.IPv4Network(node["spec"]["podCIDR"])
