"""What the kubelet remembers per pod, container and node between its work items: the
progress records a snapshot saves and restores (sim/snapshot.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from dstutor.model.sharedguard import cached, share, share_always


@dataclass(slots=True)
class ContainerWork:
    """Where the kubelet is with one container and when it moves on."""

    stage: str  # pulling | starting | running | crashed | pull-failed | stopping
    due: float = 0.0
    backoff: float = 0.0
    ready_at: float | None = None
    fresh: bool = False  # its image was pulled for this start
    shown: bool = True  # the back-off reason is already shown
    error: str = ""  # the last pull error (prevPullErrMsg)


@dataclass(slots=True)
class PodWork:
    """Where the kubelet is with one pod: its containers, or killing it."""

    stage: str  # active | steady (every container running and ready) | killing
    due: float = 0.0
    containers: dict[str, ContainerWork] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PodWork:
        """The inverse of dataclasses.asdict, for snapshots. A snapshot saved before
        containers had their own progress gives every container the pod's."""
        unknown = set(data) - {"stage", "due", "containers", "backoff", "ready_at",
                               "fresh_images"}
        if unknown or not isinstance(data["stage"], str):
            raise ValueError(f"unknown kubelet progress {sorted(map(str, unknown))}")
        containers = {str(name): ContainerWork(**cw)
                      for name, cw in (data.get("containers") or {}).items()}
        stage = data["stage"]
        if stage not in ("active", "steady", "killing"):
            legacy = ContainerWork(stage, float(data.get("due", 0.0)),
                                   float(data.get("backoff", 0.0)), data.get("ready_at"))
            return cls("active", 0.0, {"*": legacy})
        return cls(stage, float(data.get("due", 0.0)), containers)


@dataclass(slots=True)
class SharedPodWork(PodWork):
    """Progress that several pods hold at once (`shared_work`): never edited in place.
    The kubelet takes a private copy (`own_work`) before it changes anything. A class of
    its own, not a field, so that snapshots (dataclasses.asdict) save what they saved, and
    so that a copy of the cluster (undo pickles it) still knows which records are shared."""


# The shared records by what they hold (see shared_work); bounded, a miss only costs a
# record of its own again.
class _SharedMemo(dict[tuple[Any, ...], SharedPodWork]):
    def cache_clear(self) -> None:  # as an lru_cache's, for sharedguard.cached
        self.clear()


_shared = cached(_SharedMemo())  # emptied when the guard starts: each test freezes its own
_SHARED_SIZE = 256


def shared_work(work: PodWork, table: dict[str, ContainerWork] | None = None) -> PodWork:
    """The one shared record equal to `work` (with `table` for its containers, if given):
    50,000 pods starting at the same instants go through the same few stages and due
    times, so they hold a few records, not 50,000 (15 MB at the peak of a settle). A record
    with a time that is not a float (a saved file's 10 rather than 10.0) stays the pod's
    own: an equal float record would save as 10.0."""
    containers = work.containers if table is None else table
    key: tuple[Any, ...] = (work.stage, work.due)
    for name, cw in containers.items():
        if not (float is type(cw.due) is type(cw.backoff) and (
                cw.ready_at is None or type(cw.ready_at) is float)):
            key = ()
            break
        key += (name, cw.stage, cw.due, cw.backoff, cw.ready_at, cw.fresh, cw.shown, cw.error)
    if not key or type(work.due) is not float:
        # (a table made by own_container may still hold shared entries: copy them all)
        return work if containers is work.containers else own_work(
            PodWork(work.stage, work.due, containers))
    found = _shared.get(key)
    return found if found is not None else _new_shared(key)


def shared_one(work: PodWork, name: str, cw: ContainerWork) -> PodWork:
    """shared_work(work, {name: cw}) (the record of a pod of one container), its key
    made without the loop."""
    if not (float is type(cw.due) is type(cw.backoff) is type(work.due) and (
            cw.ready_at is None or type(cw.ready_at) is float)):
        return shared_work(work, {name: cw})  # (a record of its own)
    key = (work.stage, work.due, name, cw.stage, cw.due, cw.backoff, cw.ready_at, cw.fresh,
           cw.shown, cw.error)
    found = _shared.get(key)
    return found if found is not None else _new_shared(key)


