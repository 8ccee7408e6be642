"""-o yaml/json/name/custom-columns; golden files were printed by kubectl 1.37.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from render_builders import make_daemonset, make_node, make_pod, owner

from dstutor.errors import CommandError
from dstutor.render.output import (
    as_list,
    custom_columns,
    name_line,
    relaxed_jsonpath,
    to_json,
    to_yaml,
)

GOLDEN = Path(__file__).parent / "golden"


def test_render_yaml_and_json_of_an_object_full_of_edge_cases() -> None:
    # Strings YAML 1.1 would misread, long lines folded at 80 columns, literal blocks,
    # escapes, HTML-safe JSON, floats both ways, empty maps and lists.
    obj = json.loads((GOLDEN / "edge_object.json").read_text(encoding="utf-8"))
    assert to_yaml(obj) == (GOLDEN / "edge_object.yaml").read_text(encoding="utf-8")
    assert to_json(obj) == (GOLDEN / "edge_object.out.json").read_text(encoding="utf-8")


def test_render_yaml_list_wrapper_and_timestamps() -> None:
    ds = make_daemonset(created="2026-11-25T11:59:22Z")
    out = to_yaml([{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}}])
    assert out == ("apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata:\n"
                   "    name: a\nkind: List\nmetadata:\n  resourceVersion: \"\"\n")
    assert '  creationTimestamp: "2026-11-25T11:59:22Z"\n' in to_yaml(ds)
    assert "      containers:\n      - image: fluentd:v1.16\n        name: fluentd\n" \
        in to_yaml(ds)
    assert to_yaml([]) == "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n" \
                          "  resourceVersion: \"\"\n"


def test_render_json_list_wrapper() -> None:
    assert to_json([]) == ('{\n    "apiVersion": "v1",\n    "items": [],\n    "kind": "List",\n'
                           '    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
    assert as_list([])["metadata"] == {"resourceVersion": ""}


def test_render_name_lines() -> None:
    ds = make_daemonset()
    assert name_line(ds) == "daemonset.apps/fluentd"
    assert name_line(make_pod("web")) == "pod/web"
    assert name_line(make_node("worker-1")) == "node/worker-1"
    assert name_line({"apiVersion": "example.com/v1", "kind": "Widget",
                      "metadata": {"name": "w"}}) == "widget.example.com/w"


def test_render_custom_columns() -> None:
    ds = make_daemonset()
    pods = [make_pod("fluentd-ax0k9", owner_ref=owner(ds)), make_pod("web", node=None)]
    spec = "NAME:.metadata.name,NODE:.spec.nodeName,OWNER:.metadata.ownerReferences[*].kind,L:metadata.labels"
    assert custom_columns(spec, pods) == (
        "NAME            NODE       OWNER       L\n"
        "fluentd-ax0k9   worker-1   DaemonSet   map[app:fluentd]\n"
        "web             <none>     <none>      map[app:web]\n")
    assert custom_columns("N:.metadata.name", [], no_headers=False) == "N\n"
    assert custom_columns("N:.metadata.name", [], no_headers=True) == ""


@pytest.mark.parametrize(("expression", "template"), [
    (".metadata.name", "{.metadata.name}"), ("metadata.name", "{.metadata.name}"),
    ("{metadata.name}", "{.metadata.name}"), ("{.metadata.name}", "{.metadata.name}"),
    ("", ""),
])
def test_render_relaxed_jsonpath(expression: str, template: str) -> None:
    assert relaxed_jsonpath(expression) == template


def test_render_custom_column_errors() -> None:
    with pytest.raises(CommandError, match="expected <header>:<json-path-expr>"):
        custom_columns("NAME", [])
    with pytest.raises(CommandError) as caught:
        custom_columns("A:.x[,B:.y", [])
    assert str(caught.value) == "error: unterminated array"
    assert caught.value.partial_output == "A     B\n"  # type: ignore[attr-defined]
