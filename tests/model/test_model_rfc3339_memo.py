"""to_rfc3339 remembers its last answer (most calls in a row ask for one instant): any
sequence of instants gets what formatting each afresh gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.model import timefmt

INSTANTS = st.one_of(st.sampled_from([1767225600.0, 1767225600.5, 1767225601.0, 0.0, 59.999]),
                     st.floats(0, 4_000_000_000, allow_nan=False),
                     st.integers(0, 4_000_000_000))


@settings(max_examples=200, deadline=None)
@given(st.lists(INSTANTS, min_size=1, max_size=20))
def test_each_answer_is_the_instants_own(instants: list[float]) -> None:
    for seconds in instants:
        assert timefmt.to_rfc3339(seconds) == timefmt._format_whole(int(seconds))


def test_known_instants_in_a_row() -> None:
    assert timefmt.to_rfc3339(1767225600.0) == "2026-01-01T00:00:00Z"
    assert timefmt.to_rfc3339(1767225600.9) == "2026-01-01T00:00:00Z"
    assert timefmt.to_rfc3339(1767225661.0) == "2026-01-01T00:01:01Z"
    assert timefmt.to_rfc3339(1767225600.0) == "2026-01-01T00:00:00Z"
