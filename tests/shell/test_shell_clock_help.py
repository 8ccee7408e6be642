"""F9 (issue 18): the virtual clock never wraps at 24h, and option help keeps its
`[default: ...]` text."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from dstutor.cli import app as cli
from dstutor.model.timefmt import SIM_EPOCH
from dstutor.shell.durations import clock_of
from dstutor.shell.prompt import toolbar_text
from dstutor.shell.session import Session
from dstutor.sim.clusterfile import default_cluster


@pytest.mark.parametrize("seconds, text", [(0, "00:00:00"), (3, "00:00:03"),
                                           (86399, "23:59:59"), (86403, "24:00:03"),
                                           (3 * 86400 + 61, "72:01:01"),
                                           (-5, "00:00:00")])
def test_clock_of_counts_hours_past_a_day(seconds: int, text: str) -> None:
    assert clock_of(SIM_EPOCH + seconds) == text


def test_advance_past_24h_never_shows_the_clock_going_back() -> None:
    session = Session(default_cluster())
    first = session.handle_line("advance 24h").stdout
    second = session.handle_line("advance 2h").stdout
    # durations print as the day-aware formatter writes them (24h is 1d)
    assert first == "1d passed; virtual time is now 24:00:03"
    assert second == "2h passed; virtual time is now 26:00:03"
    assert "virtual time 26:00:03" in session.handle_line("map").stdout
    assert "virtual time 26:00:03 (manual clock)" in toolbar_text(session, typed="")


@pytest.mark.parametrize("args, expected", [
    (["results", "export", "--help"], "Where to write [default: dstutor-results-NAME.json]."),
    (["results", "export", "--help"], "The course folder [default: the shipped lessons]."),
])
def test_option_help_keeps_its_default_text(args: list[str], expected: str) -> None:
    for _ in range(2):  # building the app twice must not escape the text twice
        result = CliRunner().invoke(cli.build_app(), args, env={"COLUMNS": "200",
                                                                "NO_COLOR": "1"})
        assert result.exit_code == 0, result.output
        assert expected in result.output
