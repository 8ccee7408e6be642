"""The 40 acceptance scenarios of daemonset-semantics.md §10, plus whole-cluster stories.

Scenario tests follow upstream's unit tests closely: objects are put straight into the
store (``add_pods``), one ``syncDaemonSet`` pass is run (``expect_sync``) and its
creates, deletes and events are counted. Where upstream runs several syncs with the
fake pod store in between, the simulator's kubelets are frozen and the tests move
pods along by hand (``mark_pods_ready``, ``finish_terminations``); a "round" is
everything that happens until the cluster is quiet again (``expect_round``).

The stories at the end run the whole simulator (scheduler, kubelet, node lifecycle,
taint eviction, garbage collection) on its virtual clock.
"""

from __future__ import annotations

import pytest
from sim_builders import (
    NS,
    SIMPLE_DAEMONSET_LABEL,
    SIMPLE_DAEMONSET_LABEL2,
    SIMPLE_NODE_LABEL,
    SIMPLE_NODE_LABEL2,
    STRATEGIES,
    add_nodes,
    add_pods,
    create_ds,
    daemon_pods,
    expect_sync,
    make_cluster,
    make_daemonset,
    pods_by_node,
    put_pod,
    status,
)

from dstutor.controller.daemonset_util import node_name_affinity
from dstutor.model.objects import (
    clone,
    controller_ref,
    is_terminating,
    target_node_name,
)
from dstutor.sim.cluster import Cluster

# --- §10 scenarios 1-3: launching ------------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_launches_one_pod_per_node(strategy: str) -> None:
    """Scenario 1 (TestSimpleDaemonSetLaunchesPods): 5 nodes -> 5 creates, 0 deletes."""
    cluster = make_cluster(5)
    create_ds(cluster, make_daemonset(strategy=strategy))
    actions = expect_sync(cluster, 5, 0)
    assert sorted(target_node_name(p) for p in actions.pods_as_created) == [
        f"node-{i}" for i in range(5)]
    # TestSimpleDaemonSetUpdatesStatusAfterLaunchingPods: the same pass reports them.
    assert status(cluster)["currentNumberScheduled"] == 5
    assert status(cluster)["desiredNumberScheduled"] == 5


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_pins_created_pods_with_node_affinity(strategy: str) -> None:
    """Scenario 2 (TestSimpleDaemonSetScheduleDaemonSetPodsLaunchesPods).

    Each pod as created has no nodeName and a required node affinity of exactly one
    term with one matchFields metadata.name In [<node>]; one pod per node. A user's
    own required affinity terms are replaced, not merged (§2).
    """
    cluster = make_cluster(5)
    user_affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}]}}}
    create_ds(cluster, make_daemonset(strategy=strategy, affinity=user_affinity))
    actions = expect_sync(cluster, 5, 0)
    seen = []
    for pod in actions.pods_as_created:
        assert not pod["spec"].get("nodeName")
        required = pod["spec"]["affinity"]["nodeAffinity"][
            "requiredDuringSchedulingIgnoredDuringExecution"]
        terms = required["nodeSelectorTerms"]
        assert len(terms) == 1
        assert "matchExpressions" not in terms[0]
        fields = terms[0]["matchFields"]
        assert len(fields) == 1
        assert fields[0]["key"] == "metadata.name"
        assert fields[0]["operator"] == "In"
        assert len(fields[0]["values"]) == 1
        assert required == node_name_affinity(fields[0]["values"][0])
        seen.append(fields[0]["values"][0])
    assert sorted(seen) == [f"node-{i}" for i in range(5)]
    # Once scheduled, each pod is bound to the node its affinity names.
    cluster.settle()
    for pod in daemon_pods(cluster):
        assert pod["spec"]["nodeName"] == target_node_name(
            {"spec": {"affinity": pod["spec"]["affinity"]}})


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_without_nodes_does_nothing(strategy: str) -> None:
    """Scenario 3 (TestNoNodesDoesNothing)."""
    cluster = make_cluster(0)
    create_ds(cluster, make_daemonset(strategy=strategy))
    expect_sync(cluster, 0, 0)
    cluster.settle()
    assert daemon_pods(cluster) == []
    assert status(cluster)["desiredNumberScheduled"] == 0


# --- §10 scenarios 4-8: node conditions, taints, capacity ---------------------------------


