"""Pod priority and preemption.

Admission cases follow upstream plugin/pkg/admission/priority/admission_test.go
(TestPriorityClassAdmission, TestPodAdmission); preemption cases follow
pkg/scheduler/framework/plugins/defaultpreemption/default_preemption_test.go
(TestPostFilter, TestSelectBestCandidate, TestPodEligibleToPreemptOthers) with the
scheduler's and the API server's own wording.
"""

from __future__ import annotations

import pytest
from sim_builders import make_daemonset, priority_class

from dstutor.controller.preemption import (
    NOT_ELIGIBLE_NEVER,
    NOT_ELIGIBLE_TERMINATING,
    eligible_to_preempt,
    find_candidate,
    fit_error,
    select_victims_on_node,
)
from dstutor.controller.scheduler import filter_node_room
from dstutor.errors import Forbidden, Invalid
from dstutor.model.objects import Obj, pod_condition
from dstutor.sim.cluster import Cluster


def bare_pod(name: str, *, cpu: str = "", cls: str = "", port: int = 0,
             priority: int | None = None) -> Obj:
    container: Obj = {"name": "app", "image": "nginx:1.27"}
    if cpu:
        container["resources"] = {"requests": {"cpu": cpu}}
    if port:
        container["ports"] = [{"containerPort": port, "hostPort": port}]
    spec: Obj = {"containers": [container]}
    if cls:
        spec["priorityClassName"] = cls
    if priority is not None:
        spec["priority"] = priority
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
            "spec": spec}


def one_node(cpu: str = "2") -> Cluster:
    cluster = Cluster()
    cluster.add_node("node-0", ready=True, capacity={"cpu": cpu})
    return cluster


def events(cluster: Cluster, reason: str) -> list[Obj]:
    return [e for e in cluster.store.list("Event") if e["reason"] == reason]


# --- PriorityClass objects and the Priority admission plugin -----------------------------


def test_every_cluster_has_the_two_system_classes() -> None:
    classes = {pc["metadata"]["name"]: pc for pc in Cluster().list("PriorityClass")}
    assert {n: (pc["value"], pc["globalDefault"], pc["preemptionPolicy"])
            for n, pc in classes.items()} == {
        "system-node-critical": (2000001000, False, "PreemptLowerPriority"),
        "system-cluster-critical": (2000000000, False, "PreemptLowerPriority")}
    assert classes["system-node-critical"]["description"] == (
        "Used for system critical pods that must not be moved from their current node.")


