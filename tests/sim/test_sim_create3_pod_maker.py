"""create3's create-burst shortcuts held to the general paths they replace:
daemon_pod_maker (a revision's shared parts worked out once per burst) against
new_daemon_pod_reference (below: new_daemon_pod as it was, the pod built key by key);
uid() and uid_text (the fixed UUID bits set on the number) against uid_text_reference
(below: the old formatting); and
ApiServer._generate_free_key for pods (the free-name search, by store key in the pod
table) against free_name_reference (below: _generate_free_name as it was, asking
Store.get)."""

from __future__ import annotations

import copy
import json
import random
import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dstutor.controller import shared
from dstutor.controller.daemon_pod import daemon_pod_maker, new_daemon_pod
from dstutor.controller.daemonset_util import node_name_affinity
from dstutor.controller.state import DaemonSetState
from dstutor.model.objects import DAEMONSET_UNIQUE_LABEL, TEMPLATE_GENERATION_LABEL, Obj
from dstutor.model.shapes import POD, POD_METADATA, POD_STATUS, pod_spec_shape
from dstutor.model.sharedguard import share
from dstutor.sim.apiserver import MAX_NAME_GENERATION_ATTEMPTS
from dstutor.sim.cluster import Cluster
from dstutor.sim.namegen import NameGenerator, uid_text


def new_daemon_pod_reference(ds: Obj, state: DaemonSetState, node_name: str,
                             generate_name: str, owner_refs: list[Obj]) -> Obj:
    """new_daemon_pod as it was before daemon_pod_maker (key by key, every pod)."""
    template = ds["spec"]["template"]
    tmeta = template.get("metadata") or {}
    key = (state.hash, state.template_generation)
    if state.pod_labels_key != key:
        pod_labels = dict(tmeta.get("labels") or {})
        pod_labels[DAEMONSET_UNIQUE_LABEL] = state.hash
        if state.template_generation is not None:
            pod_labels[TEMPLATE_GENERATION_LABEL] = state.template_generation
        state.pod_labels, state.pod_labels_key = share(pod_labels), key
    pod_labels = state.pod_labels
    meta = POD_METADATA.new()
    meta["generateName"] = generate_name
    meta["namespace"] = ds["metadata"]["namespace"]
    meta["labels"] = pod_labels
    meta["ownerReferences"] = owner_refs
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    spec = pod_spec_shape(state.pod_spec).filled(state.pod_spec)
    if spec.get("affinity"):
        affinity = dict(spec["affinity"])
        node_affinity = dict(affinity.get("nodeAffinity") or {})
        node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = (
            node_name_affinity(node_name))
        affinity["nodeAffinity"] = node_affinity
        spec["affinity"] = affinity
    else:
        spec["affinity"] = shared.pinned_affinity(node_name)
    status = POD_STATUS.new()
    status["phase"] = "Pending"
    status["qosClass"] = state.qos_class
    pod = POD.new()
    pod["apiVersion"] = "v1"
    pod["kind"] = "Pod"
    pod["metadata"] = meta
    pod["spec"] = spec
    pod["status"] = status
    return pod


def uid_text_reference(bits: int) -> str:
    """namegen.uid_text as it was before create3 (the hex digits, with the version and
    variant digits pasted in)."""
    h = f"{bits:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[(bits >> 60) & 3]}{h[17:20]}-{h[20:32]}"


def _daemonset(name: str, *, annotations: bool = False, affinity: bool = False,
               extra_spec: bool = False) -> dict[str, Any]:
    labels = {"app": name}
    tmeta: dict[str, Any] = {"labels": labels}
    if annotations:
        tmeta["annotations"] = {"note": "x", "other.example.com/k": "v"}
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": f"{name}:1"}]}
    if extra_spec:
        spec["tolerations"] = [{"operator": "Exists"}]
        spec["hostNetwork"] = True
        spec["priorityClassName"] = "system-node-critical"
    if affinity:
        spec["affinity"] = {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [
                    {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]}]},
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {"weight": 1, "preference": {"matchExpressions": [
                        {"key": "zone", "operator": "In", "values": ["a"]}]}}]},
            "podAffinity": {}}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": tmeta, "spec": spec}}}


