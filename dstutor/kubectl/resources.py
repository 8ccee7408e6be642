"""The resource types the simulated API server serves, and kubectl's rules for naming them."""

from __future__ import annotations

from dataclasses import dataclass

from dstutor.errors import CommandError

# Field labels every object supports in --field-selector; each type adds its own below.
_NAMESPACED_META_FIELDS = ("metadata.name", "metadata.namespace")
_CLUSTER_META_FIELDS = ("metadata.name",)


@dataclass(frozen=True)
class ResourceType:
    """One API resource as discovery describes it (`kubectl api-resources` lists these)."""

    kind: str
    plural: str
    singular: str
    group: str
    version: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    field_labels: tuple[str, ...] = ()

    @property
    def display(self) -> str:
        """`daemonsets.apps` / `pods`: the form used in NotFound and AlreadyExists messages."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def singular_display(self) -> str:
        """`daemonset.apps` / `pod`: the form used in `-o name` and success messages."""
        return f"{self.singular}.{self.group}" if self.group else self.singular

    @property
    def api_version(self) -> str:
        """`apps/v1` / `v1`: the apiVersion a manifest of this kind carries."""
        return f"{self.group}/{self.version}" if self.group else self.version

    def object_ref(self, name: str) -> str:
        """`daemonset.apps/fluentd`: how kubectl names one object in its output."""
        return f"{self.singular_display}/{name}"


def _fields(namespaced: bool, *extra: str) -> tuple[str, ...]:
    base = _NAMESPACED_META_FIELDS if namespaced else _CLUSTER_META_FIELDS
    return base + extra


# Discovery order: the core group first, then apps, each sorted by plural. kubectl
# keeps this order when it expands a category such as `all`.
RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType(
        kind="Event", plural="events", singular="event", group="", version="v1",
        namespaced=True, short_names=("ev",),
        field_labels=_fields(
            True, "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
            "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
            "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
        ),
    ),
    ResourceType(
        kind="Namespace", plural="namespaces", singular="namespace", group="", version="v1",
        namespaced=False, short_names=("ns",), field_labels=_fields(False, "status.phase"),
    ),
    ResourceType(
        kind="Node", plural="nodes", singular="node", group="", version="v1",
        namespaced=False, short_names=("no",), field_labels=_fields(False, "spec.unschedulable"),
    ),
    ResourceType(
        kind="Pod", plural="pods", singular="pod", group="", version="v1",
        namespaced=True, short_names=("po",), categories=("all",),
        field_labels=_fields(
            True, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP",
            "status.podIPs", "status.nominatedNodeName",
            # Old v1 clients' name for spec.nodeName, which the server still converts
            # (pkg/apis/core/v1/conversion.go; selectable_field reads it so).
            "spec.host",
        ),
    ),
    ResourceType(
        kind="ControllerRevision", plural="controllerrevisions", singular="controllerrevision",
        group="apps", version="v1", namespaced=True, field_labels=_fields(True),
    ),
    ResourceType(
        kind="DaemonSet", plural="daemonsets", singular="daemonset", group="apps", version="v1",
        namespaced=True, short_names=("ds",), categories=("all",), field_labels=_fields(True),
    ),
    ResourceType(
        kind="Deployment", plural="deployments", singular="deployment", group="apps",
        version="v1", namespaced=True, short_names=("deploy",), categories=("all",),
        field_labels=_fields(True),
    ),
    ResourceType(
        kind="ReplicaSet", plural="replicasets", singular="replicaset", group="apps",
        version="v1", namespaced=True, short_names=("rs",), categories=("all",),
        field_labels=_fields(True, "status.replicas"),
    ),
    ResourceType(
        kind="PriorityClass", plural="priorityclasses", singular="priorityclass",
        group="scheduling.k8s.io", version="v1", namespaced=False, short_names=("pc",),
        field_labels=_fields(False),
    ),
)

_BY_KIND = {rt.kind: rt for rt in RESOURCE_TYPES}


def resource_for_kind(kind: str) -> ResourceType:
    """The type serving objects of `kind` (as written in a manifest); KeyError if none."""
    return _BY_KIND[kind]


def no_resource_type_message(typed: str) -> str:
    """kubectl's text (without `error: `) when discovery knows no type spelled `typed`."""
    resource, dot, group = typed.partition(".")
    if dot:
        return f'the server doesn\'t have a resource type "{resource}" in group "{group}"'
    return f'the server doesn\'t have a resource type "{typed}"'


