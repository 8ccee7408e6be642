"""The verbs of an administrator's day: logs, events, annotate, run and top (kubectl 1.37.1).

Kept apart from registry.py so each table stays readable; registry.VERBS includes them.
"""

from __future__ import annotations

from dstutor.kubectl.flagspec import ArgKind, FlagType, VerbSpec, flag_spec

_f = flag_spec
B, S, N, D, L = FlagType.BOOL, FlagType.STR, FlagType.INT, FlagType.DURATION, FlagType.LIST

PRINT_FORMATS = ("go-template", "go-template-file", "json", "jsonpath", "jsonpath-as-json",
                 "jsonpath-file", "kyaml", "name", "template", "templatefile", "yaml")
_DRY_RUN = _f("dry-run", S, help="none, client or server: only show what would happen",
              default="none", no_opt="unchanged", choices=("none", "server", "client"))
_PRINTING = (_f("output", S, "o", "output format"),
             _f("template", S, help="template for -o go-template / jsonpath"),
             _f("allow-missing-template-keys", B, default=True),
             _f("show-managed-fields", B))

LOGS = VerbSpec(
    "logs", "Print the logs for a container in a pod",
    "kubectl logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER] [options]", ArgKind.RESOURCES,
    (_f("all-containers", B, help="every container of the pod(s)"),
     _f("all-pods", B, help="every pod of the workload"),
     _f("container", S, "c", "the container to print"),
     _f("follow", B, "f", "keep printing new lines (until Ctrl-C)"),
     _f("ignore-errors", B), _f("insecure-skip-tls-verify-backend", B),
     _f("limit-bytes", N, help="at most this many bytes"),
     _f("max-log-requests", N, default=5), _f("pod-running-timeout", D, default=20.0),
     _f("prefix", B, help="prefix each line with [pod/NAME/CONTAINER]"),
     _f("previous", B, "p", "the previous, terminated instance of the container"),
     _f("selector", S, "l", "pods with these labels (10 lines each unless --tail)"),
     _f("since", D, help="only lines newer than this (5s, 2m, 3h)"),
     _f("since-time", S, help="only lines after this RFC3339 time"),
     _f("tail", N, help="the last N lines (-1: all)", default=-1),
     _f("timestamps", B, help="prefix each line with its RFC3339 time")),
    group="Troubleshooting and Debugging Commands", read_only=True,
    examples=("kubectl logs ds/node-logger -n kube-system",
              "kubectl logs -l app=node-exporter --tail=5",
              "kubectl logs node-logger-x7k2p -p"))

EVENTS = VerbSpec(
    "events", "List events",
    "kubectl events [(-o|--output=)json|yaml|kyaml|name|go-template|go-template-file|template|"
    "templatefile|jsonpath|jsonpath-as-json|jsonpath-file] [--for TYPE/NAME] [--watch] "
    "[--types=Normal,Warning] [options]", ArgKind.NONE,
    (_f("all-namespaces", B, "A", "events of every namespace"), _f("chunk-size", N, default=500),
     _f("for", S, help="only events about this object (TYPE/NAME)"),
     _f("no-headers", B, help="omit the header row"), *_PRINTING,
     _f("types", L, help="Normal, Warning or both", choices=("Normal", "Warning")),
     _f("watch", B, "w", "after listing, print new events as they happen")),
    output_formats=PRINT_FORMATS, group="Troubleshooting and Debugging Commands",
    read_only=True, examples=("kubectl events -n kube-system --for ds/node-logger",
              "kubectl events -A --types=Warning"))

ANNOTATE = VerbSpec(
    "annotate", "Update the annotations on a resource",
    "kubectl annotate [--overwrite] (-f FILENAME | TYPE NAME) KEY_1=VAL_1 ... KEY_N=VAL_N "
    "[--resource-version=version] [options]", ArgKind.LABELS,
    (_f("all", B), _f("all-namespaces", B, "A"), *_PRINTING, _DRY_RUN,
     _f("field-manager", S, default="kubectl-annotate"), _f("field-selector", S),
     _f("filename", L, "f"), _f("kustomize", S, "k", supported=False), _f("list", B),
     _f("local", B, supported=False), _f("overwrite", B, help="allow replacing values"),
     _f("recursive", B, "R", default=True), _f("resource-version", S),
     _f("selector", S, "l")),
    output_formats=PRINT_FORMATS, group="Settings Commands",
    examples=("kubectl annotate ds node-logger kubernetes.io/change-cause='image 1.37'",))

RUN = VerbSpec(
    "run", "Run a particular image on the cluster",
    "kubectl run NAME --image=image [--env=\"key=value\"] [--port=port] "
    "[--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...] "
    "[options]", ArgKind.NAME,
    (*_PRINTING, _f("annotations", L), _f("attach", B, supported=False),
     _f("cascade", S, default="background", no_opt="background"),
     _f("command", B, help="the words after -- are the command, not args"),
     _f("detach-keys", S, default="ctrl-p,ctrl-q"), _DRY_RUN, _f("env", L),
     _f("expose", B, supported=False), _f("field-manager", S, default="kubectl-run"),
     _f("force", B), _f("grace-period", N, default=-1),
     _f("image", S, help="the container image (required)"), _f("image-pull-policy", S),
     _f("kustomize", S, "k", supported=False), _f("labels", S, "l"),
     _f("leave-stdin-open", B), _f("override-type", S, default="merge"),
     _f("overrides", S, supported=False), _f("pod-running-timeout", D, default=60.0),
     _f("port", S), _f("privileged", B), _f("quiet", B, "q"), _f("recursive", B, "R"),
     _f("restart", S, default="Always", choices=("Always", "OnFailure", "Never")), _f("rm", B), _f("save-config", B),
     _f("stdin", B, "i", supported=False), _f("timeout", D), _f("tty", B, "t", supported=False),
     _f("wait", B)),
    output_formats=PRINT_FORMATS, group="Basic Commands (Beginner)",
    note="kubectl run starts one bare Pod; a DaemonSet comes from a manifest (kubectl apply).",
    examples=("kubectl run debug --image=busybox:1.37 -- sleep 3600",))

_TOP_COMMON = (_f("no-headers", B), _f("selector", S, "l"), _f("show-swap", B),
               _f("sort-by", S, help="cpu or memory", choices=("cpu", "memory")), _f("use-protocol-buffers", B, default=True))
TOP = VerbSpec(
    "top", "Display resource (CPU/memory) usage", "kubectl top [flags] [options]",
    ArgKind.SUBCOMMAND, group="Cluster Management Commands", read_only=True,
    subcommands=(
        VerbSpec("top node", "Display resource (CPU/memory) usage of nodes",
                 "kubectl top node [NAME | -l label] [options]", ArgKind.NODES,
                 (*_TOP_COMMON, _f("show-capacity", B)), aliases=("nodes", "no"),
                 read_only=True, examples=("kubectl top nodes",)),
        VerbSpec("top pod", "Display resource (CPU/memory) usage of pods",
                 "kubectl top pod [NAME | -l label] [options]", ArgKind.NODES,
                 (*_TOP_COMMON, _f("all-namespaces", B, "A"), _f("containers", B),
                  _f("field-selector", S), _f("sum", B)), aliases=("pods", "po"),
                 read_only=True, examples=("kubectl top pods -n kube-system --containers",)),
    ))

ADMIN_VERBS: tuple[VerbSpec, ...] = (LOGS, EVENTS, ANNOTATE, RUN, TOP)
