"""Client-side checks of logs, events, annotate, run and top, in kubectl 1.37.1's words.

Each check runs before anything reaches the cluster, as kubectl's Complete/Validate do;
tests compare the messages with the real binary's.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dstutor.kubectl.builder import BuilderError, ResourceTarget, _split_tuple
from dstutor.kubectl.parsestate import Context, KubectlParseError, plain_error
from dstutor.kubectl.registry_admin import PRINT_FORMATS
from dstutor.kubectl.resources import lookup_resource, no_resource_type_message, resource_for_kind
from dstutor.kubectl.specs import go_quote
from dstutor.kubectl.verbs import _dry_run, _output, _split_trailing, _targets
from dstutor.model.timefmt import parse_rfc3339

LOGS_USAGE = ("error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\n"
              "POD or TYPE/NAME is a required argument for the logs command\n"
              "See 'kubectl logs -h' for help and examples")
_RESTART_POLICIES = ("Always", "OnFailure", "Never")


def _see(ctx: Context, message: str) -> KubectlParseError:
    return KubectlParseError(f"error: {message}\nSee '{ctx.command_path} -h' for help and "
                             "examples")


def check_logs(ctx: Context) -> None:
    args = ctx.args
    selector = ctx.text("selector")
    if selector and args:
        raise _see(ctx, "only a selector (-l) or a POD name is allowed")
    if not selector and not 1 <= len(args) <= 2:
        raise KubectlParseError(LOGS_USAGE)
    since_time = ctx.text("since-time")
    if since_time:
        try:
            parse_rfc3339(since_time)
        except ValueError:
            raise plain_error(f'parsing time {go_quote(since_time)} as '
                              f'"2006-01-02T15:04:05Z07:00": cannot parse '
                              f'{go_quote(since_time)} as "2006"') from None
    if len(args) == 2:
        if ctx.text("container"):
            raise plain_error("only one of -c or an inline [CONTAINER] arg is allowed")
        ctx.flags["container"] = args[1]
        args = args[:1]
    if selector:
        pods = resource_for_kind("Pod")
        ctx.targets = [ResourceTarget(pods, None, "pods")]
        return
    if "/" not in args[0]:
        ctx.targets = [ResourceTarget(resource_for_kind("Pod"), args[0], "pods")]
        return
    try:  # the resource builder's checks of TYPE/NAME, before any lookup
        typed, name = _split_tuple(args[0])
    except BuilderError as exc:
        raise plain_error(str(exc)) from None
    rt = lookup_resource(typed)
    if rt is None:
        raise plain_error(no_resource_type_message(typed))
    ctx.targets = [ResourceTarget(rt, name, typed)]


def check_events(ctx: Context) -> None:
    for value in ctx.strings("types"):
        if str(value).lower() not in ("normal", "warning"):
            raise plain_error("valid --types are Normal or Warning")
    target = ctx.text("for")
    if target:
        if target.count("/") > 1:
            raise plain_error("arguments in resource/name form may not have more than one slash")
        typed, slash, name = target.partition("/")
        if not slash or not name:
            raise plain_error("--for must be in resource/name form")
        rt = lookup_resource(typed)
        if rt is None:
            raise plain_error(no_resource_type_message(typed))
        ctx.targets = [ResourceTarget(rt, name, typed)]
    raw = ctx.text("output")
    if raw and raw.split("=", 1)[0] not in PRINT_FORMATS:
        raise plain_error(f'unable to match a printer suitable for the output format "{raw}", '
                          f"allowed formats are: {','.join(sorted(PRINT_FORMATS))}")
    _output(ctx, PRINT_FORMATS)


def _is_annotation_arg(arg: str) -> bool:
    return "=" in arg or arg.endswith("-")


def check_annotate(ctx: Context) -> None:
    _dry_run(ctx)
    resources, changes = _split_trailing(ctx, _is_annotation_arg, "annotation")
    if not resources and not ctx.filenames:
        raise plain_error("one or more resources must be specified as <resource> <name> or "
                          "<resource>/<name>")
    if not changes and not ctx.on("list"):
        raise plain_error("at least one annotation update is required")
    if ctx.on("all") and ctx.text("selector"):
        raise plain_error("cannot set --all and --selector at the same time")
    sets: dict[str, str] = {}
    removes: list[str] = []
    for spec in changes:
        key, eq, value = spec.partition("=")
        if eq:
            if not key:
                raise plain_error(f"invalid annotation format: {spec}")
            sets[key] = value
        else:
            removes.append(spec[:-1])
    for key in removes:
        if key in sets:
            raise plain_error("can not both modify and remove an annotation in the same "
                              "command")
    _targets(ctx, resources, allow_empty=ctx.on("all"))
    _output(ctx, PRINT_FORMATS)


_LABEL_SPEC = re.compile(r"^[^=,]+=[^=,]*$")


def check_run(ctx: Context) -> None:
    if "image" not in ctx.given or not ctx.text("image"):
        raise plain_error('required flag(s) "image" not set')
    if not ctx.positional:
        raise plain_error("NAME is required for run")
    restart = ctx.text("restart")
    if restart not in _RESTART_POLICIES:
        raise plain_error(f"invalid restart policy: {restart}, valid values are: Always, "
                          "OnFailure, Never")
    if ctx.on("rm"):
        raise plain_error("--rm should only be used for attached containers")
    port = ctx.text("port")
    if port and not port.isdigit():
        raise plain_error("--port must be a number")
    for env in ctx.strings("env"):
        if "=" not in str(env) or str(env).startswith("="):
            raise plain_error(f"invalid env: {env}")
    labels = ctx.text("labels")
    if labels:
        for part in labels.split(","):
            if not _LABEL_SPEC.match(part):
                raise plain_error(f"unexpected label spec: {part}")
    _dry_run(ctx)
    _output(ctx, PRINT_FORMATS)
    name = ctx.positional[0].text
    ctx.targets = [ResourceTarget(resource_for_kind("Pod"), name, "pod")]


def check_top(ctx: Context) -> None:
    kind = "node" if ctx.spec.name == "node" else "pod"
    if len(ctx.positional) > 1:
        raise _see(ctx, f"{kind} [NAME | -l label]")
    if ctx.positional and ctx.text("selector"):
        raise plain_error("only one of NAME or --selector can be provided")
    if ctx.text("sort-by") not in ("", "cpu", "memory"):
        raise plain_error("--sort-by accepts only cpu or memory")
    rt = resource_for_kind("Node" if kind == "node" else "Pod")
    name = ctx.positional[0].text if ctx.positional else None
    ctx.targets = [ResourceTarget(rt, name, kind)]


ADMIN_CHECKS: dict[str, Callable[[Context], None]] = {
    "logs": check_logs, "events": check_events, "annotate": check_annotate, "run": check_run,
    "top node": check_top, "top pod": check_top,
}
