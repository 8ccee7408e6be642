"""The `command_run` check: a command matching a pattern (or a parsed shape) was run."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dstutor.errors import DstutorError
from dstutor.lessons.checks import CheckKind, CommandRecord, Outcome, World, register


def _command_matches(record: CommandRecord, p: Mapping[str, Any]) -> bool:
    if p.get("succeeded", True) and record.exit_code != 0:
        return False
    if p.get("pattern") and not re.search(p["pattern"], record.line):
        return False
    if any(k in p for k in ("verb", "resource", "name", "flags")):
        from dstutor.kubectl import is_kubectl_line, parse_kubectl
        from dstutor.shell.pipeline import split_pipeline

        if not is_kubectl_line(record.line):
            return False
        try:
            # `kubectl get pods -o wide | grep x` ran `kubectl get pods -o wide`.
            cmd = parse_kubectl(split_pipeline(record.line).command)
        except DstutorError:
            return False
        if p.get("verb") and cmd.path != p["verb"]:
            return False
        kinds = {t.type.kind.lower() for t in cmd.targets}
        if p.get("resource") and str(p["resource"]).lower() not in kinds:
            return False
        if p.get("name") and p["name"] not in cmd.names:
            return False
        for flag, value in (p.get("flags") or {}).items():
            if flag not in cmd.given or (value is not True and str(cmd.flags.get(flag)) != str(
                    value)):
                return False
    return True


def _command_text(p: Mapping[str, Any]) -> str:
    if p.get("describe"):
        return str(p["describe"])
    if p.get("verb"):
        words = ["kubectl", str(p["verb"])]
        words += [str(p[k]).lower() for k in ("resource", "name") if p.get(k)]
        words += [f"--{f}" if v is True else f"--{f}={v}"
                  for f, v in (p.get("flags") or {}).items()]
        return " ".join(words)
    return f"a command matching /{p.get('pattern')}/"


def _command_run(world: World, p: Mapping[str, Any]) -> Outcome:
    if any(_command_matches(r, p) for r in world.commands):
        return Outcome(True, f"you ran {_command_text(p)}")
    return Outcome(False, f"run {_command_text(p)} in this step",
                   (("command", _command_text(p), "not run yet"),))


def _command_validate(p: Mapping[str, Any]) -> str:
    if not any(k in p for k in ("pattern", "verb")):
        return "give a 'pattern' or a 'verb'"
    if p.get("pattern"):
        try:
            re.compile(p["pattern"])
        except re.error as exc:
            return f"'pattern' is not a valid regular expression: {exc}"
    return ""


register(CheckKind("command_run", _command_run,
                   lambda p: f"you run {_command_text(p)}",
                   "the command's output and any other commands", (),
                   ("pattern", "verb", "resource", "name", "flags", "succeeded", "describe"),
                   _command_validate))




# Flags a served kubectl's requests show (see dstutor/serve/outside.py); any other flag,
# or a pattern on the text, needs the line typed in the tutor shell.
OUTSIDE_FLAGS = frozenset({"all-namespaces", "watch", "selector", "field-selector", "cascade",
                           "server-side", "dry-run", "replicas", "image", "filename",
                           "namespace"})
TYPED_NOTE = ("(This step checks the exact command: type it in the tutor shell; your own "
              "kubectl's effects count, its command line may not.)\n")


def needs_typed_command(step: Any) -> bool:
    """A step whose command_run check reads the typed text (a `pattern`, or flags the API
    server never sees, such as -o): commands run from outside may not satisfy it."""
    for spec in getattr(step, "checks", ()):
        if spec.kind != "command_run":
            continue
        p = spec.params
        if p.get("pattern") or any(f not in OUTSIDE_FLAGS for f in p.get("flags") or {}):
            return True
    return False
