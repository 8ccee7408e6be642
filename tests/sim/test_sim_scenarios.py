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

from collections.abc import Callable

import pytest
from sim_builders import (
    NO_EXECUTE_TAINT,
    NO_SCHEDULE_TAINT,
    NO_SCHEDULE_TOLERATION,
    NS,
    SIMPLE_DAEMONSET_LABEL,
    SIMPLE_DAEMONSET_LABEL2,
    SIMPLE_NODE_LABEL,
    SIMPLE_NODE_LABEL2,
    STRATEGIES,
    ActionRecorder,
    PodCreateQuota,
    add_failed_pods,
    add_nodes,
    add_pods,
    create_ds,
    current_hash,
    daemon_pods,
    disable,
    expect_round,
    expect_sync,
    finish_terminations,
    freeze,
    live_ds,
    make_cluster,
    make_daemonset,
    mark_pods_ready,
    pods_by_node,
    put_pod,
    rolling,
    set_node_condition,
    set_phase,
    settle_actions,
    status,
    sync_once,
    update_ds,
)

from dstutor.controller.daemonset_util import node_name_affinity
from dstutor.controller.gc import orphan_pods_deleted_at
from dstutor.controller.placement import node_should_run_daemon_pod
from dstutor.controller.update import updated_desired_node_counts
from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    clone,
    controller_ref,
    is_pod_ready,
    is_terminating,
    labels,
    target_node_name,
)
from dstutor.sim.cluster import Cluster

# --- §10 scenarios 1-3: launching ------------------------------------------------------


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


def test_sync_without_nodes_does_nothing(strategy: str) -> None:
    """Scenario 3 (TestNoNodesDoesNothing)."""
    cluster = make_cluster(0)
    create_ds(cluster, make_daemonset(strategy=strategy))
    expect_sync(cluster, 0, 0)
    cluster.settle()
    assert daemon_pods(cluster) == []
    assert status(cluster)["desiredNumberScheduled"] == 0


# --- §10 scenarios 4-8: node conditions, taints, capacity ---------------------------------


def test_sync_launches_pod_on_not_ready_node_without_taints(strategy: str) -> None:
    """Scenario 4 (TestNotReadyNodeDaemonDoesLaunchPod): only taints matter, not conditions.

    As in the unit test the node lifecycle controller is off, so Ready=False adds no
    taint. With it on, the node gets not-ready:NoSchedule and no pod (§1.2).
    """
    cluster = make_cluster(1, node_lifecycle=False)
    set_node_condition(cluster, "node-0", "Ready", "False")
    cluster.settle()
    create_ds(cluster, make_daemonset(strategy=strategy))
    expect_sync(cluster, 1, 0)

    real = make_cluster(1)
    set_node_condition(real, "node-0", "Ready", "False")
    real.settle()
    assert {"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"} in [
        {"key": t["key"], "effect": t["effect"]} for t in real.find("Node", "", "node-0")[
            "spec"]["taints"]]
    create_ds(real, make_daemonset(strategy=strategy))
    expect_sync(real, 0, 0)


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
    set_node_condition(cluster, "tainted", "Ready", ready)
    cluster.settle()
    create_ds(cluster, make_daemonset(strategy=strategy))
    actions = expect_sync(cluster, 1, 0)
    tolerations = actions.pods_as_created[0]["spec"]["tolerations"]
    assert {"key": taint_key, "operator": "Exists", "effect": "NoExecute"} in tolerations
    assert all("tolerationSeconds" not in t for t in tolerations)


def test_sync_launches_pod_on_node_under_resource_pressure(strategy: str) -> None:
    """Scenario 6 (TestTaintPressureNodeDaemonLaunchesPod)."""
    cluster = make_cluster(0, node_lifecycle=False)
    cluster.add_node("resources-pressure", ready=True, taints=[
        {"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule"},
        {"key": "node.kubernetes.io/pid-pressure", "effect": "NoSchedule"},
    ])
    for ctype in ("DiskPressure", "MemoryPressure", "PIDPressure"):
        set_node_condition(cluster, "resources-pressure", ctype, "True")
    cluster.settle()
    create_ds(cluster, make_daemonset("critical", namespace="kube-system",
                                      strategy=strategy))
    expect_sync(cluster, 1, 0, name="critical", namespace="kube-system")
    cluster.settle()
    pods = cluster.pods_of("critical", "kube-system")
    assert [p["spec"]["nodeName"] for p in pods] == ["resources-pressure"]


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
    set_node_condition(cluster, "network-unavailable", "NetworkUnavailable", "True")
    cluster.settle()
    create_ds(cluster, make_daemonset(strategy=strategy, host_network=host_network))
    expect_sync(cluster, creates, 0)


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


def test_sync_launches_pods_on_nodes_matching_node_selector(strategy: str) -> None:
    """Scenario 9 (TestSelectorDaemonLaunchesPods): 4 plain + 3 labelled nodes -> 3."""
    cluster = make_cluster(4)
    add_nodes(cluster, 4, 3, SIMPLE_NODE_LABEL)
    create_ds(cluster, make_daemonset(strategy=strategy, node_selector=SIMPLE_NODE_LABEL))
    actions = expect_sync(cluster, 3, 0)
    assert sorted(target_node_name(p) for p in actions.pods_as_created) == [
        "node-4", "node-5", "node-6"]
    assert status(cluster)["desiredNumberScheduled"] == 3


def test_sync_with_unmatched_node_selector_does_nothing(strategy: str) -> None:
    """Scenario 10 (TestBadSelectorDaemonDoesNothing)."""
    cluster = make_cluster(4)
    add_nodes(cluster, 4, 3, SIMPLE_NODE_LABEL)
    create_ds(cluster, make_daemonset(strategy=strategy, node_selector=SIMPLE_NODE_LABEL2))
    expect_sync(cluster, 0, 0)
    assert status(cluster)["desiredNumberScheduled"] == 0


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


@pytest.mark.parametrize(("node_name", "creates"), [("node-0", 1), ("node-10", 0)])
def test_sync_honours_template_node_name(strategy: str, node_name: str, creates: int) -> None:
    """Scenario 12 (TestNameDaemonSetLaunchesPods, TestBadNameDaemonSetDoesNothing)."""
    cluster = make_cluster(5)
    create_ds(cluster, make_daemonset(strategy=strategy, node_name=node_name))
    actions = expect_sync(cluster, creates, 0)
    for pod in actions.pods_as_created:
        assert pod["spec"]["nodeName"] == node_name  # the template's nodeName is kept
    assert status(cluster)["desiredNumberScheduled"] == creates


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


# --- §10 scenarios 16-20: taints, cordon, host ports -------------------------------------


def _running_ds_pod(cluster: Cluster, node_name: str, ds_manifest: dict) -> dict:
    """A DS whose one pod already runs on node_name (created by the controller)."""
    cluster.create(ds_manifest)
    cluster.advance(10)
    pods = daemon_pods(cluster, ds_manifest["metadata"]["name"])
    (pod,) = [p for p in pods if p["spec"].get("nodeName") == node_name]
    assert is_pod_ready(pod)
    return pod


def _taint(cluster: Cluster, node_name: str, taint: dict) -> None:
    node = clone(cluster.find("Node", "", node_name))
    node["spec"].setdefault("taints", []).append(dict(taint))
    cluster.api.update(node)  # no settle: the test decides what runs next


def test_sync_keeps_running_pod_when_no_schedule_taint_added(strategy: str) -> None:
    """Scenario 16 (TestNoScheduleTaintedDoesntEvicitRunningIntolerantPod): 0 deletes.

    The node drops out of desiredNumberScheduled and the pod counts as misscheduled.
    """
    cluster = make_cluster(0)
    cluster.add_node("tainted", ready=True)
    pod = _running_ds_pod(cluster, "tainted", make_daemonset("intolerant", strategy=strategy))
    _taint(cluster, "tainted", NO_SCHEDULE_TAINT)
    expect_sync(cluster, 0, 0, name="intolerant")
    cluster.advance(60)
    (still,) = daemon_pods(cluster, "intolerant")
    assert still["metadata"]["uid"] == pod["metadata"]["uid"] and not is_terminating(still)
    st = status(cluster, "intolerant")
    assert (st["desiredNumberScheduled"], st["numberMisscheduled"]) == (0, 1)


