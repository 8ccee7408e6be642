"""One rollout plan per distinct input, per test process (tests outside tests/planner).

`dstutor.planner.plan.make_plan` is deterministic by contract ("the same inputs, the same
plan", planner/inputs.py): the manifest, PlanInputs and the cluster file's spec decide it.
Lesson 20 plans the same 200-node rollouts in every test that walks, checks, replays or
grades it (about 0.5 s of CPU each time), so outside the planner's own tests a plan is
computed once per input and each caller gets a deep copy of it. The key is the pickled
inputs (dict order included); an input that does not pickle is planned as usual.
tests/planner/test_planner_memo.py checks that a memoised plan equals a fresh one and
that callers cannot change each other's copies.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from typing import Any

import dstutor.planner.plan as plan_module

ORIGINAL: Callable[..., Any] = plan_module.make_plan
_PLANS: dict[bytes, Any] = {}


def memo_make_plan(*args: Any, **kwargs: Any) -> Any:
    try:
        key = pickle.dumps((args, sorted(kwargs.items())), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return ORIGINAL(*args, **kwargs)
    if key not in _PLANS:
        # Copied in as well: the caller's plan may change, the stored one must not.
        _PLANS[key] = copy.deepcopy(ORIGINAL(*args, **kwargs))
    return copy.deepcopy(_PLANS[key])