def test_a_pod_without_a_class_gets_priority_zero() -> None:
    cluster = one_node()
    spec = cluster.create(bare_pod("p"))["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert "priorityClassName" not in spec


def test_a_class_name_resolves_to_its_value_and_policy() -> None:
    cluster = one_node()
    cluster.create(priority_class("batch-low", 100, policy="Never"))
    spec = cluster.create(bare_pod("p", cls="batch-low"))["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (100, "Never")
    spec = cluster.create(bare_pod("q", cls="system-node-critical"))["spec"]
    assert spec["priority"] == 2000001000


def test_an_unknown_class_is_forbidden() -> None:
    cluster = one_node()
    with pytest.raises(Forbidden) as err:
        cluster.create(bare_pod("p", cls="does-not-exist"))
    assert str(err.value) == ('Error from server (Forbidden): pods "p" is forbidden: '
                              "no PriorityClass with name does-not-exist was found")
    assert cluster.find("Pod", "default", "p") is None


def test_the_global_default_class_applies_to_pods_without_a_name() -> None:
    cluster = one_node()
    cluster.create(priority_class("everyone", 1000, default=True))
    spec = cluster.create(bare_pod("p"))["spec"]
    assert (spec["priorityClassName"], spec["priority"]) == ("everyone", 1000)


def test_only_one_global_default() -> None:
    cluster = one_node()
    cluster.create(priority_class("first", 1, default=True))
    with pytest.raises(Forbidden) as err:
        cluster.create(priority_class("second", 2, default=True))
    assert err.value.message == ('priorityclasses.scheduling.k8s.io "second" is forbidden: '
                                 "PriorityClass first is already marked as default. Only one "
                                 "default can exist")


def test_a_priority_set_by_hand_must_match_the_class() -> None:
    cluster = one_node()
    with pytest.raises(Forbidden) as err:
        cluster.create(bare_pod("p", priority=5))
    assert err.value.message.endswith(
        "the integer value of priority (5) must not be provided in pod spec; priority "
        "admission controller computed 0 from the given PriorityClass name")


@pytest.mark.parametrize(("name", "value", "cause"), [
    ("too-high", 1000000001,
     "value: Forbidden: maximum allowed value of a user defined priority is 1000000000"),
    ("system-mine", 10,
     "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for "
     "system use only. error: system-mine is not a known system priority class"),
])
def test_priority_class_validation(name: str, value: int, cause: str) -> None:
    with pytest.raises(Invalid) as err:
        one_node().create(priority_class(name, value))
    assert err.value.causes == [cause]


def test_a_class_value_is_immutable() -> None:
    cluster = one_node()
    cluster.create(priority_class("c", 10))
    changed = cluster.get("PriorityClass", "", "c") | {"value": 11}
    with pytest.raises(Invalid) as err:
        cluster.update(changed)
    assert err.value.causes == ["value: Forbidden: may not be changed in an update."]


def test_a_daemonset_with_an_unknown_class_reports_failed_create() -> None:
    cluster = one_node()
    ds = make_daemonset("agent")
    ds["spec"]["template"]["spec"]["priorityClassName"] = "node-critical"
    cluster.create(ds)
    cluster.advance(5)
    assert cluster.pods_of("agent") == []
    messages = {e["message"] for e in events(cluster, "FailedCreate")}
    assert messages == {'Error creating: pods "agent-" is forbidden: no PriorityClass with '
                        "name node-critical was found"}


# --- preemption --------------------------------------------------------------------------


def critical_agent(cpu: str = "1", policy_class: str = "system-node-critical") -> Obj:
    ds = make_daemonset("agent", requests={"cpu": cpu}, strategy="RollingUpdate")
    ds["spec"]["template"]["spec"]["priorityClassName"] = policy_class
    return ds


def test_a_node_critical_daemon_pod_preempts_a_lower_priority_pod() -> None:
    cluster = one_node("2")
    cluster.create(bare_pod("batch", cpu="1500m"))
    cluster.advance(10)
    victim_uid = cluster.get("Pod", "default", "batch")["metadata"]["uid"]
    cluster.create(critical_agent())
    daemon = cluster.pods_of("agent")[0]
    # The victim is marked, then deleted gracefully; the daemon pod is nominated.
    batch = cluster.get("Pod", "default", "batch")
    cond = pod_condition(batch, "DisruptionTarget")
    assert cond is not None and (cond["status"], cond["reason"], cond["message"]) == (
        "True", "PreemptionByScheduler",
        "default-scheduler: preempting to accommodate a higher priority pod")
    assert batch["metadata"].get("deletionTimestamp")
    assert daemon["status"]["nominatedNodeName"] == "node-0"
    [preempted] = events(cluster, "Preempted")
    assert preempted["involvedObject"]["name"] == "batch"
    assert preempted["message"] == f"Preempted by pod {daemon['metadata']['uid']} on node node-0"
    assert preempted["source"]["component"] == "default-scheduler"
    [failed] = events(cluster, "FailedScheduling")
    assert failed["message"] == ("0/1 nodes are available: 1 Insufficient cpu.")
    assert failed["involvedObject"]["uid"] != victim_uid
    cluster.advance(40)
    daemon = cluster.pods_of("agent")[0]
    assert (daemon["spec"]["nodeName"], daemon["status"]["phase"]) == ("node-0", "Running")
    assert "nominatedNodeName" not in daemon["status"]
    assert cluster.find("Pod", "default", "batch") is None


def test_equal_priority_leaves_nothing_to_preempt() -> None:
    cluster = one_node("2")
    cluster.create(bare_pod("batch", cpu="1500m", cls="system-node-critical"))
    cluster.advance(10)
    cluster.create(critical_agent())
    cluster.advance(30)
    cond = pod_condition(cluster.pods_of("agent")[0], "PodScheduled")
    assert cond is not None and cond["message"] == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
        "1 No preemption victims found for incoming pod.")
    assert events(cluster, "Preempted") == []


def test_preemption_policy_never_waits_instead() -> None:
    cluster = one_node("2")
    cluster.create(priority_class("agent-never", 1000000, policy="Never"))
    cluster.create(bare_pod("batch", cpu="1500m"))
    cluster.advance(10)
    cluster.create(critical_agent(policy_class="agent-never"))
    cluster.advance(30)
    cond = pod_condition(cluster.pods_of("agent")[0], "PodScheduled")
    assert cond is not None and cond["message"] == (
        "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to "
        "preemptionPolicy=Never.")
    assert cluster.find("Pod", "default", "batch") is not None


def test_a_daemon_pod_on_many_nodes_preempts_only_on_its_own_node() -> None:
    cluster = Cluster()
    for name in ("node-0", "node-1", "node-2"):
        cluster.add_node(name, ready=True, capacity={"cpu": "2"})
    pod = bare_pod("batch", cpu="1500m")
    pod["spec"]["nodeName"] = "node-1"
    cluster.create(pod)
    cluster.advance(10)
    cluster.create(critical_agent())
    cluster.advance(40)
    assert {p["spec"]["nodeName"] for p in cluster.pods_of("agent")
            if p["status"]["phase"] == "Running"} == {"node-0", "node-1", "node-2"}
    [preempted] = events(cluster, "Preempted")
    assert preempted["message"].endswith("on node node-1")


def test_the_lowest_priority_pod_is_the_victim() -> None:
    cluster = one_node("2")
    cluster.create(priority_class("low", 10))
    cluster.create(priority_class("mid", 20))
    cluster.create(bare_pod("low-pod", cpu="1", cls="low"))
    cluster.create(bare_pod("mid-pod", cpu="1", cls="mid"))
    cluster.advance(10)
    cluster.create(critical_agent())
    cluster.advance(40)
    assert cluster.find("Pod", "default", "low-pod") is None
    assert cluster.get("Pod", "default", "mid-pod")["status"]["phase"] == "Running"


def test_a_host_port_conflict_is_resolved_by_preemption() -> None:
    cluster = one_node("8")
    cluster.create(bare_pod("web", port=9100))
    cluster.advance(10)
    ds = make_daemonset("exporter", host_port=9100)
    ds["spec"]["template"]["spec"]["priorityClassName"] = "system-node-critical"
    cluster.create(ds)
    cluster.advance(40)
    assert cluster.find("Pod", "default", "web") is None
    assert cluster.pods_of("exporter")[0]["status"]["phase"] == "Running"


def test_select_victims_keeps_pods_that_still_fit() -> None:
    node = {"metadata": {"name": "n"}, "status": {"allocatable": {"cpu": "3"}}}

    def running(name: str, cpu: str, prio: int, started: str) -> Obj:
        pod = bare_pod(name, cpu=cpu)
        pod["spec"]["priority"] = prio
        pod["status"] = {"phase": "Running", "startTime": started}
        return pod

    older = running("older", "1", 0, "2026-01-01T00:00:00Z")
    newer = running("newer", "1", 0, "2026-01-02T00:00:00Z")
    high = running("high", "1", 100, "2026-01-03T00:00:00Z")
    incoming = bare_pod("in", cpu="1")
    incoming["spec"]["priority"] = 50
    victims, reasons = select_victims_on_node(incoming, node, [older, newer, high],
                                              filter_node_room)
    # The pod that has run longer is more important and is reprieved first.
    assert ([v["metadata"]["name"] for v in victims], reasons) == (["newer"], [])
    incoming["spec"]["priority"] = 0
    assert select_victims_on_node(incoming, node, [older, newer, high], filter_node_room) == (
        (), ["No preemption victims found for incoming pod"])


def test_eligibility() -> None:
    pod = bare_pod("p")
    pod["spec"]["priority"] = 10
    assert eligible_to_preempt(pod, None) == ""
    terminating = bare_pod("t")
    terminating["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    terminating["status"] = {"conditions": [{"type": "DisruptionTarget", "status": "True",
                                             "reason": "PreemptionByScheduler"}]}
    assert eligible_to_preempt(pod, [terminating]) == NOT_ELIGIBLE_TERMINATING
    pod["spec"]["preemptionPolicy"] = "Never"
    assert eligible_to_preempt(pod, None) == NOT_ELIGIBLE_NEVER