def test_sync_deletes_running_pod_when_no_execute_taint_added(strategy: str) -> None:
    """Scenario 17 (TestNoExecuteTaintedDoesEvicitRunningIntolerantPod): 1 delete.

    Taint eviction is off, as in the unit test, so the deletion is the DS controller's.
    """
    cluster = make_cluster(0, taint_eviction=False)
    cluster.add_node("tainted", ready=True)
    pod = _running_ds_pod(cluster, "tainted", make_daemonset("intolerant", strategy=strategy))
    _taint(cluster, "tainted", NO_EXECUTE_TAINT)
    actions = expect_sync(cluster, 0, 1, name="intolerant")
    assert actions.deleted == [pod["metadata"]["name"]]
    cluster.advance(60)
    assert daemon_pods(cluster, "intolerant") == []  # and it is not recreated


@pytest.mark.parametrize(("tolerations", "creates"), [(None, 0), ([NO_SCHEDULE_TOLERATION], 1)])
def test_sync_respects_no_schedule_taint_on_new_node(strategy: str, tolerations: list | None,
                                                     creates: int) -> None:
    """Scenario 18 (TestTaintedNodeDaemonDoesNotLaunchIntolerantPod,
    TestTaintedNodeDaemonLaunchesToleratePod)."""
    cluster = make_cluster(0)
    cluster.add_node("tainted", ready=True, taints=[NO_SCHEDULE_TAINT])
    create_ds(cluster, make_daemonset(strategy=strategy, tolerations=tolerations))
    expect_sync(cluster, creates, 0)
    cluster.advance(10)
    assert len(daemon_pods(cluster, live_only=True)) == creates
    assert status(cluster).get("numberReady", 0) == creates


def test_placement_runs_daemon_pod_on_cordoned_node(strategy: str) -> None:
    """Scenario 19 (TestNodeShouldRunDaemonPod, ShouldRunDaemonPodOnUnschedulableNode)."""
    node = {"metadata": {"name": "test-node", "labels": dict(SIMPLE_DAEMONSET_LABEL)},
            "spec": {"unschedulable": True},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    ds = make_daemonset(strategy=strategy, requests={"memory": "50M", "cpu": "500m"})
    placement = node_should_run_daemon_pod(node, ds)
    assert (placement.should_run, placement.should_continue_running) == (True, True)


@pytest.mark.parametrize(("case", "expected"), [
    ("ShouldRunDaemonPod", (True, True)),
    ("InsufficientResourceError", (True, True)),
    ("ErrPodNotMatchHostName", (False, False)),
    ("ErrNodeSelectorNotMatch", (False, False)),
    ("ShouldRunDaemonPodWithNodeSelector", (True, True)),
    ("ErrPodAffinityNotMatch", (False, False)),
    ("ShouldRunDaemonPodWithAffinity", (True, True)),
])
def test_placement_matches_upstream_predicate_cases(strategy: str, case: str,
                                                    expected: tuple[bool, bool]) -> None:
    """The remaining TestNodeShouldRunDaemonPod cases (§1.1): resources never count."""
    node = {"metadata": {"name": "test-node", "labels": dict(SIMPLE_DAEMONSET_LABEL)},
            "spec": {}, "status": {"allocatable": {"memory": "100M", "cpu": "1"}}}

    def affinity(value: str) -> dict:
        return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [
                {"key": "type", "operator": "In", "values": [value]}]}]}}}

    ds = {
        "ShouldRunDaemonPod": make_daemonset(requests={"memory": "50M", "cpu": "500m"}),
        "InsufficientResourceError": make_daemonset(requests={"memory": "200M", "cpu": "500m"}),
        "ErrPodNotMatchHostName": make_daemonset(node_name="other-node"),
        "ErrNodeSelectorNotMatch": make_daemonset(node_selector=SIMPLE_DAEMONSET_LABEL2),
        "ShouldRunDaemonPodWithNodeSelector": make_daemonset(
            node_selector=SIMPLE_DAEMONSET_LABEL),
        "ErrPodAffinityNotMatch": make_daemonset(affinity=affinity("test")),
        "ShouldRunDaemonPodWithAffinity": make_daemonset(affinity=affinity("production")),
    }[case]
    ds["spec"]["updateStrategy"] = {"type": strategy}
    placement = node_should_run_daemon_pod(node, ds)
    assert (placement.should_run, placement.should_continue_running) == expected


def test_sync_leaves_host_port_conflicts_to_the_scheduler(strategy: str) -> None:
    """Scenario 20a (TestNodeShouldRunDaemonPod, ErrPodNotFitsHostPorts): still (true, true)."""
    cluster = make_cluster(0)
    cluster.add_node("port-conflict", ready=True)
    other = {"containers": [{"name": "web", "image": "web",
                             "ports": [{"containerPort": 666, "hostPort": 666}]}]}
    put_pod(cluster, "port-conflict", {"app": "web"}, spec=other, ready=True)
    cluster.settle()
    manifest = make_daemonset(strategy=strategy, host_port=666)
    placement = node_should_run_daemon_pod(cluster.find("Node", "", "port-conflict"), manifest)
    assert (placement.should_run, placement.should_continue_running) == (True, True)
    create_ds(cluster, manifest)
    expect_sync(cluster, 1, 0)


def test_sync_keeps_own_pod_holding_the_host_port(strategy: str) -> None:
    """Scenario 20b (TestPortConflictWithSameDaemonPodDoesNotDeletePod): nothing deleted."""
    cluster = make_cluster(0)
    cluster.add_node("port-conflict", ready=True)
    freeze(cluster)
    ds = create_ds(cluster, make_daemonset(strategy=strategy, host_port=666))
    add_pods(cluster, "port-conflict", SIMPLE_DAEMONSET_LABEL, ds, 1)
    expect_sync(cluster, 0, 0)


def test_sync_launches_pod_next_to_different_host_port(strategy: str) -> None:
    """Scenario 20c (TestNoPortConflictNodeDaemonLaunchesPod): 1 create."""
    cluster = make_cluster(0)
    cluster.add_node("no-port-conflict", ready=True)
    other = {"containers": [{"name": "web", "image": "web",
                             "ports": [{"containerPort": 6661, "hostPort": 6661}]}]}
    put_pod(cluster, "no-port-conflict", {"app": "web"}, spec=other, ready=True)
    cluster.settle()
    create_ds(cluster, make_daemonset(strategy=strategy, host_port=6662))
    expect_sync(cluster, 1, 0)
    cluster.advance(10)
    assert status(cluster)["numberReady"] == 1


# --- §10 scenarios 21-23: terminating pods, deleted DS, empty selector --------------------


@pytest.mark.parametrize("strategy", [*STRATEGIES, "Surge"])
def test_sync_waits_for_terminating_pod_unless_surging(strategy: str) -> None:
    """Scenario 21 (TestDaemonSetRespectsTermination): 0 creates, 0 deletes.

    With surge (§1.3) a node whose only pod is terminating gets a new pod at once.
    """
    cluster = make_cluster(0, frozen=True)
    add_nodes(cluster, 0, 1, SIMPLE_NODE_LABEL, frozen=True)
    manifest = (make_daemonset(strategy="RollingUpdate", max_surge=1) if strategy == "Surge"
                else make_daemonset(strategy=strategy))
    ds = create_ds(cluster, manifest)
    (old,) = add_pods(cluster, "node-0", SIMPLE_DAEMONSET_LABEL, ds, 1, ready=True,
                      deleted=True)
    surge = strategy == "Surge"
    expect_sync(cluster, 1 if surge else 0, 0)
    cluster.settle()
    assert len(daemon_pods(cluster)) == (2 if surge else 1)
    # Once the old pod is gone from the API, the node gets its replacement.
    finish_terminations(cluster)
    actions = settle_actions(cluster)
    assert len(actions.created) == (0 if surge else 1)
    (pod,) = daemon_pods(cluster)
    assert pod["metadata"]["name"] != old["metadata"]["name"]


def test_sync_does_nothing_for_daemonset_being_deleted(strategy: str) -> None:
    """Scenario 22 (TestDontDoAnythingIfBeingDeleted): no creates, deletes or status write."""
    cluster = make_cluster(1)
    manifest = make_daemonset(strategy=strategy, requests={"memory": "75M", "cpu": "75m"})
    manifest["metadata"]["finalizers"] = ["example.com/hold"]
    create_ds(cluster, manifest)
    cluster.api.delete("DaemonSet", NS, "foo")  # stays: the finalizer holds it
    ds = live_ds(cluster)
    assert ds["metadata"]["deletionTimestamp"]
    version = ds["metadata"]["resourceVersion"]
    expect_sync(cluster, 0, 0)
    add_nodes(cluster, 1, 2)
    cluster.advance(30)
    assert daemon_pods(cluster) == []
    assert live_ds(cluster)["metadata"]["resourceVersion"] == version
    assert live_ds(cluster)["status"] == {}


