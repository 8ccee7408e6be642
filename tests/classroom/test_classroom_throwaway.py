"""Grading replays as throwaway work (classroom/replay._throwaway_replay): the replay's
sessions keep no undo state unless the log needs it (an `undo`), and then the replay runs
again, guarded, from the grading home as the first run found it. The answers are the
general path's."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from classroom_builders import ROOT, simulate, solver_lines

from dstutor.classroom import replay as replay_module
from dstutor.classroom.replay import isolated_home, replay_lesson, replay_results
from dstutor.classroom.results import build_results
from dstutor.lessons import sandbox
from dstutor.lessons.loader import load_lesson

TAINTS = ROOT / "lessons" / "04-taints.yaml"


def _doc(tmp_path: Path, lesson: Any, lines: list[str]) -> dict[str, Any]:
    store = simulate(tmp_path, {lesson.id: lines}, course=TAINTS.parent)
    return build_results("Learner", [lesson], store.lessons)


# Notes appended in the workspace, an undo part way, the solution after it: the undo
# makes the unguarded replay give up, and `>>` shows whether the second run started
# from the home as the first found it (the line would be there twice).
WITH_UNDO = ["kubectl get nodes -o name >> notes.txt", "kubectl label node worker-1 a=b",
             "undo", "cat notes.txt"]


@pytest.mark.parametrize("extra", [[], WITH_UNDO], ids=["plain", "undo"])
def test_grading_answers_as_the_general_path(tmp_path: Path, extra: list[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    lesson = load_lesson(TAINTS)
    doc = _doc(tmp_path, lesson, [*extra, *solver_lines(lesson)])
    # Twice the same record: the second replay finds what the first left in the home.
    doc["lessons"] = [doc["lessons"][0], copy.deepcopy(doc["lessons"][0])]

    def grade() -> tuple[Any, ...]:
        found = replay_results(doc, [lesson])
        return (found.problems, found.notes, found.unverified,
                replay_lesson(lesson, doc["lessons"][0]))

    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", False)
    guarded = grade()
    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", True)
    assert grade() == guarded
    assert guarded[0] == [] and all(guarded[3].values())


def test_a_second_run_starts_from_the_home_as_the_first_found_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lesson = load_lesson(TAINTS)
    record = _doc(tmp_path, lesson, [*WITH_UNDO, *solver_lines(lesson)])["lessons"][0]
    notes = Path("workspace") / lesson.id / "notes.txt"
    runs: list[bool] = []
    original = replay_module.replay_lesson_log

    def counted(*args: Any) -> Any:
        runs.append(True)
        return original(*args)

    monkeypatch.setattr(replay_module, "replay_lesson_log", counted)

    def left_behind() -> str:
        with isolated_home():
            home = Path(replay_module.os.environ["DSTUTOR_HOME"])
            replay_module._throwaway_replay(lesson, record)
            return (home / notes).read_text()

    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", False)
    guarded = left_behind()
    assert len(runs) == 1 and guarded.count("node/worker-1") == 1
    runs.clear()
    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", True)
    assert left_behind() == guarded
    assert len(runs) == 2  # the undo sent it round again


def test_an_exercises_unfinished_checks_replay_as_the_general_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """results.replay_checks (the export's partial credit) as throwaway work: an undo in
    the log sends it round again, guarded."""
    from dstutor.classroom.results import replay_checks

    lesson = load_lesson(next((ROOT / "lessons").glob("21-ex-*.yaml")))
    first = lesson.steps[0].solution
    answers = []
    for lines in ([*first], [*first, "kubectl label node worker-1 a=b", "undo"]):
        store = simulate(tmp_path / str(len(answers)), {lesson.id: lines},
                         course=lesson.path.parent)
        progress = store.lessons[lesson.id]
        monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", False)
        guarded = replay_checks(lesson, progress)
        monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", True)
        assert replay_checks(lesson, progress) == guarded
        answers.append(guarded)
    assert answers[0] == answers[1]  # the undone label changed nothing


def test_a_transcript_reads_as_the_general_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from dstutor.lessons.transcript import transcript

    lesson = load_lesson(TAINTS)
    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", False)
    guarded = transcript(lesson)
    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", True)
    assert transcript(lesson) == guarded
