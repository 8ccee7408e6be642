"""A pickled cluster (our own bytes: an undo entry, a planner's fleet) made objects again.

pickle.loads of a 5,000-node cluster allocates millions of long-lived container objects
and frees none, which is the cyclic collector's worst case: each young collection walks
what the last ones left, and the full ones the whole growing heap. Loading the 58 MB of
a 5,000 x 10 cluster with pod events took 1.5-1.8 s with the collector on and 0.45 s
with it paused (nothing made while loading is garbage, let alone cyclic garbage).

What a thaw makes goes to the oldest generation without counting towards a full
collection, and none comes due while it loads: a caller that drops a big cluster for the
thawed one (a cluster is garbage with reference cycles) collects it itself, at once
(Session.restore and replace_cluster, planner.plan.make_plan). Left to the collector,
five undos at 5,000 nodes kept 1.34 GB.
"""

from __future__ import annotations

import gc
import pickle
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dstutor.sim.engine import YOUNG_OBJECTS_TO_PROMOTE, promote_young_objects


def thaw(frozen: bytes) -> Any:
    """pickle.loads(frozen) with the cyclic collector paused, and what it made handed to
    the collector's oldest generation (collector_paused(promote=True))."""
    with collector_paused(promote=True):
        return pickle.loads(frozen)  # noqa: S301 - our own bytes, never a file's


@contextmanager
def collector_paused(*, promote: bool = False) -> Iterator[None]:
    """The cyclic collector paused for the block (left paused if it was), for work that
    makes many long-lived objects and no cyclic garbage: a thaw, a snapshot saved or
    loaded (shell/savefile.py). `promote`: what the block left in the youngest generation,
    if it is many objects, goes to the oldest without a walk (promote_young_objects)
    before the collector runs again: the first object made after it is back on would set
    off a young collection over all of them. (Where the heap is frozen, as the shell's
    first cluster is until it is replaced, that promotion is a walk of the young objects,
    once; Session.restore and replace_cluster unfreeze first: unfreeze_heap.)"""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if promote and gc.get_count()[0] > YOUNG_OBJECTS_TO_PROMOTE:
            promote_young_objects()
        if paused:
            gc.enable()


def unfreeze_heap() -> None:
    """What a shell froze after building its first cluster (shell/startup.py) back to
    the collector's oldest generation. Called before a cluster is made to replace that
    one (undo, `load`, `reset`), so that promoting what is made is free
    (promote_young_objects) instead of a walk of it (1.2 s after a 5,000-node `load`);
    the replaced cluster must be collectable then anyway (Session._cluster_dropped). A
    replacement that fails leaves the heap unfrozen: full collections walk it again."""
    if gc.get_freeze_count():
        gc.unfreeze()
