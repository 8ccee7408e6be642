"""Session.handle_line: routing, errors, undo bookkeeping (mostly with a fake kubectl)."""

from __future__ import annotations

import pytest
from shell_helpers import NODE_LOGGER, FakeKubectl

from dstutor.kubectl.result import CommandResult
from dstutor.shell.session import Session, is_kubectl_line, kubectl_verb
from dstutor.sim.clusterfile import default_cluster


@pytest.fixture
def fake_session(fake: FakeKubectl) -> Session:
    return Session(default_cluster(), kubectl=fake, reset_factory=default_cluster)


@pytest.mark.parametrize("line, expected", [
    ("kubectl get pods", True), ("k get pods", True), ("  kubectl version", True),
    ("kubectlx get", False), ("get pods", False), ("node add x", False), ("", False),
])
def test_session_is_kubectl_line(line: str, expected: bool) -> None:
    assert is_kubectl_line(line) is expected


@pytest.mark.parametrize("line, verb", [
    ("kubectl get pods -A", "get"), ("k -n kube-system get ds", "get"),
    ("kubectl rollout status ds/x", "rollout status"), ("kubectl", ""),
    ("kubectl create -f x.yaml", "create"), ("kubectl rollout", "rollout"),
])
def test_session_kubectl_verb(line: str, verb: str) -> None:
    assert kubectl_verb(line) == verb


def test_session_routes_kubectl_lines_to_dispatch(fake_session: Session, fake: FakeKubectl
                                                  ) -> None:
    out = fake_session.handle_line("k get pods")
    assert fake.calls == ["k get pods"]
    assert out == CommandResult(stdout="ran k get pods\n")


def test_session_passes_heredoc_through_whole(fake_session: Session, fake: FakeKubectl
                                              ) -> None:
    fake_session.handle_line("kubectl apply -f - <<EOF\nkind: X\nEOF")
    assert fake.calls == ["kubectl apply -f - <<EOF\nkind: X\nEOF"]


def test_session_kubectl_error_keeps_stderr_and_hint(fake_session: Session) -> None:
    out = fake_session.handle_line("kubectl get pods fail")
    assert out.exit_code == 1
    assert out.stderr == 'Error from server (NotFound): pods "x" not found\n'
    assert out.hint == "try kubectl get pods"


@pytest.mark.parametrize("line", ["", "   ", "# a comment", "  # indented comment"])
def test_session_blank_and_comment_lines_do_nothing(fake_session: Session, line: str) -> None:
    assert fake_session.handle_line(line) == CommandResult()


def test_session_suggests_kubectl_for_bare_verb(fake_session: Session) -> None:
    out = fake_session.handle_line("get pods")
    assert out.exit_code == 1
    assert out.hint == "did you mean `kubectl get pods`?"
    assert out.stderr == ""


def test_session_suggests_close_simulator_command(fake_session: Session) -> None:
    assert fake_session.handle_line("advnace 30s").hint == "did you mean `advance 30s`?"
    assert fake_session.handle_line("kubctl get pods").hint == (
        "did you mean `kubectl get pods`?")


def test_session_unknown_command_is_one_clear_line(fake_session: Session) -> None:
    out = fake_session.handle_line("frobnicate the cluster")
    assert out.exit_code == 1
    assert "\n" not in out.hint.strip()
    assert "unknown command 'frobnicate'" in out.hint
    assert "`help` lists the others" in out.hint


def test_session_undo_reverts_a_changing_kubectl_line(fake: FakeKubectl) -> None:
    fake.changed = True
    session = Session(default_cluster(), kubectl=fake)
    session.handle_line("kubectl apply -f x.yaml")
    assert session.cluster.find("Node", "", "fake-1") is not None
    out = session.handle_line("undo")
    assert out.stdout == "undone: kubectl apply -f x.yaml"
    assert session.cluster.find("Node", "", "fake-1") is None


def test_session_read_only_verbs_take_no_snapshot(fake_session: Session, monkeypatch) -> None:
    taken: list[int] = []
    original = fake_session.snapshot
    monkeypatch.setattr(fake_session, "snapshot", lambda: taken.append(1) or original())
    fake_session.handle_line("kubectl get pods")
    fake_session.handle_line("kubectl describe ds x")
    assert taken == []
    fake_session.handle_line("kubectl delete ds x")
    assert taken == [1]


def test_session_unchanged_result_leaves_undo_empty(fake_session: Session) -> None:
    fake_session.handle_line("kubectl delete ds x")
    assert fake_session.undo_stack == []
    assert fake_session.handle_line("undo").stderr == "error: nothing to undo"


def test_session_meta_parse_error_is_one_line(fake_session: Session) -> None:
    out = fake_session.handle_line("node add 'unterminated")
    assert out.exit_code == 1
    assert out.stderr.startswith("bash: unexpected EOF")
    assert "\n" not in out.stderr


def test_session_meta_refuses_heredoc(fake_session: Session) -> None:
    out = fake_session.handle_line("node add x <<EOF\nhello\nEOF")
    assert out.stderr == "error: `node add` takes no heredoc; only kubectl reads one"


def test_session_exit_sets_flag(fake_session: Session) -> None:
    assert fake_session.handle_line("exit").exit is True


def test_session_logs_every_command(fake_session: Session) -> None:
    fake_session.handle_line("k get pods")
    fake_session.handle_line("")
    fake_session.handle_line("advance 1s")
    assert fake_session.log == ["k get pods", "advance 1s"]


def test_session_real_kubectl_apply_then_undo(session: Session) -> None:
    out = session.handle_line(f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF")
    assert out.stdout == "daemonset.apps/node-logger created\n", out.stderr
    assert out.changed
    session.handle_line("advance")
    assert len(session.cluster.pods_of("node-logger")) == 3
    # undo reverts the advance, then the apply
    assert session.handle_line("undo").stdout == "undone: advance"
    assert session.handle_line("undo").stdout.startswith("undone: kubectl apply -f - <<EOF")
    assert session.cluster.find("DaemonSet", "default", "node-logger") is None


def test_session_real_kubectl_error_text_is_kubectl_s(session: Session) -> None:
    out = session.handle_line("kubectl get ds nope")
    assert out.exit_code == 1
    assert out.stderr == 'Error from server (NotFound): daemonsets.apps "nope" not found\n'
