"""Dicts of one shape that share their key table (PEP 412 key-sharing dictionaries).

A settled pod is five dicts of its own (the pod, metadata, spec, status, a container's
status) plus its podIPs entry; at 50,000 pods their hash tables are about a third of the
process. CPython keeps the attribute dict of each instance of a class as a *split*
table: the keys and their hashes once per class, only the values per dict. Such a dict
is an ordinary `dict` in every respect (type, equality, order of insertion, copying,
JSON, pickling); it only costs less (on CPython 3.11 a pod's metadata of ten keys about
176 bytes instead of 272, its spec of thirteen about 190 instead of 464).
`DictShape.new()` hands out such an empty dict, made from a throwaway instance of a
class private to the shape.

Filling one key at a time keeps the table split. Anything the interpreter cannot keep
split (a key the shape does not know once its table is full, a deletion, `update()` into
an empty one) silently turns that one dict into an ordinary one, so correctness never
depends on the sharing, only the memory does. Do not make pods by copying a shaped
prototype: `dict.copy()` stays split but takes a values array for the whole key table
(328 bytes), and the first key written after it makes the copy plain. A pickled or
cloned dict comes back plain (after `undo`, the restored pods are ordinary dicts).
Interpreters without key-sharing (PyPy) just make ordinary dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

# The instance without type.__call__'s __init__ round (the classes define none): a fifth
# faster, and a settle makes 300,000 of them.
_new_object = object.__new__


class DictShape:
    """Empty dicts that share the key table of `keys` (in that order)."""

    __slots__ = ("_cls", "_size", "keys")

    def __init__(self, keys: Iterable[str]) -> None:
        self.keys = tuple(keys)
        self._size = len(self.keys)
        # A class of its own, whose shared key table the first instance fills in the
        # shape's order; the instances made later are thrown away once their __dict__
        # (a split dict) has been taken.
        self._cls: type = type("Shape", (), {"__module__": __name__})
        seed = self._cls()
        for key in self.keys:
            setattr(seed, key, None)

    @property
    def cls(self) -> type:
        """The shape's class: `object.__new__(cls).__dict__` is new()'s answer (for a
        caller making many dicts in a row, without the method call)."""
        return self._cls

    def new(self) -> dict[str, Any]:
        """An empty dict of this shape, to be filled key by key."""
        d: dict[str, Any] = _new_object(self._cls).__dict__
        return d

    def build(self, *values: Any) -> dict[str, Any]:
        """A dict of this shape with these values for its first keys, in the shape's
        order (the keys after them are left for later writers)."""
        if len(values) > self._size:
            raise ValueError(f"{len(values)} values for the {len(self.keys)} keys {self.keys}")
        d: dict[str, Any] = _new_object(self._cls).__dict__
        # Key by key: the table stays shared (a loop: a quarter faster than update() from
        # zip(..., strict=False) for these few keys; the lengths are checked above).
        for key, value in zip(self.keys, values):  # noqa: B905
            d[key] = value
        return d

    def filled(self, source: Mapping[str, Any]) -> dict[str, Any]:
        """A dict of this shape with `source`'s items in `source`'s order (a shallow
        copy, as `dict(source)`)."""
        d: dict[str, Any] = _new_object(self._cls).__dict__
        for key in source:
            # One key by hand first: update() into an empty dict would take a copy of
            # the source's own (plain) table; into a non-empty one it writes key by key.
            d[key] = source[key]
            break
        d.update(source)
        return d


@lru_cache(maxsize=256)
def shape_of(keys: tuple[str, ...]) -> DictShape:
    """One shape per distinct key tuple (bounded: a miss only costs a new class)."""
    return DictShape(keys)


# The shapes of a controller-made pod's own dicts, in the order their keys are written
# (the writers add keys over the pod's life; a key not listed still works, see above).
POD = DictShape(("apiVersion", "kind", "metadata", "spec", "status"))
POD_METADATA = DictShape(("generateName", "namespace", "labels", "ownerReferences",
                          "annotations", "name", "uid", "creationTimestamp", "generation",
                          "resourceVersion"))
POD_STATUS = DictShape(("phase", "qosClass", "conditions", "hostIP", "hostIPs", "startTime",
                        "podIP", "podIPs", "observedGeneration", "containerStatuses"))
CONTAINER_STATUS = DictShape(("name", "image", "imageID", "ready", "restartCount",
                              "started", "state", "lastState", "containerID"))
POD_IP = DictShape(("ip",))
# Keys the API server and scheduler add to a controller's pod spec after the template's.
_SPEC_ADDED = ("affinity", "priorityClassName", "priority", "preemptionPolicy", "nodeName")


# The template specs pod_spec_shape was asked about, by id, each with its answer; the
# entry holds the spec itself, so its id cannot be reused while the entry lives.
_spec_shapes: dict[int, tuple[object, DictShape]] = {}
_SPEC_SHAPES_SIZE = 64


def pod_spec_shape(template_spec: Mapping[str, Any]) -> DictShape:
    """The shape of a pod spec made from this template spec (its keys, then the ones the
    API server and scheduler add). A revision's pods are made from one template spec
    object (a node joining makes one pod of each DaemonSet in turn): the answer is kept
    per spec object."""
    known = _spec_shapes.get(id(template_spec))
    if known is not None and known[0] is template_spec:
        return known[1]
    keys = tuple(template_spec)
    shape = shape_of(keys + tuple(k for k in _SPEC_ADDED if k not in keys))
    if len(_spec_shapes) >= _SPEC_SHAPES_SIZE:
        _spec_shapes.clear()
    _spec_shapes[id(template_spec)] = (template_spec, shape)
    return shape
