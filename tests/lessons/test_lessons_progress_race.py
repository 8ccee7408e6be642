"""Several `dstutor lesson run`s on one data dir: every save is read-merge-write under a
lock, so no process writes back a lesson it merely loaded, and nothing is lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from lesson_paths import ROOT

from dstutor.lessons.progress import LessonProgress, LogEntry, ProgressStore, merge_lesson

LESSON = """format_version: 1
id: {id}
title: Lesson {id}
k8s_version: "1.37"
steps:
  - id: make-namespace
    task: Create namespace {id}.
    checks:
      - {{kind: object_exists, type: Namespace, name: {id}}}
    hints: [kubectl create namespace]
    solution: [kubectl create namespace {id}]
  - id: label-node
    task: Label worker-1 {id}=yes.
    checks:
      - {{kind: node_has_label, node: worker-1, key: {id}}}
    hints: [kubectl label node]
    solution: [kubectl label node worker-1 {id}=yes]
"""
IDS = [f"race-{c}" for c in "abcdef"]


def _course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    course.mkdir()
    for n, lesson_id in enumerate(IDS, start=1):
        (course / f"{n:02d}-{lesson_id}.yaml").write_text(LESSON.format(id=lesson_id))
    return course


def _run_all(course: Path, home: Path, jobs: list[str]) -> list[subprocess.CompletedProcess[str]]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), DSTUTOR_HOME=str(home))
    env.pop("DSTUTOR_COURSE", None)
    procs = []
    for lesson_id in jobs:  # all started before any finishes: they load the same file
        script = (f"kubectl create namespace {lesson_id}\n"
                  f"kubectl label node worker-1 {lesson_id}=yes\n")
        proc = subprocess.Popen(
            # --restart: a run that starts after another one saved this lesson must not
            # resume it (its own script would then repeat a done step and fail).
            [sys.executable, "-m", "dstutor", "lesson", "run", lesson_id, "--course",
             str(course), "--restart"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        procs.append((proc, script))
    results = []
    for proc, script in procs:
        out, err = proc.communicate(script, timeout=300)
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return results


def test_racing_lesson_runs_on_one_data_dir_lose_nothing(tmp_path: Path) -> None:
    course, home = _course(tmp_path), tmp_path / "home"
    # Every lesson once, and the first one a second time at the same moment.
    results = _run_all(course, home, [*IDS, IDS[0]])
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "Lesson complete: 2/2 steps" in result.stdout, result.stdout
    data = json.loads((home / "progress.json").read_text())
    assert sorted(data["lessons"]) == IDS
    for lesson_id in IDS:
        lesson = data["lessons"][lesson_id]
        assert lesson["completed"] is True, lesson_id
        assert all(lesson["steps"][s]["done"] for s in ("make-namespace", "label-node"))
    listing = subprocess.run(
        [sys.executable, "-m", "dstutor", "lesson", "list", "--course", str(course)],
        env=dict(os.environ, PYTHONPATH=str(ROOT), DSTUTOR_HOME=str(home)),
        capture_output=True, text=True, timeout=120)
    assert listing.stdout.count("  done") == len(IDS), listing.stdout
    assert "not started" not in listing.stdout


def test_a_store_loaded_earlier_keeps_lessons_saved_since(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    first, second = ProgressStore(path), ProgressStore(path)  # both load an empty file
    first.get("one").completed = True
    first.save()
    second.get("two").current_step = "b"
    second.save()  # saving its whole store would drop "one"
    again = ProgressStore(path)
    assert again.get("one").completed is True
    assert again.get("two").current_step == "b"
    # The earlier store now sees "one" too, in the object it already handed out.
    held = second.get("one")
    first.get("one").current_step = "z"
    first.save()
    second.save()
    assert held.current_step == "z"
    assert ProgressStore(path).get("one").current_step == "z"


def test_a_store_that_changed_nothing_writes_back_nothing_old(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.get("one").step("a").hints_used = 1
    store.save()
    reader = ProgressStore(path)  # `lesson list` in another terminal
    store.get("one").step("a").hints_used = 2
    store.save()
    reader.save()
    assert ProgressStore(path).get("one").step("a").hints_used == 2


def test_restart_in_one_process_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    store = ProgressStore(path)
    store.get("one").completed = True
    store.save()
    other = ProgressStore(path)
    other.reset("one")  # `lesson run --restart`: only this process changed it
    other.save()
    assert ProgressStore(path).get("one").completed is False


def test_the_same_lesson_in_two_processes_merges_step_results(tmp_path: Path) -> None:
    path = tmp_path / "progress.json"
    first, second = ProgressStore(path), ProgressStore(path)
    done = first.get("one")
    done.step("a").done = True
    done.step("b").done = True
    done.step("b").hints_used = 3
    done.completed = True
    done.log.append(LogEntry(1.0, "kubectl get nodes", 0, "a"))
    first.save()  # "Lesson complete: 2/2"
    late = second.get("one")  # started at the same time, still on step a
    late.step("a").attempts = 2
    late.current_step = "a"
    late.log.append(LogEntry(2.0, "kubectl get pods", 0, "a"))
    second.save()
    merged = ProgressStore(path).get("one")
    assert merged.completed is True
    assert merged.step("a").done and merged.step("b").done
    assert merged.step("a").attempts == 2 and merged.step("b").hints_used == 3
    # The log stays the one of the process that saved last: it matches its cluster.
    assert [e.line for e in merged.log] == ["kubectl get pods"]


def test_merge_lesson_keeps_the_better_of_each_result() -> None:
    ours = LessonProgress("x", current_step="b", started=5.0)
    ours.step("a").attempts = 1
    theirs = LessonProgress("x", started=3.0)
    theirs.step("a").done = True
    theirs.step("a").skipped = True
    theirs.step("a").quiz_answers = ["b", "c"]
    theirs.step("c").hints_used = 1
    merge_lesson(ours, theirs)
    assert ours.started == 3.0 and ours.current_step == "b"
    assert ours.step("a").done and ours.step("a").skipped and ours.step("a").attempts == 1
    assert ours.step("a").quiz_answers == ["b", "c"]
    assert ours.step("c").hints_used == 1