def pulled_one(work: PodWork, name: str, cw: ContainerWork, due: float) -> PodWork:
    """shared_one(work, name, the copy of `cw` a finished pull leaves: starting, due then,
    its image fresh), without making that copy first."""
    if not (float is type(due) is type(cw.backoff) is type(work.due) and (
            cw.ready_at is None or type(cw.ready_at) is float)):
        return shared_one(work, name, ContainerWork("starting", due, cw.backoff, cw.ready_at,
                                                    True, cw.shown, cw.error))
    key = (work.stage, work.due, name, "starting", due, cw.backoff, cw.ready_at, True,
           cw.shown, cw.error)
    found = _shared.get(key)
    return found if found is not None else _new_shared(key)


def shared_record(signature: tuple[Any, ...]) -> SharedPodWork:
    """The shared record of this signature, as `shared_work` makes it: its stage and due
    time, then per container its name and ContainerWork's seven fields (every time a
    float): a pod's first record without building a private one first."""
    found = _shared.get(signature)
    return found if found is not None else _new_shared(signature)


def _new_shared(key: tuple[Any, ...]) -> SharedPodWork:
    if len(_shared) >= _SHARED_SIZE:
        _shared.clear()
    table = {key[i]: ContainerWork(*key[i + 1:i + 8]) for i in range(2, len(key), 8)}
    found = _shared[key] = share(SharedPodWork(key[0], key[1], table))
    return found


def own_container(table: dict[str, ContainerWork], shared: dict[str, ContainerWork],
                  name: str) -> tuple[dict[str, ContainerWork], ContainerWork]:
    """Copy-on-write of one container of a shared record's table `shared`: `table` is
    that table or a shallow copy made here before; returns the copy and the container's
    own record in it, to edit. Such a table is shared again or dropped at the end of the
    step (never kept with shared entries in it)."""
    if table is shared:
        table = dict(shared)
    cw = table[name]
    cw = table[name] = ContainerWork(cw.stage, cw.due, cw.backoff, cw.ready_at, cw.fresh,
                                     cw.shown, cw.error)
    return table, cw


def own_work(work: PodWork) -> PodWork:
    """A private copy of a pod's progress, to edit (copy-on-write of `shared_work`)."""
    table = {}  # a loop, not a comprehension: one call less on each step of a pod
    for name, cw in work.containers.items():
        table[name] = ContainerWork(cw.stage, cw.due, cw.backoff, cw.ready_at, cw.fresh,
                                    cw.shown, cw.error)
    return PodWork(work.stage, work.due, table)


# The containers of every steady pod: shared, never written (a steady pod has no progress).
_STEADY: dict[str, ContainerWork] = {}
# The progress of every steady pod, shared: nothing edits a steady PodWork in place (a
# pod that moves on gets a new one), so 50,000 running pods hold one object, not 50,000.
_STEADY_WORK = share_always(PodWork("steady", 0.0, _STEADY))


@lru_cache(maxsize=4096)
def _interned(images: frozenset[str]) -> frozenset[str]:
    return images


def image_set(images: Iterable[str]) -> frozenset[str]:
    """The one frozenset of these images that nodes share (bounded: a miss only costs a
    set of its own)."""
    return _interned(frozenset(images))


@dataclass(slots=True)  # (5,000 nodes: 0.3 MB less than an instance dict each)
class NodeAgent:
    alive: bool = True
    # The images the node has pulled: one frozenset for every node that pulled the same
    # ones (5,000 nodes with ten images each: 2.4 MB less), replaced, never edited.
    images: frozenset[str] = frozenset()
    next_ip: int = 2

    def pulled(self, *images: str) -> None:
        """The node's runtime now has these images too."""
        if not self.images.issuperset(images):
            self.images = _interned(self.images.union(images))
