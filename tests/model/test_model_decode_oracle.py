"""The real kubectl 1.37.1 as the oracle for decode messages and Go type names.

`kubectl describe` decodes what the server returns into the typed Go structs with the same
JSON decoder as the API server (non-strict), so a fake server that returns a wrong-typed
object makes kubectl print the message dstutor must print. Skips without the binary.
DSTUTOR_DECODE_ORACLE_STEP=N checks every Nth field (1: all, about 15 minutes here) instead
of a sample of six per kind.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from dstutor.model import decode as d

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from render_oracle import Oracle, kubectl_path  # noqa: E402

pytestmark = pytest.mark.skipif(kubectl_path() is None, reason="kubectl 1.37.1 not installed")

CONTAINERS = [{"name": "c", "image": "busybox:1.37"}]
TEMPLATE = {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": CONTAINERS}}
BASE: dict[str, dict[str, Any]] = {
    "DaemonSet": {"apiVersion": "apps/v1", "kind": "DaemonSet",
                  "metadata": {"name": "x", "namespace": "default"},
                  "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": TEMPLATE}},
    "Pod": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "default"},
            "spec": {"containers": CONTAINERS}},
    "Node": {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "x"}},
}
# (describe controllerrevision reads the object unstructured: no typed decoding to compare.)
RESOURCE = {"DaemonSet": "daemonset", "Pod": "pod", "Node": "node"}
# A value of the wrong JSON type for each kind of field.
WRONG = {"string": 7, "bytes": 7, "int": "7", "bool": "yes", "float": "7", "struct": "x",
         "list": {"a": 1}, "map": [1], "intstr": True, "quantity": "7x", "time": 7,
         "microtime": "noon"}


def _paths(kind: str, depth: int) -> list[tuple[tuple[str | int, ...], list[Any]]]:
    structs = d.schema()["structs"]
    out: list[tuple[tuple[str | int, ...], list[Any]]] = []

    def walk(node: list[Any], path: tuple[str | int, ...]) -> None:
        if len(path) > depth:
            return
        if node[0] == "struct":
            for name, sub in sorted(structs[node[2]]["fields"].items()):
                if (*path, name) in (("apiVersion",), ("kind",), ("metadata",)):
                    continue  # kubectl needs them to find and print the object
                if path == ("metadata",) and name in ("name", "namespace"):
                    continue
                out.append(((*path, name), sub))
                walk(sub, (*path, name))
        elif node[0] == "list":
            walk(node[2], (*path, 0))

    walk(["struct", "", d.schema()["kinds"][kind]], ())
    return [(p, n) for p, n in out if n[0] in WRONG]


def _put(obj: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    target: Any = obj
    for part, nxt in zip(path[:-1], path[1:], strict=True):
        if isinstance(part, int):
            target = target[0]
            continue
        if part not in target or not isinstance(target[part], dict | list):
            target[part] = [{}] if isinstance(nxt, int) else {}
        target = target[part]
    if isinstance(path[-1], int):
        target[0] = value
    else:
        target[path[-1]] = value
    # The order the fake server sends is the order the decoder meets the keys in.
    sorted_obj: dict[str, Any] = json.loads(json.dumps(obj, sort_keys=True))
    return sorted_obj


def _cases() -> list[Any]:
    wanted = int(os.environ.get("DSTUTOR_DECODE_ORACLE_STEP", "0"))
    cases = []
    for kind in BASE:
        found = _paths(kind, 8 if wanted else 6)
        step = wanted or max(1, len(found) // 6)
        for path, node in found[::step]:
            cases.append(pytest.param(kind, path, WRONG[node[0]],
                                      id=f"{kind}:{'.'.join(map(str, path))}"))
    return cases


@pytest.mark.parametrize(("kind", "path", "value"), _cases())
def test_decode_error_matches_kubectl(kind: str, path: tuple[str | int, ...], value: Any) -> None:
    obj = _put(copy.deepcopy(BASE[kind]), path, value)
    with Oracle([obj], lambda _kind, _items: {}) as oracle:
        real = oracle.run("describe", RESOURCE[kind], "x").stderr.strip()
    ours = d.decode(kind, obj, strict=False).error
    assert f"error: {ours}" == real