def _matches_name(rt: ResourceType, word: str) -> bool:
    # Short names are matched exactly (`DS` is unknown), while plural, singular and
    # kind are matched case-insensitively (`Pods`, `DaemonSet` work).
    if word in rt.short_names:
        return True
    lowered = word.lower()
    return lowered in (rt.plural, rt.singular)


def _find(word: str, *, group: str | None = None, version: str | None = None
          ) -> ResourceType | None:
    for rt in RESOURCE_TYPES:
        if not _matches_name(rt, word):
            continue
        # A partial group is accepted as a prefix (`daemonsets.app` works), and an
        # empty group after a dot matches any group (`daemonsets.`).
        if group is not None and not rt.group.startswith(group):
            continue
        if version is not None and rt.version != version:
            continue
        return rt
    return None


def lookup_resource(typed: str) -> ResourceType | None:
    """The type `typed` names (`ds`, `daemonsets.apps`, `ds.v1.apps`, `Pod`), or None."""
    if "." not in typed:
        return _find(typed)
    parts = typed.split(".")
    if len(parts) >= 3:
        # RESOURCE.VERSION.GROUP is tried first, then RESOURCE.GROUP with a dotted group.
        found = _find(parts[0], version=parts[1], group=".".join(parts[2:]))
        if found is not None:
            return found
    return _find(parts[0], group=".".join(parts[1:]))


def resolve_resource(typed: str) -> ResourceType:
    """Like lookup_resource, but an unknown type raises kubectl's CommandError."""
    found = lookup_resource(typed)
    if found is None:
        raise CommandError("error: " + no_resource_type_message(typed))
    return found


def expand_category(word: str) -> tuple[ResourceType, ...] | None:
    """The types in category `word` (only `all` exists here), or None if it is no category."""
    members = tuple(rt for rt in RESOURCE_TYPES if word in rt.categories)
    return members or None


def split_resource_argument(arg: str) -> list[str]:
    """`ds,po,ds` -> ['ds', 'po']: kubectl splits on commas and drops repeats, keeping blanks."""
    seen: list[str] = []
    for piece in arg.split(","):
        if piece not in seen:
            seen.append(piece)
    return seen


def resolve_resources(arg: str) -> tuple[ResourceType, ...]:
    """Every type named by a comma list such as `ds,po` or `all`; unknown -> CommandError."""
    resolved: list[ResourceType] = []
    for word in split_resource_argument(arg):
        members = expand_category(word)
        for rt in members or (resolve_resource(word),):
            if rt not in resolved:
                resolved.append(rt)
    return tuple(resolved)


@dataclass(frozen=True)
class FieldRequirement:
    """One `field=value` / `field!=value` term of a --field-selector."""

    field: str
    value: str
    negated: bool = False

    def __str__(self) -> str:
        return f"{self.field}{'!=' if self.negated else '='}{self.value}"


_FIELD_OPERATORS = ("!=", "==", "=")


def _split_unescaped(text: str, sep: str) -> list[str]:
    # Selector values may contain `\,` and `\=`; only bare separators split.
    pieces, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            current.append(ch)
            escaped = True
        elif ch == sep:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    return pieces


def _unescape(value: str) -> str:
    out, escaped = [], False
    for ch in value:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append(ch)
    return "".join(out)


def parse_field_selector(text: str) -> tuple[FieldRequirement, ...]:
    """Parse `spec.nodeName=worker-1,status.phase!=Failed` as the API server does.

    Raises ValueError with the server's wording (`invalid selector: ...`); the caller
    wraps it in the BadRequest that kubectl shows.
    """
    terms: list[FieldRequirement] = []
    for part in _split_unescaped(text, ","):
        if part == "":
            continue
        for i in range(len(part)):
            op = next((o for o in _FIELD_OPERATORS if part.startswith(o, i)), None)
            if op is not None:
                terms.append(FieldRequirement(part[:i], _unescape(part[i + len(op):]),
                                              negated=op == "!="))
                break
        else:
            raise ValueError(f"invalid selector: '{text}'; can't understand '{part}'")
    return tuple(terms)


def unsupported_field_labels(rt: ResourceType, terms: tuple[FieldRequirement, ...]
                             ) -> list[str]:
    """The fields in `terms` the server cannot filter `rt` by (`field label not supported`)."""
    return [t.field for t in terms if t.field not in rt.field_labels]
