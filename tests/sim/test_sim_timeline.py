"""The simulator's timeline: what happened during a rollout, kept by undo and save/load."""

from __future__ import annotations

import json

import pytest

from dstutor import yamlio
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster
from dstutor.sim.snapshot import SnapshotError, export_state, import_state
from dstutor.sim.timeline import MAX_ENTRIES, Timeline

LOGGER = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: %s}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: c, image: busybox:1.36}]}
"""


def _rolled(max_unavailable: str) -> Cluster:
    cluster = default_cluster()
    cluster.create(yamlio.load_one(LOGGER % max_unavailable, "agent.yaml"))
    cluster.advance()
    ds = cluster.get("DaemonSet", "kube-system", "agent")
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "busybox:1.37"
    cluster.update(ds)
    cluster.advance()
    return cluster


@pytest.mark.parametrize(("budget", "worst"), [("1", 1), ("50%", 2), ("100%", 3)])
def test_timeline_records_the_most_pods_unavailable_at_once(budget: str, worst: int) -> None:
    cluster = _rolled(budget)
    (rollout,) = cluster.timeline.rollouts_of("kube-system", "agent")
    assert (rollout.generation, rollout.image, rollout.desired) == (2, "busybox:1.37", 3)
    assert rollout.max_unavailable == worst
    assert rollout.finished is not None and rollout.finished > rollout.started


def test_creating_a_daemonset_is_not_a_rollout() -> None:
    cluster = default_cluster()
    cluster.create(yamlio.load_one(LOGGER % "1", "agent.yaml"))
    cluster.advance()
    assert cluster.timeline.rollouts_of("kube-system", "agent") == []


def test_timeline_records_evictions_and_not_ready_nodes() -> None:
    cluster = default_cluster()
    cluster.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web",
                    "namespace": "default"}, "spec": {"containers": [{"name": "c",
                                                                       "image": "nginx"}]}})
    cluster.advance()
    node = cluster.get("Pod", "default", "web")["spec"]["nodeName"]
    n = cluster.get("Node", "", node)
    n["spec"]["taints"] = [{"key": "a", "value": "b", "effect": "NoExecute"}]
    cluster.update(n)
    cluster.advance()
    assert [(e.pod, e.node, e.reason) for e in cluster.timeline.evictions] == [
        ("web", node, "DeletionByTaintManager")]
    cluster.fail_node("worker-2")
    cluster.advance(120)
    assert [o.node for o in cluster.timeline.not_ready] == ["worker-2"]
    assert cluster.timeline.down == ["worker-2"]
    cluster.recover_node("worker-2")
    cluster.advance()
    assert cluster.timeline.down == []
    assert len(cluster.timeline.not_ready) == 1  # an outage is recorded once


def test_timeline_survives_save_and_load_and_starts_empty_for_old_snapshots() -> None:
    cluster = _rolled("50%")
    data = json.loads(json.dumps(export_state(cluster)))
    restored = import_state(data)
    assert restored.timeline == cluster.timeline
    del data["timeline"]
    assert import_state(data).timeline == Timeline()


@pytest.mark.parametrize("bad", [[], {"rollouts": "x"}, {"rollouts": [{"namespace": "a"}]},
                                 {"rollouts": [{"namespace": "a", "daemonset": "b", "uid": "",
                                                "generation": "two", "image": "", "started": 0}]},
                                 {"evictions": [{"namespace": "a", "pod": "p", "node": "n",
                                                 "reason": "r", "t": float("nan")}]},
                                 {"notReady": [{"node": "n", "t": 1, "extra": 1}]},
                                 {"down": [3]}])
def test_a_damaged_timeline_is_refused(bad: object) -> None:
    data = export_state(default_cluster())
    data["timeline"] = bad
    with pytest.raises(SnapshotError, match="damaged"):
        import_state(data)


def test_timeline_survives_undo() -> None:
    from dstutor.shell.session import Session

    session = Session(_rolled("50%"))
    before = list(session.cluster.timeline.rollouts)
    session.handle_line("kubectl set image ds/agent c=busybox:1.38 -n kube-system")
    session.handle_line("advance")
    assert len(session.cluster.timeline.rollouts) == 2
    session.handle_line("undo")
    session.handle_line("undo")
    assert session.cluster.timeline.rollouts == before


def test_timeline_is_bounded() -> None:
    t = Timeline()
    for i in range(MAX_ENTRIES + 10):
        t.record_eviction("ns", f"p{i}", "n", "r", float(i))
    assert len(t.evictions) == MAX_ENTRIES and t.evictions[0].pod == "p10"


def test_a_damaged_timeline_names_the_field() -> None:
    data = export_state(default_cluster())
    data["timeline"] = {"rollouts": [{"namespace": "a"}]}
    with pytest.raises(SnapshotError, match=r"timeline\.rollouts\[0\]\.daemonset must be a string"):
        import_state(data)
