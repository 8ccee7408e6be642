"""Side by side: a scenario runs in the tutor, then the real kubectl 1.37.1 renders the
same objects, and both outputs must be byte-identical.

kubectl reads ages from the real clock, so the scenario is played on a virtual clock that
ends just before real time (a first, dry run measures how long it lasts). Before each
command the cluster is advanced to a real second (the current one while half of it is
left, else the next), the tutor answers, the objects are served as they are at that
instant, and kubectl runs within that second (if it
misses it, the command is tried again at a later second). Only tests use this.
"""

from __future__ import annotations

import math
import shlex
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dstutor.kubectl.dispatch import run
from dstutor.kubectl.result import CommandResult
from dstutor.model.kinds import KINDS
from dstutor.model.objects import Obj
from dstutor.model.timefmt import SIM_EPOCH, parse_rfc3339, to_rfc3339
from dstutor.render.columns import build_table
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import build_cluster, default_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from render_oracle import Oracle, kubectl_path  # noqa: E402

__all__ = ["Pair", "Scenario", "SideBySide", "kubectl_path", "side_by_side"]

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Scenario:
    """Lines as a learner types them: `kubectl …`, `advance 30s`, `node add|fail|recover X`."""

    name: str
    lines: tuple[str, ...]
    workers: int = 3
    crashing_images: tuple[str, ...] = ()
    files: dict[str, str] = field(default_factory=dict)


def _seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    return float(text[:-1]) * units[text[-1]]


def play(scenario: Scenario, start: float) -> Cluster:
    spec = default_spec(scenario.workers)
    spec.crashing_images = list(scenario.crashing_images)
    cluster = build_cluster(spec, seed=0, clock=Clock(start=start))
    for line in scenario.lines:
        words = line.split()
        if words[0] == "kubectl":
            result = run(cluster, line)
            assert result.ok, (line, result.stderr)
        elif words[0] == "advance":
            cluster.advance(_seconds(words[1]))
        elif words[:2] == ["node", "add"]:
            cluster.add_node(words[2])
            cluster.advance()
        elif words[:2] == ["node", "fail"]:
            cluster.fail_node(words[2])
        elif words[:2] == ["node", "recover"]:
            cluster.recover_node(words[2])
        else:  # pragma: no cover - a typo in a scenario
            raise ValueError(line)
    return cluster


def lease_for(node: Obj) -> Obj:
    """The Lease the tutor's describe node shows (it keeps none): renewed at the heartbeat."""
    ready = next((c for c in node["status"].get("conditions") or []
                  if c.get("type") == "Ready"), {})
    renew = ready.get("lastHeartbeatTime")
    spec: Obj = {"holderIdentity": node["metadata"]["name"]}
    if renew:
        spec["renewTime"] = to_rfc3339(parse_rfc3339(renew)).replace("Z", ".000000Z")
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": node["metadata"]["name"], "namespace": "kube-node-lease"},
            "spec": spec}


def served(cluster: Cluster) -> list[Obj]:
    objects = [o for kind in KINDS for o in cluster.list(kind)]
    return objects + [lease_for(n) for n in cluster.list("Node")]


Pair = tuple[CommandResult, subprocess.CompletedProcess[str]]


