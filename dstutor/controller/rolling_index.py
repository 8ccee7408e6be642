"""What rolling_update needs to know about every node, kept up to date between syncs.

Upstream's rollingUpdate walks every node on every sync: find the new and old pod on
it (findUpdatedPodsOnNode), ask whether they are available, and count. On a big fleet
that walk is most of the work of a rollout (2,000 nodes × one sync per replaced pod).
Nearly every node looks the same as at the last sync, so this module keeps each node's
answer (a NodeRoll) and the running counts and ordered node lists rolling_update reads,
and recomputes only the nodes that changed since:

- nodes the sync visits (its dirty nodes: a node or pod event, a timer) and nodes
  marked dirty during the sync, before rolling_update runs;
- nodes whose new or old pod turns available with time (Ready for longer than
  minReadySeconds): each such answer carries the instant it expires.

A full sync (a new template, a new revision) drops the index; the next rolling_update
builds it from every node again. `update.rolling_update_walk` is the walk itself, kept
as the reference the controller is tested against (see DaemonSetsController.verify).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dstutor.controller.daemonset_util import is_pod_updated
from dstutor.controller.placement_cache import placed_nodes, placement_of
from dstutor.controller.pods import daemon_pods_on
from dstutor.controller.ports import ObjectStore
from dstutor.model.objects import Obj, is_pod_available, is_terminating, pod_condition, uid
from dstutor.model.timefmt import parse_rfc3339

if TYPE_CHECKING:
    from dstutor.controller.state import DaemonSetState

NEVER = math.inf


class IncrementalMismatch(AssertionError):
    """The incremental answer differs from the walk over every node (a bug)."""


class SortedNames:
    """Node names kept in name order (rolling_update walks nodes by name)."""

    __slots__ = ("_names",)

    def __init__(self) -> None:
        self._names: list[str] = []

    def add(self, name: str) -> None:
        names = self._names
        i = bisect_left(names, name)
        if i == len(names) or names[i] != name:
            names.insert(i, name)

    def discard(self, name: str) -> None:
        names = self._names
        i = bisect_left(names, name)
        if i < len(names) and names[i] == name:
            del names[i]

    def first(self, count: int) -> list[str]:
        return self._names[:max(count, 0)]

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)


@dataclass(frozen=True, slots=True)
class NodeRoll:
    """One node as rolling_update sees it: findUpdatedPodsOnNode's answer, whether each
    pod is available, and whether the node should run the daemon pod."""

    ok: bool  # not more than one new and one old pod
    new: Obj | None
    old: Obj | None
    new_available: bool
    old_available: bool
    should_run: bool
    expires: float  # after this instant an availability above may have changed


# Which list of each kind a node belongs in (at most one of each).
# maxSurge 0: UNAVAILABLE counts against maxUnavailable; REPLACE is an unavailable old
# pod (replaced whatever the budget, and counted); CANDIDATE an available old pod.
UNAVAILABLE, REPLACE, CANDIDATE = 1, 2, 3
# maxSurge > 0: DELETE an old pod that goes now; NOT_RUN an available old pod on a node
# that no longer qualifies; ALLOWED a node that gets a new pod outside the budget;
# SURGE_CANDIDATE a node that may get a surge pod.
DELETE, NOT_RUN, ALLOWED, SURGE_CANDIDATE = 1, 2, 3, 4


def no_surge_class(roll: NodeRoll) -> int:
    """The maxSurge 0 branch of rollingUpdate for one node (0: counts for nothing)."""
    if not roll.ok or (roll.new is None) == (roll.old is None):
        return UNAVAILABLE  # both or neither; duplicates (manage prunes them)
    if roll.new is not None:
        return 0 if roll.new_available else UNAVAILABLE
    return CANDIDATE if roll.old_available else REPLACE


def surge_class(roll: NodeRoll) -> tuple[int, int, int]:
    """The maxSurge branch for one node: (class, surge pods in use, available pods)."""
    if not roll.ok:
        return 0, 1, 0
    if roll.old is None:
        return 0, 0, int(roll.new is not None and roll.new_available)
    if roll.new is None:
        if not roll.old_available:
            return (ALLOWED if roll.should_run else DELETE), 0, 0
        return (SURGE_CANDIDATE if roll.should_run else NOT_RUN), 0, 1
    if not roll.new_available:
        return 0, 1, int(roll.old_available)
    return DELETE, 0, int(roll.old_available)


@dataclass
class RollingIndex:
    """The running totals and node lists, for both branches of rollingUpdate (which one
    applies depends on maxSurge, which a percentage ties to the desired count)."""

    key: tuple[str, str | None, int]  # hash, template generation, minReadySeconds
    rolls: dict[str, NodeRoll] = field(default_factory=dict)
    desired: int = 0
    unavailable: int = 0  # maxSurge 0: UNAVAILABLE and REPLACE nodes
    replace: SortedNames = field(default_factory=SortedNames)
    candidates: SortedNames = field(default_factory=SortedNames)
    surging: int = 0  # maxSurge > 0: nodes whose pods use the surge budget
    available: int = 0
    delete: SortedNames = field(default_factory=SortedNames)
    not_run: SortedNames = field(default_factory=SortedNames)
    allowed: SortedNames = field(default_factory=SortedNames)
    surge_candidates: SortedNames = field(default_factory=SortedNames)
    expiring: list[tuple[float, str]] = field(default_factory=list)  # heap

    def _fold(self, name: str, roll: NodeRoll, sign: int) -> None:
        add = sign > 0
        self.desired += sign * roll.should_run
        cls = no_surge_class(roll)
        if cls in (UNAVAILABLE, REPLACE):
            self.unavailable += sign
        if cls == REPLACE:
            (self.replace.add if add else self.replace.discard)(name)
        elif cls == CANDIDATE:
            (self.candidates.add if add else self.candidates.discard)(name)
        scls, surging, available = surge_class(roll)
        self.surging += sign * surging
        self.available += sign * available
        lists = (None, self.delete, self.not_run, self.allowed, self.surge_candidates)
        target = lists[scls]
        if target is not None:
            (target.add if add else target.discard)(name)

    def put(self, name: str, roll: NodeRoll | None) -> None:
        """Replace one node's answer (None: the node is not in rollingUpdate's map)."""
        previous = self.rolls.pop(name, None)
        if previous is not None:
            self._fold(name, previous, -1)
        if roll is not None:
            self.rolls[name] = roll
            self._fold(name, roll, 1)
            if roll.expires != NEVER:
                heapq.heappush(self.expiring, (roll.expires, name))

    def expired(self, now: float) -> list[str]:
        """Nodes whose answer may have changed with time alone (availability)."""
        out = []
        heap = self.expiring
        while heap and heap[0][0] < now:
            out.append(heapq.heappop(heap)[1])
        return out


def _available_until(pod: Obj, min_ready: int, now: float) -> tuple[bool, float]:
    """is_pod_available now, and until when that answer holds if the pod stays as is."""
    if is_pod_available(pod, min_ready, now):
        return True, NEVER  # nothing but a change to the pod takes availability away
    cond = pod_condition(pod, "Ready")
    if min_ready == 0 or not cond or cond.get("status") != "True":
        return False, NEVER
    since = cond.get("lastTransitionTime")
    if not since:
        return False, NEVER
    return False, parse_rfc3339(since) + min_ready  # available once now passes this


def node_roll(store: ObjectStore, ds: Obj, state: DaemonSetState, node_name: str,
              min_ready: int, now: float) -> NodeRoll | None:
    """One node as rolling_update's walk sees it, or None if the walk does not visit it
    (no daemon pod on it and it should not run one)."""
    pods = daemon_pods_on(store, ds, node_name)
    placement = placement_of(state, node_name)
    should_run = placement is not None and placement.should_run
    if not pods and not should_run:
        return None
    new = old = None
    ok = True
    for pod in pods:  # findUpdatedPodsOnNode
        if is_terminating(pod):
            continue
        if is_pod_updated(pod, state.hash, state.template_generation):
            if new is not None:
                ok = False
                break
            new = pod
        else:
            if old is not None:
                ok = False
                break
            old = pod
    if not ok:
        return NodeRoll(False, None, None, False, False, should_run, NEVER)
    new_available = old_available = False
    expires = NEVER
    if new is not None:
        new_available, expires = _available_until(new, min_ready, now)
    if old is not None:
        old_available, old_expires = _available_until(old, min_ready, now)
        expires = min(expires, old_expires)
    return NodeRoll(True, new, old, new_available, old_available, should_run, expires)


def refreshed_index(store: ObjectStore, ds: Obj, state: DaemonSetState,
                    changed: Iterable[str], now: float) -> RollingIndex:
    """The index brought up to date: built from every node the first time (or after a
    full sync dropped it), else only the changed and expired nodes recomputed."""
    min_ready = int(ds["spec"].get("minReadySeconds", 0))
    key = (state.hash, state.template_generation, min_ready)
    index = state.rolling
    if index is None or index.key != key:
        index = state.rolling = RollingIndex(key)
        nodes: Iterable[str] = set(placed_nodes(state)) | set(store.pods_of_owner(uid(ds)))
    else:
        nodes = set(changed)
        nodes.update(index.expired(now))
    for node_name in nodes:
        index.put(node_name, node_roll(store, ds, state, node_name, min_ready, now))
    return index
