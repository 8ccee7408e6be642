"""The progress file: atomic writes, survival of kill -9 and Ctrl-C, corrupt files set aside."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from lesson_paths import ROOT
from typer.testing import CliRunner

from dstutor.cli.lessons import lesson_app
from dstutor.lessons import progress as progress_mod
from dstutor.lessons.progress import LogEntry, ProgressStore

WRITER = """
import sys
from pathlib import Path
from dstutor.lessons.progress import LogEntry, ProgressStore

store = ProgressStore(Path(sys.argv[1]))
lesson = store.get("taints")
n = 1
lesson.step("observe").attempts = n
store.save()  # the file exists before the parent starts its kill timer
print("ready", flush=True)
while True:
    n += 1
    lesson.log.append(LogEntry(float(n), "kubectl get pods -o wide " + "x" * 2000, 0, "observe"))
    lesson.step("observe").attempts = n
    store.save()
"""


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    lesson = store.get("taints")
    lesson.current_step = "evict"
    lesson.step("observe").hints_used = 2
    lesson.log.append(LogEntry(1.5, "kubectl get nodes", 0, "observe"))
    store.save()
    again = ProgressStore(path)
    assert again.notices == []
    loaded = again.get("taints")
    assert loaded.current_step == "evict"
    assert loaded.step("observe").hints_used == 2
    assert loaded.log == [LogEntry(1.5, "kubectl get nodes", 0, "observe")]


def test_dstutor_home_overrides_the_data_dir(dstutor_home: Path) -> None:
    assert ProgressStore().path == dstutor_home / "progress.json"


def test_kill_9_during_saves_leaves_a_readable_file(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for delay in (0.05, 0.2, 0.35):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], env=env,
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert path.exists()
        data = json.loads(path.read_text())  # never half written
        assert data["lessons"]["taints"]["steps"]["observe"]["attempts"] >= 1
        store = ProgressStore(path)
        assert store.notices == []


def test_ctrl_c_during_a_write_keeps_the_old_file(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.get("taints").current_step = "observe"
    store.save()
    before = path.read_text()

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    store.get("taints").current_step = "evict"
    monkeypatch.setattr(progress_mod.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.save()
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["progress.json"]


def test_a_corrupt_file_is_reported_kept_aside_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text('{"format_version": 1, "lessons": {"taints": ')
    store = ProgressStore(path)
    [notice] = store.notices
    assert "could not be read" in notice and "a fresh one was started" in notice
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("progress.json.corrupt-")]
    assert len(kept) == 1
    assert kept[0].read_text() == '{"format_version": 1, "lessons": {"taints": '
    assert kept[0].name in notice
    assert store.lessons == {}
    store.get("taints")
    store.save()
    assert ProgressStore(path).notices == []


def test_wrong_shapes_count_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text('{"lessons": {"taints": {"steps": {"observe": [1, 2]}}}}')
    store = ProgressStore(path)
    assert len(store.notices) == 1
    assert store.lessons == {}


def test_a_newer_format_is_kept_aside_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text('{"format_version": 99, "lessons": {}}')
    store = ProgressStore(path)
    assert "newer" in store.notices[0]
    assert any(p.name.startswith("progress.json.corrupt-") for p in tmp_path.iterdir())


def test_lesson_list_reports_a_corrupt_file(dstutor_home: Path) -> None:
    dstutor_home.mkdir(parents=True)
    (dstutor_home / "progress.json").write_text("not json at all")
    result = CliRunner().invoke(lesson_app, ["list"])
    assert result.exit_code == 0, result.output
    assert "could not be read" in result.output
    assert "not started" in result.output


def test_unknown_fields_from_a_newer_dstutor_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    path.write_text(json.dumps({"format_version": 1, "lessons": {"taints": {
        "lesson_id": "taints", "current_step": "evict", "badge": "gold",
        "steps": {"observe": {"done": True, "stars": 3}}, "log": []}}}))
    store = ProgressStore(path)
    assert store.notices == []
    assert store.get("taints").step("observe").done
