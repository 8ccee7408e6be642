"""-o yaml/json/name/custom-columns; golden files were printed by kubectl 1.37.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
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
    assert caught.value.partial_output == "A     B\n"


# Characters that stress quoting; "_" is left out because PyYAML reads "1_0" and
# ".0_" as numbers where go-yaml does not (the oracle covers those).
_CHARS = list("ab xyz:#-'\"\n\t!&*?,[]{}|>%@`.0123456789eEn+~=<") + ["é", "\u2028", "\x07", "😀"]
_TEXT = st.text(alphabet=st.sampled_from(_CHARS), max_size=30).filter(
    lambda s: s not in ("=", "<<"))  # plain in go-yaml, special forms in PyYAML
_SCALARS = st.one_of(_TEXT, st.integers(-(2**63), 2**63 - 1), st.booleans(), st.none())
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_TEXT, inner, max_size=4)), max_leaves=15)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, max_size=6))
def test_render_yaml_reads_back_as_the_same_value(value: dict) -> None:
    assert yaml.safe_load(to_yaml(value)) == value
