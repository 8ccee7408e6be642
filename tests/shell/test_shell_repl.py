"""The REPL driven through prompt_toolkit's pipe input: commands, heredocs, keys, history."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from prompt_toolkit import PromptSession
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput

from dstutor.shell import prompt as repl
from dstutor.shell.session import Session
from dstutor.sim.clock import Clock
from dstutor.sim.clusterfile import default_cluster

MANIFEST_LINES = ["apiVersion: apps/v1", "kind: DaemonSet", "metadata: {name: agent}",
                  "spec:", "  selector: {matchLabels: {app: agent}}", "  template:",
                  "    metadata: {labels: {app: agent}}", "    spec:",
                  "      containers: [{name: a, image: 'busybox:1.36'}]"]


@contextmanager
def _repl_input() -> Iterator[PipeInput]:
    with create_pipe_input() as pipe:
        yield pipe


# A chunk of keys, or a chunk and what the prompt must show before the next
# chunk is typed: completion and history loading run beside the key handling, so a key
# typed at once can come before their result (see _run).
Key = str | tuple[str, Callable[[PromptSession[str]], bool]]


def _run(session: Session, keys: list[Key], *, history=None  # noqa: ANN001
         ) -> tuple[int, str, str]:
    """Type `keys` into the REPL; returns status, stdout, stderr.

    A chunk with a condition is followed by a wait until the prompt meets it
    (polled every 10 ms, at most 10 s, after which typing goes on and the test's own
    assertions say what went wrong), instead of a fixed pause that a busy machine can
    outrun (and which every run paid in full)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with _repl_input() as pipe:
        prompt = repl.make_prompt(session, history=history, input=pipe, output=DummyOutput())
        if any(isinstance(key, tuple) for key in keys):
            def feed() -> None:
                for key in keys:
                    chunk, ready = key if isinstance(key, tuple) else (key, None)
                    pipe.send_text(chunk)
                    deadline = time.monotonic() + 10
                    while (ready is not None and not ready(prompt)
                           and time.monotonic() < deadline):
                        time.sleep(0.01)
            threading.Thread(target=feed, daemon=True).start()
        else:
            for key in keys:
                pipe.send_text(key)  # type: ignore[arg-type]
        status = repl.run_repl(session, prompt=prompt, stdout=stdout, stderr=stderr,
                               no_color=True)
    return status, stdout.getvalue(), stderr.getvalue()


def _shows(text: str) -> Callable[[PromptSession[str]], bool]:
    return lambda prompt: prompt.default_buffer.text == text


def _menu(prompt: PromptSession[str]) -> bool:
    return prompt.default_buffer.complete_state is not None


def test_repl_runs_commands_until_ctrl_d(session: Session) -> None:
    status, out, err = _run(session, ["kubectl get nodes -o name\r", "node add extra\r", "\x04"])
    assert status == 0
    assert "node/worker-1\n" in out
    assert "node/extra joined" in out
    assert err.startswith("dstutor shell: 4 nodes, manual clock.")


def test_repl_ctrl_c_cancels_the_line_only(session: Session) -> None:
    status, out, _ = _run(session, ["node add dropped\x03", "node add kept\r", "\x04"])
    assert status == 0
    assert session.log == ["node add kept"]
    assert session.cluster.find("Node", "", "dropped") is None


def test_repl_exit_command_leaves(session: Session) -> None:
    _, out, _ = _run(session, ["exit\r", "node add never\r"])
    assert session.cluster.find("Node", "", "never") is None


def test_repl_heredoc_spans_lines(session: Session) -> None:
    keys = ["kubectl apply -f - <<EOF\r", *[f"{line}\r" for line in MANIFEST_LINES], "EOF\r",
            "\x04"]
    _, out, err = _run(session, keys)
    assert "daemonset.apps/agent created" in out, err
    assert session.log[0].count("\n") == len(MANIFEST_LINES) + 1


def test_repl_errors_plain_and_hint_after(session: Session) -> None:
    _, out, err = _run(session, ["get pods\r", "kubectl get ds nope\r", "\x04"])
    assert "did you mean `kubectl get pods`?\n" in err
    assert 'Error from server (NotFound): daemonsets.apps "nope" not found\n' in err
    assert "\x1b[" not in err + out  # --no-color


def test_repl_tab_completes_from_the_cluster(session: Session) -> None:
    _run(session, [("kubectl get nod\t", _shows("kubectl get nodes")), "\r",
                   ("node fail worker-\t", _menu), "2\r", "\x04"])
    assert session.log == ["kubectl get nodes", "node fail worker-2"]


def test_repl_history_persists_in_dstutor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    monkeypatch.setenv("DSTUTOR_HOME", str(tmp_path / "home"))
    first = Session(default_cluster())
    _run(first, ["node add remembered\r", "\x04"], history=repl.open_history(io.StringIO()))
    assert "node add remembered" in (tmp_path / "home" / "history").read_text()
    second = Session(default_cluster())
    # Up-arrow recalls the previous session's command.
    _run(second, [("\x1b[A", _shows("node add remembered")), "\r", "\x04"],
         history=repl.open_history(io.StringIO()))
    assert second.log == ["node add remembered"]


