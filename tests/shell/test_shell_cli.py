"""The Typer command line: welcome, --version (and what it must not import), errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from shell_helpers import dstutor, dstutor_process
from typer.testing import CliRunner

from dstutor import __version__
from dstutor.cli import app as cli

HEAVY = ("typer", "rich", "prompt_toolkit", "yaml", "dstutor.sim", "dstutor.kubectl",
         "dstutor.shell")


def test_cli_version() -> None:
    run = dstutor_process("--version")  # the installed entry point, in a new process
    assert run.status == 0 and run.stdout == f"dstutor {__version__}\n"


def test_cli_version_imports_nothing_heavy() -> None:
    code = ("import sys; sys.argv = ['dstutor', '--version']\n"
            "from dstutor.cli import main; main()\n"
            f"print(sorted(m for m in sys.modules if m.startswith({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out == f"dstutor {__version__}\n[]\n"


def test_cli_welcome_without_arguments() -> None:
    run = dstutor()
    assert run.status == 0
    assert run.stdout.startswith(f"dstutor {__version__}: an interactive teaching shell")
    assert "dstutor lesson run" in run.stdout and "dstutor shell" in run.stdout


def test_cli_help_lists_shell_and_lesson() -> None:
    result = CliRunner().invoke(cli.build_app(), ["--help"])
    assert result.exit_code == 0
    assert "shell" in result.output and "lesson" in result.output


def test_cli_shell_help_lists_every_contract_option() -> None:
    result = CliRunner().invoke(cli.build_app(), ["shell", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for option in ("--filename", "-f", "--cluster", "--nodes", "--seed", "--clock", "--speed",
                   "--echo", "--state", "--no-color", "--debug"):
        assert option in result.output


def test_cli_lesson_is_mounted() -> None:
    result = CliRunner().invoke(cli.build_app(), ["lesson", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for command in ("list", "run", "check"):
        assert command in result.output


def test_cli_internal_error_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import dstutor.shell.startup as startup

    def boom(opts, **kw):  # noqa: ANN001, ANN003, ANN202
        raise RuntimeError("kaboom")

    monkeypatch.setattr(startup, "run", boom)
    result = CliRunner().invoke(cli.build_app(), ["shell"], input="")
    assert result.exit_code == 1
    assert result.output.strip() == ("dstutor: internal error: RuntimeError: kaboom (run with "
                                     "--debug to see the traceback)")
    debug = CliRunner().invoke(cli.build_app(), ["shell", "--debug"], input="")
    assert isinstance(debug.exception, RuntimeError)


def test_cli_shell_runs_a_script_in_process() -> None:
    result = CliRunner().invoke(cli.build_app(), ["shell", "--echo"], input="advance 2s\n")
    assert result.exit_code == 0
    assert result.output == "$ advance 2s\n2s passed; virtual time is now 00:00:05\n"
