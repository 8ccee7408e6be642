"""Engine benchmark: 5,000 nodes x 10 DaemonSets from empty to settled, then one node joins.

Run: `.venv/bin/python benchmarks/bench_engine.py [--nodes N] [--daemonsets M] [--by-queue]`
Prints wall-clock (and CPU) figures and peak memory (max RSS of this process), with the
product's own settings: Python's cyclic garbage collector stays on, as in `dstutor`
(`--without-gc` turns it off, to see what the collector costs). `--by-queue` also prints
where the settle's CPU went: per work queue (items, CPU, CPU per item; each item's own
writes and the informers they wake included) and per virtual instant. `--memory` prints
the resident memory (and the peak so far) after each phase of the settle. `--peak-sites N`
(slow: the settle runs twice under tracemalloc) finds the work item after which the
settle's traced memory peaks, and prints the N allocation sites that hold the most then,
and those that hold more then than once settled (what is live only at the peak).
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import time
from collections.abc import Callable, Hashable

from dstutor.sim.cluster import Cluster


def daemonset(i: int) -> dict:
    labels = {"app": f"agent-{i}"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": f"agent-{i}", "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "agent",
                                                           "image": f"agent:{i}"}]}}}}


def settled_cluster(nodes: int, daemonsets: int, *, width: int = 5,
                    pod_events: bool = True) -> Cluster:
    """`nodes` ready nodes running `daemonsets` DaemonSets, settled: the read benchmarks'
    cluster (and, without pod events, the join benchmark's)."""
    cluster = Cluster(record_pod_events=pod_events)
    for i in range(nodes):
        cluster.add_node(f"node-{i:0{width}d}", ready=True)
    for i in range(daemonsets):
        cluster.create(daemonset(i))
    cluster.advance()
    return cluster


class QueueClock:
    """CPU per work queue and per instant of a settle (--by-queue): wraps the engine's
    handlers, and its loop, so costs a little itself (about 0.3 us an item)."""

    def __init__(self, cluster: Cluster) -> None:
        self.queues: dict[str, list[float]] = {}
        self.instants: list[tuple[float, int, float]] = []
        engine = cluster.engine
        for queue, handler in list(engine._handlers.items()):
            engine._handlers[queue] = self._timed(queue, handler)
        run_queue = engine._run_queue

        def timed_run_queue() -> int:
            start = time.process_time()
            items = run_queue()
            if items:
                self.instants.append((engine.clock.now(), items, time.process_time() - start))
            return items

        engine._run_queue = timed_run_queue  # type: ignore[method-assign]

    def _timed(self, queue: str, handler: Callable[[Hashable], None]
               ) -> Callable[[Hashable], None]:
        entry = self.queues.setdefault(queue, [0, 0.0])
        clock = time.process_time

        def timed(key: Hashable) -> None:
            start = clock()
            handler(key)
            entry[0] += 1
            entry[1] += clock() - start

        return timed

    def report(self, start: float) -> None:
        print("CPU by work queue (items, CPU, per item):")
        for queue, (items, cpu) in sorted(self.queues.items(), key=lambda q: -q[1][1]):
            if items:
                print(f"  {queue:<18} {int(items):>8,} {cpu:8.3f} s {cpu / items * 1e6:8.1f} us")
        print("CPU by instant (seconds after the start, items, CPU) for instants of over "
              "1,000 items:")
        for when, items, cpu in self.instants:
            if items > 1000:
                print(f"  +{when - start:<8g} {items:>8,} {cpu:8.3f} s")


class MemoryPhases:
    """Resident memory (now, and the peak so far) at each phase of the settle (--memory):
    nodes registered, each DaemonSet created (its +0 instant run), then each later
    instant of over 1,000 items, and settled; where the peak happens, and what the
    queues held then."""

    def __init__(self, cluster: Cluster) -> None:
        engine = self.engine = cluster.engine
        self.start = cluster.now()
        run_queue = engine._run_queue

        def measured_run_queue() -> int:
            items = run_queue()
            if items > 1000 and engine.clock.now() > self.start:
                self.show(f"+{engine.clock.now() - self.start:g} ({items:,} items)")
            return items

        engine._run_queue = measured_run_queue  # type: ignore[method-assign]

    def show(self, phase: str) -> None:
        print(f"  {phase:<32} RSS {current_rss_mb():7.1f} MB, peak {peak_rss_mb():7.1f} MB"
              f"   (timers {len(self.engine._timer_due):,})")


def current_rss_mb() -> float:
    """This process's resident memory now (Linux: /proc; elsewhere the peak)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / (1024 * 1024)
    except OSError:
        return peak_rss_mb()


def peak_rss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / (1024 * 1024)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--daemonsets", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=21, help="node joins to time")
    parser.add_argument("--pod-events", action="store_true",
                        help="also record scheduler/kubelet events on pods")
    parser.add_argument("--with-gc", action="store_true",
                        help="(the default) leave Python's cyclic garbage collector on")
    parser.add_argument("--without-gc", action="store_true",
                        help="turn Python's cyclic garbage collector off for the whole run")
    parser.add_argument("--by-queue", action="store_true",
                        help="also print the settle's CPU per work queue and per instant")
    parser.add_argument("--memory", action="store_true",
                        help="also print resident memory at each phase of the settle")
    parser.add_argument("--peak-sites", type=int, default=0, metavar="N",
                        help="only find where the settle's traced memory peaks and print "
                             "the N allocation sites holding the most then (slow)")
    args = parser.parse_args()
    if args.peak_sites:
        # Imported only here: its code, and tracemalloc's (which brings pickle), would
        # add 1.5 MB to the resident memory every other run measures.
        from bench_peak_sites import peak_sites

        print("\n".join(peak_sites(args.nodes, args.daemonsets, args.peak_sites)))
        return

    if args.without_gc:
        gc.disable()  # the engine alone, without the collector's pauses
    gc_seconds = [0.0, 0.0]  # total, and when the running collection started

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_seconds[1] = time.process_time()
        else:
            gc_seconds[0] += time.process_time() - gc_seconds[1]

    gc.callbacks.append(on_gc)
    base_rss = peak_rss_mb()
    cluster = Cluster(record_pod_events=args.pod_events)
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(args.nodes):
        cluster.add_node(f"node-{i:05d}", ready=True)
    t1 = time.perf_counter()
    by_queue = QueueClock(cluster) if args.by_queue else None
    phases = MemoryPhases(cluster) if args.memory else None
    if phases is not None:
        print("resident memory by phase:")
        phases.show("nodes registered")
    start = cluster.now()
    for i in range(args.daemonsets):
        cluster.create(daemonset(i))
        if phases is not None:
            phases.show(f"DaemonSet {i} created (+0)")
    t2 = time.perf_counter()
    cluster.advance()
    if phases is not None:
        phases.show("settled")
    # The engine pauses the collector while it runs; a collection it put off starts at
    # the next allocation of a container, wherever that is. Make one here, so the settle
    # pays for its own young collection (a full one comes when the collector's counts say
    # so, perhaps during the joins: their mean shows it, their median does not).
    _first_allocation_after_settle = [[]]
    del _first_allocation_after_settle
    t3, c3 = time.perf_counter(), time.process_time()
    pods = cluster.store.count("Pod")
    ready = sum(1 for ds in cluster.store.list("DaemonSet")
                if ds["status"].get("numberReady") == args.nodes)
    events = cluster.store.count("Event")
    print(f"nodes={args.nodes} daemonsets={args.daemonsets} pods={pods} "
          f"daemonsets fully ready={ready} events={events}")
    if pods != args.nodes * args.daemonsets or ready != args.daemonsets:
        print("WARNING: the cluster did not settle; the figures below do not count")
    print(f"register nodes:              {t1 - t0:8.3f} s")
    print(f"create daemonsets + sync:    {t2 - t1:8.3f} s")
    print(f"run until settled (kubelet): {t3 - t2:8.3f} s")
    print(f"daemonsets created -> settled: {t3 - t1:6.3f} s")
    print(f"empty -> settled (total):    {t3 - t0:8.3f} s   (target <= 1 s; "
          f"CPU {c3 - c0:.3f} s, of which cyclic GC {gc_seconds[0]:.3f} s)")
    if by_queue is not None:
        by_queue.report(start)
        return

    # `add_node` alone creates, schedules and admits the node's daemon pods; they pull,
    # start and turn Ready (and the DaemonSets count them) in the `advance` after it, so
    # "one node joins that cluster, settled" is the two together.
    joins, join_cpu, settled, settled_cpu = [], [], [], []
    for r in range(args.repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        cluster.add_node(f"extra-{r}", ready=True)
        join_cpu.append(time.process_time() - start_cpu)
        joins.append(time.perf_counter() - start)
        cluster.advance()
        settled_cpu.append(time.process_time() - start_cpu)
        settled.append(time.perf_counter() - start)
    if sum(1 for p in cluster.store.pods_on_node(f"extra-{args.repeat - 1}")
           if p["status"].get("phase") == "Running") != args.daemonsets:
        print("WARNING: the last node's pods did not all run; the join figures do not count")
    print(f"one node joins, add_node only (median of {args.repeat}): "
          f"{statistics.median(joins) * 1000:8.2f} ms   "
          f"(CPU {statistics.median(join_cpu) * 1000:.2f} ms)")
    print(f"one node joins, settled (median of {args.repeat}): "
          f"{statistics.median(settled) * 1000:8.2f} ms   (target <= 1 ms; "
          f"CPU {statistics.median(settled_cpu) * 1000:.2f} ms, "
          f"mean {statistics.fmean(settled_cpu) * 1000:.2f} ms)")
    print(f"peak memory (max RSS):       {peak_rss_mb():8.1f} MB   (target <= 120 MB; "
          f"interpreter + imports {base_rss:.1f} MB)")


if __name__ == "__main__":
    main()
