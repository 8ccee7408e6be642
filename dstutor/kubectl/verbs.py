"""Per-verb argument checks, in the order kubectl makes them (Complete, then Validate).

Only checks kubectl makes before it talks to the API server live here; whatever needs
objects (NotFound, "pausing is not supported") is the handlers' job.
"""

from __future__ import annotations

from collections.abc import Callable

from dstutor.kubectl.builder import BuilderError, BuilderRequest, ResourceTarget, build_targets
from dstutor.kubectl.parsestate import Context, KubectlParseError, plain_error, usage_error
from dstutor.kubectl.registry import (
    API_RESOURCES_FORMATS,
    GET_FORMATS,
    PRINT_FORMATS,
)
from dstutor.kubectl.resources import lookup_resource, no_resource_type_message, resource_for_kind
from dstutor.kubectl.specs import (
    cascade_mode,
    dry_run_mode,
    is_label_arg,
    is_pair_arg,
    is_taint_arg,
    parse_image_updates,
    parse_label_changes,
    parse_output,
    parse_taint_changes,
    taint_conflicts,
)

_GET_NO_TYPE_MSG = (
    'You must specify the type of resource to get. Use "kubectl api-resources" for a complete '
    "list of supported resources.\n\nerror: Required resource not specified.\n"
    'Use "kubectl explain <resource>" for a detailed description of that resource '
    "(e.g. kubectl explain pods)."
)
_DESCRIBE_NO_TYPE_MSG = ('You must specify the type of resource to describe. Use "kubectl '
                         'api-resources" for a complete list of supported resources.')
_EXPLAIN_NO_TYPE_MSG = ('You must specify the type of resource to explain. Use "kubectl '
                        'api-resources" for a complete list of supported resources.')
_FORCE_WARNING = ("Warning: Immediate deletion does not wait for confirmation that the running "
                  "resource has been terminated. The resource may continue to run on the "
                  "cluster indefinitely.")
PAUSE_DAEMONSET_HINT = ("DaemonSets cannot be paused or resumed (only Deployments can); to "
                        "hold back a rollout use updateStrategy OnDelete or maxUnavailable.")
SCALE_DAEMONSET_HINT = ("A DaemonSet has no replicas: it runs one pod per eligible node. Change "
                        "the nodes (labels, taints, nodeSelector) to change the pod count.")
TAINT_TYPE_HINT = "Only nodes carry taints; pods get tolerations in their template instead."


def _go_list(items: list[str]) -> str:
    return "[" + " ".join(items) + "]"


def _mode_flag(ctx: Context, flag: str,
               parse: Callable[[str], tuple[str, str | None]]) -> None:
    """Resolve a flag kubectl also accepts as a deprecated boolean (--dry-run, --cascade)."""
    try:
        mode, warning = parse(ctx.text(flag))
    except ValueError as exc:
        raise plain_error(str(exc)) from None
    ctx.flags[flag] = mode
    if warning:
        ctx.warnings.append(warning)


def _dry_run(ctx: Context) -> None:
    _mode_flag(ctx, "dry-run", dry_run_mode)


def _cascade(ctx: Context) -> None:
    _mode_flag(ctx, "cascade", cascade_mode)


def _output(ctx: Context, allowed: tuple[str, ...]) -> None:
    try:
        ctx.output, ctx.output_arg = parse_output(ctx.text("output"), ctx.text("template"),
                                                  allowed)
    except ValueError as exc:
        raise plain_error(str(exc)) from None


def _targets(ctx: Context, args: list[str] | None = None, *, allow_empty: bool,
             select_all: bool = False, single: bool = False) -> None:
    request = BuilderRequest(
        args=tuple(ctx.args if args is None else args), filenames=ctx.filenames,
        selector=ctx.text("selector").strip() or None,
        field_selector=ctx.text("field-selector").strip() or None,
        select_all=select_all, all_namespaces=ctx.on("all-namespaces"),
        allow_empty_selector=allow_empty, single_resource_type=single)
    try:
        ctx.targets = list(build_targets(request))
    except BuilderError as exc:
        raise plain_error(str(exc)) from None


