"""One strategy's rollout on small fleets: timelines worked out by hand from rolling_update.

The default timings: a pod terminates in 1 s, a container starts 1 s after its image is
pulled; the tests pull in 30 s. With maxUnavailable (no surge) a node's round is: the old
pod terminates (1 s), the new one is created, pulls (30 s), starts (1 s), turns Ready
(after --ready-after), is available (after minReadySeconds); only then does
rolling_update take the next node. With maxSurge the new pod starts next to the old one,
so the 1 s of termination is not on the path: a round is 30 + 1 s.
"""

from __future__ import annotations

import pytest

from dstutor.planner.rollout import (
    COMPLETE,
    COMPLETE_EXCEPT_FAILED,
    STUCK,
    Failure,
    Strategy,
    run,
)
from tests.planner.planner_helpers import agent, fleet, rolling


def test_max_unavailable_1_takes_one_node_per_round() -> None:
    result = run(fleet(4), Strategy("one", rolling(1)))
    assert result.outcome == COMPLETE
    assert result.desired == 4 and result.finished == 4
    # 1 + 30 + 1 = 32 s a node, one node at a time.
    assert result.duration == 128
    # A tenth is reached when ceil(tenth × 4 nodes) are done: 1, 1, 2, 2, 2, 3, 3, 4, 4, 4.
    assert result.tenths == [32, 32, 64, 64, 64, 96, 96, 128, 128, 128]
    assert result.peak_unavailable == 1
    assert result.budget == "maxUnavailable 1"
    assert result.status_line == 'daemon set "agent" successfully rolled out'
    assert result.why == []


def test_max_unavailable_2_takes_two_nodes_per_round() -> None:
    result = run(fleet(4), Strategy("two", rolling(2)))
    assert result.duration == 64
    assert result.peak_unavailable == 2
    assert result.tenths[-1] == 64 and result.tenths[0] == 32


def test_percent_rounds_up_like_the_controller() -> None:
    # 25% of 5 nodes is 1.25: DaemonSets round up, so 2 nodes a round, 3 rounds.
    result = run(fleet(5), Strategy("quarter", rolling("25%")))
    assert result.budget == "maxUnavailable 2"
    assert result.duration == 96


def test_surge_keeps_every_node_covered() -> None:
    result = run(fleet(4), Strategy("surge", rolling(0, 1)))
    assert result.outcome == COMPLETE
    assert result.duration == 4 * 31
    assert result.peak_unavailable == 0
    assert result.budget == "maxSurge 1"


def test_ready_after_lengthens_each_round() -> None:
    result = run(fleet(3, ready_after=10), Strategy("one", rolling(1)))
    # 1 + 30 + 1 + 10 (the readiness probe's initialDelaySeconds) = 42 s a node.
    assert result.duration == 3 * 42


def test_min_ready_seconds_counts_as_the_controller_sees_it() -> None:
    ds = agent(minReadySeconds=5)
    result = run(fleet(3, ready_after=10, ds=ds), Strategy("one", rolling(1)))
    # IsPodAvailable wants Ready for longer than 5 s, so the controller looks again 6 s
    # after Ready: 1 + 30 + 1 + 10 + 6 = 48 s a node.
    assert result.duration == 3 * 48
    assert result.tenths[-1] == 144
    assert result.status_line == 'daemon set "agent" successfully rolled out'


def test_timeline_counts_updated_pods_before_they_finish() -> None:
    result = run(fleet(2), Strategy("one", rolling(1)))
    points = [(p.t, p.updated, p.finished, p.unavailable) for p in result.points]
    assert points == [
        (0, 0, 0, 0),  # node-0001's old pod is terminating (still counted available)
        (1, 1, 0, 1),  # it is gone; its replacement exists, pulling its image
        (32, 1, 1, 0),  # the new pod is Ready
        (33, 2, 1, 1),  # node-0002's turn
        (64, 2, 2, 0),
    ]


def test_a_failed_node_uses_up_max_unavailable_1() -> None:
    result = run(fleet(4), Strategy("one", rolling(1)), [Failure("node-0003", 0.0)])
    assert result.outcome == STUCK
    assert result.failed == [("node-0003", 0.0)]
    assert result.finished < 4
    assert "uses up maxUnavailable 1: rolling_update deletes no more old pods" in result.why[0]
    assert any("node-0003 (NotReady: Kubelet stopped posting node status.)" in line
               for line in result.why)
    assert result.status_line.startswith('Waiting for daemon set "agent" rollout to finish')


