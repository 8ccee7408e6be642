"""A pickled cluster (our own bytes: an undo entry, a planner's fleet) made objects again.

pickle.loads of a 5,000-node cluster allocates millions of long-lived container objects
and frees none, which is the cyclic collector's worst case: each young collection walks
what the last ones left, and the full ones the whole growing heap. Loading the 58 MB of
a 5,000 x 10 cluster with pod events took 1.5-1.8 s with the collector on and 0.45 s
with it paused (nothing made while loading is garbage, let alone cyclic garbage).
"""

from __future__ import annotations

import gc
import pickle
from typing import Any

from dstutor.sim.engine import YOUNG_OBJECTS_TO_PROMOTE, promote_young_objects


def thaw(frozen: bytes, *, promote: bool = True) -> Any:
    """pickle.loads(frozen) with the cyclic collector paused. `promote`: then hand what it
    made to the collector's oldest generation without a walk (promote_young_objects), as
    the engine does after a big instant; a caller about to unfreeze the heap (the shell
    replacing its first, frozen cluster) promotes after that instead, where it is free."""
    paused = gc.isenabled()
    gc.disable()
    try:
        thawed = pickle.loads(frozen)  # noqa: S301 - our own bytes, never a file's
    finally:
        if paused:
            gc.enable()
    if promote:
        promote_if_many()
    return thawed


def promote_if_many() -> None:
    """promote_young_objects() if the youngest generation holds many objects (a thaw's)."""
    if gc.isenabled() and gc.get_count()[0] > YOUNG_OBJECTS_TO_PROMOTE:
        promote_young_objects()