def _require_args(ctx: Context, message: str) -> None:
    if not ctx.positional and not ctx.filenames:
        raise plain_error(message)


def _split_trailing(ctx: Context, is_change: Callable[[str], bool], kind: str
                    ) -> tuple[list[str], list[str]]:
    """Split `TYPE NAME... CHANGE...` where every change must follow every resource."""
    resources: list[str] = []
    changes: list[str] = []
    for word in ctx.positional:
        if is_change(word.text):
            changes.append(word.text)
        elif changes:
            raise plain_error(f"all resources must be specified before {kind} changes: "
                              f"{word.text}", word.column)
        else:
            resources.append(word.text)
    return resources, changes


def check_get(ctx: Context) -> None:
    watching = ctx.on("watch") or ctx.on("watch-only")
    if watching and ctx.text("sort-by"):
        ctx.warnings.append("warning: --watch or --watch-only requested, --sort-by will be "
                            "ignored")
    if not watching and not ctx.positional and not ctx.filenames:
        raise KubectlParseError(f"{_GET_NO_TYPE_MSG}\nSee 'kubectl get -h' for help and "
                                "examples")
    raw = ctx.text("output")
    if ctx.on("show-labels") and raw not in ("", "wide"):
        raise plain_error(f"--show-labels option cannot be used with {raw} printer")
    if ctx.on("output-watch-events") and not watching:
        raise plain_error("--output-watch-events option can only be used with --watch or "
                          "--watch-only")
    _targets(ctx, allow_empty=True, single=watching)
    _output(ctx, GET_FORMATS)


def check_describe(ctx: Context) -> None:
    _require_args(ctx, _DESCRIBE_NO_TYPE_MSG)
    _targets(ctx, allow_empty=True)


def check_delete(ctx: Context) -> None:
    _cascade(ctx)
    grace, force = ctx.number("grace-period"), ctx.on("force")
    if ctx.on("now"):
        if grace != -1:
            raise plain_error("--now and --grace-period cannot be specified together")
        grace = 1
    if grace == 0 and not force:
        grace = 1  # kubectl turns an unforced 0 into 1 to avoid surprises
    if force and grace < 0:
        grace = 0
    ctx.flags["grace-period"] = grace
    _dry_run(ctx)
    _targets(ctx, allow_empty=False, select_all=ctx.on("all"))
    output = ctx.text("output")
    if output not in ("", "name"):
        raise plain_error(f"unexpected -o output mode: {output}. We only support '-o name'")
    ctx.output = output
    if grace == 0 and force:
        ctx.warnings.append(_FORCE_WARNING)
    elif grace > 0 and force:
        raise plain_error("--force and --grace-period greater than 0 cannot be specified "
                          "together")


def check_label(ctx: Context) -> None:
    _dry_run(ctx)
    resources, changes = _split_trailing(ctx, is_label_arg, "label")
    try:
        ctx.labels = parse_label_changes(changes)
    except ValueError as exc:
        raise plain_error(str(exc)) from None
    selector = ctx.text("selector")
    if ctx.on("all") and selector:
        raise plain_error("cannot set --all and --selector at the same time")
    if ctx.on("all") and ctx.text("field-selector"):
        raise plain_error("cannot set --all and --field-selector at the same time")
    if not resources and not ctx.filenames:
        raise plain_error("one or more resources must be specified as <resource> <name> or "
                          "<resource>/<name>")
    if not ctx.labels and not ctx.on("list"):
        raise plain_error("at least one label update is required")
    _targets(ctx, resources, allow_empty=ctx.on("all"))
    _output(ctx, PRINT_FORMATS)


