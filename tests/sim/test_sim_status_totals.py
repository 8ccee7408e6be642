"""The DaemonSet status arithmetic: per-node NodeStats folded into StatusTotals.

The controller keeps each node's part and adds/subtracts it as nodes change, so the
totals must always equal a count made from scratch over the current parts.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dstutor.controller.state import (
    MISSCHEDULED,
    NO_STAT,
    SCHEDULED,
    SHOULD_RUN_UNSCHEDULED,
    NodeStat,
    StatusTotals,
    add_stat,
)

ALL_STATS = [NO_STAT, SHOULD_RUN_UNSCHEDULED, MISSCHEDULED] + [
    SCHEDULED[r][a][u] for r in (False, True) for a in (False, True) for u in (False, True)]


def test_the_shared_stats_are_named_as_they_count() -> None:
    assert NO_STAT == (False, False, False, False, False)
    assert SHOULD_RUN_UNSCHEDULED.should_run and not SHOULD_RUN_UNSCHEDULED.scheduled
    assert MISSCHEDULED.scheduled and not MISSCHEDULED.should_run
    stat = SCHEDULED[True][False][True]
    assert stat == NodeStat(should_run=True, scheduled=True, ready=True, available=False,
                            updated=True)
    assert len(set(ALL_STATS)) == len(ALL_STATS) == 11


def _from_scratch(stats: dict[str, NodeStat]) -> StatusTotals:
    runs = [s for s in stats.values() if s.should_run]
    on = [s for s in runs if s.scheduled]
    return StatusTotals(
        desired=len(runs), current=len(on),
        misscheduled=sum(1 for s in stats.values() if s.scheduled and not s.should_run),
        ready=sum(s.ready for s in on), available=sum(s.available for s in on),
        updated=sum(s.updated for s in on))


@given(st.lists(st.tuples(st.sampled_from("abcde"), st.sampled_from(ALL_STATS)),
                max_size=40))
def test_running_totals_equal_a_fresh_count(changes: list[tuple[str, NodeStat]]) -> None:
    # The same steps as update_daemonset_status: take the node's old part out, put the
    # new one in, keep only parts that count.
    totals, stats = StatusTotals(), {}
    for node, stat in changes:
        add_stat(totals, stats.pop(node, NO_STAT), -1)
        if stat != NO_STAT:
            stats[node] = stat
            add_stat(totals, stat, 1)
        assert totals == _from_scratch(stats)


def test_misscheduled_counts_nothing_else() -> None:
    totals = StatusTotals()
    add_stat(totals, MISSCHEDULED, 1)
    assert totals == StatusTotals(misscheduled=1)
    add_stat(totals, SCHEDULED[True][True][True], 1)
    assert totals == StatusTotals(desired=1, current=1, misscheduled=1, ready=1,
                                  available=1, updated=1)
