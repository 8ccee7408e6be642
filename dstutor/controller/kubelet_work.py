"""What the kubelet remembers per pod, container and node between its work items: the
progress records a snapshot saves and restores (sim/snapshot.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from dstutor.model.shapes import DictShape, shape_of


@dataclass(slots=True)
class ContainerWork:
    """Where the kubelet is with one container and when it moves on."""

    stage: str  # pulling | starting | running | crashed | pull-failed
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


# The containers lists tables were made for, by id, each with its list (so that its id
# stays its own while the entry lives) and the table's shape; bounded, a miss only costs
# working the shape out again.
_table_shapes: dict[int, tuple[list[Any], DictShape]] = {}
_TABLE_SHAPES_SIZE = 64


def new_container_table(containers: list[Any]) -> dict[str, ContainerWork]:
    """An empty `PodWork.containers` for a pod with these containers: a key-sharing dict
    (model/shapes.py) keyed by their names, half the size of a plain one while 50,000 pods
    start. A revision's pods share one containers list, hence the memo on it (per list: a
    node joining has each DaemonSet's pod admitted in turn)."""
    known = _table_shapes.get(id(containers))
    if known is None or known[0] is not containers:
        if len(_table_shapes) >= _TABLE_SHAPES_SIZE:
            _table_shapes.clear()
        known = _table_shapes[id(containers)] = (
            containers, shape_of(tuple(str(c.get("name", "")) for c in containers)))
    return known[1].new()


# The containers of every steady pod: shared, never written (a steady pod has no progress).
_STEADY: dict[str, ContainerWork] = {}
# The progress of every steady pod, shared: nothing edits a steady PodWork in place (a
# pod that moves on gets a new one), so 50,000 running pods hold one object, not 50,000.
_STEADY_WORK = PodWork("steady", 0.0, _STEADY)


@lru_cache(maxsize=4096)
def _interned(images: frozenset[str]) -> frozenset[str]:
    return images


def image_set(images: Iterable[str]) -> frozenset[str]:
    """The one frozenset of these images that nodes share (bounded: a miss only costs a
    set of its own)."""
    return _interned(frozenset(images))


@dataclass
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
