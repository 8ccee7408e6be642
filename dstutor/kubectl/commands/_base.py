"""Shared plumbing for verb handlers: the environment, the output buffer, object lookup."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dstutor.errors import CommandError, NotFound
from dstutor.kubectl.builder import ResourceTarget
from dstutor.kubectl.commands._select import label_filter, selection
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.resources import ResourceType, resource_for_kind
from dstutor.model.objects import Obj, clone
from dstutor.sim.cluster import Cluster

Editor = Callable[[str], str]


@dataclass
class Env:
    """What a handler may use: the cluster, the shell's current namespace, an editor."""

    cluster: Cluster
    namespace: str = "default"
    interactive: bool = False
    editor: Editor | None = None
    # Called with the DaemonSet before each clock step of `rollout status`, so an
    # interactive shell can draw a progress bar (and pace a live clock).
    progress: Callable[[Obj], None] | None = None
    # Where relative file names (-f, --patch-file) are read from; None: the current dir.
    workspace: Path | None = None
    # Set by the interactive shell: `logs -f`, `get -w` and `events -w` write lines here
    # as they happen, while a live clock runs, until Ctrl-C.
    stream: Callable[[str], None] | None = None

    def path(self, name: str) -> Path:
        """A file name the user typed: in the workspace when there is one (a lesson's
        scratch folder; nothing outside it is read), else as typed (dstutor shell)."""
        if self.workspace is None:
            return Path(name)
        root = self.workspace.resolve()
        path = (root / name).resolve()
        if path != root and root not in path.parents:
            raise CommandError(f"error: {name}: outside the workspace {root}; dstutor reads "
                               "and writes files only there")
        return path


@dataclass
class OutputBuffer:
    """Text collected while a command runs; kept even when the command then fails."""

    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    changed: bool = False
    hint: str | None = None
    failed: bool = False
    # Every write in the order it happened (1 = stdout, 2 = stderr): kubectl's warnings
    # land between its output lines, e.g. drain's "Warning: ignoring DaemonSet-managed
    # Pods" after "cordoned" and before the evictions.
    order: list[tuple[int, str]] = field(default_factory=list)

    def line(self, text: str) -> None:
        self.write(text + "\n")

    def write(self, text: str) -> None:
        self.stdout.append(text)
        self.order.append((1, text))

    def err(self, text: str) -> None:
        self.stderr.append(text + "\n")
        self.order.append((2, text + "\n"))

    def interleaved(self) -> tuple[tuple[int, str], ...]:
        """The writes in order, or () when a handler edited stdout/stderr directly."""
        if ("".join(t for s, t in self.order if s == 1) != "".join(self.stdout)
                or "".join(t for s, t in self.order if s == 2) != "".join(self.stderr)):
            return ()
        return tuple(self.order)


Handler = Callable[[Env, KubectlCommand, OutputBuffer], None]


def namespace_of(env: Env, cmd: KubectlCommand) -> str:
    return cmd.namespace or env.namespace


def error(message: str) -> CommandError:
    """kubectl's `error: ...` line."""
    return CommandError(message if message.startswith("error: ") else f"error: {message}")


def flag_str(cmd: KubectlCommand, name: str) -> str:
    value = cmd.flags.get(name, "")
    return value if isinstance(value, str) else str(value)


def flag_list(cmd: KubectlCommand, name: str) -> tuple[str, ...]:
    """A list flag's values (`--env a=1 --env b=2`); () when unset."""
    value = cmd.flags.get(name, ())
    return value if isinstance(value, tuple) else ()


def flag_int(cmd: KubectlCommand, name: str) -> int:
    value = cmd.flags.get(name, 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def flag_bool(cmd: KubectlCommand, name: str) -> bool:
    return bool(cmd.flags.get(name, False))


def flag_float(cmd: KubectlCommand, name: str) -> float:
    value = cmd.flags.get(name, 0.0)
    return float(value) if isinstance(value, int | float) else 0.0


def rtype_of(obj: Obj) -> ResourceType:
    return resource_for_kind(obj["kind"])


def ref_name(obj: Obj) -> str:
    """`daemonset.apps/x`: how success messages and `-o name` name an object."""
    return rtype_of(obj).object_ref(obj["metadata"]["name"])


def get_object(env: Env, rt: ResourceType, namespace: str, name: str) -> Obj:
    """A copy of one object, or kubectl's NotFound."""
    return env.cluster.get(rt.kind, namespace if rt.namespaced else "", name)


def list_objects(env: Env, rt: ResourceType, namespace: str | None, selector: str = "",
                 fields: str = "", *, live: bool = False, read_now: bool = False
                 ) -> list[Obj]:
    """Objects of one type; a bad selector fails the way the API server rejects it.
    `read_now` (with `live`): the caller is done with them before anything is written
    (`get`'s output), so Events still kept as records need not be kept as dicts."""
    ns = namespace if rt.namespaced else None
    if rt.kind == "Event" and (selector or fields):
        # Recorded Events are judged as they are kept, and built only if they match.
        chosen = selection(rt, selector, fields)
        env.cluster.settle()
        items = env.cluster.store.list_events_where(ns, *chosen)
    elif rt.kind == "Event" and live and read_now:
        env.cluster.settle()
        items = env.cluster.store.events_as_read(ns)
    else:
        items = env.cluster.list_live(rt.kind, ns)
        if selector or fields:
            matches = label_filter(rt, selector, namespace, fields)
            items = [o for o in items if matches(o)]
    return items if live else [clone(o) for o in items]


def resolve_targets(env: Env, cmd: KubectlCommand, *, live: bool = False,
                    ignore_not_found: bool = False) -> Iterator[tuple[ResourceTarget, Obj]]:
    """Every object the command's targets name, in argument order.

    Named objects that do not exist raise NotFound unless `ignore_not_found`; then they
    are skipped. Types without a name list every object matching -l/--field-selector.
    """
    ns = namespace_of(env, cmd)
    for target in cmd.targets:
        rt = target.type
        if target.name is not None:
            try:
                obj = get_object(env, rt, ns, target.name)
            except NotFound:
                if ignore_not_found:
                    continue
                raise
            yield target, obj
            continue
        scope = None if cmd.all_namespaces else ns
        for obj in list_objects(env, rt, scope, cmd.selector, cmd.field_selector, live=live):
            yield target, obj
