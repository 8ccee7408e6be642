"""The `command_run` check: a command of this shape was run, and it did what the step asks.

Matching the verb is not enough (issue 12): `kubectl get ds` in the wrong namespace lists
nothing, and `kubectl delete pods -l app=x` without `-n` deletes nothing. So a command
counts only if it succeeded, addressed what the step is about (namespace, -A) and had an
effect: a read showed something, a write changed something. A command that has the right
shape but misses one of these is a near miss, and the check says which.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dstutor.errors import DstutorError
from dstutor.lessons.checkkind import CheckKind, CommandRecord, Outcome, World, register

NOTHING_FOUND = "No resources found"
# Verbs that ensure a state: when it already holds, succeeding without a change is the
# effect the step asked for (a drained node stays drained; an applied manifest is applied).
IDEMPOTENT_VERBS = frozenset({"apply", "drain", "cordon", "uncordon"})


def _parse(line: str) -> Any:
    from dstutor.kubectl import is_kubectl_line, parse_kubectl
    from dstutor.shell.pipeline import split_pipeline

    if not is_kubectl_line(line):
        return None
    try:
        # `kubectl get pods -o wide | grep x` ran `kubectl get pods -o wide`.
        return parse_kubectl(split_pipeline(line).command)
    except DstutorError:
        return None


def _shape(record: CommandRecord, p: Mapping[str, Any]) -> bool:
    """The command's words: pattern, verb, resource, name and flags."""
    if p.get("pattern") and not re.search(p["pattern"], record.line):
        return False
    if any(k in p for k in ("verb", "resource", "name", "flags")):
        cmd = _parse(record.line)
        if cmd is None:
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


def _is_read(line: str) -> bool:
    from dstutor.shell.session import READ_ONLY_VERBS, kubectl_verb

    return kubectl_verb(line) in READ_ONLY_VERBS


def _first_line(record: CommandRecord) -> str:
    return record.line.split("\n", 1)[0].strip()


def _redirected(record: CommandRecord) -> bool:
    """`kubectl get ... > FILE`: the output went to the workspace, not to the screen."""
    from dstutor.shell.pipeline import split_pipeline

    try:
        return split_pipeline(record.line).redirect is not None
    except DstutorError:
        return False


_USING_POD = re.compile(r"using pod/(\S+)")
_PREFIX_POD = re.compile(r"^\[pod/([^/\]]+)/", re.M)


def _addressed_pods(record: CommandRecord, cmd: Any) -> list[str]:
    """The pods a command read: named ones, the one `logs ds/X` picked ("using pod/N"),
    and those `--prefix` names in its output."""
    names = [t.name for t in cmd.targets if t.type.kind == "Pod" and t.name]
    names += _USING_POD.findall(record.stderr) + _PREFIX_POD.findall(record.stdout)
    return list(dict.fromkeys(names))


def _why_not(record: CommandRecord, p: Mapping[str, Any], cluster: Any = None) -> str:
    """Why a command of the right shape does not count; "" when it does."""
    shown = f"`{_first_line(record)}`"
    if p.get("succeeded", True) and record.exit_code != 0:
        return f"{shown} failed"
    cmd = _parse(record.line)
    where = ""
    if cmd is not None:
        where = "*" if cmd.all_namespaces else (cmd.namespace or record.namespace)
    if p.get("all_namespaces") and where != "*":
        return (f"{shown} looked only in namespace {where or record.namespace}; this step "
                "is about all namespaces: add -A (--all-namespaces)")
    wanted_ns = p.get("namespace")
    if wanted_ns and cmd is not None and where not in (str(wanted_ns), "*"):
        return (f"{shown} addressed namespace {where}, but this step is about namespace "
                f"{wanted_ns}: add -n {wanted_ns}")
    if not p.get("allow_noop") and p.get("succeeded", True):
        said = (record.stdout + record.stderr).strip()
        if NOTHING_FOUND in record.stderr or NOTHING_FOUND in record.stdout:
            found = next(x for x in said.splitlines() if NOTHING_FOUND in x)
            verb = "listed" if _is_read(record.line) else "changed"
            return f"{shown} {verb} nothing ({found.strip()})"
        if cmd is not None and not _is_read(record.line) and not record.changed \
                and cmd.dry_run == "none" and cmd.verb not in IDEMPOTENT_VERBS:
            return f"{shown} changed nothing"
        if cmd is not None and _is_read(record.line) and not said and not _redirected(record):
            return f"{shown} printed nothing"
    if p.get("target_node") and cmd is not None and cluster is not None:
        namespace = cmd.namespace or record.namespace
        nodes = {}
        for name in _addressed_pods(record, cmd):
            pod = cluster.find("Pod", namespace, name)
            nodes[name] = (pod or {}).get("spec", {}).get("nodeName") or "no node"
        if p["target_node"] not in nodes.values():
            seen = ", ".join(f"pod {n} on {node}" for n, node in nodes.items())
            return (f"{shown} read {seen or 'no pod by name'}, not the pod on "
                    f"{p['target_node']}")
    if p.get("shows") and not _redirected(record) and not re.search(str(p["shows"]),
                                                                     record.stdout):
        return f"{shown} did not show {p.get('shows_what') or '/' + str(p['shows']) + '/'}"
    return ""


