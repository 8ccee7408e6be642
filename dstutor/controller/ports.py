"""The store, the API and the clock as the controllers see them.

The controllers run inside the simulator, but they do not import it: `dstutor.sim`
builds the real Store, ApiServer and Clock and hands them in (its Cluster is the
Context), and these Protocols say what the controllers may call on them. So the
import graph points one way, sim → controller → model, and a test double only needs
the methods listed here. Objects are handed out by reference, as in the store;
controllers edit them in place and then `touch` them.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from typing import Protocol

from dstutor.controller.pod_record import PodRecord
from dstutor.model.admission import PriorityAnswers
from dstutor.model.objects import Key, Obj

# `ObjectStore.list` shadows the builtin inside the class body; annotate with this.
_ObjList = builtins.list[Obj]


class ObjectStore(Protocol):
    """The object store: reads by key, by kind and through the pod indexes, plus
    `touch` for an in-place change (controllers write other changes through Api)."""

    # Each stored pod's record (controller/pod_record.py), by key: each controller reads
    # and writes its own attribute there.
    pod_records: dict[Key, PodRecord]

    def get(self, kind: str, namespace: str, name: str) -> Obj | None: ...

    def get_plain(self, kind: str, namespace: str, name: str) -> Obj | None:
        """get() of a kind other than Pod and Event (asked most: Nodes, DaemonSets)."""
        ...

    def by_uid(self, uid: str) -> Obj | None: ...

    def list(self, kind: str, namespace: str | None = None) -> _ObjList:
        """Objects of a kind sorted by namespace then name (the API server's order)."""
        ...

    def iter_kind(self, kind: str) -> Iterator[Obj]: ...

    def count(self, kind: str) -> int: ...

    def pods_of_owner(self, owner_uid: str) -> dict[str, Sequence[Key]]:
        """Controller owner uid -> node name -> keys of its pods there (a tuple of them,
        or the record of a pod alone there: pod_record.PodRecord is a sequence too)."""
        ...

    def pod_owner_and_node(self, key: Key) -> tuple[str, str]:
        """A stored pod's controller uid and target node as the indexes hold them."""
        ...

    def stored_pod_key(self, key: Key) -> Key:
        """The key tuple the store's indexes hold for an equal key (the one given if the
        pod is not stored): bookkeeping kept per pod then holds no copy of its own."""
        ...

    def stored_key(self, record: PodRecord, key: Key) -> Key:
        """stored_pod_key for the record of a stored pod (`key` equal to its key)."""
        ...

    def pods_on_node(self, node: str) -> _ObjList: ...

    def pod_keys_on_node(self, node: str) -> tuple[Key, ...]: ...

    def orphan_pod_keys_on_node(self, node: str) -> AbstractSet[Key]: ...

    def orphan_pod_keys(self, namespace: str) -> builtins.list[Key]: ...

    def touch_status(self, obj: Obj) -> None:
        """touch() for a change to the object's status alone (metadata and spec as they
        were): the store's indexes, made from those, are not asked again."""
        ...

    def touch(self, obj: Obj, old: Obj | None = None) -> None:
        """Record an in-place change to a stored object."""
        ...


class Api(Protocol):
    """The API server's writes a controller makes (trusted: no admission of user input)."""

    def create_trusted(self, obj: Obj, *, priority: PriorityAnswers | None = None,
                       index: tuple[str, object, str] | None = None) -> Obj: ...

    def priority_answers(self) -> PriorityAnswers:
        """The Priority admission plugin's memo for creates that write no PriorityClass."""
        ...

    def update_status(self, obj: Obj, status: Obj) -> None: ...

    def delete_object(self, obj: Obj, *, propagation: str = "Background",
                      grace_seconds: int | None = None) -> None: ...

    def finish_deletion(self, obj: Obj) -> None: ...

    def remove_finalizer(self, obj: Obj, finalizer: str) -> None: ...


class Clock(Protocol):
    """Virtual time in seconds since the simulation's epoch."""

    def now(self) -> float: ...
