"""`dstutor shell --serve` and `dstutor lesson run --serve`: simulator lines in the shell and
the real kubectl in another process, both on one cluster."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(args: list[str], home: Path) -> tuple[subprocess.Popen[str], Path]:
    env = {**os.environ, "DSTUTOR_HOME": str(home), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "dstutor", *args], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    for _ in range(50):  # the usage lines come first; bounded
        line = proc.stderr.readline()
        if "export KUBECONFIG=" in line:
            return proc, Path(line.split("=", 1)[1].strip())
    proc.kill()
    raise AssertionError("no kubeconfig line")


def _kubectl(binary: str, kubeconfig: Path, home: Path, *args: str) -> str:
    done = subprocess.run([binary, *args], env={"HOME": str(home), "KUBECONFIG": str(kubeconfig),
                                                "TZ": "UTC"},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("args", [["shell", "--serve", "--clock", "manual"],
                                  ["lesson", "run", "01", "--serve"]])
def test_serve_beside_the_shell(kubectl_binary: str, tmp_path: Path, args: list[str]) -> None:
    proc, kubeconfig = _start(args, tmp_path)
    assert proc.stdin is not None
    try:
        assert kubeconfig == tmp_path / "kubeconfig"
        assert "worker-9" not in _kubectl(kubectl_binary, kubeconfig, tmp_path, "get", "nodes")
        proc.stdin.write("node add worker-9\n")
        proc.stdin.flush()
        for _ in range(100):  # the shell reads the line in its own time; bounded wait
            nodes = _kubectl(kubectl_binary, kubeconfig, tmp_path, "get", "nodes", "-o", "name")
            if "node/worker-9" in nodes:
                break
        assert "node/worker-9" in nodes
        _kubectl(kubectl_binary, kubeconfig, tmp_path, "label", "node", "worker-9", "seen=yes")
        out, _ = proc.communicate("kubectl get nodes -l seen=yes -o name\n", timeout=60)
        assert "node/worker-9" in out
    finally:
        proc.kill()
        proc.wait()
