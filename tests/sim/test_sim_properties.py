"""Property tests: whatever happens to nodes and DaemonSets, the settled cluster is right."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dstutor.controller.daemonset_util import is_pod_updated, pod_sort_key, template_generation
from dstutor.controller.placement import node_should_run_daemon_pod
from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    controller_ref,
    is_pod_available,
    is_pod_ready,
    is_terminating,
    target_node_name,
)
from dstutor.sim.cluster import Cluster

NODE_NAMES = [f"node-{i}" for i in range(5)]
TAINTS = [
    {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"},
    {"key": "dedicated", "value": "gpu", "effect": "NoExecute"},
    {"key": "soft", "effect": "PreferNoSchedule"},
]


def daemonset(name: str, *, image: str = "agent:1", selector: dict[str, str] | None = None,
              tolerate: bool = False, strategy: dict[str, Any] | None = None) -> dict[str, Any]:
    labels = {"app": name}
    spec: dict[str, Any] = {"containers": [{"name": "agent", "image": image}]}
    if selector:
        spec["nodeSelector"] = selector
    if tolerate:
        spec["tolerations"] = [{"key": "dedicated", "operator": "Exists"}]
    ds: dict[str, Any] = {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": spec}},
    }
    if strategy is not None:
        ds["spec"]["updateStrategy"] = strategy
    return ds


node_op = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(NODE_NAMES)),
    st.tuples(st.just("remove"), st.sampled_from(NODE_NAMES)),
    st.tuples(st.just("label"), st.sampled_from(NODE_NAMES), st.booleans()),
    st.tuples(st.just("taint"), st.sampled_from(NODE_NAMES), st.sampled_from(range(len(TAINTS)))),
    st.tuples(st.just("untaint"), st.sampled_from(NODE_NAMES)),
    st.tuples(st.just("fail"), st.sampled_from(NODE_NAMES)),
    st.tuples(st.just("recover"), st.sampled_from(NODE_NAMES)),
    st.tuples(st.just("cordon"), st.sampled_from(NODE_NAMES), st.booleans()),
)
ds_op = st.one_of(
    st.tuples(st.just("ds-create"), st.sampled_from(["a", "b"]), st.booleans(), st.booleans()),
    st.tuples(st.just("ds-image"), st.sampled_from(["a", "b"]), st.integers(1, 3)),
    st.tuples(st.just("ds-delete"), st.sampled_from(["a", "b"])),
    st.tuples(st.just("ds-ondelete"), st.sampled_from(["a", "b"])),
)


def apply_op(cluster: Cluster, op: tuple[Any, ...]) -> None:
    kind = op[0]
    node = cluster.find("Node", "", op[1]) if kind in (
        "remove", "label", "taint", "untaint", "fail", "recover", "cordon") else None
    if kind == "add":
        if cluster.find("Node", "", op[1]) is None:
            cluster.add_node(op[1])
    elif node is None and kind in ("remove", "label", "taint", "untaint", "fail", "recover",
                                   "cordon"):
        return
    elif kind == "remove":
        cluster.remove_node(op[1])
    elif kind == "fail":
        cluster.fail_node(op[1])
    elif kind == "recover":
        cluster.recover_node(op[1])
    elif kind in ("label", "taint", "untaint", "cordon"):
        obj = cluster.get("Node", "", op[1])
        if kind == "label":
            if op[2]:
                obj["metadata"]["labels"]["gpu"] = "true"
            else:
                obj["metadata"]["labels"].pop("gpu", None)
        elif kind == "taint":
            taint = TAINTS[op[2]]
            taints = [t for t in obj["spec"].get("taints") or [] if t["key"] != taint["key"]]
            obj["spec"]["taints"] = [dict(taint), *taints]
        elif kind == "untaint":
            taints = [t for t in obj["spec"].get("taints") or []
                      if t["key"] not in ("dedicated", "soft")]
            obj["spec"]["taints"] = taints
        else:
            obj["spec"]["unschedulable"] = op[2]
        cluster.update(obj)
    elif kind == "ds-create":
        if cluster.find("DaemonSet", "default", op[1]) is None:
            selector = {"gpu": "true"} if op[2] else None
            cluster.create(daemonset(op[1], selector=selector, tolerate=op[3]))
    elif kind == "ds-image":
        ds = cluster.find("DaemonSet", "default", op[1])
        if ds is not None and not is_terminating(ds):
            obj = cluster.get("DaemonSet", "default", op[1])
            obj["spec"]["template"]["spec"]["containers"][0]["image"] = f"agent:{op[2]}"
            cluster.update(obj)
    elif kind == "ds-ondelete":
        ds = cluster.find("DaemonSet", "default", op[1])
        if ds is not None and not is_terminating(ds):
            obj = cluster.get("DaemonSet", "default", op[1])
            obj["spec"]["updateStrategy"] = {"type": "OnDelete"}
            cluster.update(obj)
    elif kind == "ds-delete":
        if cluster.find("DaemonSet", "default", op[1]) is not None:
            cluster.delete("DaemonSet", "default", op[1])
    cluster.advance()


def expected_status(cluster: Cluster, ds: dict[str, Any]) -> dict[str, int]:
    """updateDaemonSetStatus computed naively from scratch, for comparison."""
    hash_ = cluster.daemonsets.states[ds["metadata"]["uid"]].hash
    generation = template_generation(ds)
    pods_by_node: dict[str, list[dict[str, Any]]] = {}
    for pod in cluster.store.list("Pod", "default"):
        ref = controller_ref(pod)
        if ref is None or ref["uid"] != ds["metadata"]["uid"]:
            continue
        if is_terminating(pod) and pod["status"].get("phase") in ("Failed", "Succeeded"):
            continue
        pods_by_node.setdefault(target_node_name(pod), []).append(pod)
    numbers = dict.fromkeys(("desired", "current", "mis", "ready", "available", "updated"), 0)
    min_ready = ds["spec"].get("minReadySeconds", 0)
    for node in cluster.store.list("Node"):
        placement = node_should_run_daemon_pod(node, ds)
        pods = sorted(pods_by_node.get(node["metadata"]["name"], []), key=pod_sort_key)
        if placement.should_run:
            numbers["desired"] += 1
            if pods:
                numbers["current"] += 1
                numbers["ready"] += is_pod_ready(pods[0])
                numbers["available"] += is_pod_available(pods[0], min_ready, cluster.now())
                numbers["updated"] += is_pod_updated(pods[0], hash_, generation)
        elif pods:
            numbers["mis"] += 1
    return numbers


def actual_status(ds: dict[str, Any]) -> dict[str, int]:
    s = ds.get("status") or {}
    return {"desired": s.get("desiredNumberScheduled", 0),
            "current": s.get("currentNumberScheduled", 0),
            "mis": s.get("numberMisscheduled", 0), "ready": s.get("numberReady", 0),
            "available": s.get("numberAvailable", 0),
            "updated": s.get("updatedNumberScheduled", 0)}


def check_settled(cluster: Cluster) -> None:
    for ds in cluster.store.list("DaemonSet", "default"):
        if is_terminating(ds):
            continue
        assert actual_status(ds) == expected_status(cluster, ds), ds["metadata"]["name"]
        hash_ = cluster.daemonsets.states[ds["metadata"]["uid"]].hash
        rolling = (ds["spec"].get("updateStrategy") or {}).get("type") == "RollingUpdate"
        pods = cluster.pods_of(ds["metadata"]["name"])
        # A pod deleted on a node whose kubelet is gone stays Terminating and uses up the
        # maxUnavailable budget: upstream's rollout stalls there (reference section 5.5).
        stalled = any(is_terminating(p) and not cluster.node_is_up(target_node_name(p))
                      for p in pods)
        for node in cluster.store.list("Node"):
            name = node["metadata"]["name"]
            placement = node_should_run_daemon_pod(node, ds)
            here = [p for p in pods if target_node_name(p) == name and not is_terminating(p)]
            if not placement.should_continue_running:
                assert here == [], f"{name} must not keep a pod of {ds['metadata']['name']}"
            if placement.should_run and cluster.node_is_up(name):
                # Every eligible node: exactly one pod, current if the strategy rolls.
                assert len(here) == 1, f"{name}: {[p['metadata']['name'] for p in here]}"
                if rolling and not stalled:
                    assert here[0]["metadata"]["labels"][DAEMONSET_UNIQUE_LABEL] == hash_
                    assert is_pod_ready(here[0])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(node_op, ds_op), min_size=1, max_size=14))
@example([("fail", "node-0"), ("ds-image", "a", 2)])  # the section 5.5 stall
@example([("taint", "node-1", 1), ("ds-create", "b", False, True), ("untaint", "node-1")])
def test_sim_settled_cluster_keeps_daemonset_invariants(ops: list[tuple[Any, ...]]) -> None:
    cluster = Cluster()
    for name in NODE_NAMES[:3]:
        cluster.add_node(name, ready=True)
    cluster.create(daemonset("a"))
    cluster.advance()
    for op in ops:
        apply_op(cluster, op)
        check_settled(cluster)


max_unavailable = st.one_of(st.integers(1, 4), st.sampled_from(["10%", "25%", "50%", "100%"]))
max_surge = st.one_of(st.integers(1, 4), st.sampled_from(["10%", "50%", "100%"]))


@settings(max_examples=40, deadline=None)
@given(nodes=st.integers(1, 8), surge=st.booleans(), unavailable=max_unavailable,
       surge_value=max_surge, min_ready=st.sampled_from([0, 0, 3]))
def test_sim_rolling_update_respects_its_budget(nodes: int, surge: bool, unavailable: int | str,
                                                surge_value: int | str, min_ready: int) -> None:
    cluster = Cluster()
    for i in range(nodes):
        cluster.add_node(f"node-{i}", ready=True)
    rolling = ({"maxUnavailable": 0, "maxSurge": surge_value} if surge
               else {"maxUnavailable": unavailable, "maxSurge": 0})
    ds = daemonset("a", strategy={"type": "RollingUpdate", "rollingUpdate": rolling})
    ds["spec"]["minReadySeconds"] = min_ready
    cluster.create(ds)
    cluster.advance()
    obj = cluster.get("DaemonSet", "default", "a")
    obj["spec"]["template"]["spec"]["containers"][0]["image"] = "agent:2"
    cluster.update(obj)
    budget = nodes if isinstance(unavailable, str) and unavailable == "100%" else None
    for _ in range(400):
        status = actual_status(cluster.get("DaemonSet", "default", "a"))
        assert status == expected_status(cluster, cluster.find("DaemonSet", "default", "a"))
        if surge:
            # With surge the old pod serves until its replacement is available.
            assert status["available"] >= status["desired"]
        else:
            limit = budget if budget is not None else _scaled(unavailable, nodes)
            assert status["desired"] - status["available"] <= limit
        if status["updated"] == nodes and status["available"] == nodes:
            break
        cluster.advance(1)
    else:
        raise AssertionError("the rollout did not finish")


def _scaled(value: int | str, total: int) -> int:
    if isinstance(value, int):
        return value
    return -(-int(value[:-1]) * total // 100)
