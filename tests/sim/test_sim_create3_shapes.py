"""DictShape.build fills its dict key by key in a loop (create3; it was update() from a
zip): held to the old way on every shape the simulator builds with (the same items, in
the same order, and the same size: the key table still shared)."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

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


@pytest.mark.parametrize("shape", _SHAPES, ids=lambda s: ",".join(s.keys)[:40])
@given(data=st.data())
def test_build_as_before(shape: DictShape, data: st.DataObject) -> None:
    count = data.draw(st.integers(0, len(shape.keys)))
    values = data.draw(st.lists(st.one_of(st.none(), st.integers(), st.text(max_size=4)),
                                min_size=count, max_size=count))
    built, old = shape.build(*values), _old_build(shape, *values)
    assert list(built.items()) == list(old.items())
    assert sys.getsizeof(built) == sys.getsizeof(old)
    # (That sharing saves memory: tests/model/test_model_shapes.py, by tracemalloc.)


@pytest.mark.parametrize("shape", _SHAPES[:3], ids=lambda s: s.keys[0])
def test_build_refuses_too_many_values(shape: DictShape) -> None:
    with pytest.raises(ValueError, match=f"{len(shape.keys) + 1} values"):
        shape.build(*range(len(shape.keys) + 1))
    assert shape.build(*range(len(shape.keys))) == dict(zip(shape.keys, range(len(shape.keys)),
                                                            strict=True))


def test_the_module_defines_the_shapes_tested() -> None:
    assert shapes.POD is POD and len(_SHAPES) > 6