def check_taint(ctx: Context) -> None:
    _dry_run(ctx)
    resources, changes = _split_trailing(ctx, is_taint_arg, "taint")
    if not resources:
        raise plain_error("one or more resources must be specified as <resource> <name>")
    if not changes:
        raise plain_error("at least one taint update is required")
    try:
        ctx.taints = parse_taint_changes(changes)
    except ValueError as exc:
        raise usage_error(ctx, str(exc)) from None
    typed = resources[0]
    # taint looks the type up itself: case-insensitively, ignoring any `.group` suffix.
    rt = lookup_resource(typed.lower().split(".")[0])
    if rt is None:
        # kubectl prints this one without its usual `error: ` prefix.
        raise KubectlParseError(no_resource_type_message(typed.lower()), hint=TAINT_TYPE_HINT)
    if rt.kind != "Node":
        raise KubectlParseError(f"error: invalid resource type {typed}, only node types are "
                                "supported", hint=TAINT_TYPE_HINT)
    conflict = taint_conflicts(ctx.taints)
    if conflict:
        raise plain_error(conflict)
    selector = ctx.text("selector")
    if ctx.on("all") and selector:
        raise plain_error("setting 'all' parameter with a non empty selector is prohibited")
    if not ctx.on("all") and not selector and len(resources) < 2:
        raise plain_error("at least one resource name must be specified since 'all' parameter "
                          "is not set")
    if ctx.on("all") or selector:
        ctx.targets = [ResourceTarget(rt, None, typed)]
    else:
        ctx.targets = [ResourceTarget(rt, name, typed) for name in resources[1:]]
    _output(ctx, PRINT_FORMATS)


def check_node_verb(ctx: Context) -> None:
    """cordon, uncordon and drain: node names or a selector, never both."""
    _dry_run(ctx)
    if not ctx.positional and "selector" not in ctx.given:
        raise usage_error(ctx, f"USAGE: {ctx.spec.name} NODE [flags]")
    if ctx.positional and ctx.text("selector"):
        raise usage_error(ctx, "error: cannot specify both a node name and a --selector option")
    node = resource_for_kind("Node")
    if not ctx.positional:
        ctx.targets = [ResourceTarget(node, None, "node")]
        return
    for word in ctx.positional:
        typed, slash, name = word.text.rpartition("/")
        rt = lookup_resource(typed) if slash else node
        if rt is None:
            raise plain_error(no_resource_type_message(typed), word.column)
        ctx.targets.append(ResourceTarget(rt, name, typed or "node"))


def check_set_image(ctx: Context) -> None:
    _dry_run(ctx)
    _output(ctx, PRINT_FORMATS)
    resources, changes = _split_trailing(ctx, is_pair_arg, "image")
    try:
        ctx.images = parse_image_updates(changes)
    except ValueError as exc:
        raise plain_error(str(exc)) from None
    _targets(ctx, resources, allow_empty=ctx.on("all"))
    problems = []
    if ctx.on("all") and ctx.text("selector"):
        problems.append("cannot set --all and --selector at the same time")
    if not ctx.images:
        problems.append("at least one image update is required")
    elif len(ctx.images) > 1 and any(i.container == "*" for i in ctx.images):
        problems.append("all containers are already specified by *, but saw more than one "
                        "container_name=container_image pairs")
    if problems:
        raise plain_error(problems[0] if len(problems) == 1 else _aggregate(problems))


def _aggregate(problems: list[str]) -> str:
    return "[" + ", ".join(problems) + "]"


def check_rollout(ctx: Context) -> None:
    name = ctx.spec.name
    if name == "undo":
        _dry_run(ctx)
    _require_args(ctx, "required resource not specified")
    if name == "history":
        if ctx.number("revision") < 0:
            raise plain_error(f"revision must be a positive integer: {ctx.number('revision')}")
        _output(ctx, PRINT_FORMATS)
    _targets(ctx, allow_empty=True)
    if name in ("undo", "restart", "pause", "resume"):
        _output(ctx, PRINT_FORMATS)
    if name in ("pause", "resume") and any(t.type.kind == "DaemonSet" for t in ctx.targets):
        ctx.hint = PAUSE_DAEMONSET_HINT


