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


def _setup_state(executor: Any) -> tuple[Any, ...]:
    """What a setup leaves that anything can read: every object, the clock, what comes
    next, and the session's log, undo entries, namespace and factory mark."""
    from dstutor.model.kinds import KINDS

    cluster, session = executor.cluster, executor.session
    pristine = session._pristine
    return ({kind: cluster.list(kind) for kind in KINDS}, cluster.now(),
            cluster.next_change(), list(session.log),
            [(e.command, e.namespace, e.rebuild, e.frozen, e.kept) for e in session.undo_stack],
            session.namespace, session.unguarded,
            None if pristine is None else (pristine[0] is cluster, *pristine[1:3],
                                           _without_wall_base(pristine[3])))


def _without_wall_base(clock_state: tuple[Any, ...]) -> tuple[Any, ...]:
    """A clock's state but the wall time it was made at (a manual clock never reads it;
    any two builds differ in it)."""
    mode, speed, now, _wall_base, virtual_base = clock_state
    return mode, speed, now, virtual_base


@pytest.mark.parametrize("name", ["04-taints", "15-toleration-seconds", "17-storage-ondelete",
                                  "21-ex-gpu-coverage", "01-what-is-a-daemonset"])
def test_a_kept_setup_is_the_setup_built_again(name: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """sandbox._SETUPS: throwaway work's second build of a setup (unpickled) reads as a
    fresh build, and the lesson's solution then runs the same in both."""
    lesson = load_lesson(COURSE / f"{name}.yaml")
    monkeypatch.setattr(sandbox, "_SETUPS", sandbox.OrderedDict())

    def built() -> tuple[Any, Any]:
        executor = build_setup(lesson)
        state = _setup_state(executor)
        ran = [(r.stdout, r.stderr, r.exit_code)
               for r in (executor.run(line) for s in lesson.steps for line in s.solution)]
        return state, (ran, _setup_state(executor))

    monkeypatch.setattr(sandbox, "SETUPS_KEPT", 0)  # nothing kept: built each time
    fresh = throwaway(built)
    monkeypatch.setattr(sandbox, "SETUPS_KEPT", 8)
    first = throwaway(built)
    assert len(sandbox._SETUPS) == 1
    again = throwaway(built)  # from the kept bytes
    assert first == fresh and again == fresh


def test_setups_with_commands_or_outside_throwaway_work_are_not_kept(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox, "_SETUPS", sandbox.OrderedDict())
    throwaway(lambda: build_setup(load_lesson(COURSE / "08-broken-image.yaml")))
    build_setup(load_lesson(TAINTS))
    assert not sandbox._SETUPS
