"""`dstutor shell --cluster big.yaml`: a 5,000-node cluster file with 10 DaemonSets, from
the command line to the first command's output (issue 19's target: at most 2 s).

Run: `.venv/bin/python benchmarks/bench_cluster_file.py [--nodes N] [--daemonsets M]
[--command LINE] [--then LINE ...] [--kubeadm] [--no-subprocess] [--no-stages]
[--events-off]`

1. The whole process: writes the cluster file (and one manifest file per DaemonSet) to a
   temporary folder, runs `dstutor shell --cluster FILE` (the installed command, as a
   user would) with the command on standard input, and prints the wall time to the
   first byte of output and to the end, the child's CPU time and its peak RSS. Twice,
   with a fresh DSTUTOR_HOME: the first start builds the cluster (and keeps it, in a
   background process), the next start loads what the first kept (sim/buildcache.py).
2. The same start-up in this process, stage by stage, with the product's settings (the
   collector on, pod events on), building (nothing kept or loaded): parsing the file, building and settling the cluster
   (and inside it, the time spent recording events), the shell's guard before the first
   command (the undo snapshot), the first command, the same again, and each --then line
   after it (commands in a row after a change: each pays the guard, Session._guard);
   with --events-off, the build again without pod events, to see what recording them
   costs.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).with_name("dstutor")


def daemonset_yaml(i: int) -> str:
    return f"""\
apiVersion: apps/v1
kind: DaemonSet
metadata: {{name: agent-{i}, namespace: default}}
spec:
  selector: {{matchLabels: {{app: agent-{i}}}}}
  template:
    metadata: {{labels: {{app: agent-{i}}}}}
    spec:
      containers: [{{name: agent, image: "agent:{i}"}}]
"""


def cluster_yaml(nodes: int, daemonsets: int, *, kubeadm: bool = False) -> str:
    """A `kind: Cluster` file (see dstutor/sim/clusterfile.py) naming one manifest file per
    DaemonSet; with kubeadm, the first node is a control-plane node."""
    lines = ["apiVersion: dstutor/v1", "kind: Cluster", "metadata: {name: big}"]
    if kubeadm:
        lines.append("kubeadm: true")
    lines.append("nodes:")
    for i in range(nodes):
        if kubeadm and i == 0:
            lines.append("  - {name: control-plane, roles: [control-plane], taints: "
                         "[{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]}")
        else:
            lines.append(f"  - {{name: node-{i:05d}, labels: {{zone: zone-{i % 3}}}}}")
    lines.append("manifests:")
    lines += [f"  - ds-{i}.yaml" for i in range(daemonsets)]
    return "\n".join(lines) + "\n"


def write_files(folder: Path, nodes: int, daemonsets: int, *, kubeadm: bool = False) -> Path:
    for i in range(daemonsets):
        (folder / f"ds-{i}.yaml").write_text(daemonset_yaml(i), encoding="utf-8")
    path = folder / "big.yaml"
    path.write_text(cluster_yaml(nodes, daemonsets, kubeadm=kubeadm), encoding="utf-8")
    return path


def wait_for_kept(folder: Path, timeout: float = 120.0) -> bool:
    """Wait until the first start's background writer has kept the settled cluster."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(folder.glob("*.cluster")) and not any(folder.glob(".*.tmp")):
            return True
        time.sleep(0.1)
    return False


