"""Incremental work: a change to one node or one pod makes the DaemonSet controller look
at that node only, however many nodes the cluster has (the issue's "a node event touches
that node, not every node")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sim_builders import make_daemonset

from dstutor.sim.cluster import Cluster

NODES = 40
DAEMONSETS = ("a", "b", "c")


def _settled() -> Cluster:
    cluster = Cluster()
    for i in range(NODES):
        cluster.add_node(f"node-{i:02d}", ready=True)
    for name in DAEMONSETS:
        cluster.create(make_daemonset(name, image=name, labels={"app": name}))
    cluster.advance()
    assert len(cluster.store.list("Pod")) == NODES * len(DAEMONSETS)
    return cluster


@contextmanager
def _visits(cluster: Cluster) -> Iterator[list[str]]:
    """Every node the DaemonSet controller's manage() looks at while the block runs."""
    seen: list[str] = []
    manage = cluster.daemonsets.manage

    def recording(ds: dict, state: object, nodes: list[str]) -> None:
        seen.extend(nodes)
        manage(ds, state, nodes)  # type: ignore[arg-type]

    cluster.daemonsets.manage = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        cluster.daemonsets.manage = manage  # type: ignore[method-assign]


def _relabel(cluster: Cluster) -> None:
    node = cluster.get("Node", "", "node-07")
    node["metadata"]["labels"]["zone"] = "b"
    cluster.update(node)


def _delete_pod(cluster: Cluster) -> None:
    pod = next(p for p in cluster.pods_of("a") if p["spec"]["nodeName"] == "node-07")
    cluster.delete("Pod", "default", pod["metadata"]["name"])


CHANGES: dict[str, tuple[Callable[[Cluster], object], str]] = {
    "a node joins": (lambda c: c.add_node("node-new", ready=True), "node-new"),
    "a node's labels change": (_relabel, "node-07"),
    "a daemon pod is deleted": (_delete_pod, "node-07"),
    "a node fails": (lambda c: c.fail_node("node-07"), "node-07"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_one_change_visits_one_node(change: str) -> None:
    cluster = _settled()
    act, node = CHANGES[change]
    with _visits(cluster) as seen:
        act(cluster)
        cluster.advance()
    assert seen, "the controller never looked at the changed node"
    assert set(seen) == {node}
    # Each DaemonSet looks a few times as the pod moves through its lifecycle, no more.
    assert len(seen) <= 4 * len(DAEMONSETS)