def test_a_priority_class_body_is_decoded_like_the_server_does() -> None:
    from dstutor.model.decode import decode

    bad = decode("PriorityClass", priority_class("x", 1) | {"value": "high"})
    assert bad.error == ("json: cannot unmarshal string into Go struct field "
                         "PriorityClass.value of type int32")
    unknown = decode("PriorityClass", priority_class("x", 1) | {"globaldefault": True})
    assert unknown.error is None and unknown.unknown == ["globaldefault"]


def test_a_system_class_cannot_be_deleted() -> None:
    cluster = one_node()
    with pytest.raises(Forbidden) as err:
        cluster.delete("PriorityClass", "", "system-node-critical")
    assert err.value.message == ('priorityclasses.scheduling.k8s.io "system-node-critical" is '
                                 "forbidden: this is a system priority class and cannot be "
                                 "deleted")
    cluster.create(priority_class("mine", 5))
    cluster.delete("PriorityClass", "", "mine")
    assert cluster.find("PriorityClass", "", "mine") is None


def test_why_says_whether_preemption_can_help() -> None:
    from dstutor.shell.why import explain_pair

    cluster = one_node("2")
    cluster.create(bare_pod("batch", cpu="1900m"))
    cluster.advance(10)
    ds = make_daemonset("agent", requests={"cpu": "200m"})
    cluster.create(ds)
    cluster.advance(10)
    node = cluster.get("Node", "", "node-0")
    text = explain_pair(cluster, node, cluster.get("DaemonSet", "default", "agent"), width=300)
    assert ("-> the scheduler leaves the pod Pending: no pod here has a priority below 0, so "
            "preemption cannot help") in text
    from dstutor.shell.why import _preemption_words

    batch = cluster.get("Pod", "default", "batch")
    critical = {"priorityClassName": "system-node-critical"}
    assert _preemption_words(cluster, critical, [batch]) == (
        "the scheduler may preempt lower-priority pods here (1 with a priority below "
        "2000001000)")
    never = {"priorityClassName": "system-node-critical", "preemptionPolicy": "Never"}
    assert _preemption_words(cluster, never, [batch]) == (
        "the scheduler leaves the pod Pending (preemptionPolicy Never)")


