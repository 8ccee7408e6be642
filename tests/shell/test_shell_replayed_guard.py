"""Issue 19: after `advance` on the manual clock, the next command's guard (and its undo
entry) is the previous guard with the advance replayed on it, not a pickle of the whole
cluster (Session.replayable). That is only right if the replay is the same cluster, so
these tests compare it with a copy taken at that point, object graph by object graph,
and the replayed path with the general one (the same session with replays turned off).

What a replay cannot have is what reads left behind in between: the store's sorted
listings (a cache of its keys, built again on the next listing), Events a reader
turned from records into their dicts (sim/eventstore.py: no reader can tell) and the
recorders' caches brought up to date (EventCorrelator.catch_up: the same entries, in
the same order, once looked at). The comparison drops the first and does the others on
both sides first (`_settled_copy`).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import test_shell_rebuild_guard as rebuild_guard
from test_shell_rebuild_guard import INTERNAL, _session, apply_that_breaks, differences

from dstutor.shell import session as session_module
from dstutor.shell.session import Session, UndoEntry, _bytes_held

# The same cluster file and pickle counter as the rebuild guard's tests.
cluster_file = rebuild_guard.cluster_file
pickles = rebuild_guard.pickles

# Commands in a row as a learner types them: advances (with and without a duration)
# between reads and writes, and an advance that runs into the Events' TTL.
SCRIPT = [
    "kubectl get pods -A", "advance 30s", "kubectl get ds", "advance 1m", "advance 1m",
    "node add extra", "advance 20s", "kubectl get pods -A -o wide", "advance",
    "kubectl set image ds/agent agent=busybox:1.37", "advance 2s", "advance 5s",
    "node fail worker-1", "advance 2m", "kubectl describe ds agent", "advance 70m",
    "kubectl get events -A", "advance 30s", "node recover worker-1", "advance 10s",
    "node add gpu-1 --label gpu=true --taint dedicated=gpu:NoSchedule --role gpu",
    "advance 5s", "node remove extra", "kubectl get nodes", "advance 1m",
    "node add worker-9 --no-network", "advance 5s",
]


def _guarded(session: Session) -> Any:
    """The cluster the guard would put back now, built from its entry."""
    return session._guard().cluster()


def _settled_copy(cluster: Any, *, owned: bool = False) -> Any:
    """A copy with every Event as its dict and no sorted listing cached (see above);
    owned: the cluster itself, settled in place (one built for the comparison, which
    nothing else holds)."""
    cluster = cluster if owned else copy.deepcopy(cluster)
    cluster.events.catch_up()
    cluster.store.list("Event")
    cluster.store._sorted_keys.clear()
    cluster.store._sorted_objs.clear()
    return cluster


# Beside test_shell_rebuild_guard.ALLOWED: the last signature the DaemonSet controller
# shared, which holds an id() too (see DaemonSetsController.on_pod).
ALSO_ALLOWED = re.compile(r"\['_last_signature'\]\[4\]$")


def _same(one: Any, other: Any, *, owned: bool = False) -> list[str]:
    """Where two clusters differ; owned: both were built for the comparison (from undo or
    guard entries), so they are settled in place instead of in deep copies."""
    return [d for d in differences(_settled_copy(one, owned=owned),
                                   _settled_copy(other, owned=owned))
            if not ALSO_ALLOWED.search(d.split(":", 1)[0])]


def test_advances_in_a_row_pickle_nothing_and_undo_restores_each_state(
        cluster_file: Path, pickles: list[int]) -> None:
    session = _session(cluster_file)
    session.cluster.add_node("extra")  # as a --state file's cluster: something to advance
    session._pristine = None
    assert session.handle_line("kubectl get pods -A").ok
    assert pickles == [1]
    copies = []
    for line in ["advance", "advance 30s", "kubectl get pods -A", "advance 1m", "advance 2m"]:
        copies.append((line, copy.deepcopy(session.cluster)))
        assert session.handle_line(line).ok, line
    assert pickles == [1]  # the guards after the advances are replays
    for line, before in reversed([c for c in copies if c[0].startswith("advance")]):
        assert session.undo() == line
        assert _same(session.cluster, before) == [], line
    assert session.undo() is None


def test_the_replayed_path_gives_what_the_general_path_gives(
        cluster_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same script on two sessions, one with replays off: after every command the
    guard's cluster (what a failing command would leave) and the cluster itself are the
    same on both, and so is every undo entry's."""
    fast, general = _session(cluster_file), _session(cluster_file)
    replays = 0
    for line in SCRIPT:
        monkeypatch.setattr(session_module, "MAX_REPLAYED_STEPS", 32)
        out_fast = fast.handle_line(line)
        replays += fast._guard().replayed > 0
        monkeypatch.setattr(session_module, "MAX_REPLAYED_STEPS", 0)
        out_general = general.handle_line(line)
        assert general._guard().replayed == 0
        assert (out_fast.stdout, out_fast.stderr) == (out_general.stdout, out_general.stderr)
        assert _same(fast.cluster, general.cluster) == [], line
        assert _same(_guarded(fast), _guarded(general), owned=True) == [], line
    assert replays >= 10  # the replayed path was taken
    assert [e.command for e in fast.undo_stack] == [e.command for e in general.undo_stack]
    for mine, theirs in zip(fast.undo_stack, general.undo_stack, strict=True):
        assert _same(mine.cluster(), theirs.cluster(), owned=True) == [], mine.command


