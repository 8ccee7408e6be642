"""Tab completion: suggest.complete as a parametrised table, then the prompt_toolkit adapter."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from dstutor.shell import meta, suggest
from dstutor.shell.completer import ShellCompleter
from dstutor.shell.session import Session
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    return default_cluster()


def _texts(cluster: Cluster, text: str, namespace: str = "default") -> list[str]:
    return suggest.complete(text, cluster, namespace).texts


@pytest.mark.parametrize("text, expected", [
    ("kub", ["kubectl"]),
    ("kubectl g", ["get"]),
    ("kubectl get po", ["pods", "po"]),
    ("kubectl get nodes w", ["worker-1", "worker-2", "worker-3"]),
    ("kubectl get no/c", ["no/control-plane"]),
    ("kubectl get node/c", ["node/control-plane"]),
    ("kubectl get ds -n kube-system ", ["kube-proxy"]),
    ("kubectl get ds --namespace=kube-system k", ["kube-proxy"]),
    ("kubectl get ds -n kube", ["kube-node-lease", "kube-public", "kube-system"]),
    ("kubectl get pods --output=w", ["--output=wide"]),
    ("kubectl get pods -o=j", ["-o=json", "-o=jsonpath", "-o=jsonpath-as-json",
                               "-o=jsonpath-file"]),
    ("kubectl delete ds x --cascade=", ["--cascade=background", "--cascade=foreground",
                                        "--cascade=orphan"]),
    ("kubectl rollout ", ["history", "pause", "restart", "resume", "status", "undo"]),
    ("kubectl rollout status -n kube-system ds/", ["ds/kube-proxy"]),
    ("kubectl taint nodes worker-1 key=v:No", ["key=v:NoSchedule", "key=v:NoExecute"]),
    ("kubectl taint ", ["nodes", "node", "no"]),
    ("kubectl cordon worker-", ["worker-1", "worker-2", "worker-3"]),
    ("kubectl get pods --show-l", ["--show-labels"]),
    ("kubectl get pods -A -l k8s", ["k8s-app=kube-dns", "k8s-app=kube-proxy"]),
    ("kubectl frob ", []),
    ("node ", ["add", "remove", "fail", "recover"]),
    ("node fail c", ["control-plane"]),
    ("node add ", ["worker-4"]),
    ("node add x --taint a=b:NoE", ["a=b:NoExecute"]),
    ("node add x --", ["--label", "--taint", "--role", "--no-network"]),
    ("node add x --role ", ["worker", "control-plane", "gpu", "infra"]),
    ("node add x --role=g", ["--role=gpu"]),
    ("advance ", ["10s", "30s", "1m", "5m"]),
    ("why worker-", ["worker-1", "worker-2", "worker-3"]),
    ("why worker-1 ", ["kube-proxy"]),
    ("help no", ["node"]),
    ("map --", ["--all", "--svg"]),
    ("get ", []),
    ("kubectl apply -f - <<EOF\nki", []),
])
def test_completion_table(cluster: Cluster, text: str, expected: list[str]) -> None:
    assert _texts(cluster, text) == expected


def test_completion_first_word_offers_both_kinds(cluster: Cluster) -> None:
    texts = _texts(cluster, "")
    assert texts[:2] == ["kubectl", "k"]
    assert set(meta.first_words()) <= set(texts)


def test_completion_verbs_come_from_the_registry(cluster: Cluster) -> None:
    texts = _texts(cluster, "kubectl ")
    assert {"get", "apply", "describe", "rollout", "taint", "cordon", "drain"} <= set(texts)


def test_completion_resource_types_and_output_formats(cluster: Cluster) -> None:
    assert {"pods", "daemonsets", "ds", "nodes", "controllerrevisions"} <= set(
        _texts(cluster, "kubectl get "))
    assert {"wide", "yaml", "json", "name"} <= set(_texts(cluster, "kubectl get pods -o "))


def test_completion_why_offers_pods_nodes_and_daemonsets(cluster: Cluster) -> None:
    texts = _texts(cluster, "why ")
    assert "worker-1" in texts and "kube-proxy" in texts
    assert any(t.startswith("kube-proxy-") for t in texts)


@pytest.mark.parametrize("text", ["kubectl apply -f ", "save ", "load ", "map --svg "])
def test_completion_file_arguments_complete_paths(cluster: Cluster, text: str) -> None:
    assert suggest.complete(text, cluster).path


def test_completer_yields_prompt_toolkit_completions(cluster: Cluster) -> None:
    completer = ShellCompleter(Session(cluster))
    found = list(completer.get_completions(Document("kubectl get nodes wor"), CompleteEvent()))
    assert [c.text for c in found] == ["worker-1", "worker-2", "worker-3"]
    assert all(c.start_position == -3 for c in found)


def test_completer_completes_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "daemonset.yaml").write_text("")
    monkeypatch.chdir(tmp_path)
    completer = ShellCompleter(Session(default_cluster()))
    found = list(completer.get_completions(Document("kubectl apply -f dae"), CompleteEvent()))
    assert [c.text for c in found] == ["monset.yaml"]


def test_completer_follows_the_session_cluster() -> None:
    session = Session(default_cluster())
    completer = ShellCompleter(session)
    session.handle_line("node add zeta")
    found = list(completer.get_completions(Document("node fail z"), CompleteEvent()))
    assert [c.text for c in found] == ["zeta"]