# --- upstream's tables (defaultpreemption/default_preemption_test.go) --------------------
# Priorities, resources and start times as upstream's: neg/low/mid/high/veryHigh,
# small/medium/large/veryLarge CPU requests, epochTime0..6; nodes of veryLargeRes.

NEG, LOW, MID, HIGH, VERY_HIGH = -100, 0, 100, 1000, 10000
SMALL, MEDIUM, LARGE, VERY_LARGE = "100m", "200m", "300m", "500m"


def epoch(n: int) -> str:
    return f"1970-01-01T00:00:00.{n:09d}Z"  # time.Unix(0, n)


def placed(name: str, prio: int, cpu: str, start: int = 0) -> Obj:
    pod = bare_pod(name, cpu=cpu, priority=prio)
    pod["status"] = {"phase": "Running", "startTime": epoch(start)}
    return pod


def node_of(name: str, cpu: str = VERY_LARGE) -> Obj:
    return {"metadata": {"name": name}, "status": {"allocatable": {"cpu": cpu}}}


def on_nodes(pods: list[Obj], *, cpu: str = VERY_LARGE) -> list[tuple[Obj, list[Obj]]]:
    """Pods named pN.M go to nodeN, as in upstream's tables."""
    names = sorted({p["metadata"]["name"].split(".")[0][1:] for p in pods})
    return [(node_of(f"node{n}", cpu), [p for p in pods
                                        if p["metadata"]["name"].split(".")[0] == f"p{n}"])
            for n in names]


