"""Timeline.observe_daemonset (what the cluster's DaemonSet informer calls) skips the
clock and the rollout lookup while no rollout was ever recorded and the write changes
no template: fed every DaemonSet write of the write_trace scenarios, it records what
observe("DaemonSet", ...) records."""

from __future__ import annotations

from typing import Any

import pytest

from dstutor.sim.cluster import Cluster
from dstutor.sim.timeline import Timeline
from tests.sim import write_trace
from tests.sim.write_trace import SCENARIOS

# The scenarios are played for what happens during them; no test here reads a digest.
pytestmark = pytest.mark.usefixtures("no_digest")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_observe_daemonset_records_what_observe_records(name: str,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    general, shortcut = Timeline(), Timeline()
    writes = [0]

    def both(cluster: Cluster, kind: str, old: Any, new: Any) -> None:
        if kind != "DaemonSet":
            return
        writes[0] += 1
        general.observe("DaemonSet", old, new, cluster.clock.now())
        shortcut.observe_daemonset(old, new, cluster.clock)
        assert shortcut.export() == general.export()

    monkeypatch.setattr(write_trace, "EXTRA_LISTENERS", [both])
    SCENARIOS[name]()
    assert writes[0] > 5
    if name.startswith("fleet"):
        assert general.rollouts  # the scenario's rolling update was seen