def _shape(value: Any) -> Any:
    """The value with every dict's key order made visible (as -o json/yaml shows it)."""
    if isinstance(value, dict):
        return [(k, _shape(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


CASES = [dict(), dict(annotations=True), dict(affinity=True), dict(extra_spec=True),
         dict(annotations=True, affinity=True, extra_spec=True)]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "+".join(c) or "plain")
def test_maker_builds_the_reference_pod(case: dict[str, bool]) -> None:
    cluster = Cluster(record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"n{i}", ready=True)
    cluster.create(_daemonset("a", **case))
    cluster.advance()
    ds = cluster.store.get("DaemonSet", "default", "a")
    assert ds is not None
    controller = cluster.daemonsets
    state = controller.states[ds["metadata"]["uid"]]
    generate_name, owner_refs = controller._pod_owner_parts(ds, state)
    make = daemon_pod_maker(ds, state, generate_name, owner_refs)
    for node in ("n0", "n1", "node-with-a-longer-name"):
        made = make(node)
        single = new_daemon_pod(ds, state, node, generate_name, owner_refs)
        ref = new_daemon_pod_reference(ds, state, node, generate_name, owner_refs)
        for pod in (made, single):
            assert pod == ref
            assert json.dumps(pod) == json.dumps(ref)  # key order, as -o json shows it
            assert _shape(pod) == _shape(ref)
            # The same parts shared, the same parts the pod's own.
            assert pod["metadata"]["labels"] is ref["metadata"]["labels"]
            assert pod["metadata"]["ownerReferences"] is ref["metadata"]["ownerReferences"]
            assert pod["spec"]["containers"] is ref["spec"]["containers"]
            for part in ("metadata", "spec", "status"):
                assert pod[part] is not ref[part]
                # Key-sharing kept: the same size as the reference's dicts.
                assert sys.getsizeof(pod[part]) == sys.getsizeof(ref[part])
            assert sys.getsizeof(pod) == sys.getsizeof(ref)
            if case.get("annotations"):
                assert pod["metadata"]["annotations"] is not ref["metadata"]["annotations"]
            if case.get("affinity"):
                assert pod["spec"]["affinity"] is not ref["spec"]["affinity"]
            else:
                assert pod["spec"]["affinity"] is ref["spec"]["affinity"]  # one per node
        assert made is not single


@given(st.integers(min_value=0, max_value=(1 << 128) - 1))
def test_uid_text_is_the_reference(bits: int) -> None:
    assert uid_text(bits) == uid_text_reference(bits)


@pytest.mark.parametrize("bits", [0, (1 << 128) - 1, 0xF << 76, 0x3 << 62, 1 << 127, 1])
def test_uid_text_edges(bits: int) -> None:
    text = uid_text(bits)
    assert text == uid_text_reference(bits)
    assert len(text) == 36 and text[14] == "4" and text[19] in "89ab"


@pytest.mark.parametrize("seed", [0, 1, 42, 2026])
def test_uid_draws_as_uid_text(seed: int) -> None:
    general, fast = NameGenerator(seed), NameGenerator(seed)
    rng = random.Random(seed)
    for _ in range(300):
        # Interleaved with suffixes, as a create burst draws them.
        assert fast.suffix() == general.suffix()
        assert fast.uid() == uid_text_reference(general._rng.getrandbits(128))
        if rng.random() < 0.3:
            assert fast.uid_bits() == general.uid_bits()


def _pod(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "x"}]}}


@pytest.mark.parametrize("taken", [0, 1, 3, MAX_NAME_GENERATION_ATTEMPTS - 1,
                                   MAX_NAME_GENERATION_ATTEMPTS])
@pytest.mark.parametrize("namespace", ["default", "kube-system"])
def test_free_pod_key_is_the_free_name(taken: int, namespace: str) -> None:
    """Its first `taken` draws already stored: the same name, the same answer to whether
    it is known free, and the same draws left, as _generate_free_name."""
    base, seed = "agent-", 11
    predicted = NameGenerator(seed)
    names = [predicted.generate(base) for _ in range(taken)]
    answers = []
    for fast in (True, False):
        cluster = Cluster(record_pod_events=False)
        for name in names:
            pod = _pod(name)
            pod["metadata"]["namespace"] = namespace
            pod["metadata"]["uid"] = f"uid-{name}"
            cluster.store.put(pod)
        cluster.api.names = NameGenerator(seed)
        if fast:
            key, free = cluster.api._generate_free_key("Pod", namespace, base)
            assert key[:2] == ("Pod", namespace)
            found = (key[2], free)
        else:
            found = free_name_reference(cluster, "Pod", namespace, base)
        after = copy.deepcopy(cluster.api.names).generate(base)
        answers.append((found, after))
    assert answers[0] == answers[1]
    name, free = answers[0][0]
    # (The last attempt goes unchecked: the caller's own check then looks.)
    assert free == (taken < MAX_NAME_GENERATION_ATTEMPTS - 1)
    assert (name in names) == (taken >= MAX_NAME_GENERATION_ATTEMPTS)


def free_name_reference(cluster: Cluster, kind: str, namespace: str, base: str
                        ) -> tuple[str, bool]:
    """ApiServer._generate_free_name as it was before create3: each draw asked of
    Store.get; only the last attempt goes unchecked."""
    api = cluster.api
    name = api.names.generate(base)
    for _ in range(MAX_NAME_GENERATION_ATTEMPTS - 1):
        if api.store.get(kind, namespace, name) is None:
            return name, True
        name = api.names.generate(base)
    return name, False
