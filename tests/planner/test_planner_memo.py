"""The suite's plan memo (tests/suite_speed.py) gives what make_plan gives.

Outside tests/planner, a rollout plan is computed once per input per test process; this
checks on a one-at-a-time rollout, on a failing, seeded fleet that a memoised plan equals a
fresh one field by field, that a changed input is planned anew, and that one caller
changing its plan cannot reach another's.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import pickle
from typing import Any

import pytest
from planner_helpers import agent, rolling
from suite_speed import ORIGINAL, memo_make_plan

from dstutor.model.kinds import KINDS
from dstutor.planner import view
from dstutor.planner.inputs import PlanInputs
from dstutor.planner.plan import Plan, make_plan

CASES = [
    (agent(updateStrategy=rolling(1)), PlanInputs(nodes=30, image_pull=30.0)),
    (agent(updateStrategy=rolling("25%")), PlanInputs(nodes=40, image_pull=30.0, fail=0.05,
                                                     seed=3)),
    (agent(updateStrategy={"type": "OnDelete"}, minReadySeconds=10),
     PlanInputs(nodes=12, ready_after=5.0)),
]


def observable(plan: Plan) -> tuple[Any, ...]:
    """All of a plan that anything reads: its JSON and text views, every field, and the
    settled fleet's objects and clock (the pickled cluster's bytes also hold the wall
    time its manual clock was made at, which nothing reads)."""
    cluster = pickle.loads(plan.fleet.frozen)
    objects = [o for kind in KINDS for o in cluster.list(kind)]
    bare = dataclasses.replace(plan, fleet=dataclasses.replace(plan.fleet, frozen=b""))
    return (json.dumps(view.to_json(plan)), view.render_text(view.picture(plan)), bare,
            objects, cluster.now())


def test_the_planner_tests_see_the_real_make_plan() -> None:
    assert make_plan is ORIGINAL


@pytest.mark.parametrize(("ds", "inputs"), CASES)
def test_a_memoised_plan_is_the_fresh_plan(ds: dict, inputs: PlanInputs) -> None:
    fresh = ORIGINAL(copy.deepcopy(ds), inputs)
    first = memo_make_plan(copy.deepcopy(ds), inputs)
    again = memo_make_plan(copy.deepcopy(ds), inputs)
    assert observable(first) == observable(fresh) == observable(again)
    assert first is not again and first.results is not again.results
    first.notes.append("changed by one caller")
    first.results.clear()
    assert observable(memo_make_plan(copy.deepcopy(ds), inputs)) == observable(fresh)


def test_a_changed_input_is_planned_anew() -> None:
    ds, inputs = CASES[0]
    other = PlanInputs(nodes=29, image_pull=30.0)
    assert observable(memo_make_plan(ds, other)) == observable(ORIGINAL(ds, other))
    assert observable(memo_make_plan(ds, other)) != observable(memo_make_plan(ds, inputs))
