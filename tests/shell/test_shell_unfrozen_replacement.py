"""`load` and `reset` make the new cluster on an unfrozen heap, as undo does: the shell
freezes its first cluster (shell/startup.py), and promoting what a big load or build
makes on a frozen heap is a walk of it (gc.collect(1): 1.2 s after a 5,000-node load)
where it is otherwise free (sim/engine.py: promote_young_objects)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from plain_daemonset import plain_daemonset
from shell_helpers import NODE_LOGGER

from dstutor.shell.session import Session
from dstutor.sim import cluster as cluster_module
from dstutor.sim import engine
from dstutor.sim import thaw as thaw_module
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster


def _built() -> Cluster:
    """A cluster built here and now (default_cluster's are built once per test process:
    tests/suite_speed.py), so that `reset` settles one."""
    cluster = Cluster()
    for name in ("node-1", "node-2", "node-3"):
        cluster.add_node(name, ready=True)
    cluster.create(plain_daemonset("agent", "agent:1"))
    return cluster


@pytest.mark.parametrize("line", ["load {path}", "reset", "undo"])
def test_the_new_cluster_is_made_on_an_unfrozen_heap(
        line: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen_at_promotion: list[int] = []
    real = engine.promote_young_objects

    def recording() -> None:
        frozen_at_promotion.append(gc.get_freeze_count())
        real()

    for module in (engine, thaw_module, cluster_module):
        monkeypatch.setattr(module, "YOUNG_OBJECTS_TO_PROMOTE", 50)  # (a small cluster)
        monkeypatch.setattr(module, "promote_young_objects", recording)
    monkeypatch.setattr(cluster_module, "BIG_SETTLE_ITEMS", 5)  # (a reset's build)
    session = Session(default_cluster(workers=3), reset_factory=_built)
    path = tmp_path / "saved.json"
    for setup in (f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF", "advance", f"save {path}"):
        assert session.handle_line(setup).ok
    frozen_at_promotion.clear()
    gc.freeze()  # as the shell does once its first cluster is built
    try:
        out = session.handle_line(line.format(path=path))
        assert out.ok, out.stderr
    finally:
        gc.unfreeze()
    assert frozen_at_promotion, "nothing was promoted: the check would prove nothing"
    assert all(count == 0 for count in frozen_at_promotion), frozen_at_promotion
