"""Non-table output (-o yaml|json|name|jsonpath|custom-columns) for get and mutating verbs.

The byte-level emitters live in dstutor.render; this module only decides what is
printed: one object, or kubectl's `List` wrapper.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dstutor.errors import CommandError
from dstutor.kubectl.commands._base import ref_name
from dstutor.model.objects import Obj
from dstutor.render._gofmt import json_dumps
from dstutor.render._goyaml import dump as yaml_dump

LIST_FORMATS = ("yaml", "json", "kyaml", "jsonpath", "jsonpath-as-json", "go-template",
                "template", "custom-columns")


def as_list(objs: Sequence[Obj]) -> Obj:
    return {"apiVersion": "v1", "items": list(objs), "kind": "List",
            "metadata": {"resourceVersion": ""}}


def _strip_managed(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        obj = dict(obj)
        obj["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    return obj


def format_objects(objs: Sequence[Obj], fmt: str, arg: str | None, *,
                   single: bool) -> str:
    """Text for `-o FMT`: one object when a single named object was asked for, else a List."""
    objs = [_strip_managed(o) for o in objs]
    if fmt == "name":
        return "".join(ref_name(o) + "\n" for o in objs)
    data: Any = objs[0] if single and len(objs) == 1 else as_list(objs)
    if fmt == "yaml":
        return yaml_dump(data)
    if fmt == "json":
        return json_dumps(data, indent="    ") + "\n"
    if fmt in ("jsonpath", "jsonpath-as-json", "custom-columns", "go-template", "template"):
        return _template_output(data, objs, fmt, arg or "")
    raise CommandError(f"error: dstutor does not support -o {fmt}")


def _template_output(data: Any, objs: Sequence[Obj], fmt: str, arg: str) -> str:
    try:
        from dstutor.render import jsonpath  # type: ignore[attr-defined]
    except ImportError:
        raise CommandError(f"error: -o {fmt} is not available yet in dstutor") from None
    if fmt == "custom-columns":
        return jsonpath.custom_columns(objs, arg)  # type: ignore[no-any-return]
    if fmt.startswith("jsonpath"):
        return jsonpath.render(arg, data)  # type: ignore[no-any-return]
    raise CommandError(f"error: -o {fmt} is not available yet in dstutor")
