"""OpenAPI v3 schemas for `kubectl explain`, built from the REPL's own explain table
(dstutor/kubectl/explain_docs.py), so the real kubectl explains what the REPL explains.

Only the fields the table documents have schemas (others are `<Object>`, as in the REPL).
The operations keep no request body: kubectl's apply then computes strategic merge
patches from its built-in types, never from these partial schemas.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from dstutor.kubectl.explain_docs import DOCS, ENUMS, REQUIRED
from dstutor.kubectl.resources import RESOURCE_TYPES, ResourceType

PRIMITIVE = {"string", "integer", "boolean", "number"}
REF = "#/components/schemas/"
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"


def _own_and_type(type_name: str, description: str) -> tuple[str, str]:
    """A $ref field's table text is its own description, a newline, the type's."""
    if type_name.lstrip("[]")[:1].isupper() and type_name != "IntOrString":
        own, _, kind_text = description.partition("\n")
        return own, kind_text
    return description, ""


def _schema_name(key: str, type_name: str) -> str:
    # kubectl shows the part after the last dot; the rest keeps names unique per field.
    return "dstutor." + key.replace(".", "_") + "." + type_name


def _object(key: str, type_text: str, schemas: dict[str, Any]) -> dict[str, Any]:
    _, _, children = DOCS[key]
    obj: dict[str, Any] = {"type": "object"}
    if type_text:
        obj["description"] = type_text
    if children:
        obj["properties"] = {c: _field(f"{key}.{c}", schemas) for c in children}
    if key in REQUIRED:
        obj["required"] = list(REQUIRED[key])
    return obj


def _field(key: str, schemas: dict[str, Any]) -> dict[str, Any]:
    doc = DOCS.get(key)
    if doc is None:
        # Undocumented (Pod.spec) but with documented fields below it: a plain object
        # holding those, so kubectl can walk down to them as the REPL does.
        below = sorted({k[len(key) + 1:].split(".")[0] for k in DOCS
                        if k.startswith(key + ".")})
        obj: dict[str, Any] = {"type": "object"}
        if below:
            obj["properties"] = {c: _field(f"{key}.{c}", schemas) for c in below}
        return obj
    type_name, description, _ = doc
    own, type_text = _own_and_type(type_name, description)
    field: dict[str, Any] = {"description": own} if own else {}
    if key in ENUMS:
        field["enum"] = list(ENUMS[key])
    if type_name in PRIMITIVE:
        field["type"] = type_name
    elif type_name == "IntOrString":
        # As the real server: a $ref to intstr.IntOrString (kubectl names it from the ref).
        schemas[INT_OR_STRING] = {"format": "int-or-string"}  # no type: kubectl names the ref
        field["allOf"] = [{"$ref": REF + INT_OR_STRING}]
    elif type_name.startswith("map[string]"):
        field.update(type="object", additionalProperties={"type": type_name[11:]})
    else:
        element = type_name.removeprefix("[]")
        name = _schema_name(key, element)
        schemas[name] = _object(key, type_text, schemas)
        ref = {"allOf": [{"$ref": REF + name}]}
        if type_name.startswith("[]"):
            field.update(type="array", items=ref)
        else:
            field.update(ref)
    return field


@cache
def schemas_for(group: str) -> dict[str, Any]:
    """components.schemas of one group's v1 document: one schema per kind served."""
    schemas: dict[str, Any] = {}
    for rt in RESOURCE_TYPES:
        if rt.group != group or rt.kind not in DOCS:
            continue
        top = _object(rt.kind, DOCS[rt.kind][1], schemas)
        top["x-kubernetes-group-version-kind"] = [
            {"group": rt.group, "kind": rt.kind, "version": rt.version}]
        schemas[_top_name(rt)] = top
    return schemas


def _top_name(rt: ResourceType) -> str:
    return f"io.k8s.api.{rt.group or 'core'}.{rt.version}.{rt.kind}"
