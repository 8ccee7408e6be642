"""The one table of kubectl verbs and flags that dispatch, `help` and completion all read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

FlagValue = bool | str | int | float | tuple[str, ...]


class FlagType(StrEnum):
    BOOL = "bool"
    STR = "string"
    INT = "int"
    DURATION = "duration"  # parsed to seconds (float), written like Go: 30s, 1m30s, 2h
    LIST = "strings"  # comma-separated, repeatable: `-f a.yaml,b.yaml -f c.yaml`


class ArgKind(StrEnum):
    """What the positional arguments of a verb are, for the parser and for completion."""

    NONE = "none"
    RESOURCES = "resources"  # TYPE [NAME...] | TYPE/NAME...
    NODES = "nodes"  # NODE... (cordon, uncordon, drain)
    LABELS = "labels"  # resources, then KEY=VAL / KEY-
    TAINTS = "taints"  # node NAME..., then KEY[=VAL]:EFFECT[-] / KEY-
    IMAGES = "images"  # resources, then CONTAINER=IMAGE
    EXPLAIN = "explain"  # TYPE[.field.path]
    NAME = "name"  # exactly one NAME (create namespace / deployment)
    SUBCOMMAND = "subcommand"


_BOOL_WORDS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
               "0": False, "f": False, "F": False, "FALSE": False, "false": False,
               "False": False}
_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                   "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d*\.?\d*)([^\d.]*)")


def parse_go_bool(text: str) -> bool:
    if text not in _BOOL_WORDS:
        raise ValueError(f'strconv.ParseBool: parsing "{text}": invalid syntax')
    return _BOOL_WORDS[text]


def parse_go_int(text: str) -> int:
    body = text.lstrip("+-")
    try:
        # Go's base-0 parsing reads a leading 0 as octal; Python wants 0o.
        if len(body) > 1 and body[0] == "0" and body[1].isdigit():
            value = int(text.replace(body, "0o" + body[1:], 1), 0)
        else:
            value = int(text, 0)
    except ValueError:
        raise ValueError(f'strconv.ParseInt: parsing "{text}": invalid syntax') from None
    if not -(2**63) <= value < 2**63:
        raise ValueError(f'strconv.ParseInt: parsing "{text}": value out of range')
    return value


def parse_go_duration(text: str) -> float:
    """Seconds in a Go duration string (`1m30s`, `500ms`, `0`); ValueError with Go's text."""
    invalid = ValueError(f'time: invalid duration "{text}"')
    body = text[1:] if text[:1] in "+-" else text
    sign = -1.0 if text.startswith("-") else 1.0
    if body == "0":
        return 0.0
    if not body:
        raise invalid
    total, pos = 0.0, 0
    while pos < len(body):
        m = _DURATION_PART.match(body, pos)
        assert m is not None
        number, unit = m.group(1), m.group(2)
        if number in ("", "."):
            raise invalid
        if not unit:
            raise ValueError(f'time: missing unit in duration "{text}"')
        if unit not in _DURATION_UNITS:
            raise ValueError(f'time: unknown unit "{unit}" in duration "{text}"')
        total += float(number) * _DURATION_UNITS[unit]
        pos = m.end()
    return sign * total


@dataclass(frozen=True)
class FlagSpec:
    """One flag: its names, type, default, allowed values and a one-line help."""

    name: str
    type: FlagType = FlagType.STR
    short: str | None = None
    default: FlagValue | None = None
    help: str = ""
    choices: tuple[str, ...] = ()
    # Value used when a non-bool flag is given bare, like `--dry-run` or `--cascade`.
    no_opt: str | None = None
    # False: kubectl has the flag but dstutor cannot simulate it, so the parser refuses it.
    supported: bool = True

    @property
    def no_opt_default(self) -> str | None:
        return "true" if self.type is FlagType.BOOL else self.no_opt

    @property
    def display(self) -> str:
        """`-w, --watch` or `--revision`: how pflag names the flag in its errors."""
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"

    @property
    def default_value(self) -> FlagValue:
        if self.default is not None:
            return self.default
        return {FlagType.BOOL: False, FlagType.STR: "", FlagType.INT: 0,
                FlagType.DURATION: 0.0, FlagType.LIST: ()}[self.type]

    def convert(self, text: str, previous: FlagValue | None = None) -> FlagValue:
        """The typed value of `text`; lists accumulate onto `previous`. ValueError if bad."""
        if self.type is FlagType.BOOL:
            return parse_go_bool(text)
        if self.type is FlagType.INT:
            return parse_go_int(text)
        if self.type is FlagType.DURATION:
            return parse_go_duration(text)
        if self.type is FlagType.LIST:
            items = tuple(text.split(",")) if text else ()
            return (previous if isinstance(previous, tuple) else ()) + items
        return text


