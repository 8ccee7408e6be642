"""What `dstutor plan` is given: each bad input gets one clear sentence; strategies and
failures are chosen the same way every time."""

from __future__ import annotations

import pytest

from dstutor.errors import DstutorError
from dstutor.planner.fleet import previous_image, with_ready_after
from dstutor.planner.inputs import (
    PlanError,
    check_nodes,
    load_daemonset,
    parse_delay,
    parse_percent,
    read_inputs,
)
from dstutor.planner.plan import draw_failures, own_strategy, strategies
from tests.planner.planner_helpers import agent


@pytest.mark.parametrize(("text", "share"), [("1%", 0.01), ("0.5%", 0.005), ("0%", 0.0),
                                             ("100%", 1.0), (" 25% ", 0.25), (".5%", 0.005)])
def test_percentages(text: str, share: float) -> None:
    assert parse_percent(text) == pytest.approx(share)


@pytest.mark.parametrize(("text", "message"), [
    ("1", 'error: bad --fail "1": use a percentage of the nodes, like 1% or 0.5%'),
    ("x%", 'error: bad --fail "x%": use a percentage of the nodes, like 1% or 0.5%'),
    ("-1%", 'error: bad --fail "-1%": use a percentage of the nodes, like 1% or 0.5%'),
    ("", 'error: bad --fail "": use a percentage of the nodes, like 1% or 0.5%'),
    ("150%", 'error: bad --fail "150%": at most 100% of the nodes can fail'),
])
def test_bad_percentages(text: str, message: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_percent(text)
    assert str(err.value) == message


@pytest.mark.parametrize(("text", "seconds"), [("30s", 30), ("2m", 120), ("1m30s", 90),
                                               ("0", 0), ("500ms", 0.5), ("1h", 3600)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_delay(text, "--image-pull") == seconds


@pytest.mark.parametrize(("text", "message"), [
    ("30", 'error: bad --image-pull "30": use a duration like 30s, 2m or 1m30s'),
    ("3x", 'error: bad --image-pull "3x": use a duration like 30s, 2m or 1m30s'),
    ("-5s", 'error: bad --image-pull "-5s": a duration must not be negative'),
    ("25h", 'error: bad --image-pull "25h": at most 24h'),
])
def test_bad_durations(text: str, message: str) -> None:
    with pytest.raises(PlanError) as err:
        parse_delay(text, "--image-pull")
    assert str(err.value) == message


@pytest.mark.parametrize(("nodes", "cluster", "message"), [
    (0, False, "error: --nodes must be between 1 and 5000, not 0"),
    (-3, False, "error: --nodes must be between 1 and 5000, not -3"),
    (5001, False, "error: --nodes must be between 1 and 5000, not 5001"),
    (None, False, "error: say how big the fleet is: --nodes N, or --cluster FILE"),
    (10, True, "error: --nodes and --cluster cannot be used together: the cluster file "
               "names its own nodes"),
])
def test_bad_fleet_sizes(nodes: int | None, cluster: bool, message: str) -> None:
    with pytest.raises(PlanError) as err:
        check_nodes(nodes, cluster_file=cluster)
    assert str(err.value) == message


def test_read_inputs_keeps_what_was_given() -> None:
    inputs = read_inputs(nodes=20, image_pull="30s", ready_after="10s", fail="1%", seed=4,
                         cluster_file=False)
    assert (inputs.nodes, inputs.image_pull, inputs.ready_after, inputs.fail, inputs.seed) == (
        20, 30, 10, 0.01, 4)
    assert read_inputs(nodes=None, image_pull=None, ready_after=None, fail=None, seed=0,
                       cluster_file=True).fail == 0.0


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx:1.27}]}
"""
DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: agent:2.0}]}
"""


