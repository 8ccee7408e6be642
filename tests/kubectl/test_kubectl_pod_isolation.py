"""Pods of one DaemonSet share parts of their objects (the spec's containers, tolerations
and node pinning, labels, ownerReferences, status fragments). Whatever a learner does to
one pod through kubectl, and whatever the API server refuses on the way, no other pod and
none of the shared parts the controller builds the next pods from may change."""

from __future__ import annotations

import json

import pytest
from pod_isolation import NODES, daemonset, settled, shared_parts

from dstutor.controller import shared
from dstutor.kubectl.dispatch import run
from dstutor.model.objects import Obj, canonical_json
from dstutor.sim.cluster import Cluster

DS = daemonset({"name": "agent", "image": "agent:1", "ports": [{"containerPort": 80}]})


def _cluster() -> tuple[Cluster, str]:
    return settled(DS)


def _json_patch(ops: list[Obj]) -> str:
    return f"--type=json -p '{json.dumps(ops)}'"


# Every way kubectl writes to one pod, the refused ones included (a refused write must
# not have changed anything on its way to the refusal either).
COMMANDS = [
    "kubectl label pod {pod} extra=yes",
    "kubectl label pod {pod} app=other --overwrite",
    "kubectl annotate pod {pod} note=hi",
    "kubectl set image pod/{pod} agent=agent:2",
    "kubectl patch pod {pod} -p '{\"metadata\":{\"labels\":{\"k\":\"v\"}}}'",
    "kubectl patch pod {pod} --type=merge -p '{\"spec\":{\"activeDeadlineSeconds\":60}}'",
    "kubectl patch pod {pod} " + _json_patch([
        {"op": "add", "path": "/spec/tolerations/-",
         "value": {"key": "extra", "operator": "Exists", "effect": "NoSchedule"}}]),
    "kubectl patch pod {pod} " + _json_patch([
        {"op": "replace", "path": "/spec/containers/0/image", "value": "agent:3"}]),
    "kubectl patch pod {pod} " + _json_patch([
        {"op": "replace", "path": "/spec/containers/0/ports/0/containerPort", "value": 81}]),
    "kubectl patch pod {pod} " + _json_patch([
        {"op": "replace", "path": "/spec/affinity/nodeAffinity/"
         "requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/"
         "matchFields/0/values/0", "value": "node-b"}]),
    "kubectl patch pod {pod} " + _json_patch([
        {"op": "add", "path": "/metadata/ownerReferences/0/blockOwnerDeletion",
         "value": False}]),
    "kubectl patch pod {pod} " + _json_patch([
        {"op": "remove", "path": "/metadata/ownerReferences"}]),
    "kubectl delete pod {pod}",
]


def _shared_parts(cluster: Cluster) -> str:
    """What the controller builds the next pods from, and the node pinnings."""
    return canonical_json(shared_parts(cluster))


@pytest.mark.parametrize("command", COMMANDS)
def test_a_write_to_one_pod_changes_no_other_pod(command: str) -> None:
    cluster, target = _cluster()
    others = {p["metadata"]["name"]: canonical_json(p) for p in cluster.store.list("Pod")
              if p["metadata"]["name"] != target}
    parts = _shared_parts(cluster)
    run(cluster, command.replace("{pod}", target))
    after = {p["metadata"]["name"]: canonical_json(p) for p in cluster.store.list("Pod")}
    assert {name: after.get(name) for name in others} == others
    assert _shared_parts(cluster) == parts


def _changed_manifest(cluster: Cluster, name: str) -> str:
    pod = cluster.get("Pod", "default", name)
    pod["spec"]["containers"][0]["image"] = "agent:4"
    pod["spec"]["tolerations"].append({"key": "more", "operator": "Exists"})
    pod["metadata"]["labels"]["extra"] = "yes"
    return json.dumps(pod)


@pytest.mark.parametrize("verb", ["apply", "replace", "edit"])
def test_a_whole_object_write_to_one_pod_changes_no_other_pod(verb: str) -> None:
    cluster, target = _cluster()
    others = {p["metadata"]["name"]: canonical_json(p) for p in cluster.store.list("Pod")
              if p["metadata"]["name"] != target}
    parts = _shared_parts(cluster)
    manifest = _changed_manifest(cluster, target)
    if verb == "edit":
        result = run(cluster, f"kubectl edit pod {target} -o json",
                     editor=lambda _text: manifest)
    else:
        result = run(cluster, f"kubectl {verb} -f - <<EOF\n{manifest}\nEOF")
    assert result.exit_code == 0, result.stderr
    stored = cluster.store.get("Pod", "default", target)
    assert stored is not None and stored["spec"]["containers"][0]["image"] == "agent:4"
    after = {p["metadata"]["name"]: canonical_json(p) for p in cluster.store.list("Pod")}
    assert {name: after.get(name) for name in others} == others
    assert _shared_parts(cluster) == parts


def test_a_write_that_lands_shows_on_its_pod_only() -> None:
    cluster, target = _cluster()
    result = run(cluster, "kubectl patch pod " + target + " " + _json_patch([
        {"op": "replace", "path": "/spec/containers/0/image", "value": "agent:3"}]))
    assert result.exit_code == 0, result.stderr
    images = {p["metadata"]["name"]: p["spec"]["containers"][0]["image"]
              for p in cluster.store.list("Pod")}
    assert images[target] == "agent:3"
    assert {image for name, image in images.items() if name != target} == {"agent:1"}


def test_new_pods_of_a_daemonset_share_their_owner_parts() -> None:
    """What makes the test above worth having: the sharing is real."""
    cluster, _ = _cluster()
    pods = cluster.store.list("Pod")
    assert len(pods) == len(NODES)
    first, *rest = pods
    for pod in rest:
        assert pod["metadata"]["ownerReferences"] is first["metadata"]["ownerReferences"]
        assert pod["metadata"]["generateName"] is first["metadata"]["generateName"]
        assert pod["spec"]["containers"] is first["spec"]["containers"]
        assert pod["spec"]["affinity"] is shared.pinned_affinity(pod["spec"]["nodeName"])
