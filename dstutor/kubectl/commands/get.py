"""`kubectl get`: tables, -o formats, several kinds at once, and -w on the virtual clock."""

from __future__ import annotations

from typing import TypedDict

from dstutor.errors import CommandError, NotFound
from dstutor.kubectl.commands._base import (
    Env,
    OutputBuffer,
    flag_bool,
    flag_list,
    list_objects,
    namespace_of,
    rtype_of,
)
from dstutor.kubectl.commands._follow import can_follow
from dstutor.kubectl.commands._printing import format_objects
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.kubectl.resources import ResourceType
from dstutor.model.objects import Obj, clone
from dstutor.model.quantity import parse_quantity_or_none
from dstutor.render._gosort import go_sort
from dstutor.render.columns import (
    columns_for,
    format_labels,
    kind_prefix,
    label_column_header,
    row_cells,
    table_for,
)
from dstutor.render.jsonpath import JSONPath, JSONPathError
from dstutor.render.output import relaxed_jsonpath
from dstutor.render.table import TABLE_MIN_WIDTH, TABLE_PADDING, sanitize_cell, tabwrite
from dstutor.sim.thaw import collector_paused

# In manual mode `get -w` cannot wait for the user's Ctrl-C: it follows the virtual clock
# to each next change, and stops once nothing changes within this window.
WATCH_WINDOW_SECONDS = 60.0
WATCH_MAX_EVENTS = 500


def _multiple_types(cmd: KubectlCommand) -> bool:
    """resource.MultipleTypesRequested: `ds,po`, `all`, or TYPE/NAME of several types."""
    if cmd.args and "/" not in cmd.args[0]:
        first = cmd.args[0]
        return "," in first or first == "all"
    return len(cmd.resource_types) > 1


def no_resources_message(namespace: str | None, namespaced: bool) -> str:
    if namespace is None or not namespaced:
        return "No resources found"
    return f"No resources found in {namespace} namespace."


def collect(env: Env, cmd: KubectlCommand, out: OutputBuffer
            ) -> list[tuple[ResourceType, list[Obj]]]:
    """The objects per requested type, in argument order; missing names go to stderr."""
    ns = namespace_of(env, cmd)
    scope = None if cmd.all_namespaces else ns
    ignore = flag_bool(cmd, "ignore-not-found")
    groups: list[tuple[ResourceType, list[Obj]]] = []
    missing: list[str] = []

    def group_for(rt: ResourceType) -> list[Obj]:
        for known, objs in groups:
            if known == rt:
                return objs
        objs = []
        groups.append((rt, objs))
        return objs

    for target in cmd.targets:
        rt = target.type
        bucket = group_for(rt)
        if target.name is None:
            bucket.extend(list_objects(env, rt, scope, cmd.selector, cmd.field_selector,
                                       live=True, read_now=True))
            continue
        obj = env.cluster.find(rt.kind, ns if rt.namespaced else "", target.name)
        if obj is None:
            if not ignore:
                missing.append(str(NotFound(f'{rt.display} "{target.name}" not found')))
            continue
        bucket.append(obj)
    for message in missing:
        out.err(message)
    if missing:
        out.failed = True
    return groups


def _sort_less(a: object, b: object) -> bool:
    """isLess of kubectl 1.37's sorter for decoded JSON values: numbers by value, strings
    that both parse as quantities as quantities, other strings byte by byte (no natural
    order: `worker-10` sorts before `worker-2`)."""
    if a is None or b is None:
        return a is None and b is not None
    if isinstance(a, str) and isinstance(b, str):
        qa, qb = parse_quantity_or_none(a), parse_quantity_or_none(b)
        if qa is not None and qb is not None:
            return qa.value < qb.value
        return a.encode("utf-8") < b.encode("utf-8")
    numbers = (int, float)
    if (isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool)
            and not isinstance(b, bool)):
        return a < b
    # kubectl exits on other pairs ("unsortable type"); keep the order as it is.
    return False