def test_repl_history_falls_back_to_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("DSTUTOR_HOME", str(blocker / "sub"))
    err = io.StringIO()
    history = repl.open_history(err)
    assert type(history).__name__ == "InMemoryHistory"
    assert err.getvalue().startswith("note: cannot keep command history in ")


def test_repl_data_dir_defaults_to_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DSTUTOR_HOME", raising=False)
    assert repl.data_dir().name == "dstutor"


def test_repl_toolbar_shows_time_nodes_and_namespace() -> None:
    session = Session(default_cluster())
    text = repl.toolbar_text(session)
    assert "virtual time 00:00:03 (manual clock)" in text
    assert "4 nodes" in text and "namespace default" in text


def test_repl_toolbar_follows_the_live_clock() -> None:
    wall = [100.0]
    session = Session(default_cluster(clock=Clock(mode="live", speed=2, wall=lambda: wall[0])))
    wall[0] += 30
    assert "virtual time 00:01:03 (live clock ×2)" in repl.toolbar_text(session)


@pytest.mark.parametrize("text, more", [("kubectl apply -f - <<EOF", True),
                                        ("kubectl apply -f - <<EOF\nx: 1\nEOF", False),
                                        ("kubectl get pods", False), ("echo 'open", False)])
def test_repl_enter_continues_only_inside_a_heredoc(text: str, more: bool) -> None:
    assert repl.needs_more_lines(text) is more


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_tty(session: Session, keys: list[str], *, no_color: bool) -> tuple[str, str]:
    stdout, stderr = _Tty(), _Tty()
    with _repl_input() as pipe:
        for chunk in keys:
            pipe.send_text(chunk)
        prompt = repl.make_prompt(session, input=pipe, output=DummyOutput())
        repl.run_repl(session, prompt=prompt, stdout=stdout, stderr=stderr, no_color=no_color)
    return stdout.getvalue(), stderr.getvalue()


def test_repl_colours_tutor_messages_but_never_kubectl_output(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out, err = _run_tty(session, ["get pods\r", "kubectl get nodes\r", "kubectl get x y\r",
                                  "map\r", "\x04"], no_color=False)
    assert "\x1b[36mdid you mean `kubectl get pods`?\x1b[0m" in err
    table = out.split("\x1b[1mvirtual time")[0]
    assert "control-plane" in table and "\x1b[" not in table
    assert "error: the server doesn't have a resource type \"x\"\n" in err
    assert "\x1b[32mRunning" in out  # the map is a tutor picture: coloured


@pytest.mark.parametrize("how", ["flag", "env"])
def test_repl_no_color_flag_and_env(session: Session, monkeypatch: pytest.MonkeyPatch,
                                    how: str) -> None:
    monkeypatch.setenv("TERM", "xterm-256color")
    if how == "env":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    out, err = _run_tty(session, ["get pods\r", "map\r", "\x04"], no_color=how == "flag")
    assert "\x1b[" not in out + err


def test_repl_toolbar_explains_an_open_heredoc(session: Session) -> None:
    text = repl.toolbar_text(session, "kubectl apply -f - <<END\nkind: X")
    assert text == " heredoc: end it with a line that is just END · Ctrl-C cancels"


def test_repl_ctrl_c_during_a_command_puts_the_cluster_back() -> None:
    def interrupted(cluster, text, **kw):  # noqa: ANN001, ANN003, ANN202
        cluster.add_node("half-done")
        raise KeyboardInterrupt

    session = Session(default_cluster(), kubectl=interrupted)
    _, _, err = _run(session, ["kubectl apply -f big.yaml\r", "node add after\r", "\x04"])
    assert repl.CANCELLED_MSG in err
    assert session.cluster.find("Node", "", "half-done") is None
    assert session.cluster.find("Node", "", "after") is not None


def test_repl_ctrl_r_searches_the_history(session: Session) -> None:
    from prompt_toolkit.history import InMemoryHistory

    history = InMemoryHistory()
    for line in ("kubectl get nodes -o name", "kubectl get ds -A"):
        history.append_string(line)
    # Ctrl-R, type part of an earlier line, Enter accepts the match, Enter runs it.
    # (the search is typed once both lines are loaded: history loads beside the keys)
    status, out, _ = _run(session, [("\x12", lambda p: p.default_buffer.working_index == 2),
                                    ("nodes -o", lambda p: p.search_buffer.text == "nodes -o"),
                                    ("\r", _shows("kubectl get nodes -o name")), "\r",
                                    "\x04"], history=history)
    assert status == 0
    assert "node/worker-1\n" in out
    assert "kube-proxy" not in out  # the newer `get ds -A` line was not the one run
