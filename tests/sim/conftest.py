"""Fixtures for the simulator tests; the builders themselves live in sim_builders.py.

``sim_builders`` mirrors upstream's daemon_controller_test.go helpers (newDaemonSet,
addNodes, addPods, expectSyncDaemonSets); it is a plain module, like
tests/render/render_builders.py, so test modules can import it by name.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sim_builders import STRATEGIES, ActionRecorder, make_cluster, make_daemonset

from dstutor.sim.cluster import Cluster

__all__ = ["make_cluster", "make_daemonset"]


@pytest.fixture(params=STRATEGIES)
def strategy(request: pytest.FixtureRequest) -> str:
    """Each upstream test that loops over updateStrategies(): OnDelete, RollingUpdate."""
    return str(request.param)


@pytest.fixture
def cluster5() -> Cluster:
    """Five Ready nodes, node-0..node-4, everything running."""
    return make_cluster(5)


@pytest.fixture
def recorder(cluster5: Cluster) -> Iterator[ActionRecorder]:
    """Counts the DaemonSet controller's actions on cluster5 from now on."""
    rec = ActionRecorder(cluster5)
    yield rec
    rec.close()
