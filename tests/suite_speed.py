"""What the test process leaves out because no test can observe it (tests/conftest.py
installs both for every test): computing the same rollout plan twice, and waiting for
the disk in os.fsync. The `dstutor` processes some tests start keep both.

One rollout plan per distinct input, per test process (tests outside tests/planner).

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
import os
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


REAL_FSYNC: Callable[[int], None] = os.fsync
# What fsync_without_the_disk was given, newest last (os.fstat of each descriptor).
FLUSHED: list[os.stat_result] = []


def fsync_without_the_disk(fd: int) -> None:
    """os.fsync in the test process: everything but the wait for the disk (files.
    atomic_write flushes each file and then its folder: ~6 ms of waiting per save here,
    thousands of saves per run). A closed or bad descriptor still fails as fsync does
    (OSError EBADF); tests/misc/test_files.py reads FLUSHED to see what was flushed."""
    FLUSHED.append(os.fstat(fd))
    del FLUSHED[:-16]