def test_sync_refuses_empty_selector(strategy: str) -> None:
    """Scenario 23 (TestPodIsNotDeletedByDaemonsetWithEmptyLabelSelector): 0, 0, 1 event.

    Validation rejects such an object, so it is written straight into the store, as a
    legacy object surviving an upgrade would be.
    """
    cluster = make_cluster(0)
    cluster.add_node("node1", ready=True)
    orphan = put_pod(cluster, "node1", {"bang": "boom"}, ready=True)
    cluster.settle()
    ds = cluster.api.prepare_create(make_daemonset(strategy=strategy,
                                                   node_selector={"foo": "bar"}))
    ds["spec"]["selector"] = {}
    cluster.store.put(ds)
    actions = expect_sync(cluster, 0, 0, 1)
    assert actions.events == [("Warning", "SelectingAll",
                               "This daemon set is selecting all pods. A non-empty selector "
                               "is required.")]
    cluster.advance(10)
    stored = cluster.find("Pod", NS, orphan["metadata"]["name"])
    assert stored is not None and not is_terminating(stored)
    assert controller_ref(stored) is None


# --- §10 scenarios 24-26: failed pods ----------------------------------------------------


@pytest.mark.parametrize(("failed", "normal", "creates", "deletes", "events"), [
    pytest.param(0, 1, 0, 0, 0, id="normal-does-nothing"),
    pytest.param(0, 0, 1, 0, 0, id="no-pods-creates-one"),
    pytest.param(1, 0, 0, 1, 1, id="scenario-24-kill-failed-create-next-sync"),
    pytest.param(1, 3, 0, 3, 1, id="scenario-25-kill-failed-and-2-surplus"),
])
def test_sync_kills_failed_pods(strategy: str, failed: int, normal: int, creates: int,
                                deletes: int, events: int) -> None:
    """Scenarios 24, 25 (TestDaemonKillFailedPods)."""
    cluster = make_cluster(1, frozen=True)
    ds = create_ds(cluster, make_daemonset(strategy=strategy))
    bad = add_failed_pods(cluster, "node-0", SIMPLE_DAEMONSET_LABEL, ds, failed)
    add_pods(cluster, "node-0", SIMPLE_DAEMONSET_LABEL, ds, normal)
    actions = expect_sync(cluster, creates, deletes, events)
    for pod in bad:
        assert pod["metadata"]["name"] in actions.deleted
        assert ("Warning", "FailedDaemonPod",
                f"Found failed daemon pod {NS}/{pod['metadata']['name']} on node node-0, "
                "will try to kill it") in actions.events
    finish_terminations(cluster)
    cluster.settle()
    # Whatever happened, the next passes leave exactly one live pod on the node.
    assert len(daemon_pods(cluster, live_only=True)) == 1


def test_sync_backs_off_deleting_failed_pods(strategy: str) -> None:
    """Scenario 26 (TestDaemonKillFailedPodsBackoff).

    The first sync deletes the failed pod and starts a 1 s backoff (§7); its
    replacement fails at once, and the immediate resync leaves it alone. Just before
    the delay it is still in backoff; at the delay it is deleted, and the delay doubles.
    """
    cluster = make_cluster(1, frozen=True)
    cluster.create(make_daemonset(strategy=strategy))
    ds = live_ds(cluster)
    # The backoff key is <uid>/<observedGeneration>/<node>: fail a pod of a DS whose
    # generation has been observed, so the key stays the same throughout.
    key = f"{ds['metadata']['uid']}/{ds['status']['observedGeneration']}/node-0"
    (first,) = daemon_pods(cluster)
    set_phase(cluster, first, "Failed")
    expect_sync(cluster, 0, 1, 1)
    backoff = cluster.daemonsets.failed_pods_backoff
    initial = backoff.get(key)
    assert initial > 0
    start = cluster.now()
    assert len(settle_actions(cluster).created) == 1  # the next pass creates the replacement
    (replacement,) = daemon_pods(cluster)
    set_phase(cluster, replacement, "Failed")
    assert sync_once(cluster).counts == (0, 0, 0)  # limited by the backoff
    cluster.settle()
    assert backoff.get(key) == initial  # not raised while waiting
    assert cluster.find("Pod", NS, replacement["metadata"]["name"]) is not None
    cluster.advance(initial - 0.5)
    assert backoff.is_in_backoff_since_update(key, cluster.now())
    assert cluster.find("Pod", NS, replacement["metadata"]["name"]) is not None
    assert not backoff.is_in_backoff_since_update(key, start + initial)
    recorder = ActionRecorder(cluster, "foo")
    cluster.advance(start + initial - cluster.now())
    actions = recorder.take()
    recorder.close()
    assert replacement["metadata"]["name"] in actions.deleted
    assert actions.reasons().count("FailedDaemonPod") == 1
    assert backoff.get(key) == 2 * initial


# --- §10 scenarios 27-28: status ---------------------------------------------------------


def test_status_counts_ready_pods(strategy: str) -> None:
    """Scenario 27 (TestNumberReadyStatus): 0 ready, then 2 once the pods are Ready."""
    cluster = make_cluster(0, frozen=True)
    add_nodes(cluster, 0, 2, SIMPLE_NODE_LABEL, frozen=True)
    ds = create_ds(cluster, make_daemonset(strategy=strategy))
    add_pods(cluster, "node-0", SIMPLE_DAEMONSET_LABEL, ds, 1)
    add_pods(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, ds, 1)
    expect_sync(cluster, 0, 0)
    assert status(cluster)["numberReady"] == 0
    assert status(cluster)["currentNumberScheduled"] == 2
    mark_pods_ready(cluster)
    expect_sync(cluster, 0, 0)
    assert status(cluster)["numberReady"] == 2
    assert status(cluster)["numberAvailable"] == 2


def test_status_reports_observed_generation(strategy: str) -> None:
    """Scenario 28 (TestObservedGeneration): generation 1 -> observedGeneration 1."""
    cluster = make_cluster(0, frozen=True)
    add_nodes(cluster, 0, 1, SIMPLE_NODE_LABEL, frozen=True)
    ds = create_ds(cluster, make_daemonset(strategy=strategy))
    add_pods(cluster, "node-0", SIMPLE_DAEMONSET_LABEL, ds, 1)
    assert ds["metadata"]["generation"] == 1
    expect_sync(cluster, 0, 0)
    assert status(cluster)["observedGeneration"] == 1
    # A spec change bumps generation; the next full sync observes it.
    update_ds(cluster, minReadySeconds=5)
    assert live_ds(cluster)["metadata"]["generation"] == 2
    expect_sync(cluster, 0, 0)
    assert status(cluster)["observedGeneration"] == 2


# --- §10 scenario 29: failing creates --------------------------------------------------


def test_sync_survives_pod_create_errors(strategy: str) -> None:
    """Scenario 29 (TestSimpleDaemonSetPodCreateErrors): 100 nodes, 10 creates accepted.

    What is checked: 10 pods exist; create attempts stay within the slow-start bound
    (1 + 2 + 4 + 8 = 15: dstutor stops at the first failure, so 11); a FailedCreate
    event; the status is still written: desired 100, current 10, updated 10. Not
    checked: the batch sizes themselves and the 250-per-sync cap (§11: not modelled).
    Then the DaemonSet is retried with the work queue's backoff until the quota lifts.
    """
    cluster = make_cluster(100, frozen=True)
    create_ds(cluster, make_daemonset(strategy=strategy))
    quota = PodCreateQuota(cluster, limit=10)
    actions = expect_sync(cluster, 10, 0, 1)
    assert quota.attempts <= 1 + 2 + 4 + 8
    ((etype, reason, message),) = actions.events
    assert (etype, reason) == ("Warning", "FailedCreate")
    assert message.startswith('Error creating: pods "foo-" is forbidden: exceeded quota')
    st = status(cluster)
    assert (st["desiredNumberScheduled"], st["currentNumberScheduled"],
            st["updatedNumberScheduled"], st["observedGeneration"]) == (100, 10, 10, 1)
    # Retries back off (5 ms doubling) while the quota holds ...
    cluster.advance(1)
    assert len(daemon_pods(cluster)) == 10
    attempts = quota.attempts
    cluster.advance(1)
    assert quota.attempts - attempts <= 2
    # ... and create the rest once it is lifted.
    quota.limit = None
    cluster.advance(60)
    assert len(daemon_pods(cluster)) == 100
    assert status(cluster)["currentNumberScheduled"] == 100


