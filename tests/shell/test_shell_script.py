"""Script mode through the installed `dstutor` command: --echo transcripts kept as goldens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shell_helpers import NODE_LOGGER, check_golden, dstutor

from dstutor.shell.script import read_commands

APPLY = f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF\n"

# One transcript per simulator command (plus kubectl around it to show the effect).
TRANSCRIPTS = {
    "node_add": "node add gpu-1 --label gpu=true --taint dedicated=gpu:NoSchedule --role gpu\n"
                "kubectl get nodes\nadvance 2s\nkubectl get nodes\n",
    "node_remove": APPLY + ("advance\nnode remove worker-2\nkubectl get pods -o wide\n"
                            "advance 1m\nkubectl get pods -o wide\n"),
    "node_fail_recover": APPLY + "advance\nnode fail worker-1\nadvance 55s\nkubectl get nodes\n"
                         "node recover worker-1\nkubectl get nodes\n",
    "advance": APPLY + "kubectl get pods\nadvance 2s\nkubectl get pods\nadvance\n"
               "kubectl get pods\nadvance 1m\nadvance\n",
    "undo": "node add extra\nkubectl label node worker-1 disk=ssd\nundo\n"
            "kubectl get nodes --show-labels -l disk=ssd\nundo\nkubectl get nodes\n",
    "reset": APPLY + "advance\nreset\nkubectl get ds\nundo\nkubectl get ds\n",
    "save_load": APPLY + "save snap.json\nnode remove worker-3\nload snap.json\nadvance\n"
                 "kubectl get pods -o wide\n",
    "why": APPLY + "advance\nnode add gpu-1 --taint dedicated=gpu:NoSchedule\nadvance\n"
           "why gpu-1 node-logger\n",
    "map": APPLY + "advance\nkubectl cordon worker-1\nmap\n",
    "help": "help\nhelp node\nhelp why\n",
    "exit": "node add a\nexit\nnode add b\n",
    "bad_input": "undo\nget pods\nadvance 3x\nnode fail nosuch\nfrobnicate\nkubectl get ds nope\n"
                 "kubectl get nodes\n",
}


@pytest.mark.parametrize("name", sorted(TRANSCRIPTS))
def test_script_transcript_golden(name: str, tmp_path: Path) -> None:
    run = dstutor("shell", "--echo", stdin=TRANSCRIPTS[name], merge=True, cwd=tmp_path)
    check_golden(f"script_{name}.txt", run.stdout)
    expected = 1 if name == "bad_input" else 0
    assert run.status == expected, run.stdout


def test_script_echo_splits_per_command(tmp_path: Path) -> None:
    run = dstutor("shell", "--echo", stdin="kubectl get nodes\n\n# a comment\nadvance 1s\n")
    assert run.stdout.count("\n$ ") + run.stdout.startswith("$ ") == 2
    assert run.stdout.splitlines()[0] == "$ kubectl get nodes"


def test_script_without_echo_prints_outputs_only() -> None:
    run = dstutor("shell", stdin="advance 5s\n")
    assert run.stdout == "5s passed; virtual time is now 00:00:08\n"
    assert run.status == 0 and run.stderr == ""


def test_script_errors_go_to_stderr_with_hint_after() -> None:
    run = dstutor("shell", stdin="kubectl get ds nope\nkubectl create daemonset x\n")
    assert run.status == 1
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert lines[0] == 'Error from server (NotFound): daemonsets.apps "nope" not found'
    assert len(lines) >= 3  # kubectl's own error, then the tutor's hint below it


def test_script_status_is_zero_only_if_every_command_worked() -> None:
    assert dstutor("shell", stdin="kubectl get nodes\nadvance\n").status == 0
    assert dstutor("shell", stdin="kubectl get nodes\nadvance x\nadvance\n").status == 1


def test_script_unterminated_heredoc_is_one_line() -> None:
    run = dstutor("shell", stdin="kubectl get nodes\nkubectl apply -f - <<EOF\nkind: X\n EOF\n")
    assert run.status == 1
    assert "control-plane" in run.stdout
    assert run.stderr == ('error: the heredoc that starts on line 2 never ends: no line is '
                          'exactly "EOF", so the command was not run (line 4 is " EOF": the '
                          'delimiter must stand alone on its line)\n')


def test_script_manual_clock_by_default_live_on_request() -> None:
    run = dstutor("shell", stdin="kubectl get nodes\n")
    assert "   3s    " in run.stdout  # manual: the AGE does not move while the script runs
    live = dstutor("shell", "--clock", "live", "--speed", "1000", stdin="map\n")
    assert live.status == 0 and "virtual time" in live.stdout


def test_script_nodes_and_seed_options() -> None:
    run = dstutor("shell", "--nodes", "1", "--seed", "7", stdin="kubectl get nodes -o name\n")
    assert run.stdout == "node/control-plane\nnode/worker-1\n"
    other = dstutor("shell", "--seed", "8", stdin="kubectl get pods -A -o name\n")
    again = dstutor("shell", "--seed", "8", stdin="kubectl get pods -A -o name\n")
    assert other.stdout == again.stdout


def test_script_manifest_option(tmp_path: Path) -> None:
    manifest = tmp_path / "ds.yaml"
    manifest.write_text(NODE_LOGGER)
    run = dstutor("shell", "-f", str(manifest), stdin="kubectl get ds\n")
    assert run.status == 0, run.stderr
    assert run.stdout.splitlines()[1].split()[:3] == ["node-logger", "3", "3"]


def test_script_bad_manifest_option_is_one_line_and_shell_goes_on(tmp_path: Path) -> None:
    run = dstutor("shell", "-f", str(tmp_path / "missing.yaml"), stdin="kubectl get nodes\n")
    assert run.stderr == f'error: the path "{tmp_path / "missing.yaml"}" does not exist (skipped)\n'
    assert "worker-1" in run.stdout
    assert run.status == 1


def test_script_cluster_file(tmp_path: Path) -> None:
    (tmp_path / "ds.yaml").write_text(NODE_LOGGER)
    (tmp_path / "c.yaml").write_text(
        "apiVersion: dstutor/v1\nkind: Cluster\nmetadata: {name: classroom}\n"
        "nodes:\n  - {name: alpha}\n  - {name: beta, labels: {gpu: 'true'}}\n"
        "manifests: [ds.yaml]\n")
    run = dstutor("shell", "--cluster", str(tmp_path / "c.yaml"),
                  stdin="kubectl get nodes -o name\nkubectl get pods -o name\n")
    assert run.status == 0, run.stderr
    assert run.stdout.splitlines()[:2] == ["node/alpha", "node/beta"]
    assert run.stdout.count("pod/node-logger-") == 2


@pytest.mark.parametrize("content, start", [
    (None, "error: the path"),
    ("kind: Pod\n", "error: {path}: kind must be Cluster"),
    ("nodes: [\n", "error: error parsing {path}"),
])
def test_script_unreadable_cluster_file_is_one_line(tmp_path: Path, content: str | None,
                                                     start: str) -> None:
    path = tmp_path / "cluster.yaml"
    if content is not None:
        path.write_text(content)
    run = dstutor("shell", "--cluster", str(path), stdin="kubectl get nodes -o name\n")
    assert run.stderr.startswith(start.format(path=path)), run.stderr
    assert run.stderr.endswith("; starting the default cluster instead\n")
    assert run.stderr.count("\n") == 1
    assert "node/worker-1" in run.stdout
    assert run.status == 1


def test_script_state_file_round_trip(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    first = dstutor("shell", "--state", str(state), stdin="node add remembered\n")
    assert first.status == 0 and state.exists()
    second = dstutor("shell", "--state", str(state), stdin="kubectl get nodes -o name\n")
    assert "node/remembered" in second.stdout


def test_script_corrupt_state_file_is_never_overwritten(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text('{"format": "something else"}')
    run = dstutor("shell", "--state", str(state), stdin="node add x\nkubectl get nodes -o name\n")
    assert run.stderr == (f"error: cannot load {state}: it is not a dstutor snapshot (made with "
                          f"`save FILE`); starting a fresh cluster and leaving {state} "
                          "untouched\n")
    assert "node/x" in run.stdout
    assert json.loads(state.read_text()) == {"format": "something else"}
    assert run.status == 1


def test_script_corrupt_load_keeps_going(tmp_path: Path) -> None:
    (tmp_path / "bad.json").write_text("{nope")
    run = dstutor("shell", stdin="load bad.json\nkubectl get nodes -o name\n", cwd=tmp_path)
    assert run.stderr == ("error: cannot load bad.json: it is not a dstutor snapshot (not valid "
                          "JSON)\n")
    assert "node/worker-1" in run.stdout
    assert run.status == 1


def test_script_usage_errors_exit_2() -> None:
    assert dstutor("shell", "--clock", "sometimes").status == 2
    assert dstutor("shell", "--nodes", "-1").status == 2
    assert dstutor("shell", "--bogus").status == 2


@pytest.mark.parametrize("lines, texts", [
    (["a", "", "# c", "b"], ["a", "b"]),
    (["k apply -f - <<EOF", "x: 1", "EOF", "b"], ["k apply -f - <<EOF\nx: 1\nEOF", "b"]),
    (["k apply -f - <<-END", "\tx: 1", "\tEND"], ["k apply -f - <<-END\n\tx: 1\n\tEND"]),
    (["k apply -f - <<'EOF'", "$x", "EOF"], ["k apply -f - <<'EOF'\n$x\nEOF"]),
])
def test_script_read_commands_groups_heredocs(lines: list[str], texts: list[str]) -> None:
    assert [c.text for c in read_commands(lines)] == texts


def test_script_read_commands_reports_unterminated_heredoc() -> None:
    commands = list(read_commands(["a", "k apply -f - <<EOF", "x: 1"]))
    assert [c.error == "" for c in commands] == [True, False]
    assert commands[1].error.startswith("error: the heredoc that starts on line 2 never ends")


def test_script_rejected_manifest_starts_without_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: x}\nspec: {}\n")
    run = dstutor("shell", "-f", str(bad), stdin="kubectl get ds -A -o name\n")
    assert run.stderr.startswith('The DaemonSet "x" is invalid: ')
    assert run.stderr.endswith("; starting without the -f manifests\n")
    assert run.stdout == "daemonset.apps/kube-proxy\n"
    assert run.status == 1