def sort_by(objs: list[Obj], expression: str) -> tuple[list[Obj], bool]:
    """--sort-by: kubectl's sorter, Go's unstable sort.Sort over the server's order keyed
    by the first value the (relaxed) JSONPath finds; an object without it sorts first
    (Less is true whenever the left one lacks it, as upstream). Also says whether any
    object has the field (kubectl refuses to sort when none has)."""
    try:
        path = JSONPath(relaxed_jsonpath(expression))
    except JSONPathError as exc:
        raise CommandError(f"error: error parsing jsonpath {expression}, {exc}") from None
    missing = object()

    def key(obj: Obj) -> object:
        found = [v for group in path.find_results(obj) for v in group]
        return found[0] if found else missing

    keyed = [(key(o), o) for o in objs]
    if len(keyed) > 1:
        go_sort(keyed, lambda x, y: x[0] is missing or (
            y[0] is not missing and _sort_less(x[0], y[0])))
    return [o for _, o in keyed], any(k is not missing for k, _ in keyed)


def _no_field(expression: str) -> CommandError:
    return CommandError(f'error: couldn\'t find any field with path "{relaxed_jsonpath(expression)}" '
                        "in the list of objects")


def _fetched(env: Env, cmd: KubectlCommand) -> int:
    """How many results kubectl's builder returns: one Table per listed type, one per
    named object found."""
    ns = namespace_of(env, cmd)
    return sum(1 for t in cmd.targets if t.name is None or env.cluster.find(
        t.type.kind, ns if t.type.namespaced else "", t.name) is not None)


def sorted_groups(env: Env, cmd: KubectlCommand, groups: list[tuple[ResourceType, list[Obj]]],
                  expression: str) -> tuple[list[tuple[ResourceType, list[Obj]]], bool]:
    """Apply --sort-by as kubectl 1.37.1 does; returns the groups and whether the table
    was dropped (kubectl then prints "No resources found").

    -o FMT sorts every object as one list (kinds interleave) and fails when none has the
    field. A table is sorted inside kubectl's printer only when it is the one result
    with more than one row; there a field no row has drops the table. Several results
    (`get ds,pods`, two names) reach the sorter as Tables whose rows are not decoded
    yet, so kubectl finds the field nowhere and fails, whatever the field.
    """
    if cmd.output and cmd.output != "wide":
        objs = [o for _, group in groups for o in group]
        if not objs:
            return groups, False
        ordered, found = sort_by(objs, expression)
        if not found:
            raise _no_field(expression)
        return [(groups[0][0], ordered)], False
    if _fetched(env, cmd) > 1:
        raise _no_field(expression)
    if len(groups) != 1 or len(groups[0][1]) < 2:
        return groups, False
    ordered, found = sort_by(groups[0][1], expression)
    if not found:
        return [(groups[0][0], [])], True
    return [(groups[0][0], ordered)], False


ELSEWHERE_HINT = "There are {what} in {where}: add `-n {first}`, or `-A` for every namespace."


def elsewhere_hint(env: Env, cmd: KubectlCommand, groups: list[tuple[ResourceType, list[Obj]]],
                   namespace: str) -> str | None:
    """An empty list in this namespace while the same query matches in others."""
    found: dict[str, int] = {}
    for rt, _ in groups:
        if rt.namespaced and rt.kind != "Event":
            for obj in list_objects(env, rt, None, cmd.selector, cmd.field_selector, live=True):
                other = obj["metadata"].get("namespace", "")
                if other != namespace:
                    found[other] = found.get(other, 0) + 1
    if not found:
        return None
    names = sorted(found)
    what = "/".join(rt.plural for rt, _ in groups if rt.namespaced)
    return ELSEWHERE_HINT.format(what=what, where=", ".join(names), first=names[0])


