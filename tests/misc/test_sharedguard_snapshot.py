"""sharedguard.snapshot: the copy the shared-object guard keeps of each shared object is
what copy.deepcopy gives (equal, of the same types, sharing nothing mutable), made field by
field for slotted dataclasses."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller.kubelet_work import ContainerWork, PodWork, SharedPodWork
from dstutor.model.sharedguard import _slot_fields, snapshot


@dataclass
class _Plain:  # an instance dict: deep-copied
    value: Any = None


@dataclass(slots=True)
class _Slotted:
    items: dict[str, Any] = field(default_factory=dict)
    tags: list[Any] = field(default_factory=list)


class _WithExtraSlot:
    __slots__ = ("a", "hidden")


def _mutables(obj: Any) -> list[Any]:
    """Every mutable object reachable from obj (dicts, lists, dataclass instances)."""
    found: list[Any] = []
    todo = [obj]
    while todo:
        cur = todo.pop()
        if isinstance(cur, dict):
            found.append(cur)
            todo += list(cur.values())
        elif isinstance(cur, list):
            found.append(cur)
            todo += cur
        elif isinstance(cur, tuple):
            todo += list(cur)
        elif hasattr(cur, "__dataclass_fields__"):
            found.append(cur)
            todo += [getattr(cur, name) for name in cur.__dataclass_fields__]
    return found


def _same_as_deepcopy(obj: Any) -> None:
    ours, theirs = snapshot(obj), copy.deepcopy(obj)
    assert ours == theirs == obj
    assert repr(ours) == repr(theirs)
    assert type(ours) is type(obj)
    originals = {id(m) for m in _mutables(obj)}
    assert not any(id(m) in originals for m in _mutables(ours))


leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
                   st.text(max_size=5))
works = st.builds(ContainerWork, st.sampled_from(["pulling", "running", "crashed"]),
                  st.floats(0, 100), st.floats(0, 10), st.none() | st.floats(0, 100),
                  st.booleans(), st.booleans(), st.text(max_size=5))
values = st.recursive(leaves | works, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=3), inner, max_size=3),
    st.tuples(inner, inner),
    st.builds(_Slotted, st.dictionaries(st.text(max_size=3), inner, max_size=3),
              st.lists(inner, max_size=3)),
    st.builds(_Plain, inner)), max_leaves=12)


@settings(max_examples=200, deadline=None, database=None, derandomize=True)
@given(values)
def test_a_snapshot_is_what_deepcopy_gives(value: Any) -> None:
    _same_as_deepcopy(value)


@pytest.mark.parametrize("cls", [PodWork, SharedPodWork])
def test_the_kubelets_records_snapshot_as_deepcopy_copies_them(cls: type) -> None:
    work = cls("active", 12.0, {"app": ContainerWork("pulling", 3.0, ready_at=5.0),
                                "side": ContainerWork("running", fresh=True, error="x")})
    _same_as_deepcopy(work)
    copied = snapshot(work)
    copied.containers["app"].due = 4.0  # the copy shares nothing with the original
    assert work.containers["app"].due == 3.0 and copied != work


def test_only_dataclasses_holding_just_their_fields_in_slots_are_copied_by_field() -> None:
    assert _slot_fields(SharedPodWork) == ("stage", "due", "containers")
    assert _slot_fields(ContainerWork) is not None
    assert _slot_fields(_Plain) is None
    assert _slot_fields(_WithExtraSlot) is None