def _set_node_condition(cluster: Cluster, node_name: str, ctype: str, value: str) -> None:
    node = cluster.store.get("Node", "", node_name)
    assert node is not None
    old = clone(node)
    conditions = [c for c in node["status"]["conditions"] if c["type"] != ctype]
    conditions.append({"type": ctype, "status": value})
    node["status"]["conditions"] = conditions
    cluster.store.touch(node, old)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_launches_pod_on_not_ready_node_without_taints(strategy: str) -> None:
    """Scenario 4 (TestNotReadyNodeDaemonDoesLaunchPod): only taints matter, not conditions.

    As in the unit test the node lifecycle controller is off, so Ready=False adds no
    taint. With it on, the node gets not-ready:NoSchedule and no pod (§1.2).
    """
    cluster = make_cluster(1, node_lifecycle=False)
    _set_node_condition(cluster, "node-0", "Ready", "False")
    cluster.settle()
    create_ds(cluster, make_daemonset(strategy=strategy))
    expect_sync(cluster, 1, 0)

    real = make_cluster(1)
    _set_node_condition(real, "node-0", "Ready", "False")
    real.settle()
    assert {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"} in [
        {"key": t["key"], "effect": t["effect"]} for t in real.find("Node", "", "node-0")[
            "spec"]["taints"]]
    create_ds(real, make_daemonset(strategy=strategy))
    expect_sync(real, 0, 0)


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(("taint_key", "ready"), [
    ("node.kubernetes.io/not-ready", "False"),
    ("node.kubernetes.io/unreachable", "Unknown"),
])
def test_sync_launches_pod_despite_default_tolerated_no_execute_taint(
        strategy: str, taint_key: str, ready: str) -> None:
    """Scenario 5 (TestNotReadyNodeDaemonLaunchesPod, TestUnreachableNodeDaemonLaunchesPod)."""
    cluster = make_cluster(0, node_lifecycle=False)
    cluster.add_node("tainted", ready=True, taints=[
        {"key": taint_key, "effect": "NoExecute", "timeAdded": "2026-01-01T00:00:00Z"}])
    _set_node_condition(cluster, "tainted", "Ready", ready)
    cluster.settle()
    create_ds(cluster, make_daemonset(strategy=strategy))
    actions = expect_sync(cluster, 1, 0)
    tolerations = actions.pods_as_created[0]["spec"]["tolerations"]
    assert {"key": taint_key, "operator": "Exists", "effect": "NoExecute"} in tolerations
    assert all("tolerationSeconds" not in t for t in tolerations)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_launches_pod_on_node_under_resource_pressure(strategy: str) -> None:
    """Scenario 6 (TestTaintPressureNodeDaemonLaunchesPod)."""
    cluster = make_cluster(0, node_lifecycle=False)
    cluster.add_node("resources-pressure", ready=True, taints=[
        {"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/pid-pressure", "effect": "NoSchedule"},
    ])
    for ctype in ("DiskPressure", "MemoryPressure", "PIDPressure"):
        _set_node_condition(cluster, "resources-pressure", ctype, "True")
    cluster.settle()
    create_ds(cluster, make_daemonset("critical", namespace="kube-system",
                                      strategy=strategy))
    expect_sync(cluster, 1, 0, name="critical", namespace="kube-system")
    cluster.settle()
    pods = cluster.pods_of("critical", "kube-system")
    assert [p["spec"]["nodeName"] for p in pods] == ["resources-pressure"]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(("taint", "host_network", "creates"), [
    (False, False, 1),  # the condition alone: upstream's test
    (True, False, 0),  # network-unavailable:NoSchedule is not tolerated by default
    (True, True, 1),  # ... unless the pod uses the host network (§2, toleration 7)
])
def test_sync_launches_pod_on_network_unavailable_node(strategy: str, taint: bool,
                                                       host_network: bool, creates: int) -> None:
    """Scenario 7 (TestNetworkUnavailableNodeDaemonLaunchesPod) and the §1.2 table row."""
    cluster = make_cluster(0, node_lifecycle=False)
    taints = [{"key": "node.kubernetes.io/network-unavailable", "effect": "NoSchedule"}]
    cluster.add_node("network-unavailable", ready=True, taints=taints if taint else None)
    _set_node_condition(cluster, "network-unavailable", "NetworkUnavailable", "True")
    cluster.settle()
    create_ds(cluster, make_daemonset(strategy=strategy, host_network=host_network))
    expect_sync(cluster, creates, 0)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_creates_pod_on_node_too_small_for_it(strategy: str) -> None:
    """Scenario 8 (TestInsufficientCapacityNodeDaemonDoesNotUnscheduleRunningPod).

    The node is full (another pod holds its memory); the DS still creates its pod and
    emits no event of its own. The scheduler, not the controller, reports the misfit.
    """
    cluster = make_cluster(0)
    cluster.add_node("too-much-mem", ready=True,
                     capacity={"memory": "100M", "cpu": "200m", "pods": "100"})
    spec = {"containers": [{"name": "hog", "image": "hog",
                            "resources": {"requests": {"memory": "75M", "cpu": "75m"}}}]}
    put_pod(cluster, "too-much-mem", {"app": "hog"}, spec=spec, ready=True)
    cluster.settle()
    create_ds(cluster, make_daemonset(strategy=strategy,
                                      requests={"memory": "75M", "cpu": "75m"}))
    expect_sync(cluster, 1, 0, 0)
    cluster.settle()
    (pod,) = daemon_pods(cluster)
    assert not pod["spec"].get("nodeName")  # Pending: the scheduler found no room
    reasons = {e["reason"] for e in cluster.store.list("Event", NS)
               if e["involvedObject"]["name"] == pod["metadata"]["name"]}
    assert "FailedScheduling" in reasons
    assert status(cluster)["desiredNumberScheduled"] == 1
    assert status(cluster)["currentNumberScheduled"] == 1


