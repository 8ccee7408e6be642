"""Issue 19: `age` keeps its answers for the `now` it was last asked at (a table at
5,000 nodes asks for a few timestamps hundreds of thousands of times). Every answer must
be human_duration(now - parse_rfc3339(timestamp)), whatever was asked before."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.model.timefmt import SIM_EPOCH, to_rfc3339
from dstutor.render import humanize
from dstutor.render.humanize import age, human_duration, parse_rfc3339

_STAMP = st.integers(0, 10**6).map(lambda s: to_rfc3339(SIM_EPOCH + s))
_NOW = st.floats(SIM_EPOCH - 10, SIM_EPOCH + 2 * 10**6, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_STAMP, _NOW.map(lambda n: round(n, 1))), max_size=30),
       st.integers(1, 8))
def test_every_answer_is_the_plain_computation(asked: list[tuple[str, float]],
                                               kept: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(humanize, "AGES_KEPT", kept)  # (the bound reached, too)
        for stamp, now in asked + asked[::-1]:
            assert age(stamp, now) == human_duration(now - parse_rfc3339(stamp))


def test_a_new_now_forgets_the_old_answers() -> None:
    stamp = to_rfc3339(SIM_EPOCH)
    assert age(stamp, SIM_EPOCH + 61) == "61s"
    assert age(stamp, SIM_EPOCH + 3600) == "60m"
    assert age(stamp, SIM_EPOCH + 61) == "61s"


def test_a_bad_timestamp_raises_every_time() -> None:
    for _ in range(2):
        with pytest.raises(ValueError):
            age("yesterday", SIM_EPOCH)
