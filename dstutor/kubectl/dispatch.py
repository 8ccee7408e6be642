"""Run one kubectl line against the simulated cluster: parse, pick the handler, collect text.

Every DstutorError becomes stderr plus exit 1, worded as kubectl words it; nothing here
prints. Handlers may write output before failing (drain cordons, then refuses), and that
output is kept, as on a real terminal.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from dstutor.errors import DstutorError
from dstutor.kubectl import commands  # noqa: F401 - each handler registers on its spec
from dstutor.kubectl.commands._base import Editor, Env, OutputBuffer
from dstutor.kubectl.parser import KubectlCommand, parse_kubectl
from dstutor.kubectl.parsestate import KubectlParseError
from dstutor.kubectl.result import CommandResult
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster

NOT_SIMULATED_MSG = "error: dstutor does not simulate `kubectl {path}`"
RUN_DAEMONSET_HINT = ("kubectl run starts a single Pod; kubectl cannot create a DaemonSet from "
                      "the command line: write a manifest and run `kubectl apply -f FILE`")
# Flags of old kubectl versions that learners copy from blog posts; kubectl 1.37's pflag
# rejects them before anything else happens.
_REMOVED_RUN_FLAGS = ("--daemonset", "--generator", "--replicas", "--schedule")


def _removed_run_flag(text: str) -> CommandResult | None:
    """`kubectl run x --daemonset`: kubectl's unknown-flag error plus the tutor's hint."""
    words = text.split("\n", 1)[0].split()
    if len(words) < 2 or words[0] not in ("kubectl", "k") or words[1] != "run":
        return None
    for word in words[2:]:
        name = word.split("=", 1)[0]
        if name in _REMOVED_RUN_FLAGS:
            return CommandResult("", f"error: unknown flag: {name}\nSee 'kubectl run --help' "
                                 "for usage.\n", 1, hint=RUN_DAEMONSET_HINT)
    return None


# A parse depends on the line alone and yields a frozen KubectlCommand, so lines that are
# typed again (`get pods` while a rollout runs) reuse it. Refused lines raise, and
# lru_cache keeps no exceptions; long lines (heredoc manifests) are not kept at all.
_MEMO_LINE_MAX = 512


@lru_cache(maxsize=256)
def _parse_short_line(text: str, own_words: frozenset[str]) -> KubectlCommand:
    return parse_kubectl(text, own_words=own_words)


def _parse(text: str, own_words: frozenset[str] = frozenset()) -> KubectlCommand:
    if len(text) <= _MEMO_LINE_MAX:
        return _parse_short_line(text, own_words)
    return parse_kubectl(text, own_words=own_words)


def _help_text(cmd: KubectlCommand) -> str:
    spec = cmd.spec
    lines = [spec.summary + ".", "", "Usage:", f"  {spec.usage}"]
    if spec.examples:
        lines += ["", "Examples:"] + [f"  {e}" for e in spec.examples]
    if spec.subcommands:
        lines += ["", "Available Commands:"]
        lines += [f"  {s.name:<12}{s.summary}" for s in spec.subcommands]
    flags = [f for f in spec.flags if f.supported and f.help]
    if flags:
        lines += ["", "Options:"]
        lines += [f"    {f.display}: {f.help}" for f in flags]
    return "\n".join(lines) + "\n"


OTHER_NAMESPACE_HINT = ("{kind} {name} is in namespace {found}, not {namespace}: add `-n {found}` "
                        "(or `-A` to list every namespace).")


def _other_namespace_hint(cluster: Cluster, cmd: KubectlCommand, namespace: str) -> str | None:
    """A common mistake: the object exists, but in another namespace than the one asked."""
    if cmd.all_namespaces:
        return None
    for target in cmd.targets:
        if target.name is None or not target.type.namespaced:
            continue
        if cluster.find(target.type.kind, namespace, target.name) is not None:
            continue
        for obj in cluster.list_live(target.type.kind):
            if obj["metadata"]["name"] == target.name:
                return OTHER_NAMESPACE_HINT.format(
                    kind=target.type.singular, name=target.name, namespace=namespace,
                    found=obj["metadata"].get("namespace", ""))
    return None


def run(cluster: Cluster, text: str, *, namespace: str = "default", interactive: bool = False,
        editor: Editor | None = None, progress: Callable[[Obj], None] | None = None,
        workspace: Path | None = None, stream: Callable[[str], None] | None = None,
        own_words: frozenset[str] = frozenset()) -> CommandResult:
    """Run `text` (a kubectl line, optionally with a heredoc) and return what it printed.

    `namespace` is the shell's current namespace (what kubeconfig's context would give);
    `editor` receives the YAML `kubectl edit` shows and returns the edited text;
    `progress` sees the DaemonSet before each clock step of `rollout status`. Commands
    that wait (`rollout status`, `get -w`, `delete`, `drain`) advance the virtual clock
    instead of blocking, whatever `interactive` says; the shell passes it for callers that
    want to know how the line was typed. `workspace` is the folder relative file names
    (`-f ds.yaml`, `--patch-file`) are read from; None means the current directory.
    `stream` (interactive shell only) receives the lines of `logs -f` / `get -w` as they
    happen on a live clock. `own_words` are the words the caller handles itself (the
    shell's `node`, a lesson's `hint`): `kubectl node` is told to drop `kubectl`.
    """
    out = OutputBuffer()
    refused = _removed_run_flag(text)
    if refused is not None:
        return refused
    try:
        cmd = _parse(text, own_words)
    except KubectlParseError as exc:
        return CommandResult("", str(exc) + "\n", 1, hint=exc.hint or "")
    except DstutorError as exc:
        return CommandResult("", str(exc) + "\n", 1)
    for warning in cmd.warnings:
        out.err(warning)
    out.hint = cmd.hint
    if cmd.help:
        return CommandResult(_help_text(cmd), "".join(out.stderr), 0, hint=out.hint or "")
    handler = cmd.spec.handler
    env = Env(cluster, namespace, interactive, editor, progress, workspace, stream)
    code = 0
    if handler is None:
        out.err(NOT_SIMULATED_MSG.format(path=cmd.path))
        code = 1
    else:
        try:
            handler(env, cmd, out)
        except DstutorError as exc:
            message = str(exc)
            if message:
                out.err(message)
            hint = getattr(exc, "hint", None)
            if hint and not out.hint:
                out.hint = hint
            code = 1
        if out.failed:
            code = 1
        if code and not out.hint and any("(NotFound)" in line for line in out.stderr):
            out.hint = _other_namespace_hint(cluster, cmd, cmd.namespace or namespace)
    return CommandResult("".join(out.stdout), "".join(out.stderr), code, hint=out.hint or "",
                         changed=out.changed, interleaved=out.interleaved())
