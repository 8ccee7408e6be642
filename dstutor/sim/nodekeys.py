"""The keys of a node's pods in the store's node index (Store.pod_keys_on_node): a tuple,
made as a NodeKeys so that the one it replaces goes back to the allocator.

Why: CPython keeps up to 2,000 freed tuples of each length below 20 for reuse (its free
lists), and a node's keys grow a pod at a time, each growth a new tuple and the old one
freed. At 5,000 nodes x 10 DaemonSets the lists for lengths 6 to 9, which little else
makes, filled with the replaced tuples and stayed full: 8,000 dead tuples, 0.8 MB of the
settle's peak (bench_engine --peak-sites: 12,950 blocks at the store's line for 5,000
nodes). A subclass's instances are never kept in those lists: freed, their memory holds
the next object of their size.

Readers see the tuple they saw: the same keys in the same order, and a tuple to
isinstance, ==, len, `in`, index, iteration and unpacking (tests/sim/
test_sim_memory11_node_keys.py).
"""

from __future__ import annotations

from dstutor.model.objects import Key


class NodeKeys(tuple[Key, ...]):
    __slots__ = ()