def _command_text(p: Mapping[str, Any]) -> str:
    if p.get("describe"):
        return str(p["describe"])
    if p.get("verb"):
        words = ["kubectl", str(p["verb"])]
        words += [str(p[k]).lower() for k in ("resource", "name") if p.get(k)]
        words += [f"--{f}" if v is True else f"--{f}={v}"
                  for f, v in (p.get("flags") or {}).items()]
        if p.get("namespace"):
            words.append(f"-n {p['namespace']}")
        if p.get("all_namespaces"):
            words.append("-A")
        return " ".join(words)
    return f"a command matching /{p.get('pattern')}/"


def _command_run(world: World, p: Mapping[str, Any]) -> Outcome:
    commands = list(world.commands)
    if p.get("before"):  # order matters: only commands before the first match count
        cut = next((i for i, r in enumerate(commands) if re.search(str(p["before"]), r.line)),
                   None)
        if cut is not None:
            late = [r for r in commands[cut:] if _shape(r, p)]
            commands = commands[:cut]
            if late and not any(_shape(r, p) and not _why_not(r, p, world.cluster)
                                for r in commands):
                return Outcome(False, f"`{_first_line(late[-1])}` came too late: it only "
                               f"counts before `{_first_line(world.commands[cut])}`",
                               (("command", _command_text(p), "ran too late"),))
    shaped = [r for r in commands if _shape(r, p)]
    reasons = [_why_not(r, p, world.cluster) for r in shaped]
    if any(not why for why in reasons):
        return Outcome(True, f"you ran {_command_text(p)}")
    # An exercise does not name the command it grades: that would give the answer away.
    wanted = "" if world.exam else f": run {_command_text(p)}"
    if reasons:
        latest = (bool(world.commands) and shaped[-1] is world.commands[-1]
                  and shaped[-1].exit_code == 0)  # kubectl's own error says enough
        return Outcome(False, f"{reasons[-1]}{wanted}",
                       (("command", _command_text(p), _first_line(shaped[-1])),),
                       near_miss=latest)
    if world.exam:
        return Outcome(False, "a command the task asks for has not been run (successfully) "
                       "yet")
    return Outcome(False, f"run {_command_text(p)} in this step",
                   (("command", _command_text(p), "not run yet"),))


def _command_validate(p: Mapping[str, Any]) -> str:
    if not any(k in p for k in ("pattern", "verb")):
        return "give a 'pattern' or a 'verb'"
    for key in ("pattern", "shows", "before"):
        if p.get(key):
            try:
                re.compile(str(p[key]))
            except re.error as exc:
                return f"'{key}' is not a valid regular expression: {exc}"
    return ""


register(CheckKind("command_run", _command_run,
                   lambda p: f"you run {_command_text(p)}",
                   "other commands; a command counts if it succeeded, addressed the namespace "
                   "the step names and showed or changed something", (),
                   ("pattern", "verb", "resource", "name", "flags", "succeeded", "describe",
                    "namespace", "all_namespaces", "allow_noop", "shows", "shows_what", "before",
                    "target_node"),
                   _command_validate))


# Flags a served kubectl's requests show (see dstutor/serve/outside.py); any other flag,
# or a pattern on the text, needs the line typed in the tutor shell.
OUTSIDE_FLAGS = frozenset({"all-namespaces", "watch", "selector", "field-selector", "cascade",
                           "server-side", "dry-run", "replicas", "image", "filename",
                           "namespace"})
TYPED_NOTE = ("(This step checks the exact command: type it in the tutor shell; your own "
              "kubectl's effects count, its command line may not.)\n")


def needs_typed_command(step: Any) -> bool:
    """A step whose command_run check reads the typed text (a `pattern`, flags the API
    server never sees such as -o, an order of commands) or what the command printed
    (`shows`, `target_node`): commands run from outside may not satisfy it."""
    for spec in getattr(step, "checks", ()):
        if spec.kind != "command_run":
            continue
        p = spec.params
        if (p.get("pattern") or p.get("shows") or p.get("target_node") or p.get("before")
                or any(f not in OUTSIDE_FLAGS for f in p.get("flags") or {})):
            return True  # the text typed, or the output kubectl printed
    return False