@handles("get")
def run_get(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    # The simulation runs first, with the collector on as it expects (sim/engine.py).
    env.cluster.settle()
    if flag_bool(cmd, "watch") or flag_bool(cmd, "watch-only"):
        _get(env, cmd, out)
        return
    # A listing makes no reference cycles, only objects that go with it (at 5,000 nodes
    # `get events -A` reads 250,000 Events as dicts made for it: Store.events_as_read):
    # with the collector on, young collections walked them while the table was made.
    # They are gone once _get returns, before the collector is back.
    with collector_paused():
        _get(env, cmd, out)


def _get(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    groups = collect(env, cmd, out)
    expression = str(cmd.flags.get("sort-by") or "")
    dropped = False
    if expression and not (flag_bool(cmd, "watch") or flag_bool(cmd, "watch-only")):
        groups, dropped = sorted_groups(env, cmd, groups, expression)
    watching = flag_bool(cmd, "watch") or flag_bool(cmd, "watch-only")
    if watching and cmd.output in WATCH_FORMATS:
        if not flag_bool(cmd, "watch-only"):
            listed = [o for _, group in groups for o in group]
            out.write("".join(watch_object_text(cmd, o, i) for i, o in enumerate(listed)))
        watch(env, cmd, groups, out)
        return
    if cmd.output and cmd.output != "wide":
        # The stored objects themselves: the formats only read them (_strip_managed
        # copies what it changes), and a copy of each was 15% of `-o yaml`.
        objs = [o for _, group in groups for o in group]
        single = len(cmd.targets) == 1 and cmd.targets[0].name is not None
        if cmd.output == "name" or objs or not single:
            out.write(format_objects(objs, cmd.output, cmd.output_arg, single=single,
                                     no_headers=flag_bool(cmd, "no-headers")))
        return
    ns = namespace_of(env, cmd)
    text = tables(env, cmd, groups)
    if text:
        out.write(text)
    elif not out.failed and not watching and not flag_bool(cmd, "ignore-not-found"):
        namespaced = any(rt.namespaced for rt, _ in groups) or not groups
        out.err(no_resources_message(None if cmd.all_namespaces else ns, namespaced))
        if namespaced and not cmd.all_namespaces and not dropped:
            out.hint = elsewhere_hint(env, cmd, groups, ns)
    if watching:
        watch(env, cmd, groups, out)


class _TableOptions(TypedDict):
    """table_for's keyword arguments that come from the command's flags."""

    wide: bool
    all_namespaces: bool
    show_labels: bool
    label_columns: tuple[str, ...]
    no_headers: bool


def _table_options(cmd: KubectlCommand) -> _TableOptions:
    labels = tuple(k for k in flag_list(cmd, "label-columns") if k)
    return {"wide": cmd.output == "wide", "all_namespaces": cmd.all_namespaces,
            "show_labels": flag_bool(cmd, "show-labels"), "label_columns": labels,
            "no_headers": flag_bool(cmd, "no-headers")}


def tables(env: Env, cmd: KubectlCommand, groups: list[tuple[ResourceType, list[Obj]]]) -> str:
    now = env.cluster.now()
    # The store's revision: a pod table read again at it reuses the last one's cells.
    revision = env.cluster.store.resource_version()
    prefix = _multiple_types(cmd) or flag_bool(cmd, "show-kind")
    opts = _table_options(cmd)
    chunks = []
    for rt, objs in groups:
        if not objs:
            continue
        chunks.append(table_for(rt.kind, objs, now, with_kind_prefix=prefix,
                                revision=revision, **opts))
    sep = "" if opts["no_headers"] else "\n"
    return sep.join(chunks)


# --- watch ----------------------------------------------------------------------------


def _row(cmd: KubectlCommand, obj: Obj, now: float, prefix: bool) -> list[str]:
    """One table row as table_for builds it, for the rows a watch adds."""
    rt = rtype_of(obj)
    opts = _table_options(cmd)
    columns = columns_for(rt.kind)
    cells = row_cells(rt.kind, obj, now)
    name_index = next((i for i, c in enumerate(columns) if c.format == "name"), None)
    if prefix and name_index is not None:
        cells[name_index] = f"{kind_prefix(rt.kind)}/{cells[name_index]}"
    row = [str(cells[i]) for i, c in enumerate(columns) if opts["wide"] or c.priority == 0]
    labels = obj["metadata"].get("labels") or {}
    if opts["all_namespaces"] and rt.namespaced:
        row.insert(0, obj["metadata"].get("namespace", ""))
    row += [labels.get(k, "") for k in opts["label_columns"]]
    if opts["show_labels"]:
        row.append(format_labels(labels))
    return [sanitize_cell(c) for c in row]


def _headers(cmd: KubectlCommand, rt: ResourceType) -> list[str]:
    opts = _table_options(cmd)
    heads = [c.name.upper() for c in columns_for(rt.kind) if opts["wide"] or c.priority == 0]
    if opts["all_namespaces"] and rt.namespaced:
        heads.insert(0, "NAMESPACE")
    heads += [label_column_header(k) for k in opts["label_columns"]]
    if opts["show_labels"]:
        heads.append("LABELS")
    return heads


def _snapshot(env: Env, cmd: KubectlCommand, groups: list[tuple[ResourceType, list[Obj]]]
              ) -> dict[tuple[str, str, str], Obj]:
    """The watched objects now, keyed by (kind, namespace, name), as copies."""
    state: dict[tuple[str, str, str], Obj] = {}
    ns = namespace_of(env, cmd)
    names = {(t.type.kind, t.name) for t in cmd.targets if t.name is not None}
    for rt, _ in groups:
        scope = None if cmd.all_namespaces else ns
        for obj in list_objects(env, rt, scope, cmd.selector, cmd.field_selector, live=True):
            name = obj["metadata"]["name"]
            if names and (rt.kind, name) not in names and (rt.kind, None) not in {
                    (t.type.kind, t.name) for t in cmd.targets}:
                continue
            state[(rt.kind, obj["metadata"].get("namespace", ""), name)] = clone(obj)
    return state


# --output-watch-events: the table printer's EVENT column (formatEventType pads to 8).
EVENT_CELLS = {"ADDED": "ADDED   ", "MODIFIED": "MODIFIED", "DELETED": "DELETED "}


def watch_row(cmd: KubectlCommand, obj: Obj, now: float, prefix: bool, event: str) -> list[str]:
    row = _row(cmd, obj, now, prefix)
    return [EVENT_CELLS[event], *row] if flag_bool(cmd, "output-watch-events") else row


def watch_headers(cmd: KubectlCommand, rt: ResourceType) -> list[str]:
    heads = _headers(cmd, rt)
    return ["EVENT", *heads] if flag_bool(cmd, "output-watch-events") else heads


def watch_event(key: tuple[str, str, str], before: dict[tuple[str, str, str], Obj],
                after: dict[tuple[str, str, str], Obj]) -> str:
    return "DELETED" if key not in after else "MODIFIED" if key in before else "ADDED"


def watch_start(env: Env, cmd: KubectlCommand, groups: list[tuple[ResourceType, list[Obj]]],
                out: OutputBuffer) -> tuple[list[int], bool]:
    """The list a watch begins with, and (column widths, header printed) for its rows.

    kubectl prints the list and the rows through one tabwriter that remembers its
    widths, so a row is at least as wide as the list's columns. --watch-only prints no
    list; --output-watch-events prints it with ADDED in an EVENT column.
    """
    now = env.cluster.now()
    prefix = _multiple_types(cmd)
    widths: list[int] = []
    first = [o for _, objs in groups for o in objs]
    watch_only = flag_bool(cmd, "watch-only")
    no_headers = flag_bool(cmd, "no-headers")
    if watch_only:
        out.stdout.clear()
        return widths, False
    if not first:
        return widths, False
    rt0 = rtype_of(first[0])
    rows = [watch_row(cmd, o, now, prefix, "ADDED") for o in first if rtype_of(o) == rt0]
    lines = rows if no_headers else [watch_headers(cmd, rt0), *rows]
    for line in lines:
        for i, cell in enumerate(line[:-1]):
            width = max(TABLE_MIN_WIDTH, len(cell) + TABLE_PADDING)
            if i < len(widths):
                widths[i] = max(widths[i], width)
            else:
                widths.append(width)
    if flag_bool(cmd, "output-watch-events"):
        out.stdout.clear()
        out.write(tabwrite("\n".join("\t".join(line) for line in lines),
                           min_width=TABLE_MIN_WIDTH, padding=TABLE_PADDING) + "\n")
    return widths, not no_headers


# -o formats a watch prints object by object (kubectl prints the list's items one by one,
# then each changed object; its YAML printer puts "---" before every object but the first).
WATCH_FORMATS = ("name", "yaml", "json", "jsonpath", "jsonpath-as-json")


def watch_object_text(cmd: KubectlCommand, obj: Obj, count: int) -> str:
    text = format_objects([clone(obj)], cmd.output or "", cmd.output_arg, single=True)
    return "---\n" + text if cmd.output == "yaml" and count else text


class WatchPrinter:
    """Text for each change a watch sees: a table row (widths remembered) or an object."""

    def __init__(self, env: Env, cmd: KubectlCommand,
                 groups: list[tuple[ResourceType, list[Obj]]], out: OutputBuffer) -> None:
        self.cmd = cmd
        self.prefix = _multiple_types(cmd)
        self.structured = cmd.output in WATCH_FORMATS
        if self.structured:
            self.widths: list[int] = []
            self.header_done = True
            self.count = 0 if flag_bool(cmd, "watch-only") else sum(len(g) for _, g in groups)
        else:
            self.widths, self.header_done = watch_start(env, cmd, groups, out)
            self.count = 0

    def change(self, obj: Obj, now: float, event: str) -> str:
        if self.structured:
            self.count += 1
            return watch_object_text(self.cmd, obj, self.count - 1)
        line = "\t".join(watch_row(self.cmd, obj, now, self.prefix, event))
        if not self.header_done and not flag_bool(self.cmd, "no-headers"):
            line = "\t".join(watch_headers(self.cmd, rtype_of(obj))) + "\n" + line
            self.header_done = True
        return tabwrite(line, min_width=TABLE_MIN_WIDTH, padding=TABLE_PADDING,
                        remembered=self.widths) + "\n"


def watch(env: Env, cmd: KubectlCommand, groups: list[tuple[ResourceType, list[Obj]]],
          out: OutputBuffer) -> None:
    """Follow the virtual clock, one row per change, until quiet for WATCH_WINDOW_SECONDS."""
    if can_follow(env):  # an interactive shell on a live clock: until Ctrl-C
        from dstutor.kubectl.commands.watchlive import watch_live

        watch_live(env, cmd, groups, out, TABLE_MIN_WIDTH, TABLE_PADDING)
        return
    cluster = env.cluster
    before = _snapshot(env, cmd, groups)
    printer = WatchPrinter(env, cmd, groups, out)
    events = 0
    deadline = cluster.now() + WATCH_WINDOW_SECONDS
    while events < WATCH_MAX_EVENTS:
        nxt = cluster.next_change()
        if nxt is None or nxt > deadline:
            break
        cluster.advance(max(0.0, nxt - cluster.now()))
        after = _snapshot(env, cmd, groups)
        changed = [k for k in after if k not in before or
                   after[k]["metadata"].get("resourceVersion")
                   != before[k]["metadata"].get("resourceVersion")]
        gone = [k for k in before if k not in after]
        now = cluster.now()
        for key in sorted(changed) + sorted(gone):
            obj = after.get(key) or before[key]
            out.write(printer.change(obj, now, watch_event(key, before, after)))
            events += 1
        if changed or gone:
            deadline = now + WATCH_WINDOW_SECONDS
            out.changed = True
        before = after
