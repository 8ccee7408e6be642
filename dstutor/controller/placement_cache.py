"""Each DaemonSet's cached placements (node_should_run_daemon_pod's answers), as one byte
per node at the node's place in the index the controller's DaemonSets share
(DaemonSetState.placement_codes and node_index): read and written here, and inline
where every sync asks (manage, node_stat, the controller's on_node)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.controller.placement import NEVER, RUN, Placement

if TYPE_CHECKING:
    from dstutor.controller.state import DaemonSetState

# A node's byte: CACHED (0: no Placement cached), and the Placement's two answers as
# bits, so manage() and node_stat ask them of the byte itself.
CACHED, SHOULD_RUN, CONTINUES = 1, 2, 4


def placement_code(placement: Placement) -> int:
    """The byte of a cached Placement (the controller caches node_should_run_daemon_pod's
    answers without explanations: no gates)."""
    return CACHED | SHOULD_RUN * placement.should_run | CONTINUES * placement.should_continue_running


# The Placement each byte stands for (None: none cached).
PLACEMENTS: tuple[Placement | None, ...] = (
    None, NEVER, None, Placement(True, False), None, Placement(False, True), None, RUN)
RUN_CODE = placement_code(RUN)  # (nearly every node's)


def placement_of(state: DaemonSetState, node_name: str) -> Placement | None:
    """The node's cached Placement (None: none)."""
    try:
        return PLACEMENTS[state.placement_codes[state.node_index[node_name]]]
    except LookupError:  # a name not in the index, or past the end of the codes
        return None


def put_placement(state: DaemonSetState, node_name: str, placement: Placement) -> None:
    """Cache the node's Placement (a name new to the index takes the next place)."""
    index = state.node_index
    at = index.get(node_name)
    if at is None:
        at = index[node_name] = len(index)
    codes = state.placement_codes
    if at >= len(codes):  # (room for 64 more: the nodes that join next)
        codes.extend(bytes(at + 64 - len(codes)))
    codes[at] = placement_code(placement)


def drop_placement(state: DaemonSetState, node_name: str) -> None:
    """Forget the node's cached Placement, if any."""
    at = state.node_index.get(node_name)
    if at is not None and at < len(state.placement_codes):
        state.placement_codes[at] = 0


def placed_nodes(state: DaemonSetState) -> list[str]:
    """The nodes with a cached Placement, in the order of the index (the dict they
    were the keys of gave them in the order cached: its readers count them, take them
    as a set, or sort them)."""
    codes = state.placement_codes
    end = len(codes)
    return [name for name, at in state.node_index.items() if at < end and codes[at]]
