"""Shortcuts of issue 19's ninth join round (join9) in the DaemonSet controller against
the general paths they stand for, over every write_trace scenario (whose visible states
test_sim_write_trace checks), and hypothesis where a scenario reaches too few cases:
the signature _create_pods works out for its own creates, a sync's single dirty node
taken as it is, and node_stat's early answer for a pod that is not Ready."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller import pod_signature as signature_module
from dstutor.controller import status as status_module
from dstutor.controller.daemonset import DaemonSetsController
from dstutor.controller.daemonset_util import is_pod_updated
from dstutor.controller.placement_cache import RUN_CODE
from dstutor.controller.pod_signature import pod_signature, ready_transition
from dstutor.controller.state import (
    MISSCHEDULED,
    NO_STAT,
    SCHEDULED,
    SHOULD_RUN_UNSCHEDULED,
    DaemonSetState,
    NodeStat,
)
from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    TEMPLATE_GENERATION_LABEL,
    Obj,
    is_pod_available,
    is_terminating,
)
from tests.sim.write_trace import SCENARIOS

# The scenarios are played for what happens during them; no test here reads a digest.
pytestmark = pytest.mark.usefixtures("no_digest")


# --- the signature of the controller's own creates ----------------------------------

@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_own_create_signature_is_pod_signature(name: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """_create_pods hands on_pod each new pod's signature with the pod (_creating): at
    every own create, it is pod_signature of the pod as stored (its Ready memo emptied),
    and it is what the pod's record holds after on_pod."""
    real = DaemonSetsController.on_pod
    taken = [0]

    def checking(self: DaemonSetsController, old: Obj | None, new: Obj | None) -> None:
        creating = self._creating
        own = old is None and new is not None and creating is not None and creating[0] is new
        real(self, old, new)
        if not own:
            return
        assert new is not None and creating is not None
        signature_module._last_ready[0] = (None, None)
        general = pod_signature(new)
        assert creating[3] == general, (creating[3], general)
        meta = new["metadata"]
        record = self.ctx.store.pod_records[("Pod", meta["namespace"], meta["name"])]
        assert record.signature == general
        taken[0] += 1

    monkeypatch.setattr(DaemonSetsController, "on_pod", checking)
    SCENARIOS[name]()
    assert taken[0] >= 5, taken


