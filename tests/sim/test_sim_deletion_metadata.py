"""What the API server writes on an object that is being deleted: markAsDeleting for an
object kept by finalizers (deletionGracePeriodSeconds 0, generation + 1), BeforeDelete
for a pod's graceful deletion (its grace period)."""

from __future__ import annotations

import pytest
from sim_builders import make_daemonset

from dstutor.sim.cluster import Cluster


def _cluster() -> Cluster:
    cluster = Cluster()
    cluster.add_node("n1", ready=True)
    cluster.create(make_daemonset("agent", image="agent", labels={"app": "agent"}))
    cluster.advance()
    return cluster


@pytest.mark.parametrize(("propagation", "finalizer"), [("Foreground", "foregroundDeletion"),
                                                        ("Orphan", "orphan")])
def test_a_daemonset_kept_by_a_finalizer_is_marked_as_deleting(propagation: str,
                                                                finalizer: str) -> None:
    cluster = _cluster()
    cluster.api.delete("DaemonSet", "default", "agent", propagation=propagation)
    # As the API server answers the delete, before the garbage collector acts.
    stored = cluster.store.get("DaemonSet", "default", "agent")
    assert stored is not None
    meta = stored["metadata"]
    assert meta["finalizers"] == [finalizer]
    assert meta["deletionTimestamp"]
    assert meta["deletionGracePeriodSeconds"] == 0
    assert meta["generation"] == 2


def test_a_pods_graceful_deletion_records_its_grace_period() -> None:
    cluster = _cluster()
    [pod] = cluster.pods_of("agent")
    cluster.api.delete("Pod", "default", pod["metadata"]["name"], grace_seconds=7)
    meta = cluster.get("Pod", "default", pod["metadata"]["name"])["metadata"]
    assert meta["deletionGracePeriodSeconds"] == 7
    # Pods have a generation since KEP-5067 (on in v1.37): BeforeDelete bumps it, 1 -> 2.
    assert meta["generation"] == 2
