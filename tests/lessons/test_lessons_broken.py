"""Each deliberately broken lesson fails `lesson check` with the message its header names."""

from __future__ import annotations

from pathlib import Path

import pytest
from lesson_paths import BROKEN
from typer.testing import CliRunner

from dstutor.cli.lessons import lesson_app
from dstutor.lessons.validate import check_paths

FIXTURES = sorted(BROKEN.glob("*.yaml"))


def expected(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: ...'"
    return first.removeprefix("# expect: ")


def test_there_are_broken_fixtures() -> None:
    assert len(FIXTURES) >= 10


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_broken_lesson_fails_with_the_named_message(path: Path) -> None:
    [report] = check_paths([path])
    assert not report.ok
    want = expected(path)
    assert any(want in problem for problem in report.problems), report.problems


def test_lesson_check_exits_1_and_names_file_and_line() -> None:
    path = BROKEN / "01-unknown-check-kind.yaml"
    result = CliRunner().invoke(lesson_app, ["check", str(path)])
    assert result.exit_code == 1
    assert "01-unknown-check-kind.yaml:20 step 'tolerate': unknown check kind 'pod_on_nodes' " \
           "(known: command_run," in result.output


def test_lesson_check_of_a_folder_reports_every_broken_file() -> None:
    result = CliRunner().invoke(lesson_app, ["check", str(BROKEN)])
    assert result.exit_code == 1
    assert result.output.count("FAIL ") == len(FIXTURES)