# --- §10 scenarios 30-32: vanished nodes, node updates, surge duplicates ---------------


def test_sync_deletes_only_unscheduled_pod_of_missing_node(strategy: str) -> None:
    """Scenario 30 (TestDeleteUnscheduledPodForNotExistingNode): exactly 1 delete.

    The pod bound to the missing node-1 is pod GC's business; the never-scheduled pod
    whose affinity targets the missing node-2 is the controller's.
    """
    cluster = make_cluster(1, frozen=True)
    disable(cluster, "scheduler")  # as in the unit test, nothing binds the pod
    ds = create_ds(cluster, make_daemonset(strategy=strategy))
    add_pods(cluster, "node-0", SIMPLE_DAEMONSET_LABEL, ds, 1)
    (bound,) = add_pods(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, ds, 1)
    spec = clone(ds["spec"]["template"]["spec"])
    spec["affinity"] = {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": node_name_affinity("node-2")}}
    hashed = {**SIMPLE_DAEMONSET_LABEL, DAEMONSET_UNIQUE_LABEL: current_hash(ds)}
    unscheduled = put_pod(cluster, "", hashed, owner=ds, spec=spec, prefix="pod1-node-3-")
    actions = expect_sync(cluster, 0, 1)
    assert actions.deleted == [unscheduled["metadata"]["name"]]
    assert cluster.find("Pod", NS, bound["metadata"]["name"]) is not None
    # Status counts current nodes only: the pod on the missing node is ignored.
    assert (status(cluster)["desiredNumberScheduled"],
            status(cluster)["currentNumberScheduled"]) == (1, 1)


@pytest.mark.parametrize(("change", "enqueued"), [
    ("nothing", False),
    ("labels", True),
    ("taints", True),
    ("allocatable", False),
    ("conditions", False),  # shouldIgnoreNodeUpdate: conditions alone do not matter
])
def test_node_update_requeues_daemonset_only_for_labels_and_taints(
        strategy: str, change: str, enqueued: bool) -> None:
    """Scenario 31 (TestUpdateNode, TestShouldIgnoreNodeUpdate)."""
    cluster = make_cluster(0, node_lifecycle=False)
    old_taints = [NO_SCHEDULE_TAINT] if change == "taints" else None
    cluster.add_node("node1", ready=True, taints=old_taints)
    node_selector = SIMPLE_NODE_LABEL if change in ("nothing", "labels") else None
    cluster.create(make_daemonset("ds", strategy=strategy, node_selector=node_selector))
    synced: list[object] = []
    sync = cluster.daemonsets.sync
    cluster.engine.register("daemonset", lambda key: (synced.append(key), sync(key)))
    node = cluster.find("Node", "", "node1")
    before = clone(node)
    if change == "labels":
        node["metadata"]["labels"].update(SIMPLE_NODE_LABEL)
    elif change == "taints":
        del node["spec"]["taints"]
    elif change == "allocatable":
        node["status"]["allocatable"].update({"memory": "200M", "cpu": "200m"})
    elif change == "conditions":
        node["status"]["conditions"].append({"type": "NetworkUnavailable", "status": "True"})
    cluster.store.touch(node, before)
    cluster.settle()
    assert bool(synced) == enqueued
    # Labels or taints that now admit the node give it a pod.
    assert len(daemon_pods(cluster, "ds")) == (1 if enqueued else
                                               (0 if node_selector else 1))


@pytest.mark.parametrize("old_ready", [True, False])
def test_sync_surge_keeps_oldest_ready_old_pod_next_to_new_one(old_ready: bool) -> None:
    """Scenario 32 (TestSurgePreservesReadyOldPods; TestSurgeDeletesUnreadyOldPods).

    node-1 holds the current pod (not ready) and two old pods. The newer old pod goes;
    the oldest old pod stays if Ready, else it goes too. Empty nodes get pods.
    """
    cluster = make_cluster(5, frozen=True)
    ds = create_ds(cluster, make_daemonset(strategy="RollingUpdate", max_surge=1))
    t0 = cluster.now() - 100
    spec = ds["spec"]["template"]["spec"]
    add_pods(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, ds, 1, created=t0 + 100)
    oldest = put_pod(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, owner=ds, spec=spec,
                     prefix="node-1-old-", created=t0 + 50, ready=old_ready)
    excess = put_pod(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, owner=ds, spec=spec,
                     prefix="node-1-delete-", created=t0 + 60, ready=True)
    add_pods(cluster, "node-2", SIMPLE_DAEMONSET_LABEL, ds, 1)
    expected = {excess["metadata"]["name"]}
    if not old_ready:
        expected.add(oldest["metadata"]["name"])
    actions = expect_sync(cluster, 3, len(expected))
    assert set(actions.deleted) == expected
    assert sorted(target_node_name(p) for p in actions.pods_as_created) == [
        "node-0", "node-3", "node-4"]


# --- §10 scenarios 33-39: rolling updates ------------------------------------------------


def _five_ready_pods(strategy: str = "OnDelete", nodes: int = 5, ready: bool = True
                     ) -> Cluster:
    """newDaemonSet on frozen nodes, first sync creates every pod; markPodsReady."""
    cluster = make_cluster(nodes, frozen=True)
    create_ds(cluster, make_daemonset(strategy=strategy))
    expect_sync(cluster, nodes, 0)
    cluster.settle()
    if ready:
        mark_pods_ready(cluster)
        cluster.settle()
    # Later pods must not share the first ones' creationTimestamp (whole seconds), or
    # "oldest pod" would fall back to comparing names.
    cluster.advance(1)
    return cluster


def _hashes(cluster: Cluster) -> list[str]:
    return sorted(labels(p)[DAEMONSET_UNIQUE_LABEL] for p in daemon_pods(cluster,
                                                                          live_only=True))


def test_rolling_update_replaces_pods_within_max_unavailable() -> None:
    """Scenario 33 (TestDaemonSetUpdatesPods): maxUnavailable 2 on 5 nodes.

    Rounds: delete 2 / create 2 / (ready) delete 2 / create 2 / delete 1 / create 1.
    """
    cluster = _five_ready_pods()
    update_ds(cluster, image="foo2/bar2", strategy=rolling(2))
    new_hash = current_hash(live_ds(cluster))
    for batch in (2, 2, 1):
        expect_round(cluster, 0, batch)
        finish_terminations(cluster)
        expect_round(cluster, batch, 0)
        mark_pods_ready(cluster)
    expect_round(cluster, 0, 0)
    assert _hashes(cluster) == [new_hash] * 5
    st = status(cluster)
    assert (st["updatedNumberScheduled"], st["numberAvailable"]) == (5, 5)


def test_rolling_update_stops_when_new_pods_never_become_ready() -> None:
    """Scenario 34 (TestDaemonSetUpdatesWhenNewPodIsNotReady): 3 replaced, then stuck."""
    cluster = _five_ready_pods()
    update_ds(cluster, image="foo2/bar2", strategy=rolling(3))
    expect_round(cluster, 0, 3)
    finish_terminations(cluster)
    expect_round(cluster, 3, 0)
    expect_round(cluster, 0, 0)
    cluster.advance(300)
    assert sync_once(cluster).counts == (0, 0, 0)
    st = status(cluster)
    assert (st["updatedNumberScheduled"], st["numberAvailable"], st["numberUnavailable"]) == (
        3, 2, 3)


def test_rolling_update_replaces_all_unready_old_pods_at_once() -> None:
    """Scenario 35 (TestDaemonSetUpdatesAllOldPodsNotReady): delete 5, then create 5."""
    cluster = _five_ready_pods(ready=False)
    update_ds(cluster, image="foo2/bar2", strategy=rolling(3))
    expect_round(cluster, 0, 5)
    finish_terminations(cluster)
    expect_round(cluster, 5, 0)
    expect_round(cluster, 0, 0)


def test_rolling_update_ignores_strategy_only_change() -> None:
    """Scenario 36 (TestDaemonSetUpdatesNoTemplateChanged): no pod is touched."""
    cluster = _five_ready_pods(ready=False)
    revisions = [r["metadata"]["name"] for r in cluster.store.list("ControllerRevision", NS)]
    pods = sorted(p["metadata"]["uid"] for p in daemon_pods(cluster))
    update_ds(cluster, strategy=rolling(3))
    ds = live_ds(cluster)
    assert ds["metadata"]["generation"] == 2
    assert ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "1"
    expect_round(cluster, 0, 0)
    assert [r["metadata"]["name"] for r in cluster.store.list("ControllerRevision", NS)] == (
        revisions)
    assert sorted(p["metadata"]["uid"] for p in daemon_pods(cluster)) == pods
    assert status(cluster)["observedGeneration"] == 2


def test_rolling_update_with_max_surge_creates_before_deleting() -> None:
    """Scenario 37 (TestDaemonSetUpdatesPodsWithMaxSurge): maxSurge 2 on 5 nodes.

    Rounds: create 2 -> (ready) create 2 + delete 2 -> create 1 + delete 2 -> delete 1.
    """
    cluster = _five_ready_pods()
    update_ds(cluster, image="foo2/bar2", strategy=rolling(max_surge=2))
    new_hash = current_hash(live_ds(cluster))
    expect_round(cluster, 2, 0)
    for creates, deletes in ((2, 2), (1, 2), (0, 1)):
        mark_pods_ready(cluster)
        expect_round(cluster, creates, deletes)
        finish_terminations(cluster)
    expect_round(cluster, 0, 0)
    assert _hashes(cluster) == [new_hash] * 5


@pytest.mark.parametrize(("ready_for", "deletes"), [(10, 1), (20, 2)])
def test_rolling_update_surge_waits_for_min_ready_seconds(ready_for: int, deletes: int) -> None:
    """Scenario 38 (TestSurgePreservesOldReadyWithUnsatisfiedMinReady,
    TestSurgeDeletesOldReadyWithUnsatisfiedMinReady): minReadySeconds 15.

    The new pod on node-1 has been Ready for 10 s (not yet available: the old pod is
    kept) or 20 s (available: the old pod goes). The excess old pod goes either way.
    """
    cluster = make_cluster(5, frozen=True)
    ds = create_ds(cluster, make_daemonset(strategy="RollingUpdate", max_surge=1,
                                           min_ready_seconds=15))
    now = cluster.now()
    spec = ds["spec"]["template"]["spec"]
    add_pods(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, ds, 1, created=now - 50,
             ready=True, ready_since=now - ready_for)
    old = put_pod(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, owner=ds, spec=spec,
                  prefix="node-1-old-ready-", created=now - 100, ready=True,
                  ready_since=now - 100)
    excess = put_pod(cluster, "node-1", SIMPLE_DAEMONSET_LABEL, owner=ds, spec=spec,
                     prefix="node-1-delete-", created=now - 90, ready=True,
                     ready_since=now - 90)
    add_pods(cluster, "node-2", SIMPLE_DAEMONSET_LABEL, ds, 1)
    actions = expect_sync(cluster, 3, deletes)
    expected = {excess["metadata"]["name"]}
    if deletes == 2:
        expected.add(old["metadata"]["name"])
    assert set(actions.deleted) == expected
    if deletes == 1:
        # The controller looks again once the new pod becomes available (§4).
        cluster.settle()
        recorder = ActionRecorder(cluster, "foo")
        cluster.advance(6)
        assert old["metadata"]["name"] in recorder.take().deleted
        recorder.close()


def test_rolling_update_only_cycles_unavailable_pods() -> None:
    """Scenario 39 (TestDaemonSetUpdatesSaveOldHealthyPods): 20 nodes.

    After a first update with maxUnavailable 10, 10 old Ready pods and 10 new unready
    pods remain. Further updates with maxUnavailable < 10 only cycle the 10 unavailable
    pods; with maxUnavailable 11 exactly one Ready pod is also replaced (9 remain).
    Upstream draws maxUnavailable at random from [0, 10); validation rejects 0 (with
    maxSurge 0), so a fixed sequence from [1, 10) is used.
    """
    cluster = _five_ready_pods(nodes=20)
    update_ds(cluster, image="foo2/bar2", strategy=rolling(10))
    expect_round(cluster, 0, 10)
    finish_terminations(cluster)
    expect_round(cluster, 10, 0)

    def ready_names() -> set[str]:
        return {p["metadata"]["name"] for p in daemon_pods(cluster) if is_pod_ready(p)}

    old_ready = ready_names()
    assert len(old_ready) == 10
    for i, max_unavailable in enumerate((3, 7, 1, 9, 5, 2, 8, 4, 6, 1)):
        update_ds(cluster, image=f"foo2/bar3-{i}", strategy=rolling(max_unavailable))
        expect_round(cluster, 0, 10)
        finish_terminations(cluster)
        expect_round(cluster, 10, 0)
        assert ready_names() >= old_ready, f"iteration {i}"
    update_ds(cluster, image="foo2/bar4", strategy=rolling(11))
    expect_round(cluster, 0, 11)
    finish_terminations(cluster)
    expect_round(cluster, 11, 0)
    assert len(ready_names()) == 9


# --- §10 scenario 40: maxUnavailable / maxSurge arithmetic ----------------------------


@pytest.mark.parametrize(("nodes", "pods", "strategy", "expected"), [
    # (nodes, pods per node [None = no entry, "T" = terminating], strategy,
    #  (maxSurge, maxUnavailable, desired, empty nodes))
    (0, [], rolling(0), (0, 0, 0, 0)),  # No nodes
    (2, [1, 1], rolling(1), (0, 1, 2, 0)),  # Two nodes with ready pods
    (2, [1, None], rolling(0), (0, 1, 2, 1)),  # one node without pods: 0 -> 1
    (2, [1, None], rolling(max_surge=0), (0, 1, 2, 1)),  # ... surge 0 as well
    (2, [1, 1], rolling("50%"), (0, 1, 2, 0)),  # 50% of 2 = 1
    (2, [1, 1], rolling(max_surge="50%"), (1, 0, 2, 0)),  # surge 50% of 2 = 1
    (2, [1, 1], rolling(max_surge="100%"), (2, 0, 2, 0)),  # surge 100% of 2 = 2
    (3, [1, "T", None], rolling("50%"), (0, 2, 3, 1)),  # 50% of 3 = 2 (rounded up)
])
def test_rolling_update_scales_budgets_against_desired_nodes(
        nodes: int, pods: list, strategy: dict, expected: tuple[int, int, int, int]) -> None:
    """Scenario 40 (TestGetUnavailableNumbers): updatedDesiredNodeCounts.

    The DaemonSet is stored with the default strategy (validation rejects 0/0); the
    case's strategy is applied to the object handed to the function.
    """
    cluster = make_cluster(nodes, frozen=True)
    create_ds(cluster, make_daemonset())
    sync_once(cluster)
    ds = clone(live_ds(cluster))
    ds["spec"]["updateStrategy"] = strategy
    state = cluster.daemonsets.states[ds["metadata"]["uid"]]
    node_to_pods: dict[str, list] = {}
    for i, entry in enumerate(pods):
        if entry is None:
            continue
        pod = put_pod(cluster, f"node-{i}", SIMPLE_DAEMONSET_LABEL, ready=True,
                      deleted=entry == "T")
        node_to_pods[f"node-{i}"] = [pod]
    max_surge, max_unavailable, desired = updated_desired_node_counts(ds, state, node_to_pods)
    empty = sum(1 for p in node_to_pods.values() if not p)
    assert (max_surge, max_unavailable, desired, empty) == expected


# --- whole-cluster stories ----------------------------------------------------------------


def _running_cluster(nodes: int = 3, *, missing_images: tuple[str, ...] = ()) -> Cluster:
    """A live cluster whose RollingUpdate DaemonSet `foo` runs a Ready pod on every node."""
    cluster = make_cluster(nodes, missing_images=missing_images)
    cluster.create(make_daemonset(strategy="RollingUpdate"))
    cluster.advance(10)
    assert status(cluster)["numberAvailable"] == nodes
    return cluster


def _pod_on(cluster: Cluster, node_name: str, name: str = "foo") -> dict | None:
    pods = pods_by_node(cluster, name).get(node_name, [])
    assert len(pods) <= 1, pods
    return pods[0] if pods else None


def _edit_node(cluster: Cluster, node_name: str, edit: Callable[[dict], object]) -> None:
    """A user edit of a Node (kubectl edit/label/taint), through the API."""
    node = clone(cluster.find("Node", "", node_name))
    edit(node)
    cluster.update(node)


def _counts(cluster: Cluster, name: str = "foo") -> tuple[int, int, int, int]:
    st = status(cluster, name)
    return (st["desiredNumberScheduled"], st["currentNumberScheduled"],
            st["numberMisscheduled"], st.get("numberReady", 0))


def test_story_no_schedule_taint_keeps_running_pod_as_misscheduled() -> None:
    """A NoSchedule taint on a running node: the pod stays and counts as misscheduled."""
    cluster = _running_cluster()
    pod = _pod_on(cluster, "node-1")
    _edit_node(cluster, "node-1",
               lambda n: n["spec"].setdefault("taints", []).append(dict(NO_SCHEDULE_TAINT)))
    cluster.advance(120)
    still = _pod_on(cluster, "node-1")
    assert still is not None and still["metadata"]["uid"] == pod["metadata"]["uid"]
    assert not is_terminating(still) and is_pod_ready(still)
    assert _counts(cluster) == (2, 2, 1, 2)
    # If it is deleted now, it is not recreated (§1.3).
    cluster.delete("Pod", NS, still["metadata"]["name"])
    cluster.advance(30)
    assert _pod_on(cluster, "node-1") is None
    assert _counts(cluster) == (2, 2, 0, 2)


def test_story_no_execute_taint_evicts_pod_for_good() -> None:
    """A NoExecute taint: the pod is deleted and not recreated."""
    cluster = _running_cluster()
    pod = _pod_on(cluster, "node-1")
    recorder = ActionRecorder(cluster, "foo")
    _edit_node(cluster, "node-1",
               lambda n: n["spec"].setdefault("taints", []).append(dict(NO_EXECUTE_TAINT)))
    gone = cluster.find("Pod", NS, pod["metadata"]["name"])
    assert gone is None or is_terminating(gone)
    cluster.advance(120)
    assert _pod_on(cluster, "node-1") is None
    assert recorder.take().created == []
    recorder.close()
    assert _counts(cluster) == (2, 2, 0, 2)


def test_story_cordoned_node_still_gets_daemon_pod() -> None:
    """Cordon: spec.unschedulable plus the unschedulable taint, which DS pods tolerate."""
    cluster = make_cluster(2)
    _edit_node(cluster, "node-1", lambda n: n["spec"].update(unschedulable=True))
    taints = cluster.find("Node", "", "node-1")["spec"]["taints"]
    assert [(t["key"], t["effect"]) for t in taints] == [
        ("node.kubernetes.io/unschedulable", "NoSchedule")]
    # An ordinary pod is kept off the cordoned node ...
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "plain", "namespace": NS},
                    "spec": {"nodeSelector": {"kubernetes.io/hostname": "node-1"},
                             "containers": [{"name": "c", "image": "nginx:1"}]}})
    # ... but the daemon pod is placed and runs there.
    cluster.create(make_daemonset())
    cluster.advance(10)
    pod = _pod_on(cluster, "node-1")
    assert pod is not None and is_pod_ready(pod)
    assert _counts(cluster) == (2, 2, 0, 2)
    assert not cluster.find("Pod", NS, "plain")["spec"].get("nodeName")


