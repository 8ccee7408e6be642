"""`kubectl annotate`: set, overwrite, remove or list annotations (change-cause included)."""

from __future__ import annotations

from dstutor.kubectl.commands._base import Env, OutputBuffer, error, flag_bool, resolve_targets
from dstutor.kubectl.commands._printing import report_object
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.model.objects import clone
from dstutor.textsafe import visible_line


def _changes(cmd: KubectlCommand) -> tuple[dict[str, str], list[str]]:
    sets: dict[str, str] = {}
    removes: list[str] = []
    for arg in cmd.args:
        key, eq, value = arg.partition("=")
        if eq:
            sets[key] = value
        elif arg.endswith("-"):
            removes.append(arg[:-1])
    return sets, removes


@handles("annotate")
def run_annotate(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    sets, removes = _changes(cmd)
    found = False
    for _, obj in resolve_targets(env, cmd):
        found = True
        annotations = dict(obj["metadata"].get("annotations") or {})
        if flag_bool(cmd, "list"):
            for key, value in annotations.items():
                out.line(f"{visible_line(key)}={visible_line(value)}")
            continue
        if not flag_bool(cmd, "overwrite"):
            taken = [k for k, v in sets.items() if k in annotations and annotations[k] != v]
            if taken:
                details = ", ".join(f"'{k}' already has a value ({annotations[k]})"
                                    for k in taken)
                raise error(f"--overwrite is false but found the following declared "
                            f"annotation(s): {details}")
        annotations.update(sets)
        for key in removes:
            annotations.pop(key, None)
        updated = clone(obj)
        updated["metadata"]["annotations"] = annotations
        dry = cmd.dry_run != "none"
        saved = updated if cmd.dry_run == "client" else env.cluster.update(updated, dry_run=dry)
        out.changed = out.changed or not dry
        report_object(cmd, out, saved, "annotated")
    if not found:
        raise error("no objects passed to annotate")
