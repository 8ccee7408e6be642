"""What every DaemonSet sync asks of the spec (allows_surge, is_rolling_update) is worked
out once per spec object (controller/state.py spec_answers): whatever the strategies and
however often the spec is replaced, the answers are the general functions' for the spec
the DaemonSet has now."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller.daemonset_util import allows_surge, is_rolling_update
from dstutor.controller.state import DaemonSetState, spec_answers
from dstutor.model.objects import clone

STRATEGIES: list[dict[str, Any] | None] = [
    None, {}, {"type": "OnDelete"}, {"type": "RollingUpdate"},
    {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
    {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "10%"}},
    {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "25%"}},
    {"rollingUpdate": {"maxSurge": "0%"}},
    {"type": "OnDelete", "rollingUpdate": {"maxSurge": 2}},
]


def _daemonset(strategy: dict[str, Any] | None) -> dict[str, Any]:
    spec: dict[str, Any] = {"selector": {"matchLabels": {"app": "a"}}}
    if strategy is not None:
        spec["updateStrategy"] = clone(strategy)
    return {"kind": "DaemonSet", "metadata": {"name": "a", "namespace": "default"},
            "spec": spec}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(STRATEGIES) - 1), st.booleans()),
                min_size=1, max_size=25))
def test_answers_are_the_general_functions(steps: list[tuple[int, bool]]) -> None:
    """Each step replaces the DaemonSet (an update stores a new object) or only its
    status (a status write keeps the spec); the answers follow the spec it has."""
    state = DaemonSetState()
    ds = _daemonset(STRATEGIES[0])
    for index, replace in steps:
        if replace:
            ds = _daemonset(STRATEGIES[index])
        else:
            ds = {**ds, "status": {"numberReady": index}}  # the same spec object
        answers = spec_answers(state, ds)
        assert answers.surge == allows_surge(ds)
        assert answers.rolling == is_rolling_update(ds)
        assert answers.spec is ds["spec"]
