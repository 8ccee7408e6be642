"""The one table of kubectl verbs and flags that dispatch, `help` and completion all read."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from dstutor.kubectl.flagspec import (
    GLOBAL_FLAGS,
    ArgKind,
    FlagSpec,
    FlagType,
    FlagValue,
    VerbSpec,
    flag_spec,
    parse_go_bool,
    parse_go_int,
)
from dstutor.kubectl.registry_admin import ADMIN_VERBS
from dstutor.model.timefmt import parse_go_duration

H = TypeVar("H", bound=Callable[..., Any])

__all__ = [
    "API_RESOURCES_FORMATS", "CASCADE_VALUES", "DRY_RUN_VALUES", "GET_FORMATS", "GLOBAL_FLAGS",
    "KUBECTL_COMMANDS", "PRINT_FORMATS", "READ_ONLY_PATHS", "VERBS", "ArgKind", "FlagSpec", "FlagType",
    "FLAG_HELP", "FlagValue", "VerbSpec", "flag_names", "get_verb", "handles", "help_text", "iter_verbs",
    "parse_go_bool", "parse_go_duration", "parse_go_int",
]

_f = flag_spec
B, S, N, D, L = FlagType.BOOL, FlagType.STR, FlagType.INT, FlagType.DURATION, FlagType.LIST

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
             examples: tuple[str, ...] = (), read_only: bool = False) -> VerbSpec:
    printing = _PRINTING if output else ()
    return VerbSpec(f"rollout {name}", summary, usage, ArgKind.RESOURCES,
                    _SOURCES + (SELECTOR,) + printing + flags,
                    output_formats=PRINT_FORMATS if output else None, note=note,
                    examples=examples, read_only=read_only)


_ROLLOUT = VerbSpec(
    "rollout", "Manage the rollout of a resource", "kubectl rollout SUBCOMMAND [options]",
    ArgKind.SUBCOMMAND, group="Deploy Commands",
    subcommands=(
        _rollout("history", "View rollout history",
                 "kubectl rollout history (TYPE NAME | TYPE/NAME) [flags] [options]",
                 _f("revision", N, help="show the pod template of this revision"),
                 examples=("kubectl rollout history ds/node-logger",), read_only=True),
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
                 TIMEOUT, output=False, read_only=True,
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
             group="Basic Commands (Intermediate)", read_only=True,
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
             output_formats=GET_FORMATS, group="Basic Commands (Intermediate)", read_only=True,
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
             group="Troubleshooting and Debugging Commands", read_only=True,
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
    VerbSpec("replace", "Replace a resource by file name or stdin",
             "kubectl replace -f FILENAME [options]", ArgKind.NONE,
             _SOURCES + _PRINTING + (
                 _f("cascade", S, default="background", no_opt="background",
                    choices=CASCADE_VALUES),
                 DRY_RUN, _f("field-manager", S, default="kubectl-replace"),
                 _f("force", B, help="delete the object, then create it again"), GRACE,
                 _f("raw", S, supported=False), _f("save-config", B),
                 _f("subresource", S, supported=False), TIMEOUT, VALIDATE, _f("wait", B)),
             output_formats=PRINT_FORMATS, group="Advanced Commands",
             examples=("kubectl replace -f daemonset.yaml",
                       "kubectl replace --force -f daemonset.yaml")),
    VerbSpec("patch", "Update fields of a resource",
             "kubectl patch (-f FILENAME | TYPE NAME) [-p PATCH|--patch-file FILE] [options]",
             ArgKind.RESOURCES,
             _SOURCES + _PRINTING + (
                 DRY_RUN, _f("field-manager", S, default="kubectl-patch"), LOCAL,
                 _f("patch", S, "p", "the patch, as JSON or YAML"),
                 _f("patch-file", S), _f("subresource", S, supported=False),
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
             output_formats=API_RESOURCES_FORMATS, group="Other Commands", read_only=True),
    VerbSpec("version", "Print the client and server version information",
             "kubectl version [flags] [options]", ArgKind.NONE,
             (_f("client", B, help="client version only"),
              _f("output", S, "o", "yaml or json", choices=("yaml", "json"))),
             group="Other Commands", read_only=True),
)

VERBS = VERBS + ADMIN_VERBS

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

# kubectl commands dstutor does not simulate (dispatch says so) that only read: like the
# read-only verbs above, they need no undo snapshot and are no attempt to change anything.
# `config` is the shell's own (its kubeconfig).
UNSIMULATED_READ_ONLY = frozenset({"api-versions", "cluster-info", "completion", "config",
                                   "diff", "help", "options"})

_BY_PATH: dict[str, VerbSpec] = {}
for _verb in VERBS:
    _BY_PATH[_verb.path] = _verb
    for _sub in _verb.subcommands:
        _BY_PATH[_sub.path] = _sub

# Every command path that never changes the cluster (`get`, `rollout status`, `top` ...).
READ_ONLY_PATHS = frozenset(
    {path for path, spec in _BY_PATH.items() if spec.read_only} | UNSIMULATED_READ_ONLY)


def iter_verbs() -> Iterator[VerbSpec]:
    """The top-level verbs dstutor simulates, in kubectl's help order."""
    order = {name: i for i, name in enumerate(KUBECTL_COMMANDS)}
    yield from sorted(VERBS, key=lambda v: order[v.path])


