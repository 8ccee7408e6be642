"""The one duration parser (model.timefmt.parse_go_duration) and the callers built on it.

Go's time.ParseDuration for kubectl's flags; `advance` adds days in front and refuses going
back; an exercise's `time_limit` also takes whole minutes. Each caller says its own
sentence when the text is not a duration.
"""

from __future__ import annotations

import pytest

from dstutor.errors import DstutorError
from dstutor.kubectl.flagspec import FlagSpec, FlagType
from dstutor.lessons.exercise import parse_duration as time_limit
from dstutor.model.timefmt import parse_go_duration
from dstutor.shell.durations import parse_duration as advance


@pytest.mark.parametrize(("text", "seconds"), [
    ("0", 0.0), ("+0", 0.0), ("-0", 0.0), ("1s", 1.0), ("90s", 90.0), ("1m30s", 90.0),
    ("1h2m3s", 3723.0), ("1.5h", 5400.0), (".5s", 0.5), ("5.s", 5.0), ("500ms", 0.5),
    ("100us", 1e-4), ("1µs", 1e-6), ("1μs", 1e-6), ("10ns", 1e-8), ("-2s", -2.0),
    ("+3s", 3.0), ("1h1h", 7200.0), ("0s", 0.0),
])
def test_go_duration_values(text: str, seconds: float) -> None:
    assert parse_go_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(("text", "message"), [
    ("", 'time: invalid duration ""'),
    ("abc", 'time: invalid duration "abc"'),
    ("-", 'time: invalid duration "-"'),
    (".", 'time: invalid duration "."'),
    ("s", 'time: invalid duration "s"'),
    (".s", 'time: invalid duration ".s"'),
    ("1", 'time: missing unit in duration "1"'),
    ("1.2.3s", 'time: missing unit in duration "1.2.3s"'),
    ("1m30", 'time: missing unit in duration "1m30"'),
    ("1x", 'time: unknown unit "x" in duration "1x"'),
    ("1d", 'time: unknown unit "d" in duration "1d"'),
    ("1 s", 'time: unknown unit " s" in duration "1 s"'),
])
def test_go_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_go_duration(text)
    assert str(info.value) == message


BAD = object()  # the caller refuses the text
# text -> (kubectl --timeout, advance, time_limit)
CALLERS = [
    ("90s", 90.0, 90.0, 90.0),
    ("1m30s", 90.0, 90.0, 90.0),
    ("2h", 7200.0, 7200.0, 7200.0),
    ("500ms", 0.5, 0.5, 0.5),
    ("0", 0.0, 0.0, BAD),  # a time limit of nothing is no limit
    ("-5s", -5.0, BAD, BAD),  # time only moves forward
    ("2d", BAD, 172800.0, BAD),  # days are the simulator's own
    ("1d12h", BAD, 129600.0, BAD),
    ("15 m", BAD, BAD, 900.0),  # a lesson file may space the unit
    ("30", BAD, BAD, BAD),  # a bare number has no unit
    ("soon", BAD, BAD, BAD),
]


@pytest.mark.parametrize(("text", "kubectl", "adv", "limit"), CALLERS)
def test_every_caller_reads_durations_through_one_parser(text: str, kubectl: object,
                                                        adv: object, limit: object) -> None:
    flag = FlagSpec("timeout", FlagType.DURATION)
    for parse, expected, error in ((flag.convert, kubectl, ValueError),
                                   (advance, adv, DstutorError),
                                   (time_limit, limit, ValueError)):
        if expected is BAD:
            with pytest.raises(error):
                parse(text)
        else:
            assert parse(text) == expected


@pytest.mark.parametrize(("parse", "text", "message"), [
    (FlagSpec("timeout", FlagType.DURATION).convert, "soon", 'time: invalid duration "soon"'),
    (advance, "soon",
     'error: bad duration "soon": use a number and a unit, like 30s, 2m, 1h, 1m30s or 7d'),
    (advance, "-5s", 'error: bad duration "-5s": time only moves forward'),
    (time_limit, "soon", "time_limit 'soon' must be a duration such as 15m, 90s or 1h"),
    (time_limit, "0s", "time_limit '0s' must be a duration such as 15m, 90s or 1h"),
])
def test_each_caller_keeps_its_own_error_sentence(parse: object, text: str,
                                                  message: str) -> None:
    with pytest.raises((ValueError, DstutorError)) as info:
        parse(text)  # type: ignore[operator]
    assert str(info.value) == message


@pytest.mark.parametrize(("value", "seconds"), [(10, 600.0), (1, 60.0)])
def test_time_limit_takes_whole_minutes(value: int, seconds: float) -> None:
    assert time_limit(value) == seconds


@pytest.mark.parametrize("value", [0, -5, True, 1.5, None, [15]])
def test_time_limit_refuses_other_values(value: object) -> None:
    with pytest.raises(ValueError, match="must be a duration such as 15m"):
        time_limit(value)


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "0s"), (42, "42s"), (60, "1m"), (320, "5m20s"), (3600, "1h"), (63_999.6, "17h46m40s"),
    (86_400, "1d"), (93_784, "1d2h3m4s"), (604_800, "7d"),
])
def test_days_duration_is_the_one_span_formatter(seconds: float, text: str) -> None:
    """The shell's `advance` messages and the planner's tables write spans the same way."""
    from dstutor.model.timefmt import days_duration
    from dstutor.planner.view import duration_text
    from dstutor.shell.durations import format_duration

    assert days_duration(seconds) == text
    assert duration_text(seconds) == text
    if seconds == int(seconds) or seconds >= 60:
        assert format_duration(seconds) == text