def test_a_failing_command_after_an_advance_is_put_back(cluster_file: Path,
                                                        pickles: list[int]) -> None:
    session = _session(cluster_file)
    assert session.handle_line("kubectl label node worker-1 a=b").ok
    assert session.handle_line("advance 40s").ok
    assert pickles == [1]  # the guard after the label
    before = copy.deepcopy(session.cluster)

    session._kubectl = apply_that_breaks(30)
    assert session.handle_line("kubectl apply -f x.yaml").stderr == INTERNAL
    assert _same(session.cluster, before) == []
    assert pickles == [1]  # put back from the replay, copied nothing more


def test_a_chain_of_replays_is_bounded(cluster_file: Path, pickles: list[int],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "MAX_REPLAYED_STEPS", 3)
    session = _session(cluster_file)
    assert session.handle_line("kubectl label node worker-1 a=b").ok  # not replayable
    assert session.handle_line("advance 1s").ok
    assert pickles == [1]
    for _ in range(2):
        assert session.handle_line("advance 1s").ok
    assert pickles == [1] and session._guard().replayed == 3
    assert session.handle_line("advance 1s").ok
    assert session._guard().replayed == 0 and pickles == [1, 1]  # a new chain
    monkeypatch.setattr(session_module, "MAX_REPLAY_SECONDS", 0.0)
    assert session.handle_line("advance 1s").ok
    assert session._guard().replayed == 0 and pickles == [1, 1, 1]


def test_no_replay_outside_a_line_or_on_a_live_clock(cluster_file: Path) -> None:
    session = _session(cluster_file)
    assert session.handle_line("node add extra").ok
    session.cluster.advance(10)
    session.replayable(lambda again: again.advance(10), 0.0)  # not inside handle_line
    assert session._replayed is None
    session.cluster.clock.mode = "live"
    assert session.handle_line("advance 10s").ok
    assert session._replayed is None


def test_a_replayed_entry_is_not_taken_for_the_factorys_build(cluster_file: Path,
                                                              pickles: list[int]) -> None:
    """Restoring a replayed entry leaves a cluster that is not the factory's: a later
    guard must not stand for it with a rebuild from the factory."""
    session = _session(cluster_file)
    assert session.handle_line("advance 1m").ok
    assert session.handle_line("advance 1m").ok
    assert session.undo() == "advance 1m"  # back to the first advance, replayed
    assert session._pristine is None
    after_one = copy.deepcopy(session.cluster)
    assert session.handle_line("kubectl get pods").ok
    assert _same(_guarded(session), after_one) == []


def test_bytes_shared_by_replayed_entries_count_once() -> None:
    shared = b"x" * 10
    entries = [UndoEntry("a", "default", frozen=shared, holds=shared),
               UndoEntry("b", "default", rebuild=lambda: None, replayed=1,  # type: ignore[arg-type,return-value]
                         holds=shared),
               UndoEntry("c", "default", frozen=b"y" * 5)]  # holds its own bytes
    assert _bytes_held(entries) == 15
    assert [e.size for e in entries] == [10, 10, 5]


@pytest.mark.parametrize("replays", [True, False])
def test_a_change_the_guard_cannot_see_is_not_undone_with_the_next_one(
        cluster_file: Path, monkeypatch: pytest.MonkeyPatch, replays: bool) -> None:
    """`node fail` stops a kubelet: no write, no time passes. The guard after it used to
    stand for the state before it, so undoing the next write undid the failure too."""
    monkeypatch.setattr(session_module, "MAX_REPLAYED_STEPS", 32 if replays else 0)
    session = _session(cluster_file)
    for line in ["kubectl label node worker-2 a=b", "advance 1s", "node fail worker-1"]:
        assert session.handle_line(line).ok, line
    failed = copy.deepcopy(session.cluster)
    assert session.handle_line("kubectl label node worker-2 c=d").ok
    assert session.undo() == "kubectl label node worker-2 c=d"
    assert _same(session.cluster, failed) == []
    assert session.handle_line("advance 2m").ok
    out = session.handle_line("kubectl get node worker-1 --no-headers")
    assert out.stdout.split()[:2] == ["worker-1", "NotReady"]


def test_a_replay_that_changed_nothing_is_not_taken_for_a_later_state(
        cluster_file: Path) -> None:
    """`advance` with nothing waiting notes a replay for a key the guard already has; a
    later `node fail` keeps that key, and the replay must not stand for the state after it."""
    session = _session(cluster_file)
    for line in ["kubectl label node worker-2 a=b", "advance", "advance", "node fail worker-1"]:
        assert session.handle_line(line).ok, line
    failed = copy.deepcopy(session.cluster)
    assert session.handle_line("kubectl label node worker-2 c=d").ok
    assert session.undo() == "kubectl label node worker-2 c=d"
    assert _same(session.cluster, failed) == []
