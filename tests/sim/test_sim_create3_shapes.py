"""DictShape.build fills its dict key by key in a loop (create3; it was update() from a
zip): held to the old way on every shape the simulator builds with (the same items, in
the same order, and the same size: the key table still shared), for every number of
values a shape takes. (The values themselves are only stored: each count is tried with
values of several types, in turn. This was a hypothesis test drawing counts and values,
1,700 examples that cost ~1.7 s of the suite's CPU for what these ~150 cases check.)"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from dstutor.model import shapes
from dstutor.model.shapes import (
    CONTAINER_STATUS,
    POD,
    POD_IP,
    POD_METADATA,
    POD_STATUS,
    DictShape,
    shape_of,
)
from dstutor.sim import nodes

_SHAPES = [POD, POD_METADATA, POD_STATUS, CONTAINER_STATUS, POD_IP,
           shape_of(("containers", "affinity", "nodeName"))]
_SHAPES += [value for value in vars(nodes).values() if isinstance(value, DictShape)]


def _old_build(shape: DictShape, *values: Any) -> dict[str, Any]:
    d: dict[str, Any] = object.__new__(shape.cls).__dict__
    d.update(zip(shape.keys, values, strict=False))
    return d


_VALUES = (None, 0, -(2**70), "", "ab", "\u00e9\x00", 1.5, [], {"k": "v"})


@pytest.mark.parametrize("shape", _SHAPES, ids=lambda s: ",".join(s.keys)[:40])
def test_build_as_before(shape: DictShape) -> None:
    for count in range(len(shape.keys) + 1):
        for start in range(len(_VALUES)):
            values = [_VALUES[(start + i) % len(_VALUES)] for i in range(count)]
            built, old = shape.build(*values), _old_build(shape, *values)
            assert list(built.items()) == list(old.items())
            assert sys.getsizeof(built) == sys.getsizeof(old)
            assert all(built[k] is v for k, v in zip(shape.keys, values, strict=False))
    # (That sharing saves memory: tests/model/test_model_shapes.py, by tracemalloc.)


@pytest.mark.parametrize("shape", _SHAPES[:3], ids=lambda s: s.keys[0])
def test_build_refuses_too_many_values(shape: DictShape) -> None:
    with pytest.raises(ValueError, match=f"{len(shape.keys) + 1} values"):
        shape.build(*range(len(shape.keys) + 1))
    assert shape.build(*range(len(shape.keys))) == dict(zip(shape.keys, range(len(shape.keys)),
                                                            strict=True))


def test_the_module_defines_the_shapes_tested() -> None:
    assert shapes.POD is POD and len(_SHAPES) > 6
