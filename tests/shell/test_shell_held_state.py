"""Issue 19: a big cluster's guard and undo entries are held by a forked child process
(shell/heldstate.py) instead of pickled before the next command. That is only right if
the child's bytes are the state as it stood at the fork, and if the session restores
from them exactly what it restores from its own pickle; and the children must never
outlive their use (nor a Ctrl-C at the prompt).

The clusters here are small: HOLD_FROM is lowered so that they are held."""

from __future__ import annotations

import gc
import os
import pickle
import signal
import threading
import time
import weakref
from pathlib import Path

import pytest
import test_shell_rebuild_guard as rebuild_guard
from plain_daemonset import plain_daemonset
from test_shell_rebuild_guard import INTERNAL, _session, apply_that_breaks
from test_shell_replayed_guard import SCRIPT, _same

from dstutor.shell import heldstate
from dstutor.shell import session as session_module
from dstutor.shell.heldstate import HeldState, StateLost, can_hold
from dstutor.shell.session import Session, UndoEntry, _bytes_held
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster

cluster_file = rebuild_guard.cluster_file


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every cluster is big enough to be held (and nothing else runs beside the test)."""
    monkeypatch.setattr(heldstate, "HOLD_FROM", 0)
    # An earlier test's state may still be on its way in (its reading thread): let it
    # arrive, so that this test starts with no thread but the main one.
    for reader in list(heldstate._readers):
        reader.join(30)
    assert threading.active_count() == 1


def _gone(pid: int, seconds: float = 10.0) -> bool:
    """Whether process `pid` ended (and was waited for) within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        heldstate._reap()
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.01)
    return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _cluster() -> Cluster:
    cluster = Cluster()
    for name in ("worker-1", "worker-2"):
        cluster.add_node(name, ready=True)
    cluster.create(plain_daemonset("agent", "agent:1"))
    cluster.advance()
    return cluster


def test_the_bytes_are_the_state_at_the_fork(held: None) -> None:
    cluster = _cluster()
    expected = pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL)
    state = HeldState(cluster)
    cluster.add_node("worker-3", ready=True)  # the parent goes on changing it
    cluster.advance(60)
    assert pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL) != expected
    assert state.payload() == expected
    assert state.done() and state.size() == len(expected)
    assert _gone(state.pid)


def test_started_in_the_background_the_bytes_arrive_without_asking(held: None) -> None:
    cluster = _cluster()
    expected = pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL)
    state = HeldState(cluster)
    state.start()
    state.start()  # (twice is once)
    deadline = time.monotonic() + 10
    while not state.done() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert state.done()
    assert state.payload() == expected
    assert _gone(state.pid)


def test_a_state_dropped_unasked_lets_its_child_go(held: None) -> None:
    state = HeldState(_cluster())
    pid = state.pid
    assert _alive(pid)
    del state
    assert _gone(pid)
    assert pid not in heldstate._unreaped


def test_a_state_dropped_while_pickling_stops_its_child(held: None) -> None:
    # The child is stopped before it may pickle (SIGSTOP), so it is still at it when the
    # state is dropped: the drop must kill it, not leave it to finish.
    state = HeldState(_cluster())
    pid = state.pid
    os.kill(pid, signal.SIGSTOP)
    state.start()
    del state
    assert _gone(pid)


def test_ctrl_c_at_the_prompt_does_not_reach_the_child(held: None) -> None:
    cluster = _cluster()
    expected = pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL)
    state = HeldState(cluster)
    # Its own process group (set after it ignores SIGINT): no Ctrl-C at the prompt
    # reaches it, and one sent to it anyway does nothing.
    deadline = time.monotonic() + 10
    while os.getpgid(state.pid) != state.pid and time.monotonic() < deadline:
        time.sleep(0.01)
    assert os.getpgid(state.pid) == state.pid != os.getpgid(0)
    os.kill(state.pid, signal.SIGINT)
    time.sleep(0.1)
    assert _alive(state.pid)
    assert state.payload() == expected


def test_a_killed_child_is_a_lost_state_not_another_one(held: None) -> None:
    state = HeldState(_cluster())
    os.kill(state.pid, signal.SIGKILL)
    with pytest.raises(StateLost) as lost:
        state.payload()
    assert str(lost.value).startswith(
        "error: the cluster state kept before this could not be read back (")
    assert _gone(state.pid)