def whole_process(path: Path, command: str, home: Path | None = None) -> dict[str, float]:
    """Wall time to the first output byte and to exit, CPU time and peak RSS of the child
    (with DSTUTOR_HOME at `home`, where the shell keeps big settled clusters)."""
    env = dict(os.environ)
    if home is not None:
        env["DSTUTOR_HOME"] = str(home)
        env.pop("DSTUTOR_NO_CACHE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(BIN), "shell", "--cluster", str(path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"{command}\n".encode())
    proc.stdin.close()
    first = proc.stdout.read(1)
    t_first = time.perf_counter()
    rest = proc.stdout.read()
    err = proc.stderr.read() if proc.stderr is not None else b""
    code = proc.wait()
    t_end = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if code != 0 or not first:
        print(f"WARNING: dstutor exited {code}: {err.decode(errors='replace')[:500]}")
    output = (first + rest).decode(errors="replace")
    return {"first": t_first - t0, "total": t_end - t0,
            "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            "rss": after.ru_maxrss / 1024, "lines": output.count("\n")}


class _Stopwatch:
    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        out = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return out


def stages(path: Path, command: str, *, events_off: bool = False, then: tuple[str, ...] = ()
           ) -> list[tuple[str, float, float]]:
    """The start-up in this process as `dstutor shell` does it (shell/startup.py), stage by
    stage: (stage, wall s, CPU s)."""
    from dstutor.shell.session import Session
    from dstutor.shell.startup import ShellOptions, cluster_factory
    from dstutor.sim.cluster import Cluster

    os.environ["DSTUTOR_NO_CACHE"] = "1"  # the build itself, stage by stage
    # Time spent recording events, counted from inside the settle (a wrapper costs a
    # little itself: about 0.2 us a call).
    # Events in a row about one object go through record_events (one call for the
    # kubelet's Created and Started): counted by the events they record.
    recorded = {"calls": 0, "seconds": 0.0}
    original = Cluster.record_event
    original_many = getattr(Cluster, "record_events", None)

    def timed(self: Cluster, *args: Any, **kwargs: Any) -> None:
        t = time.perf_counter()
        try:
            original(self, *args, **kwargs)
        finally:
            recorded["seconds"] += time.perf_counter() - t
            recorded["calls"] += 1

    def timed_many(self: Cluster, obj: Any, events: Any, **kwargs: Any) -> None:
        t = time.perf_counter()
        try:
            original_many(self, obj, events, **kwargs)  # type: ignore[misc]
        finally:
            recorded["seconds"] += time.perf_counter() - t
            recorded["calls"] += len(events)

    out = []
    problems: list[str] = []
    watch = _Stopwatch()
    factory = cluster_factory(ShellOptions(cluster_file=str(path)), "manual", problems)
    out.append(("parse the cluster file and manifests", *watch.lap()))
    Cluster.record_event = timed  # type: ignore[method-assign]
    if original_many is not None:
        Cluster.record_events = timed_many
    try:  # as `dstutor shell` does it
        from dstutor.shell.startup import new_session
        session = new_session(factory, None, ShellOptions(), interactive=False)
    except ImportError:  # before issue 19
        session = Session(factory(), reset_factory=factory)
    finally:
        Cluster.record_event = original  # type: ignore[method-assign]
        if original_many is not None:
            Cluster.record_events = original_many
    cluster = session.cluster
    wall, cpu = watch.lap()
    out.append(("build and settle the cluster, start the session", wall, cpu))
    out.append((f"  of which recording events ({recorded['calls']:,} events, "
                f"{cluster.store.count('Event'):,} stored)", recorded["seconds"], float("nan")))
    if problems:
        print(f"WARNING: {problems[0][:300]}")
    session._guard()
    out.append(("the shell's guard before the first command", *watch.lap()))
    result = session.handle_line(command)
    out.append(("the first command (guard included)", *watch.lap()))
    if result.exit_code != 0:
        print(f"WARNING: the first command failed: {result.stderr[:300]}")
    result = session.handle_line(command)
    out.append(("the same command again", *watch.lap()))
    for line in then:
        result = session.handle_line(line)
        out.append((f"then {line}"[:58], *watch.lap()))
        if result.exit_code != 0:
            print(f"WARNING: {line!r} failed: {result.stderr[:300]}")
    if events_off:
        out.append(_without_pod_events(factory, watch))
    return out


def _without_pod_events(factory: Any, watch: _Stopwatch) -> tuple[str, float, float]:
    """The same build with pod events off: the difference is what the events cost."""
    from dstutor.sim.cluster import Cluster

    original = Cluster.__init__

    def without(self: Cluster, *args: Any, **kwargs: Any) -> None:
        kwargs["record_pod_events"] = False
        original(self, *args, **kwargs)

    Cluster.__init__ = without  # type: ignore[method-assign]
    try:
        watch.lap()
        factory()
    finally:
        Cluster.__init__ = original  # type: ignore[method-assign]
    return ("build and settle again with pod events off (for comparison)", *watch.lap())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--daemonsets", type=int, default=10)
    parser.add_argument("--command", default="kubectl get ds -A")
    parser.add_argument("--then", action="append", default=[], metavar="LINE",
                        help="another command after the first two (repeatable), timed alone")
    parser.add_argument("--kubeadm", action="store_true",
                        help="kubeadm: true (a control-plane node, kube-proxy, CoreDNS)")
    parser.add_argument("--no-subprocess", action="store_true",
                        help="skip the whole-process run")
    parser.add_argument("--no-stages", action="store_true",
                        help="skip the in-process stage breakdown")
    parser.add_argument("--events-off", action="store_true",
                        help="also build once with pod events off, to see what they cost")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = write_files(Path(tmp), args.nodes, args.daemonsets, kubeadm=args.kubeadm)
        print(f"cluster file: {args.nodes} nodes, {args.daemonsets} DaemonSets "
              f"({path.stat().st_size / 1024:.0f} KB); first command: {args.command!r}")
        if not args.no_subprocess:
            # First start (nothing kept: a fresh DSTUTOR_HOME), then the next start, which
            # loads what the first one kept (sim/buildcache.py) once its writer is done.
            home = Path(tmp) / "home"
            for label in ("first start", "next start"):
                got = whole_process(path, args.command, home=home)
                print(f"dstutor shell --cluster, {label}, to the first output: "
                      f"{got['first']:7.3f} s   (target <= 2 s)")
                print(f"dstutor shell --cluster, {label}, to exit:             "
                      f"{got['total']:7.3f} s   (CPU {got['cpu']:.3f} s, peak RSS "
                      f"{got['rss']:.0f} MB, {got['lines']:.0f} lines of output)")
                if label == "first start" and not wait_for_kept(home / "cache"):
                    print("  (nothing was kept: the next start builds again)")
        if not args.no_stages:
            print("in process, by stage:                      wall       CPU")
            for name, wall, cpu in stages(path, args.command, events_off=args.events_off,
                                          then=tuple(args.then)):
                cpu_text = "" if cpu != cpu else f"{cpu:8.3f} s"
                print(f"  {name:<58} {wall:8.3f} s {cpu_text}")


if __name__ == "__main__":
    main()