def test_story_not_ready_node_keeps_its_pod() -> None:
    """A node that stops reporting: after the 50 s grace (node-monitor-grace-period's
    default since v1.32) it is tainted unreachable; the pod stays (no tolerationSeconds), turns unready and counts as misscheduled."""
    cluster = _running_cluster()
    pod = _pod_on(cluster, "node-1")
    recorder = ActionRecorder(cluster, "foo")
    cluster.fail_node("node-1")
    cluster.advance(49)
    assert _counts(cluster) == (3, 3, 0, 3)  # still within the grace period
    cluster.advance(2)
    node = cluster.find("Node", "", "node-1")
    ready = next(c for c in node["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "Unknown"
    assert {(t["key"], t["effect"]) for t in node["spec"]["taints"]} == {
        ("node.kubernetes.io/unreachable", "NoSchedule"),
        ("node.kubernetes.io/unreachable", "NoExecute")}
    cluster.advance(600)
    still = _pod_on(cluster, "node-1")
    assert still is not None and still["metadata"]["uid"] == pod["metadata"]["uid"]
    assert not is_terminating(still) and not is_pod_ready(still)
    assert _counts(cluster) == (2, 2, 1, 2)
    actions = recorder.take()
    assert (actions.created, actions.deleted) == ([], [])
    # Back again: the taints go, the same pod is Ready and counted again.
    cluster.recover_node("node-1")
    cluster.advance(5)
    assert "taints" not in cluster.find("Node", "", "node-1")["spec"]
    again = _pod_on(cluster, "node-1")
    assert again["metadata"]["uid"] == pod["metadata"]["uid"] and is_pod_ready(again)
    assert _counts(cluster) == (3, 3, 0, 3)
    assert recorder.take().created == []
    recorder.close()


def test_story_node_labels_decide_where_pods_run() -> None:
    """Labels gained create a pod; labels lost delete it (IgnoredDuringExecution does
    not protect daemon pods)."""
    cluster = make_cluster(3)
    _edit_node(cluster, "node-0", lambda n: n["metadata"]["labels"].update(SIMPLE_NODE_LABEL))
    cluster.create(make_daemonset(node_selector=SIMPLE_NODE_LABEL))
    cluster.advance(10)
    assert sorted(pods_by_node(cluster)) == ["node-0"]
    _edit_node(cluster, "node-1", lambda n: n["metadata"]["labels"].update(SIMPLE_NODE_LABEL))
    cluster.advance(10)
    assert sorted(pods_by_node(cluster)) == ["node-0", "node-1"]
    _edit_node(cluster, "node-0", lambda n: n["metadata"]["labels"].pop("color"))
    cluster.advance(10)
    assert sorted(pods_by_node(cluster)) == ["node-1"]
    assert _counts(cluster) == (1, 1, 0, 1)


def test_story_removed_node_loses_its_pods_to_pod_gc() -> None:
    """The machine is gone: DESIRED drops at once; pod GC removes its pods after the
    quarantine (the first 20 s check notices, the one 40 s later acts), marking them
    Failed with a DisruptionTarget condition; no replacement appears anywhere."""
    cluster = _running_cluster()
    pod = _pod_on(cluster, "node-1")
    recorder = ActionRecorder(cluster, "foo")
    gone_at = orphan_pods_deleted_at(cluster.now())
    cluster.remove_node("node-1")
    assert _counts(cluster)[0] == 2
    seen: list[dict] = []
    cluster.store.listeners.append(
        lambda kind, old, new: seen.append(clone(new)) if kind == "Pod" and new else None)
    cluster.advance(gone_at - cluster.now() - 1)
    assert cluster.find("Pod", NS, pod["metadata"]["name"]) is not None
    cluster.advance(1)
    assert cluster.find("Pod", NS, pod["metadata"]["name"]) is None
    [last] = [p for p in seen if p["metadata"]["name"] == pod["metadata"]["name"]][-1:]
    assert last["status"]["phase"] == "Failed"
    cond = next(c for c in last["status"]["conditions"] if c["type"] == "DisruptionTarget")
    assert (cond["reason"], cond["message"]) == ("DeletionByPodGC",
                                                 "PodGC: node no longer exists")
    cluster.advance(30)
    actions = recorder.take()
    recorder.close()
    assert (actions.created, actions.deleted) == ([], [])  # pod GC, not the DS controller
    assert sorted(pods_by_node(cluster)) == ["node-0", "node-2"]
    assert _counts(cluster) == (2, 2, 0, 2)


def test_story_orphaned_pods_are_adopted_by_recreated_daemonset() -> None:
    """--cascade=orphan, then the same DaemonSet again: same pods, not restarted."""
    cluster = _running_cluster()
    before = {p["metadata"]["name"]: p for p in daemon_pods(cluster)}
    old_uid = live_ds(cluster)["metadata"]["uid"]
    (revision,) = cluster.store.list("ControllerRevision", NS)
    cluster.delete("DaemonSet", NS, "foo", propagation="Orphan")
    assert cluster.find("DaemonSet", NS, "foo") is None
    cluster.advance(60)
    orphans = [p for p in cluster.store.list("Pod", NS) if p["metadata"]["name"] in before]
    assert len(orphans) == 3
    assert all("ownerReferences" not in p["metadata"] for p in orphans)
    assert "ownerReferences" not in cluster.find("ControllerRevision", NS,
                                                  revision["metadata"]["name"])["metadata"]
    recorder = ActionRecorder(cluster, "foo")
    cluster.create(make_daemonset(strategy="RollingUpdate"))
    cluster.advance(30)
    actions = recorder.take()
    recorder.close()
    assert (actions.created, actions.deleted) == ([], [])
    new_uid = live_ds(cluster)["metadata"]["uid"]
    assert new_uid != old_uid
    after = {p["metadata"]["name"]: p for p in daemon_pods(cluster)}
    assert sorted(after) == sorted(before)
    for name, pod in after.items():
        assert pod["metadata"]["uid"] == before[name]["metadata"]["uid"]
        assert pod["status"]["startTime"] == before[name]["status"]["startTime"]
        assert controller_ref(pod)["uid"] == new_uid
    (adopted,) = cluster.store.list("ControllerRevision", NS)
    assert adopted["metadata"]["name"] == revision["metadata"]["name"]
    assert controller_ref(adopted)["uid"] == new_uid
    st = status(cluster)
    assert (st["updatedNumberScheduled"], st["numberAvailable"]) == (3, 3)


def test_story_rollback_reuses_old_revision_under_new_number() -> None:
    """A bad image stalls the rollout; changing the template back reuses revision 1,
    renumbered 3, and replaces only the broken pod (e2e "should rollback without
    unnecessary restarts")."""
    cluster = _running_cluster(missing_images=("foo/broken",))
    first_hash = current_hash(live_ds(cluster))
    update_ds(cluster, image="foo/broken", settle=True)
    broken_hash = current_hash(live_ds(cluster))
    cluster.advance(60)
    pods = daemon_pods(cluster)
    broken = [p for p in pods if labels(p)[DAEMONSET_UNIQUE_LABEL] == broken_hash]
    survivors = {p["metadata"]["uid"] for p in pods
                 if labels(p)[DAEMONSET_UNIQUE_LABEL] == first_hash}
    assert (len(broken), len(survivors)) == (1, 2)  # maxUnavailable 1: stuck after one
    update_ds(cluster, image="foo/bar", settle=True)
    cluster.advance(30)
    revisions = {r["metadata"]["name"]: r["revision"]
                 for r in cluster.store.list("ControllerRevision", NS)}
    assert revisions == {f"foo-{first_hash}": 3, f"foo-{broken_hash}": 2}
    pods = daemon_pods(cluster)
    assert {labels(p)[DAEMONSET_UNIQUE_LABEL] for p in pods} == {first_hash}
    uids = {p["metadata"]["uid"] for p in pods}
    assert survivors <= uids  # not restarted
    assert broken[0]["metadata"]["uid"] not in uids
    ds = live_ds(cluster)
    assert ds["metadata"]["generation"] == 3
    assert ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"] == "3"
    assert status(cluster)["numberAvailable"] == 3


def test_story_foreground_deletion_keeps_daemonset_until_pods_are_gone() -> None:
    """--cascade=foreground: the DS stays visible, terminating, until its dependents go."""
    cluster = _running_cluster()
    cluster.delete("DaemonSet", NS, "foo", propagation="Foreground")
    ds = cluster.find("DaemonSet", NS, "foo")
    assert ds is not None
    assert ds["metadata"]["deletionTimestamp"]
    assert ds["metadata"]["finalizers"] == ["foregroundDeletion"]
    pods = daemon_pods(cluster)
    assert len(pods) == 3 and all(is_terminating(p) for p in pods)
    status_before = dict(ds["status"])
    cluster.advance(0.5)  # pods take terminationSeconds (1 s) to stop
    assert cluster.find("DaemonSet", NS, "foo") is not None
    assert cluster.find("DaemonSet", NS, "foo")["status"] == status_before  # no writes
    cluster.advance(2)
    assert cluster.find("DaemonSet", NS, "foo") is None
    assert cluster.store.list("Pod", NS) == []
    assert cluster.store.list("ControllerRevision", NS) == []


def _waiting_reason(pod: dict) -> str | None:
    (cs,) = pod["status"]["containerStatuses"]
    return cs["state"].get("waiting", {}).get("reason")


def test_story_missing_image_stalls_rollout_in_image_pull_backoff() -> None:
    """A missing image: ErrImagePull, then ImagePullBackOff; the rollout stops after
    maxUnavailable pods and stays there."""
    cluster = _running_cluster(missing_images=("foo/missing",))
    update_ds(cluster, image="foo/missing", settle=True)
    new_hash = current_hash(live_ds(cluster))
    cluster.advance(1)  # the old pod on the first node terminates (1 s)
    (new,) = [p for p in daemon_pods(cluster) if labels(p)[DAEMONSET_UNIQUE_LABEL] == new_hash]
    cluster.advance(2)  # imagePullSeconds
    new = cluster.find("Pod", NS, new["metadata"]["name"])
    assert _waiting_reason(new) == "ErrImagePull"
    cluster.advance(1)
    assert _waiting_reason(cluster.find("Pod", NS, new["metadata"]["name"])) == (
        "ImagePullBackOff")
    reasons = {e["reason"] for e in cluster.store.list("Event", NS)
               if e["involvedObject"]["name"] == new["metadata"]["name"]}
    assert {"Failed", "BackOff"} <= reasons
    cluster.advance(300)
    pods = daemon_pods(cluster)
    assert len(pods) == 3
    assert sum(labels(p)[DAEMONSET_UNIQUE_LABEL] == new_hash for p in pods) == 1
    st = status(cluster)
    assert (st["updatedNumberScheduled"], st["numberAvailable"], st["numberUnavailable"]) == (
        1, 2, 1)
    (stuck,) = [p for p in pods if labels(p)[DAEMONSET_UNIQUE_LABEL] == new_hash]
    assert stuck["status"]["phase"] == "Pending" and not is_pod_ready(stuck)


def test_story_crashing_image_goes_into_crash_loop_back_off() -> None:
    """A container that exits at once: Running phase, never Ready, CrashLoopBackOff with
    a growing restart count; the DaemonSet reports nothing available."""
    cluster = make_cluster(2, crashing_images=["foo/crash"])
    cluster.create(make_daemonset(image="foo/crash"))
    cluster.advance(5)
    for pod in daemon_pods(cluster):
        assert pod["status"]["phase"] == "Running"
        assert _waiting_reason(pod) == "CrashLoopBackOff"
        assert not is_pod_ready(pod)
    cluster.advance(120)
    for pod in daemon_pods(cluster):
        (cs,) = pod["status"]["containerStatuses"]
        assert cs["restartCount"] >= 2
        assert cs["lastState"]["terminated"]["exitCode"] == 1
    st = status(cluster)
    assert (st["desiredNumberScheduled"], st["currentNumberScheduled"],
            st.get("numberReady", 0), st.get("numberAvailable", 0)) == (2, 2, 0, 0)


@pytest.mark.parametrize(("strategy", "expected"), [
    ("RollingUpdate", [4, 5, 6]),  # current + revisionHistoryLimit (2) old ones
    ("OnDelete", [1, 5, 6]),  # revision 1 is kept: live pods still carry its hash
])
def test_story_history_cleanup_respects_revision_history_limit(strategy: str,
                                                               expected: list[int]) -> None:
    """Five template changes with revisionHistoryLimit 2 (§3.2)."""
    cluster = make_cluster(2)
    cluster.create(make_daemonset(strategy=strategy, revision_history_limit=2))
    cluster.advance(10)
    for i in range(5):
        update_ds(cluster, image=f"foo/bar:{i}", settle=True)
        cluster.advance(20)
    revisions = sorted(r["revision"] for r in cluster.store.list("ControllerRevision", NS))
    assert revisions == expected
    current = {r["revision"]: labels(r)[DAEMONSET_UNIQUE_LABEL]
               for r in cluster.store.list("ControllerRevision", NS)}[6]
    assert current == current_hash(live_ds(cluster))
    hashes = {labels(p)[DAEMONSET_UNIQUE_LABEL] for p in daemon_pods(cluster)}
    if strategy == "RollingUpdate":
        assert hashes == {current}
    else:
        assert hashes == {current_hash({"spec": {"template": _first_template(cluster)}})}


def _first_template(cluster: Cluster) -> dict:
    (rev,) = [r for r in cluster.store.list("ControllerRevision", NS) if r["revision"] == 1]
    template = clone(rev["data"]["spec"]["template"])
    del template["$patch"]
    return template


# --- more of §5 and §7 --------------------------------------------------------------------


def test_sync_deletes_succeeded_pod_without_backoff(strategy: str) -> None:
    """§7: a Succeeded pod is deleted with a Normal SucceededDaemonPod event."""
    cluster = make_cluster(1, frozen=True)
    ds = create_ds(cluster, make_daemonset(strategy=strategy))
    (done,) = add_pods(cluster, "node-0", SIMPLE_DAEMONSET_LABEL, ds, 1, phase="Succeeded")
    actions = expect_sync(cluster, 0, 1, 1)
    assert actions.events == [("Normal", "SucceededDaemonPod",
                               f"Found succeeded daemon pod {NS}/{done['metadata']['name']} "
                               "on node node-0, will try to delete it")]
    assert len(settle_actions(cluster).created) == 1


def test_rolling_update_surge_counts_node_updated_only_when_old_pod_gone() -> None:
    """§4: status looks at the oldest pod, so a surged node is not yet "updated"."""
    cluster = _five_ready_pods()
    update_ds(cluster, image="foo2/bar2", strategy=rolling(max_surge=2))
    expect_round(cluster, 2, 0)
    st = status(cluster)
    assert (st["currentNumberScheduled"], st.get("updatedNumberScheduled", 0),
            st["numberAvailable"]) == (5, 0, 5)
    mark_pods_ready(cluster)
    expect_round(cluster, 2, 2)
    finish_terminations(cluster)
    cluster.settle()
    assert status(cluster)["updatedNumberScheduled"] == 2


def test_rolling_update_surge_removes_pod_from_node_no_longer_tolerated() -> None:
    """§5.4 (TestDaemonSetUpdatesPodsNotMatchTainstWithMaxSurge): the new template drops
    the toleration for node-0's NoSchedule taint; node-0's pod goes as part of the
    rollout once availability elsewhere allows, and is not replaced."""
    cluster = make_cluster(0, frozen=True)
    taint = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
    add_nodes(cluster, 0, 1, frozen=True, taints=[taint])
    add_nodes(cluster, 1, 4, frozen=True)
    create_ds(cluster, make_daemonset(
        strategy="RollingUpdate", max_surge=1,
        tolerations=[{"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}]))
    expect_sync(cluster, 5, 0)
    cluster.settle()
    mark_pods_ready(cluster)
    cluster.settle()
    ds = clone(live_ds(cluster))
    del ds["spec"]["template"]["spec"]["tolerations"]
    cluster.api.update(ds)
    first = expect_round(cluster, 1, 1)
    assert [target_node_name(cluster.find("Pod", NS, n) or {"spec": {"nodeName": "node-0"}})
            for n in first.deleted] == ["node-0"]
    for creates, deletes in ((1, 1), (1, 1), (1, 1), (0, 1)):
        mark_pods_ready(cluster)
        expect_round(cluster, creates, deletes)
    finish_terminations(cluster)
    assert sorted(pods_by_node(cluster)) == ["node-1", "node-2", "node-3", "node-4"]


def test_story_unreachable_node_stalls_rolling_update_until_it_returns() -> None:
    """§5.5: without surge the unready old pod on the unreachable node is deleted at once,
    stays Terminating (its kubelet is gone) and uses the whole maxUnavailable budget of
    1, so the rollout stalls; when the node returns it finishes."""
    cluster = _running_cluster()
    cluster.fail_node("node-2")
    cluster.advance(55)
    assert _counts(cluster) == (2, 2, 1, 2)
    first_hash = current_hash(live_ds(cluster))
    update_ds(cluster, image="foo/bar:2", settle=True)
    cluster.advance(300)
    stuck = _pod_on(cluster, "node-2")
    assert stuck is not None and is_terminating(stuck)
    assert {labels(p)[DAEMONSET_UNIQUE_LABEL] for n, p in
            ((n, _pod_on(cluster, n)) for n in ("node-0", "node-1"))} == {first_hash}
    st = status(cluster)
    assert (st["desiredNumberScheduled"], st.get("updatedNumberScheduled", 0)) == (2, 0)
    cluster.recover_node("node-2")
    cluster.advance(120)
    new_hash = current_hash(live_ds(cluster))
    assert {labels(p)[DAEMONSET_UNIQUE_LABEL] for p in daemon_pods(cluster)} == {new_hash}
    assert sorted(pods_by_node(cluster)) == ["node-0", "node-1", "node-2"]
    st = status(cluster)
    assert (st["updatedNumberScheduled"], st["numberAvailable"]) == (3, 3)


@pytest.mark.parametrize(("updated_before", "replaced"), [(False, 0), (True, 3)])
def test_story_adopted_pods_follow_pod_template_generation_quirk(updated_before: bool,
                                                                  replaced: int) -> None:
    """§6.2 quirk: a pod counts as updated if its pod-template-generation equals the DS's.

    Orphans of a DS that was never updated carry generation "1"; a recreated DS starts
    at "1" too, so even with a different template they are not replaced. Orphans of an
    updated DS ("2") are replaced at the maxUnavailable pace.
    """
    cluster = _running_cluster()
    if updated_before:
        update_ds(cluster, image="foo/bar:2", settle=True)
        cluster.advance(60)
    gens = {labels(p)["pod-template-generation"] for p in daemon_pods(cluster)}
    assert gens == {"2" if updated_before else "1"}
    before = {p["metadata"]["uid"] for p in daemon_pods(cluster)}
    cluster.delete("DaemonSet", NS, "foo", propagation="Orphan")
    cluster.create(make_daemonset(strategy="RollingUpdate", image="foo/other"))
    cluster.advance(60)
    after = {p["metadata"]["uid"] for p in daemon_pods(cluster)}
    assert len(before - after) == replaced
    st = status(cluster)
    assert (st["updatedNumberScheduled"], st["numberAvailable"]) == (3, 3)


def test_sync_never_touches_pods_of_another_daemonset() -> None:
    """§6.1/§6.2: overlapping selectors; owned pods stay with their owner, and a node
    holding only another DaemonSet's pod still gets one of this DaemonSet's."""
    cluster = _running_cluster()
    theirs = {p["metadata"]["uid"] for p in daemon_pods(cluster)}
    recorder = ActionRecorder(cluster, "bar")
    cluster.create(make_daemonset("bar", strategy="RollingUpdate"))
    cluster.advance(30)
    assert len(recorder.take().created) == 3
    recorder.close()
    assert {p["metadata"]["uid"] for p in daemon_pods(cluster)} == theirs
    assert len(daemon_pods(cluster, "bar")) == 3
    assert all(controller_ref(p)["name"] == "foo" for p in daemon_pods(cluster))


def test_rolling_update_surge_budget_spent_still_removes_pod_from_node_that_stops_qualifying(
        ) -> None:
    """§5.4: a node that no longer qualifies is checked before the surge budget. With
    maxSurge 1 spent on node-0 (its new pod not yet available), node-2 gets a NoSchedule
    taint its pods do not tolerate: 3 old pods are available and 2 are desired, so
    node-2's old pod goes at once rather than waiting for node-0's new pod."""
    cluster = _five_ready_pods(nodes=3)
    update_ds(cluster, image="foo2/bar2", strategy=rolling(max_surge=1))
    first = expect_round(cluster, 1, 0)
    assert [target_node_name(p) for p in first.pods_as_created] == ["node-0"]
    node = clone(cluster.find("Node", "", "node-2") or {})
    node["spec"]["taints"] = [{"key": "dedicated", "value": "x", "effect": "NoSchedule"}]
    cluster.api.update(node)
    second = expect_round(cluster, 0, 1)
    assert second.deleted == [p["metadata"]["name"] for p in daemon_pods(cluster)
                              if target_node_name(p) == "node-2"]


def test_story_crash_loop_restart_counts_match_the_backoff_shown() -> None:
    """doBackOff: the first exit is restarted at once (no backoff entry yet), so the
    first "back-off 10s" already shows one restart; each later restart doubles it."""
    cluster = make_cluster(1, crashing_images=["foo/crash"])
    cluster.create(make_daemonset(image="foo/crash"))
    seen = []
    for _ in range(40):
        cluster.advance(1)
        (pod,) = daemon_pods(cluster)
        (cs,) = pod["status"]["containerStatuses"]
        message = cs["state"].get("waiting", {}).get("message", "")
        if message.startswith("back-off") and (cs["restartCount"], message.split()[1]) not in seen:
            seen.append((cs["restartCount"], message.split()[1]))
    assert seen == [(1, "10s"), (2, "20s"), (3, "40s")]
