"""Lessons accept kubectl edit and patch like apply, replay edits from their journal, and the
generate-and-edit lesson works from a workspace file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lesson_paths import COURSE

from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner
from dstutor.lessons.sandbox import lesson_workspace

TOLERATION = ('{"spec":{"template":{"spec":{"tolerations":[{"key":"node-role.kubernetes.io/'
              'control-plane","operator":"Exists","effect":"NoSchedule"}]}}}}')
# An editor script: adds the toleration next to `containers:` in the pod template, or
# turns a generated Deployment into a DaemonSet.
EDITOR = """\
import sys
path = sys.argv[1]
text = open(path).read()
if "kind: Deployment" in text:
    text = text.replace("kind: Deployment", "kind: DaemonSet")
    text = text.replace("  replicas: 1\\n", "").replace("  strategy: {}\\n", "")
elif "tolerations" not in text:
    text = text.replace("      containers:\\n", "      tolerations:\\n"
                        "      - key: node-role.kubernetes.io/control-plane\\n"
                        "        operator: Exists\\n        effect: NoSchedule\\n"
                        "      containers:\\n", 1)
open(path, "w").write(text)
"""


@pytest.fixture()
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    for name in ("KUBE_EDITOR", "VISUAL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    return script


def _runner(name: str, home: Path) -> LessonRunner:
    runner = LessonRunner(load_lesson(COURSE / name), ProgressStore(home / "progress.json"))
    runner.start()
    return runner


def _say(runner: LessonRunner, line: str) -> str:
    reply = runner.handle_line(line)
    return reply.stdout + reply.stderr


@pytest.mark.parametrize("line", [
    f"kubectl patch ds node-exporter -n monitoring -p '{TOLERATION}'",
    "kubectl edit ds node-exporter -n monitoring",
])
def test_edit_and_patch_pass_like_apply(line: str, dstutor_home: Path, editor: Path) -> None:
    runner = _runner("05-system-nodes.yaml", dstutor_home)
    assert runner.step is not None and runner.step.id == "control-plane"
    out = _say(runner, line)
    assert "daemonset.apps/node-exporter" in out
    _say(runner, "advance")
    out = _say(runner, "check")
    # The variant (a second control-plane joins) replays the edit from the journal.
    assert runner.step is not None and runner.step.id != "control-plane", out


def test_resume_replays_an_edit_without_an_editor(dstutor_home: Path, editor: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    runner = _runner("05-system-nodes.yaml", dstutor_home)
    _say(runner, "kubectl edit ds node-exporter -n monitoring")
    monkeypatch.setenv("EDITOR", "/nonexistent/editor")  # a replay must not launch one
    again = _runner("05-system-nodes.yaml", dstutor_home)
    ds = again.executor.cluster.get("DaemonSet", "monitoring", "node-exporter")
    assert ds["spec"]["template"]["spec"]["tolerations"][0]["key"] == (
        "node-role.kubernetes.io/control-plane")


def test_generate_and_edit_lesson_with_a_real_editor(dstutor_home: Path, editor: Path) -> None:
    runner = _runner("12-generate-and-edit.yaml", dstutor_home)
    _say(runner, "kubectl create deployment node-logger --image=fluent/fluent-bit:3.1 "
                 "-n kube-system --dry-run=client -o yaml > ds.yaml")
    assert runner.step is not None and runner.step.id == "edit-apply"
    workspace = lesson_workspace(runner.lesson).root
    assert (workspace / "ds.yaml").read_text().startswith("apiVersion: apps/v1\nkind: "
                                                          "Deployment\n")
    _say(runner, "vi ds.yaml")
    assert "kind: DaemonSet" in _say(runner, "cat ds.yaml")
    assert "created" in _say(runner, "kubectl apply -f ds.yaml")
    _say(runner, "kubectl rollout status ds/node-logger -n kube-system")
    assert runner.step is not None and runner.step.id == "change"


def test_resume_and_variants_leave_the_workspace_as_it_was(dstutor_home: Path,
                                                           editor: Path) -> None:
    # Replaying the log (resume, each variant at `check`) must not run `>>` again into
    # the learner's files: a file appended to twice in the session has two copies, not
    # four or six.
    runner = _runner("05-system-nodes.yaml", dstutor_home)
    workspace = lesson_workspace(runner.lesson).root
    _say(runner, "kubectl get nodes -o name >> nodes.txt")
    _say(runner, "kubectl get nodes -o name >> nodes.txt")
    _say(runner, "kubectl get ds -A -o name > ds.txt")
    _say(runner, "vi ds.txt")
    _say(runner, "cat > notes.txt <<EOF\nfirst\nEOF")
    before = {p.name: p.read_bytes() for p in workspace.iterdir()}
    assert before["nodes.txt"].count(b"node/worker-1\n") == 2
    _say(runner, f"kubectl patch ds node-exporter -n monitoring -p '{TOLERATION}'")
    _say(runner, "advance")
    _say(runner, "check")  # replays the log on each variant
    again = _runner("05-system-nodes.yaml", dstutor_home)  # resume: replays the log
    assert {p.name: p.read_bytes() for p in workspace.iterdir()} == before
    # The resumed session writes into the learner's workspace again, and its editor is
    # journaled there.
    assert _say(again, "kubectl get nodes -o name >> nodes.txt") == ""
    assert (workspace / "nodes.txt").read_bytes().count(b"node/worker-1\n") == 3
    assert again.executor.session.workspace.root == workspace