def test_sync_ignores_capacity_when_choosing_nodes() -> None:
    """Scenario 8 (TestInsufficientCapacityNodeSufficientCapacityWithNodeLabelDaemonLaunchPod).

    Only the labelled node is selected; its capacity is irrelevant to the controller,
    and no event is emitted for the unlabelled node lacking resources.
    """
    cluster = make_cluster(0)
    cluster.add_node("not-enough-resource", ready=True,
                     capacity={"memory": "10M", "cpu": "20m", "pods": "100"})
    cluster.add_node("enough-resource", labels=SIMPLE_NODE_LABEL, ready=True,
                     capacity={"memory": "100M", "cpu": "200m", "pods": "100"})
    create_ds(cluster, make_daemonset(node_selector=SIMPLE_NODE_LABEL,
                                      requests={"memory": "50M", "cpu": "75m"}))
    actions = expect_sync(cluster, 1, 0, 0)
    assert target_node_name(actions.pods_as_created[0]) == "enough-resource"


# --- §10 scenarios 9-13: selecting nodes -------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_launches_pods_on_nodes_matching_node_selector(strategy: str) -> None:
    """Scenario 9 (TestSelectorDaemonLaunchesPods): 4 plain + 3 labelled nodes -> 3."""
    cluster = make_cluster(4)
    add_nodes(cluster, 4, 3, SIMPLE_NODE_LABEL)
    create_ds(cluster, make_daemonset(strategy=strategy, node_selector=SIMPLE_NODE_LABEL))
    actions = expect_sync(cluster, 3, 0)
    assert sorted(target_node_name(p) for p in actions.pods_as_created) == [
        "node-4", "node-5", "node-6"]
    assert status(cluster)["desiredNumberScheduled"] == 3


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_with_unmatched_node_selector_does_nothing(strategy: str) -> None:
    """Scenario 10 (TestBadSelectorDaemonDoesNothing)."""
    cluster = make_cluster(4)
    add_nodes(cluster, 4, 3, SIMPLE_NODE_LABEL)
    create_ds(cluster, make_daemonset(strategy=strategy, node_selector=SIMPLE_NODE_LABEL2))
    expect_sync(cluster, 0, 0)
    assert status(cluster)["desiredNumberScheduled"] == 0


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_launches_pods_on_nodes_matching_required_affinity(strategy: str) -> None:
    """Scenario 11 (TestNodeAffinityDaemonLaunchesPods): color In [blue] -> 3 pods."""
    cluster = make_cluster(4)
    add_nodes(cluster, 4, 3, SIMPLE_NODE_LABEL)
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "color", "operator": "In", "values": ["blue"]}]}]}}}
    create_ds(cluster, make_daemonset(strategy=strategy, affinity=affinity))
    actions = expect_sync(cluster, 3, 0)
    assert sorted(target_node_name(p) for p in actions.pods_as_created) == [
        "node-4", "node-5", "node-6"]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(("node_name", "creates"), [("node-0", 1), ("node-10", 0)])
def test_sync_honours_template_node_name(strategy: str, node_name: str, creates: int) -> None:
    """Scenario 12 (TestNameDaemonSetLaunchesPods, TestBadNameDaemonSetDoesNothing)."""
    cluster = make_cluster(5)
    create_ds(cluster, make_daemonset(strategy=strategy, node_name=node_name))
    actions = expect_sync(cluster, creates, 0)
    for pod in actions.pods_as_created:
        assert pod["spec"]["nodeName"] == node_name  # the template's nodeName is kept
    assert status(cluster)["desiredNumberScheduled"] == creates


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(("node_name", "creates"), [("node-6", 1), ("node-0", 0)])
def test_sync_requires_node_name_and_selector_to_agree(strategy: str, node_name: str,
                                                       creates: int) -> None:
    """Scenario 13 (TestNameAndSelectorDaemonSetLaunchesPods,
    TestInconsistentNameSelectorDaemonSetDoesNothing)."""
    cluster = make_cluster(4)
    add_nodes(cluster, 4, 3, SIMPLE_NODE_LABEL)
    create_ds(cluster, make_daemonset(strategy=strategy, node_name=node_name,
                                      node_selector=SIMPLE_NODE_LABEL))
    expect_sync(cluster, creates, 0)