class SideBySide:
    def __init__(self, cluster: Cluster, oracle: Oracle) -> None:
        self.cluster = cluster
        self.oracle = oracle

    def both(self, line: str) -> tuple[CommandResult, subprocess.CompletedProcess[str]]:
        """The tutor's and the real kubectl's answer to `kubectl LINE` at one instant.

        kubectl reads the clock while it prints; when it ran across a second boundary,
        the tutor also answers (read-only, state unchanged) at each second it may have
        read, and the attempt counts if one matches; otherwise it is tried again.
        """
        for _ in range(8):
            target = self._second()
            if target > self.cluster.now():
                self.cluster.advance(target - self.cluster.now())
            ours = run(self.cluster, "kubectl " + line)
            now = self.cluster.now()
            self.oracle.objects = served(self.cluster)
            self.oracle.table_builder = lambda kind, items, now=now: build_table(kind, items, now)
            if not _wait_for(target):
                continue  # the tutor took too long: this second has (nearly) gone
            real = self.oracle.run(*shlex.split(line))
            last = math.floor(time.time())
            if last == target or _same(ours, real):
                return ours, real
            candidates = [ours] + [self._at(float(second), line)
                                   for second in range(int(target) + 1, last + 1)]
            for candidate in candidates[1:]:
                if _same(candidate, real):
                    return candidate, real
            if _line_by_line(candidates, real):
                return real_as_result(real), real
        raise AssertionError(f"could not run `kubectl {line}` within one second")

    def batch(self, lines: list[str], width: int = 8) -> dict[str, Pair]:
        """`both` for many lines, `width` kubectl runs at a time in the same second;
        a line whose run crossed the second is tried again alone."""
        results: dict[str, Pair] = {}
        for start in range(0, len(lines), width):
            chunk = lines[start:start + width]
            target = self._second()
            if target > self.cluster.now():
                self.cluster.advance(target - self.cluster.now())
            ours = {line: run(self.cluster, "kubectl " + line) for line in chunk}
            now = self.cluster.now()
            self.oracle.objects = served(self.cluster)
            self.oracle.table_builder = lambda kind, items, now=now: build_table(kind, items, now)
            if _wait_for(target):
                procs = [(line, self.oracle.start(*shlex.split(line))) for line in chunk]
                reals = {}
                for line, proc in procs:
                    stdout, stderr = proc.communicate(timeout=60)
                    reals[line] = subprocess.CompletedProcess(proc.args, proc.returncode,
                                                              stdout, stderr)
                in_time = math.floor(time.time()) == target
                for line, real in reals.items():
                    if in_time or _same(ours[line], real):
                        results[line] = (ours[line], real)
            for line in chunk:
                if line not in results:
                    results[line] = self.both(line)
        return results

    def _second(self) -> float:
        """The real second both answer in: the current one while at least LEFT of it
        remains and the cluster has not passed it, else the next. (Waiting for the next
        second every time cost half a second of idle wall time per command.)"""
        now = time.time()
        second = math.floor(now)
        if now - second > 1 - LEFT or second < self.cluster.now():
            second += 1
        return float(second)

    def _at(self, second: float, line: str) -> CommandResult:
        """The tutor's answer with its clock read as `second`, nothing else moved (the
        command is read-only, so no timer fires)."""
        clock = self.cluster.clock
        saved = clock._now
        clock._now = second
        try:
            return run(self.cluster, "kubectl " + line)
        finally:
            clock._now = saved


# How much of the current real second must remain for kubectl to run in it: kubectl's
# runs here take 0.05-0.3 s; one that crosses into the next second is still checked
# (SideBySide.both), this only keeps such retries rare.
LEFT = 0.5


def _wait_for(second: float) -> bool:
    """Sleep until just after `second` begins; False if too little of it is left."""
    wait = second + 0.02 - time.time()
    if wait > 0:
        time.sleep(wait)
        return True
    return time.time() < second + 1 - LEFT


def _line_by_line(candidates: list[CommandResult],
                  real: subprocess.CompletedProcess[str]) -> bool:
    """A long run (`describe nodes` on a busy machine) reads the clock for each object it
    prints: every line must then be the tutor's line at one of those seconds."""
    if any((c.stderr, c.exit_code) != (real.stderr, real.returncode) for c in candidates):
        return False
    wanted = real.stdout.splitlines()
    options = [c.stdout.splitlines() for c in candidates]
    return all(len(o) == len(wanted) for o in options) and all(
        any(o[i] == text for o in options) for i, text in enumerate(wanted))


def real_as_result(real: subprocess.CompletedProcess[str]) -> CommandResult:
    return CommandResult(real.stdout, real.stderr, real.returncode)


def _same(ours: CommandResult, real: subprocess.CompletedProcess[str]) -> bool:
    return (ours.stdout, ours.stderr, ours.exit_code) == (real.stdout, real.stderr,
                                                          real.returncode)


@contextmanager
def side_by_side(scenario: Scenario, tmp_path: Path) -> Iterator[SideBySide]:
    for name, text in scenario.files.items():
        (tmp_path / name).write_text(text)
    dry = play(scenario, SIM_EPOCH)
    length = dry.now() - SIM_EPOCH
    cluster = play(scenario, math.floor(time.time()) - math.ceil(length) - 2)
    with Oracle(served(cluster), lambda kind, items: build_table(kind, items, 0.0)) as oracle:
        yield SideBySide(cluster, oracle)