@pytest.mark.parametrize(("text", "message"), [
    (DEPLOYMENT, "error: ds.yaml has no DaemonSet (only Deployment); dstutor plan plans the "
                 "rollout of a DaemonSet"),
    ("", "error: ds.yaml has no DaemonSet (nothing); dstutor plan plans the rollout of a "
         "DaemonSet"),
    (DAEMONSET + "---\n" + DAEMONSET.replace("name: agent}", "name: other}"),
     "error: ds.yaml has 2 DaemonSets (agent, other); plan one rollout at a time"),
])
def test_manifests_without_exactly_one_daemonset(text: str, message: str) -> None:
    with pytest.raises(PlanError) as err:
        load_daemonset(text, "ds.yaml")
    assert str(err.value) == message


def test_a_manifest_is_decoded_as_the_api_server_decodes_it() -> None:
    bad = DAEMONSET.replace("image: agent:2.0", "image: agent:2.0, ports: [{containerPort: x}]")
    with pytest.raises(DstutorError) as err:
        load_daemonset(bad, "ds.yaml")
    assert str(err.value).startswith("error: ds.yaml:")
    assert load_daemonset(DAEMONSET, "ds.yaml")["metadata"]["name"] == "agent"


@pytest.mark.parametrize(("image", "previous"), [
    ("agent:2.0", "agent:2.0-previous"),
    ("registry.example.com:5000/team/agent:1", "registry.example.com:5000/team/agent:1-previous"),
    ("busybox", "busybox:previous"),
    ("agent@sha256:abc", "agent:previous"),
])
def test_previous_image_differs_so_the_new_one_is_pulled(image: str, previous: str) -> None:
    assert previous_image(image) == previous


def test_ready_after_sets_a_readiness_delay_without_changing_the_input() -> None:
    ds = agent()
    probed = with_ready_after(ds, 10)
    container = probed["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["initialDelaySeconds"] == 10
    assert "readinessProbe" not in ds["spec"]["template"]["spec"]["containers"][0]
    assert with_ready_after(ds, None) == ds


def test_the_manifests_own_strategy_comes_first_and_is_not_repeated() -> None:
    labels = [s.label for s in strategies(agent())]
    assert labels == ["maxUnavailable 1 (manifest)", "maxUnavailable 10%",
                      "maxUnavailable 25%", "maxSurge 10%"]
    other = agent(updateStrategy={"type": "RollingUpdate",
                                  "rollingUpdate": {"maxUnavailable": "30%"}})
    assert [s.label for s in strategies(other)] == [
        "maxUnavailable 30% (manifest)", "maxUnavailable 1", "maxUnavailable 10%",
        "maxUnavailable 25%", "maxSurge 10%"]
    surge = agent(updateStrategy={"type": "RollingUpdate",
                                  "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "10%"}})
    assert [s.label for s in strategies(surge)][0] == "maxSurge 10% (manifest)"
    assert len(strategies(surge)) == 4
    assert own_strategy(agent(updateStrategy={"type": "OnDelete"})).update_strategy == {
        "type": "OnDelete"}


def test_failures_are_drawn_the_same_under_a_seed() -> None:
    nodes = tuple(f"node-{i:04d}" for i in range(1, 201))
    first = draw_failures(nodes, 0.01, 3)
    assert first == draw_failures(nodes, 0.01, 3)
    assert len(first) == 2  # 1% of 200
    assert first != draw_failures(nodes, 0.01, 4)
    assert [f.at_share for f in first] == sorted(f.at_share for f in first)
    assert all(0 <= f.at_share < 1 and f.node in nodes for f in first)


def test_failure_counts_round_up_like_a_daemonsets_percentages() -> None:
    nodes = tuple(f"node-{i}" for i in range(50))
    assert len(draw_failures(nodes, 0.01, 0)) == 1  # 0.5 nodes: one fails
    assert len(draw_failures(nodes, 0.10, 0)) == 5
    assert draw_failures(nodes, 0.0, 0) == []
    assert len(draw_failures(nodes, 1.0, 0)) == 50