_ROLLOUT_KINDS = {"status": ("Deployment", "DaemonSet"), "history": ("Deployment", "DaemonSet"),
                  "undo": ("Deployment", "DaemonSet"), "restart": ("Deployment", "DaemonSet"),
                  "pause": ("Deployment",), "resume": ("Deployment",)}


def rollout_unsupported_error(subverb: str, target: ResourceTarget) -> str | None:
    """kubectl's error once it has fetched an object this rollout subcommand cannot handle.

    None when the kind is supported. Handlers raise it after the object was found, which
    is when kubectl raises it (a missing object is NotFound first).
    """
    rt = target.type
    if rt.kind in _ROLLOUT_KINDS[subverb]:
        return None
    if subverb == "status":
        return f"error: no status viewer has been implemented for {rt.kind}"
    if subverb == "history":
        return f'error: no history viewer has been implemented for "{rt.kind}"'
    if subverb == "undo":
        return f'error: no rollbacker has been implemented for "{rt.kind}"'
    action = {"restart": "restarting", "pause": "pausing", "resume": "resuming"}[subverb]
    return f'error: {rt.display} "{target.name}" {action} is not supported'


def check_explain(ctx: Context) -> None:
    if not ctx.positional:
        raise plain_error(_EXPLAIN_NO_TYPE_MSG)
    if len(ctx.positional) > 1:
        raise plain_error("We accept only this format: explain RESOURCE")
    word = ctx.positional[0]
    typed = word.text.split(".", 1)[0]
    rt = lookup_resource(typed)
    if rt is None:
        raise KubectlParseError(no_resource_type_message(typed), word.column)
    ctx.targets = [ResourceTarget(rt, None, typed)]


def check_api_resources(ctx: Context) -> None:
    if ctx.positional:
        raise usage_error(ctx, f"unexpected arguments: {_go_list(ctx.args)}")
    _output(ctx, API_RESOURCES_FORMATS)
    if ctx.text("sort-by") not in ("", "name", "kind"):
        raise plain_error("--sort-by accepts only name or kind")


def check_version(ctx: Context) -> None:
    if ctx.positional:
        raise plain_error(f"extra arguments: {_go_list(ctx.args)}")
    output = ctx.text("output")
    if output not in ("", "yaml", "json"):
        raise plain_error("--output must be 'yaml' or 'json'")
    ctx.output = output


def check_scale(ctx: Context) -> None:
    if "replicas" not in ctx.given:
        raise plain_error('required flag(s) "replicas" not set')
    _dry_run(ctx)
    _output(ctx, PRINT_FORMATS)
    if ctx.number("replicas") < 0:
        raise plain_error("The --replicas=COUNT flag is required, and COUNT must be greater "
                          "than or equal to 0")
    _targets(ctx, allow_empty=ctx.on("all"))
    if any(t.type.kind == "DaemonSet" for t in ctx.targets):
        ctx.hint = SCALE_DAEMONSET_HINT


def check_patch(ctx: Context) -> None:
    _dry_run(ctx)
    patch, patch_file = ctx.text("patch"), ctx.text("patch-file")
    if patch and patch_file:
        raise plain_error("cannot specify --patch and --patch-file together")
    if not patch and not patch_file:
        raise plain_error("must specify --patch or --patch-file containing the contents of "
                          "the patch")
    kind = ctx.text("type")
    if kind and kind.lower() not in ("json", "merge", "strategic"):
        raise plain_error(f'--type must be one of [json merge strategic], not "{kind}"')
    _targets(ctx, allow_empty=False)
    _output(ctx, PRINT_FORMATS)


def check_edit(ctx: Context) -> None:
    _targets(ctx, allow_empty=True)
    _output(ctx, PRINT_FORMATS)


