"""Simulator commands through Session.handle_line: nodes, time, undo, reset, files, help."""

from __future__ import annotations

from pathlib import Path

import pytest
from shell_helpers import NODE_LOGGER

from dstutor.controller.gc import orphan_pods_deleted_at
from dstutor.model.objects import is_node_ready
from dstutor.shell import meta
from dstutor.shell.durations import format_duration
from dstutor.shell.helptext import help_text
from dstutor.shell.session import Session


def _node(session: Session, name: str) -> dict:
    node = session.cluster.find("Node", "", name)
    assert node is not None
    return node


def test_meta_registry_feeds_dispatch_help_and_completion() -> None:
    names = set(meta.COMMANDS)
    assert {"node add", "node remove", "node fail", "node recover", "advance", "undo", "reset",
            "save", "load", "help", "exit", "why", "map"} <= names
    listing = help_text("")
    assert listing is not None
    for cmd in meta.COMMANDS.values():
        if cmd.name != "node":
            assert cmd.usage in listing


def test_meta_node_add_with_labels_taints_and_role(session: Session) -> None:
    out = session.handle_line("node add gpu-1 --label gpu=true --label zone=a "
                              "--taint dedicated=gpu:NoSchedule --role gpu")
    assert out.ok and out.changed
    assert out.stdout == ("node/gpu-1 joined; it turns Ready after 2s of virtual time "
                          "(`advance 2s`)")
    node = _node(session, "gpu-1")
    labels = node["metadata"]["labels"]
    assert labels["gpu"] == "true" and labels["zone"] == "a"
    assert labels["node-role.kubernetes.io/gpu"] == ""
    assert {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"} in node["spec"]["taints"]
    assert not is_node_ready(node)
    session.handle_line("advance 2s")
    assert is_node_ready(_node(session, "gpu-1"))


@pytest.mark.parametrize("line, message", [
    ("node add", "error: `node add` needs more arguments; usage: node add NAME"),
    ("node add x --label gpu", "error: bad --label 'gpu': write it as key=value"),
    ("node add x --taint foo", "error: bad --taint 'foo': invalid taint spec: foo"),
    ("node add x --taint a=b:Sometimes", "error: bad --taint 'a=b:Sometimes': invalid taint "
                                         "effect: Sometimes"),
    ("node add x --colour red", "error: unknown flag --colour for `node add` (its flags: "
                                "--label, --taint, --role, --no-network)"),
    ("node add x --label", "error: --label needs a value: --label KEY=VALUE"),
    ("node add worker-1", 'Error from server (AlreadyExists): nodes "worker-1" already exists'),
    ("node remove nosuch", 'error: no node named "nosuch" (nodes: control-plane, worker-1, '
                           'worker-2, worker-3)'),
    ("node fail nosuch", 'error: no node named "nosuch"'),
    ("node recover worker-1", "error: node worker-1 has not failed (try `node fail worker-1`)"),
    ("node frob x", "error: unknown node command 'frob'"),
    ("node remove a b", "error: unexpected argument 'b'; usage: node remove NAME"),
])
def test_meta_node_errors_are_one_clear_line(session: Session, line: str, message: str) -> None:
    out = session.handle_line(line)
    assert out.exit_code == 1
    assert out.stderr.startswith(message), out.stderr
    assert "\n" not in out.stderr.strip()
    assert session.undo_stack == []


def test_meta_node_remove_garbage_collects_pods(session: Session) -> None:
    assert session.cluster.pods_of("kube-proxy", "kube-system")
    now = session.cluster.now()
    out = session.handle_line("node remove worker-2")
    wait = orphan_pods_deleted_at(now) - now
    assert 40 <= wait <= 60
    assert out.stdout == (f"node/worker-2 removed; pod GC deletes the pods bound to it after "
                          f"{wait:g}s of virtual time (`advance {wait:g}s`)")
    assert session.cluster.find("Node", "", "worker-2") is None

    def nodes() -> set[str]:
        return {p["spec"]["nodeName"] for p in session.cluster.pods_of("kube-proxy",
                                                                        "kube-system")}

    assert "worker-2" in nodes()  # quarantined: the node might come back
    session.handle_line(f"advance {wait:g}s")
    assert "worker-2" not in nodes()


def test_meta_node_fail_then_recover(session: Session) -> None:
    out = session.handle_line("node fail worker-1")
    assert out.stdout == ("node/worker-1: the kubelet stopped reporting; the node turns "
                          "NotReady after 50s")
    assert session.handle_line("node fail worker-1").stderr.startswith(
        "error: node worker-1 has already failed")
    session.handle_line("advance 51s")
    assert not is_node_ready(_node(session, "worker-1"))
    out = session.handle_line("node recover worker-1")
    assert out.stdout == "node/worker-1: the kubelet reports again; the node is Ready"
    assert is_node_ready(_node(session, "worker-1"))


def test_meta_advance_with_duration(session: Session) -> None:
    start = session.cluster.now()
    out = session.handle_line("advance 1m30s")
    assert out.stdout.startswith("1m30s passed; virtual time is now ")
    assert session.cluster.now() == start + 90


@pytest.mark.parametrize("text", ["3x", "soon", "10", "-5s", "367d", "1.5.2s", "-1d", "7dd",
                                  "1d-5s", "1h7d"])
def test_meta_advance_bad_duration_is_one_line(session: Session, text: str) -> None:
    start = session.cluster.now()
    out = session.handle_line(f"advance {text}")
    assert out.exit_code == 1
    assert out.stderr.startswith(f'error: bad duration "{text}"')
    assert "\n" not in out.stderr
    assert session.cluster.now() == start


def test_meta_advance_until_quiet(session: Session) -> None:
    assert session.handle_line("advance").stdout.startswith("nothing is waiting to happen")
    session.handle_line(f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF")
    out = session.handle_line("advance")
    assert "passed; nothing more is changing" in out.stdout
    pods = session.cluster.pods_of("node-logger")
    assert len(pods) == 3 and all(p["status"]["phase"] == "Running" for p in pods)


@pytest.mark.parametrize("duration, expected", [(30, "30s"), (90, "1m30s"), (3600, "1h"),
                                                (3720, "1h2m"), (0, "0s"), (0.5, "0.5s"),
                                                (7 * 86400, "7d"), (86400 + 7200, "1d2h")])
def test_meta_format_duration(duration: float, expected: str) -> None:
    assert format_duration(duration) == expected


def test_meta_undo_reverts_node_commands_in_order(session: Session) -> None:
    session.handle_line("node add extra")
    session.handle_line("node remove worker-1")
    assert session.handle_line("undo").stdout == "undone: node remove worker-1"
    assert session.cluster.find("Node", "", "worker-1") is not None
    assert session.handle_line("undo").stdout == "undone: node add extra"
    assert session.cluster.find("Node", "", "extra") is None
    assert session.handle_line("undo").stderr == "error: nothing to undo"


def test_meta_failed_command_leaves_no_undo_entry(session: Session) -> None:
    session.handle_line("node add worker-1")
    session.handle_line("advance nonsense")
    assert session.undo_stack == []


def test_meta_reset_and_undo_reset(session: Session) -> None:
    session.handle_line("node add extra")
    out = session.handle_line("reset")
    assert out.stdout.startswith("the cluster is back to how the shell started")
    assert session.cluster.find("Node", "", "extra") is None
    session.handle_line("undo")
    assert session.cluster.find("Node", "", "extra") is not None


def test_meta_save_and_load_round_trip(session: Session, tmp_path: Path) -> None:
    session.handle_line(f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF")
    path = tmp_path / "snap.json"
    assert session.handle_line(f"save {path}").stdout == f"saved the cluster to {path}"
    session.handle_line("node remove worker-3")
    out = session.handle_line(f"load {path}")
    assert out.ok and out.stdout.startswith(f"loaded the cluster from {path}")
    assert session.cluster.find("Node", "", "worker-3") is not None
    session.handle_line("advance")
    assert len(session.cluster.pods_of("node-logger")) == 3
    session.handle_line("undo")  # undo the advance
    session.handle_line("undo")  # undo the load
    assert session.cluster.find("Node", "", "worker-3") is None


@pytest.mark.parametrize("content", [b"", b"not json", b"{}", b"[1, 2]", b"\xff\xfe",
                                     b'{"format": "dstutor/cluster-snapshot", '
                                     b'"formatVersion": 1, "state": {"$o": "os:system"}}',
                                     b'{"format": "dstutor/cluster-snapshot", '
                                     b'"formatVersion": 1, "state": [1]}',
                                     b'{"format": "dstutor/cluster-snapshot", '
                                     b'"formatVersion": 99, "state": null}'])
def test_meta_load_corrupt_file_is_one_line_and_changes_nothing(
        session: Session, tmp_path: Path, content: bytes) -> None:
    session.handle_line("node add keep-me")
    before = session.cluster
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    out = session.handle_line(f"load {path}")
    assert out.exit_code == 1
    assert out.stderr.startswith(f"error: cannot load {path}: ")
    assert "\n" not in out.stderr
    assert session.cluster is before
    assert path.read_bytes() == content


def test_meta_load_missing_file(session: Session, tmp_path: Path) -> None:
    out = session.handle_line(f"load {tmp_path / 'nope.json'}")
    assert out.stderr == f"error: cannot load {tmp_path / 'nope.json'}: No such file or directory"


def test_meta_save_to_unwritable_place(session: Session, tmp_path: Path) -> None:
    out = session.handle_line(f"save {tmp_path / 'no' / 'dir' / 'x.json'}")
    assert out.exit_code == 1
    assert out.stderr.startswith("error: cannot save to ")


def test_meta_help_topics() -> None:
    assert "node add NAME" in (help_text("node add") or "")
    node_help = help_text("node") or ""
    assert "node fail NAME" in node_help and "node recover NAME" in node_help
    assert "rollout" in (help_text("kubectl") or "")
    assert (help_text("get") or "").startswith("kubectl get: Display one or many resources")
    assert "manual clock" in (help_text("time") or "")
    assert help_text("nonsense") is None


def test_meta_help_unknown_topic(session: Session) -> None:
    out = session.handle_line("help nonsense")
    assert out.stderr == "error: no help on 'nonsense'; type `help` for the list of topics"


def test_meta_help_lines_fit_80_columns() -> None:
    for topic in ("", "node", "advance", "why", "map", "undo"):
        text = help_text(topic) or ""
        too_wide = [line for line in text.splitlines() if len(line) > 80]
        assert not too_wide, topic
