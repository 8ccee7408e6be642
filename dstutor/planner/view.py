"""A plan as people and programs read it: a Rich picture (also plain text), JSON and SVG.

Pure: each function returns a value; the front end and the shell print or write it.
Names from the manifest are shown through textsafe.visible_line.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from dstutor.model.timefmt import days_duration
from dstutor.planner.plan import Plan
from dstutor.planner.rollout import COMPLETE, COMPLETE_EXCEPT_FAILED, STUCK, Result
from dstutor.render.richtext import plain_text
from dstutor.textsafe import visible_line

BAR_WIDTH = 32
OUTCOME_STYLES = {COMPLETE: "green", COMPLETE_EXCEPT_FAILED: "yellow", STUCK: "red"}
CHART_MARKS = {STUCK: "stuck", COMPLETE_EXCEPT_FAILED: "(failed nodes wait)"}
JSON_FORMAT = 1


def duration_text(seconds: float | None) -> str:
    """17h46m40s, 5m20s, 42s, 1d2h3m: exact to the second, as a plan needs."""
    return "-" if seconds is None else days_duration(seconds)


def _ok(result: Result) -> bool:
    return result.outcome in (COMPLETE, COMPLETE_EXCEPT_FAILED)


def trade_off(result: Result, results: list[Result]) -> str:
    """Time against nodes without the daemon, compared with the other strategies."""
    if result.outcome == STUCK:
        return (f"stuck with "
                f"{result.finished} of {result.desired} nodes done")
    if not _ok(result):
        return f"not finished after {duration_text(result.duration)}"
    done = [r.duration for r in results if _ok(r)]
    fastest = min(done) if done else result.duration
    if result.duration <= fastest:
        speed = "fastest"
    else:
        speed = f"{result.duration / fastest:.1f}× slower" if fastest else "slower"
    if result.peak_unavailable == 0:
        two = result.budget.split()[-1]
        cover = (f"never a node without the daemon; {two} at a time run two pods"
                 if result.budget.startswith("maxSurge") else "never a node without the daemon")
    else:
        nodes = "node" if result.peak_unavailable == 1 else "nodes"
        cover = f"{result.peak_unavailable} {nodes} without the daemon"
    return f"{speed}; {cover}"


def headline(plan: Plan) -> str:
    fleet = plan.fleet
    old = ", ".join(fleet.old_images) or "?"
    new = ", ".join(fleet.new_images) or "?"
    return visible_line(f"Rollout of daemonset {fleet.namespace}/{fleet.name}: {old} → {new}")


def fleet_line(plan: Plan) -> str:
    fleet, inputs = plan.fleet, plan.inputs
    where = (f"{fleet.node_count} nodes from the cluster file" if inputs.nodes is None
             else f"{fleet.node_count} generated nodes")
    parts = [f"{where} ({len(fleet.nodes)} run the daemon)",
             f"image pull {duration_text(fleet.timing.get('imagePullSeconds', 0))}",
             f"ready after {duration_text(inputs.ready_after or 0)}",
             f"minReadySeconds {plan.min_ready}"]
    if inputs.fail:
        parts.append(f"{len(plan.failures)} node failures ({inputs.fail * 100:g}%) "
                     f"drawn with --seed {inputs.seed}")
    if fleet.old_from_cluster:
        parts.append("old version: the cluster file's")
    return " · ".join(parts)


def _bar(value: float, total: float, width: int = BAR_WIDTH) -> str:
    if total <= 0:
        return ""
    filled = max(1, round(width * value / total)) if value > 0 else 0
    return "█" * filled + "░" * (width - filled)


def _pods_updated(count: int) -> str:
    return f"({count} pod updated)" if count == 1 else f"({count} pods updated)"


def _updated_at(result: Result, t: float) -> int:
    updated = 0
    for point in result.points:
        if point.t > t:
            break
        updated = point.updated
    return updated


def picture(plan: Plan) -> RenderableType:
    """The table of strategies, a chart of their times, the manifest's own timeline, and
    why any rollout stopped."""
    parts: list[RenderableType] = [Text(headline(plan), style="bold"),
                                   Text(visible_line(fleet_line(plan)), style="dim"), Text("")]
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column in ("strategy", "time", "max down", "outcome", "trade-off"):
        table.add_column(column, no_wrap=column != "trade-off",
                         justify="right" if column in ("time", "max down")
                         else "left")
    for r in plan.results:
        table.add_row(visible_line(r.strategy.label), duration_text(r.duration),
                      str(r.peak_unavailable),
                      Text(r.outcome, style=OUTCOME_STYLES.get(r.outcome, "yellow")),
                      trade_off(r, plan.results))
    parts += [table, Text("max down: the most nodes without an available daemon pod at once "
                          "(numberUnavailable)", style="dim"),
              Text(""), Text("Time to finish, to scale:", style="bold")]
    longest = max((r.duration for r in plan.results), default=0.0)
    chart = Table.grid(padding=(0, 1))
    chart.add_column(no_wrap=True)
    chart.add_column(no_wrap=True)
    chart.add_column(no_wrap=True, justify="right")
    chart.add_column(no_wrap=True)
    for r in plan.results:
        chart.add_row(visible_line(r.strategy.label),
                      Text(_bar(r.duration, longest),
                           style=OUTCOME_STYLES.get(r.outcome, "yellow")),
                      duration_text(r.duration), CHART_MARKS.get(r.outcome, ""))
    parts.append(chart)
    own = plan.results[0]
    parts += [Text(""), Text(f"Timeline of {visible_line(own.strategy.label)}: when each "
                             "tenth of the nodes had the new version available", style="bold")]
    timeline = Table.grid(padding=(0, 1))
    for _ in range(4):
        timeline.add_column(no_wrap=True)
    timeline.columns[0].justify = "right"
    for i, t in enumerate(own.tenths):
        share = f"{(i + 1) * 10}%"
        if t is None:
            timeline.add_row(share, "-", "", Text("not reached", style="red"))
            continue
        timeline.add_row(share, Text(_bar(t, own.duration or t, 30), style="green"),
                         duration_text(t), _pods_updated(_updated_at(own, t)))
    parts.append(timeline)
    for r in plan.results:
        if r.outcome == COMPLETE and not r.failed:
            continue
        parts += [Text(""), Text(f"{visible_line(r.strategy.label)}: {r.outcome} after "
                                 f"{duration_text(r.duration)}",
                                 style=OUTCOME_STYLES.get(r.outcome, "yellow"))]
        parts.append(Text(f"  rollout status: {visible_line(r.status_line)}"))
        parts += [Text(f"  why: {visible_line(line)}") for line in r.why]
        if r.failed:
            shown = ", ".join(f"{n} at {duration_text(t)}" for n, t in r.failed[:5])
            more = f" and {len(r.failed) - 5} more" if len(r.failed) > 5 else ""
            parts.append(Text(visible_line(f"  failed nodes: {shown}{more}")))
    parts += [Text(visible_line(f"note: {n}"), style="yellow") for n in plan.notes]
    return Group(*parts)


def render_text(pic: RenderableType, *, width: int = 100) -> str:
    """The picture as plain text (no colour codes), for pipes, scripts and golden files."""
    return plain_text(pic, width=width)


def to_json(plan: Plan) -> dict[str, Any]:
    """Machine-readable: every number the picture shows, and each timeline in full."""
    fleet, inputs = plan.fleet, plan.inputs
    return {
        "format": JSON_FORMAT,
        "daemonset": {"namespace": fleet.namespace, "name": fleet.name},
        "fleet": {"source": "generated" if inputs.nodes is not None else "cluster file",
                  "nodes": fleet.node_count, "daemonNodes": len(fleet.nodes)},
        "images": {"old": list(fleet.old_images), "new": list(fleet.new_images),
                   "oldFromCluster": fleet.old_from_cluster},
        "timing": {"imagePullSeconds": fleet.timing.get("imagePullSeconds", 0),
                   "readyAfterSeconds": inputs.ready_after or 0,
                   "minReadySeconds": plan.min_ready},
        "seed": inputs.seed,
        "failShare": inputs.fail,
        "failures": [{"node": f.node, "atShare": f.at_share} for f in plan.failures],
        "strategies": [{
            "label": r.strategy.label, "own": r.strategy.own,
            "updateStrategy": r.strategy.update_strategy,
            "outcome": r.outcome, "durationSeconds": r.duration, "desired": r.desired,
            "finished": r.finished, "peakUnavailable": r.peak_unavailable,
            "budget": r.budget, "tenthsSeconds": r.tenths,
            "failed": [{"node": n, "atSeconds": t} for n, t in r.failed],
            "rolloutStatus": r.status_line, "why": r.why,
            "tradeOff": trade_off(r, plan.results),
            # [seconds since the new template was applied, updated, finished, unavailable]
            "timeline": [[p.t, p.updated, p.finished, p.unavailable] for p in r.points],
        } for r in plan.results],
        "notes": plan.notes,
    }


# --- SVG: one small panel per strategy, each on its own time axis ------------------------

_PANEL_W, _PANEL_H, _LEFT, _TOP, _GAP = 640, 110, 60, 40, 46


def _polyline(points: list[tuple[float, float]], colour: str) -> str:
    # Thousands of steps (maxUnavailable 1 on a big fleet) share a pixel column: keep each
    # column's first, highest, lowest and last point, so the file stays small and no
    # spike is lost.
    kept: list[tuple[float, float]] = []
    column: list[tuple[float, float]] = []

    def flush() -> None:
        if not column:
            return
        chosen = [column[0], min(column, key=lambda p: p[1]), max(column, key=lambda p: p[1]),
                  column[-1]]
        for point in chosen:
            if not kept or kept[-1] != point:
                kept.append(point)
        column.clear()

    for point in points:
        if column and round(column[0][0]) != round(point[0]):
            flush()
        column.append(point)
    flush()
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in kept)
    return f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}"/>'


def svg(plan: Plan) -> str:
    """A plot per strategy: nodes finished (green), pods updated (blue) and nodes without
    the daemon (red) over time. Hand-written SVG: no plotting library needed."""
    rows = len(plan.results)
    height = _TOP + rows * (_PANEL_H + _GAP) + 10
    width = _LEFT + _PANEL_W + 30
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="monospace" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="10" y="20" font-weight="bold">{escape(headline(plan))}</text>']
    for i, r in enumerate(plan.results):
        top = _TOP + i * (_PANEL_H + _GAP) + 16
        span = r.duration or 1.0
        desired = max(r.desired, 1)

        def x(t: float, span: float = span) -> float:
            return _LEFT + _PANEL_W * min(t, span) / span

        def y(n: float, top: float = top, desired: int = desired) -> float:
            return top + _PANEL_H - _PANEL_H * min(n, desired) / desired

        label = f"{r.strategy.label}: {r.outcome}, {duration_text(r.duration)}"
        out.append(f'<text x="{_LEFT}" y="{top - 6}">{escape(visible_line(label))}</text>')
        out.append(f'<rect x="{_LEFT}" y="{top}" width="{_PANEL_W}" height="{_PANEL_H}" '
                   'fill="none" stroke="#999"/>')
        out.append(f'<text x="{_LEFT - 6}" y="{top + 10}" text-anchor="end">{desired}</text>')
        out.append(f'<text x="{_LEFT - 6}" y="{top + _PANEL_H}" text-anchor="end">0</text>')
        out.append(f'<text x="{_LEFT + _PANEL_W}" y="{top + _PANEL_H + 14}" '
                   f'text-anchor="end">{duration_text(r.duration)}</text>')
        for attr, colour in (("updated", "#1f77b4"), ("finished", "#2ca02c"),
                             ("unavailable", "#d62728")):
            steps: list[tuple[float, float]] = []
            for p in r.points:
                if p.t > span:
                    break
                value = getattr(p, attr)
                if steps:
                    steps.append((x(p.t), steps[-1][1]))  # a step, not a slope
                steps.append((x(p.t), y(value)))
            if steps:
                steps.append((x(span), steps[-1][1]))
                out.append(_polyline(steps, colour))
    legend_y = height - 8
    out.append(f'<text x="{_LEFT}" y="{legend_y}"><tspan fill="#2ca02c">finished</tspan> '
               '<tspan fill="#1f77b4">updated</tspan> '
               '<tspan fill="#d62728">without the daemon</tspan></text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
