"""Generate dstutor/model/patch_keys.json: where strategic merge patch merges lists.

Run at development time only (the simulator reads the JSON file):

    python scripts/gen_patch_keys.py DEFINITIONS > dstutor/model/patch_keys.json

DEFINITIONS is `_definitions.json` of the v1.37.0 JSON schemas that PyPI's
`kubernetes-validate==1.37.0` ships (kubernetes-json-schema/v1.37.0-local/). Each field
the API types tag with `patchStrategy` (x-kubernetes-patch-strategy) and
`patchMergeKey` (x-kubernetes-patch-merge-key) is listed per kind by its dotted path
(list items add no component), e.g. DaemonSet `spec.template.spec.containers` ->
["merge", "name"]. Every other list is replaced whole by a strategic merge patch.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SERVED = {
    "Pod": "io.k8s.api.core.v1.Pod",
    "Node": "io.k8s.api.core.v1.Node",
    "Namespace": "io.k8s.api.core.v1.Namespace",
    "Event": "io.k8s.api.core.v1.Event",
    "DaemonSet": "io.k8s.api.apps.v1.DaemonSet",
    "ControllerRevision": "io.k8s.api.apps.v1.ControllerRevision",
    "Deployment": "io.k8s.api.apps.v1.Deployment",
    "ReplicaSet": "io.k8s.api.apps.v1.ReplicaSet",
}


def _ref(schema: dict[str, Any]) -> str | None:
    """The struct a field holds (itself, as list items, or through allOf); None for maps."""
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref")
    for part in schema.get("allOf") or schema.get("anyOf") or ():
        ref = ref or part.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def walk(defs: dict[str, Any], name: str, path: str, out: dict[str, list[str]],
         seen: tuple[str, ...]) -> None:
    if name in seen:
        return
    props = defs.get(name, {}).get("properties", {})
    for field, schema in sorted(props.items()):
        here = f"{path}.{field}" if path else field
        strategy = schema.get("x-kubernetes-patch-strategy")
        if strategy:
            out[here] = [strategy, schema.get("x-kubernetes-patch-merge-key", "")]
        ref = _ref(schema)
        if ref is not None:
            walk(defs, ref, here, out, (*seen, name))


def main(argv: list[str]) -> int:
    defs = json.loads(Path(argv[1]).read_text(encoding="utf-8"))["$defs"]
    table: dict[str, dict[str, list[str]]] = {}
    for kind, name in SERVED.items():
        paths: dict[str, list[str]] = {}
        walk(defs, name, "", paths, ())
        table[kind] = paths
    json.dump({"source": "kubernetes-validate 1.37.0, v1.37.0-local/_definitions.json",
               "kinds": table}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
