"""Taint eviction as upstream's taint_eviction.go does it: the countdown of a toleration
with tolerationSeconds starts when the controller sees the taint on the pod's node (not
at the taint's timeAdded), a later look never moves it, and only the first toleration
that matches a taint counts."""

from __future__ import annotations

import pytest
from sim_builders import make_daemonset

from dstutor.controller.tainteviction import get_matching_tolerations, get_min_toleration_time
from dstutor.model.timefmt import parse_rfc3339
from dstutor.sim.cluster import Cluster
from dstutor.sim.snapshot import export_state, import_state

LIMITED = {"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 10}


def _cluster(tolerations: list[dict]) -> Cluster:
    cluster = Cluster()
    cluster.add_node("n1", ready=True)
    cluster.create(make_daemonset("agent", image="agent", labels={"app": "agent"},
                                  tolerations=tolerations))
    cluster.advance()
    return cluster


def _taint(cluster: Cluster, taints: list[dict]) -> None:
    node = cluster.get("Node", "", "n1")
    node["spec"]["taints"] = taints
    cluster.update(node)


def _live(cluster: Cluster) -> list[str]:
    return [p["metadata"]["name"] for p in cluster.pods_of("agent")
            if not p["metadata"].get("deletionTimestamp")]


def _evictions(cluster: Cluster) -> list[str]:
    return [e["message"] for e in cluster.store.list("Event")
            if e["reason"] == "TaintManagerEviction"]


def test_a_user_taint_without_time_added_evicts_after_toleration_seconds() -> None:
    cluster = _cluster([LIMITED])
    [first] = _live(cluster)
    _taint(cluster, [{"key": "k", "effect": "NoExecute"}])
    cluster.advance(9)
    assert _live(cluster) == [first]  # later looks (status writes, timers) never push it back
    cluster.advance(2)
    assert first not in _live(cluster)
    assert _evictions(cluster) == [f"Marking for deletion Pod default/{first}"]


def test_the_daemonset_recreates_the_pod_and_the_countdown_starts_again() -> None:
    # The node still qualifies (the taint is tolerated), so the controller replaces the
    # evicted pod, and the new one is evicted tolerationSeconds after it arrives.
    cluster = _cluster([LIMITED])
    _taint(cluster, [{"key": "k", "effect": "NoExecute"}])
    [first] = _live(cluster)
    cluster.advance(11)
    for _ in range(30):  # the replacement comes within seconds
        if _live(cluster) not in ([], [first]):
            break
        cluster.advance(1)
    [second] = _live(cluster)
    scheduled = next(c for c in cluster.pods_of("agent")[-1]["status"]["conditions"]
                     if c["type"] == "PodScheduled")
    arrived = parse_rfc3339(scheduled["lastTransitionTime"])
    cluster.advance(arrived + 9 - cluster.now())
    assert _live(cluster) == [second]
    cluster.advance(2)
    assert second not in _live(cluster)
    assert len(_evictions(cluster)) == 2


def test_a_taint_with_an_old_time_added_still_gives_the_full_toleration() -> None:
    cluster = _cluster([LIMITED])
    [pod] = _live(cluster)
    _taint(cluster, [{"key": "k", "effect": "NoExecute", "timeAdded": "2020-01-01T00:00:00Z"}])
    assert _live(cluster) == [pod]
    cluster.advance(9)
    assert _live(cluster) == [pod]


def test_removing_the_taint_in_time_cancels_the_eviction() -> None:
    cluster = _cluster([LIMITED])
    [pod] = _live(cluster)
    _taint(cluster, [{"key": "k", "effect": "NoExecute"}])
    cluster.advance(5)
    _taint(cluster, [])
    cluster.advance(30)
    assert _live(cluster) == [pod]
    assert _evictions(cluster) == [f"Cancelling deletion of Pod default/{pod}"]


def test_an_untolerated_taint_evicts_at_once() -> None:
    cluster = _cluster([])
    [pod] = _live(cluster)
    _taint(cluster, [{"key": "other", "effect": "NoExecute"}])
    # Taint eviction and the DaemonSet controller (shouldContinueRunning is false) both
    # want it gone at this instant; whichever acts first, it goes now.
    assert pod not in _live(cluster)


def test_a_limited_user_toleration_listed_first_wins_over_the_daemon_default() -> None:
    # The template's wildcard NoExecute toleration comes before the controller's
    # unreachable toleration, so it is the one used: 30 s after the unreachable taint the
    # pod goes, and the node (unreachable:NoSchedule, not tolerated) gets no new one.
    cluster = _cluster([{"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}])
    [pod] = _live(cluster)
    cluster.fail_node("n1")
    cluster.advance(60)
    node = cluster.get("Node", "", "n1")
    assert {"node.kubernetes.io/unreachable"} <= {t["key"] for t in node["spec"]["taints"]}
    assert _live(cluster) == [pod]
    cluster.advance(30)
    assert _live(cluster) == []
    assert _evictions(cluster) == [f"Marking for deletion Pod default/{pod}"]


def test_a_scheduled_eviction_survives_save_and_load() -> None:
    cluster = _cluster([LIMITED])
    [pod] = _live(cluster)
    _taint(cluster, [{"key": "k", "effect": "NoExecute"}])
    cluster.advance(6)
    restored = import_state(export_state(cluster))
    restored.advance(3)
    assert _live(restored) == [pod]
    restored.advance(2)
    assert pod not in _live(restored)


TAINT_A = {"key": "a", "effect": "NoExecute"}
TAINT_B = {"key": "b", "effect": "NoExecute"}


@pytest.mark.parametrize(("tolerations", "seconds"), [
    ([{"key": "a", "operator": "Exists"}, {"key": "b", "operator": "Exists"}], -1.0),
    ([{"key": "a", "operator": "Exists", "tolerationSeconds": 20},
      {"key": "b", "operator": "Exists"}], 20.0),
    ([{"key": "a", "operator": "Exists", "tolerationSeconds": 20},
      {"key": "b", "operator": "Exists", "tolerationSeconds": 5}], 5.0),
    ([{"operator": "Exists", "tolerationSeconds": 7}, {"key": "a", "operator": "Exists"}], 7.0),
    ([{"key": "a", "operator": "Exists"}, {"operator": "Exists", "tolerationSeconds": 7}], 7.0),
    ([{"operator": "Exists", "tolerationSeconds": -4}], 0.0),
])
def test_min_toleration_time_uses_the_first_match_of_each_taint(
        tolerations: list[dict], seconds: float) -> None:
    used = get_matching_tolerations([TAINT_A, TAINT_B], tolerations)
    assert used is not None
    assert get_min_toleration_time(used) == seconds


def test_a_taint_nobody_tolerates_means_no_tolerations_are_used() -> None:
    assert get_matching_tolerations([TAINT_A, TAINT_B], [{"key": "a", "operator": "Exists"}]
                                    ) is None
