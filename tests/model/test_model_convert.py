"""The unstructured converter's words for a merged map that does not fit the Go types."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from dstutor.model.convert import convert

DS: dict[str, Any] = {
    "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
    "spec": {"selector": {"matchLabels": {"app": "agent"}},
             "template": {"metadata": {"labels": {"app": "agent"}},
                          "spec": {"containers": [{"name": "agent", "image": "busybox"}]}}}}


def _set(path: str, value: Any) -> dict[str, Any]:
    obj = copy.deepcopy(DS)
    node: Any = obj
    parts = [int(p) if p.isdigit() else p for p in path.split(".")]
    for part in parts[:-1]:
        node = node[part] if isinstance(part, int) or part in node else node.setdefault(part, {})
    node[parts[-1]] = value
    return obj


C0 = "spec.template.spec.containers.0"


@pytest.mark.parametrize(("path", "value", "error"), [
    # A string field: only an integer "converts" (and is refused); the rest are unrecognized.
    ("spec.template.metadata.labels.ver", 2, "cannot convert int64 to string"),
    ("spec.template.metadata.labels.gpu", True, "unrecognized type: string"),
    ("spec.template.metadata.labels.ver", 1.5, "unrecognized type: string"),
    ("spec.template.metadata.labels.ver", {"a": "b"}, "unrecognized type: string"),
    ("spec.template.metadata.labels.ver", ["a"], "unrecognized type: string"),
    (f"{C0}.imagePullPolicy", 1, "cannot convert int64 to v1.PullPolicy"),
    (f"{C0}.imagePullPolicy", False, "unrecognized type: string"),
    # Integers: a float with no fraction converts; strings and bools do not.
    ("spec.minReadySeconds", "10", "unrecognized type: int32"),
    ("spec.minReadySeconds", 1.5, "cannot convert float64 to int32"),
    ("spec.minReadySeconds", True, "unrecognized type: int32"),
    ("spec.template.spec.terminationGracePeriodSeconds", "30", "unrecognized type: int64"),
    # Booleans.
    ("spec.template.spec.hostNetwork", "true", "unrecognized type: bool"),
    ("spec.template.spec.hostNetwork", 1, "unrecognized type: bool"),
    # Structs, maps and slices.
    ("spec.selector", "app=agent", "cannot restore struct from: string"),
    ("spec.selector", ["app"], "cannot restore struct from: slice"),
    ("spec.updateStrategy", 3, "cannot restore struct from: int64"),
    ("spec.template.metadata.labels", ["app"], "cannot restore map from slice"),
    ("spec.template.metadata.labels", "app", "cannot restore map from string"),
    ("spec.template.spec.containers", {"name": "x"}, "cannot restore slice from map"),
    (f"{C0}.args", "sleep 10", "cannot restore slice from string"),
    # Types with their own UnmarshalJSON answer as json.Unmarshal into a Go value.
    ("spec.updateStrategy", {"rollingUpdate": {"maxUnavailable": True}},
     "json: cannot unmarshal bool into Go value of type int32"),
    ("spec.updateStrategy", {"rollingUpdate": {"maxUnavailable": 1.5}},
     "json: cannot unmarshal number 1.5 into Go value of type int32"),
    (f"{C0}.resources", {"limits": {"cpu": "lots"}},
     "quantities must match the regular expression "
     "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("metadata.creationTimestamp", 5, "json: cannot unmarshal number into Go value of type string"),
    ("metadata.creationTimestamp", "yesterday",
     'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as '
     '"2006"'),
])
def test_converter_messages(path: str, value: Any, error: str) -> None:
    result = convert("DaemonSet", _set(path, value))
    assert result.error == error


@pytest.mark.parametrize(("path", "value", "stored"), [
    ("spec.minReadySeconds", 10.0, 10),  # a float with no fraction converts
    ("spec.minReadySeconds", 2**32 + 5, 5),  # reflect's Convert keeps the low bits
    ("spec.template.metadata.labels.ver", "2", "2"),
    ("spec.updateStrategy", {"rollingUpdate": {"maxUnavailable": "10%"}},
     {"rollingUpdate": {"maxUnavailable": "10%"}}),
])
def test_converter_accepts(path: str, value: Any, stored: Any) -> None:
    result = convert("DaemonSet", _set(path, value))
    assert result.error is None
    node: Any = result.obj
    for part in path.split(".")[:2] if path.startswith("spec.updateStrategy") else path.split("."):
        node = node[part]
    assert node == stored


def test_unknown_fields_are_collected_with_paths_and_sorted() -> None:
    obj = _set(f"{C0}.imagePullPolice", "Always")
    obj["spec"]["zeta"] = 1
    obj["spec"]["replicas"] = 3
    result = convert("DaemonSet", obj)
    assert result.error is None
    assert result.unknown == ["spec.replicas", "spec.template.spec.containers[0].imagePullPolice",
                              "spec.zeta"]
    assert result.unknown_at[1] == ("spec", "template", "spec", "containers", 0,
                                    "imagePullPolice")
    assert "replicas" not in result.obj["spec"]


def test_a_type_error_wins_over_unknown_fields() -> None:
    obj = _set("spec.minReadySeconds", "x")
    obj["spec"]["replicas"] = 3
    result = convert("DaemonSet", obj)
    assert (result.error, result.unknown) == ("unrecognized type: int32", [])
    assert result.where == ("spec", "minReadySeconds")
    assert result.expected == "int"
