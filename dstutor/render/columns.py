"""Server-side table columns per kind (printers.go) and the `kubectl get` table.

In a real cluster the API server computes these cells and kubectl only lays them
out; dstutor needs both halves. `build_table` returns the metav1.Table an HTTP
server would send, `table_for` the text kubectl would print from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from dstutor.model.kinds import KINDS
from dstutor.model.selectors import format_label_selector
from dstutor.model.timefmt import parse_rfc3339
from dstutor.render.humanize import UNKNOWN, age, human_duration
from dstutor.render.podstatus import pod_status_and_counts
from dstutor.render.table import SplitGrid, format_table, render_split, split_grid

Obj = dict[str, Any]
Cell = str | int
NONE = "<none>"


@dataclass(frozen=True)
class Column:
    """One metav1.TableColumnDefinition; priority 1 columns show only with -o wide."""

    name: str
    type: str = "string"
    priority: int = 0
    format: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "format": self.format,
                "description": "", "priority": self.priority}


def _col(name: str, type_: str = "string", priority: int = 0, fmt: str = "") -> Column:
    return Column(name, type_, priority, fmt)


NAME_COL = _col("Name", fmt="name")
AGE_COL = _col("Age")

COLUMNS: dict[str, tuple[Column, ...]] = {
    "Node": (NAME_COL, _col("Status"), _col("Roles"), AGE_COL, _col("Version"),
             _col("Internal-IP", priority=1), _col("External-IP", priority=1),
             _col("OS-Image", priority=1), _col("Kernel-Version", priority=1),
             _col("Container-Runtime", priority=1)),
    "Pod": (NAME_COL, _col("Ready"), _col("Status"), _col("Restarts"), AGE_COL,
            _col("IP", priority=1), _col("Node", priority=1),
            _col("Nominated Node", priority=1), _col("Readiness Gates", priority=1)),
    "DaemonSet": (NAME_COL, _col("Desired", "integer"), _col("Current", "integer"),
                  _col("Ready", "integer"), _col("Up-to-date", "integer"),
                  _col("Available", "integer"), _col("Node Selector"), AGE_COL,
                  _col("Containers", priority=1), _col("Images", priority=1),
                  _col("Selector", priority=1)),
    "ControllerRevision": (NAME_COL, _col("Controller"), _col("Revision", "integer"), AGE_COL),
    "Event": (_col("Last Seen"), _col("Type"), _col("Reason"), _col("Object"),
              _col("Subobject", priority=1), _col("Source", priority=1), _col("Message"),
              _col("First Seen", priority=1), _col("Count", priority=1),
              _col("Name", priority=1, fmt="name")),
    "Namespace": (NAME_COL, _col("Status"), AGE_COL),
    "Deployment": (NAME_COL, _col("Ready"), _col("Up-to-date", "integer"),
                   _col("Available", "integer"), AGE_COL, _col("Containers", priority=1),
                   _col("Images", priority=1), _col("Selector", priority=1)),
    "ReplicaSet": (NAME_COL, _col("Desired", "integer"), _col("Current", "integer"),
                   _col("Ready", "integer"), AGE_COL, _col("Containers", priority=1),
                   _col("Images", priority=1), _col("Selector", priority=1)),
    "PriorityClass": (NAME_COL, _col("Value", "integer"), _col("Global-Default", "boolean"),
                      AGE_COL, _col("PreemptionPolicy")),
}
# Kinds without a printer get kubectl's fallback: just NAME and AGE.
DEFAULT_COLUMNS = (NAME_COL, AGE_COL)


def _meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def _created(obj: Obj, now: float) -> str:
    return age(_meta(obj).get("creationTimestamp"), now)


def format_labels(labels: dict[str, str] | None) -> str:
    """labels.FormatLabels: sorted `k=v` joined by commas, `<none>` when empty."""
    if not labels:
        return NONE
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def _containers_cells(containers: Iterable[Obj]) -> tuple[str, str]:
    items = list(containers)
    return (",".join(c.get("name", "") for c in items),
            ",".join(c.get("image", "") for c in items))


# --- nodes -------------------------------------------------------------------

def node_roles(node: Obj) -> list[str]:
    """findNodeRoles: node-role.kubernetes.io/<role> keys plus a kubernetes.io/role value."""
    roles: set[str] = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/"):]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return sorted(roles)


def _node_address(node: Obj, kind: str) -> str:
    for address in (node.get("status") or {}).get("addresses") or []:
        if address.get("type") == kind:
            return str(address.get("address", ""))
    return NONE


def node_cells(node: Obj, now: float) -> list[Cell]:
    status = node.get("status") or {}
    ready = [c for c in status.get("conditions") or [] if c.get("type") == "Ready"]
    # Later duplicates win, as they do in printers.go's condition map.
    states = [("Ready" if ready[-1].get("status") == "True" else "NotReady") if ready
              else "Unknown"]
    if (node.get("spec") or {}).get("unschedulable"):
        states.append("SchedulingDisabled")
    info = status.get("nodeInfo") or {}
    return [_meta(node).get("name", ""), ",".join(states), ",".join(node_roles(node)) or NONE,
            _created(node, now), info.get("kubeletVersion", ""),
            _node_address(node, "InternalIP"), _node_address(node, "ExternalIP"),
            info.get("osImage") or UNKNOWN, info.get("kernelVersion") or UNKNOWN,
            info.get("containerRuntimeVersion") or UNKNOWN]


# --- pods --------------------------------------------------------------------

_PodRow = tuple[Obj, str, list[Cell], float | None, int, float | None]
_POD_ROWS: dict[int, _PodRow] = {}
_POD_ROWS_MAX = 5_000
_POD_ROWS_CEILING = 120_000
_AGE_INDEX, _RESTARTS_INDEX = 4, 3

# Ages repeat across rows (pods of one rollout share their creation second) and across
# commands at one virtual instant: a small memo of human_duration by elapsed seconds.
_duration = lru_cache(maxsize=4096)(human_duration)


def forget_pod_rows() -> None:
    """Drop every remembered pod row (benchmarks time the first render after changes)."""
    _POD_ROWS.clear()
    _LAST_POD_TABLE.clear()


# The last pod table built with a store revision, for the next one at the same revision
# (the same `get pods` again while time passes): when the caller's pods are those very
# objects, in that order, nothing in them has changed since (every change bumps the
# revision), so only the clock's cells (AGE, a restart's "ago") are computed again, once
# per distinct creation second, and the text is reused while those cells stay the same.
# The entry holds its pods, so their ids cannot be reused by other objects meanwhile.
@dataclass(slots=True)
class _PodTable:
    key: tuple[object, ...]  # (revision, width, with_namespace)
    pods: Sequence[Obj]
    ids: list[int]
    rows: list[list[Cell]]
    by_created: dict[float, list[int]]  # creation second -> rows showing its age
    ages: dict[float, Cell]  # the age cell each creation second shows in `rows`
    restarted: list[tuple[int, int, float]]  # (row, restarts, last restart)
    text: dict[tuple[object, ...], str] = field(default_factory=dict)  # by headers
    # The text cut around the clock cells, by headers (None: always format_table).
    grids: dict[tuple[object, ...], SplitGrid | None] = field(default_factory=dict)


_LAST_POD_TABLE: list[_PodTable] = []


def _pod_table(pods: Sequence[Obj], now: float, width: int, with_namespace: bool,
               revision: object) -> tuple[_PodTable, bool]:
    """The remembered table for these pods with its clock cells at `now` (built if it is
    not remembered); True if any cell differs from the last time it was used."""
    key = (revision, width, with_namespace)
    ids = list(map(id, pods))
    if _LAST_POD_TABLE:
        table = _LAST_POD_TABLE[0]
        if table.key == key and table.ids == ids:
            return table, _refresh_clock_cells(table, now, width, with_namespace)
    rows = pod_table_rows(pods, now, width, with_namespace)
    shift = 1 if with_namespace else 0
    by_created: dict[float, list[int]] = {}
    restarted: list[tuple[int, int, float]] = []
    for i, pod in enumerate(pods):
        _, _, _, created, restarts, last_restart = _remembered_row(pod)
        if created is not None and width > _AGE_INDEX:
            by_created.setdefault(created, []).append(i)
        if restarts and last_restart is not None and width > _RESTARTS_INDEX:
            restarted.append((i, restarts, last_restart))
    ages = {created: rows[at[0]][_AGE_INDEX + shift] for created, at in by_created.items()}
    table = _PodTable(key, pods, ids, rows, by_created, ages, restarted)
    _LAST_POD_TABLE[:] = [table]
    return table, True


def _refresh_clock_cells(table: _PodTable, now: float, width: int,
                         with_namespace: bool) -> bool:
    shift = 1 if with_namespace else 0
    rows, changed = table.rows, False
    age_at = _AGE_INDEX + shift
    for created, at in table.by_created.items():
        age = _duration(now - created)
        if age != table.ages[created]:
            table.ages[created] = age
            changed = True
            for i in at:
                rows[i][age_at] = age
    restarts_at = _RESTARTS_INDEX + shift
    for i, restarts, last_restart in table.restarted:
        cell = f"{restarts} ({_duration(now - last_restart)} ago)"
        if rows[i][restarts_at] != cell:
            rows[i][restarts_at] = cell
            changed = True
    if changed:
        table.text.clear()
    return changed


def reserve_pod_rows(count: int) -> None:
    """Let the memo hold a table of `count` pods plus as many replaced ones."""
    global _POD_ROWS_MAX
    _POD_ROWS_MAX = min(max(_POD_ROWS_MAX, 2 * count), _POD_ROWS_CEILING)


def _pod_row(pod: Obj, resource_version: str) -> _PodRow:
    """Everything pod_cells needs that does not depend on the clock."""
    reason, ready, total, restarts, last_restart = pod_status_and_counts(pod)
    meta = _meta(pod)
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    gates_cell = NONE
    if gates:
        conditions = status.get("conditions") or []
        true_count = 0
        for gate in gates:
            found = next((c for c in conditions if c.get("type") == gate.get("conditionType")),
                         None)
            true_count += 1 if found is not None and found.get("status") == "True" else 0
        gates_cell = f"{true_count}/{len(gates)}"
    timestamp = meta.get("creationTimestamp")
    created = parse_rfc3339(timestamp) if timestamp else None
    cells: list[Cell] = [meta.get("name", ""), f"{ready}/{total}", reason, str(restarts),
                         UNKNOWN, (ips[0].get("ip") if ips else "") or NONE,
                         spec.get("nodeName") or NONE, status.get("nominatedNodeName") or NONE,
                         gates_cell]
    return (pod, resource_version, cells, created, restarts, last_restart)


def pod_table_rows(pods: Sequence[Obj], now: float, width: int,
                   with_namespace: bool) -> list[list[Cell]]:
    """pod_cells(pod, now)[:width] for every pod, the namespace first if asked: the same
    cells, in one loop (a 10,000-pod `get -A -o wide` spends most of its time here)."""
    reserve_pod_rows(len(pods))
    rows: list[list[Cell]] = []
    append = rows.append
    memo_get = _POD_ROWS.get
    duration = _duration
    shift = 1 if with_namespace else 0
    age_at = _AGE_INDEX + shift if width > _AGE_INDEX else -1
    restarts_at = _RESTARTS_INDEX + shift if width > _RESTARTS_INDEX else -1
    full = width >= len(COLUMNS["Pod"])
    for pod in pods:
        meta = pod.get("metadata") or {}
        resource_version = meta.get("resourceVersion") or ""
        row = memo_get(id(pod))
        if row is None or row[0] is not pod or row[1] != resource_version or not resource_version:
            row = _remembered_row(pod)
        template = row[2]
        if with_namespace:
            cells = [meta.get("namespace", ""), *(template if full else template[:width])]
        else:
            cells = template.copy() if full else template[:width]
        if row[3] is not None and age_at >= 0:
            cells[age_at] = duration(now - row[3])
        if row[4] and row[5] is not None and restarts_at >= 0:
            cells[restarts_at] = f"{row[4]} ({duration(now - row[5])} ago)"
        append(cells)
    return rows


def _remembered_row(pod: Obj) -> _PodRow:
    resource_version = (pod.get("metadata") or {}).get("resourceVersion") or ""
    row = _POD_ROWS.get(id(pod))
    if row is None or row[0] is not pod or row[1] != resource_version or not resource_version:
        row = _pod_row(pod, resource_version)
        if resource_version:
            if len(_POD_ROWS) >= _POD_ROWS_MAX:
                _POD_ROWS.clear()
            _POD_ROWS[id(pod)] = row
    return row


def pod_cells(pod: Obj, now: float) -> list[Cell]:
    _, _, template, created, restarts, last_restart = _remembered_row(pod)
    cells = template.copy()  # callers may rewrite cells (kind prefixes)
    if created is not None:
        cells[_AGE_INDEX] = _duration(now - created)
    if restarts and last_restart is not None:
        cells[_RESTARTS_INDEX] = f"{restarts} ({_duration(now - last_restart)} ago)"
    return cells


# --- workloads ---------------------------------------------------------------

def daemonset_cells(ds: Obj, now: float) -> list[Cell]:
    spec = ds.get("spec") or {}
    status = ds.get("status") or {}
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names, images = _containers_cells(pod_spec.get("containers") or [])
    return [_meta(ds).get("name", ""), status.get("desiredNumberScheduled", 0),
            status.get("currentNumberScheduled", 0), status.get("numberReady", 0),
            status.get("updatedNumberScheduled", 0), status.get("numberAvailable", 0),
            format_labels(pod_spec.get("nodeSelector")), _created(ds, now), names, images,
            format_label_selector(spec.get("selector"))]


def deployment_cells(deploy: Obj, now: float) -> list[Cell]:
    spec = deploy.get("spec") or {}
    status = deploy.get("status") or {}
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names, images = _containers_cells(pod_spec.get("containers") or [])
    selector = format_label_selector(spec.get("selector"))
    # printDeployment uses the raw selector string: empty, not <none>.
    selector = "" if selector == NONE else ("<invalid>" if selector == "<error>" else selector)
    return [_meta(deploy).get("name", ""),
            f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0),
            _created(deploy, now), names, images, selector]


def replicaset_cells(rs: Obj, now: float) -> list[Cell]:
    """printReplicaSet: desired from the spec, current and ready from the status; the
    selector through metav1.FormatLabelSelector (so `<none>` when empty)."""
    spec = rs.get("spec") or {}
    status = rs.get("status") or {}
    pod_spec = (spec.get("template") or {}).get("spec") or {}
    names, images = _containers_cells(pod_spec.get("containers") or [])
    return [_meta(rs).get("name", ""), spec.get("replicas", 1), status.get("replicas", 0),
            status.get("readyReplicas", 0), _created(rs, now), names, images,
            format_label_selector(spec.get("selector"))]


def controller_of(obj: Obj) -> Obj | None:
    return next((ref for ref in _meta(obj).get("ownerReferences") or []
                 if ref.get("controller")), None)


def controllerrevision_cells(cr: Obj, now: float) -> list[Cell]:
    ref = controller_of(cr)
    controller = NONE
    if ref is not None:
        # formatResourceName: lower-case Kind.group (just Kind for the core group).
        api_version = ref.get("apiVersion", "")
        group = api_version.split("/")[0] if "/" in api_version else ""
        group_kind = f"{ref.get('kind', '')}.{group}" if group else ref.get("kind", "")
        name = ref.get("name", "")
        controller = f"{group_kind.lower()}/{name}" if group_kind else name
    return [_meta(cr).get("name", ""), controller, cr.get("revision", 0), _created(cr, now)]


def namespace_cells(ns: Obj, now: float) -> list[Cell]:
    return [_meta(ns).get("name", ""), (ns.get("status") or {}).get("phase", ""),
            _created(ns, now)]


# --- events ------------------------------------------------------------------

def event_source(event: Obj) -> str:
    """formatEventSource: component (or reportingController), then `, host`."""
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingController") or ""
    host = source.get("host") or event.get("reportingInstance") or ""
    return f"{component}, {host}" if host else component


def event_cells(event: Obj, now: float) -> list[Cell]:
    first_seen = age(event.get("firstTimestamp"), now)
    if not event.get("firstTimestamp"):
        first_seen = age(event.get("eventTime"), now)
    last_seen = age(event.get("lastTimestamp"), now) if event.get("lastTimestamp") else first_seen
    count = event.get("count") or 0
    series = event.get("series")
    if series is not None:
        last_seen = age(series.get("lastObservedTime"), now)
        count = series.get("count", 0)
    elif count == 0:
        count = 1
    involved = event.get("involvedObject") or {}
    target = involved.get("kind", "").lower()
    if involved.get("name"):
        target = f"{target}/{involved['name']}"
    return [last_seen, event.get("type", ""), event.get("reason", ""), target,
            involved.get("fieldPath", ""), event_source(event),
            (event.get("message") or "").strip(), first_seen, count, _meta(event).get("name", "")]


def priorityclass_cells(pc: Obj, now: float) -> list[Cell]:
    # printPriorityClass; a boolean cell reaches kubectl as JSON true/false.
    return [_meta(pc).get("name", ""), int(pc.get("value") or 0),
            "true" if pc.get("globalDefault") else "false", _created(pc, now),
            str(pc.get("preemptionPolicy") or "")]


def default_cells(obj: Obj, now: float) -> list[Cell]:
    return [_meta(obj).get("name", ""), _created(obj, now)]


CELLS: dict[str, Callable[[Obj, float], list[Cell]]] = {
    "Node": node_cells, "Pod": pod_cells, "DaemonSet": daemonset_cells,
    "ControllerRevision": controllerrevision_cells, "Event": event_cells,
    "Namespace": namespace_cells, "Deployment": deployment_cells,
    "ReplicaSet": replicaset_cells,
    "PriorityClass": priorityclass_cells,
}


def columns_for(kind: str) -> tuple[Column, ...]:
    return COLUMNS.get(kind, DEFAULT_COLUMNS)


def row_cells(kind: str, obj: Obj, now: float) -> list[Cell]:
    """Every cell of one row, wide columns included (the server always sends them)."""
    return CELLS.get(kind, default_cells)(obj, now)


def build_table(kind: str, objects: Sequence[Obj], now: float, *,
                include_object: str = "Metadata") -> dict[str, Any]:
    """The metav1.Table the API server returns for a Table Accept header.

    include_object "Metadata" embeds PartialObjectMetadata (kubectl's default),
    "Object" the full object (for --sort-by), "None" nothing.
    """
    rows = []
    if kind == "Pod":
        reserve_pod_rows(len(objects))
    for obj in objects:
        row: dict[str, Any] = {"cells": row_cells(kind, obj, now)}
        if include_object == "Object":
            row["object"] = obj
        elif include_object == "Metadata":
            row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                             "metadata": _meta(obj)}
        rows.append(row)
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {},
            "columnDefinitions": [c.as_dict() for c in columns_for(kind)], "rows": rows}


def kind_prefix(kind: str, api_version: str = "") -> str:
    """`daemonset.apps`, `pod`: lower-case Kind.group, as kubectl prefixes names."""
    if kind in KINDS:
        return KINDS[kind].singular_display
    group = api_version.split("/")[0] if "/" in api_version else ""
    return f"{kind}.{group}".lower() if group else kind.lower()


def label_column_header(key: str) -> str:
    """-L header: the part after the last '/', upper-cased."""
    return key.rsplit("/", 1)[-1].upper()


def table_for(kind: str, objects: Sequence[Obj], now: float, *, wide: bool = False,
              all_namespaces: bool = False, show_labels: bool = False,
              label_columns: Sequence[str] = (), with_kind_prefix: bool = False,
              no_headers: bool = False, revision: object = None) -> str:
    """`kubectl get` for one kind; "" when there is nothing to print.

    `revision` is the store's revision the objects were read at (None: unknown): a pod
    table read again at the same revision reuses what it can of the last one.

    Several kinds print one table each: join non-empty results with a blank line
    (none with --no-headers), as kubectl does for `get ds,pods`.
    """
    columns = columns_for(kind)
    visible = [i for i, c in enumerate(columns) if wide or c.priority == 0]
    name_index = next((i for i, c in enumerate(columns) if c.format == "name"), None)
    namespaced = KINDS[kind].namespaced if kind in KINDS else True
    with_namespace = all_namespaces and namespaced
    headers = [columns[i].name.upper() for i in visible]
    if with_namespace:
        headers.insert(0, "NAMESPACE")
    headers += [label_column_header(k) for k in label_columns]
    if show_labels:
        headers.append("LABELS")
    cells_of = CELLS.get(kind, default_cells)
    if kind == "Pod":
        reserve_pod_rows(len(objects))
    if not with_kind_prefix:
        name_index = None
    if kind == "Pod" and name_index is None and not (label_columns or show_labels) and \
            visible == list(range(len(visible))):
        if revision is None:
            return format_table(headers, pod_table_rows(objects, now, len(visible),
                                                        with_namespace), no_headers=no_headers)
        table, _ = _pod_table(objects, now, len(visible), with_namespace, revision)
        text_key = (tuple(headers), no_headers)
        text = table.text.get(text_key)
        if text is None:
            if text_key not in table.grids:  # first rendering: cut around the clock cells
                shift = 1 if with_namespace else 0
                table.grids[text_key], text = split_grid(
                    headers, table.rows, no_headers, _RESTARTS_INDEX + shift,
                    min(_AGE_INDEX + shift, len(headers) - 1))
            else:
                grid = table.grids[text_key]
                text = (format_table(headers, table.rows, no_headers=no_headers)
                        if grid is None else render_split(grid, headers, table.rows))
            table.text[text_key] = text
        return text
    if name_index is None and not (with_namespace or label_columns or show_labels):
        # The usual `get`: the visible cells as the printer made them; format_table
        # str()s the integer ones.
        if len(visible) == len(columns):
            return format_table(headers, [cells_of(obj, now) for obj in objects],
                                no_headers=no_headers)
        if visible == list(range(len(visible))):
            width = len(visible)
            return format_table(headers, [cells_of(obj, now)[:width] for obj in objects],
                                no_headers=no_headers)
    if name_index is None and with_namespace and not (label_columns or show_labels) and \
            visible == list(range(len(visible))):
        # `get -A` (-o wide or not): the namespace, then the printer's leading cells.
        width = len(visible)
        return format_table(headers, [[(obj.get("metadata") or {}).get("namespace", ""),
                                       *cells_of(obj, now)[:width]] for obj in objects],
                            no_headers=no_headers)
    rows: list[list[Cell]] = []
    for obj in objects:
        cells = cells_of(obj, now)
        if name_index is not None:
            prefix = kind_prefix(kind, obj.get("apiVersion", ""))
            cells[name_index] = f"{prefix}/{cells[name_index]}"
        row = [cells[i] for i in visible]
        labels = _meta(obj).get("labels") or {}
        if with_namespace:
            row.insert(0, _meta(obj).get("namespace", ""))
        row += [labels.get(k, "") for k in label_columns]
        if show_labels:
            row.append(format_labels(labels))
        rows.append(row)
    return format_table(headers, rows, no_headers=no_headers)
