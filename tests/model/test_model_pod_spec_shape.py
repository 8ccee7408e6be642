"""pod_spec_shape keeps its answer per template spec object (a node joining makes one pod
of each DaemonSet in turn): the kept answer must be the one worked out afresh."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dstutor.model import shapes
from dstutor.model.shapes import _SPEC_ADDED, pod_spec_shape, shape_of


def _general(spec: dict[str, Any]) -> shapes.DictShape:
    """The answer without any kept state: the spec's keys, then the added ones."""
    keys = tuple(spec)
    return shape_of(keys + tuple(k for k in _SPEC_ADDED if k not in keys))


_KEYS = ["containers", "restartPolicy", "dnsPolicy", "tolerations", "affinity", "nodeName",
         "priority", "volumes", "hostNetwork"]
_specs = st.lists(st.lists(st.sampled_from(_KEYS), unique=True, max_size=6), min_size=1,
                  max_size=8)


@given(_specs, st.lists(st.integers(min_value=0, max_value=200), max_size=150))
def test_the_kept_answer_is_the_fresh_one(key_lists: list[list[str]], asks: list[int]) -> None:
    specs = [{k: None for k in keys} for keys in key_lists]
    for i in asks:  # interleaved, as the pods of several DaemonSets are made
        spec = specs[i % len(specs)]
        assert pod_spec_shape(spec) is _general(spec)


def test_a_spec_object_gone_and_its_id_reused_gets_its_own_answer() -> None:
    for _ in range(3 * shapes._SPEC_SHAPES_SIZE):
        # A new dict each time, dropped at once: CPython hands the same address out again.
        spec: dict[str, Any] = {"containers": [], f"k{_ % 5}": None}
        assert pod_spec_shape(spec) is _general(spec)
    assert len(shapes._spec_shapes) <= shapes._SPEC_SHAPES_SIZE


def test_interleaved_daemonsets_ask_the_key_tuples_once(monkeypatch: pytest.MonkeyPatch) -> None:
    specs: list[dict[str, Any]] = [{"containers": [], f"field{i}": None} for i in range(10)]
    shapes._spec_shapes.clear()  # room for all ten (a full table starts afresh)
    for spec in specs:
        pod_spec_shape(spec)
    calls: list[tuple[str, ...]] = []

    def counted(keys: tuple[str, ...]) -> shapes.DictShape:
        calls.append(keys)
        return shape_of(keys)

    monkeypatch.setattr(shapes, "shape_of", counted)
    for _ in range(3):
        for spec in specs:
            assert pod_spec_shape(spec) is _general(spec)
    assert calls == []
