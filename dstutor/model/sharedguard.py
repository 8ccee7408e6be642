"""The guard on objects that many stored objects share.

Pods share their condition dicts (even whole conditions lists), container states, the
parts of their spec made from one template, their labels and ownerReferences; nodes
share what every node reports alike. That is only safe while nobody edits such an object
in place: the edit would show on every pod or node that holds it. The builders hand each
shared object to `share()` (or `share_always()` for a module constant).

While the guard is off (the product), `share()` only returns its argument. The test
suite turns it on around every test (tests/conftest.py): `start()` empties the
builders' caches, so every shared object the test meets is built, and frozen, in it;
`share()` then keeps a deep copy of each; `mutated()` names every shared object that no
longer equals its copy, and the test fails.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from copy import deepcopy
from typing import Any, TypeVar

from dstutor.model.objects import clone

T = TypeVar("T")

_frozen: dict[int, tuple[Any, Any]] | None = None  # id -> (the object, its copy)
_caches: list[Callable[[], None]] = []
_constants: list[Any] = []


def share(obj: T) -> T:
    """Mark `obj` as shared by several stored objects (never to be edited in place)."""
    if _frozen is not None and id(obj) not in _frozen:
        # JSON-shaped data copied fast; anything else (the kubelet's progress records,
        # dataclasses comparing by value) copied by snapshot().
        copy = clone(obj) if isinstance(obj, (dict, list)) else snapshot(obj)
        _frozen[id(obj)] = (obj, copy)
    return obj


_ATOMIC = (str, int, float, bool, type(None), bytes, frozenset)


def snapshot(obj: T) -> T:
    """A deep copy of `obj`, equal to it while nobody edits it. A dataclass with
    __slots__ (the kubelet's progress records) is copied field by field: copy.deepcopy
    goes through __reduce_ex__ and a state dict for each one, about five times slower
    (tests/misc/test_sharedguard_snapshot.py compares the two). Anything else is
    deep-copied."""
    cls = obj.__class__
    if cls in _ATOMIC:
        return obj
    if cls is dict:
        return {k: snapshot(v) for k, v in obj.items()}  # type: ignore[attr-defined, return-value]
    if cls is list:
        return [snapshot(v) for v in obj]  # type: ignore[attr-defined, return-value]
    if cls is tuple:
        return tuple(snapshot(v) for v in obj)  # type: ignore[attr-defined, return-value]
    names = _slot_fields(cls)
    if names is None:
        return deepcopy(obj)
    copied = object.__new__(cls)
    for name in names:
        object.__setattr__(copied, name, snapshot(getattr(obj, name)))
    return copied


_SLOTS: dict[type, tuple[str, ...] | None] = {}


def _slot_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a dataclass whose instances hold nothing but its fields in slots,
    else None."""
    if cls not in _SLOTS:
        names: tuple[str, ...] | None = None
        if dataclasses.is_dataclass(cls) and "__dict__" not in dir(cls) \
                and "__weakref__" not in dir(cls):
            fields = tuple(f.name for f in dataclasses.fields(cls))
            slots = {name for klass in cls.__mro__
                     for name in getattr(klass, "__slots__", ())}
            names = fields if slots == set(fields) else None
        _SLOTS[cls] = names
    return _SLOTS[cls]


def share_always(obj: T) -> T:
    """`share` for a module constant: frozen again each time the guard starts."""
    _constants.append(obj)
    return share(obj)


def cached(fn: T) -> T:
    """Register an lru_cache'd builder of shared objects, emptied when the guard starts."""
    _caches.append(fn.cache_clear)  # type: ignore[attr-defined]
    return fn


def start() -> None:
    """Turn the guard on: from now on every shared object is frozen when it is built."""
    global _frozen
    for clear in _caches:
        clear()
    _frozen = {}
    for obj in _constants:
        share(obj)


def stop() -> None:
    global _frozen
    _frozen = None


def active() -> bool:
    return _frozen is not None


def mutated() -> list[str]:
    """Each shared object edited in place since it was shared: what it was, what it is."""
    if _frozen is None:
        return []
    return [f"{copy!r} became {obj!r}" for obj, copy in _frozen.values() if obj != copy]
