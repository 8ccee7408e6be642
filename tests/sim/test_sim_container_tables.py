"""new_container_table keeps its shape per containers list (a join admits each
DaemonSet's pod in turn): whatever the order, shared or fresh lists, a table is an empty
dict with the shape of exactly its containers' names, as working it out afresh gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller import kubelet_work
from dstutor.controller.kubelet_work import new_container_table
from dstutor.model.shapes import shape_of

NAMES = [("agent",), ("web", "side"), ("a", "b", "c"), ("side", "web")]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(NAMES) - 1), st.booleans()), min_size=1,
                max_size=40), st.booleans())
def test_each_table_has_its_own_containers_shape(steps: list[tuple[int, bool]],
                                                 small: bool) -> None:
    shared = [[{"name": n, "image": "x"} for n in names] for names in NAMES]
    saved = kubelet_work._TABLE_SHAPES_SIZE
    kubelet_work._TABLE_SHAPES_SIZE = 2 if small else saved
    try:
        for index, fresh in steps:
            containers = [dict(c) for c in shared[index]] if fresh else shared[index]
            table = new_container_table(containers)
            assert table == {}
            known = kubelet_work._table_shapes[id(containers)]
            assert known[0] is containers
            assert known[1] is shape_of(NAMES[index])
            for name in NAMES[index]:
                table[name] = None
            assert list(table) == list(NAMES[index])
    finally:
        kubelet_work._TABLE_SHAPES_SIZE = saved
