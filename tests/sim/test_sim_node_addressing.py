"""Node CIDRs and addresses are worked out with plain ints (a node joining pays for no
ipaddress object); they must be what ipaddress says, wrap-around included."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.sim.nodes import CLUSTER_CIDR, NODE_CIDR_MASK, NODE_NETWORK, node_address, pod_cidr


def _pod_cidr_by_ipaddress(index: int) -> str:
    count = 1 << (NODE_CIDR_MASK - CLUSTER_CIDR.prefixlen)
    first = int(CLUSTER_CIDR.network_address) + (index % count) * (1 << (32 - NODE_CIDR_MASK))
    return f"{ipaddress.IPv4Address(first)}/{NODE_CIDR_MASK}"


def _node_address_by_ipaddress(index: int) -> str:
    return str(NODE_NETWORK.network_address + 2 + index % (NODE_NETWORK.num_addresses - 3))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.integers(0, 300_000), st.sampled_from(
    [0, 1, 255, 256, 1023, 1024, 1025, 65532, 65533, 65534, 65535, 65536])))
def test_addresses_are_those_ipaddress_computes(index: int) -> None:
    assert pod_cidr(index) == _pod_cidr_by_ipaddress(index)
    assert node_address(index) == _node_address_by_ipaddress(index)


def test_known_addresses() -> None:
    assert pod_cidr(0) == "10.244.0.0/24"
    assert pod_cidr(256) == "10.245.0.0/24"
    assert pod_cidr(1024) == "10.244.0.0/24"  # the allocator wraps around
    assert node_address(0) == "172.18.0.2"
    assert node_address(254) == "172.18.1.0"
