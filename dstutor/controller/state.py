"""What the DaemonSet controller remembers between syncs, and the status arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field

from dstutor.controller.placement import Placement
from dstutor.model.objects import Obj
from dstutor.model.selectors import LabelSelector

# (should_run, scheduled, ready, available, updated): one node's part of the status.
NodeStat = tuple[bool, bool, bool, bool, bool]
NO_STAT: NodeStat = (False, False, False, False, False)


@dataclass
class DaemonSetState:
    """What the controller remembers between syncs of one DaemonSet."""

    full: bool = True
    dirty: set[str] = field(default_factory=set)
    generation: int = 0
    hash: str = ""
    template_generation: str | None = None
    pod_spec: Obj = field(default_factory=dict)
    pod_labels: Obj = field(default_factory=dict)
    controller_ref: Obj = field(default_factory=dict)  # shared by the pods it creates
    pod_labels_key: tuple[str, str | None] | None = None
    qos_class: str = "BestEffort"
    selector: LabelSelector | None = None
    placements: dict[str, Placement] = field(default_factory=dict)
    stats: dict[str, NodeStat] = field(default_factory=dict)
    totals: list[int] = field(default_factory=lambda: [0] * 6)
    old_nodes: set[str] = field(default_factory=set)
    old_revision_count: int = 0
    create_failed: bool = False  # this sync's syncNodes hit a create error


def add_stat(totals: list[int], stat: NodeStat, sign: int) -> None:
    """Fold one node's part into the running totals (desired, current, misscheduled,
    ready, available, updated)."""
    should_run, scheduled, ready, available, updated = stat
    if should_run:
        totals[0] += sign
        if scheduled:
            totals[1] += sign
            totals[3] += sign * ready
            totals[4] += sign * available
            totals[5] += sign * updated
    elif scheduled:
        totals[2] += sign
