"""The create path's short ways change nothing a learner can see: the same scenario run
with them and with the general paths they stand for (the full NodeAffinity match, the
room question asked afresh, priority admission per pod, fresh owner parts per pod)
leaves every object of every kind, events included, exactly alike."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st
from sim_builders import priority_class

from dstutor.controller import scheduler as scheduler_module
from dstutor.controller import shared
from dstutor.controller.daemonset import DaemonSetsController
from dstutor.controller.scheduler import Scheduler, room_is_certain
from dstutor.model import objects
from dstutor.model.admission import PriorityAnswers
from dstutor.model.kinds import KINDS
from dstutor.model.objects import Obj, canonical_json, new_controller_ref
from dstutor.model.priority import resolve_pod_priority
from dstutor.model.selectors import pod_matches_node_affinity
from dstutor.sim.cluster import Cluster

ZONES = ["a", "b"]
TAINTS = [None, {"key": "dedicated", "value": "x", "effect": "NoSchedule"},
          {"key": "dedicated", "value": "x", "effect": "NoExecute"}]

NODE = st.fixed_dictionaries({"zone": st.sampled_from(ZONES),
                              "taint": st.sampled_from(TAINTS),
                              "pods": st.sampled_from([None, "1", "2", "110"])})
DAEMONSET = st.fixed_dictionaries({
    "selector": st.sampled_from([None, "a", "b"]),
    "tolerate": st.booleans(),
    "cpu": st.sampled_from([None, "100m", "64"]),
    "host_port": st.booleans(),
    "priority": st.sampled_from([None, "high", "missing"]),
})
ACTION = st.one_of(
    st.tuples(st.just("advance"), st.sampled_from([1, 5, 30])),
    st.tuples(st.just("join"), NODE),
    st.tuples(st.just("relabel"), st.integers(0, 5), st.sampled_from(ZONES)),
    st.tuples(st.just("class"), st.sampled_from(["missing", "high"])),
)


def _daemonset(i: int, d: dict[str, Any]) -> Obj:
    container: Obj = {"name": "c", "image": f"agent:{i}"}
    if d["cpu"]:
        container["resources"] = {"requests": {"cpu": d["cpu"]}}
    if d["host_port"]:
        container["ports"] = [{"containerPort": 9100, "hostPort": 9100}]
    spec: Obj = {"containers": [container]}
    if d["selector"]:
        spec["nodeSelector"] = {"zone": d["selector"]}
    if d["tolerate"]:
        spec["tolerations"] = [{"key": "dedicated", "operator": "Exists"}]
    if d["priority"]:
        spec["priorityClassName"] = d["priority"]
    labels = {"app": f"ds-{i}"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": f"ds-{i}", "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": spec}}}


def _priority_class(name: str) -> Obj:
    return priority_class(name, 1000 if name == "high" else 5)


def _join(cluster: Cluster, n: int, node: dict[str, Any]) -> None:
    cluster.add_node(f"node-{n}", ready=True, labels={"zone": node["zone"]},
                     taints=[node["taint"]] if node["taint"] else None,
                     capacity={"pods": node["pods"]} if node["pods"] else None)


def _run(nodes: list[dict[str, Any]], daemonsets: list[dict[str, Any]],
         actions: list[tuple[Any, ...]]) -> list[str]:
    cluster = Cluster(seed=3)
    cluster.create(_priority_class("high"))
    for n, node in enumerate(nodes):
        _join(cluster, n, node)
    for i, d in enumerate(daemonsets):
        cluster.create(_daemonset(i, d))
    states = [_snapshot(cluster)]
    joined = len(nodes)
    for action in actions:
        if action[0] == "advance":
            cluster.advance(action[1])
        elif action[0] == "join":
            _join(cluster, joined, action[1])
            joined += 1
        elif action[0] == "relabel":
            node_obj = cluster.store.get("Node", "", f"node-{action[1] % joined}")
            if node_obj is not None:
                changed = cluster.get("Node", "", node_obj["metadata"]["name"])
                changed["metadata"]["labels"]["zone"] = action[2]
                cluster.update(changed)
        elif cluster.store.get("PriorityClass", "", action[1]) is None:
            cluster.create(_priority_class(action[1]))
        states.append(_snapshot(cluster))
    cluster.advance(60)
    states.append(_snapshot(cluster))
    return states


def _snapshot(cluster: Cluster) -> str:
    return canonical_json({"now": cluster.now(),
                           "objects": {kind: cluster.store.list(kind) for kind in sorted(KINDS)}})


def _general_paths() -> ExitStack:
    """The short ways replaced by what they stand for."""
    stack = ExitStack()

    def owner_parts(self: DaemonSetsController, ds: Obj, state: Any) -> tuple[str, list[Obj]]:
        return f"{ds['metadata']['name']}-", [state.controller_ref or new_controller_ref(ds)]

    stack.enter_context(mock.patch.object(
        scheduler_module, "matches_node_affinity",
        lambda spec, node, pinned="": pod_matches_node_affinity(spec, node)))
    stack.enter_context(mock.patch.object(
        Scheduler, "_room_is_certain",
        lambda self, pod, node, indexed: room_is_certain(pod, node, indexed)))
    stack.enter_context(mock.patch.object(
        PriorityAnswers, "resolve",
        lambda self, spec: resolve_pod_priority(spec, dict(self.classes))))
    stack.enter_context(mock.patch.object(DaemonSetsController, "_pod_owner_parts",
                                          owner_parts))
    # target_node_name walks every affinity, the shared pinning ones included.
    stack.enter_context(mock.patch.dict(objects._PINNED_AFFINITIES, clear=True))
    stack.enter_context(mock.patch.object(objects, "register_pinned_affinity",
                                          lambda affinity, node_name: None))
    stack.enter_context(mock.patch.object(shared, "register_pinned_affinity",
                                          lambda affinity, node_name: None))
    return stack


@settings(max_examples=30, deadline=None)
@given(nodes=st.lists(NODE, min_size=1, max_size=4),
       daemonsets=st.lists(DAEMONSET, min_size=1, max_size=3),
       actions=st.lists(ACTION, max_size=5))
def test_short_and_general_create_paths_agree(nodes: list[dict[str, Any]],
                                              daemonsets: list[dict[str, Any]],
                                              actions: list[tuple[Any, ...]]) -> None:
    short = _run(nodes, daemonsets, actions)
    with _general_paths():
        general = _run(nodes, daemonsets, actions)
    assert short == general
