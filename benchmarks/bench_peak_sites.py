"""bench_engine.py --peak-sites N: where the settle's traced memory peaks, and what is
live then (kept apart from bench_engine.py, and imported only when asked: its code and
tracemalloc's, which brings pickle, would add 1.5 MB to the resident memory that every
other run of the benchmark measures).

The settle runs twice under tracemalloc: the first run notes the work item (handler call)
after which the traced memory is highest, the second (the settle is deterministic) takes
a snapshot right after that item. A first, untraced settle of the same cluster comes
before both, so that the process-wide memos (selectors, templates, shapes) are filled
before either traced run, not by the first alone. Printed: the N allocation sites holding the most then,
and those holding more then than the settled cluster does (what is live only at the peak).
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable, Hashable

from bench_engine import daemonset, settled_cluster

from dstutor.sim.cluster import Cluster


class PeakFinder:
    """--peak-sites: counts the work items of a settle (each handler call), notes after
    which one the traced memory was highest, and takes a snapshot after item `at` (a
    second run of the same deterministic settle finds it again)."""

    def __init__(self, cluster: Cluster, at: int = 0) -> None:
        self.engine = cluster.engine
        self.start = cluster.now()
        self.items = 0
        self.peak = (0, 0, "")  # traced bytes, item, where (instant offset, queue)
        self.at = at
        self.snapshot: tracemalloc.Snapshot | None = None
        for queue, handler in list(self.engine._handlers.items()):
            self.engine._handlers[queue] = self._counted(queue, handler)

    def _counted(self, queue: str, handler: Callable[[Hashable], None]
                 ) -> Callable[[Hashable], None]:
        traced = tracemalloc.get_traced_memory

        def counted(key: Hashable) -> None:
            handler(key)
            self.items += 1
            if self.snapshot is not None:
                return  # (the snapshot's own objects would count from here on)
            now = traced()[0]
            if now > self.peak[0]:
                self.peak = (now, self.items,
                             f"+{self.engine.clock.now() - self.start:g} {queue}")
            if self.items == self.at:
                self.snapshot = tracemalloc.take_snapshot()

        return counted


def settle_traced(nodes: int, daemonsets: int, at: int = 0
                  ) -> tuple[PeakFinder, tracemalloc.Snapshot]:
    """The benchmark's settle (pod events off) under tracemalloc; the finder, and a
    snapshot once settled. The cyclic collector stays off meanwhile (after one full
    collection): a collection frees traced garbage at a moment that depends on what the
    process allocated before, and at a small cluster's peak, a few hundred bytes above its
    neighbours, that moved the peak from one item to the next between two runs."""
    gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    tracemalloc.start(1)
    try:
        cluster = Cluster(record_pod_events=False)
        for i in range(nodes):
            cluster.add_node(f"node-{i:05d}", ready=True)
        finder = PeakFinder(cluster, at)
        for i in range(daemonsets):
            cluster.create(daemonset(i))
        cluster.advance()
        return finder, tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
        if collecting:
            gc.enable()


def site_lines(stats: list[tracemalloc.StatisticDiff] | list[tracemalloc.Statistic],
               top: int, *, diff: bool = False) -> list[str]:
    """One line per allocation site: size, count (the change, for a diff), file:line."""
    lines = []
    for stat in stats[:top]:
        frame = stat.traceback[0]
        where = f"{frame.filename.rsplit('/dstutor/', 1)[-1]}:{frame.lineno}"
        size = stat.size_diff if diff else stat.size  # type: ignore[union-attr]
        count = stat.count_diff if diff else stat.count  # type: ignore[union-attr]
        lines.append(f"  {size / 1e6:+8.2f} MB {count:+9,}  {where}" if diff
                     else f"  {size / 1e6:8.2f} MB {count:9,}  {where}")
    return lines


def peak_sites(nodes: int, daemonsets: int, top: int) -> list[str]:
    """--peak-sites: the report's lines (see the module docstring)."""
    settled_cluster(nodes, daemonsets, pod_events=False)  # the warm-up, untraced
    finder, _ = settle_traced(nodes, daemonsets)
    traced, item, where = finder.peak
    again, settled = settle_traced(nodes, daemonsets, at=item)
    assert again.snapshot is not None and again.peak[1] == item, "the settle is not repeatable"
    lines = [f"traced memory peaks after work item {item:,} of {finder.items:,} ({where}): "
             f"{traced / 1e6:.2f} MB",
             "what is live then, by allocation site:"]
    # (The first snapshot, live when the second is taken, and this module's own counting
    # are left out of both.)
    mine = [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, __file__)]
    at_peak, settled = again.snapshot.filter_traces(mine), settled.filter_traces(mine)
    lines += site_lines(at_peak.statistics("lineno"), top)
    lines.append("live then beyond what the settled cluster holds (transients):")
    transients = [s for s in at_peak.compare_to(settled, "lineno") if s.size_diff > 0]
    lines += site_lines(transients, top, diff=True)
    return lines
