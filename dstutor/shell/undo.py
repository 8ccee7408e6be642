"""An undo entry: the cluster as it was before a command changed it (see Session).

Held as pickled bytes, a cluster object, a way to build it again (the session's
factory, or an earlier entry with commands replayed on it), or, for a big cluster, a
forked child process that pickles it when asked (heldstate.py): whichever costs least
while nobody asks for it.
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from dataclasses import dataclass

from dstutor.shell.heldstate import HeldState, can_hold
from dstutor.sim.cluster import Cluster
from dstutor.sim.thaw import thaw


@dataclass
class UndoEntry:
    """The cluster as it was before `command` changed it.

    Held as pickled bytes where possible: pickling our own live objects is 2-3 times
    faster than copy.deepcopy and only the rare `undo` pays for unpickling. These bytes
    never leave the process and never come from outside it, which is why pickle is fine
    here and never for `save`/`load` (see savefile.py).
    """

    command: str
    namespace: str
    frozen: bytes | None = None
    kept: Cluster | None = None  # a cluster object itself (reset/load), or a deep copy
    # The cluster as the session's factory builds it (see Session.rebuildable): nothing
    # is copied until the entry is used, and then the factory builds it again. Or, with
    # `replayed` steps, an earlier entry's cluster with those commands done again on it
    # (see Session.replayable).
    rebuild: Callable[[], Cluster] | None = None
    replayed: int = 0
    # What replaying them costs (CPU seconds, as they took the first time).
    replay_cost: float = 0.0
    # The pickled bytes this entry keeps alive (its own frozen bytes unless given: those
    # of the entry its replayed steps start from): what counts against MAX_UNDO_BYTES.
    holds: bytes | None = None
    # A big cluster's state, held by a child process until its bytes are needed (its own,
    # or that of the entry its replayed steps start from).
    held: HeldState | None = None

    def __post_init__(self) -> None:
        if self.holds is None:
            self.holds = self.frozen

    @classmethod
    def of(cls, cluster: Cluster, namespace: str) -> UndoEntry:
        if can_hold(cluster):
            try:
                return cls("", namespace, held=HeldState(cluster))
            except OSError:  # no process or pipe to spare: pickled here, as below
                pass
        try:
            return cls("", namespace, frozen=pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL))
        except (pickle.PicklingError, TypeError, AttributeError):
            # e.g. a test clock whose wall-time source is a lambda
            return cls("", namespace, kept=copy.deepcopy(cluster))

    @property
    def size(self) -> int:
        """Bytes held (a kept cluster object counts as nothing we can measure)."""
        if self.holds is not None:
            return len(self.holds)
        return self.held.size() if self.held is not None else 0

    def keep(self) -> None:
        """This entry outlives the line that made it (an undo entry, a replay's base): a
        held state is pickled now, in the background, so that its child can go."""
        if self.held is not None:
            self.held.start()

    def copy(self) -> UndoEntry:
        """Another entry for the same state: frozen bytes are shared, never changed."""
        return UndoEntry(self.command, self.namespace, frozen=self.frozen, kept=self.kept,
                         rebuild=self.rebuild, replayed=self.replayed,
                         replay_cost=self.replay_cost, holds=self.holds, held=self.held)

    def cluster(self) -> Cluster:
        if self.kept is not None:
            return self.kept
        if self.rebuild is not None:
            return self.rebuild()
        if self.held is not None:
            return thaw(self.held.payload())
        assert self.frozen is not None
        return thaw(self.frozen)  # our own bytes, see the docstring


class GuardNeeded(BaseException):  # noqa: N818 - a signal to the caller, not an error
    """An unguarded session (Session.unguarded) was asked for a state it did not keep: an
    `undo`, or a command to put back after it failed. The caller runs the whole
    throwaway session again, guarded (lessons/sandbox.throwaway). A BaseException, so
    the shell's own `except Exception` never takes it for an internal error."""


def needs_guard() -> Cluster:
    """The `rebuild` of an unguarded session's entries: there is nothing to rebuild."""
    raise GuardNeeded


def _bytes_held(entries: list[UndoEntry]) -> int:
    """The pickled bytes the entries keep alive, each counted once (entries replayed
    from one snapshot share its bytes), held states by their size (HeldState.size)."""
    held = {id(e.holds): len(e.holds) for e in entries if e.holds is not None}
    held.update((id(e.held), e.held.size()) for e in entries
                if e.holds is None and e.held is not None)
    return sum(held.values())
