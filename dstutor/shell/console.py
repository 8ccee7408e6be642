"""The one place that knows Rich: tutor-message colours, the `map` picture, text and SVG.

kubectl output never passes through here, so it stays byte-for-byte plain.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import IO, Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TaskID, TextColumn
from rich.table import Table
from rich.text import Text

from dstutor.model.objects import Obj
from dstutor.render.richtext import plain_text
from dstutor.shell.durations import clock_of
from dstutor.shell.nodemap import NodeView, PodView
from dstutor.textsafe import visible, visible_line

HINT_STYLE = "cyan"
NOTICE_STYLE = "yellow"
ERROR_STYLE = "red"
STATUS_STYLES = {"Running": "green", "Completed": "green", "Terminating": "magenta",
                 "Pending": "yellow", "ContainerCreating": "yellow"}
BAD_STATUSES = ("Err", "BackOff", "Error", "Failed", "OOMKilled", "Unknown", "Evicted")
ALIKE_NAMES_SHOWN = 3  # names of the other nodes alike a panel lists before a count


def colour_enabled(no_color: bool = False) -> bool:
    """--no-color and the NO_COLOR convention (any non-empty value) both turn colour off."""
    return not no_color and not os.environ.get("NO_COLOR")


def make_console(file: IO[str] | None = None, *, no_color: bool = False,
                 width: int | None = None, soft_wrap: bool = False) -> Console:
    """Every Rich console dstutor prints through is made here (colour rules in one place)."""
    return Console(file=file or sys.stdout, no_color=not colour_enabled(no_color),
                   color_system=None if not colour_enabled(no_color) else "auto",
                   highlight=False, emoji=False, soft_wrap=soft_wrap, width=width)


def tutor(console: Console, text: str, *, style: str = HINT_STYLE) -> None:
    """A tutor message (hint, notice): the only text the shell colours.

    A hint may quote the learner's line or an object's name: shown visibly (a Text is
    never read as markup)."""
    console.print(Text(visible(text), style=style), soft_wrap=True)


# --- the map ---------------------------------------------------------------------------

def _status_style(status: str) -> str:
    if status in STATUS_STYLES:
        return STATUS_STYLES[status]
    return "red" if any(bad in status for bad in BAD_STATUSES) else "yellow"


def _title(view: NodeView, others: int = 0) -> Text:
    title = Text(f"{visible_line(view.name)} ", style="bold")
    if others:
        title.append(f"and {others:,} alike ", style="bold")
    tags: list[tuple[str, str]] = []
    if view.roles:
        tags.append((visible_line(",".join(view.roles)), "blue"))
    if not view.kubelet_up:
        tags.append(("NotReady, kubelet down" if not view.ready else "kubelet down", "red"))
    else:
        tags.append(("Ready", "green") if view.ready else ("NotReady", "red"))
    if view.cordoned:
        tags.append(("cordoned", "yellow"))
    for i, (tag, style) in enumerate(tags):
        title.append("· " if i == 0 else " · ", style="dim")
        title.append(tag, style=style)
    return title


def _revision(pod: PodView) -> Text:
    if not pod.revision:
        return Text("")
    number = f"rev {pod.revision_number} " if pod.revision_number is not None else ""
    text = Text(visible_line(f"{number}{pod.revision[:10]}"))
    if not pod.current:
        text.append(" old", style="yellow")
    return text


def _pod_table(pods: Sequence[PodView], widths: tuple[int, int, int]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True)  # marker
    # Same minimum widths in every panel, so the columns line up down the whole map.
    for width in widths:
        table.add_column(no_wrap=True, overflow="ellipsis", min_width=width)
    table.add_column(no_wrap=True, overflow="ellipsis")  # revision
    for pod in pods:
        style = _status_style(pod.status)
        marker = "○" if pod.terminating or pod.status != "Running" else "●"
        table.add_row(Text(marker, style=style), Text(visible_line(pod.name)),
                      Text(visible_line(_owner(pod)), style="blue"),
                      Text(visible_line(pod.status), style=style), _revision(pod))
    return table


def _owner(pod: PodView) -> str:
    return pod.owner if pod.owner else "(no DaemonSet)"


def _alike_line(others: Sequence[str]) -> Text:
    """The other nodes of a panel drawn once for all of them: a few names, then a count."""
    shown = others if len(others) <= ALIKE_NAMES_SHOWN + 1 else others[:ALIKE_NAMES_SHOWN]
    line = Text("alike  ", style="dim")
    line.append(visible_line(", ".join(shown)))
    if len(shown) < len(others):
        line.append(f" and {len(others) - len(shown):,} more", style="dim")
    return line


def _node_panel(view: NodeView, widths: tuple[int, int, int],
                others: Sequence[str] = ()) -> Panel:
    body: list[RenderableType] = []
    if others:
        body.append(_alike_line(others))
    if view.taints:
        line = Text("taints ", style="dim")
        line.append(visible_line(", ".join(view.taints)), style="magenta")
        body.append(line)
    if view.labels:
        line = Text("labels ", style="dim")
        line.append(visible_line(", ".join(view.labels)))
        body.append(line)
    if view.pods:
        body.append(_pod_table(view.pods, widths))
    else:
        body.append(Text("no pods", style="dim"))
    return Panel(Group(*body), title=_title(view, len(others)), title_align="left", expand=True,
                 padding=(0, 1))


def map_picture(views: Sequence[NodeView], now: float, unplaced: Sequence[PodView] = (),
                groups: Sequence[tuple[NodeView, Sequence[str]]] | None = None
                ) -> RenderableType:
    """One panel per node, under a line with the virtual time and the counts; with
    `groups` (nodemap.alike), one panel per group: its first node's, naming the others."""
    pods = sum(len(v.pods) for v in views) + len(unplaced)
    ready = sum(1 for v in views if v.ready and v.kubelet_up)
    head = Text(f"virtual time {clock_of(now)} · {len(views)} nodes "
                f"({ready} Ready) · {pods} pods", style="bold")
    if not views:
        return Group(head, Text("no nodes: `node add NAME` lets a machine join", style="dim"))
    legend = Text("● Running   ○ not running yet, failing or terminating   "
                  "old = an older revision", style="dim")
    if groups is None:
        groups = [(v, ()) for v in views]
    every = [p for v, _ in groups for p in v.pods] + list(unplaced)
    widths = (max((len(p.name) for p in every), default=0),
              max((len(_owner(p)) for p in every), default=0),
              max((len(p.status) for p in every), default=0))
    panels: list[RenderableType] = [_node_panel(v, widths, others) for v, others in groups]
    if len(groups) < len(views):
        panels_text = "1 panel" if len(groups) == 1 else f"{len(groups):,} panels"
        panels.insert(0, Text(f"{len(views):,} nodes in {panels_text}: nodes alike (state, "
                              "taints, labels, pods) share one; `map --all` draws each",
                              style="dim"))
    if unplaced:
        panels.append(Panel(_pod_table(unplaced, widths), expand=True, padding=(0, 1),
                            title=Text("on no node yet", style="bold yellow"),
                            title_align="left"))
    return Group(head, *panels, legend)


