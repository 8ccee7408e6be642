"""`kubectl events`: the newer event listing (--for, --types, -w), as kubectl 1.37 prints it."""

from __future__ import annotations

from dstutor.kubectl.commands._base import Env, OutputBuffer, flag_bool, flag_list, namespace_of
from dstutor.kubectl.commands._follow import can_follow, follow
from dstutor.kubectl.commands._printing import format_objects
from dstutor.kubectl.commands._select import selecting
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.kubectl.resources import FieldRequirement
from dstutor.model.objects import Obj, clone
from dstutor.model.timefmt import parse_rfc3339
from dstutor.render.humanize import age
from dstutor.render.table import tabwrite

# printers.GetNewTabWriter: minwidth 6, padding 3.
MIN_WIDTH, PADDING = 6, 3
WATCH_WINDOW_SECONDS = 60.0


def _stamp(event: Obj) -> float:
    text = event.get("lastTimestamp") or event.get("eventTime") or event.get("firstTimestamp")
    return parse_rfc3339(text) if text else float("-inf")


def interval(event: Obj, now: float) -> str:
    """getInterval: `5m`, or `2m (x3 over 10m)` for repeated events."""
    first = age(event.get("eventTime") or event.get("firstTimestamp"), now)
    series = event.get("series")
    if series is not None:
        return f"{age(series.get('lastObservedTime'), now)} (x{series.get('count', 0)} over {first})"
    if (event.get("count") or 0) > 1:
        return f"{age(event.get('lastTimestamp'), now)} (x{event['count']} over {first})"
    return first


def _selected(env: Env, cmd: KubectlCommand) -> list[Obj]:
    ns = None if cmd.all_namespaces else namespace_of(env, cmd)
    types = {t.lower() for t in flag_list(cmd, "types")}
    target = cmd.targets[0] if cmd.targets else None
    env.cluster.settle()
    if target is None:
        # Read, not kept: Events still kept as records are made dicts for this output
        # only (Store.events_as_read), as `get events` reads them.
        events = env.cluster.store.events_as_read(ns)
    else:
        # --for is the server's field selector on the involved object: a recorded Event
        # is judged as it is kept, and built only if it is about the target.
        about = selecting(None, (FieldRequirement("involvedObject.kind", target.type.kind),
                                 FieldRequirement("involvedObject.name", target.name or "")))
        events = env.cluster.store.list_events_where(ns, *about)
    chosen = []
    for event in events:
        if types and str(event.get("type", "")).lower() not in types:
            continue
        chosen.append(event)
    return sorted(chosen, key=lambda e: (_stamp(e), e["metadata"]["name"]))


def _row(cmd: KubectlCommand, event: Obj, now: float) -> str:
    involved = event.get("involvedObject") or {}
    cells = [interval(event, now), str(event.get("type", "")), str(event.get("reason", "")),
             f"{involved.get('kind', '')}/{involved.get('name', '')}",
             str(event.get("message", "")).strip()]
    if cmd.all_namespaces:
        cells.insert(0, str(event["metadata"].get("namespace", "")))
    return "\t".join(cells)


def _header(cmd: KubectlCommand) -> str:
    return ("NAMESPACE\t" if cmd.all_namespaces else "") + "LAST SEEN\tTYPE\tREASON\tOBJECT\tMESSAGE"


@handles("events")
def run_events(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    events = _selected(env, cmd)
    now = env.cluster.now()
    if cmd.output:
        out.write(format_objects([clone(e) for e in events], cmd.output, cmd.output_arg,
                                 single=False))
    elif events:
        rows = [_row(cmd, e, now) for e in events]
        if not flag_bool(cmd, "no-headers"):
            rows.insert(0, _header(cmd))
        out.write(tabwrite("\n".join(rows), min_width=MIN_WIDTH, padding=PADDING) + "\n")
    elif not flag_bool(cmd, "watch"):
        ns = namespace_of(env, cmd)
        out.err("No events found." if cmd.all_namespaces else f"No events found in {ns} "
                "namespace.")
    if flag_bool(cmd, "watch"):
        _watch(env, cmd, out, events)


def _watch(env: Env, cmd: KubectlCommand, out: OutputBuffer, seen_list: list[Obj]) -> None:
    """New and repeated events as rows: streamed on a live clock, else up to quiet time."""
    seen = {(e["metadata"]["name"], e["metadata"].get("resourceVersion")) for e in seen_list}
    header = not seen_list and not flag_bool(cmd, "no-headers")

    def fresh(now: float) -> str:
        nonlocal header
        rows = []
        for event in _selected(env, cmd):
            key = (event["metadata"]["name"], event["metadata"].get("resourceVersion"))
            if key not in seen:
                seen.add(key)
                rows.append(_row(cmd, event, now))
        if not rows:
            return ""
        if header:
            rows.insert(0, _header(cmd))
            header = False
        return tabwrite("\n".join(rows), min_width=MIN_WIDTH, padding=PADDING) + "\n"

    if can_follow(env):
        follow(env, lambda _start, end: fresh(end))
        return
    cluster = env.cluster
    deadline = cluster.now() + WATCH_WINDOW_SECONDS
    while True:
        nxt = cluster.next_change()
        if nxt is None or nxt > deadline:
            break
        cluster.advance(max(0.0, nxt - cluster.now()))
        text = fresh(cluster.now())
        if text:
            out.write(text)
            deadline = cluster.now() + WATCH_WINDOW_SECONDS
