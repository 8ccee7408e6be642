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
        # dataclasses comparing by value) deep-copied.
        copy = clone(obj) if isinstance(obj, (dict, list)) else deepcopy(obj)
        _frozen[id(obj)] = (obj, copy)
    return obj


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
