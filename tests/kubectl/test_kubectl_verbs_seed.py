"""The seed commands of the lessons work exactly as written, with golden transcripts."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_verbs_support import check_golden, copy_fixtures, fresh_cluster, transcript

from dstutor.kubectl.dispatch import run


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_fixtures(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_kubectl_verbs_seed_node_logger_session(workdir: Path) -> None:
    # node-logger.yaml puts the DaemonSet in kube-system, so the learner's shell works
    # there (as after `kubectl config set-context --current --namespace=kube-system`).
    cluster = fresh_cluster()
    ns = "kube-system"
    lines = [
        ("kubectl apply -f daemonset.yaml", ns),
        ("kubectl rollout status daemonset node-logger", ns),
        "kubectl get daemonsets -A",
        "kubectl get ds -A",
        ("kubectl delete daemonset node-logger", ns),
        "kubectl get ds -A",
        ("kubectl apply -f daemonset.yaml", ns),
        ("kubectl rollout status daemonset node-logger", ns),
        ("kubectl delete daemonset node-logger --cascade=orphan", ns),
        ("kubectl get pods -l app=node-logger", ns),
        ("kubectl get events", ns),
    ]
    check_golden("seed_node_logger", transcript(cluster, lines))


def test_kubectl_verbs_seed_node_exporter_session(workdir: Path) -> None:
    cluster = fresh_cluster()
    ns = "monitoring"
    lines = [
        "kubectl create namespace monitoring",
        "kubectl apply -f node-exporter.yaml",
        ("kubectl rollout status daemonset node-exporter", ns),
        ("kubectl describe daemonset node-exporter", ns),
        ("kubectl get pods -l app=node-exporter -o wide", ns),
        "kubectl get events",
    ]
    check_golden("seed_node_exporter", transcript(cluster, lines))


@pytest.mark.parametrize("line", [
    "kubectl apply -f daemonset.yaml",
    "kubectl rollout status daemonset node-logger",
    "kubectl get daemonsets -A",
    "kubectl get pods -l app=node-logger -o wide",
    "kubectl delete daemonset node-logger",
    "kubectl get ds -A",
    "kubectl get events",
])
def test_kubectl_verbs_seed_commands_succeed_in_lesson_namespace(workdir: Path, line: str) -> None:
    cluster = fresh_cluster()
    if "apply" not in line:
        assert run(cluster, "kubectl apply -f daemonset.yaml").exit_code == 0
    result = run(cluster, line, namespace="kube-system")
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_kubectl_verbs_seed_delete_orphan_keeps_pods(workdir: Path) -> None:
    cluster = fresh_cluster()
    run(cluster, "kubectl apply -f daemonset.yaml")
    pods_before = {p["metadata"]["name"] for p in cluster.list("Pod", "kube-system",
                                                             selector="app=node-logger")}
    result = run(cluster, "kubectl delete daemonset node-logger --cascade=orphan",
                 namespace="kube-system")
    assert result.stdout == 'daemonset.apps "node-logger" deleted from kube-system namespace\n'
    assert cluster.find("DaemonSet", "kube-system", "node-logger") is None
    cluster.advance(30)
    pods_after = {p["metadata"]["name"] for p in cluster.list("Pod", "kube-system",
                                                            selector="app=node-logger")}
    assert pods_after == pods_before and len(pods_after) == 3


def test_kubectl_verbs_seed_delete_background_removes_pods(workdir: Path) -> None:
    cluster = fresh_cluster()
    run(cluster, "kubectl apply -f daemonset.yaml")
    result = run(cluster, "kubectl delete daemonset node-logger", namespace="kube-system")
    assert result.exit_code == 0
    cluster.advance(60)
    assert cluster.list("Pod", "kube-system", selector="app=node-logger") == []
