"""Pipes into text filters, redirection into the workspace, and the file commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dstutor.shell.pipeline import PipelineError, split_pipeline
from dstutor.shell.session import Session
from dstutor.shell.textfilters import FilterError, run_filter
from dstutor.shell.workspace import Workspace, WorkspaceError
from dstutor.sim.clusterfile import default_cluster

TABLE = "NAME READY AGE\nweb-1 1/1 3s\nweb-2 0/1 10s\nlog-1 1/1 2s\n"


@pytest.fixture
def ws_session(tmp_path: Path) -> Session:
    return Session(default_cluster(), workspace=Workspace.at(tmp_path / "ws"))


@pytest.mark.parametrize(("line", "command", "filters", "redirect", "target"), [
    ("k get pods", "k get pods", (), None, ""),
    ("k get pods | grep web", "k get pods", (("grep", "web"),), None, ""),
    ("k get pods -o jsonpath='{.items[*] | x}'", "k get pods -o jsonpath='{.items[*] | x}'",
     (), None, ""),
    ("k get pods | grep 'a|b' | wc -l", "k get pods", (("grep", "a|b"), ("wc", "-l")), None,
     ""),
    ("k get ds -o yaml > ds.yaml", "k get ds -o yaml", (), ">", "ds.yaml"),
    ("k get ds | head -n 1 >> 'my file'", "k get ds", (("head", "-n", "1"),), ">>", "my file"),
    ("k apply -f - <<EOF | grep x\nkind: X\nEOF", "k apply -f - <<EOF\nkind: X\nEOF",
     (("grep", "x"),), None, ""),
    ('k get pods -l "a>b"', 'k get pods -l "a>b"', (), None, ""),
])
def test_split(line: str, command: str, filters: tuple, redirect: str | None,
               target: str) -> None:
    piped = split_pipeline(line)
    assert (piped.command, piped.filters, piped.redirect, piped.target) == (
        command, filters, redirect, target)


@pytest.mark.parametrize(("line", "what"), [
    ("k get pods; k get ds", "';'"), ("k get pods && k get ds", "&&"),
    ("k get pods || true", "||"), ("k get pods &", "&"),
    ("k get pod $(cat name)", "$(...)"), ("k get pod `cat name`", "backticks"),
    ('k get pod "$(cat name)"', "$(...)"), ("k apply -f < ds.yaml", "input redirection"),
    ("k get pods 2> err", "2>"), ("k get pods > a > b", "more than one"),
    ("k get pods > a | grep x", "before a pipe"),
])
def test_unsupported_constructs_get_one_line(line: str, what: str) -> None:
    with pytest.raises(PipelineError) as err:
        split_pipeline(line)
    message = str(err.value)
    assert what in message and "\n" not in message
    if "not supported" in message:
        assert "grep" in message and "> FILE" in message


@pytest.mark.parametrize("line", ["| grep x", "k get pods |", "k get pods | | wc",
                                  "k get pods | sh", "k get pods | bash -c x",
                                  "k get pods >", "> file"])
def test_bad_pipelines(line: str) -> None:
    with pytest.raises(PipelineError):
        split_pipeline(line)


@pytest.mark.parametrize(("argv", "expected", "code"), [
    (["grep", "web"], "web-1 1/1 3s\nweb-2 0/1 10s\n", 0),
    (["grep", "-v", "web"], "NAME READY AGE\nlog-1 1/1 2s\n", 0),
    (["grep", "-c", "1/1"], "2\n", 0),
    (["grep", "-i", "NAME"], "NAME READY AGE\n", 0),
    (["grep", "-in", "log"], "4:log-1 1/1 2s\n", 0),
    (["grep", "-E", "web-1|log"], "web-1 1/1 3s\nlog-1 1/1 2s\n", 0),
    (["grep", "web-1|log"], "", 1),
    (["grep", "web-1\\|log"], "web-1 1/1 3s\nlog-1 1/1 2s\n", 0),
    (["grep", "-w", "web"], "web-1 1/1 3s\nweb-2 0/1 10s\n", 0),
    (["grep", "-w", "we"], "", 1),
    (["grep", "-w", "1/1"], "web-1 1/1 3s\nlog-1 1/1 2s\n", 0),
    (["grep", "nothing"], "", 1),
    (["head", "-n", "2"], "NAME READY AGE\nweb-1 1/1 3s\n", 0),
    (["head", "-1"], "NAME READY AGE\n", 0),
    (["tail", "-n", "1"], "log-1 1/1 2s\n", 0),
    (["tail", "-n", "+3"], "web-2 0/1 10s\nlog-1 1/1 2s\n", 0),
    (["wc", "-l"], "4\n", 0),
    (["wc", "-w"], "12\n", 0),
    (["wc"], "      4      12      55\n", 0),
    (["sort"], "NAME READY AGE\nlog-1 1/1 2s\nweb-1 1/1 3s\nweb-2 0/1 10s\n", 0),
    (["sort", "-r"], "web-2 0/1 10s\nweb-1 1/1 3s\nlog-1 1/1 2s\nNAME READY AGE\n", 0),
    (["sort", "-k", "3", "-n"], "NAME READY AGE\nlog-1 1/1 2s\nweb-1 1/1 3s\n"
                                "web-2 0/1 10s\n", 0),
    (["cut", "-d", " ", "-f", "1,3"], "NAME AGE\nweb-1 3s\nweb-2 10s\nlog-1 2s\n", 0),
    (["cut", "-d", "-", "-f", "2-"], "NAME READY AGE\n1 1/1 3s\n2 0/1 10s\n1 1/1 2s\n", 0),
    (["awk", "{print $1}"], "NAME\nweb-1\nweb-2\nlog-1\n", 0),
    (["awk", "{print $1, $NF}"], "NAME AGE\nweb-1 3s\nweb-2 10s\nlog-1 2s\n", 0),
    (["awk", "-F-", "{print $2}"], "\n1 1/1 3s\n2 0/1 10s\n1 1/1 2s\n", 0),
])
def test_filters(argv: list[str], expected: str, code: int) -> None:
    result = run_filter(argv, TABLE)
    assert (result.text, result.exit_code) == (expected, code)


def test_uniq_counts_runs() -> None:
    assert run_filter(["uniq", "-c"], "a\na\nb\na\n").text == "      2 a\n      1 b\n      1 a\n"


@pytest.mark.parametrize(("argv", "message"), [
    (["grep"], "Usage: grep"), (["grep", "-q", "x"], "grep: invalid option -- 'q'"),
    (["grep", "-E", "("], "invalid regular expression"),
    (["head", "-n", "x"], "head: invalid number of lines: 'x'"),
    (["head", "-n"], "option requires an argument -- 'n'"),
    (["cut", "-d", ","], "you must specify a list"), (["cut", "-f", "0"], "numbered from 1"),
    (["awk", "{x=1}"], "awk: dstutor supports only"), (["sort", "-k", "x"], "sort: invalid"),
    (["grep", "x", "file"], "reading files"),
])
def test_filter_errors(argv: list[str], message: str) -> None:
    with pytest.raises(FilterError, match=None) as err:
        run_filter(argv, TABLE)
    assert message in str(err.value)


@given(st.lists(st.text(alphabet="ab \n", max_size=6), max_size=8))
def test_head_plus_tail_is_whole(lines: list[str]) -> None:
    text = "".join(f"{line.replace(chr(10), '')}\n" for line in lines)
    n = len(lines) // 2
    top = run_filter(["head", "-n", str(n)], text).text
    rest = run_filter(["tail", "-n", f"+{n + 1}"], text).text
    assert top + rest == text
    assert run_filter(["wc", "-l"], text).text == f"{len(lines)}\n"


def test_pipe_and_redirect_through_the_session(ws_session: Session) -> None:
    out = ws_session.handle_line("kubectl get pods -A -o wide | grep kube-proxy | wc -l")
    assert (out.stdout, out.exit_code) == ("4\n", 0)
    assert ws_session.handle_line("k get pods -A | grep nothing-here").exit_code == 1
    out = ws_session.handle_line("k get ds -A -o name > ds.txt")
    assert (out.stdout, out.exit_code) == ("", 0)
    ws_session.handle_line("k get ns -o name >> ds.txt")
    text = ws_session.handle_line("cat ds.txt").stdout
    assert text.startswith("daemonset.apps/kube-proxy\n") and "namespace/default\n" in text
    assert ws_session.handle_line("ls").stdout == "ds.txt\n"


def test_generate_then_apply_from_the_workspace(ws_session: Session) -> None:
    line = ("kubectl create deployment node-logger --image=busybox:1.37 -n kube-system "
            "--dry-run=client -o yaml > ds.yaml")
    assert ws_session.handle_line(line).ok
    root = ws_session.workspace.root
    text = (root / "ds.yaml").read_text()
    assert "kind: Deployment" in text
    manifest = (text.replace("kind: Deployment", "kind: DaemonSet")
                .replace("  replicas: 1\n", "").replace("  strategy: {}\n", ""))
    (root / "ds.yaml").write_text(manifest)
    out = ws_session.handle_line("kubectl apply -f ds.yaml")
    assert out.stdout == "daemonset.apps/node-logger created\n", out.stderr


def test_files_outside_the_workspace_are_refused(ws_session: Session, tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("x")
    for line in ("cat ../secret", f"cat {tmp_path / 'secret'}", "k get pods > ../out",
                 "vi ../secret", "ls .."):
        out = ws_session.handle_line(line)
        assert out.exit_code == 1 and "outside the workspace" in out.stderr, line
    assert not (tmp_path / "out").exists()


def test_workspace_refuses_symlinks_out(tmp_path: Path) -> None:
    ws = Workspace.at(tmp_path / "ws")
    (tmp_path / "outside").mkdir()
    (ws.root / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(WorkspaceError):
        ws.write("link/x", "data")


def test_cat_missing_file(ws_session: Session) -> None:
    out = ws_session.handle_line("cat nope.yaml")
    assert out.stderr == "cat: nope.yaml: No such file or directory"


def test_vi_runs_the_editor_from_the_environment(ws_session: Session, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "ed.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('edited\\n')\n")
    import sys

    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("KUBE_EDITOR", raising=False)
    assert ws_session.handle_line("vi notes.txt").ok
    assert ws_session.handle_line("nano notes.txt").ok
    assert ws_session.handle_line("cat notes.txt").stdout == "edited\nedited\n"


def test_cat_shows_control_characters_visibly(ws_session: Session) -> None:
    (ws_session.workspace.root / "evil.yaml").write_text("kind: X\x1b]0;owned\x07\n\tok\n")
    assert ws_session.handle_line("cat evil.yaml").stdout == "kind: X^[]0;owned^G\n\tok\n"
