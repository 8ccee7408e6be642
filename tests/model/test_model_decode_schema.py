"""decode_schema.json is whole, consistent, and matches the v1.37 schema it was made from.

The source check needs kubernetes-validate 1.37.0's `_definitions.json`: from the installed
package, or a path in DSTUTOR_SCHEMA_SOURCE. It is 22 MB (110 MB installed), too heavy for
the test extra, so the check skips without it; scripts/gen_schema.py says how to rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from dstutor.model import decode as d
from dstutor.model.kinds import KINDS

ROOT = Path(__file__).resolve().parents[2]
KINDS_OF_NODE = {"string", "bytes", "int", "bool", "float", "struct", "list", "map", "intstr",
                 "quantity", "time", "microtime", "raw"}


def _source() -> Path | None:
    env = os.environ.get("DSTUTOR_SCHEMA_SOURCE")
    if env:
        return Path(env)
    try:
        import kubernetes_validate  # type: ignore[import-not-found]
    except ImportError:
        return None
    path = (Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" /
            "v1.37.0-local" / "_definitions.json")
    return path if path.is_file() else None


def _nodes() -> list[tuple[str, str, list[Any]]]:
    out = []
    for key, struct in d.schema()["structs"].items():
        for name, node in struct["fields"].items():
            out.append((key, name, node))
    return out


def test_every_served_kind_is_in_the_file() -> None:
    assert set(d.schema()["kinds"]) == set(KINDS)


def test_nodes_are_well_formed() -> None:
    structs = d.schema()["structs"]

    def check(node: list[Any]) -> None:
        assert node[0] in KINDS_OF_NODE, node
        if node[0] == "struct":
            assert node[2] in structs
            assert node[1].endswith("." + structs[node[2]]["go"])
        if node[0] == "int":
            assert node[1] in ("int32", "int64")
        if node[0] == "list":
            assert node[1].startswith("[]")
            check(node[2])
        if node[0] == "map":
            check(node[2])

    for _key, _name, node in _nodes():
        check(node)


def test_go_type_names_the_server_prints() -> None:
    fields = d.schema()["structs"]
    assert fields["core.v1.Container"]["fields"]["imagePullPolicy"] == ["string", "v1.PullPolicy"]
    assert fields["core.v1.PodSpec"]["fields"]["containers"][1] == "[]v1.Container"
    assert fields["core.v1.PodSpec"]["fields"]["nodeSelector"][1] == "map[string]string"
    assert fields["core.v1.ResourceRequirements"]["fields"]["limits"][1] == "v1.ResourceList"
    assert fields["meta.v1.ObjectMeta"]["fields"]["uid"] == ["string", "types.UID"]
    assert fields["core.v1.Toleration"]["fields"]["tolerationSeconds"] == ["int", "int64"]
    assert fields["apps.v1.RollingUpdateDaemonSet"]["fields"]["maxUnavailable"] == ["intstr"]


def _kind_of(prop: dict[str, Any]) -> str:
    types = prop.get("type")
    found = [t for t in ([types] if isinstance(types, str) else types or []) if t != "null"]
    return found[0] if found else ""


def test_file_matches_its_source() -> None:
    source = _source()
    if source is None:
        pytest.skip("kubernetes-validate 1.37.0 is not installed (see module docstring)")
    raw = source.read_bytes()
    assert d.schema()["source"]["sha256"] == hashlib.sha256(raw).hexdigest()
    defs = json.loads(raw)["$defs"]
    structs = d.schema()["structs"]
    by_short = {name.replace("io.k8s.api.", "").replace("io.k8s.apimachinery.pkg.apis.", ""):
                name for name in defs}
    for key, struct in structs.items():
        props = defs[by_short[key]].get("properties", {})
        assert set(struct["fields"]) == set(props), key
        for name, node in struct["fields"].items():
            _compare(node, props[name], defs, by_short, f"{key}.{name}")


def _compare(node: list[Any], prop: dict[str, Any], defs: dict[str, Any],
             by_short: dict[str, str], where: str) -> None:
    ref = prop.get("$ref")
    if ref:
        target = ref.rsplit("/", 1)[-1]
        if node[0] == "struct":
            assert by_short[node[2]] == target, where
        else:
            assert node[0] in ("intstr", "quantity", "time", "microtime", "raw"), where
        return
    kind = _kind_of(prop)
    expected = {"string": ("string", "bytes"), "integer": ("int",), "boolean": ("bool",),
                "number": ("float",), "array": ("list",), "object": ("map", "raw")}[kind]
    assert node[0] in expected, where
    if node[0] == "int":
        assert node[1] == prop.get("format", "int64"), where
    if node[0] == "list":
        _compare(node[2], prop["items"], defs, by_short, where + "[]")
    if node[0] == "map":
        _compare(node[2], prop["additionalProperties"], defs, by_short, where + "{}")
