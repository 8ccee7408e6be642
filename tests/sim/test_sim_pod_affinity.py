"""Required inter-pod (anti-)affinity in the scheduler (model/podaffinity.py).

Reasons are upstream's interpodaffinity ErrReason* strings; affinity failures are
UnschedulableAndUnresolvable ("Preemption is not helpful"), anti-affinity failures
Unschedulable (preemption looks for victims). Cases after filtering_test.go: a pod's own
anti-affinity per hostname and per zone, an existing pod's anti-affinity, affinity with
and without a matching pod, and the first pod of a group.
"""

from __future__ import annotations

import json

import pytest
from sim_builders import make_daemonset

from dstutor.model.objects import Obj, pod_condition
from dstutor.model.podaffinity import interpod_failure
from dstutor.sim.cluster import Cluster
from dstutor.sim.snapshot import export_state, import_state

HOST = "kubernetes.io/hostname"
ZONE = "topology.kubernetes.io/zone"


def anti(key: str, labels: dict[str, str]) -> Obj:
    return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": labels}, "topologyKey": key}]}}


def zoned() -> Cluster:
    cluster = Cluster()
    for name, zone in (("node-0", "a"), ("node-1", "a"), ("node-2", "b")):
        cluster.add_node(name, ready=True, labels={ZONE: zone})
    return cluster


def running(cluster: Cluster, ds: str) -> set[str]:
    return {p["spec"]["nodeName"] for p in cluster.pods_of(ds)
            if p["status"].get("phase") == "Running"}


def test_anti_affinity_per_hostname_changes_nothing_for_a_daemonset() -> None:
    cluster = zoned()
    cluster.create(make_daemonset("agent", labels={"app": "agent"},
                                  affinity=anti(HOST, {"app": "agent"})))
    cluster.advance(30)
    assert running(cluster, "agent") == {"node-0", "node-1", "node-2"}


def test_anti_affinity_per_zone_leaves_daemon_pods_pending() -> None:
    cluster = zoned()
    cluster.create(make_daemonset("agent", labels={"app": "agent"},
                                  affinity=anti(ZONE, {"app": "agent"})))
    cluster.advance(30)
    assert running(cluster, "agent") == {"node-0", "node-2"}
    [pending] = [p for p in cluster.pods_of("agent") if p["status"]["phase"] == "Pending"]
    cond = pod_condition(pending, "PodScheduled")
    assert cond is not None and cond["message"] == (
        "0/3 nodes are available: 1 node(s) didn't match pod anti-affinity rules, "
        "2 node(s) didn't satisfy plugin(s) [NodeAffinity]. preemption: 0/3 nodes are "
        "available: 1 No preemption victims found for incoming pod, 2 Preemption is not "
        "helpful for scheduling.")


def web_avoiding_agents() -> Obj:
    """A pod on node-1 whose required anti-affinity keeps `app: agent` pods off its node."""
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
            "spec": {"nodeName": "node-1", "affinity": anti(HOST, {"app": "agent"}),
                     "containers": [{"name": "web", "image": "nginx:1.27"}]}}


def test_an_existing_pods_anti_affinity_keeps_a_daemon_pod_off() -> None:
    cluster = zoned()
    cluster.create(web_avoiding_agents())
    cluster.advance(10)
    cluster.create(make_daemonset("agent", labels={"app": "agent"}))
    cluster.advance(30)
    assert running(cluster, "agent") == {"node-0", "node-2"}
    [pending] = [p for p in cluster.pods_of("agent") if p["status"]["phase"] == "Pending"]
    assert "1 node(s) didn't satisfy existing pods anti-affinity rules" in pod_condition(
        pending, "PodScheduled")["message"]  # type: ignore[index]


def test_an_existing_pods_anti_affinity_still_holds_after_save_and_load() -> None:
    cluster = zoned()
    cluster.create(web_avoiding_agents())
    cluster.advance(10)
    loaded = import_state(json.loads(json.dumps(export_state(cluster))))
    loaded.create(make_daemonset("agent", labels={"app": "agent"}))
    loaded.advance(30)
    assert running(loaded, "agent") == {"node-0", "node-2"}


def _pod(name: str, labels: dict[str, str], affinity: Obj | None = None,
         ns: str = "default") -> Obj:
    spec: Obj = {"containers": [{"name": "c", "image": "i"}]}
    if affinity:
        spec["affinity"] = affinity
    return {"metadata": {"name": name, "namespace": ns, "labels": labels}, "spec": spec}


def _node(name: str, zone: str) -> Obj:
    return {"metadata": {"name": name, "labels": {HOST: name, ZONE: zone}}}