@pytest.mark.parametrize("why", ["small", "thread", "clock", "no-fork"])
def test_what_is_not_held(held: None, monkeypatch: pytest.MonkeyPatch, why: str) -> None:
    cluster = _cluster()
    assert can_hold(cluster)
    stop = threading.Event()
    server = threading.Thread(target=stop.wait, daemon=True)
    if why == "small":
        monkeypatch.setattr(heldstate, "HOLD_FROM", 10_000)
    elif why == "thread":  # as `shell --serve`'s server
        server.start()
    elif why == "clock":
        cluster.clock = Clock(wall=lambda: 0.0)
    else:
        monkeypatch.delattr(os, "fork")
    try:
        assert not can_hold(cluster)
        entry = UndoEntry.of(cluster, "default")
        assert entry.held is None and (entry.frozen is not None or entry.kept is not None)
    finally:
        stop.set()
        if server.is_alive():
            server.join()


def _pair(path: Path) -> tuple[Session, Session]:
    held, plain = _session(path), _session(path)
    for session in (held, plain):
        session.cluster.add_node("extra")  # not the factory's build: the guard copies
        session._pristine = None
    return held, plain


def _run(session: Session, line: str, hold: bool, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN202
    monkeypatch.setattr(heldstate, "HOLD_FROM", 0 if hold else 1 << 60)
    return session.handle_line(line)


WRITES = ["kubectl label node worker-1 a=b", "kubectl get pods -A",
          "kubectl set image ds/agent agent=busybox:1.37", "kubectl get ds",
          "node fail worker-1", "kubectl describe ds agent", "kubectl cordon worker-2",
          "node add gpu-1 --label gpu=true", "kubectl delete ds agent", "kubectl get pods -A"]


@pytest.mark.parametrize("script", [WRITES, SCRIPT], ids=["writes", "advances"])
def test_held_entries_restore_what_pickled_ones_do(cluster_file: Path, held: None,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   script: list[str]) -> None:
    """The same commands on two sessions, one holding its states in children and one
    pickling them: the same output, the same cluster and guard after each, and undo
    brings back the same clusters all the way."""
    mine, theirs = _pair(cluster_file)
    held_guards = 0
    for line in script:
        out_mine = _run(mine, line, True, monkeypatch)
        held_guards += mine._guard().held is not None
        out_theirs = _run(theirs, line, False, monkeypatch)
        assert theirs._guard().held is None
        assert (out_mine.stdout, out_mine.stderr) == (out_theirs.stdout, out_theirs.stderr)
        assert _same(mine.cluster, theirs.cluster) == [], line
        assert _same(mine._guard().cluster(), theirs._guard().cluster(), owned=True) == [], line
    assert held_guards >= 3
    assert [e.command for e in mine.undo_stack] == [e.command for e in theirs.undo_stack]
    assert any(e.held is not None for e in mine.undo_stack)
    while mine.undo_stack:
        assert mine.undo() == theirs.undo()
        assert _same(mine.cluster, theirs.cluster) == []
    assert theirs.undo() is None


def test_a_failing_command_is_put_back_from_a_held_state(cluster_file: Path, held: None,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    session, reference = _pair(cluster_file)
    for one in (session, reference):
        assert one.handle_line("kubectl label node worker-1 a=b").ok
    assert session._guard().held is not None

    session._kubectl = apply_that_breaks(30)
    assert session.handle_line("kubectl apply -f x.yaml").stderr == INTERNAL
    assert _same(session.cluster, reference.cluster) == []


def test_a_lost_state_is_said_and_the_shell_goes_on(cluster_file: Path, held: None,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    session, _ = _pair(cluster_file)
    assert session.handle_line("kubectl label node worker-1 a=b").ok
    guard = session._guard()
    assert guard.held is not None
    os.kill(guard.held.pid, signal.SIGKILL)

    session._kubectl = apply_that_breaks()
    out = session.handle_line("kubectl apply -f x.yaml")
    assert out.exit_code == 1
    first, second = out.stderr.split("\n")
    assert first == INTERNAL
    assert second.startswith("error: the cluster state kept before this could not be read back")
    assert session.cluster.store.get("Node", "", "half-done") is not None  # as it was left
    session._kubectl = None
    assert session.handle_line("kubectl get nodes half-done").ok  # and the shell goes on
    # The label's undo entry is another state (from before it), sent in the background.
    assert session.handle_line("undo").stdout == "undone: kubectl label node worker-1 a=b"
    labels = session.cluster.store.get("Node", "", "worker-1")["metadata"]["labels"]
    assert "a" not in labels and session.cluster.store.get("Node", "", "half-done") is None


def test_the_undo_budget_counts_held_states(held: None) -> None:
    cluster = _cluster()
    one, two = UndoEntry.of(cluster, "default"), UndoEntry.of(cluster, "default")
    assert one.held is not None and two.held is not None
    size = len(one.held.payload())
    assert one.size == size
    assert _bytes_held([one, one.copy()]) == size  # one state, counted once
    # Not arrived yet: counted as the last that did.
    assert two.size == size and _bytes_held([one, two]) == 2 * size


def test_undo_of_a_lost_state_says_so(cluster_file: Path, held: None,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    session, _ = _pair(cluster_file)
    entry = UndoEntry.of(session.cluster, session.namespace)
    assert entry.held is not None
    os.kill(entry.held.pid, signal.SIGKILL)
    session.record_change("node add worker-9", entry)
    out = session.handle_line("undo")
    assert out.exit_code == 1
    assert out.stderr.startswith("error: the cluster state kept before this could not be read back")
    assert session.handle_line("kubectl get nodes").ok


def test_no_process_to_spare_is_a_pickle_and_no_open_pipe(held: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = _cluster()

    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    monkeypatch.setattr(os, "fork", refused)
    entry = UndoEntry.of(cluster, "default")
    assert entry.held is None and entry.frozen == pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL)
    if before is not None:
        assert set(os.listdir("/proc/self/fd")) <= before


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads /proc")
@pytest.mark.parametrize("listed", [True, False], ids=["listed", "up-to-the-limit"])
def test_the_child_holds_nothing_of_the_parent_open(held: None, tmp_path: Path, listed: bool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Not the parent's output (a pipe whose reader waits for its end), nor its files;
    found by the system's list of open descriptors, or without one (the child is a copy
    of this process, so the patch below reaches it)."""
    if not listed:
        def unlisted(folder: str) -> list[str]:
            raise OSError("no such listing here")

        monkeypatch.setattr(heldstate.os, "listdir", unlisted)
    kept = open(tmp_path / "parent.txt", "w")  # noqa: SIM115 - open while the child lives
    try:
        state = HeldState(_cluster())
        monkeypatch.undo()  # (the child has its copy; the parent lists /proc again)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            fds = os.listdir(f"/proc/{state.pid}/fd")
            if len(fds) == 5:  # (0-2 on /dev/null, the two pipes)
                break
            time.sleep(0.01)
        targets = {fd: os.readlink(f"/proc/{state.pid}/fd/{fd}") for fd in fds}
        assert [targets[fd] for fd in ("0", "1", "2")] == [os.devnull] * 3
        assert sorted(t.split(":")[0] for fd, t in targets.items()
                      if fd not in ("0", "1", "2")) == ["pipe", "pipe"]
        assert str(tmp_path / "parent.txt") not in targets.values()
        del state
    finally:
        kept.close()


@pytest.mark.parametrize("how", ["undo", "reset"])
def test_a_big_replaced_cluster_is_freed_at_once(cluster_file: Path, held: None, how: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A replaced cluster has reference cycles, and its replacement was thawed with the
    collector paused: without a collection at once, a fleet session kept one per undo."""
    monkeypatch.setattr(session_module, "COLLECT_AT_ONCE_FROM", 0)
    session, _ = _pair(cluster_file)
    assert session.handle_line("kubectl label node worker-1 a=b").ok
    replaced = weakref.ref(session.cluster)
    gc.collect()
    gc.disable()  # (no collection of its own may free it meanwhile)
    try:
        assert session.handle_line(how).ok
        assert replaced() is None
    finally:
        gc.enable()
