"""`kubectl config` for the shell's namespace: the seed commands then work as written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from shell_helpers import FIXTURES

from dstutor.shell.session import Session
from dstutor.sim.clusterfile import default_cluster


def test_shell_set_context_namespace_lets_seed_commands_run_as_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(FIXTURES / "node-logger.yaml", tmp_path / "daemonset.yaml")
    monkeypatch.chdir(tmp_path)
    session = Session(default_cluster())
    assert session.handle_line("kubectl apply -f daemonset.yaml").stdout == (
        "daemonset.apps/node-logger created\n")
    before = session.handle_line("kubectl rollout status daemonset node-logger")
    assert before.exit_code == 1 and "NotFound" in before.stderr  # as on a real cluster
    changed = session.handle_line(
        "kubectl config set-context --current --namespace=kube-system")
    assert changed.stdout == 'Context "dstutor" modified.\n'
    assert session.namespace == "kube-system"
    status = session.handle_line("kubectl rollout status daemonset node-logger")
    assert status.exit_code == 0
    assert status.stdout.endswith('daemon set "node-logger" successfully rolled out\n')
    deleted = session.handle_line("kubectl delete daemonset node-logger")
    assert deleted.stdout == 'daemonset.apps "node-logger" deleted from kube-system namespace\n'


@pytest.mark.parametrize("line, stdout, code", [
    ("kubectl config current-context", "dstutor\n", 0),
    ("k config get-contexts",
     "CURRENT   NAME      CLUSTER   AUTHINFO   NAMESPACE\n"
     "*         dstutor   dstutor   dstutor    default\n", 0),
    ("kubectl config set-context --current --namespace monitoring",
     'Context "dstutor" modified.\n', 0),
    ("kubectl config set-context --namespace=x", "", 1),
    ("kubectl config use-context other", "", 1),
])
def test_shell_kubectl_config_lines(line: str, stdout: str, code: int) -> None:
    out = Session(default_cluster()).handle_line(line)
    assert (out.stdout, out.exit_code) == (stdout, code)
    if code:
        assert out.stderr.startswith("error: ")
