"""move_stat (one node's part replaced, as a remembered difference per pair of parts)
changes the totals exactly as taking the old part out and putting the new one in with
add_stat, the general path, for any pair and in any order."""

from __future__ import annotations

from dataclasses import astuple

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller import state as state_module
from dstutor.controller.state import StatusTotals, add_stat, move_stat
from tests.sim.test_sim_status_totals import ALL_STATS

INDEX = st.integers(0, len(ALL_STATS) - 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(INDEX, INDEX), min_size=1, max_size=40),
       st.tuples(*[st.integers(-50, 50)] * 6), st.booleans())
def test_move_is_take_out_then_put_in(pairs: list[tuple[int, int]],
                                      start: tuple[int, ...], fresh: bool) -> None:
    if fresh:
        state_module._MOVES.clear()
    moved, general = StatusTotals(*start), StatusTotals(*start)
    for before, after in pairs:
        move_stat(moved, ALL_STATS[before], ALL_STATS[after])
        add_stat(general, ALL_STATS[before], -1)
        add_stat(general, ALL_STATS[after], 1)
        assert astuple(moved) == astuple(general)
