"""Non-table output (-o yaml|json|name|jsonpath|custom-columns) for get and mutating verbs.

The emitters live in dstutor.render.output; this module only decides what is printed:
one object, or kubectl's `List` wrapper.
"""

from __future__ import annotations

from collections.abc import Sequence

from dstutor.errors import CommandError
from dstutor.kubectl.commands._base import OutputBuffer, ref_name
from dstutor.kubectl.parser import KubectlCommand
from dstutor.model.objects import Obj
from dstutor.render.jsonpath import jsonpath
from dstutor.render.output import (
    as_list,
    custom_columns,
    name_line,
    relaxed_jsonpath,
    to_json,
    to_yaml,
)


def _strip_managed(obj: Obj) -> Obj:
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "managedFields" in meta:
        obj = dict(obj)
        obj["metadata"] = {k: v for k, v in meta.items() if k != "managedFields"}
    return obj


def format_objects(objs: Sequence[Obj], fmt: str, arg: str | None, *,
                   single: bool, no_headers: bool = False) -> str:
    """Text for `-o FMT`: one object when a single named object was asked for, else a List."""
    objs = [_strip_managed(o) for o in objs]
    if fmt == "name":
        return "".join(name_line(o) + "\n" for o in objs)
    if fmt == "custom-columns":
        return custom_columns(arg or "", objs, no_headers=no_headers)
    data = objs[0] if single and len(objs) == 1 else as_list(objs)
    if fmt == "yaml":
        return to_yaml(data)
    if fmt == "json":
        return to_json(data)
    if fmt == "jsonpath":
        return jsonpath(arg or "", data)
    if fmt == "jsonpath-as-json":
        return jsonpath(relaxed_jsonpath(arg or "") if not (arg or "").startswith("{")
                        else arg or "", data)
    raise CommandError(f"error: dstutor does not support -o {fmt}")


DRY_RUN_SUFFIX = {"client": " (dry run)", "server": " (server dry run)"}


def dry_run_suffix(cmd: KubectlCommand) -> str:
    """What kubectl appends to a mutating verb's message under --dry-run."""
    return DRY_RUN_SUFFIX.get(cmd.dry_run, "")


def report_object(cmd: KubectlCommand, out: OutputBuffer, obj: Obj, verb: str) -> None:
    """A mutating verb's result: `-o FMT` output, `-o name`, or `kind/name verb`."""
    if cmd.output and cmd.output != "name":
        out.write(format_objects([obj], cmd.output, cmd.output_arg, single=True))
    elif cmd.output == "name":
        out.line(ref_name(obj))
    else:
        out.line(f"{ref_name(obj)} {verb}{dry_run_suffix(cmd)}")

