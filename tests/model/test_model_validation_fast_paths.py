"""The validators' shortcuts for valid input (issue 19: a 5,000-node snapshot's load checks
300,000 names and 300,000 tolerations) answer what their full checks answer: the same
causes for any input, and the same exception for a value of the wrong type. And a damaged
snapshot's object is named as before, though its paths are now made only for a message."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.model import names, taints
from dstutor.sim import snapshot
from dstutor.sim.clusterfile import default_cluster

# Names near the edges: the DNS alphabet, dots, a few that are not (upper case, '_',
# non-ASCII, whose bytes outnumber its characters), and lengths around 63 and 253.
NAME_CHARS = st.sampled_from(list("ab09-.") + ["A", "_", "é", "\u2603", " "])
NAMES = st.one_of(
    st.text(NAME_CHARS, max_size=12),
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "a."]),
              st.integers(min_value=60, max_value=260)),
)


def _outcome(check: Any, value: Any) -> object:
    try:
        return check(value)
    except Exception as exc:  # the same exception as the full check's, if any
        return type(exc), str(exc)


@settings(max_examples=300, deadline=None)
@given(NAMES)
def test_dns_names_answer_as_their_full_checks(name: str) -> None:
    assert names.validate_dns_subdomain(name) == names._dns_subdomain_errors(name)
    assert names.validate_dns_label(name) == names._dns_label_errors(name)


@pytest.mark.parametrize("value", [5, None, ["a"], b"abc", 1.5])
def test_dns_names_of_the_wrong_type_fail_as_the_full_checks_do(value: Any) -> None:
    assert _outcome(names.validate_dns_subdomain, value) == _outcome(
        names._dns_subdomain_errors, value)
    assert _outcome(names.validate_dns_label, value) == _outcome(names._dns_label_errors, value)


@pytest.mark.parametrize(("name", "valid"), [
    ("a", True), ("a" * 63, True), ("a" * 64, False), ("a.b", False), ("A", False),
    ("é", False), ("-a", False)])
def test_dns_label_table(name: str, valid: bool) -> None:
    assert (names.validate_dns_label(name) == []) is valid


@pytest.mark.parametrize(("name", "valid"), [
    ("a.b", True), ("a" * 253, True), ("a" * 254, False), ("a..b", False),
    ("é" * 100, False)])
def test_dns_subdomain_table(name: str, valid: bool) -> None:
    assert (names.validate_dns_subdomain(name) == []) is valid


# Toleration fields from the values that pass and those that fail each check, and some
# of the wrong type.
TOLERATIONS = st.fixed_dictionaries({}, optional={
    "key": st.sampled_from(["", "node.kubernetes.io/not-ready", "bad key", "a/b/c", 5]),
    "operator": st.sampled_from(["", "Exists", "Equal", "Bogus", 7]),
    "value": st.sampled_from(["", "gpu", "bad value!", "x" * 64, ["v"]]),
    "effect": st.sampled_from(["", "NoSchedule", "NoExecute", "PreferNoSchedule", "Bogus",
                               ["NoExecute"]]),
    "tolerationSeconds": st.sampled_from([None, 0, 300]),
})


def _full_tolerations(tolerations: list[Any], path: str) -> list[str]:
    """validate_tolerations without its shortcut: every toleration's full check."""
    errs: list[str] = []
    for i, tol in enumerate(tolerations):
        errs += taints._toleration_errors(tol if isinstance(tol, dict) else {},
                                          f"{path}[{i}]")
    return errs


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(TOLERATIONS, st.just("not a mapping")), max_size=4))
def test_tolerations_answer_as_their_full_check(tolerations: list[Any]) -> None:
    path = "spec.tolerations"
    assert _outcome(lambda t: taints.validate_tolerations(t, path), tolerations) == _outcome(
        lambda t: _full_tolerations(t, path), tolerations)


def test_the_tolerations_a_daemonset_adds_take_the_shortcut() -> None:
    added = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists",
              "effect": "NoExecute"},
             {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
              "effect": "NoExecute"},
             {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists",
              "effect": "NoSchedule"},
             {"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule",
              "tolerationSeconds": None}]
    assert all(taints._toleration_passes(t) for t in added)
    assert not taints._toleration_passes({"key": "gpu", "operator": "Exists",
                                          "value": "true"})


def _pod_state() -> tuple[dict[str, Any], int]:
    cluster = default_cluster(workers=1)
    cluster.advance()
    state = json.loads(json.dumps(snapshot.export_state(cluster)))
    index = next(i for i, o in enumerate(state["objects"]) if o["kind"] == "Pod")
    return state, index


# What a damaged object's metadata gave before the paths were made lazily (the messages
# were taken from the code before the change).
DAMAGED = [
    ("metadata", [], "objects[{i}].metadata must be a mapping, not []"),
    ("name", 5, "objects[{i}].metadata.name must be a string, not 5"),
    ("name", ..., "objects[{i}].metadata.name must be a string, not null"),
    ("namespace", 7, "objects[{i}].metadata.namespace must be a string, not 7"),
    ("uid", ["x"], 'objects[{i}].metadata.uid must be a string, not ["x"]'),
    ("name", "Bad_Name", "objects[{i}] (Pod 'Bad_Name') is invalid: metadata.name: "
                         'Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain'),
]


@pytest.mark.parametrize(("field", "value", "message"), DAMAGED)
def test_a_damaged_objects_metadata_is_named_as_before(field: str, value: Any,
                                                       message: str) -> None:
    state, index = _pod_state()
    obj = state["objects"][index]
    if field == "metadata":
        obj["metadata"] = value
    elif value is ...:
        del obj["metadata"][field]
    else:
        obj["metadata"][field] = value
    with pytest.raises(snapshot.SnapshotError) as caught:
        snapshot.validate(state)
    assert str(caught.value).startswith(
        "error: the snapshot is damaged: " + message.format(i=index))


def test_a_second_object_of_a_name_is_named_as_before() -> None:
    state, index = _pod_state()
    state["objects"].append(copy.deepcopy(state["objects"][index]))
    name = state["objects"][index]["metadata"]["name"]
    with pytest.raises(snapshot.SnapshotError, match=(
            rf"^error: the snapshot is damaged: objects\[{len(state['objects']) - 1}\] "
            rf"is a second Pod named '{name}'$")):
        snapshot.validate(state)


def test_a_namespace_of_null_is_still_accepted() -> None:
    state, index = _pod_state()
    state["objects"][index]["metadata"]["namespace"] = None
    snapshot.validate(state)
