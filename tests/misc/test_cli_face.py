"""The face package (dstutor/cli/): usage lines, exit statuses, internal errors on every
command, `lesson run --debug/--no-color`, shell completion and the help texts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import dstutor.classroom.grade as grade_module
import dstutor.classroom.lint as lint_module
import dstutor.lessons.loader as loader_module
from dstutor.cli import app as cli
from dstutor.cli import lessons as lessons_face
from dstutor.errors import ExitStatus

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "fixtures" / "classroom" / "course"
BROKEN = ROOT / "fixtures" / "broken-lessons"
GOLDEN = Path(__file__).parent / "golden" / "help"
UPDATE = bool(os.environ.get("DSTUTOR_UPDATE_GOLDEN"))
ENV = {"COLUMNS": "100", "NO_COLOR": "1"}
INTERNAL = ("dstutor: internal error: RuntimeError: kaboom (run with --debug to see the "
            "traceback)")

# Every command of the face, as typed after `dstutor`.
COMMANDS = [["shell"], ["lesson", "list"], ["lesson", "run"], ["lesson", "check"], ["lint"],
            ["grade"], ["results", "export"], ["serve"], ["plan"]]


def invoke(args: list[str], **kw: object) -> typer.testing.Result:
    return CliRunner().invoke(cli.build_app(), args, env=ENV, prog_name="dstutor",
                              **kw)  # type: ignore[arg-type]


def usage_line(output: str) -> str:
    return next(line.strip() for line in output.splitlines() if "Usage:" in line)


def leaf_commands() -> list[tuple[str, object]]:
    """(path, click command) of every command the root app can run."""
    found: list[tuple[str, object]] = []

    def walk(command: object, path: str) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            found.append((path, command))
            return
        for name, sub in subcommands.items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(cli.build_app()), "")
    return found


def test_the_walk_finds_every_command() -> None:
    assert sorted(path for path, _ in leaf_commands()) == sorted(" ".join(c) for c in COMMANDS)


@pytest.mark.parametrize("path, command", leaf_commands(), ids=lambda x: str(x))
def test_every_command_is_guarded_and_takes_debug(path: str, command: object) -> None:
    assert getattr(command.callback, "dstutor_guarded", False), path  # type: ignore[attr-defined]
    assert any("--debug" in p.opts for p in command.params), path  # type: ignore[attr-defined]


# --- usage lines ----------------------------------------------------------------------

@pytest.mark.parametrize("args, usage", [
    ([], "Usage: dstutor [OPTIONS] COMMAND [ARGS]..."),
    (["shell"], "Usage: dstutor shell [OPTIONS]"),
    (["lesson"], "Usage: dstutor lesson [OPTIONS] COMMAND [ARGS]..."),
    (["lesson", "list"], "Usage: dstutor lesson list [OPTIONS]"),
    (["lesson", "run"], "Usage: dstutor lesson run [OPTIONS] [ID]"),
    (["lesson", "check"], "Usage: dstutor lesson check [OPTIONS] [PATH ...]"),
    (["lint"], "Usage: dstutor lint [OPTIONS] FILE..."),
    (["grade"], "Usage: dstutor grade [OPTIONS] FILE..."),
    (["results", "export"], "Usage: dstutor results export [OPTIONS]"),
    (["serve"], "Usage: dstutor serve [OPTIONS]"),
])
def test_usage_line_reads_like_a_normal_cli(args: list[str], usage: str) -> None:
    result = invoke([*args, "--help"])
    assert result.exit_code == 0, result.output
    assert usage_line(result.output) == usage


@pytest.mark.parametrize("args, usage", [
    (["lint"], "Usage: dstutor lint [OPTIONS] FILE..."),
    (["grade"], "Usage: dstutor grade [OPTIONS] FILE..."),
    (["lesson", "run", "a", "b"], "Usage: dstutor lesson run [OPTIONS] [ID]"),
])
def test_a_usage_error_exits_2_with_the_same_usage_line(args: list[str], usage: str) -> None:
    result = invoke(args)
    assert result.exit_code == ExitStatus.USAGE == 2
    assert usage_line(result.output) == usage


# --- exit statuses --------------------------------------------------------------------

def test_exit_statuses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = str(tmp_path / "nope.yaml")
    table = [
        (["lint", str(ROOT / "fixtures" / "lint" / "good.yaml")], ExitStatus.SUCCESS),
        (["lint", str(ROOT / "fixtures" / "lint" / "broken.yaml")], ExitStatus.ERROR),
        (["lint", "x.yaml", "--cluster", missing], ExitStatus.USAGE),
        (["grade", "x.json", "--course", str(empty)], ExitStatus.USAGE),
        (["grade", missing], ExitStatus.ERROR),  # rejected
        (["results", "export"], ExitStatus.USAGE),  # no name, not a terminal
        (["serve", "--clock", "sometimes"], ExitStatus.USAGE),
        (["lesson", "run", "no-such-lesson", "--course", str(COURSE)], ExitStatus.ERROR),
        (["lesson", "run", "01-unknown-check-kind", "--course", str(BROKEN)],
         ExitStatus.INVALID_LESSON),
        (["lesson", "list", "--course", str(empty)], ExitStatus.ERROR),
        (["lesson", "run", "node-basics", "--course", str(COURSE)], ExitStatus.SUCCESS),
    ]
    monkeypatch.chdir(tmp_path)
    for args, status in table:
        result = invoke(args, input="")
        assert result.exit_code == status, (args, result.output)


def test_no_literal_exit_status_in_the_face() -> None:
    """Statuses are named (ExitStatus); a bare `Exit(2)` or `exit(1)` is a second mapping."""
    face = ROOT / "dstutor" / "cli"
    bare = [f"{path.name}:{n}" for path in sorted(face.glob("*.py"))
            for n, line in enumerate(path.read_text().splitlines(), 1)
            if re.search(r"(Exit|exit|leave|fail\(.*,)\s*\(?\s*\d+\s*\)|return \d+\b|else \d+\b",
                         line)]
    assert bare == []


def test_ctrl_c_in_any_command_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(lint_module, "lint_files", interrupted)
    assert invoke(["lint", "x.yaml"]).exit_code == ExitStatus.INTERRUPTED == 130


# --- internal errors: one line, the traceback only with --debug -------------------------

def _kaboom(*args: object, **kw: object) -> None:
    raise RuntimeError("kaboom")


@pytest.mark.parametrize("args, module, name", [
    (["lint", "x.yaml"], lint_module, "lint_files"),
    (["grade", "x.json"], grade_module, "load_class"),
    (["lesson", "list"], loader_module, "load_course"),
    (["lesson", "check"], loader_module, "find_course"),
    (["lesson", "run"], loader_module, "load_course"),
    (["results", "export", "--name", "Ada"], loader_module, "load_course"),
], ids=lambda x: " ".join(x) if isinstance(x, list) else "")
def test_an_internal_error_is_one_line(args: list[str], module: object, name: str,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(module, name, _kaboom)
    result = invoke(args, input="")
    assert result.exit_code == ExitStatus.ERROR
    assert result.output.strip() == INTERNAL
    debug = invoke([*args, "--debug"], input="")
    assert isinstance(debug.exception, RuntimeError) and str(debug.exception) == "kaboom"


def test_lesson_run_debug_shows_the_traceback_and_goes_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from dstutor.lessons.runner import LessonRunner

    real = LessonRunner.handle_line

    def handle_line(self: LessonRunner, line: str) -> object:
        if line == "boom":
            raise RuntimeError("kaboom")
        return real(self, line)

    monkeypatch.setattr(LessonRunner, "handle_line", handle_line)
    args = ["lesson", "run", "node-basics", "--course", str(COURSE), "--restart"]
    lines = "boom\nkubectl taint node worker-1 dedicated=gpu:NoSchedule\n"
    plain = invoke(args, input=lines)
    assert plain.exit_code == ExitStatus.ERROR  # script mode: one command failed
    assert INTERNAL in plain.output and "Traceback" not in plain.output
    assert "node/worker-1 tainted" in plain.output  # the lesson went on
    debug = invoke([*args, "--debug"], input=lines)
    assert "Traceback (most recent call last)" in debug.output
    assert INTERNAL in debug.output and "node/worker-1 tainted" in debug.output


def test_lesson_run_debug_reaches_the_shell_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """The face gives the runner its Session maker: with --debug, a bug inside a command
    shows the session's traceback too."""
    from dstutor.shell.session import Session

    real = Session._handle

    def _handle(self: Session, text: str) -> object:
        if text.startswith("kubectl get nodes"):
            raise RuntimeError("kaboom")
        return real(self, text)

    monkeypatch.setattr(Session, "_handle", _handle)
    args = ["lesson", "run", "node-basics", "--course", str(COURSE), "--restart"]
    plain = invoke(args, input="kubectl get nodes\n")
    assert INTERNAL in plain.output and "Traceback" not in plain.output
    debug = invoke([*args, "--debug"], input="kubectl get nodes\n")
    assert "Traceback (most recent call last)" in debug.output and INTERNAL in debug.output