# --- a sync's one dirty node ----------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_visited_nodes_are_the_dirty_ones_sorted_once(name: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """An incremental sync visits its dirty nodes each once, sorted (the general path:
    sorted(dict.fromkeys(dirty))), whether one node (taken as it is) or more."""
    real_sync, real_manage = DaemonSetsController._sync, DaemonSetsController.manage
    dirty: list[list[str] | None] = [None]
    seen = {"one": 0, "more": 0}

    def syncing(self: DaemonSetsController, ds: Obj) -> None:
        state = self.states.get(ds["metadata"]["uid"])
        # (A full sync visits every node instead: not this shortcut's case.)
        incremental = state is not None and not state.full
        dirty[0] = list(state.dirty) if state is not None and incremental else None
        real_sync(self, ds)

    def managing(self: DaemonSetsController, ds: Obj, state: DaemonSetState,
                 nodes: list[str]) -> Any:
        if dirty[0] is not None:
            assert nodes == sorted(dict.fromkeys(dirty[0])), (nodes, dirty[0])
            seen["one" if len(dirty[0]) == 1 else "more"] += 1
            dirty[0] = None
        return real_manage(self, ds, state, nodes)

    monkeypatch.setattr(DaemonSetsController, "_sync", syncing)
    monkeypatch.setattr(DaemonSetsController, "manage", managing)
    SCENARIOS[name]()
    assert seen["one"] >= 5 and seen["more"] >= 1, seen


# --- node_stat's answer for a pod that is not Ready ------------------------------------

def _general_node_stat(ctx: Any, ds: Obj, state: DaemonSetState, node_name: str,
                       now: float | None, pods: Any) -> NodeStat:
    """node_stat before join9 (old_nodes left to the real one): readiness and
    availability worked out for every pod, minReadySeconds read for every node."""
    try:
        placed = state.placement_codes[state.node_index[node_name]]
    except LookupError:
        placed = 0
    if not placed:
        return NO_STAT
    if not pods:
        return SHOULD_RUN_UNSCHEDULED if placed & status_module.SHOULD_RUN else NO_STAT
    if not placed & status_module.SHOULD_RUN:
        return MISSCHEDULED
    oldest = pods[0]
    updated_first = is_pod_updated(oldest, state.hash, state.template_generation)
    ready = ready_transition(oldest.get("status", {}).get("conditions")) is not None
    min_ready = int(ds["spec"].get("minReadySeconds", 0))
    available = ready and (min_ready == 0 or is_pod_available(
        oldest, min_ready, ctx.clock.now() if now is None else now))
    if ready and not available:
        ctx.enqueue_at("daemonset-node", ("", "", node_name), 0.0)
    return SCHEDULED[ready][available][updated_first]


def _quiet_ctx(ctx: Any, calls: list[Any]) -> Any:
    return SimpleNamespace(store=ctx.store, clock=ctx.clock,
                           enqueue_at=lambda *args: calls.append(args[1][2]))


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_node_stat_is_the_general_one(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """At every node_stat of every sync: its answer, and whether it asks for a requeue,
    are those of the general computation (ready and available for every pod)."""
    real = status_module.node_stat
    asked = {"not ready": 0, "ready": 0}

    def checking(ctx: Any, ds: Obj, state: DaemonSetState, node_name: str,
                 now: float | None, pods: Any = None) -> NodeStat:
        stat = real(ctx, ds, state, node_name, now, pods)
        if pods is None:  # (the pods as node_stat itself would find them)
            pods = status_module.daemon_pods_on(ctx.store, ds, node_name)
        fast_calls: list[Any] = []
        general_calls: list[Any] = []
        fast = real(_quiet_ctx(ctx, fast_calls), ds, state, node_name, now, pods)
        signature_module._last_ready[0] = (None, None)
        general = _general_node_stat(_quiet_ctx(ctx, general_calls), ds, state,
                                     node_name, now, pods)
        assert fast is stat is general, (fast, general)
        assert [bool(fast_calls)] == [bool(general_calls)]
        if pods and not any(is_terminating(p) for p in pods[:1]):
            asked["ready" if stat.ready else "not ready"] += 1
        return stat

    monkeypatch.setattr(status_module, "node_stat", checking)
    SCENARIOS[name]()
    assert asked["not ready"] >= 5 and asked["ready"] >= 5, asked


_CONDITIONS = st.one_of(
    st.none(), st.just([]),
    st.lists(st.fixed_dictionaries({
        "type": st.sampled_from(["Ready", "PodScheduled", "ContainersReady"]),
        "status": st.sampled_from(["True", "False", "Unknown"]),
        "lastTransitionTime": st.sampled_from(["2026-01-01T00:00:00Z",
                                               "2026-01-01T00:00:09Z"])}), max_size=3))


@settings(max_examples=300, deadline=None)
@given(conditions=_CONDITIONS, min_ready=st.sampled_from([0, 1, 5, 60]),
       now=st.sampled_from([1_767_225_600.0, 1_767_225_605.0, 1_767_225_700.0]),
       updated=st.booleans(), should_run=st.booleans())
def test_node_stat_table(conditions: list[Obj] | None, min_ready: int, now: float,
                         updated: bool, should_run: bool) -> None:
    """node_stat against the general computation for one pod of any readiness, any
    minReadySeconds and time (the requeue asked by both or neither)."""
    state = DaemonSetState(node_index={"n": 0})
    state.hash, state.template_generation = "abc", "1"
    state.placement_codes.extend(bytes([RUN_CODE if should_run else 1]))
    labels = {DAEMONSET_UNIQUE_LABEL: "abc" if updated else "old",
              TEMPLATE_GENERATION_LABEL: "1" if updated else "0"}
    pod: Obj = {"metadata": {"name": "p", "labels": labels},
                "status": {"phase": "Running", "conditions": conditions}}
    ds: Obj = {"metadata": {"name": "d", "namespace": "default"},
               "spec": {"minReadySeconds": min_ready}}
    clock = SimpleNamespace(now=lambda: now)
    fast_calls: list[Any] = []
    general_calls: list[Any] = []
    ctx = SimpleNamespace(store=None, clock=clock)
    fast = status_module.node_stat(_quiet_ctx(ctx, fast_calls), ds, state, "n", None, [pod])
    signature_module._last_ready[0] = (None, None)
    general = _general_node_stat(_quiet_ctx(ctx, general_calls), ds, state, "n", None,
                                 [pod])
    assert fast is general
    assert bool(fast_calls) == bool(general_calls)