@dataclass(frozen=True)
class VerbSpec:
    """One kubectl command (or subcommand, `path` = "rollout status")."""

    path: str
    summary: str
    usage: str
    args: ArgKind = ArgKind.RESOURCES
    flags: tuple[FlagSpec, ...] = ()
    subcommands: tuple[VerbSpec, ...] = ()
    aliases: tuple[str, ...] = ()
    # `-o` values kubectl accepts here (None: the verb has no -o flag).
    output_formats: tuple[str, ...] | None = None
    examples: tuple[str, ...] = ()
    group: str = ""
    # A tutor note shown with every use, e.g. why pause does not apply to DaemonSets.
    note: str | None = None
    by_name: dict[str, FlagSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for spec in self.flags + GLOBAL_FLAGS:
            self.by_name.setdefault(spec.name, spec)

    @property
    def name(self) -> str:
        return self.path.rsplit(" ", 1)[-1]

    @property
    def all_flags(self) -> tuple[FlagSpec, ...]:
        return tuple(self.by_name.values())

    def find_long(self, name: str) -> FlagSpec | None:
        return self.by_name.get(name)

    def find_short(self, short: str) -> FlagSpec | None:
        return next((f for f in self.by_name.values() if f.short == short), None)

    def subcommand(self, name: str) -> VerbSpec | None:
        return next((s for s in self.subcommands if name == s.name or name in s.aliases),
                    None)


def _f(name: str, type_: FlagType = FlagType.STR, short: str | None = None, help: str = "",
       **kw: object) -> FlagSpec:
    return FlagSpec(name, type_, short, help=help, **kw)  # type: ignore[arg-type]


B, S, N, D, L = FlagType.BOOL, FlagType.STR, FlagType.INT, FlagType.DURATION, FlagType.LIST

# Flags kubectl registers on its root command, so every verb accepts them.
GLOBAL_FLAGS: tuple[FlagSpec, ...] = (
    _f("help", B, "h", "show help for this command"),
    _f("namespace", S, "n", "namespace to use instead of the current one (default)"),
    _f("context", S, help="kubeconfig context (dstutor has one cluster)", supported=False),
    _f("cluster", S, help="kubeconfig cluster (dstutor has one cluster)", supported=False),
    _f("kubeconfig", S, help="kubeconfig file (dstutor has none)", supported=False),
    _f("server", S, "s", "API server address (dstutor has none)", supported=False),
    _f("user", S, help="kubeconfig user (dstutor has none)", supported=False),
    _f("token", S, help="bearer token (dstutor has none)", supported=False),
    _f("v", N, "v", "log verbosity (dstutor logs nothing)", supported=False),
    _f("request-timeout", S, help="per-request timeout (requests are instant here)",
       supported=False),
)

GET_FORMATS = ("custom-columns", "custom-columns-file", "go-template", "go-template-file",
               "json", "jsonpath", "jsonpath-as-json", "jsonpath-file", "kyaml", "name",
               "template", "templatefile", "wide", "yaml")
PRINT_FORMATS = tuple(f for f in GET_FORMATS if f != "wide" and not f.startswith("custom"))
API_RESOURCES_FORMATS = ("json", "kyaml", "name", "wide", "yaml")
DRY_RUN_VALUES = ("none", "server", "client")
CASCADE_VALUES = ("background", "foreground", "orphan")

FILENAME = _f("filename", L, "f", "manifest file(s) to read; - reads stdin (a heredoc)")
SELECTOR = _f("selector", S, "l", "label selector, e.g. app=fluentd,tier!=web")
FIELD_SELECTOR = _f("field-selector", S, help="field selector, e.g. spec.nodeName=worker-1")
ALL_NAMESPACES = _f("all-namespaces", B, "A", "list across every namespace")
OUTPUT = _f("output", S, "o", "output format")
DRY_RUN = _f("dry-run", S, help="none, client or server: only show what would happen",
             default="none", no_opt="unchanged", choices=DRY_RUN_VALUES)
TEMPLATE = _f("template", S, help="template for -o go-template / jsonpath")
MISSING_KEYS = _f("allow-missing-template-keys", B, help="ignore missing template keys",
                  default=True)
MANAGED_FIELDS = _f("show-managed-fields", B, help="keep managedFields in yaml/json output")
KUSTOMIZE = _f("kustomize", S, "k", "kustomization directory", supported=False)
RECURSIVE = _f("recursive", B, "R", "recurse into directories given with -f")
ALL = _f("all", B, help="select every object of the type in the namespace")
OVERWRITE = _f("overwrite", B, help="allow replacing existing values")
FIELD_MANAGER = _f("field-manager", S, help="name of the manager tracking field ownership")
VALIDATE = _f("validate", S, help="strict, warn or ignore schema validation",
              default="strict", no_opt="strict", choices=("strict", "warn", "ignore"))
TIMEOUT = _f("timeout", D, help="give up after this long (0 = never)")
GRACE = _f("grace-period", N, help="seconds pods get to stop (-1 = their own default)",
           default=-1)
LOCAL = _f("local", B, help="work on -f files only, without the server", supported=False)

_PRINTING = (OUTPUT, TEMPLATE, MISSING_KEYS, MANAGED_FIELDS)
_SOURCES = (FILENAME, KUSTOMIZE, RECURSIVE)


def _rollout(name: str, summary: str, usage: str, *flags: FlagSpec,
             output: bool = True, note: str | None = None,
             examples: tuple[str, ...] = ()) -> VerbSpec:
    printing = _PRINTING if output else ()
    return VerbSpec(f"rollout {name}", summary, usage, ArgKind.RESOURCES,
                    _SOURCES + (SELECTOR,) + printing + flags,
                    output_formats=PRINT_FORMATS if output else None, note=note,
                    examples=examples)


_ROLLOUT = VerbSpec(
    "rollout", "Manage the rollout of a resource", "kubectl rollout SUBCOMMAND [options]",
    ArgKind.SUBCOMMAND, group="Deploy Commands",
    subcommands=(
        _rollout("history", "View rollout history",
                 "kubectl rollout history (TYPE NAME | TYPE/NAME) [flags] [options]",
                 _f("revision", N, help="show the pod template of this revision"),
                 examples=("kubectl rollout history ds/node-logger",)),
        _rollout("pause", "Mark the provided resource as paused",
                 "kubectl rollout pause RESOURCE [options]",
                 _f("field-manager", S, default="kubectl-rollout"),
                 note="Only Deployments can be paused; kubectl refuses for a DaemonSet."),
        _rollout("restart", "Restart a resource", "kubectl rollout restart RESOURCE [options]",
                 _f("field-manager", S, default="kubectl-rollout"),
                 examples=("kubectl rollout restart ds/node-logger",)),
        _rollout("resume", "Resume a paused resource", "kubectl rollout resume RESOURCE [options]",
                 _f("field-manager", S, default="kubectl-rollout"),
                 note="Only Deployments can be resumed; kubectl refuses for a DaemonSet."),
        _rollout("status", "Show the status of the rollout",
                 "kubectl rollout status (TYPE NAME | TYPE/NAME) [flags] [options]",
                 _f("revision", N, help="wait for this revision"),
                 _f("watch", B, "w", "keep watching until the rollout finishes", default=True),
                 TIMEOUT, output=False,
                 examples=("kubectl rollout status daemonset node-logger",)),
        _rollout("undo", "Undo a previous rollout",
                 "kubectl rollout undo (TYPE NAME | TYPE/NAME) [flags] [options]",
                 DRY_RUN, _f("to-revision", N, help="revision to go back to (0 = previous)"),
                 examples=("kubectl rollout undo ds/node-logger --to-revision=1",)),
    ),
)

_SET = VerbSpec(
    "set", "Set specific features on objects", "kubectl set SUBCOMMAND [options]",
    ArgKind.SUBCOMMAND, group="Basic Commands (Beginner)",
    subcommands=(
        VerbSpec("set image", "Update the image of a pod template",
                 "kubectl set image (-f FILENAME | TYPE NAME) CONTAINER_NAME_1=CONTAINER_IMAGE_1 "
                 "... CONTAINER_NAME_N=CONTAINER_IMAGE_N [options]",
                 ArgKind.IMAGES,
                 (ALL, DRY_RUN, _f("field-manager", S, default="kubectl-set"), LOCAL, SELECTOR)
                 + _SOURCES + _PRINTING,
                 output_formats=PRINT_FORMATS,
                 examples=("kubectl set image ds/node-logger logger=busybox:1.37",)),
    ),
)

_CREATE_SUBCOMMON = (DRY_RUN, _f("save-config", B), VALIDATE) + _PRINTING

_CREATE = VerbSpec(
    "create", "Create a resource from a file or from stdin",
    "kubectl create -f FILENAME [options]", ArgKind.NONE,
    _SOURCES + _PRINTING + (
        DRY_RUN, _f("edit", B, supported=False), _f("field-manager", S, default="kubectl-create"),
        _f("raw", S, supported=False), _f("save-config", B), SELECTOR, VALIDATE,
        _f("windows-line-endings", B, supported=False)),
    output_formats=PRINT_FORMATS, group="Basic Commands (Beginner)",
    examples=("kubectl create -f daemonset.yaml",),
    subcommands=(
        VerbSpec("create deployment", "Create a deployment with the specified name",
                 "kubectl create deployment NAME --image=image -- [COMMAND] [args...] [options]",
                 ArgKind.NAME, _CREATE_SUBCOMMON + (
                     _f("image", L, help="container image(s) (required)"),
                     _f("port", N, help="container port", default=-1),
                     _f("replicas", N, "r", "number of replicas", default=1)),
                 aliases=("deploy",), output_formats=PRINT_FORMATS),
        VerbSpec("create namespace", "Create a namespace with the specified name",
                 "kubectl create namespace NAME [--dry-run=server|client|none] [options]",
                 ArgKind.NAME, _CREATE_SUBCOMMON, aliases=("ns",),
                 output_formats=PRINT_FORMATS),
    ),
)

VERBS: tuple[VerbSpec, ...] = (
    _CREATE,
    _SET,
    VerbSpec("explain", "Get documentation for a resource",
             "kubectl explain TYPE [--recursive=FALSE|TRUE] [--api-version=api-version-group] "
             "[-o|--output=plaintext|plaintext-openapiv2] [options]",
             ArgKind.EXPLAIN,
             (_f("api-version", S), _f("max-depth", N), RECURSIVE,
              _f("output", S, "o", default="plaintext",
                 choices=("plaintext", "plaintext-openapiv2"))),
             group="Basic Commands (Intermediate)",
             examples=("kubectl explain daemonset.spec.updateStrategy",)),
    VerbSpec("get", "Display one or many resources",
             "kubectl get [(-o|--output=)json|yaml|kyaml|name|go-template|go-template-file|"
             "template|templatefile|jsonpath|jsonpath-as-json|jsonpath-file|custom-columns|"
             "custom-columns-file|wide] (TYPE[.VERSION][.GROUP] [NAME | -l label] | "
             "TYPE[.VERSION][.GROUP]/NAME ...) [flags] [options]",
             ArgKind.RESOURCES,
             _SOURCES + _PRINTING + (
                 ALL_NAMESPACES, _f("chunk-size", N, default=500), FIELD_SELECTOR,
                 _f("ignore-not-found", B), _f("label-columns", L, "L", "labels shown as columns"),
                 _f("no-headers", B, help="omit the header row"),
                 _f("output-watch-events", B), _f("raw", S, supported=False), SELECTOR,
                 _f("server-print", B, default=True), _f("show-kind", B),
                 _f("show-labels", B, help="add a LABELS column"), _f("sort-by", S),
                 _f("subresource", S, supported=False),
                 _f("watch", B, "w", "after listing, print changes as they happen"),
                 _f("watch-only", B, help="print only the changes")),
             output_formats=GET_FORMATS, group="Basic Commands (Intermediate)",
             examples=("kubectl get ds -A", "kubectl get pods -l app=node-exporter -o wide")),
    VerbSpec("edit", "Edit a resource on the server",
             "kubectl edit (RESOURCE/NAME | -f FILENAME) [options]", ArgKind.RESOURCES,
             _SOURCES + _PRINTING + (
                 _f("field-manager", S, default="kubectl-edit"), _f("output-patch", B),
                 _f("save-config", B), _f("subresource", S, supported=False), VALIDATE,
                 _f("windows-line-endings", B, supported=False)),
             output_formats=PRINT_FORMATS, group="Basic Commands (Intermediate)"),
    VerbSpec("delete",
             "Delete resources by file names, stdin, resources and names, or by resources "
             "and label selector",
             "kubectl delete ([-f FILENAME] | [-k DIRECTORY] | TYPE [(NAME | -l label | "
             "--all)]) [options]",
             ArgKind.RESOURCES,
             _SOURCES + (
                 ALL, ALL_NAMESPACES,
                 _f("cascade", S, help="background, foreground or orphan (keep the pods)",
                    default="background", no_opt="background", choices=CASCADE_VALUES),
                 DRY_RUN, FIELD_SELECTOR, _f("force", B), GRACE, _f("ignore-not-found", B),
                 _f("interactive", B, "i", supported=False), _f("now", B),
                 _f("output", S, "o", "only `name` is accepted"), _f("raw", S, supported=False),
                 SELECTOR, TIMEOUT, _f("wait", B, default=True)),
             group="Basic Commands (Intermediate)",
             examples=("kubectl delete daemonset node-logger",
                       "kubectl delete daemonset node-logger --cascade=orphan")),
    _ROLLOUT,
    VerbSpec("scale", "Set a new size for a deployment, replica set, or replication controller",
             "kubectl scale [--resource-version=version] [--current-replicas=count] "
             "--replicas=COUNT (-f FILENAME | TYPE NAME) [options]",
             ArgKind.RESOURCES,
             _SOURCES + _PRINTING + (
                 ALL, _f("current-replicas", N, default=-1), DRY_RUN,
                 _f("replicas", N, help="the new number of replicas (required)"),
                 _f("resource-version", S), SELECTOR, TIMEOUT),
             output_formats=PRINT_FORMATS, group="Deploy Commands",
             note="A DaemonSet has no replicas: it runs one pod per eligible node."),
    VerbSpec("cordon", "Mark node as unschedulable", "kubectl cordon NODE [options]",
             ArgKind.NODES, (DRY_RUN, SELECTOR), group="Cluster Management Commands",
             examples=("kubectl cordon worker-1",)),
    VerbSpec("uncordon", "Mark node as schedulable", "kubectl uncordon NODE [options]",
             ArgKind.NODES, (DRY_RUN, SELECTOR), group="Cluster Management Commands"),
    VerbSpec("drain", "Drain node in preparation for maintenance", "kubectl drain NODE [options]",
             ArgKind.NODES,
             (_f("chunk-size", N, default=500), _f("delete-emptydir-data", B),
              _f("disable-eviction", B), DRY_RUN, _f("force", B), GRACE,
              _f("ignore-daemonsets", B, help="drain even though DaemonSet pods stay"),
              _f("pod-selector", S), SELECTOR, _f("skip-wait-for-delete-timeout", N), TIMEOUT),
             group="Cluster Management Commands",
             examples=("kubectl drain worker-1 --ignore-daemonsets",)),
    VerbSpec("taint", "Update the taints on one or more nodes",
             "kubectl taint NODE NAME KEY_1=VAL_1:TAINT_EFFECT_1 ... "
             "KEY_N=VAL_N:TAINT_EFFECT_N [options]",
             ArgKind.TAINTS,
             _PRINTING + (ALL, DRY_RUN, _f("field-manager", S, default="kubectl-taint"),
                          OVERWRITE, SELECTOR, VALIDATE),
             output_formats=PRINT_FORMATS, group="Cluster Management Commands",
             examples=("kubectl taint node worker-2 dedicated=gpu:NoSchedule",
                       "kubectl taint node worker-2 dedicated:NoSchedule-")),
    VerbSpec("describe", "Show details of a specific resource or group of resources",
             "kubectl describe (-f FILENAME | TYPE [NAME_PREFIX | -l label] | TYPE/NAME) "
             "[options]",
             ArgKind.RESOURCES,
             _SOURCES + (ALL_NAMESPACES, _f("chunk-size", N, default=500), SELECTOR,
                         _f("show-events", B, default=True)),
             group="Troubleshooting and Debugging Commands",
             examples=("kubectl describe daemonset node-exporter",)),
    VerbSpec("apply", "Apply a configuration to a resource by file name or stdin",
             "kubectl apply (-f FILENAME | -k DIRECTORY) [options]", ArgKind.NONE,
             _SOURCES + _PRINTING + (
                 ALL, _f("cascade", S, default="background", no_opt="background",
                         choices=CASCADE_VALUES),
                 DRY_RUN, _f("field-manager", S, default="kubectl-client-side-apply"),
                 _f("force", B), _f("force-conflicts", B), GRACE, _f("openapi-patch", B,
                                                                     default=True),
                 _f("overwrite", B, default=True), _f("prune", B, supported=False),
                 _f("prune-allowlist", L, supported=False), SELECTOR, _f("server-side", B),
                 _f("subresource", S, supported=False), TIMEOUT, VALIDATE, _f("wait", B)),
             output_formats=PRINT_FORMATS, group="Advanced Commands",
             examples=("kubectl apply -f daemonset.yaml", "kubectl apply -f - <<EOF")),
    VerbSpec("patch", "Update fields of a resource",
             "kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [options]",
             ArgKind.RESOURCES,
             _SOURCES + _PRINTING + (
                 DRY_RUN, _f("field-manager", S, default="kubectl-patch"), LOCAL,
                 _f("patch", S, "p", "the patch, as JSON or YAML"),
                 _f("patch-file", S), _f("subresource", S),
                 _f("type", S, default="strategic", choices=("json", "merge", "strategic"))),
             output_formats=PRINT_FORMATS, group="Advanced Commands"),
    VerbSpec("label", "Update the labels on a resource",
             "kubectl label [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... "
             "KEY_N=VAL_N [--resource-version=version] [options]",
             ArgKind.LABELS,
             _SOURCES + _PRINTING + (
                 ALL, ALL_NAMESPACES, DRY_RUN, _f("field-manager", S, default="kubectl-label"),
                 FIELD_SELECTOR, _f("list", B), LOCAL, OVERWRITE, _f("resource-version", S),
                 SELECTOR),
             output_formats=PRINT_FORMATS, group="Settings Commands",
             examples=("kubectl label node worker-2 disktype=ssd",
                       "kubectl label node worker-2 disktype-")),
    VerbSpec("api-resources", "Print the supported API resources on the server",
             "kubectl api-resources [flags] [options]", ArgKind.NONE,
             (_f("api-group", S), _f("cached", B), _f("categories", L),
              _f("namespaced", B, default=True), _f("no-headers", B), OUTPUT,
              MANAGED_FIELDS, _f("sort-by", S, choices=("name", "kind")), _f("verbs", L)),
             output_formats=API_RESOURCES_FORMATS, group="Other Commands"),
    VerbSpec("version", "Print the client and server version information",
             "kubectl version [flags] [options]", ArgKind.NONE,
             (_f("client", B, help="client version only"),
              _f("output", S, "o", "yaml or json", choices=("yaml", "json"))),
             group="Other Commands"),
)

# Every top-level command of kubectl 1.37 in the order cobra registers them, which is
# the order of its "Did you mean this?" suggestions.
KUBECTL_COMMANDS: tuple[str, ...] = (
    "create", "expose", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale",
    "autoscale", "certificate", "cluster-info", "top", "cordon", "uncordon", "drain", "taint",
    "describe", "logs", "attach", "exec", "port-forward", "proxy", "cp", "auth", "debug",
    "events", "diff", "apply", "patch", "replace", "wait", "kustomize", "label", "annotate",
    "completion", "config", "plugin", "version", "api-versions", "api-resources", "options",
    "kuberc",
)

_BY_PATH: dict[str, VerbSpec] = {}
for _verb in VERBS:
    _BY_PATH[_verb.path] = _verb
    for _sub in _verb.subcommands:
        _BY_PATH[_sub.path] = _sub


def iter_verbs() -> Iterator[VerbSpec]:
    """The top-level verbs dstutor simulates, in kubectl's help order."""
    order = {name: i for i, name in enumerate(KUBECTL_COMMANDS)}
    yield from sorted(VERBS, key=lambda v: order[v.path])


def get_verb(path: str) -> VerbSpec | None:
    """The spec for `get`, `rollout status`, `create namespace` ...; None if not simulated."""
    return _BY_PATH.get(" ".join(path.split()))


def flag_names(verb: str) -> list[str]:
    """Every spelling of every flag `verb` accepts (`--output`, `-o`, ...), for completion."""
    spec = get_verb(verb)
    if spec is None:
        raise KeyError(verb)
    names: list[str] = []
    for flag in spec.all_flags:
        names.append(f"--{flag.name}")
        if flag.short:
            names.append(f"-{flag.short}")
    return names
