"""_format_whole formats through time.gmtime instead of building a datetime (each new
instant asks): for every second datetime can hold it writes what datetime writes, and
outside that range it raises as datetime does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.model import timefmt

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def _general(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime(FORMAT)


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.integers(timefmt._FIRST_SECOND, timefmt._LAST_SECOND),
                 st.integers(-86_400 * 400, 4_200_000_000),
                 st.sampled_from([timefmt._FIRST_SECOND, timefmt._LAST_SECOND, 0, -1,
                                  951_782_400, 1_767_225_600, 4_107_542_400])))
def test_fast_format_is_datetimes(seconds: int) -> None:
    assert timefmt._format_whole.__wrapped__(seconds) == _general(seconds)


@pytest.mark.parametrize("seconds", [timefmt._FIRST_SECOND - 1, timefmt._LAST_SECOND + 1,
                                     10**12])
def test_outside_datetimes_range_it_raises_as_before(seconds: int) -> None:
    with pytest.raises((ValueError, OverflowError)):
        _general(seconds)
    with pytest.raises((ValueError, OverflowError)):
        timefmt._format_whole.__wrapped__(seconds)