def test_a_failed_node_that_leaves_the_desired_set_lets_the_rollout_complete() -> None:
    result = run(fleet(4), Strategy("two", rolling(2)), [Failure("node-0003", 0.0)])
    # Round 1 (0-32 s): node-0001 and node-0002. Round 2 from 32 s: node-0003's old pod
    # is deleted but its kubelet is gone, so it stays Terminating; at 50 s the node turns
    # NotReady and is tainted unreachable:NoSchedule, which this DaemonSet does not
    # tolerate: it is no longer desired there. node-0004 is done at 64 s, and so is the
    # rollout, on 3 desired nodes.
    assert result.outcome == COMPLETE
    assert result.desired == 3 and result.finished == 3
    assert result.duration == 64


def test_a_wider_budget_rolls_past_a_failed_node_the_daemon_tolerates() -> None:
    ds = agent()
    ds["spec"]["template"]["spec"]["tolerations"] = [{"operator": "Exists"}]
    stuck = run(fleet(4, ds=ds), Strategy("one", rolling(1)), [Failure("node-0003", 0.0)])
    assert stuck.outcome == STUCK
    assert stuck.why[:2] == [
        "1 unavailable pod uses up maxUnavailable 1: rolling_update deletes no more old pods",
        "1 node still runs the old version"]
    wider = run(fleet(4, ds=ds), Strategy("two", rolling(2)), [Failure("node-0003", 0.0)])
    assert wider.outcome == COMPLETE_EXCEPT_FAILED
    assert wider.desired == 4 and wider.finished == 3
    assert wider.duration == 64
    assert wider.why[0].startswith("every healthy node runs the new version")
    assert wider.status_line == ('Waiting for daemon set "agent" rollout to finish: 3 out of '
                                 "4 new pods have been updated...")


def test_failures_wait_for_their_share_of_finished_nodes() -> None:
    result = run(fleet(4), Strategy("one", rolling(1)), [Failure("node-0004", 0.5)])
    # Half the nodes are done at 64 s: node-0004 fails then, not before.
    assert result.failed == [("node-0004", 64.0)]


def test_on_delete_never_rolls() -> None:
    ds = agent(updateStrategy={"type": "OnDelete"})
    result = run(fleet(2, ds=ds), Strategy("own", {"type": "OnDelete"}, own=True))
    assert result.outcome == STUCK
    assert result.finished == 0
    assert "OnDelete" in result.why[0]


@pytest.mark.parametrize("seed", [0, 7])
def test_the_same_inputs_give_the_same_rollout(seed: int) -> None:
    first = run(fleet(6, seed=seed), Strategy("one", rolling(2)), [Failure("node-0002", 0.3)])
    second = run(fleet(6, seed=seed), Strategy("one", rolling(2)), [Failure("node-0002", 0.3)])
    assert first == second


def test_surge_with_a_host_port_is_stuck_and_says_the_schedulers_words() -> None:
    ds = agent()
    ds["spec"]["template"]["spec"]["containers"][0]["ports"] = [
        {"containerPort": 9100, "hostPort": 9100}]
    result = run(fleet(2, ds=ds), Strategy("surge", rolling(0, 1)))
    assert result.outcome == STUCK
    assert result.finished == 0 and result.duration == 0
    assert result.why[0] == ("1 unavailable pod uses up maxSurge 1: rolling_update starts no "
                             "more surge pods")
    assert result.why[1] == "2 nodes still run the old version"
    assert "on node-0001: Pending, not available (0/2 nodes are available: 1 node(s) didn't " \
           "have free ports for the requested pod ports" in result.why[2]


def test_a_slow_image_pull_is_progress_not_a_stall() -> None:
    # Each round takes 1 + 2h + 1 s: longer than the one-hour stall limit, yet it moves.
    result = run(fleet(2, image_pull=7200), Strategy("one", rolling(1)))
    assert result.outcome == COMPLETE
    assert result.duration == 2 * 7202
