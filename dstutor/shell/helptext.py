"""`help` and `help TOPIC`, written from the two registries (simulator and kubectl)."""

from __future__ import annotations

from dstutor.shell.meta import COMMANDS, MetaCommand, MetaFlag

INTRO = """\
Two kinds of lines:
  kubectl lines   start with `kubectl` (or `k`): kubectl's syntax and output
  simulator lines do what happens outside kubectl's reach on a real cluster
"""
OUTRO = """\
A heredoc works as in bash: `kubectl apply -f - <<EOF`, the manifest, `EOF`.
Output may go through grep, head, tail, wc, sort, uniq, cut and awk
(`k get pods -o wide | grep worker-2`) and into a workspace file with > or >>
(`... -o yaml > ds.yaml`); no other shell syntax runs. The workspace is the
current directory (in a lesson, the lesson's scratch folder).
Type `help kubectl` for the kubectl verbs, `help TOPIC` for one command.
"""
TOPICS = {
    "kubectl": None,  # built from the kubectl registry
    "time": """\
Virtual time. Every timestamp and AGE comes from the simulator's clock.
  manual clock (script mode): time moves only with `advance`, `kubectl rollout status`
                              and `kubectl get -w`
  live clock (interactive):   time follows the wall clock (--speed X runs it faster)
`advance 30s` lets 30 seconds pass; `advance` alone runs until nothing more changes.
""",
}


def _listing() -> str:
    shown = [c for c in COMMANDS.values() if c.name != "node"]
    width = max(len(c.usage) for c in shown if len(c.usage) <= 34) + 2
    lines = [INTRO, "Simulator commands:"]
    for cmd in shown:
        if len(cmd.usage) > width:
            lines.append(f"  {cmd.usage}")
            lines.append(f"  {'':{width}}{cmd.summary}")
        else:
            lines.append(f"  {cmd.usage:{width}}{cmd.summary}")
    return "\n".join(lines) + "\n\n" + OUTRO


def _flag_names(flag: MetaFlag) -> str:
    return f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"


def _command_help(cmd: MetaCommand) -> str:
    lines = [f"{cmd.usage}", "", f"  {cmd.summary}"]
    if cmd.details:
        lines += ["", *[f"  {line}" for line in cmd.details.splitlines()]]
    if cmd.flags:
        lines += ["", "Flags:"]
        # One column for the help, wide enough for the longest name and value.
        left = [f"{_flag_names(f)} {f.metavar}".rstrip() for f in cmd.flags]
        width = max(26, *(len(text) for text in left))
        lines += [f"  {text:{width}} {f.help}" for text, f in zip(left, cmd.flags, strict=True)]
    if cmd.examples:
        lines += ["", "Examples:", *[f"  {e}" for e in cmd.examples]]
    return "\n".join(lines) + "\n"


def _kubectl_listing() -> str:
    from dstutor.kubectl.registry import iter_verbs

    verbs = list(iter_verbs())
    width = max(len(v.path) for v in verbs) + 3
    lines = ["kubectl verbs simulated here (type `kubectl VERB --help` for kubectl's own help):"]
    for verb in verbs:
        lines.append(f"  {verb.path:{width}}{verb.summary}")
        for sub in verb.subcommands:
            lines.append(f"    {sub.name:{width - 2}}{sub.summary}")
    return "\n".join(lines) + "\n"


def _kubectl_verb_help(topic: str) -> str | None:
    from dstutor.kubectl.registry import get_verb

    words = topic.split()
    if words and words[0] in ("kubectl", "k"):
        words = words[1:]
    spec = get_verb(" ".join(words)) if words else None
    if spec is None:
        return None
    lines = [f"kubectl {spec.path}: {spec.summary}", "", f"Usage: {spec.usage}"]
    if spec.note:
        lines += ["", spec.note]
    if spec.examples:
        lines += ["", "Examples:", *[f"  {e}" for e in spec.examples]]
    return "\n".join(lines) + "\n"


def help_text(topic: str = "") -> str | None:
    """The help for a topic (a simulator command, `kubectl`, a kubectl verb); None if unknown."""
    topic = " ".join(topic.split())
    if not topic:
        return _listing()
    if topic in ("kubectl", "k"):
        return _kubectl_listing()
    if topic in TOPICS and TOPICS[topic]:
        return TOPICS[topic]
    if topic == "node":
        return "\n".join(_command_help(COMMANDS[n]) for n in COMMANDS
                         if n.startswith("node "))
    if topic in COMMANDS:
        return _command_help(COMMANDS[topic])
    return _kubectl_verb_help(topic)
