"""The shell never dies: a failure inside dstutor is one line, the cluster is put back as
it was before the command, and the REPL, script mode and --state all go on (issue 11,
item 4; issue 18, F7). Failures are injected by monkeypatching a handler."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from shell_helpers import REPO

from dstutor.shell import meta, startup
from dstutor.shell import prompt as repl
from dstutor.shell.session import MAX_UNDO_BYTES, Session, UndoEntry
from dstutor.sim.clusterfile import default_cluster
from dstutor.sim.snapshot import export_state

INTERNAL = "dstutor: internal error: RuntimeError: injected (run with --debug to see the traceback)"


def _state(session: Session) -> str:
    """Everything a cluster holds, as text, to compare before and after."""
    return json.dumps(export_state(session.cluster), sort_keys=True, default=str)


def _fail_after(original, mutate):  # noqa: ANN001, ANN202
    """A handler that, for a name starting with `bad`, changes the cluster part way and
    then hits a bug; other names work as usual."""
    def handler(session: Session, args: meta.Args) -> meta.CommandResult:
        if not args.positional[0].startswith("bad"):
            return original(session, args)
        mutate(session)
        raise RuntimeError("injected")
    return handler


@pytest.fixture
def broken_node_add(monkeypatch: pytest.MonkeyPatch) -> None:
    cmd = meta.COMMANDS["node add"]

    def mutate(session: Session) -> None:
        session.cluster.add_node("half-done")
        session.namespace = "elsewhere"

    monkeypatch.setitem(meta.COMMANDS, "node add",
                        meta.MetaCommand(**{**cmd.__dict__,
                                            "handler": _fail_after(cmd.handler, mutate)}))


def test_an_internal_error_is_one_line_and_puts_the_cluster_back(broken_node_add: None) -> None:
    session = Session(default_cluster())
    session.handle_line("node add kept")
    before, undo = _state(session), list(session.undo_stack)
    out = session.handle_line("node add bad-9")
    assert (out.exit_code, out.stdout, out.stderr, out.hint) == (1, "", INTERNAL, "")
    assert _state(session) == before
    assert session.namespace == "default"
    assert session.undo_stack == undo
    assert session.undo() == "node add kept"  # the history before it still works


def test_a_read_only_verb_that_fails_is_rolled_back_too() -> None:
    def get_that_breaks(cluster, text, **kw):  # noqa: ANN001, ANN202
        # A renderer that edits a stored object in place, then fails.
        cluster.store.get("Node", "", "worker-1")["metadata"]["labels"]["broken"] = "yes"
        cluster.store.remove(cluster.store.get("Node", "", "worker-2"))
        raise RuntimeError("injected")

    session = Session(default_cluster(), kubectl=get_that_breaks)
    before = _state(session)
    out = session.handle_line("kubectl get nodes")
    assert out.stderr == INTERNAL and out.exit_code == 1
    assert _state(session) == before
    assert session.undo_stack == []


def test_reads_share_one_snapshot_until_something_changes() -> None:
    session = Session(default_cluster())
    calls = []
    real = UndoEntry.of

    def counting(cluster, namespace):  # noqa: ANN001, ANN202
        calls.append(1)
        return real(cluster, namespace)

    UndoEntry.of = counting  # type: ignore[method-assign]
    try:
        for _ in range(3):
            session.handle_line("kubectl get nodes")
        assert len(calls) == 1
        session.handle_line("node add extra")  # the write's undo entry is that snapshot
        assert len(calls) == 1
        session.handle_line("kubectl get pods")
        assert len(calls) == 2
    finally:
        UndoEntry.of = real  # type: ignore[method-assign]


def test_keyboard_interrupt_in_a_read_undoes_it_and_stops_it() -> None:
    def interrupted(cluster, text, **kw):  # noqa: ANN001, ANN202
        cluster.add_node("half")
        raise KeyboardInterrupt

    session = Session(default_cluster(), kubectl=interrupted)
    before = _state(session)
    with pytest.raises(KeyboardInterrupt):
        session.handle_line("kubectl get nodes")
    assert _state(session) == before


def test_debug_shows_the_traceback_and_goes_on(broken_node_add: None) -> None:
    session = Session(default_cluster(), debug=True)
    out = session.handle_line("node add bad-x")
    assert out.stderr.startswith("Traceback (most recent call last):")
    assert "RuntimeError: injected" in out.stderr and out.stderr.endswith(INTERNAL)
    assert session.handle_line("node add bad-y").exit_code == 1
    assert session.handle_line("kubectl get nodes -o name").ok


def test_script_mode_goes_on_and_exits_non_zero(broken_node_add: None, tmp_path: Path) -> None:
    stdin = io.StringIO("node add bad\nkubectl get nodes -o name\nadvance 5s\n")
    stdout, stderr = io.StringIO(), io.StringIO()
    status = startup.run(startup.ShellOptions(), stdin=stdin, stdout=stdout, stderr=stderr,
                         interactive=False)
    assert status == 1
    assert stderr.getvalue() == INTERNAL + "\n"
    assert "node/worker-1\n" in stdout.getvalue() and "5s passed" in stdout.getvalue()
    assert "half-done" not in stdout.getvalue()


def test_the_repl_goes_on_after_an_internal_error(broken_node_add: None) -> None:
    session = Session(default_cluster())
    stdout, stderr = io.StringIO(), io.StringIO()
    with create_pipe_input() as pipe:
        prompt = repl.make_prompt(session, input=pipe, output=DummyOutput())
        for keys in ("node add bad\r", "kubectl get nodes -o name\r", "\x04"):
            pipe.send_text(keys)
        status = repl.run_repl(session, prompt=prompt, stdout=stdout, stderr=stderr,
                               no_color=True)
    assert status == 0
    assert INTERNAL + "\n" in stderr.getvalue()
    assert "Traceback" not in stderr.getvalue()
    assert "node/half-done" not in stdout.getvalue() and "node/worker-3" in stdout.getvalue()


def test_the_repl_survives_a_failure_to_show_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(default_cluster())

    def broken_show(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("injected")

    monkeypatch.setattr(repl, "show", broken_show)
    stderr = io.StringIO()
    with create_pipe_input() as pipe:
        prompt = repl.make_prompt(session, input=pipe, output=DummyOutput())
        pipe.send_text("kubectl get nodes\r")
        pipe.send_text("node add after\r")
        pipe.send_text("\x04")
        assert repl.run_repl(session, prompt=prompt, stdout=io.StringIO(), stderr=stderr,
                             no_color=True) == 0
    assert stderr.getvalue().count(INTERNAL) == 2
    assert session.cluster.find("Node", "", "after") is not None


def test_a_lesson_never_shows_a_traceback(broken_node_add: None) -> None:
    from dstutor.lessons._exec import SessionExecutor

    executor = SessionExecutor(Session(default_cluster()))
    result = executor.run("node add bad-x")
    assert result.stderr == INTERNAL + "\n" and result.exit_code == 1
    assert executor.run("kubectl get nodes -o name").exit_code == 0


# --- --state is saved on every way out --------------------------------------------------

def _nodes(path: Path) -> list[str]:
    doc = json.loads(path.read_text())
    return [o["metadata"]["name"] for o in doc["state"]["objects"] if o["kind"] == "Node"]


def _run_state(tmp_path: Path, script: str) -> tuple[int, str]:
    stderr = io.StringIO()
    status = startup.run(startup.ShellOptions(state=str(tmp_path / "st.json")),
                         stdin=io.StringIO(script), stdout=io.StringIO(), stderr=stderr,
                         interactive=False)
    return status, stderr.getvalue()


def test_issue_18_f7_worker_8_is_not_lost(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: [1, 2]\n")
    script = (f"node add worker-7\nsave {tmp_path / 'st.json'}\nnode add worker-8\n"
              f"kubectl apply -f {bad}\n")
    status, _ = _run_state(tmp_path, script)
    assert status == 1
    assert "worker-8" in _nodes(tmp_path / "st.json")


@pytest.mark.parametrize("script", ["node add w9\n", "node add w9\nexit\nnode add no\n",
                                    "node add w9\nnode frobnicate\n",
                                    "node add w9\nnode add bad\n"])
def test_state_is_saved_at_the_end_exit_an_error_and_an_internal_error(
        tmp_path: Path, script: str, broken_node_add: None) -> None:
    _run_state(tmp_path, script)
    nodes = _nodes(tmp_path / "st.json")
    assert "w9" in nodes and "no" not in nodes and "half-done" not in nodes


def test_state_is_saved_on_ctrl_c_without_the_interrupted_command(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cmd = meta.COMMANDS["node add"]

    def interrupted(session: Session, args: meta.Args) -> meta.CommandResult:
        if args.positional[0] == "stop":
            session.cluster.add_node("half-done")
            raise KeyboardInterrupt
        return cmd.handler(session, args)

    monkeypatch.setitem(meta.COMMANDS, "node add",
                        meta.MetaCommand(**{**cmd.__dict__, "handler": interrupted}))
    status, err = _run_state(tmp_path, "node add w9\nnode add stop\nnode add never\n")
    assert status == 130 and err == "interrupted\n"
    nodes = _nodes(tmp_path / "st.json")
    assert "w9" in nodes and "half-done" not in nodes and "never" not in nodes


def test_state_is_saved_when_an_error_escapes(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def escaping(*args, **kw):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("outside any command")

    monkeypatch.setattr("dstutor.shell.script.run_script", escaping)
    with pytest.raises(RuntimeError):
        _run_state(tmp_path, "node add w9\n")
    assert "worker-1" in _nodes(tmp_path / "st.json")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGTERM")
def test_state_is_saved_on_sigterm(tmp_path: Path) -> None:
    state = tmp_path / "st.json"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "dstutor", "shell", "--state", str(state)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("node add w9\n")
    proc.stdin.flush()
    assert "node/w9 joined" in proc.stdout.readline()  # the line ran; stdin stays open
    proc.send_signal(signal.SIGTERM)
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143 and err == "terminated\n"
    assert "w9" in _nodes(state)


def test_a_state_file_that_cannot_be_read_is_never_overwritten(tmp_path: Path) -> None:
    state = tmp_path / "st.json"
    state.write_text('{"format": "dstutor/cluster-snapshot", "formatVersion": 2}')
    status, err = _run_state(tmp_path, "node add w9\n")
    assert status == 1 and "leaving" in err
    assert state.read_text() == '{"format": "dstutor/cluster-snapshot", "formatVersion": 2}'


# --- undo stays bounded ---------------------------------------------------------------------

def test_undo_keeps_at_most_its_byte_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    session = Session(default_cluster())
    session.handle_line("node add first")
    one = session.undo_stack[0].size
    monkeypatch.setattr("dstutor.shell.session.MAX_UNDO_BYTES", one * 3)
    for i in range(10):
        session.handle_line(f"node add n{i}")
    assert sum(e.size for e in session.undo_stack) <= one * 3 + one // 2
    assert 1 <= len(session.undo_stack) <= 3
    assert session.undo() == "node add n9"
    assert MAX_UNDO_BYTES >= 64 * 1024 * 1024



def test_a_lesson_engine_bug_is_one_line_and_the_lesson_goes_on() -> None:
    from dstutor.cli.lessons import run_script_lines
    from dstutor.lessons.runner import Reply

    class BrokenRunner:
        def handle_line(self, line: str) -> Reply:
            if line == "check":
                raise RuntimeError("injected")
            return Reply(stdout=f"ran {line}\n")

    stdout, stderr = io.StringIO(), io.StringIO()
    status = run_script_lines(BrokenRunner(), ["check\n", "next\n"], stdout, stderr)  # type: ignore[arg-type]
    assert status == 1
    assert stderr.getvalue() == INTERNAL + "\n"
    assert stdout.getvalue() == "ran next\n"