def render_text(picture: RenderableType, *, width: int = 80) -> str:
    """The picture as plain text (no colour codes), for script mode and golden files."""
    return plain_text(picture, width=width)


def svg_text(picture: RenderableType, *, width: int = 100) -> str:
    console = Console(file=io.StringIO(), width=width, record=True, force_terminal=True,
                      color_system="truecolor", highlight=False, emoji=False,
                      legacy_windows=False)
    console.print(picture)
    return console.export_svg(title="dstutor map")


def write_svg(picture: RenderableType, path: str, *, width: int = 100) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(svg_text(picture, width=width))


# --- rollout status at the prompt ------------------------------------------------------
# A bar of updated and available pods while `rollout status` waits (interactive REPL
# only; kubectl's own lines are printed unchanged when the command ends). With the live
# clock each step waits for wall time to catch up, as a real rollout would, a few
# seconds at most per step so an image backoff cannot hang the prompt; Ctrl-C stops it.

ROLLOUT_MAX_WAIT_SECONDS = 3.0


class RolloutProgress:
    def __init__(self, console: Console, session: Any,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.console = console
        self.session = session
        self.sleep = sleep
        self._bar: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self.updates = 0

    def __call__(self, ds: Obj) -> None:
        status = ds.get("status") or {}
        desired = int(status.get("desiredNumberScheduled", 0))
        counts = {"updated": int(status.get("updatedNumberScheduled", 0)),
                  "available": int(status.get("numberAvailable", 0))}
        if self._bar is None:
            # The name is a task field, never part of the format string or markup.
            name = visible_line(str(ds["metadata"]["name"]))
            self._bar = Progress(TextColumn("{task.fields[ds]} {task.description:>9}",
                                            markup=False),
                                 BarColumn(), TextColumn("{task.completed}/{task.total}"),
                                 console=self.console, transient=True)
            self._bar.start()
            self._tasks = {what: self._bar.add_task(what, total=desired, ds=name)
                           for what in counts}
        for name, value in counts.items():
            self._bar.update(self._tasks[name], completed=value, total=desired)
        self.updates += 1
        self._pace()

    def _pace(self) -> None:
        cluster = self.session.cluster
        clock = cluster.clock
        if clock.mode != "live":
            return
        nxt = cluster.next_change()
        if nxt is None:
            return
        wait = min((nxt - clock.target()) / max(clock.speed, 1e-6), ROLLOUT_MAX_WAIT_SECONDS)
        if wait > 0:
            self.sleep(wait)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        self._bar = None
        self._tasks = {}

