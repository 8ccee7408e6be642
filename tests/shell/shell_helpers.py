"""Helpers for the shell tests: a fake kubectl, golden files, the installed command."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from dstutor.kubectl.result import CommandResult

GOLDEN = Path(__file__).parent / "golden"
REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"  # the repository's copies of the example manifests
# DSTUTOR_UPDATE_GOLDEN=1 rewrites golden files instead of comparing with them.
UPDATE = bool(os.environ.get("DSTUTOR_UPDATE_GOLDEN"))

NODE_LOGGER = """\
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: node-logger
spec:
  selector:
    matchLabels: {app: node-logger}
  template:
    metadata:
      labels: {app: node-logger}
    spec:
      containers:
      - name: logger
        image: busybox:1.36
"""


@dataclass
class FakeKubectl:
    """Records each call; `changed` says whether it pretends to have written something."""

    calls: list[str]
    changed: bool = False

    def __call__(self, cluster, text, **kw) -> CommandResult:  # noqa: ANN001
        self.calls.append(text)
        if "fail" in text:
            return CommandResult("", "Error from server (NotFound): pods \"x\" not found\n", 1,
                                 hint="try kubectl get pods")
        if self.changed:
            cluster.add_node(f"fake-{len(self.calls)}")
        return CommandResult(f"ran {text}\n", "", 0, changed=self.changed)


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"golden file {name} did not exist; it was written, check it in")
    assert actual == path.read_text(encoding="utf-8")


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str


def dstutor(*args: str, stdin: str = "", merge: bool = False, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Run:
    """Run the installed `dstutor` command (script mode: stdin is a pipe)."""
    exe = Path(sys.executable).with_name("dstutor")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "dstutor"]
    full_env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", **(env or {})}
    proc = subprocess.run(cmd + list(args), input=stdin, capture_output=not merge,
                          stdout=subprocess.PIPE if merge else None,
                          stderr=subprocess.STDOUT if merge else None,
                          text=True, env=full_env, cwd=cwd, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr or "")
