"""kubectl's resource builder rules: how TYPE, NAME and TYPE/NAME arguments combine.

This mirrors the client-side checks of cli-runtime's resource.Builder, in its order, so
the first complaint is the one kubectl would print. Nothing here looks at objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dstutor.kubectl.resources import (
    ResourceType,
    expand_category,
    lookup_resource,
    no_resource_type_message,
    split_resource_argument,
)

MISSING_RESOURCE_MSG = (
    "You must provide one or more resources by argument or filename.\n"
    "Example resource specifications include:\n"
    "   '-f rsrc.yaml'\n"
    "   '--filename=rsrc.json'\n"
    "   '<resource> <name>'\n"
    "   '<resource>'"
)
_MIXED_FORM_MSG = (
    "there is no need to specify a resource type as a separate argument when passing "
    "arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead "
    "of 'kubectl get resource resource/<resource_name>'"
)


class BuilderError(Exception):
    """A builder complaint, worded as kubectl words it (without the `error: ` prefix)."""


@dataclass(frozen=True)
class ResourceTarget:
    """One resource type to act on, and the object name (None: every object that matches)."""

    type: ResourceType
    name: str | None = None
    typed: str = ""  # the type as the user wrote it, e.g. `ds` or `daemonsets.apps`


@dataclass(frozen=True)
class BuilderRequest:
    """The inputs kubectl gives its builder; see build_targets."""

    args: tuple[str, ...] = ()
    filenames: tuple[str, ...] = ()
    selector: str | None = None
    field_selector: str | None = None
    select_all: bool = False
    all_namespaces: bool = False
    # `get pods` lists everything; `delete pods` insists on names (or --all / -l).
    allow_empty_selector: bool = False
    single_resource_type: bool = False


def _split_tuple(arg: str) -> tuple[str, str]:
    pieces = arg.split("/")
    if len(pieces) != 2:
        raise BuilderError("arguments in resource/name form may not have more than one slash")
    resource, name = pieces
    if not resource or not name or len(split_resource_argument(resource)) != 1:
        raise BuilderError("arguments in resource/name form must have a single resource and name")
    return resource, name


def _map(word: str) -> ResourceType:
    found = lookup_resource(word)
    if found is None:
        raise BuilderError(no_resource_type_message(word))
    return found


def _replace_aliases(arg: str) -> list[str]:
    words: list[str] = []
    for word in arg.split(","):
        members = expand_category(word)
        if members is None:
            words.append(word)
        else:
            words.extend(rt.display for rt in members)
    return words


def _normalize_multiple(args: list[str]) -> list[str]:
    # `get ds,po a b` means ds/a ds/b po/a po/b.
    if len(args) >= 2:
        types = split_resource_argument(args[0])
        if len(types) > 1:
            return [f"{t}/{name}" for t in types for name in args[1:]]
    return args


def _check_namespace(rt: ResourceType, request: BuilderRequest) -> None:
    if rt.namespaced and request.all_namespaces:
        raise BuilderError("a resource cannot be retrieved by name across all namespaces")


def build_targets(request: BuilderRequest) -> tuple[ResourceTarget, ...]:
    """Resolve the resource arguments of one command, or raise BuilderError.

    With filenames the objects come from the manifests, so the result is empty and the
    caller reads the files.
    """
    args = _normalize_multiple(list(request.args))
    selector = request.selector
    tuples: list[tuple[str, str]] = []
    resources: list[str] = []
    names: list[str] = []
    errors: list[str] = []
    slashed = sum("/" in a for a in args)
    if slashed:
        if slashed != len(args):
            errors.append(_MIXED_FORM_MSG)
        else:
            try:
                tuples = [_split_tuple(a) for a in args]
            except BuilderError as exc:
                errors.append(str(exc))
    elif args:
        resources = split_resource_argument(",".join(_replace_aliases(args[0])))
        names = args[1:]
        if len(args) == 1 and selector is None and request.allow_empty_selector:
            selector = ""
    if request.select_all:
        if selector or request.field_selector:
            errors.append("setting 'all' parameter but found a non empty selector. ")
        selector = ""
    if errors:
        raise BuilderError(errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")

    if request.filenames:
        if resources:
            raise BuilderError("when paths, URLs, or stdin is provided as input, you may not "
                               "specify resource arguments as well")
        if names:
            raise BuilderError("name cannot be provided when a path is specified")
        if tuples:
            raise BuilderError("resource/name arguments cannot be provided when a path is "
                               "specified")
        return ()
    if selector is not None or request.field_selector:
        if names:
            raise BuilderError("name cannot be provided when a selector is specified")
        if tuples:
            raise BuilderError("selectors and the all flag cannot be used when passing "
                               "resource/name arguments")
        if not resources:
            raise BuilderError("at least one resource must be specified to use a selector")
        if len(resources) > 1 and request.single_resource_type:
            raise BuilderError("you may only specify a single resource type")
        return tuple(_dedupe(ResourceTarget(_map(r), None, r) for r in resources))
    if tuples:
        mapped = [(_map(r), n, r) for r, n in tuples]
        for rt, _, _ in mapped:
            _check_namespace(rt, request)
        return tuple(ResourceTarget(rt, n, r) for rt, n, r in mapped)
    if names:
        if len(resources) > 1:
            raise BuilderError("you must specify only one resource")
        rt = _map(resources[0])
        _check_namespace(rt, request)
        return tuple(ResourceTarget(rt, n, resources[0]) for n in names)
    if resources:
        for r in resources:
            _map(r)
        raise BuilderError("resource(s) were provided, but no name was specified")
    raise BuilderError(MISSING_RESOURCE_MSG)


def _dedupe(targets: Iterable[ResourceTarget]) -> list[ResourceTarget]:
    # `get all,ds` names DaemonSets twice; list each type once.
    seen: list[ResourceTarget] = []
    for target in targets:
        if all(t.type != target.type for t in seen):
            seen.append(target)
    return seen
