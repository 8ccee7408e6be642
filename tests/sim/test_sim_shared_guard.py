"""The guard on shared objects (dstutor/model/sharedguard.py), and the paths that write
one pod or one node leaving every other one as it was.

The autouse fixture in tests/conftest.py runs the guard around every test; the first
tests here plant an in-place edit of a shared object, as a buggy writer would, to see the
guard name it (and undo it, so that their own teardown passes). The others drive each
writer that touches one pod or node (a crash-looping container's restarts, a readiness
probe flipping Ready, a node going NotReady, a NoExecute eviction, a label, a patch)
and check that the other pods and nodes, which share parts with it, did not move.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sim_builders import make_daemonset

from dstutor.model import sharedguard
from dstutor.model.objects import Obj, clone, pod_condition
from dstutor.sim.cluster import Cluster

NODES = ("node-a", "node-b", "node-c")


def _settled(**cluster_args: Any) -> Cluster:
    cluster = Cluster(**cluster_args)
    for node in NODES:
        cluster.add_node(node, ready=True)
    cluster.create(make_daemonset("agent", image="agent:1", labels={"app": "agent"}))
    cluster.advance()
    return cluster


def _pods(cluster: Cluster, ds: str = "agent") -> dict[str, Obj]:
    return {p["spec"]["nodeName"]: p for p in cluster.pods_of(ds)}


@pytest.fixture
def planted() -> Iterator[list[Callable[[], None]]]:
    """Undo steps for a planted edit, run before the autouse guard looks."""
    undo: list[Callable[[], None]] = []
    yield undo
    for step in reversed(undo):
        step()


def test_guard_names_an_edited_shared_condition(planted: list[Callable[[], None]]) -> None:
    assert sharedguard.active()
    pods = _pods(_settled())
    ready = pod_condition(pods["node-a"], "Ready")
    assert ready is not None and ready is pod_condition(pods["node-b"], "Ready")
    assert sharedguard.mutated() == []
    ready["status"] = "False"  # the planted bug: a writer editing a shared dict in place
    planted.append(lambda: ready.update(status="True"))
    assert (pod_condition(pods["node-b"], "Ready") or {}).get("status") == "False"
    found = sharedguard.mutated()  # the condition, and the conditions lists holding it
    assert found and all("'type': 'Ready'" in f and "'status': 'False'" in f for f in found)


@pytest.mark.parametrize("part", ["tolerations", "labels", "ownerReferences", "affinity",
                                  "state", "podIPs-of-host", "node-info", "node-condition"])
def test_guard_names_each_kind_of_shared_part(part: str,
                                              planted: list[Callable[[], None]]) -> None:
    cluster = _settled()
    pod = _pods(cluster)["node-a"]
    node = cluster.find("Node", "", "node-a")
    assert node is not None
    target: Any = {
        "tolerations": pod["spec"]["tolerations"],
        "labels": pod["metadata"]["labels"],
        "ownerReferences": pod["metadata"]["ownerReferences"][0],
        "affinity": pod["spec"]["affinity"]["nodeAffinity"],
        "state": pod["status"]["containerStatuses"][0]["state"],
        "podIPs-of-host": pod["status"]["hostIPs"],
        "node-info": node["status"]["nodeInfo"],
        "node-condition": node["status"]["conditions"][-1],
    }[part]
    before = clone(target)
    if isinstance(target, list):
        target.append({"planted": True})
    else:
        target["planted"] = True
    planted.append(lambda: (target.clear(), target.extend(before) if isinstance(target, list)
                            else target.update(before)))
    assert sharedguard.mutated(), part


def test_the_guard_is_off_outside_tests_of_it() -> None:
    sharedguard.stop()
    try:
        obj: Obj = {"a": 1}
        assert sharedguard.share(obj) is obj
        obj["a"] = 2
        assert sharedguard.mutated() == []
    finally:
        sharedguard.start()


def _others_unchanged(cluster: Cluster, act: Callable[[], None], target: str,
                      ds: str = "agent") -> None:
    """`act` on node `target` leaves the other nodes and their pods exactly as they were."""
    others = [n for n in NODES if n != target]
    pods_before = {n: clone(p) for n, p in _pods(cluster, ds).items() if n != target}
    nodes_before = {n: clone(cluster.find("Node", "", n)) for n in others}
    act()
    assert {n: p for n, p in _pods(cluster, ds).items() if n != target} == pods_before
    assert {n: cluster.find("Node", "", n) for n in others} == nodes_before


def test_a_readiness_probe_failing_on_one_node_leaves_the_others() -> None:
    cluster = _settled()
    probed = make_daemonset("probed", image="probed:1", labels={"app": "probed"})
    template = probed["spec"]["template"]
    template["metadata"]["annotations"] = {"dstutor.io/ready-after": "20s"}
    template["spec"]["containers"][0]["readinessProbe"] = {
        "httpGet": {"path": "/", "port": 80}, "periodSeconds": 5}
    cluster.create(probed)
    cluster.advance(60)
    assert all((pod_condition(p, "Ready") or {}).get("status") == "True"
               for p in _pods(cluster, "probed").values())
    # The kubelet of node-a stops: its probed pod turns unready, the others stay.
    _others_unchanged(cluster, lambda: (cluster.fail_node("node-a"), cluster.advance(60)),
                      "node-a", ds="probed")
    assert (pod_condition(_pods(cluster, "probed")["node-a"], "Ready") or {}).get(
        "status") == "False"


def test_restarts_of_a_crashing_pod_leave_the_daemon_pods() -> None:
    cluster = _settled(crashing_images=["crash:1"])
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "crasher", "namespace": "default"},
                    "spec": {"nodeName": "node-a",
                             "containers": [{"name": "c", "image": "crash:1"}]}})
    before = {n: clone(p) for n, p in _pods(cluster).items()}
    cluster.advance(600)
    crasher = cluster.get("Pod", "default", "crasher")
    assert crasher["status"]["containerStatuses"][0]["restartCount"] >= 3
    assert _pods(cluster) == before


def test_a_node_going_not_ready_leaves_the_other_nodes_and_pods() -> None:
    cluster = _settled()
    _others_unchanged(cluster, lambda: (cluster.fail_node("node-b"), cluster.advance(60)),
                      "node-b")
    node = cluster.find("Node", "", "node-b")
    assert node is not None
    assert [c["status"] for c in node["status"]["conditions"]
            if c["type"] == "Ready"] == ["Unknown"]


def test_a_no_execute_eviction_on_one_node_leaves_the_others() -> None:
    cluster = _settled()
    cluster.create(make_daemonset("plain", image="plain:1", labels={"app": "plain"}))
    cluster.advance()

    def taint() -> None:
        node = cluster.get("Node", "", "node-c")
        node["spec"]["taints"] = [{"key": "maintenance", "effect": "NoExecute"}]
        cluster.update(node)
        cluster.advance(60)

    before = {n: clone(p) for n, p in _pods(cluster).items() if n != "node-c"}
    _others_unchanged(cluster, taint, "node-c", ds="plain")
    assert "node-c" not in _pods(cluster, "plain")
    assert {n: p for n, p in _pods(cluster).items() if n != "node-c"} == before


@pytest.mark.parametrize("write", ["label", "annotate", "image"])
def test_writes_to_one_pod_leave_the_others(write: str) -> None:
    cluster = _settled()

    def act() -> None:
        name = _pods(cluster)["node-a"]["metadata"]["name"]
        pod = cluster.get("Pod", "default", name)
        if write == "label":
            pod["metadata"]["labels"]["extra"] = "yes"
        elif write == "annotate":
            pod["metadata"]["annotations"] = {"note": "x"}
        else:  # the kubelet restarts the container with the new image (generation 2)
            pod["spec"]["containers"][0]["image"] = "agent:2"
        cluster.update(pod)
        cluster.advance(30)

    _others_unchanged(cluster, act, "node-a")
