"""What may come next on a line: pure completion logic, no prompt_toolkit (see completer.py).

kubectl lines are read with the kubectl registry (verbs, subcommands, flags, `-o`
values); simulator lines with the meta registry. Object names come from the live
cluster's store, read without running the simulation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dstutor.kubectl.registry import (
    GLOBAL_FLAGS,
    ArgKind,
    FlagSpec,
    FlagType,
    VerbSpec,
    get_verb,
    iter_verbs,
)
from dstutor.kubectl.resources import RESOURCE_TYPES, lookup_resource
from dstutor.kubectl.specs import TAINT_EFFECTS
from dstutor.model.kinds import CLUSTER_SCOPED
from dstutor.shell import meta
from dstutor.sim.cluster import Cluster

KUBECTL_WORDS = ("kubectl", "k")
DURATIONS = ("10s", "30s", "1m", "5m")
ROLES = ("worker", "control-plane", "gpu", "infra")
NODE_SUBCOMMANDS = ("add", "remove", "fail", "recover")


@dataclass(frozen=True)
class Candidate:
    text: str
    meta: str = ""


@dataclass(frozen=True)
class Completions:
    """Candidates that replace `word` (the text just before the cursor), or a file path."""

    word: str = ""
    candidates: tuple[Candidate, ...] = ()
    path: bool = False

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.candidates]


@dataclass
class _Context:
    cluster: Cluster | None
    namespace: str
    all_namespaces: bool = False
    flags: dict[str, str] = field(default_factory=dict)
    extra: Sequence[Candidate] = ()  # a lesson's words, also `help` topics there

    def names(self, kind: str) -> list[str]:
        if self.cluster is None:
            return []
        rt = next((r for r in RESOURCE_TYPES if r.kind == kind), None)
        namespaced = rt.namespaced if rt else kind not in CLUSTER_SCOPED
        ns = None if not namespaced or self.all_namespaces else self.namespace
        return [o["metadata"]["name"] for o in self.cluster.store.list(kind, ns)]


def _filter(word: str, items: Iterable[str | Candidate], *, prefix: str = "") -> Completions:
    seen: set[str] = set()
    found: list[Candidate] = []
    for item in items:
        cand = item if isinstance(item, Candidate) else Candidate(item)
        text = prefix + cand.text
        if text.startswith(word) and text not in seen:
            seen.add(text)
            found.append(Candidate(text, cand.meta))
    return Completions(word, tuple(found))


def complete(text: str, cluster: Cluster | None = None, namespace: str = "default",
             extra: Sequence[Candidate] = ()) -> Completions:
    """Completions for `text`, everything typed before the cursor. `extra` are first words
    a layer above the shell handles, with what they do (a lesson's `hint`, `next`)."""
    if "\n" in text:
        return Completions()  # inside a heredoc body: free text
    piped = _after_pipe(text)
    if piped is not None:
        return piped
    words = text.split()
    if text and not text[-1].isspace():
        word, before = words[-1], words[:-1]
    else:
        word, before = "", words
    ctx = _Context(cluster, namespace, extra=extra)
    if not before:
        firsts = [Candidate(w, "kubectl line") for w in KUBECTL_WORDS]
        # Before the simulator's: in a lesson, `reset` and `exit` are the lesson's.
        firsts += extra
        firsts += [Candidate(w, "simulator") for w in meta.first_words()]
        return _filter(word, firsts)
    if before[0] in KUBECTL_WORDS:
        return _kubectl(before[1:], word, ctx)
    if before[0] in meta.first_words():
        return _meta(before, word, ctx)
    return Completions(word)


def _after_pipe(text: str) -> Completions | None:
    """After `|`: the text filters; after `>`/`>>`: a workspace file. None elsewhere."""
    from dstutor.shell.textfilters import FILTER_NAMES, FILTER_OPTIONS

    cut = max(text.rfind("|"), text.rfind(">"))
    if cut < 0 or text.count("'", 0, cut) % 2 or text.count('"', 0, cut) % 2:
        return None
    tail = text[cut + 1:]
    word = "" if not tail or tail[-1].isspace() else tail.split()[-1]
    if text[cut] == ">":
        return Completions(word, path=True)
    if len(tail.split()) - (1 if word else 0) == 0:
        return _filter(word, [Candidate(f, "text filter") for f in FILTER_NAMES])
    program = tail.split()[0]
    if word.startswith("-") and program in FILTER_OPTIONS:
        return _filter(word, [f"-{letter}" for letter in FILTER_OPTIONS[program]])
    return Completions(word)


# --- kubectl lines -------------------------------------------------------------------------

def _takes_value(flag: FlagSpec) -> bool:
    return flag.type is not FlagType.BOOL and flag.no_opt is None


def _find_flag(spec: VerbSpec | None, text: str) -> FlagSpec | None:
    flags = spec.all_flags if spec is not None else GLOBAL_FLAGS
    if text.startswith("--"):
        return next((f for f in flags if f.name == text[2:]), None)
    return next((f for f in flags if f.short == text[1:2]), None) if len(text) >= 2 else None


def _kubectl(args: list[str], word: str, ctx: _Context) -> Completions:
    spec: VerbSpec | None = None
    positional: list[str] = []
    pending: FlagSpec | None = None
    for arg in args:
        if pending is not None:
            ctx.flags[pending.name] = arg
            pending = None
            continue
        if arg.startswith("-") and len(arg) > 1:
            name, eq, value = arg.partition("=")
            flag = _find_flag(spec, name)
            if flag is not None and eq:
                ctx.flags[flag.name] = value
            elif flag is not None and _takes_value(flag) and (name.startswith("--")
                                                              or len(name) == 2):
                pending = flag
            elif flag is not None and flag.type is FlagType.BOOL:
                ctx.flags[flag.name] = "true"
            continue
        if spec is None:
            spec = get_verb(arg)
            if spec is None:
                return Completions(word)
        elif spec.subcommands and spec.path.count(" ") == 0 and spec.subcommand(arg):
            spec = spec.subcommand(arg)
        else:
            positional.append(arg)
    ctx.namespace = ctx.flags.get("namespace", ctx.namespace)
    ctx.all_namespaces = ctx.flags.get("all-namespaces") == "true"
    if pending is not None:
        return _flag_values(pending, spec, word, ctx, positional)
    if word.startswith("-"):
        name, eq, value = word.partition("=")
        flag = _find_flag(spec, name)
        if eq and flag is not None:
            values = _flag_values(flag, spec, value, ctx, positional)
            return _filter(word, values.texts, prefix=f"{name}=") if not values.path else \
                Completions(value, path=True)
        flags = spec.all_flags if spec is not None else GLOBAL_FLAGS
        names = [Candidate(f"--{f.name}", f.help) for f in flags if f.supported]
        names += [Candidate(f"-{f.short}", f.help) for f in flags if f.supported and f.short]
        return _filter(word, names)
    if spec is None:
        return _filter(word, [Candidate(v.path, v.summary) for v in iter_verbs()])
    if spec.subcommands and " " not in spec.path:
        return _filter(word, [Candidate(s.name, s.summary) for s in spec.subcommands])
    return _positional(spec, positional, word, ctx)


def _flag_values(flag: FlagSpec, spec: VerbSpec | None, word: str, ctx: _Context,
                 positional: list[str] | None = None) -> Completions:
    if flag.name == "for":  # events --for TYPE/NAME
        if "/" in word:
            typed = word.split("/", 1)[0]
            return _filter(word, _names_for(typed, ctx), prefix=f"{typed}/")
        return _filter(word, [Candidate(c.text + "/", c.meta) for c in _resource_types()])
    if flag.name == "container" and spec is not None and spec.path == "logs" and positional:
        return _filter(word, _containers(positional[0], ctx))
    if flag.name == "output":
        formats = (spec.output_formats if spec is not None else None) or flag.choices
        return _filter(word, formats or ())
    if flag.name in ("filename", "patch-file"):
        return Completions(word, path=True)
    if flag.name == "namespace":
        return _filter(word, ctx.names("Namespace"))
    if flag.name == "selector" and ctx.cluster is not None:
        namespace = None if ctx.all_namespaces else ctx.namespace
        pairs = sorted({f"{k}={v}" for pod in ctx.cluster.store.list("Pod", namespace)
                        for k, v in (pod["metadata"].get("labels") or {}).items()
                        if k != "controller-revision-hash"})
        return _filter(word, pairs)
    return _filter(word, flag.choices)


def _containers(target: str, ctx: _Context) -> list[str]:
    """The containers of the pod `logs` names (init containers too), for -c."""
    if ctx.cluster is None or "/" in target:
        return []
    pod = ctx.cluster.store.get("Pod", ctx.namespace, target)
    spec = (pod or {}).get("spec") or {}
    return [str(c.get("name", "")) for key in ("initContainers", "containers")
            for c in spec.get(key) or () if isinstance(c, dict)]


def _resource_types() -> list[Candidate]:
    found: list[Candidate] = []
    for rt in RESOURCE_TYPES:
        found.append(Candidate(rt.plural, rt.kind))
        found += [Candidate(short, rt.kind) for short in rt.short_names]
    return found


def _names_for(typed: str, ctx: _Context) -> list[str]:
    rt = lookup_resource(typed)
    return ctx.names(rt.kind) if rt is not None else []


def _positional(spec: VerbSpec, positional: list[str], word: str, ctx: _Context
                ) -> Completions:
    kind = spec.args
    if spec.path == "logs" and "/" not in word and not positional:
        # logs takes a pod name first (or TYPE/NAME, completed below).
        return _filter(word, ctx.names("Pod") + ["ds/", "daemonset/", "deploy/"])
    if spec.path == "top pod":
        return _filter(word, ctx.names("Pod")) if not positional else Completions(word)
    if spec.path == "run":
        return Completions(word)
    if kind in (ArgKind.RESOURCES, ArgKind.LABELS, ArgKind.IMAGES, ArgKind.EXPLAIN):
        if "/" in word:
            typed = word.split("/", 1)[0]
            return _filter(word, _names_for(typed, ctx), prefix=f"{typed}/")
        if not positional or kind is ArgKind.EXPLAIN:
            return _filter(word, _resource_types()) if not positional else Completions(word)
        if "/" in positional[0]:
            return Completions(word)
        return _filter(word, _names_for(positional[0], ctx))
    if kind is ArgKind.NODES:
        return _filter(word, ctx.names("Node"))
    if kind is ArgKind.TAINTS:
        if not positional:
            return _filter(word, ["nodes", "node", "no"])
        if len(positional) == 1:
            return _filter(word, ctx.names("Node"))
        return _taint_values(word)
    return Completions(word)


def _taint_values(word: str) -> Completions:
    if ":" not in word:
        return Completions(word)
    head = word.rsplit(":", 1)[0]
    return _filter(word, TAINT_EFFECTS, prefix=f"{head}:")


# --- simulator lines -------------------------------------------------------------------------

def _meta(before: list[str], word: str, ctx: _Context) -> Completions:
    if before == ["node"]:
        return _filter(word, [Candidate(s, meta.COMMANDS[f"node {s}"].summary)
                              for s in NODE_SUBCOMMANDS])
    cmd = meta.find_command(" ".join(before))
    if cmd is None:
        return Completions(word)
    rest = before[len(cmd.name.split()):]
    positional = 0
    pending: meta.MetaFlag | None = None
    for arg in rest:
        if pending is not None:
            pending = None
        elif arg.startswith("--"):
            name, eq, _ = arg[2:].partition("=")
            pending = None if eq else cmd.flag(name)
        else:
            positional += 1
    if pending is not None:
        return _meta_value(pending.complete, word, ctx)
    if word.startswith("--"):
        name, eq, value = word[2:].partition("=")
        flag = cmd.flag(name)
        if eq and flag is not None:
            values = _meta_value(flag.complete, value, ctx)
            return _filter(word, values.texts, prefix=f"--{name}=")
        return _filter(word, [Candidate(f"--{f.name}", f.help) for f in cmd.flags])
    if positional >= len(cmd.args):
        return Completions(word)
    return _meta_value(cmd.args[positional], word, ctx)


def _meta_value(kind: str, word: str, ctx: _Context) -> Completions:
    if kind == meta.NODE:
        return _filter(word, ctx.names("Node"))
    if kind == meta.NEW_NODE:
        taken = set(ctx.names("Node"))
        free = next(f"worker-{i}" for i in range(1, len(taken) + 2)
                    if f"worker-{i}" not in taken)
        return _filter(word, [free])
    if kind == meta.DURATION:
        return _filter(word, DURATIONS)
    if kind == meta.FILE:
        return Completions(word, path=True)
    if kind == meta.TOPIC:
        return _filter(word, [*(c.text for c in ctx.extra), *meta.first_words(), "kubectl",
                              "time"])
    if kind == meta.DAEMONSET:
        ctx.all_namespaces = True
        return _filter(word, ctx.names("DaemonSet"))
    if kind == meta.WHY_TARGET:
        ctx.all_namespaces = True
        daemon_pods = [p for p in _all_pods(ctx) if p]
        return _filter(word, [*ctx.names("Node"), *ctx.names("DaemonSet"), *daemon_pods])
    if kind == meta.TAINT:
        return _taint_values(word)
    if kind == meta.ROLE:
        return _filter(word, ROLES)
    if kind == meta.LABEL and ctx.cluster is not None:
        keys = sorted({k for node in ctx.cluster.store.list("Node")
                       for k in (node["metadata"].get("labels") or {})
                       if not k.startswith(("kubernetes.io/", "beta.kubernetes.io/"))})
        return _filter(word, [f"{k}=" for k in keys])
    return Completions(word)


def _all_pods(ctx: _Context) -> list[str]:
    if ctx.cluster is None:
        return []
    return [p["metadata"]["name"] for p in ctx.cluster.store.list("Pod")]