def check_apply(ctx: Context) -> None:
    _no_args(ctx)
    _dry_run(ctx)
    _cascade(ctx)
    _need_filenames(ctx)
    if ctx.on("server-side") and ctx.text("dry-run") == "client":
        raise plain_error("--dry-run=client doesn't work with --server-side (did you mean "
                          "--dry-run=server instead?)")
    _output(ctx, PRINT_FORMATS)


def check_create(ctx: Context) -> None:
    _no_args(ctx)
    _dry_run(ctx)
    _output(ctx, PRINT_FORMATS)
    _need_filenames(ctx)


VALIDATE_OPTION_ERR = ('invalid - validate option "{value}"; must be one of: strict (or true), '
                       "warn, ignore (or false)")


def _validate_option(ctx: Context) -> None:
    """cmdutil.GetValidationDirective: the --validate value, case-insensitive."""
    value = ctx.text("validate").lower()
    if value not in ("true", "strict", "warn", "false", "ignore"):
        raise plain_error(VALIDATE_OPTION_ERR.format(value=ctx.text("validate")))
    ctx.flags["validate"] = value


def check_replace(ctx: Context) -> None:
    """ReplaceOptions.Complete, then Validate (positional arguments are ignored)."""
    _validate_option(ctx)
    _dry_run(ctx)
    _output(ctx, PRINT_FORMATS)
    _cascade(ctx)
    _need_filenames(ctx)
    force = ctx.on("force")
    if ctx.number("grace-period") >= 0 and not force:
        raise plain_error("--grace-period must have --force specified")
    if ctx.flags.get("timeout") and not force:
        raise plain_error("--timeout must have --force specified")
    if ctx.text("dry-run") != "none" and force:
        raise plain_error("--dry-run can not be used when --force is set")


def _no_args(ctx: Context) -> None:
    if ctx.positional:
        raise usage_error(ctx, f"Unexpected args: {_go_list(ctx.args)}",
                          ctx.positional[0].column)


def _need_filenames(ctx: Context) -> None:
    if not ctx.filenames:
        raise plain_error("must specify one of -f and -k")


def check_create_named(ctx: Context) -> None:
    """create deployment / create namespace: exactly one NAME."""
    if ctx.spec.name == "deployment" and "image" not in ctx.given:
        raise plain_error('required flag(s) "image" not set')
    if len(ctx.positional) != 1:
        raise usage_error(ctx, f"exactly one NAME is required, got {len(ctx.positional)}")
    _dry_run(ctx)
    _output(ctx, PRINT_FORMATS)
    kind = "Deployment" if ctx.spec.name == "deployment" else "Namespace"
    name = ctx.positional[0].text
    ctx.targets = [ResourceTarget(resource_for_kind(kind), name, ctx.spec.name)]


_CHECKS: dict[str, Callable[[Context], None]] = {
    "get": check_get, "describe": check_describe, "delete": check_delete,
    "label": check_label, "taint": check_taint, "cordon": check_node_verb,
    "uncordon": check_node_verb, "drain": check_node_verb, "set image": check_set_image,
    "explain": check_explain, "api-resources": check_api_resources, "version": check_version,
    "scale": check_scale, "patch": check_patch, "edit": check_edit, "apply": check_apply,
    "create": check_create, "create deployment": check_create_named, "replace": check_replace,
    "create namespace": check_create_named,
}


def run_checks(ctx: Context) -> None:
    """Validate ctx for its verb and fill in targets, label/taint/image changes and -o."""
    path = ctx.spec.path
    check = check_rollout if path.startswith("rollout ") else _CHECKS[path]
    check(ctx)


# logs, events, annotate, run and top check their lines in verbs_admin.py.
from dstutor.kubectl.verbs_admin import ADMIN_CHECKS  # noqa: E402

_CHECKS.update(ADMIN_CHECKS)
