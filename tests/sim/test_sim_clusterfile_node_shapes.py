"""Issue 19: a cluster file's nodes are decoded as the API server decodes a Node once per
shape (clusterfile._node_shape), not once per node. Every file must parse exactly as when
each node was checked in full: the same nodes, or the same error, line and hint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dstutor.sim import clusterfile
from dstutor.sim.clusterfile import ClusterFileError, parse_cluster_file

# Node fields as a cluster file writes them: most are fine, some the server refuses.
FIELDS = (
    "", "labels: {zone: a}", "labels: {zone: b}", 'labels: {gpu: "true"}',
    "labels: {gpu: true}", "labels: {n: 1}", "labels: {n: 1.0}", "labels: [gpu]",
    "taints: [{key: a, effect: NoSchedule}]", "taints: [{key: a, effect: NoSchedule, value: 1.10}]",
    "taints: [{key: a, effect: NoSchedule, colour: red}]", "capacity: {cpu: '4'}",
    "capacity: {cpu: 4}", "capacity: {memory: .nan}", "roles: [worker]", "roles: [1]",
    "network: false",
)
NAMES = ("n{i}", "'{i}x'", "{i}", "nöde-{i}")


def _text(nodes: list[tuple[int, int, int]]) -> str:
    lines = ["kind: Cluster", "nodes:"]
    for i, (name, first, second) in enumerate(nodes):
        lines.append(f"  - name: {NAMES[name].format(i=i)}")
        fields = {FIELDS[first], FIELDS[second]} - {""}
        keys = set()
        for field in sorted(fields):
            key = field.split(":", 1)[0]
            if key not in keys:  # a YAML mapping may name a key once
                keys.add(key)
                lines.append(f"    {field}")
    return "\n".join(lines) + "\n"


def _outcome(path: Path) -> Any:
    try:
        return ("parsed", parse_cluster_file(path).nodes)
    except ClusterFileError as exc:
        return ("refused", str(exc), getattr(exc, "hint", None))


def _both(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    shapes = _outcome(path)
    with monkeypatch.context() as patch:
        patch.setattr(clusterfile, "_node_shape", lambda raw: None)  # every node in full
        full = _outcome(path)
    return shapes, full


node = st.tuples(st.sampled_from(range(len(NAMES))), st.sampled_from(range(len(FIELDS))),
                 st.sampled_from(range(len(FIELDS))))


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nodes=st.lists(node, min_size=1, max_size=12))
def test_nodes_checked_by_shape_parse_as_when_checked_one_by_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nodes: list[tuple[int, int, int]]
) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(_text(nodes), encoding="utf-8")
    shapes, full = _both(path, monkeypatch)
    assert shapes == full


@pytest.mark.parametrize(("nodes", "refused"), [
    ([(0, 1, 0)] * 5, False),  # one shape, five names
    ([(0, 1, 0), (0, 1, 0), (0, 4, 0)], True),  # the third node's label is a bool
    ([(0, 1, 0), (2, 1, 0)], True),  # same fields, but the second name is a number
    ([(0, 6, 0), (0, 5, 0)], True),  # 1.0 and 1 are different shapes
    ([(0, 12, 0), (0, 11, 0), (0, 13, 0)], True),
])
def test_known_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                     nodes: list[tuple[int, int, int]], refused: bool) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(_text(nodes), encoding="utf-8")
    shapes, full = _both(path, monkeypatch)
    assert shapes == full
    assert (shapes[0] == "refused") is refused


def test_a_fleet_is_decoded_once_per_shape(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "cluster.yaml"
    path.write_text(_text([(0, 1 + i % 2, 14) for i in range(40)]), encoding="utf-8")
    calls: list[int] = []
    check = clusterfile._check_node

    def counted(raw: dict[str, Any], i: int, where: str, text: str) -> None:
        calls.append(i)
        check(raw, i, where, text)

    monkeypatch.setattr(clusterfile, "_check_node", counted)
    assert len(parse_cluster_file(path).nodes) == 40
    assert calls == [0, 1]
