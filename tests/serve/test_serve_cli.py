"""`dstutor serve` as a process: usage lines, kubeconfig, SIGTERM stops it cleanly after
saving --state; the loopback rule."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dstutor.serve.main import NOT_LOOPBACK_WARNING, is_loopback, kubeconfig_text

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("address", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("192.168.1.10", False), ("::", False), ("example.com", False),
])
def test_cli_loopback_rule(address: str, loopback: bool) -> None:
    assert is_loopback(address) is loopback
    assert "not a loopback address" in NOT_LOOPBACK_WARNING


def test_cli_kubeconfig_has_the_dstutor_context() -> None:
    text = kubeconfig_text("http://127.0.0.1:1234")
    assert "current-context: dstutor\n" in text and "server: http://127.0.0.1:1234\n" in text


def test_cli_serve_stops_on_sigterm_and_saves(kubectl_binary: str, tmp_path: Path) -> None:
    env = {**os.environ, "DSTUTOR_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    state = tmp_path / "state.json"
    proc = subprocess.Popen([sys.executable, "-m", "dstutor", "serve", "--state", str(state),
                             "--kubeconfig", str(tmp_path / "kc")], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline() for _ in range(6)]
        assert f"    export KUBECONFIG={tmp_path / 'kc'}\n" in lines
        assert (tmp_path / "kc").stat().st_mode & 0o077 == 0
        done = subprocess.run([kubectl_binary, "label", "node", "worker-1", "kept=yes"],
                              env={"HOME": str(tmp_path), "KUBECONFIG": str(tmp_path / "kc")},
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.stdout == "node/worker-1 labeled\n", done.stderr
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    assert "stopped; the cluster is saved in" in out
    assert '"kept": "yes"' in state.read_text() or '"kept":"yes"' in state.read_text()
