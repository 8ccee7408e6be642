"""What the simulator keeps per stored pod besides its dict: one small record a pod.

The store keeps each pod in its record, made when the pod is first stored and dropped
when it is removed (sim/store.py: `Store.pod_records`, keyed by the pod's (kind,
namespace, name), is the store's table of pods). It holds the pod's dict, what the
store's indexes know (the controller uid, the target node), and
each controller hangs its own per-pod state on its own attribute:

- `work`: the kubelet's progress with the pod (kubelet_work.PodWork; Kubelet.work),
- `checked`: the node taint eviction last checked the pod on (its `checked`),
- `signature`: what the DaemonSet controller last saw of the pod (pod_signature).

One record instead of five 50,000-entry tables keyed by the pod (the kind's table of
pods, the index entries, and the three controllers'): at the peak of a 5,000 x 10 settle
that is one dict and one object a pod instead of five dicts and a tuple (about 10 MB). Every attribute a controller owns is None until it writes it, and
goes with the record when the pod goes: each controller used to drop its entry on the
pod's removal. This is the first step towards compact pod records (issue 19): the
fields of the pod itself may join them later.

`PodField` shows one attribute as the mapping it used to be (key -> value, for the pods
whose value is not None), for readers that are not on a hot path: snapshots, tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from typing import Any, overload

from dstutor.model.objects import Key, Obj


class PodRecord(Sequence[Key]):
    """One stored pod's bookkeeping: the store's index entry (owner, node) and the
    controllers' per-pod state (see the module docstring).

    It also reads as the sequence of its one key, (key,): the store's owner index holds
    the record of a pod alone on its node where it held that 1-tuple (Store.pods_of_owner;
    48 bytes a pod). Equality stays identity: a record is not equal to (key,).

    It holds no key tuple (six slots: 80 bytes, where seven took 96: 0.8 MB at 50,000
    pods). `key` is an equal tuple made from the pod on each read, for readers off the
    hot path; the store's own tuple, the one its table and node index hold and the
    kubelet's timers share, is Store.stored_pod_key's answer."""

    __slots__ = ("pod", "owner", "node", "work", "checked", "signature")

    def __init__(self, pod: Obj, owner: str, node: str) -> None:
        self.pod = pod  # the stored pod (what Store.get hands out)
        self.owner = owner  # the controller's uid ("" without one)
        self.node = node  # target_node_name: the node, or the one it is pinned to
        self.work: Any = None  # the kubelet's PodWork
        self.checked: str | None = None  # taint eviction: the node it was checked on
        # The DaemonSet controller's pod_signature (it holds an id(): a cache only).
        self.signature: tuple[object, ...] | None = None

    @property
    def key(self) -> Key:
        """The pod's key, ("Pod", namespace, name) as the store keys it (key_of): a new
        tuple equal to the store's."""
        meta = self.pod["metadata"]
        return ("Pod", meta.get("namespace", "") or "", meta.get("name", ""))

    def __len__(self) -> int:
        return 1

    @overload
    def __getitem__(self, index: int) -> Key: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Key]: ...

    def __getitem__(self, index: int | slice) -> Key | Sequence[Key]:
        return (self.key,)[index]

    def __iter__(self) -> Iterator[Key]:
        return iter((self.key,))

    def __contains__(self, key: object) -> bool:
        return key == self.key

    def __getstate__(self) -> tuple[Obj, str, str, Any, str | None]:
        # The signature holds the id() of an ownerReferences list, which means nothing
        # in a copy (undo pickles and deep-copies the cluster): a copy starts without it
        # and looks at the pod again, as a stale id made it do.
        return (self.pod, self.owner, self.node, self.work, self.checked)

    def __setstate__(self, state: tuple[Obj, str, str, Any, str | None]) -> None:
        self.pod, self.owner, self.node, self.work, self.checked = state
        self.signature = None

    def __repr__(self) -> str:
        return (f"PodRecord({self.owner!r}, {self.node!r}, {self.key!r}, work={self.work!r}, "
                f"checked={self.checked!r})")


class PodTable(Mapping[Key, Obj]):
    """The store's pods as the kind's table of dicts it was (key -> pod, in the order
    they were stored), read from the records: for readers of Store._by_kind["Pod"] (the
    store itself reads the records)."""

    __slots__ = ("_records",)

    def __init__(self, records: dict[Key, PodRecord]) -> None:
        self._records = records

    def __getitem__(self, key: Key) -> Obj:
        return self._records[key].pod

    def __iter__(self) -> Iterator[Key]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)

    def __contains__(self, key: object) -> bool:
        return key in self._records


class PodField(MutableMapping[Key, Any]):
    """One attribute of every record as a mapping: pod key -> value, for the pods whose
    value is not None, in the store's order of records. Setting a pod's value needs its
    record (a stored pod); deleting it sets None."""

    __slots__ = ("_records", "_name")

    def __init__(self, records: dict[Key, PodRecord], name: str) -> None:
        self._records = records
        self._name = name

    def _value(self, key: object) -> Any:
        """The pod's value; None for a pod without one, or not stored."""
        record = self._records.get(key)  # type: ignore[call-overload]
        return getattr(record, self._name) if record is not None else None

    def __getitem__(self, key: Key) -> Any:
        value = self._value(key)
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: Key, default: Any = None) -> Any:
        value = self._value(key)
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return self._value(key) is not None

    def __setitem__(self, key: Key, value: Any) -> None:
        if value is None:
            raise ValueError("a pod's value is never None (None means it has none)")
        setattr(self._records[key], self._name, value)

    def __delitem__(self, key: Key) -> None:
        record = self._records.get(key)
        if record is None or getattr(record, self._name) is None:
            raise KeyError(key)
        setattr(record, self._name, None)

    def __iter__(self) -> Iterator[Key]:
        name = self._name
        return iter([key for key, record in self._records.items()
                     if getattr(record, name) is not None])

    def __len__(self) -> int:
        name = self._name
        return sum(1 for record in self._records.values() if getattr(record, name) is not None)

    def __repr__(self) -> str:
        return f"PodField({self._name!r}, {dict(self.items())!r})"


class RecordField:
    """A controller's attribute that shows one field of the pod records as a mapping
    (a PodField over `ctx.store.pod_records`). Assigning a mapping (a snapshot's) sets
    each stored pod's field from it and clears the others': a pod that is not stored has
    no record to keep it on."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, controller: Any, owner: type | None = None) -> PodField:
        return PodField(controller.ctx.store.pod_records, self.name)

    def __set__(self, controller: Any, table: Mapping[Key, Any]) -> None:
        records: dict[Key, PodRecord] = controller.ctx.store.pod_records
        name = self.name
        for record in records.values():
            setattr(record, name, None)
        for key, value in table.items():
            found = records.get(key)
            if found is not None and value is not None:
                setattr(found, name, value)


def signatures_by_namespace(records: dict[Key, PodRecord]
                            ) -> dict[str, dict[str, tuple[object, ...]]]:
    """The DaemonSet controller's signatures as it once kept them: namespace -> pod name
    -> signature, for the pods that have one (a copy, for readers off the hot path)."""
    table: dict[str, dict[str, tuple[object, ...]]] = {}
    for key, record in records.items():
        if record.signature is not None:
            table.setdefault(key[1], {})[key[2]] = record.signature
    return table
