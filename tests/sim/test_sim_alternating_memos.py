"""Memos a node join used to thrash: it has each DaemonSet's pod claimed and scheduled in
turn, so the DaemonSet controller's selector answers (PodClaims._selects) and the
scheduler's "asks for nothing" answers (Scheduler._room_is_certain) are kept per selector
and per containers list. Whatever the order, shared or fresh objects, they answer as the
general code."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller import scheduler as scheduler_module
from dstutor.controller.scheduler import Scheduler, room_is_certain

CONTAINERS: list[list[dict[str, Any]]] = [
    [{"name": "a", "image": "a:1"}],
    [{"name": "b", "image": "b:1", "resources": {"requests": {"cpu": "100m"}}}],
    [{"name": "c", "image": "c:1", "ports": [{"containerPort": 80, "hostPort": 8080}]}],
    [{"name": "d", "image": "d:1"}, {"name": "e", "image": "e:1",
                                     "resources": {"requests": {"memory": "1Mi"}}}],
    [],
]
NODES = [{"metadata": {"name": "n"}, "status": {"allocatable": {"pods": limit}}}
         for limit in ("110", "3", "1")] + [{"metadata": {"name": "n"}, "status": {}}]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(CONTAINERS) - 1), st.booleans(),
                          st.integers(0, len(NODES) - 1), st.integers(0, 4)),
                min_size=1, max_size=30), st.booleans())
def test_room_is_certain_memo_answers_as_the_general_code(
        steps: list[tuple[int, bool, int, int]], small: bool) -> None:
    scheduler = Scheduler.__new__(Scheduler)
    scheduler._asks_nothing = []
    scheduler._pod_limits = {}
    shared = [list(c) for c in CONTAINERS]
    saved = scheduler_module.ASKS_NOTHING_MEMO_SIZE
    scheduler_module.ASKS_NOTHING_MEMO_SIZE = 2 if small else saved
    try:
        for index, fresh, node_index, indexed in steps:
            containers = list(shared[index]) if fresh else shared[index]
            pod = {"spec": {"containers": containers}}
            node = NODES[node_index]
            assert scheduler._room_is_certain(pod, node, indexed) == room_is_certain(
                pod, node, indexed)
            assert len(scheduler._asks_nothing) <= scheduler_module.ASKS_NOTHING_MEMO_SIZE
    finally:
        scheduler_module.ASKS_NOTHING_MEMO_SIZE = saved