def test_lesson_run_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert lessons_face._console(no_color=True) is None
    assert lessons_face._console(no_color=False) is not None
    result = invoke(["lesson", "run", "node-basics", "--course", str(COURSE), "--no-color"],
                    input="hint\n")
    assert result.exit_code == 0 and "\x1b[" not in result.output


# --- completion -----------------------------------------------------------------------

def _dstutor(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """dstutor run from a bash, as a user runs it: `--install-completion` and
    `--show-completion` ask shellingham for the shell among the process's ancestors, and
    a test process need not have one (a suite started in the background under a process
    that has exited has none, and both failed with "Shell None is not supported"). The
    command is not bash's last, so bash waits for it rather than exec'ing it away."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("_DSTUTOR")}
    environ.update(HOME=str(home), SHELL="/bin/bash", PYTHONPATH=str(ROOT), **env)
    return subprocess.run(["/bin/bash", "-c", '"$@"; exit $?', "bash",
                           sys.executable, "-m", "dstutor", *args], capture_output=True,
                          text=True, env=environ, timeout=60)


def test_install_completion_in_a_fresh_home(tmp_path: Path) -> None:
    run = _dstutor(["--install-completion", "bash"], tmp_path)
    assert run.returncode == 0, run.stderr
    script = tmp_path / ".bash_completions" / "dstutor.sh"
    assert "_DSTUTOR_COMPLETE=complete_bash" in script.read_text()
    assert f"source '{script}'" in (tmp_path / ".bashrc").read_text()


def test_completion_completes_commands_and_options(tmp_path: Path) -> None:
    def complete(words: str) -> list[str]:
        run = _dstutor([], tmp_path, _DSTUTOR_COMPLETE="complete_bash", COMP_WORDS=words,
                       COMP_CWORD=str(len(words.split()) - 1))
        assert run.returncode == 0, run.stderr
        return run.stdout.split()

    assert complete("dstutor les") == ["lesson"]
    assert complete("dstutor lesson r") == ["run"]
    assert "--no-color" in complete("dstutor lesson run --")


def test_show_completion_prints_the_script(tmp_path: Path) -> None:
    run = _dstutor(["--show-completion", "bash"], tmp_path)
    assert run.returncode == 0 and "_dstutor_completion" in run.stdout


# --- help texts -----------------------------------------------------------------------

def _pinned_typer() -> str:
    text = (ROOT / "constraints.txt").read_text()
    return re.search(r"^typer==(\S+)$", text, re.MULTILINE).group(1)  # type: ignore[union-attr]


@pytest.mark.parametrize("args", [[], *COMMANDS, ["lesson"], ["results"]],
                         ids=lambda a: "-".join(a) or "root")
def test_help_is_the_golden_one(args: list[str]) -> None:
    """Help text depends on the Typer release (0.29 adds `<bool>` types): the goldens are
    the pinned release's (constraints.txt, which CI installs)."""
    if typer.__version__ != _pinned_typer():
        pytest.skip(f"help goldens are for Typer {_pinned_typer()} (constraints.txt)")
    result = invoke([*args, "--help"])
    assert result.exit_code == 0
    path = GOLDEN / f"{'-'.join(args) or 'root'}.txt"
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(result.output, encoding="utf-8")
    assert result.output == path.read_text(encoding="utf-8")
