"""hostNetwork pods share the node's network namespace: their IP is the node's InternalIP
(kube-proxy and node-exporter show 172.18.0.x in `-o wide`), and they take no address
from the node's podCIDR."""

from __future__ import annotations

from dstutor.sim.cluster import Cluster


def _pod(name: str, *, host_network: bool) -> dict:
    spec: dict = {"containers": [{"name": "c", "image": "busybox:1"}], "nodeName": "n1"}
    if host_network:
        spec["hostNetwork"] = True
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def test_host_network_pod_gets_the_nodes_internal_ip_and_uses_no_cidr_address() -> None:
    cluster = Cluster()
    cluster.add_node("n0", ready=True)
    cluster.add_node("n1", ready=True)
    cluster.create(_pod("host", host_network=True))
    cluster.create(_pod("plain", host_network=False))
    cluster.advance(10)
    host = cluster.get("Pod", "default", "host")["status"]
    plain = cluster.get("Pod", "default", "plain")["status"]
    assert host["hostIP"] == "172.18.0.3"
    assert (host["podIP"], host["podIPs"]) == ("172.18.0.3", [{"ip": "172.18.0.3"}])
    # The first podCIDR address still goes to the first pod with its own network.
    assert (plain["podIP"], plain["podIPs"]) == ("10.244.1.2", [{"ip": "10.244.1.2"}])
