"""Issue 19, fleet scale: `kubectl top nodes` walked every pod once per node (minutes at
5,000 nodes x 10 DaemonSets) and `kubectl drain` copied every pod of the cluster to keep
one node's (seconds). Both now look at each pod once and copy only what they keep; what
they print must be what the old loops printed."""

from __future__ import annotations

from typing import Any

import pytest
from plain_daemonset import plain_daemonset

from dstutor.kubectl.commands import node as node_command
from dstutor.kubectl.commands import top
from dstutor.kubectl.dispatch import run
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster


def _cluster() -> Cluster:
    """Nodes with running pods, one NotReady node, pods that never pull their image and
    one being deleted: every case the usage sum skips or counts."""
    cluster = Cluster(missing_images=["late:1"])
    for i in range(6):
        cluster.add_node(f"worker-{i}", ready=True)
    cluster.create(plain_daemonset("agent", "agent:1"))
    cluster.create(plain_daemonset("logger", "logger:1"))
    cluster.create(plain_daemonset("late", "late:1"))  # ErrImagePull: never Running
    cluster.fail_node("worker-5")
    cluster.advance(120)  # worker-5 NotReady
    pod = next(p for p in cluster.list("Pod") if p["metadata"]["name"].startswith("logger")
               and p["spec"]["nodeName"] == "worker-1")
    run(cluster, f"kubectl delete pod {pod['metadata']['name']} --wait=false")
    return cluster


def _old_top_rows(cluster: Cluster) -> list[tuple[str, float | None, float | None]]:
    """The usage per node as the old loop summed it: every pod of the cluster, per node."""
    now = cluster.now()
    rows = []
    for node in cluster.list_live("Node"):
        name = node["metadata"]["name"]
        if not top._node_ready(node):
            rows.append((name, None, None))
            continue
        alloc = node["status"]["allocatable"]
        cpu = top._amount(alloc.get("cpu", "0")) * top.SYSTEM_CPU_SHARE * top._wobble(
            name, now, "cpu")
        memory = top.SYSTEM_MEMORY * top._wobble(name, now, "memory")
        for pod in cluster.list_live("Pod"):
            if pod["spec"].get("nodeName") == name and top._running(pod):
                c, m = top.pod_usage(pod, now)
                cpu, memory = cpu + c, memory + m
        rows.append((name, cpu, memory))
    return rows


@pytest.mark.parametrize("line", ["kubectl top nodes", "kubectl top nodes --sort-by=cpu",
                                  "kubectl top nodes --show-capacity --no-headers"])
def test_top_nodes_prints_what_the_per_node_loop_printed(
        line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = _cluster()
    expected = _old_top_rows(cluster)
    assert any(cpu is None for _, cpu, _ in expected)  # (the NotReady node is there)
    listed: list[str] = []
    real_list = Cluster.list_live

    def counting(self: Cluster, kind: str, *args: Any, **kwargs: Any) -> list[Obj]:
        listed.append(kind)
        return real_list(self, kind, *args, **kwargs)

    monkeypatch.setattr(Cluster, "list_live", counting)
    result = run(cluster, line)
    assert result.exit_code == 0, result.stderr
    assert listed.count("Pod") == 1  # one pass over the pods, whatever the node count
    lines = result.stdout.splitlines()[0 if "no-headers" in line else 1:]
    by_name = {row.split()[0]: row.split()[1:] for row in lines}
    for name, cpu, memory in expected:
        if cpu is None:
            assert by_name[name][0] == "<unknown>"
        else:
            assert by_name[name][0] == top._cores(cpu)
            assert by_name[name][2] == top._bytes(memory)
    assert sorted(by_name) == sorted(name for name, _, _ in expected)


def test_drain_copies_only_the_node_s_pods(monkeypatch: pytest.MonkeyPatch) -> None:
    cluster = _cluster()
    on_node = [p["metadata"]["name"] for p in cluster.list("Pod")
               if p["spec"].get("nodeName") == "worker-2"]
    copied: list[str] = []
    real_clone = node_command.clone

    def counting(obj: Any) -> Any:
        if isinstance(obj, dict) and obj.get("kind") == "Pod":
            copied.append(obj["metadata"]["name"])
        return real_clone(obj)

    monkeypatch.setattr(node_command, "clone", counting)
    result = run(cluster, "kubectl drain worker-2 --ignore-daemonsets")
    assert result.exit_code == 0, result.stderr
    assert copied == on_node and len(on_node) >= 3
    names = ", ".join(f"default/{n}" for n in on_node)
    assert result.stderr == f"Warning: ignoring DaemonSet-managed Pods: {names}\n"
    assert result.stdout == "node/worker-2 cordoned\nnode/worker-2 drained\n"
