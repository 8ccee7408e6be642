"""`get pods` remembers each pod's clock-independent cells; the memory must never show.

Every step renders twice: with the module's row cache as earlier steps (and the other
cluster) left it, and with an empty one. Two clusters built from one seed hand out the
same uids and resourceVersions to pods in different states, so a cache keyed by those
alone would print one cluster's pod status for the other's pod.
"""

from __future__ import annotations

import pytest

from dstutor.kubectl.dispatch import run
from dstutor.model.objects import Obj
from dstutor.render import columns
from dstutor.sim.cluster import Cluster

LINES = ("kubectl get pods -A -o wide", "kubectl get pods -A")
IMAGE = "registry.example/agent:1"


def _daemonset() -> Obj:
    labels = {"app": "agent"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "agent", "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "agent", "image": IMAGE}]}}}}


def _check_step(cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    for line in LINES:
        remembered = run(cluster, line)
        with monkeypatch.context() as patch:
            patch.setattr(columns, "_POD_ROWS", {})
            fresh = run(cluster, line)
        assert remembered == fresh, line


@pytest.mark.parametrize("order", [("healthy", "crashing"), ("crashing", "healthy")])
def test_kubectl_get_pods_row_cache_never_changes_output(
        order: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    columns._POD_ROWS.clear()
    commands = ["kubectl cordon node-1", "kubectl rollout restart ds agent",
                "kubectl label pods -l app=agent tier=x", "kubectl uncordon node-1",
                "kubectl set image ds agent agent=registry.example/agent:2",
                "kubectl delete pods -l app=agent --wait=false"]
    for kind in order:
        cluster = Cluster(crashing_images=[IMAGE] if kind == "crashing" else [])
        for name in ("node-1", "node-2"):
            cluster.add_node(name, ready=True)
        cluster.create(_daemonset())
        for step in range(24):
            if step % 4 == 3 and commands[step // 4:]:
                run(cluster, commands[step // 4])
            cluster.advance(1.0)
            _check_step(cluster, monkeypatch)


def test_kubectl_get_pods_row_memo_grows_to_hold_the_whole_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 19: with a fixed bound below the table's size the memo was emptied halfway
    # through every `get` and never hit. It now holds twice the biggest table.
    monkeypatch.setattr(columns, "_POD_ROWS", {})
    monkeypatch.setattr(columns, "_POD_ROWS_MAX", 2)
    cluster = Cluster()
    for i in range(6):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create(_daemonset())
    cluster.advance(30.0)
    first = run(cluster, "kubectl get pods -A -o wide")
    built: list[str] = []
    real = columns._pod_row
    monkeypatch.setattr(columns, "_pod_row",
                        lambda pod, rv: built.append(rv) or real(pod, rv))
    cluster.advance(1.0)
    again = run(cluster, "kubectl get pods -A -o wide")
    assert cluster.store.count("Pod") == 6
    assert columns._POD_ROWS_MAX == 12
    assert built == []
    assert again.exit_code == first.exit_code == 0
    assert again.stdout.count("\n") == 7