def test_pod_affinity_needs_a_matching_pod_in_the_topology() -> None:
    want_db = {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": ZONE}]}}
    app = _pod("app", {"app": "web"}, want_db)
    db = _pod("db", {"app": "db"})
    a, b = _node("n-a", "a"), _node("n-b", "b")
    assert interpod_failure(app, a, [(db, b)], {}) == "node(s) didn't match pod affinity rules"
    assert interpod_failure(app, b, [(db, b)], {}) is None
    # No db anywhere: only a pod its own term selects may start the group.
    assert interpod_failure(app, a, [], {}) == "node(s) didn't match pod affinity rules"
    first_db = _pod("db-0", {"app": "db"}, want_db)
    assert interpod_failure(first_db, a, [], {}) is None
    # Another namespace's db does not count unless the term names it.
    other = _pod("db", {"app": "db"}, ns="data")
    assert interpod_failure(app, b, [(other, b)], {}) is not None
    want_db["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0][
        "namespaces"] = ["data"]
    assert interpod_failure(app, b, [(other, b)], {}) is None


def test_a_term_without_selector_selects_nothing() -> None:
    term = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": HOST}]}}
    pod = _pod("p", {"app": "x"}, term)
    node = _node("n", "a")
    assert interpod_failure(pod, node, [(_pod("q", {"app": "x"}), node)], {}) is None


def test_why_names_the_pod_affinity_gate() -> None:
    from dstutor.shell.why import explain_pair

    cluster = zoned()
    cluster.create(make_daemonset("agent", labels={"app": "agent"},
                                  affinity=anti(ZONE, {"app": "agent"})))
    cluster.advance(30)
    ds = cluster.get("DaemonSet", "default", "agent")
    text = explain_pair(cluster, cluster.get("Node", "", "node-1"), ds, width=200)
    assert ("✗ pod affinity: node(s) didn't match pod anti-affinity rules -> the scheduler "
            "leaves the pod Pending") in text
    host = Cluster()
    host.add_node("node-0", ready=True)
    host.create(make_daemonset("agent", labels={"app": "agent"},
                               affinity=anti(HOST, {"app": "agent"})))
    host.advance(30)
    text = explain_pair(host, host.get("Node", "", "node-0"),
                        host.get("DaemonSet", "default", "agent"), width=200)
    assert "✓ pod anti-affinity: met; per kubernetes.io/hostname it can never bite" in text


# --- upstream's TestRequiredAffinitySingleNode (interpodaffinity/filtering_test.go) -------
# One node, machine1 (region r1, zone z11); the same pods, terms and expected reasons.
# Upstream reports ErrReasonAffinityNotMatch beside the specific reason; ours is the
# specific one, which is what the scheduler's FailedScheduling message shows.

SCAN = {"service": "securityscan"}
S1 = {"security": "S1"}
MACHINE1: Obj = {"metadata": {"name": "machine1", "labels": {"region": "r1", "zone": "z11"}}}
AFFINITY_NOT_MATCH = "node(s) didn't match pod affinity rules"
ANTI_NOT_MATCH = "node(s) didn't match pod anti-affinity rules"
EXISTING_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules"


def req(key: str, op: str, *values: str) -> Obj:
    return {"key": key, "operator": op, **({"values": list(values)} if values else {})}


def term(*exprs: Obj, key: str = "", namespaces: list[str] | None = None) -> Obj:
    t: Obj = {"labelSelector": {"matchExpressions": list(exprs)}}
    if key:
        t["topologyKey"] = key
    if namespaces:
        t["namespaces"] = namespaces
    return t


def terms_pod(labels: dict[str, str], affinity: list[Obj] | None = None,
              anti_terms: list[Obj] | None = None, ns: str = "default") -> Obj:
    aff: Obj = {}
    if affinity:
        aff["podAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": affinity}
    if anti_terms:
        aff["podAntiAffinity"] = {"requiredDuringSchedulingIgnoredDuringExecution": anti_terms}
    return _pod("p", labels, aff or None, ns)


IN_SCAN = req("service", "In", "securityscan", "value2")
IN_ANTIVIRUS = req("service", "In", "antivirusscan", "value2")

SINGLE_NODE_CASES: list[tuple[str, Obj, list[tuple[Obj, Obj | None]], str | None]] = [
    ("A pod that has no required pod affinity scheduling rules can schedule onto a node "
     "with no existing pods", _pod("p", {}), [], None),
    ("satisfies with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity using In "
     "operator that matches the existing pod",
     terms_pod(S1, [term(IN_SCAN, key="region")]), [(_pod("e", SCAN), MACHINE1)], None),
    ("satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution in PodAffinity "
     "using not in operator in labelSelector that matches the existing pod",
     terms_pod(S1, [term(req("service", "NotIn", "securityscan3", "value3"), key="region")]),
     [(_pod("e", SCAN), MACHINE1)], None),
    ("Does not satisfy the PodAffinity with labelSelector because of diff Namespace",
     terms_pod(S1, [term(IN_SCAN, namespaces=["DiffNameSpace"])]),
     [(_pod("e", SCAN, ns="ns"), MACHINE1)], AFFINITY_NOT_MATCH),
    ("Doesn't satisfy the PodAffinity because of unmatching labelSelector with the existing pod",
     terms_pod(SCAN, [term(IN_ANTIVIRUS)]), [(_pod("e", SCAN), MACHINE1)], AFFINITY_NOT_MATCH),
    ("satisfies the PodAffinity with different label Operators in multiple "
     "RequiredDuringSchedulingIgnoredDuringExecution",
     terms_pod(S1, [term(req("service", "Exists"), req("wrongkey", "DoesNotExist"), key="region"),
                    term(req("service", "In", "securityscan"),
                         req("service", "NotIn", "WrongValue"), key="region")]),
     [(_pod("e", SCAN), MACHINE1)], None),
    ("The labelSelector requirements(items of matchExpressions) are ANDed, the pod cannot "
     "schedule onto the node because one of the matchExpression item don't match.",
     terms_pod(S1, [term(req("service", "Exists"), req("wrongkey", "DoesNotExist"), key="region"),
                    term(req("service", "In", "securityscan2"),
                         req("service", "NotIn", "WrongValue"), key="region")]),
     [(_pod("e", SCAN), MACHINE1)], AFFINITY_NOT_MATCH),
    ("satisfies the PodAffinity and PodAntiAffinity with the existing pod",
     terms_pod(S1, [term(IN_SCAN, key="region")], [term(IN_ANTIVIRUS, key="node")]),
     [(_pod("e", SCAN), MACHINE1)], None),
    ("satisfies the PodAffinity and PodAntiAffinity and PodAntiAffinity symmetry with the "
     "existing pod",
     terms_pod(S1, [term(IN_SCAN, key="region")], [term(IN_ANTIVIRUS, key="node")]),
     [(terms_pod(SCAN, None, [term(IN_ANTIVIRUS, key="node")]), MACHINE1)], None),
    ("satisfies the PodAffinity but doesn't satisfy the PodAntiAffinity with the existing pod",
     terms_pod(S1, [term(IN_SCAN, key="region")], [term(IN_SCAN, key="zone")]),
     [(_pod("e", SCAN), MACHINE1)], ANTI_NOT_MATCH),
    ("satisfies the PodAffinity and PodAntiAffinity but doesn't satisfy PodAntiAffinity "
     "symmetry with the existing pod",
     terms_pod(SCAN, [term(IN_SCAN, key="region")], [term(IN_ANTIVIRUS, key="node")]),
     [(terms_pod(SCAN, None, [term(IN_SCAN, key="zone")]), MACHINE1)], EXISTING_NOT_MATCH),
    ("pod matches its own Label in PodAffinity and that matches the existing pod Labels",
     terms_pod(SCAN, [term(req("service", "NotIn", "securityscan", "value2"), key="region")]),
     [(_pod("e", SCAN), None)], AFFINITY_NOT_MATCH),  # the pod is on machine2, not here
    ("verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity "
     "constraints. doesn't satisfy PodAntiAffinity symmetry with the existing pod",
     _pod("p", SCAN), [(terms_pod(SCAN, None, [term(IN_SCAN, key="zone")]), MACHINE1)],
     EXISTING_NOT_MATCH),
    ("verify that PodAntiAffinity from existing pod is respected when pod has no AntiAffinity "
     "constraints. satisfy PodAntiAffinity symmetry with the existing pod",
     _pod("p", SCAN),
     [(terms_pod(SCAN, None, [term(req("service", "NotIn", "securityscan", "value2"),
                                   key="zone")]), MACHINE1)], None),
]


@pytest.mark.parametrize(("pod", "placed", "reason"),
                         [c[1:] for c in SINGLE_NODE_CASES],
                         ids=[c[0] for c in SINGLE_NODE_CASES])
def test_required_affinity_single_node(pod: Obj, placed: list[tuple[Obj, Obj | None]],
                                       reason: str | None) -> None:
    assert interpod_failure(pod, MACHINE1, placed, {}) == reason
