"""ValidatePodUpdate (dstutor/model/podupdate.py): what a user may change in a pod that
exists, with the API server's exact causes. Upstream: kubernetes/kubernetes
pkg/apis/core/validation/validation.go (ValidatePodUpdate, ValidateContainerUpdates,
validateOnlyAddedTolerations, validateOnlyDeletedSchedulingGates,
ValidatePodSpecificAnnotationUpdates)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dstutor.model.admission import add_default_toleration_seconds
from dstutor.model.defaults import apply_defaults
from dstutor.model.podupdate import (
    POD_UPDATE_FORBIDDEN,
    admit_pod_update,
    semantically_equal,
    validate_pod_update,
)
from dstutor.model.validation import validate

Obj = dict[str, Any]

FORBIDDEN = (
    "spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
    "set to 1 if it was previously negative)"
)
ADD_REMOVE = "spec.containers: Forbidden: pod updates may not add or remove containers"
TOLERATION = ("spec.tolerations: Forbidden: existing toleration can not be modified except its "
              "tolerationSeconds")


def stored_pod() -> Obj:
    """A pod as the API server stores it: defaulted, admitted, bound."""
    pod: Obj = {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
                                 "resources": {"requests": {"cpu": "100m"}}}],
                 "initContainers": [{"name": "init", "image": "busybox:1.36"}],
                 "volumes": [{"name": "cache", "emptyDir": {}}]},
    }
    apply_defaults(pod)
    add_default_toleration_seconds(pod["spec"])
    pod["spec"].update({"nodeName": "worker-1", "priority": 0,
                        "preemptionPolicy": "PreemptLowerPriority"})
    return pod


def causes(mutate: Callable[[Obj], Any], old: Obj | None = None) -> list[str]:
    old = old or stored_pod()
    new = copy.deepcopy(old)
    mutate(new)
    apply_defaults(new)
    admit_pod_update(new, old)
    return validate(new, old)


def ctr(pod: Obj) -> Obj:
    return pod["spec"]["containers"][0]


def set_in(path: str, value: Any) -> Callable[[Obj], None]:
    def mutate(pod: Obj) -> None:
        *parents, last = path.split(".")
        node: Any = pod
        for part in parents:
            node = node[int(part)] if part.isdigit() else node.setdefault(part, {})
        node[int(last) if last.isdigit() else last] = value
    return mutate


def remove(path: str) -> Callable[[Obj], None]:
    def mutate(pod: Obj) -> None:
        *parents, last = path.split(".")
        node: Any = pod
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]
    return mutate


def with_deadline(seconds: int) -> Obj:
    pod = stored_pod()
    pod["spec"]["activeDeadlineSeconds"] = seconds
    return pod


GPU_TOLERANT = {**stored_pod(), "spec": {**stored_pod()["spec"], "tolerations": [
    {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}]}}

ALLOWED: list[tuple[str, Callable[[Obj], Any], Obj | None]] = [
    ("nothing", lambda p: None, None),
    ("label", set_in("metadata.labels.tier", "front"), None),
    ("annotation", set_in("metadata.annotations.note", "hi"), None),
    ("image", set_in("spec.containers.0.image", "nginx:1.28"), None),
    ("init image", set_in("spec.initContainers.0.image", "busybox:1.37"), None),
    ("deadline set", set_in("spec.activeDeadlineSeconds", 60), None),
    ("deadline lowered", set_in("spec.activeDeadlineSeconds", 30), with_deadline(60)),
    ("deadline same", set_in("spec.activeDeadlineSeconds", 60), with_deadline(60)),
    ("toleration added", lambda p: p["spec"]["tolerations"].append(
        {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}), None),
    ("tolerationSeconds changed", set_in("spec.tolerations.0.tolerationSeconds", 5), None),
    ("tolerations reordered", lambda p: p["spec"]["tolerations"].reverse(), None),
    # DefaultTolerationSeconds runs on updates too and puts the dropped one back.
    ("default toleration dropped", lambda p: p["spec"]["tolerations"].pop(0), None),
    # Priority keeps what it resolved on create when the update leaves it out.
    ("priority left out", lambda p: (p["spec"].pop("priority"),
                                     p["spec"].pop("preemptionPolicy")), None),
    # Semantic.DeepEqual: the same quantity, nil vs empty slices and maps, zero values.
    ("same quantity", set_in("spec.containers.0.resources.requests.cpu", "0.1"), None),
    ("empty env", set_in("spec.containers.0.env", []), None),
    ("empty nodeSelector", set_in("spec.nodeSelector", {}), None),
    ("explicit hostNetwork false", set_in("spec.hostNetwork", False), None),
    ("explicit empty hostname", set_in("spec.hostname", ""), None),
    ("grace 1 after negative", set_in("spec.terminationGracePeriodSeconds", 1),
     {**stored_pod(), "spec": {**stored_pod()["spec"], "terminationGracePeriodSeconds": -1}}),
]


@pytest.mark.parametrize(("mutate", "old"), [(m, o) for _, m, o in ALLOWED],
                         ids=[name for name, _, _ in ALLOWED])
def test_allowed_pod_updates(mutate: Callable[[Obj], Any], old: Obj | None) -> None:
    assert causes(mutate, old) == []


FORBIDDEN_CASES: list[tuple[str, Callable[[Obj], Any], Obj | None, list[str]]] = [
    ("env added", set_in("spec.containers.0.env", [{"name": "A", "value": "b"}]), None,
     [FORBIDDEN]),
    ("port added", set_in("spec.containers.0.ports", [{"containerPort": 80}]), None, [FORBIDDEN]),
    ("cpu changed", set_in("spec.containers.0.resources.requests.cpu", "200m"), None, [FORBIDDEN]),
    ("limit added", set_in("spec.containers.0.resources.limits", {"memory": "64Mi"}), None,
     [FORBIDDEN]),
    ("command", set_in("spec.containers.0.command", ["sh"]), None, [FORBIDDEN]),
    ("args", set_in("spec.containers.0.args", ["-v"]), None, [FORBIDDEN]),
    ("pull policy", set_in("spec.containers.0.imagePullPolicy", "Never"), None, [FORBIDDEN]),
    ("container securityContext {}", set_in("spec.containers.0.securityContext", {}), None,
     [FORBIDDEN]),
    ("nodeSelector", set_in("spec.nodeSelector", {"disktype": "ssd"}), None, [FORBIDDEN]),
    ("nodeName", set_in("spec.nodeName", "worker-2"), None, [FORBIDDEN]),
    ("nodeName removed", remove("spec.nodeName"), None, [FORBIDDEN]),
    ("serviceAccountName", set_in("spec.serviceAccountName", "robot"), None, [FORBIDDEN]),
    ("volume removed", remove("spec.volumes"), None, [FORBIDDEN]),
    ("emptyDir made hostPath", set_in("spec.volumes.0", {"name": "cache", "hostPath": {
        "path": "/tmp", "type": ""}}), None, [FORBIDDEN]),
    ("hostNetwork", set_in("spec.hostNetwork", True), None, [FORBIDDEN]),
    ("enableServiceLinks false", set_in("spec.enableServiceLinks", False), None, [FORBIDDEN]),
    ("grace changed", set_in("spec.terminationGracePeriodSeconds", 10), None, [FORBIDDEN]),
    ("grace 1 from positive", set_in("spec.terminationGracePeriodSeconds", 1), None,
     [FORBIDDEN]),
    ("priority changed", set_in("spec.priority", 5), None, [FORBIDDEN]),
    ("image and env", lambda p: (set_in("spec.containers.0.image", "nginx:2")(p),
                                 set_in("spec.containers.0.env", [{"name": "A"}])(p)), None,
     [FORBIDDEN]),
    ("container added", lambda p: p["spec"]["containers"].append(
        {"name": "side", "image": "busybox"}), None, [ADD_REMOVE]),
    ("container removed", set_in("spec.containers", []), None,
     ["spec.containers: Required value", ADD_REMOVE]),
    ("init container removed", remove("spec.initContainers"), None,
     ["spec.initContainers: Forbidden: pod updates may not add or remove containers"]),
    ("image with a space", set_in("spec.containers.0.image", " nginx"), None,
     ['spec.containers[0].image: Invalid value: " nginx": must not have leading or trailing '
      "whitespace"]),
    ("deadline raised", set_in("spec.activeDeadlineSeconds", 120), with_deadline(60),
     ["spec.activeDeadlineSeconds: Invalid value: 120: must be less than or equal to previous "
      "value"]),
    ("deadline removed", remove("spec.activeDeadlineSeconds"), with_deadline(60),
     ["spec.activeDeadlineSeconds: Invalid value: null: must not update from a positive "
      "integer to nil value"]),
    ("deadline negative", set_in("spec.activeDeadlineSeconds", -1), None,
     ["spec.activeDeadlineSeconds: Invalid value: -1: must be between 1 and 2147483647, "
      "inclusive",
      "spec.activeDeadlineSeconds: Invalid value: -1: must be between 0 and 2147483647, "
      "inclusive"]),
    ("deadline zero", set_in("spec.activeDeadlineSeconds", 0), with_deadline(60),
     ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, "
      "inclusive"]),
    ("toleration removed", lambda p: p["spec"]["tolerations"].pop(0), GPU_TOLERANT,
     [TOLERATION]),
    ("toleration changed", set_in("spec.tolerations.0.key", "tpu"), GPU_TOLERANT, [TOLERATION]),
    # The changed default comes back through DefaultTolerationSeconds: only the
    # changed one's own validation is left.
    ("default toleration changed", set_in("spec.tolerations.0.effect", "NoSchedule"), None,
     ["spec.tolerations[0].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' "
      "when `tolerationSeconds` is set"]),
    ("gate added", lambda p: p["spec"]["schedulingGates"].append({"name": "g2"}),
     {**stored_pod(), "spec": {**stored_pod()["spec"], "schedulingGates": [{"name": "g1"}]}},
     ["spec.schedulingGates[1].name: Forbidden: only deletion is allowed, but found new "
      "scheduling gate 'g2'"]),
    ("mirror annotation added",
     set_in("metadata.annotations", {"kubernetes.io/config.mirror": "x"}), None,
     ["metadata.annotations[kubernetes.io/config.mirror]: Forbidden: may not add mirror pod "
      "annotation"]),
    ("label and env", lambda p: (set_in("metadata.labels.x", "-bad-")(p),
                                 set_in("spec.containers.0.env", [{"name": "A"}])(p)), None,
     ["metadata.labels: Invalid value: \"-bad-\": a valid label must be an empty string or "
      "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
      "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')", FORBIDDEN]),
]


@pytest.mark.parametrize(("mutate", "old", "expected"),
                         [(m, o, e) for _, m, o, e in FORBIDDEN_CASES],
                         ids=[name for name, _, _, _ in FORBIDDEN_CASES])
def test_forbidden_pod_updates(mutate: Callable[[Obj], Any], old: Obj | None,
                               expected: list[str]) -> None:
    assert causes(mutate, old) == expected


def test_the_forbidden_line_is_upstreams_updatable_fields_joined_with_commas() -> None:
    assert f"spec: Forbidden: {POD_UPDATE_FORBIDDEN}" == FORBIDDEN


def test_a_mirror_pods_annotation_may_not_change_or_go() -> None:
    old = stored_pod()
    old["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "abc"}
    changed = causes(set_in("metadata.annotations", {"kubernetes.io/config.mirror": "x"}), old)
    removed = causes(set_in("metadata.annotations", {}), old)
    expected = ["metadata.annotations[kubernetes.io/config.mirror]: Forbidden: may not remove "
                "or update mirror pod annotation"]
    assert changed == removed == expected


def test_a_gated_pods_node_selector_may_only_grow() -> None:
    old = stored_pod()
    old["spec"].update({"schedulingGates": [{"name": "g"}], "nodeSelector": {"a": "b"}})
    grown = causes(set_in("spec.nodeSelector", {"a": "b", "c": "d"}), old)
    changed = causes(set_in("spec.nodeSelector", {"a": "z", "c": "d"}), old)
    gate_gone = causes(remove("spec.schedulingGates"), old)
    assert (grown, gate_gone) == ([], [])
    assert changed == ['spec.nodeSelector: Invalid value: {"a":"z","c":"d"}: only additions to '
                       "spec.nodeSelector are allowed (no mutations or deletions)"]


def test_creates_do_not_get_update_rules() -> None:
    pod = stored_pod()
    pod["spec"]["containers"][0]["env"] = [{"name": "A", "value": "b"}]
    assert validate(pod) == []


def test_admission_on_update_fills_only_what_the_update_left_out() -> None:
    old = stored_pod()
    new = copy.deepcopy(old)
    new["spec"].update({"priority": 7, "tolerations": []})
    del new["spec"]["preemptionPolicy"]
    admit_pod_update(new, old)
    assert new["spec"]["priority"] == 7
    assert new["spec"]["preemptionPolicy"] == "PreemptLowerPriority"
    assert [t["key"] for t in new["spec"]["tolerations"]] == [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]


def test_validation_leaves_both_pods_as_they_were() -> None:
    old = stored_pod()
    new = copy.deepcopy(old)
    new["spec"]["containers"][0]["env"] = [{"name": "A"}]
    before = copy.deepcopy((new, old))
    assert validate_pod_update(new, old) == [FORBIDDEN]
    assert (new, old) == before


@pytest.mark.parametrize(("a", "b", "equal"), [
    ({"cpu": "1"}, {"cpu": "1000m"}, True),
    ({"limits": {"cpu": "1"}}, {"limits": {"cpu": "1000m"}}, True),
    ({"env": []}, {}, True),
    ({"emptyDir": {}}, {}, False),
    ({"privileged": False}, {}, False),
    ({"stdin": False}, {}, True),
    ({"containerPort": 0}, {}, True),
    ({"port": 80}, {"port": "80"}, False),
])
def test_semantic_equality_follows_the_internal_go_types(a: Obj, b: Obj, equal: bool) -> None:
    if "cpu" in a:  # a quantity is only a quantity inside a resource list
        a, b = {"requests": a}, {"requests": b}
    assert semantically_equal(a, b) is equal


IMAGES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789:./-", min_size=1, max_size=20)


@given(image=IMAGES, init_image=IMAGES, deadline=st.integers(1, 2**31 - 1),
       seconds=st.integers(0, 10**6))
def test_the_updatable_fields_are_always_updatable(image: str, init_image: str, deadline: int,
                                                   seconds: int) -> None:
    def mutate(pod: Obj) -> None:
        pod["spec"]["containers"][0]["image"] = image
        pod["spec"]["initContainers"][0]["image"] = init_image
        pod["spec"]["activeDeadlineSeconds"] = deadline
        pod["spec"]["tolerations"][0]["tolerationSeconds"] = seconds
        pod["spec"]["tolerations"].append({"key": "k", "operator": "Exists"})
    assert causes(mutate) == []


@given(name=st.sampled_from(["A", "B_2", "LOG_LEVEL"]), port=st.integers(1, 65535))
def test_any_other_container_field_is_refused_with_the_one_line(name: str, port: int) -> None:
    def mutate(pod: Obj) -> None:
        ctr(pod)["env"] = [{"name": name, "value": "x"}]
        ctr(pod)["ports"] = [{"containerPort": port}]
    assert causes(mutate) == [FORBIDDEN]