def get_verb(path: str) -> VerbSpec | None:
    """The spec for `get`, `rollout status`, `create namespace` ...; None if not simulated."""
    return _BY_PATH.get(" ".join(path.split()))


def handles(path: str) -> Callable[[H], H]:
    """Register `handler(env, cmd, out)` as what runs `kubectl PATH`, on PATH's spec.

    Used as a decorator by the modules of kubectl/commands/, so a verb's data (here) and
    its code (there) are one record that dispatch, help and completion all read.
    """

    def register(handler: H) -> H:
        spec = get_verb(path)
        if spec is None:
            raise KeyError(f"no kubectl verb {path!r} in the registry")
        if spec.handler is not None and spec.handler is not handler:
            raise ValueError(f"kubectl {path}: a second handler")
        # The spec is frozen for everything else; its handler is set once, at import.
        object.__setattr__(spec, "handler", handler)
        return handler

    return register


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


# One-line help for flags declared without their own (shared by several verbs).
FLAG_HELP: dict[str, str] = {
    "api-group": "only resources of this API group", "api-version": "the group/version to use",
    "cached": "use the cached resource list", "cascade": "background, foreground or orphan",
    "categories": "only resources in these categories", "chunk-size": "list page size",
    "current-replicas": "only scale if the current size matches",
    "delete-emptydir-data": "drain pods that use emptyDir volumes",
    "disable-eviction": "delete pods instead of evicting them",
    "field-manager": "name recorded as the manager of changed fields",
    "force": "act even where kubectl would refuse", "force-conflicts": "take over fields",
    "ignore-not-found": "no error when the object is missing", "list": "show current labels",
    "max-depth": "how deep to list fields", "namespaced": "namespaced (or cluster) resources",
    "no-headers": "omit the header row", "now": "delete with a one-second grace period",
    "openapi-patch": "compute patches from the schema", "output": "output format",
    "output-patch": "print the patch that was sent",
    "output-watch-events": "print ADDED/MODIFIED/DELETED with each change",
    "overwrite": "allow replacing existing values",
    "patch-file": "file holding the patch", "pod-selector": "only drain pods matching this",
    "resource-version": "only act on this resourceVersion",
    "save-config": "record the last-applied annotation", "server-print": "server-side columns",
    "server-side": "server-side apply", "show-events": "include related events",
    "show-kind": "prefix names with their kind", "skip-wait-for-delete-timeout":
    "stop waiting for pods deleted this many seconds ago", "sort-by": "sort by this field",
    "subresource": "act on a subresource", "type": "json, merge or strategic",
    "verbs": "only resources supporting these verbs", "wait": "wait until objects are gone",
}


def help_text(path: str = "") -> str:
    """Help for `kubectl`, a verb or a subcommand, built from this registry."""
    spec = get_verb(path) if path else None
    if spec is None:
        groups: dict[str, list[VerbSpec]] = {}
        for verb in iter_verbs():
            groups.setdefault(verb.group or "Other Commands", []).append(verb)
        lines = ["kubectl controls the Kubernetes cluster manager (as simulated by dstutor).", ""]
        for title, verbs in groups.items():
            lines.append(f"{title}:")
            lines += [f"  {v.path.ljust(16)}{v.summary}" for v in verbs]
            lines.append("")
        lines += ["Usage:", "  kubectl [flags] [options]", "",
                  'Use "kubectl <command> --help" for more information about a given command.']
        return "\n".join(lines)
    lines = [f"{spec.summary}.", ""]
    if spec.note:
        lines += [spec.note, ""]
    if spec.examples:
        lines += ["Examples:"] + [f"  {e}" for e in spec.examples] + [""]
    if spec.subcommands:
        width = max(len(s.name) for s in spec.subcommands) + 3
        lines += ["Available Commands:"]
        lines += [f"  {s.name.ljust(width)}{s.summary}" for s in spec.subcommands] + [""]
    options = [f for f in spec.flags if f.supported]
    if options:
        lines.append("Options:")
        for flag in options:
            names = f"-{flag.short}, --{flag.name}" if flag.short else f"    --{flag.name}"
            text = flag.help or FLAG_HELP.get(flag.name, "")
            lines.append(f"  {names}: {text}".rstrip(": ").rstrip())
        lines.append("")
    lines += ["Usage:", f"  {spec.usage}"]
    return "\n".join(lines)
