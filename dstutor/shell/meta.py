"""Simulator commands: one registry of records feeding dispatch, `help` and completion.

These do what happens outside kubectl's reach on a real cluster (machines join, fail,
time passes) plus the shell's own conveniences (undo, save, map, why).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dstutor.controller.gc import orphan_pods_deleted_at
from dstutor.errors import DstutorError
from dstutor.kubectl.lexer import split_command
from dstutor.kubectl.result import CommandResult
from dstutor.shell.durations import clock_text, format_duration, parse_duration
from dstutor.shell.session import MAX_UNDO, error

if TYPE_CHECKING:
    from dstutor.shell.session import Session

# Completion kinds for positional arguments and flag values (see suggest.py).
NODE, NEW_NODE, DURATION, FILE, TOPIC, WHY_TARGET, DAEMONSET = (
    "node", "new-node", "duration", "file", "topic", "why-target", "daemonset")
LABEL, TAINT, ROLE = "label", "taint", "role"
# A manifest in the workspace (`plan -f ds.yaml`): lessons may name one they write.
MANIFEST = "manifest"


@dataclass(frozen=True)
class MetaFlag:
    name: str  # without dashes
    metavar: str
    help: str
    complete: str = ""
    repeat: bool = True  # an empty metavar makes a switch that takes no value
    short: str = ""  # a one-letter alias, `-f` for --filename
    reads: bool = False  # a FILE flag that reads (lessons refuse it), not one that writes

    @property
    def switch(self) -> bool:
        return not self.metavar


@dataclass(frozen=True)
class Args:
    positional: tuple[str, ...]
    flags: dict[str, list[str]] = field(default_factory=dict)


Handler = Callable[["Session", Args], CommandResult]


@dataclass(frozen=True)
class MetaCommand:
    """One simulator command as dispatch, `help` and completion see it."""

    name: str  # one or two words: "advance", "node add"
    usage: str
    summary: str
    handler: Handler
    details: str = ""
    args: tuple[str, ...] = ()  # completion kind per positional argument
    min_args: int = 0
    flags: tuple[MetaFlag, ...] = ()
    # True: snapshot before running, so `undo` can revert what it changed.
    undoable: bool = False
    examples: tuple[str, ...] = ()

    @property
    def max_args(self) -> int:
        return len(self.args)

    def flag(self, name: str) -> MetaFlag | None:
        return next((f for f in self.flags if f.name == name), None)

    def short_flag(self, letter: str) -> MetaFlag | None:
        return next((f for f in self.flags if letter and f.short == letter), None)


COMMANDS: dict[str, MetaCommand] = {}


def command(name: str, usage: str, summary: str, *, details: str = "",
            args: tuple[str, ...] = (), min_args: int = 0, flags: tuple[MetaFlag, ...] = (),
            undoable: bool = False, examples: tuple[str, ...] = (),
            ) -> Callable[[Handler], Handler]:
    """Register a handler; the record is what `help` prints and Tab completes."""

    def register(handler: Handler) -> Handler:
        COMMANDS[name] = MetaCommand(name, usage, summary, handler, details=details, args=args,
                                     min_args=min_args, flags=flags, undoable=undoable,
                                     examples=examples)
        return handler

    return register


def first_words() -> list[str]:
    return sorted({name.split()[0] for name in COMMANDS})


def find_command(line: str) -> MetaCommand | None:
    """The command a line starts with (two-word names first); None if it is not one."""
    words = line.split()
    if len(words) >= 2 and f"{words[0]} {words[1]}" in COMMANDS:
        return COMMANDS[f"{words[0]} {words[1]}"]
    if words and words[0] in COMMANDS:
        return COMMANDS[words[0]]
    if words and words[0] in first_words():  # `node` alone or `node frobnicate`
        return COMMANDS["node"]
    return None


def parse_args(cmd: MetaCommand, text: str) -> Args:
    """Split with shell quoting, then separate `--flag value` / `--flag=value` pairs."""
    lexed = split_command(text)
    if lexed.stdin is not None:
        raise DstutorError(f"error: `{cmd.name}` takes no heredoc; only kubectl reads one")
    words = lexed.texts[len(cmd.name.split()):]
    positional: list[str] = []
    flags: dict[str, list[str]] = {}
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        short = cmd.short_flag(word[1:2]) if len(word) >= 2 and word[0] == "-" and \
            word[1] != "-" and word[2:3] in ("", "=") else None
        if short is not None:
            word = f"--{short.name}{word[2:]}"
        if not word.startswith("--") or word == "--":
            positional.append(word)
            continue
        name, eq, value = word[2:].partition("=")
        spec = cmd.flag(name)
        if spec is None:
            known = ", ".join(f"--{f.name}" for f in cmd.flags) or "none"
            raise DstutorError(f"error: unknown flag --{name} for `{cmd.name}` "
                               f"(its flags: {known})")
        if not eq and spec.switch:
            value = "true"
        elif not eq:
            if i >= len(words):
                raise DstutorError(f"error: --{name} needs a value: --{name} {spec.metavar}")
            value = words[i]
            i += 1
        if name in flags and not spec.repeat:
            raise DstutorError(f"error: --{name} given twice")
        flags.setdefault(name, []).append(value)
    if len(positional) < cmd.min_args:
        raise DstutorError(f"error: `{cmd.name}` needs more arguments; usage: {cmd.usage}")
    if len(positional) > cmd.max_args:
        extra = positional[cmd.max_args]
        raise DstutorError(f"error: unexpected argument {extra!r}; usage: {cmd.usage}")
    return Args(tuple(positional), flags)


def run(session: Session, cmd: MetaCommand, text: str) -> CommandResult:
    args = parse_args(cmd, text)
    before = session.snapshot() if cmd.undoable else None
    try:
        out = cmd.handler(session, args)
    except (DstutorError, KeyboardInterrupt):
        if before is not None:
            session.restore(before)  # a failed or stopped command leaves nothing behind
        raise
    if out.changed and before is not None:
        session.record_change(text, before)
    return out


# --- nodes ---------------------------------------------------------------------------------

def _existing_node(session: Session, name: str) -> None:
    if session.cluster.find("Node", "", name) is None:
        names = [n["metadata"]["name"] for n in session.cluster.store.list("Node")]
        listing = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        raise DstutorError(f'error: no node named "{name}" (nodes: {listing or "none"})')


def _parse_node_flags(args: Args) -> tuple[dict[str, str], list[dict[str, str]], list[str]]:
    from dstutor.kubectl.specs import label_value_errors, parse_taint_changes, qualified_name_errors

    labels: dict[str, str] = {}
    for spec in args.flags.get("label", []):
        key, eq, value = spec.partition("=")
        problems = qualified_name_errors(key) + (label_value_errors(value) if eq else [])
        if not eq or problems:
            why = problems[0] if problems else "write it as key=value"
            raise DstutorError(f"error: bad --label {spec!r}: {why}")
        labels[key] = value
    taints: list[dict[str, str]] = []
    for spec in args.flags.get("taint", []):
        try:
            (change,) = parse_taint_changes([spec])
        except ValueError as exc:
            raise DstutorError(f"error: bad --taint {spec!r}: {exc} "
                               "(write it as key=value:Effect)") from None
        if change.remove:
            raise DstutorError(f"error: bad --taint {spec!r}: a new node has no taint to remove")
        taint = {"key": change.key, "effect": change.effect}
        if change.value:
            taint["value"] = change.value
        taints.append(taint)
    return labels, taints, args.flags.get("role", [])


@command("node", "node add|remove|fail|recover NAME",
         "add, remove, fail or recover a node (`help node`)", args=("word", NODE))
def meta_node(session: Session, args: Args) -> CommandResult:
    sub = args.positional[0] if args.positional else ""
    return error(f"error: unknown node command {sub!r}" if sub else "error: node what?",
                 hint="node add NAME | node remove NAME | node fail NAME | node recover NAME")


@command("node add", "node add NAME [--label k=v]... [--taint k=v:Effect]... [--role ROLE]",
         "a machine joins; its Node turns Ready shortly after",
         args=(NEW_NODE,), min_args=1, undoable=True,
         flags=(MetaFlag("label", "KEY=VALUE", "a node label", LABEL),
                MetaFlag("taint", "KEY=VALUE:EFFECT", "a taint the node starts with", TAINT),
                MetaFlag("role", "ROLE", "a node-role.kubernetes.io/ROLE label", ROLE),
                MetaFlag("no-network", "", "no pod network until a CNI agent runs there",
                         repeat=False)),
         examples=("node add worker-4", "node add gpu-1 --label gpu=true "
                   "--taint dedicated=gpu:NoSchedule", "node add worker-5 --no-network"))
def meta_node_add(session: Session, args: Args) -> CommandResult:
    name = args.positional[0]
    labels, taints, roles = _parse_node_flags(args)
    network = "no-network" not in args.flags
    session.cluster.add_node(name, labels=labels, taints=taints, roles=roles, network=network)
    if not network:
        return CommandResult(stdout=f"node/{name} joined without a pod network; it stays NotReady, "
                      "tainted node.kubernetes.io/network-unavailable, until a CNI agent's "
                      "pod runs on it", changed=True)
    when = _after(session, session.cluster.timing["nodeReadySeconds"])
    return CommandResult(stdout=f"node/{name} joined; it turns Ready {when}", changed=True)


def _after(session: Session, seconds: float) -> str:
    """When something happens, said as the clock lets the learner wait for it."""
    delay = format_duration(seconds)
    if session.cluster.clock.mode == "manual":
        return f"after {delay} of virtual time (`advance {delay}`)"
    return f"in about {delay}"


@command("node remove", "node remove NAME",
         "the machine is gone; pod GC removes its pods 40-60s later",
         args=(NODE,), min_args=1, undoable=True)
def meta_node_remove(session: Session, args: Args) -> CommandResult:
    name = args.positional[0]
    _existing_node(session, name)
    now = session.cluster.now()
    session.cluster.remove_node(name)
    when = _after(session, orphan_pods_deleted_at(now) - now)
    return CommandResult(stdout=f"node/{name} removed; pod GC deletes the pods bound to it {when}",
                  changed=True)


@command("node fail", "node fail NAME",
         "the kubelet stops reporting; the node turns NotReady",
         args=(NODE,), min_args=1, undoable=True)
def meta_node_fail(session: Session, args: Args) -> CommandResult:
    name = args.positional[0]
    _existing_node(session, name)
    if not session.cluster.node_is_up(name):
        return error(f"error: node {name} has already failed (try `node recover {name}`)")
    session.cluster.fail_node(name)
    grace = format_duration(session.cluster.timing["nodeMonitorGracePeriodSeconds"])
    return CommandResult(stdout=f"node/{name}: the kubelet stopped reporting; the node turns "
                  f"NotReady after {grace}", changed=True)


@command("node recover", "node recover NAME",
         "the kubelet reports again; the node is Ready",
         args=(NODE,), min_args=1, undoable=True)
def meta_node_recover(session: Session, args: Args) -> CommandResult:
    name = args.positional[0]
    _existing_node(session, name)
    if session.cluster.node_is_up(name):
        return error(f"error: node {name} has not failed (try `node fail {name}`)")
    session.cluster.recover_node(name)
    return CommandResult(stdout=f"node/{name}: the kubelet reports again; the node is Ready",
                  changed=True)


# --- time, undo, reset, files -----------------------------------------------------------------

@command("advance", "advance [DURATION]",
         "let virtual time pass; alone: until nothing changes",
         args=(DURATION,), undoable=True,
         examples=("advance 30s", "advance 2m", "advance 7d", "advance"),
         details="A duration is a number and a unit: 30s, 2m, 1h, 1m30s, 7d (at most 366d).\n"
                 "Without one, time runs until nothing more is waiting to happen\n"
                 "(at most 10 minutes, in case something keeps restarting).")
def meta_advance(session: Session, args: Args) -> CommandResult:
    cluster = session.cluster
    started = time.process_time()
    if args.positional:
        seconds = parse_duration(args.positional[0])
        cluster.advance(seconds)
        # Nothing else changes the cluster here: the state after it is the state before
        # with this replayed, so the next command's guard (and undo entry) need not pickle
        # the cluster (Session.replayable).
        session.replayable(lambda again: again.advance(seconds), time.process_time() - started)
        return CommandResult(stdout=f"{format_duration(seconds)} passed; virtual time is now "
                      f"{clock_text(session)}", changed=seconds > 0)
    used = cluster.advance()
    session.replayable(lambda again: again.advance(), time.process_time() - started)
    if used == 0 and cluster.next_change() is None:
        return CommandResult(stdout=f"nothing is waiting to happen; virtual time stays at "
                      f"{clock_text(session)}")
    tail = ("nothing more is changing" if cluster.next_change() is None
            else "things are still changing (advance again to see more)")
    return CommandResult(stdout=f"{format_duration(used)} passed; {tail}; virtual time is now "
                  f"{clock_text(session)}", changed=True)


@command("undo", "undo", "revert the last command that changed the cluster",
         details="Reverts kubectl writes, node commands, advance, reset and load, newest\n"
                 f"first (up to {MAX_UNDO} of them, fewer on a very large cluster).\n"
                 "Reading commands are not counted.")
def meta_undo(session: Session, args: Args) -> CommandResult:
    undone = session.undo()
    if undone is None:
        return error("error: nothing to undo")
    return CommandResult(stdout=f"undone: {undone}", changed=True)


@command("reset", "reset", "back to the cluster the shell started with",
         details="The cluster from --cluster, --nodes and -f, as at start-up (a --state file\n"
                 "you resumed from is not reloaded). `undo` brings back what you had.")
def meta_reset(session: Session, args: Args) -> CommandResult:
    session.replace_cluster(session.fresh_cluster, "reset", from_factory=True)
    session.namespace = "default"
    return CommandResult(stdout="the cluster is back to how the shell started (`undo` reverts this)",
                  changed=True)


@command("save", "save FILE", "write the whole cluster to FILE (JSON data)",
         args=(FILE,), min_args=1)
def meta_save(session: Session, args: Args) -> CommandResult:
    from dstutor.shell import savefile

    path = args.positional[0]
    savefile.save_file(session.cluster, path)
    return CommandResult(stdout=f"saved the cluster to {path}")


@command("load", "load FILE", "replace the cluster with one written by `save`",
         args=(FILE,), min_args=1)
def meta_load(session: Session, args: Args) -> CommandResult:
    from dstutor.shell import savefile

    path = args.positional[0]
    clock = session.cluster.clock
    session.replace_cluster(lambda: savefile.load_file(path, mode=clock.mode, speed=clock.speed),
                            f"load {path}")
    return CommandResult(stdout=f"loaded the cluster from {path} (virtual time {clock_text(session)})",
                  changed=True)


@command("exit", "exit", "leave the shell (Ctrl-D does too)")
def meta_exit(session: Session, args: Args) -> CommandResult:
    return CommandResult(exit=True)


# --- pictures and explanations --------------------------------------------------------------

# Up to this many nodes `map` and `why` show each node; above (unless --all), `map` draws
# one panel per look (nodemap.alike), `why` alone counts per DaemonSet and `why DAEMONSET`
# explains only the nodes where it is not running and ready. At 5,000 nodes x 10
# DaemonSets each node drawn was 60,000 lines (17 s), each pair 500,000 lines (7 s).
EACH_NODE_UP_TO = 50


@command("map", "map [--all] ...",
         "every node with its taints and pods (status, revision)",
         flags=(MetaFlag("all", "", "one panel per node however many there are",
                         repeat=False),
                MetaFlag("svg", "FILE", "also write the picture as an SVG file", FILE,
                         repeat=False)),
         details="One panel per node: roles, Ready/NotReady, cordoned, taints, the labels\n"
                 "DaemonSets select on, and each pod with its DaemonSet, status and\n"
                 f"revision (`old` marks pods still on an older revision). Over {EACH_NODE_UP_TO}\n"
                 "nodes, nodes alike (the same state, taints, labels and pods but for\n"
                 "their names) share one panel; --all draws each.",
         examples=("map", "map --all", "map --svg cluster.svg"))
def meta_map(session: Session, args: Args) -> CommandResult:
    from dstutor.shell import console, nodemap

    views = nodemap.build(session.cluster)
    groups = (nodemap.alike(views) if len(views) > EACH_NODE_UP_TO and "all" not in args.flags
              else None)
    picture = console.map_picture(views, session.cluster.now(),
                                  nodemap.unplaced(session.cluster), groups)
    text = console.render_text(picture, width=session.width)
    for path in args.flags.get("svg", []):
        try:
            console.write_svg(picture, path, width=max(session.width, 80))
        except OSError as exc:
            return error(f"error: cannot write {path}: {exc.strerror or exc}")
        text += f"\nwrote {path}\n"
    return CommandResult(stdout=text, renderable=picture)


@command("why", "why [--all] [POD|NODE|DAEMONSET] [DAEMONSET]",
         "every gate that decides where DaemonSet pods run",
         args=(WHY_TARGET, DAEMONSET),
         flags=(MetaFlag("all", "", "every pair asked about, however many there are",
                         repeat=False),),
         details="For each node and DaemonSet: the template's nodeName, nodeSelector and\n"
                 "node affinity, each taint against the tolerations (marking the ones the\n"
                 "controller adds itself), then what the scheduler and kubelet add:\n"
                 "cordoning, readiness and resources. Without arguments: every pair. Over\n"
                 f"{EACH_NODE_UP_TO} nodes, `why` alone gives each DaemonSet's counts, and `why\n"
                 "DAEMONSET` its counts and the nodes where it is not running and ready;\n"
                 "--all explains every pair.",
         examples=("why worker-1", "why worker-1 node-logger", "why node-logger-7xk2p"))
def meta_why(session: Session, args: Args) -> CommandResult:
    from dstutor.shell import why

    big = session.cluster.store.count("Node") > EACH_NODE_UP_TO
    return CommandResult(stdout=why.explain(session.cluster, list(args.positional),
                                     namespace=session.namespace, width=session.width,
                                     counts=big and "all" not in args.flags))


@command("help", "help [TOPIC]", "this list, or more on one command: `help node add`",
         args=(TOPIC, "word"))
def meta_help(session: Session, args: Args) -> CommandResult:
    from dstutor.shell import helptext

    topic = " ".join(args.positional)
    text = helptext.help_text(topic)
    if text is None:
        return error(f"error: no help on {topic!r}; type `help` for the list of topics")
    return CommandResult(stdout=text)


# Workspace file commands (cat, ls, vi ...) and the rollout planner (`plan`) register
# themselves in this same table.
from dstutor.shell import filecmds, plancmd  # noqa: E402,F401
