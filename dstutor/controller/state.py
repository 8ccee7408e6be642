"""What the DaemonSet controller remembers between syncs, and the status arithmetic."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from dstutor.controller.daemonset_util import allows_surge, is_rolling_update
from dstutor.controller.placement import Placement
from dstutor.controller.placement_cache import PLACEMENTS
from dstutor.controller.rolling_index import RollingIndex
from dstutor.model.objects import Obj
from dstutor.model.selectors import LabelSelector


class NodeStat(NamedTuple):
    """One node's part of the DaemonSet status (what updateDaemonSetStatus counts)."""

    should_run: bool
    scheduled: bool
    ready: bool = False
    available: bool = False
    updated: bool = False


# Only these few values exist; node_stat hands out the shared instances instead of
# building a tuple per node per sync.
NO_STAT = NodeStat(False, False)
SHOULD_RUN_UNSCHEDULED = NodeStat(True, False)
MISSCHEDULED = NodeStat(False, True)
# A scheduled node's stat, SCHEDULED[ready][available][updated] (bools index it).
SCHEDULED = tuple(tuple(tuple(NodeStat(True, True, ready, available, updated)
                              for updated in (False, True))
                        for available in (False, True))
                  for ready in (False, True))


# The few NodeStat values by number, and each one's number (0: NO_STAT).
STATS: tuple[NodeStat, ...] = (
    NO_STAT, SHOULD_RUN_UNSCHEDULED, MISSCHEDULED,
    *(SCHEDULED[ready][available][updated]
      for ready in (0, 1) for available in (0, 1) for updated in (0, 1)))
STAT_CODES: dict[NodeStat, int] = {stat: code for code, stat in enumerate(STATS)}


@dataclass(slots=True)
class StatusTotals:
    """The DaemonSet status numbers, summed over every node's NodeStat."""

    desired: int = 0  # desiredNumberScheduled
    current: int = 0  # currentNumberScheduled
    misscheduled: int = 0  # numberMisscheduled
    ready: int = 0  # numberReady
    available: int = 0  # numberAvailable
    updated: int = 0  # updatedNumberScheduled


class SpecAnswers(NamedTuple):
    """What every sync asks of the DaemonSet's spec, worked out once per spec object: a
    stored DaemonSet's spec is replaced on change (an update stores a new object), never
    edited in place, and the answers hold the spec they were read from, so its identity
    cannot be reused while they live."""

    spec: Obj
    surge: bool  # allows_surge(ds)
    rolling: bool  # is_rolling_update(ds)


def spec_answers(state: DaemonSetState, ds: Obj) -> SpecAnswers:
    """state.spec_answers for this DaemonSet's spec, worked out again if the spec is new
    (where manage() asked allows_surge: a maxSurge that is no number raises there, as
    it did)."""
    spec = ds["spec"]
    answers = state.spec_answers
    if answers is None or answers.spec is not spec:
        answers = state.spec_answers = SpecAnswers(
            spec, allows_surge(ds), is_rolling_update(ds))
    return answers


