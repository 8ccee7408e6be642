"""Fixtures for the simulator tests; the builders live in sim_builders.py.

``sim_builders`` mirrors upstream's daemon_controller_test.go helpers (newDaemonSet
-> make_daemonset, addNodes -> make_cluster/add_nodes, addPods -> add_pods,
expectSyncDaemonSets -> expect_sync, create/delete counting -> ActionRecorder). It is a
plain module, like tests/render/render_builders.py, so test modules import it by name.
"""

from __future__ import annotations

import pytest
from sim_builders import STRATEGIES


@pytest.fixture(params=STRATEGIES)
def strategy(request: pytest.FixtureRequest) -> str:
    """Upstream's updateStrategies(): every test taking `strategy` runs under OnDelete
    and RollingUpdate (a test may parametrize `strategy` itself instead)."""
    return str(request.param)


@pytest.fixture
def no_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The write_trace scenarios without their digest (write_trace.DIGESTS), for tests
    that play them for what happens during them and never read the digest."""
    from tests.sim import write_trace

    monkeypatch.setattr(write_trace, "DIGESTS", False)
