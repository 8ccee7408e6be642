"""Issue 19: a big fleet's plan collects before each strategy. Each strategy's cluster is
thawed with the collector paused (sim/thaw.py), and the clusters before it (the one the
fleet was settled in, then each strategy's) are garbage with reference cycles: without a
collection they all stayed (a 5,000-node cluster file's plan peaked at 1.27 GB)."""

from __future__ import annotations

import gc
import weakref
from typing import Any

import pytest
from planner_helpers import agent

from dstutor.planner import plan as plan_module
from dstutor.planner.fleet import Fleet
from dstutor.planner.inputs import PlanInputs


@pytest.mark.parametrize("big", [True, False])
def test_each_strategy_starts_with_the_last_one_s_cluster_freed(
        big: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(plan_module, "COLLECT_BEFORE_EACH_FROM", 0 if big else 1 << 40)
    thawed: list[weakref.ref[Any]] = []
    alive_at_thaw: list[int] = []
    real_thaw = Fleet.thaw

    def watched(self: Fleet) -> Any:
        alive_at_thaw.append(sum(ref() is not None for ref in thawed))
        cluster = real_thaw(self)
        thawed.append(weakref.ref(cluster))
        return cluster

    monkeypatch.setattr(Fleet, "thaw", watched)
    gc.collect()
    gc.disable()  # (no collection of its own may free them meanwhile)
    try:
        plan = plan_module.make_plan(agent(), PlanInputs(nodes=6, image_pull=10.0))
    finally:
        gc.enable()
    assert len(plan.results) == len(alive_at_thaw) >= 4
    if big:
        assert alive_at_thaw == [0] * len(alive_at_thaw)
    else:  # (the control: left to the collector, they stay)
        assert alive_at_thaw == list(range(len(alive_at_thaw)))