SELECT_BEST_CANDIDATE = [
    ("a pod that fits on both nodes when lower priority pods are preempted", HIGH, LARGE,
     [placed("p1", MID, LARGE), placed("p2", MID, LARGE)], {"node1", "node2"}),
    ("node with min highest priority pod is picked", HIGH, VERY_LARGE,
     [placed("p1.1", MID, MEDIUM), placed("p1.2", MID, LARGE), placed("p2.1", MID, MEDIUM),
      placed("p2.2", LOW, MEDIUM), placed("p3.1", LOW, MEDIUM), placed("p3.2", LOW, MEDIUM)],
     {"node3"}),
    ("when highest priorities are the same, minimum sum of priorities is picked", HIGH,
     VERY_LARGE,
     [placed("p1.1", MID, MEDIUM), placed("p1.2", MID, LARGE), placed("p2.1", MID, LARGE),
      placed("p2.2", LOW, MEDIUM), placed("p3.1", MID, MEDIUM), placed("p3.2", MID, MEDIUM)],
     {"node2"}),
    ("when highest priority and sum are the same, minimum number of pods is picked", HIGH,
     VERY_LARGE,
     [placed("p1.1", MID, SMALL), placed("p1.2", NEG, SMALL), placed("p1.3", MID, SMALL),
      placed("p1.4", NEG, SMALL), placed("p2.1", MID, LARGE), placed("p2.2", NEG, MEDIUM),
      placed("p3.1", MID, MEDIUM), placed("p3.2", NEG, SMALL), placed("p3.3", LOW, SMALL)],
     {"node2"}),
    ("sum of adjusted priorities is considered", HIGH, VERY_LARGE,
     [placed("p1.1", MID, SMALL), placed("p1.2", NEG, SMALL), placed("p1.3", NEG, SMALL),
      placed("p2.1", MID, LARGE), placed("p2.2", NEG, MEDIUM), placed("p3.1", MID, MEDIUM),
      placed("p3.2", NEG, SMALL), placed("p3.3", LOW, SMALL)], {"node2"}),
    ("non-overlapping lowest high priority, sum priorities, and number of pods", VERY_HIGH,
     VERY_LARGE,
     [placed("p1.1", MID, SMALL), placed("p1.2", LOW, SMALL), placed("p1.3", LOW, SMALL),
      placed("p2.1", HIGH, LARGE), placed("p3.1", MID, MEDIUM), placed("p3.2", LOW, SMALL),
      placed("p3.3", LOW, SMALL), placed("p3.4", LOW, MEDIUM), placed("p4.1", MID, MEDIUM),
      placed("p4.2", MID, SMALL), placed("p4.3", MID, SMALL), placed("p4.4", NEG, SMALL)],
     {"node1"}),
    ("same priority, same number of victims, different start time for each node's pod", HIGH,
     VERY_LARGE,
     [placed("p1.1", MID, MEDIUM, 2), placed("p1.2", MID, MEDIUM, 2),
      placed("p2.1", MID, MEDIUM, 3), placed("p2.2", MID, MEDIUM, 3),
      placed("p3.1", MID, MEDIUM, 1), placed("p3.2", MID, MEDIUM, 1)], {"node2"}),
    ("same priority, same number of victims, different start time for all pods", HIGH,
     VERY_LARGE,
     [placed("p1.1", MID, MEDIUM, 4), placed("p1.2", MID, MEDIUM, 2),
      placed("p2.1", MID, MEDIUM, 5), placed("p2.2", MID, MEDIUM, 1),
      placed("p3.1", MID, MEDIUM, 3), placed("p3.2", MID, MEDIUM, 6)], {"node3"}),
    ("different priority, same number of victims, different start time for all pods", HIGH,
     VERY_LARGE,
     [placed("p1.1", LOW, MEDIUM, 4), placed("p1.2", MID, MEDIUM, 2),
      placed("p2.1", MID, MEDIUM, 6), placed("p2.2", LOW, MEDIUM, 1),
      placed("p3.1", LOW, MEDIUM, 3), placed("p3.2", MID, MEDIUM, 5)], {"node2"}),
]


@pytest.mark.parametrize(("prio", "cpu", "pods", "expected"),
                         [c[1:] for c in SELECT_BEST_CANDIDATE],
                         ids=[c[0] for c in SELECT_BEST_CANDIDATE])
def test_select_best_candidate(prio: int, cpu: str, pods: list[Obj],
                               expected: set[str]) -> None:
    incoming = bare_pod("p", cpu=cpu, priority=prio)
    nodes = on_nodes(pods)
    candidate, reasons = find_candidate(incoming, nodes, len(nodes), filter_node_room)
    assert candidate is not None and not reasons
    assert candidate.name in expected


