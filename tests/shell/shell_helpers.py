"""Helpers for the shell tests: a fake kubectl, golden files, the installed command."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
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


def _env(env: dict[str, str] | None) -> dict[str, str]:
    return {"NO_COLOR": "1", "COLUMNS": "80", **(env or {})}


def dstutor_process(*args: str, stdin: str = "", merge: bool = False,
                    env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run the installed `dstutor` command (script mode: stdin is a pipe).

    A new interpreter per call: for what only a process shows (the entry point, start-up,
    the exit status the OS sees, the order of two streams on one pipe). Everything else
    uses `dstutor`, the same command line run in this process."""
    exe = Path(sys.executable).with_name("dstutor")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "dstutor"]
    full_env = {**os.environ, **_env(env)}
    proc = subprocess.run(cmd + list(args), input=stdin, capture_output=not merge,
                          stdout=subprocess.PIPE if merge else None,
                          stderr=subprocess.STDOUT if merge else None,
                          text=True, env=full_env, cwd=cwd, timeout=120)
    return Run(proc.returncode, proc.stdout, proc.stderr or "")


def _as_text(raw: bytes) -> str:
    """Bytes as `subprocess.run(text=True)` reads them: UTF-8, universal newlines."""
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8").read()


def dstutor(*args: str, stdin: str = "", merge: bool = False, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> Run:
    """`dstutor ARGS` as `dstutor_process` runs it, in this process: the same entry point
    (`dstutor.cli.main`, argv, environment, working directory), stdin a UTF-8 stream that
    is not a terminal, stdout and stderr (one stream with `merge`, written through in
    order, as an unbuffered child writes them to one pipe) read back as
    `subprocess.run(text=True)` would, and the status `SystemExit` carries (an uncaught
    exception: its traceback on stderr and status 1, as the interpreter does).
    tests/shell/test_shell_inprocess.py compares the two on the same command lines."""
    from dstutor.cli import main

    out_raw = io.BytesIO()
    err_raw = out_raw if merge else io.BytesIO()
    out = io.TextIOWrapper(out_raw, encoding="utf-8", write_through=True)
    err = io.TextIOWrapper(err_raw, encoding="utf-8", errors="backslashreplace",
                           write_through=True)
    inp = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
    status = 0
    with pytest.MonkeyPatch.context() as mp:
        for name, value in _env(env).items():
            mp.setenv(name, value)
        if cwd is not None:
            mp.chdir(cwd)
        mp.setattr(sys, "argv", [str(Path(sys.executable).with_name("dstutor")), *args])
        mp.setattr(sys, "stdin", inp)
        mp.setattr(sys, "stdout", out)
        mp.setattr(sys, "stderr", err)
        try:
            main()
        except SystemExit as done:
            if done.code is None or isinstance(done.code, int):
                status = done.code or 0
            else:  # sys.exit("message"): the message on stderr, status 1
                print(done.code, file=err)
                status = 1
        except BaseException:  # noqa: BLE001 - what the interpreter does with it
            traceback.print_exc(file=err)
            status = 1
        out.flush()
        err.flush()
    stdout = _as_text(out_raw.getvalue())
    return Run(status, stdout, "" if merge else _as_text(err_raw.getvalue()))