# --- §10 scenarios 14-15: existing pods ------------------------------------------------


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_deletes_pods_on_unselected_nodes_and_releases_mislabelled(strategy: str) -> None:
    """Scenario 14 (TestSelectorDaemonDeletesUnselectedPods): 5 creates, 4 deletes."""
    cluster = make_cluster(5, frozen=True)
    add_nodes(cluster, 5, 5, SIMPLE_NODE_LABEL, frozen=True)
    ds = create_ds(cluster, make_daemonset(strategy=strategy, node_selector=SIMPLE_NODE_LABEL))
    released = add_pods(cluster, "node-0", SIMPLE_DAEMONSET_LABEL2, ds, 2)
    doomed = add_pods(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, ds, 3)
    released += add_pods(cluster, "node-1", SIMPLE_DAEMONSET_LABEL2, ds, 1)
    doomed += add_pods(cluster, "node-4", SIMPLE_DAEMONSET_LABEL, ds, 1)
    actions = expect_sync(cluster, 5, 4)
    assert sorted(actions.deleted) == sorted(p["metadata"]["name"] for p in doomed)
    assert sorted(target_node_name(p) for p in actions.pods_as_created) == [
        f"node-{i}" for i in range(5, 10)]
    for pod in released:  # released, not deleted
        stored = cluster.find("Pod", NS, pod["metadata"]["name"])
        assert stored is not None and not is_terminating(stored)
        assert controller_ref(stored) is None


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_sync_selector_daemon_deals_with_existing_pods(strategy: str) -> None:
    """TestSelectorDaemonDealsWithExistingPods (§7): 3 creates, 20 deletes."""
    cluster = make_cluster(5, frozen=True)
    add_nodes(cluster, 5, 5, SIMPLE_NODE_LABEL, frozen=True)
    ds = create_ds(cluster, make_daemonset(strategy=strategy, node_selector=SIMPLE_NODE_LABEL))
    add_pods(cluster, "node-0", SIMPLE_DAEMONSET_LABEL, ds, 1)
    add_pods(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, ds, 3)
    add_pods(cluster, "node-1", SIMPLE_DAEMONSET_LABEL2, ds, 2)
    add_pods(cluster, "node-2", SIMPLE_DAEMONSET_LABEL, ds, 4)
    add_pods(cluster, "node-6", SIMPLE_DAEMONSET_LABEL, ds, 13)
    add_pods(cluster, "node-7", SIMPLE_DAEMONSET_LABEL2, ds, 4)
    add_pods(cluster, "node-9", SIMPLE_DAEMONSET_LABEL, ds, 1)
    add_pods(cluster, "node-9", SIMPLE_DAEMONSET_LABEL2, ds, 1)
    expect_sync(cluster, 3, 20)


@pytest.mark.parametrize("strategy", [*STRATEGIES, "Surge"])
def test_sync_prunes_extra_pods_keeping_the_oldest(strategy: str) -> None:
    """Scenario 15 (TestDealsWithExistingPods, TestSurgeDealsWithExistingPods).

    Nodes hold 0, 1, 2, 5 and 2 wrong-label pods: 2 creates (node-0, and node-4 whose
    pods are released) and 5 deletes; on every node the oldest pod stays.
    """
    cluster = make_cluster(5, frozen=True)
    manifest = (make_daemonset(strategy="RollingUpdate", max_surge=1) if strategy == "Surge"
                else make_daemonset(strategy=strategy))
    ds = create_ds(cluster, manifest)
    now = cluster.now()
    kept = {}
    for node_name, count in (("node-1", 1), ("node-2", 2), ("node-3", 5)):
        # Created newest first, so the oldest pod is not the first one written.
        pods = [add_pods(cluster, node_name, SIMPLE_DAEMONSET_LABEL, ds, 1,
                         created=now - 10 * (i + 1))[0] for i in range(count)]
        kept[node_name] = pods[-1]["metadata"]["name"]
    add_pods(cluster, "node-4", SIMPLE_DAEMONSET_LABEL2, ds, 2)
    actions = expect_sync(cluster, 2, 5)
    assert sorted(target_node_name(p) for p in actions.pods_as_created) == ["node-0", "node-4"]
    by_node = {n: [p for p in pods if not is_terminating(p)]
               for n, pods in pods_by_node(cluster).items()}
    for node_name, name in kept.items():
        assert [p["metadata"]["name"] for p in by_node[node_name]] == [name]
