"""DaemonSet status from upstream updateDaemonSetStatus, kept per node and summed."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import repeat

from dstutor.controller import shared
from dstutor.controller.context import Context
from dstutor.controller.daemonset_util import is_pod_updated
from dstutor.controller.placement_cache import SHOULD_RUN
from dstutor.controller.pod_signature import ready_transition
from dstutor.controller.pods import daemon_pods_on
from dstutor.controller.state import (
    MISSCHEDULED,
    NO_STAT,
    SCHEDULED,
    SHOULD_RUN_UNSCHEDULED,
    STAT_CODES,
    STATS,
    DaemonSetState,
    NodeStat,
    move_stat,
)
from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    TEMPLATE_GENERATION_LABEL,
    Obj,
    is_pod_available,
    is_terminating,
    pod_condition,
)
from dstutor.model.timefmt import parse_rfc3339

_NO_LABELS: dict[str, str] = {}  # read only
_UNSEEN = repeat(None)  # every node's pods unknown (node_stat looks them up)


def node_stat(ctx: Context, ds: Obj, state: DaemonSetState, node_name: str,
              now: float | None, pods: Sequence[Obj] | None = None) -> NodeStat:
    """One node's part of updateDaemonSetStatus; also notes nodes that hold old pods.
    `now`: the clock's time (None: read here if needed); `pods`: daemon_pods_on's answer
    for the node, if the caller has it."""
    # The node's cached placement as its byte (placement_cache; placement_of, inline:
    # every node of every sync asks).
    try:
        placed = state.placement_codes[state.node_index[node_name]]
    except LookupError:  # never placed: a node gone before this DaemonSet saw it
        placed = 0
    if pods is None:
        pods = daemon_pods_on(ctx.store, ds, node_name)
    # Nearly always one pod: whether it is updated is asked once, for both questions
    # (is_pod_updated, inline: every sync of a node asks).
    updated_first = False
    if pods:
        first_labels = pods[0]["metadata"].get("labels") or _NO_LABELS
        generation = state.template_generation
        updated_first = ((generation is not None
                          and first_labels.get(TEMPLATE_GENERATION_LABEL) == generation)
                         or (bool(state.hash)
                             and first_labels.get(DAEMONSET_UNIQUE_LABEL) == state.hash))
    has_old = (not updated_first and not pods[0]["metadata"].get("deletionTimestamp")
               ) if len(pods) == 1 else any(
        not is_pod_updated(p, state.hash, state.template_generation)
        for p in pods if not is_terminating(p))
    if has_old:
        state.old_nodes.add(node_name)
    elif state.old_nodes:  # (nearly always empty: no rollout runs)
        state.old_nodes.discard(node_name)
    if not placed:  # the node is gone: it no longer counts at all
        return NO_STAT
    if not pods:
        return SHOULD_RUN_UNSCHEDULED if placed & SHOULD_RUN else NO_STAT
    if not placed & SHOULD_RUN:
        return MISSCHEDULED
    oldest = pods[0]
    # is_pod_ready(oldest): the pod's last write had the DaemonSet controller read this
    # very conditions list, so pod_signature's memo has the answer.
    ready = ready_transition(oldest.get("status", shared.EMPTY).get("conditions")) is not None
    if not ready:  # (then not available: minReadySeconds is not read)
        return SCHEDULED[False][False][updated_first]
    min_ready = int(ds["spec"].get("minReadySeconds", 0))
    # IsPodAvailable of a Ready pod without minReadySeconds is True: no second look.
    available = min_ready == 0 or is_pod_available(
        oldest, min_ready, ctx.clock.now() if now is None else now)
    if not available:
        cond = pod_condition(oldest, "Ready") or {}
        since = parse_rfc3339(cond.get("lastTransitionTime", "1970-01-01T00:00:00Z"))
        # Upstream requeues after minReadySeconds + 1s to see the pod turn available.
        ctx.enqueue_at("daemonset-node", (
            ds["metadata"]["namespace"], ds["metadata"]["name"], node_name),
            since + min_ready + 1)
    return SCHEDULED[ready][available][updated_first]

def update_daemonset_status(ctx: Context, ds: Obj, state: DaemonSetState, nodes: list[str],
                            pods_seen: Sequence[Sequence[Obj]] | None = None) -> None:
    """updateDaemonSetStatus, incrementally: refresh these nodes, write if a number moved.
    `pods_seen`: the pods on each of these nodes, in their order, from a manage() of
    this same sync that wrote nothing since (DaemonSetsController.manage). Called by
    _sync, which has made state.generation the DaemonSet's generation by then."""
    totals, codes, index = state.totals, state.stat_codes, state.node_index
    # (_UNSEEN is endless; manage() hands over one entry per node.)
    for node_name, pods in zip(nodes, _UNSEEN if pods_seen is None else pods_seen):  # noqa: B905
        # (The clock is read by node_stat itself, where a minReadySeconds needs it.)
        stat = node_stat(ctx, ds, state, node_name, None, pods)
        try:  # (a try costs nothing until it raises)
            at = index[node_name]
            previous = STATS[codes[at]]
        except KeyError:  # a name new to the index takes the next place (and keeps it)
            at = index[node_name] = len(index)
            previous = NO_STAT
        except IndexError:  # past the end of the codes: NO_STAT
            previous = NO_STAT
        # node_stat hands out the shared NodeStat instances only (controller/state.py),
        # and NO_STAT counts for nothing: a node whose part stayed the same moves no total.
        if previous is not stat:
            try:
                codes[at] = STAT_CODES[stat]
            except IndexError:  # (room for 64 more: the nodes that join next)
                codes.extend(bytes(at + 64 - len(codes)))
                codes[at] = STAT_CODES[stat]
            move_stat(totals, previous, stat)
    current = ds.get("status") or {}
    generation = state.generation  # int(metadata.generation), as _sync read it
    desired, available, updated = totals.desired, totals.available, totals.updated
    unavailable = desired - available
    get = current.get
    # Compared one by one before any dict is built: most syncs move no number. (The
    # number that moves in most syncs that do write, as a pod is made or turns ready,
    # is asked first.)
    if (get("numberUnavailable", 0) == unavailable
            and get("currentNumberScheduled", 0) == totals.current
            and get("numberReady", 0) == totals.ready
            and get("numberMisscheduled", 0) == totals.misscheduled
            and get("desiredNumberScheduled", 0) == desired
            and get("observedGeneration", 0) == generation
            and get("updatedNumberScheduled", 0) == updated
            and get("numberAvailable", 0) == available):
        return  # no number moved
    # The numbers written into a copy key by key, in updateDaemonSetStatus's order (a new
    # key goes last, as dict.update would put it); the API omits zero-valued optional
    # counters, so those are dropped instead. (dict(current, **numbers): the copy, then
    # a store per key in that order, in one call; a {**current, ...} display takes
    # fewer bytecodes but builds a second dict, and is slower.)
    if updated and available:  # (nearly always: no pop to make for these two)
        status = dict(current, currentNumberScheduled=totals.current,
                      numberMisscheduled=totals.misscheduled,
                      desiredNumberScheduled=desired, numberReady=totals.ready,
                      observedGeneration=generation, updatedNumberScheduled=updated,
                      numberAvailable=available)
    else:
        status = dict(current, currentNumberScheduled=totals.current,
                      numberMisscheduled=totals.misscheduled,
                      desiredNumberScheduled=desired, numberReady=totals.ready,
                      observedGeneration=generation)
        if updated:
            status["updatedNumberScheduled"] = updated
        else:
            status.pop("updatedNumberScheduled", None)
        if available:
            status["numberAvailable"] = available
        else:
            status.pop("numberAvailable", None)
    if unavailable:
        status["numberUnavailable"] = unavailable
    else:
        status.pop("numberUnavailable", None)
    ctx.api.update_status(ds, status)
