"""Strategic merge patch, JSON merge patch and JSON patch, and apply's three-way merge."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstutor.model.strategicpatch import (
    PatchError,
    apply_three_way,
    json_patch,
    list_strategy,
    merge_patch,
    strategic_merge,
)


def _ds(containers: list, tolerations: list | None = None) -> dict:
    spec: dict = {"containers": containers}
    if tolerations is not None:
        spec["tolerations"] = tolerations
    return {"kind": "DaemonSet", "metadata": {"name": "x"},
            "spec": {"template": {"spec": spec}}}


def test_tags_come_from_the_v137_types() -> None:
    assert list_strategy("DaemonSet", "spec.template.spec.containers") == ("merge", "name")
    assert list_strategy("Pod", "spec.containers.ports") == ("merge", "containerPort")
    assert list_strategy("Pod", "spec.volumes") == ("merge,retainKeys", "name")
    assert list_strategy("Deployment", "spec.strategy") == ("retainKeys", "")
    assert list_strategy("DaemonSet", "spec.template.spec.tolerations") == ("", "")
    assert list_strategy("Node", "spec.podCIDRs") == ("merge", "")


def test_containers_merge_by_name() -> None:
    live = _ds([{"name": "a", "image": "a:1", "args": ["x"]}, {"name": "b", "image": "b:1"}])
    out = strategic_merge(live, {"spec": {"template": {"spec": {"containers": [
        {"name": "b", "image": "b:2"}, {"name": "c", "image": "c:1"}]}}}}, "DaemonSet")
    assert out["spec"]["template"]["spec"]["containers"] == [
        {"name": "a", "image": "a:1", "args": ["x"]}, {"name": "b", "image": "b:2"},
        {"name": "c", "image": "c:1"}]
    assert live["spec"]["template"]["spec"]["containers"][1]["image"] == "b:1"


def test_tolerations_are_replaced_whole() -> None:
    live = _ds([{"name": "a"}], [{"key": "k1", "operator": "Exists"}])
    out = strategic_merge(live, {"spec": {"template": {"spec": {"tolerations": [
        {"operator": "Exists"}]}}}}, "DaemonSet")
    assert out["spec"]["template"]["spec"]["tolerations"] == [{"operator": "Exists"}]


def test_directives() -> None:
    live = _ds([{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}])
    gone = strategic_merge(live, {"spec": {"template": {"spec": {"containers": [
        {"name": "a", "$patch": "delete"}]}}}}, "DaemonSet")
    assert gone["spec"]["template"]["spec"]["containers"] == [{"name": "b", "image": "b:1"}]
    replaced = strategic_merge(live, {"spec": {"template": {"spec": {"containers": [
        {"$patch": "replace"}, {"name": "z", "image": "z"}]}}}}, "DaemonSet")
    assert replaced["spec"]["template"]["spec"]["containers"] == [{"name": "z", "image": "z"}]
    whole = strategic_merge(live, {"spec": {"$patch": "replace", "minReadySeconds": 3}},
                            "DaemonSet")
    assert whole["spec"] == {"minReadySeconds": 3}
    assert strategic_merge({"metadata": {"labels": {"a": "1", "b": "2"}}},
                           {"metadata": {"labels": {"a": None}}}, "Pod") == {
        "metadata": {"labels": {"b": "2"}}}


def test_primitive_merge_lists_are_sets() -> None:
    live = {"metadata": {"finalizers": ["a", "b"]}}
    assert strategic_merge(live, {"metadata": {"finalizers": ["b", "c"]}}, "Pod") == {
        "metadata": {"finalizers": ["a", "b", "c"]}}
    assert strategic_merge(live, {"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}},
                           "Pod") == {"metadata": {"finalizers": ["b"]}}


@pytest.mark.parametrize("patch", [[1], "text", 3])
def test_strategic_patch_must_be_a_map(patch: object) -> None:
    with pytest.raises(PatchError, match="cannot unmarshal"):
        strategic_merge({}, patch, "Pod")


def test_missing_merge_key() -> None:
    with pytest.raises(PatchError, match="does not contain declared merge key: name"):
        strategic_merge(_ds([{"name": "a"}]), {"spec": {"template": {"spec": {
            "containers": [{"image": "x"}]}}}}, "DaemonSet")


def test_merge_patch_replaces_lists() -> None:
    live = _ds([{"name": "a", "image": "a:1"}, {"name": "b"}])
    out = merge_patch(live, {"spec": {"template": {"spec": {"containers": [{"name": "b"}]}}}})
    assert out["spec"]["template"]["spec"]["containers"] == [{"name": "b"}]


@pytest.mark.parametrize(("ops", "expected"), [
    ([{"op": "add", "path": "/a/-", "value": 3}], {"a": [1, 2, 3], "b": {"c": "d"}}),
    ([{"op": "add", "path": "/a/0", "value": 0}], {"a": [0, 1, 2], "b": {"c": "d"}}),
    ([{"op": "replace", "path": "/b/c", "value": "e"}], {"a": [1, 2], "b": {"c": "e"}}),
    ([{"op": "remove", "path": "/a/1"}], {"a": [1], "b": {"c": "d"}}),
    ([{"op": "move", "from": "/b/c", "path": "/z"}], {"a": [1, 2], "b": {}, "z": "d"}),
    ([{"op": "copy", "from": "/a", "path": "/y"}], {"a": [1, 2], "b": {"c": "d"}, "y": [1, 2]}),
    ([{"op": "test", "path": "/b/c", "value": "d"}], {"a": [1, 2], "b": {"c": "d"}}),
    ([{"op": "add", "path": "/b/x~1y", "value": 1}], {"a": [1, 2], "b": {"c": "d", "x/y": 1}}),
])
def test_json_patch(ops: list, expected: dict) -> None:
    assert json_patch({"a": [1, 2], "b": {"c": "d"}}, ops) == expected


@pytest.mark.parametrize(("ops", "message"), [
    # evanphx/json-patch v5's words, as the API server returns them
    ([{"op": "remove", "path": "/nope"}],
     "error in remove for path: '/nope': unable to remove nonexistent key: nope: missing value"),
    ([{"op": "remove", "path": "/x/y"}],
     'remove operation does not apply: doc is missing path: "/x/y": missing value'),
    ([{"op": "replace", "path": "/nope", "value": 1}],
     "replace operation does not apply: doc is missing key: /nope: missing value"),
    ([{"op": "replace", "path": "/x/y", "value": 1}],
     "replace operation does not apply: doc is missing path: /x/y: missing value"),
    ([{"op": "add", "path": "/x/y", "value": 1}],
     'add operation does not apply: doc is missing path: "/x/y": missing value'),
    ([{"op": "add", "path": "/a/9", "value": 1}],
     "error in add for path: '/a/9': Unable to access invalid index: 9: invalid index "
     "referenced"),
    ([{"op": "test", "path": "/b/c", "value": "z"}], "testing value /b/c failed: test failed"),
    ([{"op": "move", "from": "/q/r", "path": "/z"}],
     "move operation does not apply: doc is missing from path: /q/r: missing value"),
    ([{"op": "frob", "path": "/a"}], "Unexpected kind: frob"),
    ({"op": "add"}, "cannot unmarshal object"),
    ([{"op": "add", "path": "a", "value": 1}], "must start with a slash"),
])
def test_json_patch_errors(ops: object, message: str) -> None:
    with pytest.raises(PatchError, match=None) as err:
        json_patch({"a": [1, 2], "b": {"c": "d"}}, ops)
    assert message in str(err.value)
    if message[0].isupper() or message.startswith(("error in", "replace", "add", "remove")):
        assert str(err.value) == message


def test_apply_three_way_keeps_server_fields_in_containers() -> None:
    last = _ds([{"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}])
    live = _ds([{"name": "a", "image": "a:1", "terminationMessagePath": "/dev/t"},
                {"name": "b", "image": "b:1"}, {"name": "sidecar", "image": "s"}])
    new = _ds([{"name": "a", "image": "a:2"}])
    out = apply_three_way(live, last, new, "DaemonSet")
    assert out["spec"]["template"]["spec"]["containers"] == [
        {"name": "a", "image": "a:2", "terminationMessagePath": "/dev/t"},
        {"name": "sidecar", "image": "s"}]


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=3),
                     lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(alphabet="abc", max_size=2), inner, max_size=3),
                     max_leaves=10)


@settings(max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.text(alphabet="abc", max_size=2), _json, max_size=4),
       st.dictionaries(st.text(alphabet="abc", max_size=2), _json, max_size=4))
def test_merge_patch_is_idempotent(doc: dict, patch: dict) -> None:
    once = merge_patch(doc, patch)
    assert merge_patch(once, patch) == once
