"""Throwaway replays (lessons/sandbox.throwaway): a variant's replay and `lesson check`'s
runs play in sessions that keep no state before their commands (Session.unguarded: no
pickle per write). Whatever would read such a state (`undo`, a command failing inside
dstutor, the safety nets that put a failed command back) raises GuardNeeded, and the work
runs again, guarded. These tests compare the two ways, and plant what makes the second
run necessary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lesson_paths import BROKEN, COURSE

from dstutor.errors import DstutorError
from dstutor.lessons import sandbox
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.sandbox import TimedLine, build_setup, check_variants, throwaway
from dstutor.lessons.validate import check_paths, two_way
from dstutor.shell import undo as undo_module
from dstutor.shell.session import GuardNeeded, Session
from dstutor.sim.clusterfile import default_cluster

TAINTS = COURSE / "04-taints.yaml"


@pytest.fixture
def pickles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per cluster a session pickled for its undo history or its guard."""
    made: list[int] = []
    original = undo_module.UndoEntry.of.__func__  # type: ignore[attr-defined]

    def counted(cls: Any, cluster: Any, namespace: str) -> Any:
        made.append(1)
        return original(cls, cluster, namespace)

    monkeypatch.setattr(undo_module.UndoEntry, "of", classmethod(counted))
    return made


def _both_ways(monkeypatch: pytest.MonkeyPatch, work: Any) -> tuple[Any, Any]:
    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", False)
    guarded = work()
    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", True)
    return guarded, work()


@pytest.mark.parametrize("path", [TAINTS, COURSE / "13-cni-first.yaml",
                                  *sorted(BROKEN.glob("*.yaml"))], ids=lambda p: p.stem)
def test_lesson_check_reports_the_same_both_ways(path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Shipped lessons with variants and wrong attempts, and the broken fixtures (false
    passes, failing solutions and variants, bad predictions): the same report."""
    guarded, unguarded = _both_ways(monkeypatch, lambda: check_paths([path]))
    assert [_report(r) for r in unguarded] == [_report(r) for r in guarded]


def _report(report: Any) -> tuple[Any, ...]:
    return report.source, report.lesson, report.problems, report.warnings, report.mistakes


def test_two_way_pickles_nothing_unguarded(monkeypatch: pytest.MonkeyPatch,
                                           pickles: list[int]) -> None:
    lesson = load_lesson(TAINTS)
    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", False)
    mistakes_guarded: set[str] = set()
    guarded = two_way(lesson, mistakes_guarded)
    assert pickles  # the general path pickles before writes
    pickles.clear()
    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", True)
    mistakes: set[str] = set()
    assert two_way(lesson, mistakes) == guarded and mistakes == mistakes_guarded
    assert pickles == []


def test_an_unguarded_session_asks_for_what_it_did_not_keep(pickles: list[int]) -> None:
    session = Session(default_cluster())
    session.unguarded = True
    assert session.handle_line("kubectl label node worker-1 a=b").ok
    assert session.handle_line("node add extra").ok
    assert session.handle_line("advance 30s").ok
    assert pickles == [] and len(session.undo_stack) == 3
    with pytest.raises(GuardNeeded):
        session.handle_line("undo")

    def breaks(*_args: Any, **_kw: Any) -> Any:
        raise RuntimeError("injected")

    failing = Session(default_cluster())
    failing.unguarded = True
    failing._kubectl = breaks
    with pytest.raises(GuardNeeded):  # an internal error would be put back
        failing.handle_line("kubectl label node worker-1 a=b")

    def refuses(*_args: Any, **_kw: Any) -> Any:
        raise DstutorError("error: the safety net")

    netted = Session(default_cluster())
    netted.unguarded = True
    netted._kubectl = refuses
    with pytest.raises(GuardNeeded):  # the kubectl safety net puts a write back
        netted.handle_line("kubectl label node worker-1 a=b")
    assert pickles == []


def _variant_history(lesson: Any, extra: list[str]) -> list[TimedLine]:
    step = lesson.steps[0]
    return [TimedLine(line) for line in [*step.solution, *extra]]


@pytest.mark.parametrize("extra", [
    [],
    ["kubectl label node worker-1 a=b", "undo"],  # an undo in the learner's history
    ["node add late-1", "undo", "undo"],
    ["kubectl delete node nope"],
])
def test_a_variants_replay_answers_as_the_guarded_one(extra: list[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    lesson = load_lesson(TAINTS)
    step = next(s for s in lesson.steps if s.variants)
    history = [TimedLine(line) for line in
               [*(x for s in lesson.steps[:lesson.steps.index(step)] for x in s.solution),
                *step.solution, *extra]]
    guarded, unguarded = _both_ways(
        monkeypatch, lambda: check_variants(lesson, step, history, [], None))
    assert unguarded == guarded


def test_throwaway_runs_again_guarded_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    lesson = load_lesson(TAINTS)
    runs: list[bool] = []

    def work() -> list[tuple[str, int, str]]:
        executor = build_setup(lesson)
        runs.append(executor.session.unguarded)
        out = []
        for line in ("kubectl label node worker-1 a=b", "undo",
                     "kubectl get nodes --show-labels"):
            result = executor.run(line)
            out.append((result.stdout, result.exit_code, result.stderr))
        return out

    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", False)
    guarded = work()
    runs.clear()
    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", True)
    assert throwaway(work) == guarded
    assert runs == [True, False]  # the unguarded run met the undo; then guarded
    runs.clear()
    assert throwaway(lambda: build_setup(lesson).session.unguarded) is True
    assert build_setup(lesson).session.unguarded is False  # outside throwaway: guarded


def test_a_ctrl_c_stops_throwaway_work(monkeypatch: pytest.MonkeyPatch) -> None:
    lesson = load_lesson(TAINTS)
    runs: list[int] = []

    def interrupted(*_args: Any, **_kw: Any) -> Any:
        raise KeyboardInterrupt

    def work() -> None:
        executor = build_setup(lesson)
        runs.append(1)
        executor.session._kubectl = interrupted
        executor.run("kubectl label node worker-1 a=b")

    monkeypatch.setattr(sandbox, "UNGUARDED_REPLAYS", True)
    with pytest.raises(KeyboardInterrupt):
        throwaway(work)
    assert runs == [1]  # stopped, not run again
