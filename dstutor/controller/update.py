"""rollingUpdate from upstream update.go: which old pods go and where new ones surge.

Upstream walks nodes in Go map order, which is effectively random; dstutor walks them
by name so every run is the same. The real order is unspecified.

`rolling_update_walk` is upstream's walk over every node, as written there. The
controller calls `rolling_update`, which makes the same decisions from per-node answers
kept up to date between syncs (rolling_index.py), so a sync costs what changed, not
the size of the fleet. The two are compared at every sync in the tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dstutor.controller.context import Context
from dstutor.controller.daemonset_util import (
    is_pod_updated,
    surge_count,
    unavailable_count,
)
from dstutor.controller.placement_cache import placed_nodes, placement_of
from dstutor.controller.pods import node_to_daemon_pods
from dstutor.controller.rolling_index import IncrementalMismatch, refreshed_index
from dstutor.model.objects import Obj, is_pod_available, is_terminating

if TYPE_CHECKING:
    from dstutor.controller.state import DaemonSetState


def find_updated_pods_on_node(pods: list[Obj], hash_: str, generation: str | None
                              ) -> tuple[Obj | None, Obj | None, bool]:
    """findUpdatedPodsOnNode: (new pod, old pod, ok); not ok if either is duplicated."""
    new = old = None
    for pod in pods:
        if is_terminating(pod):
            continue
        if is_pod_updated(pod, hash_, generation):
            if new is not None:
                return None, None, False
            new = pod
        else:
            if old is not None:
                return None, None, False
            old = pod
    return new, old, True


def updated_desired_node_counts(ds: Obj, state: DaemonSetState,
                                node_to_pods: dict[str, list[Obj]]) -> tuple[int, int, int]:
    """(maxSurge, maxUnavailable, desired); desired nodes without pods join the map."""
    desired = 0
    for node_name in placed_nodes(state):  # (in any order: counted, and sorted after)
        placement = placement_of(state, node_name)
        if placement is None or not placement.should_run:
            continue
        desired += 1
        node_to_pods.setdefault(node_name, [])
    return (*surge_and_unavailable(ds, desired), desired)


def surge_and_unavailable(ds: Obj, desired: int) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) scaled to the desired node count."""
    max_unavailable = unavailable_count(ds, desired)
    max_surge = surge_count(ds, desired)
    if desired > 0 and max_unavailable == 0 and max_surge == 0:
        max_unavailable = 1  # the API should have refused this; fall back like upstream
    return max_surge, max_unavailable


def rolling_update(ctx: Context, ds: Obj, state: DaemonSetState, changed: Iterable[str]
                   ) -> tuple[list[Obj], list[str]]:
    """rollingUpdate: (old pods to delete, nodes to create a new pod on).

    The same decisions as rolling_update_walk, read off the running counts and node
    lists of rolling_index (`changed`: the nodes that may look different since the last
    call). The walk goes through the nodes by name and its counts only grow, so a
    candidate it skips once the budget is spent could not have been taken anyway. With
    maxSurge 0 the answer is every unavailable old pod, plus the old pods of the first
    (maxUnavailable - unavailable) candidate nodes by name. With maxSurge: the old pod of
    every node whose new pod is available or that no longer qualifies with an
    unavailable old pod, available old pods on nodes that no longer qualify while more
    pods are available than desired, and new pods on the nodes replaced at once plus
    the first (maxSurge - surging) candidate nodes by name.
    """
    index = refreshed_index(ctx.store, ds, state, changed, ctx.clock.now())
    max_surge, max_unavailable = surge_and_unavailable(ds, index.desired)
    rolls = index.rolls
    if max_surge == 0:
        replace = [rolls[n].old for n in index.replace]
        take = min(max_unavailable - index.unavailable, len(index.candidates))
        replace += [rolls[n].old for n in index.candidates.first(take)]
        return [p for p in replace if p is not None], []
    deletes = [rolls[n].old for n in index.delete]
    deletable = index.available - index.desired
    if deletable > 0:
        deletes += [rolls[n].old for n in index.not_run.first(deletable)]
    take = min(max_surge - index.surging, len(index.surge_candidates))
    return ([p for p in deletes if p is not None],
            [*index.allowed, *index.surge_candidates.first(take)])


