"""Issue 19: virtual time that passes between a lesson's lines (a replay reaching the
moment each line first ran, the setup settling, a grading replay waiting) goes through
Session.let_time_pass, and a lesson's setup cluster is rebuilt by its factory while
nothing has changed it (Session.rebuilds_with). The next line's guard and undo entry are
then a rebuild or a replay instead of a pickle of the whole cluster. That is only right
if they are the same cluster, so these tests run the same timed lines on two executors,
one by the general path (time passed with cluster.advance alone, no rebuilding factory,
replays off), and compare everything a failing command or an `undo` would put back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import test_shell_rebuild_guard as rebuild_guard
from test_shell_replayed_guard import _same

from dstutor.lessons import sandbox
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.sandbox import build_setup, run_one
from dstutor.shell import session as session_module
from dstutor.shell.session import Session

pickles = rebuild_guard.pickles
LESSONS = Path(__file__).resolve().parents[2] / "lessons"

# Reads, writes and simulator words, most of them some virtual seconds after the one
# before (as a replayed log has them), and undos at the end.
LINES = [
    (5, "kubectl get pods -A"), (35, "kubectl get ds -A"), (36, "kubectl get nodes"),
    (90, "node add extra"), (91, "kubectl get pods -A"), (93, "kubectl get pods -A"),
    (95, "kubectl get pods -A -o wide"), (None, "advance 30s"),
    (200, "kubectl describe nodes extra"), (260, "kubectl label node extra a=b"),
    (400, "kubectl get pods -A"), (None, "advance"), (900, "node fail extra"),
    (960, "kubectl get nodes"), (1300, "kubectl get events -A"),
    (1400, "node recover extra"), (1500, "kubectl get pods -A"),
]


def _general(monkeypatch: pytest.MonkeyPatch) -> None:
    """The general path: time passes by cluster.advance alone, no factory rebuilds the
    setup cluster, and no guard is a replay."""
    monkeypatch.setattr(sandbox, "let_time_pass",
                        lambda executor, seconds: executor.cluster.advance(seconds))
    monkeypatch.setattr(Session, "rebuilds_with", lambda self, factory: None)
    monkeypatch.setattr(session_module, "MAX_REPLAYED_STEPS", 0)


def _guarded(executor: Any) -> Any:
    """The cluster the guard would put back now (a failing command), built from its entry."""
    return executor.session._guard().cluster()


def _same_built(one: Any, other: Any) -> list[str]:
    """_same for two clusters nobody else holds (built from entries for the comparison)."""
    return _same(one, other, owned=True)


def _run(executor: Any, t: float | None, line: str, start: float) -> Any:
    """`line` at `start + t` (None: now), as a replay runs it (sandbox.run_records)."""
    if t is not None and start + t > executor.cluster.now():
        sandbox.let_time_pass(executor, start + t - executor.cluster.now())
    return run_one(executor, line)


def test_time_passing_between_lines_gives_what_the_general_path_gives(
        monkeypatch: pytest.MonkeyPatch, pickles: list[int]) -> None:
    """Lesson 4's setup applies a manifest (a setup without one: the test below)."""
    lesson = load_lesson(LESSONS / "04-taints.yaml")
    with monkeypatch.context() as general_path:
        _general(general_path)
        general = build_setup(lesson)
    fast = build_setup(lesson)
    assert _same(fast.cluster, general.cluster) == []
    start = fast.cluster.now()
    assert general.cluster.now() == start
    copied = {"fast": 0, "general": 0}
    replays = 0
    for t, line in LINES:
        with monkeypatch.context() as general_path:
            _general(general_path)
            before = len(pickles)
            theirs = _run(general, t, line, start)
            assert general.session._guard().replayed == 0
            copied["general"] += len(pickles) - before
        before = len(pickles)
        mine = _run(fast, t, line, start)
        replays += fast.session._guard().replayed > 0
        copied["fast"] += len(pickles) - before
        assert (mine.line, mine.exit_code, mine.stdout, mine.stderr, mine.changed, mine.t) == (
            theirs.line, theirs.exit_code, theirs.stdout, theirs.stderr, theirs.changed,
            theirs.t), line
        # What a command failing inside dstutor now would put back.
        assert _same_built(_guarded(fast), _guarded(general)) == [], line
    assert _same(fast.cluster, general.cluster) == []
    assert replays >= 5 and copied["fast"] < copied["general"]  # the replayed path was taken
    undo = [e.command for e in fast.session.undo_stack]
    assert len(undo) >= 4 and undo == [e.command for e in general.session.undo_stack]
    # Each undo puts back its entry's cluster (the last thing either session does here,
    # so the clusters it builds are settled in place).
    for command in reversed(undo):
        assert fast.session.undo() == general.session.undo() == command
        assert _same_built(fast.cluster, general.cluster) == [], command


def test_a_setup_without_manifests_copies_nothing_before_the_first_change(
        monkeypatch: pytest.MonkeyPatch, pickles: list[int]) -> None:
    """Lesson 1 sets up only nodes: the setup cluster is its factory's and the settle a
    replay on it, so reads and the time between them pickle nothing, nor does the first
    write's undo entry, which puts back the cluster as it was just before the write."""
    lesson = load_lesson(LESSONS / "01-what-is-a-daemonset.yaml")
    with monkeypatch.context() as general_path:
        _general(general_path)
        general = build_setup(lesson)
    executor = build_setup(lesson)
    assert pickles == []
    start = executor.cluster.now()
    for t, line in [(5, "kubectl get pods -A"), (65, "kubectl get nodes")]:
        assert _run(executor, t, line, start).exit_code == 0, line
        with monkeypatch.context() as general_path:
            _general(general_path)
            _run(general, t, line, start)
    general_pickles = len(pickles)
    assert general_pickles >= 2
    write = "kubectl label node worker-1 a=b"
    assert _run(executor, 70, write, start).changed
    assert len(pickles) == general_pickles  # the fast path copied nothing
    with monkeypatch.context() as general_path:
        _general(general_path)
        sandbox.let_time_pass(general, start + 70 - general.cluster.now())
        assert len(pickles) == general_pickles
    assert executor.session.undo() == write
    assert executor.cluster.now() == start + 70
    assert _same(executor.cluster, general.cluster) == []
