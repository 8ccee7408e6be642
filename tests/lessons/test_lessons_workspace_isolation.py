"""`lesson check`, grading replays and author-side variant checks use a workspace of their
own: the instructor's DSTUTOR_HOME (workspace files, edit journal) is never read or written."""

from __future__ import annotations

import gc
import json
from pathlib import Path

from lesson_paths import COURSE
from typer.testing import CliRunner

from dstutor.cli.lessons import lesson_app
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner
from dstutor.lessons.sandbox import build_setup, lesson_workspace
from dstutor.shell.editjournal import JOURNAL_NAME
from dstutor.shell.workspace import Workspace

LESSON_12 = COURSE / "12-generate-and-edit.yaml"
GENERATE = ("kubectl create deployment node-logger --image=fluent/fluent-bit:3.1 -n kube-system "
            "--dry-run=client -o yaml > ds.yaml")


def _tree(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {str(p.relative_to(root)): p.read_text() if p.is_file() else "/"
            for p in sorted(root.rglob("*"))}


def _instructor_files(home: Path) -> dict[str, str]:
    """An instructor mid-way through lesson 12: a ds.yaml of their own and a journal."""
    ws = home / "workspace" / "generate-and-edit"
    ws.mkdir(parents=True)
    (ws / "ds.yaml").write_text("# the instructor's own file\n")
    (ws / JOURNAL_NAME).write_text(json.dumps(["the instructor's edit"]))
    return _tree(home)


def test_lesson_check_of_lesson_12_leaves_dstutor_home_untouched(dstutor_home: Path) -> None:
    result = CliRunner().invoke(lesson_app, ["check", str(LESSON_12)])
    assert result.exit_code == 0, result.output
    assert _tree(dstutor_home) == {}


def test_lesson_check_keeps_the_instructors_workspace_as_it_was(dstutor_home: Path) -> None:
    before = _instructor_files(dstutor_home)
    result = CliRunner().invoke(lesson_app, ["check", str(LESSON_12)])
    assert result.exit_code == 0, result.output
    assert _tree(dstutor_home) == before


def test_build_setup_without_a_workspace_uses_a_temporary_one_and_removes_it(
        dstutor_home: Path) -> None:
    executor = build_setup(load_lesson(LESSON_12))
    assert executor.run(GENERATE).exit_code == 0
    root = executor.session.workspace.root  # type: ignore[attr-defined]
    assert (root / "ds.yaml").exists()
    assert dstutor_home not in root.parents
    del executor
    gc.collect()
    assert not root.exists()
    assert _tree(dstutor_home) == {}


def test_lesson_run_uses_the_learners_workspace(dstutor_home: Path) -> None:
    lesson = load_lesson(LESSON_12)
    runner = LessonRunner(lesson, ProgressStore(dstutor_home / "progress.json"))
    runner.start()
    runner.handle_line(GENERATE)
    assert (lesson_workspace(lesson).root / "ds.yaml").exists()


def test_a_grading_replay_leaves_the_graders_workspace_alone(dstutor_home: Path,
                                                             tmp_path: Path) -> None:
    from dstutor.classroom.replay import replay_lesson

    before = _instructor_files(dstutor_home)
    lesson = load_lesson(LESSON_12)
    record = {"steps": [{"id": "generate", "done": True}],
              "log": [{"line": GENERATE, "t": 0.0, "exit": 0, "step": "generate",
                       "skip": False, "kind": "run"}]}
    replayed = replay_lesson(lesson, record)
    assert replayed.get("generate") is True
    assert _tree(dstutor_home) == before


def test_a_runner_given_a_workspace_uses_only_that(dstutor_home: Path, tmp_path: Path) -> None:
    before = _instructor_files(dstutor_home)
    lesson = load_lesson(LESSON_12)
    own = Workspace.at(tmp_path / "elsewhere")
    runner = LessonRunner(lesson, ProgressStore(tmp_path / "p.json"), restart=True,
                          workspace=own)
    runner.start()
    runner.handle_line(GENERATE)
    assert (own.root / "ds.yaml").exists()
    assert _tree(dstutor_home) == before