@dataclass
class DaemonSetState:
    """What the controller remembers between syncs of one DaemonSet."""

    full: bool = True
    # The nodes to look at in the next sync, in the order first marked, as a list that
    # may name a node more than once (_sync takes each once, in that order; fold_dirty
    # folds them where no sync takes them): a set of 5,000 node names takes a table of
    # 32,768 slots (sets grow fourfold), a dict 8,192 (100 KB), a list 5,000 references
    # (40 KB). At the end of a 5,000 x 10 settle, ten DaemonSets hold every node at once
    # until their syncs run: the process's peak, where the list is 0.6 MB below the dict.
    dirty: list[str] = field(default_factory=list)
    generation: int = 0
    hash: str = ""
    template_generation: str | None = None
    pod_spec: Obj = field(default_factory=dict)
    pod_labels: Obj = field(default_factory=dict)
    controller_ref: Obj = field(default_factory=dict)  # shared by the pods it creates
    pod_labels_key: tuple[str, str | None] | None = None
    qos_class: str = "BestEffort"
    selector: LabelSelector | None = None
    # Each node's cached Placement (node_should_run_daemon_pod's answer for the pod spec
    # of this revision), as its byte (placement_cache.placement_code; 0: none cached,
    # also past the end) at the node's place in node_index: one byte a node, where a dict of
    # 5,000 node names took 100 KB for each DaemonSet (1 MB of the settle's peak). Read
    # through placement_of (inline where every sync asks), written by put_placement and
    # drop_placement; placed_nodes names the nodes that have one.
    placement_codes: bytearray = field(default_factory=bytearray)
    # Each node's NodeStat, as its STAT_CODES number at the node's place in node_index
    # (0, NO_STAT, past the end): one byte a node, where a dict of 5,000 node names took
    # 100 KB for each DaemonSet (1 MB of the settle's peak). The index is the controller's,
    # shared by its DaemonSets (a state made alone has its own); a name keeps its place.
    stat_codes: bytearray = field(default_factory=bytearray)
    node_index: dict[str, int] = field(default_factory=dict)
    totals: StatusTotals = field(default_factory=StatusTotals)
    old_nodes: set[str] = field(default_factory=set)
    old_revision_count: int = 0
    create_failed: bool = False  # this sync's syncNodes hit a create error
    # rolling_update's per-node answers while a rollout runs (None: build from scratch).
    rolling: RollingIndex | None = None
    # cleanupHistory's revision hashes of live pods, per node, while it runs each sync.
    live_hashes: LiveHashes | None = None
    # The controller reference new pods were made for, with their generateName and
    # ownerReferences list (DaemonSetsController._pod_owner_parts).
    owner_parts: tuple[Any, ...] = ()
    spec_answers: SpecAnswers | None = None  # see spec_answers

    @property
    def placements(self) -> dict[str, Placement]:
        """Each node's cached Placement, as a dict (for tests and debugging: the
        controller reads and writes placement_codes)."""
        codes = self.placement_codes
        return {name: placement for name, at in self.node_index.items()
                if at < len(codes) and (placement := PLACEMENTS[codes[at]]) is not None}

    @property
    def stats(self) -> dict[str, NodeStat]:
        """Each node's NodeStat other than NO_STAT, as a dict (for tests and debugging:
        update_daemonset_status reads and writes stat_codes)."""
        codes = self.stat_codes
        return {name: STATS[codes[at]] for name, at in self.node_index.items()
                if at < len(codes) and codes[at]}


def fold_dirty(state: DaemonSetState) -> None:
    """Leave each of the DaemonSet's dirty nodes in its list once, in the order first
    marked: where a sync returns without taking them (so a DaemonSet being deleted, whose
    pods' events still mark nodes, holds each node once, as the dict did)."""
    state.dirty[:] = dict.fromkeys(state.dirty)


@dataclass
class LiveHashes:
    """The revision hashes the DaemonSet's pods carry: per node, and how many nodes
    carry each (a hash is live while that count is above zero)."""

    by_node: dict[str, frozenset[str]] = field(default_factory=dict)
    nodes_with: Counter[str] = field(default_factory=Counter)

    def put(self, node_name: str, hashes: frozenset[str]) -> None:
        previous = self.by_node.pop(node_name, frozenset())
        self.nodes_with.subtract(previous)
        if hashes:
            self.by_node[node_name] = hashes
            self.nodes_with.update(hashes)

    def live(self) -> set[str]:
        return {h for h, count in self.nodes_with.items() if count > 0}


# move_stat's change to the totals for each (previous, new) pair of parts seen so far:
# the desired, current, misscheduled, ready, available and updated deltas.
_MOVES: dict[tuple[NodeStat, NodeStat], tuple[int, int, int, int, int, int]] = {}


def move_stat(totals: StatusTotals, previous: NodeStat, stat: NodeStat) -> None:
    """add_stat(totals, previous, -1), then add_stat(totals, stat, 1), in one step: the
    difference of two of the few NodeStat values, worked out once per pair."""
    move = _MOVES.get((previous, stat))
    if move is None:
        scratch = StatusTotals()
        add_stat(scratch, previous, -1)
        add_stat(scratch, stat, 1)
        move = _MOVES[(previous, stat)] = (scratch.desired, scratch.current,
                                           scratch.misscheduled, scratch.ready,
                                           scratch.available, scratch.updated)
    desired, current, misscheduled, ready, available, updated = move
    # A move changes one or two of the six numbers: the others are not written.
    if desired:
        totals.desired += desired
    if current:
        totals.current += current
    if misscheduled:
        totals.misscheduled += misscheduled
    if ready:
        totals.ready += ready
    if available:
        totals.available += available
    if updated:
        totals.updated += updated


def add_stat(totals: StatusTotals, stat: NodeStat, sign: int) -> None:
    """Fold one node's part into the running totals (sign -1 takes it out again)."""
    should_run, scheduled, ready, available, updated = stat
    if should_run:
        totals.desired += sign
        if scheduled:
            totals.current += sign
            totals.ready += sign * ready
            totals.available += sign * available
            totals.updated += sign * updated
    elif scheduled:
        totals.misscheduled += sign