POST_FILTER = [
    ("pod with tied priority is still unschedulable", LOW, "",
     [("node1", "1", [placed("p1", LOW, "1")])], 1,
     "0/1 nodes are available: 1 No preemption victims found for incoming pod."),
    ("no candidate nodes found, no enough resource after removing low priority pods", HIGH,
     LARGE, [("node1", MEDIUM, [placed("p1", LOW, "")]),
             ("node2", MEDIUM, [placed("p2", LOW, "")])], 2,
     "0/2 nodes are available: 2 Insufficient cpu."),
    ("no candidate nodes found with mixed reasons, no lower priority pod and no enough CPU "
     "resource", HIGH, LARGE,
     [("node1", "1", [placed("p1", HIGH, "1")]), ("node2", MEDIUM, [placed("p2", LOW, "")]),
      ("node3", "1", [placed("p3", HIGH, "1")])], 3,
     "0/3 nodes are available: 1 Insufficient cpu, 2 No preemption victims found for "
     "incoming pod."),
    ("no candidate nodes found with mixed reason, 2 UnschedulableAndUnresolvable nodes and 2 "
     "nodes don't have enough CPU resource", HIGH, LARGE,
     [("node1", MEDIUM, [placed("p1", LOW, "")]), ("node2", MEDIUM, [placed("p2", LOW, "")])],
     4, "0/4 nodes are available: 2 Insufficient cpu, 2 Preemption is not helpful for "
     "scheduling."),
]


@pytest.mark.parametrize(("prio", "cpu", "nodes", "total", "message"),
                         [c[1:] for c in POST_FILTER], ids=[c[0] for c in POST_FILTER])
def test_post_filter(prio: int, cpu: str, nodes: list[tuple[str, str, list[Obj]]], total: int,
                     message: str) -> None:
    """Upstream's onePodRes nodes (room for one pod) are nodes whose single pod uses all of
    their CPU here; nodes upstream leaves out of the filtered statuses are counted in
    `total` only, as UnschedulableAndUnresolvable."""
    incoming = bare_pod("p", cpu=cpu or "1", priority=prio)
    with_pods = [(node_of(name, room), pods) for name, room, pods in nodes]
    candidate, reasons = find_candidate(incoming, with_pods, total, filter_node_room)
    assert candidate is None
    assert fit_error(reasons, total) == message


def test_post_filter_pod_can_be_made_schedulable_on_one_node() -> None:
    """Upstream's "pod can be made schedulable on one node": only node2's pod is lower."""
    incoming = bare_pod("p", cpu="1", priority=MID)
    nodes = [(node_of("node1", "1"), [placed("p1", HIGH, "1")]),
             (node_of("node2", "1"), [placed("p2", LOW, "1")])]
    candidate, _ = find_candidate(incoming, nodes, 2, filter_node_room)
    assert candidate is not None and candidate.name == "node2"
    assert [v["metadata"]["name"] for v in candidate.victims] == ["p2"]


@pytest.mark.parametrize(("nominated", "policy", "terminating_victim", "eligible"), [
    pytest.param(True, "", False, True, id="Pod with nominated node"),
    pytest.param(False, "", False, True, id="Pod without nominated node"),
    pytest.param(False, "Never", False, False, id="Pod with 'PreemptNever' preemption policy"),
    pytest.param(True, "", True, False, id="preemption victim pod terminating, as indicated by "
                 "the dedicated DisruptionTarget condition"),
])
def test_pod_eligible_to_preempt_others(nominated: bool, policy: str, terminating_victim: bool,
                                        eligible: bool) -> None:
    pod = bare_pod("p", priority=HIGH)
    if policy:
        pod["spec"]["preemptionPolicy"] = policy
    victim = placed("p1", LOW, "")
    victim["metadata"]["deletionTimestamp"] = epoch(1)  # Terminating()
    if terminating_victim:
        victim["status"]["conditions"] = [{"type": "DisruptionTarget", "status": "True",
                                           "reason": "PreemptionByScheduler"}]
    assert (eligible_to_preempt(pod, [victim] if nominated else None) == "") is eligible


def test_non_victim_pods_terminating() -> None:
    """Upstream's "non-victim Pods terminating": a pod terminating for another reason does
    not hold the preemptor back."""
    victim = placed("p1", LOW, "")
    victim["metadata"]["deletionTimestamp"] = epoch(1)
    assert eligible_to_preempt(bare_pod("p", priority=HIGH), [victim]) == ""