def rolling_update_walk(ctx: Context, ds: Obj, state: DaemonSetState,
                        node_to_pods: dict[str, list[Obj]]) -> tuple[list[Obj], list[str]]:
    """Upstream's rollingUpdate walk over every node: (old pods to delete, nodes to
    create a new pod on). The reference for rolling_update."""
    max_surge, max_unavailable, desired = updated_desired_node_counts(ds, state, node_to_pods)
    now = ctx.clock.now()
    min_ready = int(ds["spec"].get("minReadySeconds", 0))
    hash_, generation = state.hash, state.template_generation

    def available(pod: Obj) -> bool:
        return is_pod_available(pod, min_ready, now)

    if max_surge == 0:
        num_unavailable = 0
        allowed_replacements: list[Obj] = []
        candidates: list[Obj] = []
        for node_name in sorted(node_to_pods):
            new, old, ok = find_updated_pods_on_node(node_to_pods[node_name], hash_, generation)
            if not ok:
                num_unavailable += 1  # manage() prunes the extras
                continue
            if (old is None and new is None) or (old is not None and new is not None):
                num_unavailable += 1
            elif new is not None:
                if not available(new):
                    num_unavailable += 1
            else:
                assert old is not None
                if not available(old):
                    # An unavailable old pod is replaced at once, whatever the budget.
                    allowed_replacements.append(old)
                    num_unavailable += 1
                elif num_unavailable >= max_unavailable:
                    continue
                else:
                    candidates.append(old)
        remaining = max(0, min(max_unavailable - num_unavailable, len(candidates)))
        return allowed_replacements + candidates[:remaining], []

    old_pods_to_delete: list[Obj] = []
    should_not_run_to_delete: list[Obj] = []
    candidate_nodes: list[str] = []
    allowed_nodes: list[str] = []
    num_surge = num_available = 0
    for node_name in sorted(node_to_pods):
        new, old, ok = find_updated_pods_on_node(node_to_pods[node_name], hash_, generation)
        if not ok:
            num_surge += 1
            continue
        if old is not None:
            num_available += available(old)
        elif new is not None:
            num_available += available(new)
        if old is None:
            continue  # manage() creates a missing pod
        placement = placement_of(state, node_name)
        if new is None:
            if not available(old):
                if placement is None or not placement.should_run:
                    old_pods_to_delete.append(old)
                    continue
                allowed_nodes.append(node_name)  # replace at once, outside the surge budget
            elif placement is None or not placement.should_run:
                # Checked before the budget: a spent surge budget must not keep pods on
                # nodes that no longer qualify.
                should_not_run_to_delete.append(old)
            elif num_surge < max_surge:
                candidate_nodes.append(node_name)
        else:
            if not available(new):
                num_surge += 1
                continue
            old_pods_to_delete.append(old)
    # Keep capacity: pods on nodes that no longer qualify go only as others turn available.
    deletable = num_available - desired
    if deletable > 0:
        old_pods_to_delete += should_not_run_to_delete[:deletable]
    remaining = max(0, min(max_surge - num_surge, len(candidate_nodes)))
    return old_pods_to_delete, allowed_nodes + candidate_nodes[:remaining]


def checked_rolling_update(ctx: Context, ds: Obj, state: DaemonSetState, changed: list[str],
                           *, walk: bool, verify: bool) -> tuple[list[Obj], list[str]]:
    """rolling_update; with `walk`, the walk over every node it stands for instead; with
    `verify`, both, raising IncrementalMismatch where they differ (debugging, tests:
    DaemonSetsController.full_walk and verify)."""
    want = rolling_update_walk(ctx, ds, state, node_to_daemon_pods(
        ctx.store, ds)) if walk or verify else None
    if walk:
        state.rolling = None
        assert want is not None
        return want
    got = rolling_update(ctx, ds, state, changed)
    if want is not None and (list(map(id, got[0])) != list(map(id, want[0]))
                             or got[1] != want[1]):
        raise IncrementalMismatch(
            f"rolling_update of {ds['metadata']['name']} at {ctx.clock.now()}: "
            f"deletes {[p['metadata']['name'] for p in got[0]]} creates {got[1]}, "
            f"the walk says deletes {[p['metadata']['name'] for p in want[0]]} "
            f"creates {want[1]}")
    return got
