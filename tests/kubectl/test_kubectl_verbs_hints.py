"""Tutor hints: one line below kubectl's own error for commands and mistakes kubectl can't help."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_verbs_manifests import FILES
from kubectl_verbs_support import copy_fixtures, fresh_cluster

from dstutor.kubectl.dispatch import run


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_fixtures(tmp_path)
    for name, text in FILES.items():
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(("line", "hint"), [
    ("kubectl apply -f replicas.yaml",
     "A DaemonSet has no replicas: it runs one pod on every eligible node. Remove `replicas:` "
     "from the manifest."),
    ("kubectl create -f replicas.yaml",
     "A DaemonSet has no replicas: it runs one pod on every eligible node. Remove `replicas:` "
     "from the manifest."),
    ("kubectl apply -f typo.yaml",
     "`imagePullPolice` is not a DaemonSet field: check its spelling and indentation "
     "(`kubectl explain ds.spec.template.spec.containers` lists the fields)."),
    ("kubectl apply -f v1beta2.yaml",
     "DaemonSets are served as apps/v1: write `apiVersion: apps/v1` (the old beta versions were "
     "removed from Kubernetes)."),
    ("kubectl apply -f lowerkind.yaml", "Kinds are case-sensitive: write `kind: DaemonSet`."),
    ("kubectl apply -f mismatch.yaml",
     "spec.selector must match the labels in spec.template.metadata.labels, or the DaemonSet "
     "would not recognise its own pods."),
    ("kubectl create daemonset x --image=busybox",
     "kubectl cannot create a DaemonSet from the command line; write a manifest and run kubectl "
     "apply -f FILE"),
    ("kubectl run x --image=busybox --daemonset",
     "kubectl run starts a single Pod; kubectl cannot create a DaemonSet from the command line: "
     "write a manifest and run `kubectl apply -f FILE`"),
    ("kubectl scale ds kube-proxy -n kube-system --replicas=3",
     "A DaemonSet has no replicas: it runs one pod per eligible node. Change the nodes (labels, "
     "taints, nodeSelector) to change the pod count."),
    ("kubectl apply -f https://example.com/ds.yaml",
     "dstutor works offline: save the manifest to a file (or paste it into a heredoc, kubectl "
     "apply -f - <<EOF) and apply that."),
    ("kubectl describe ds kube-proxy",
     "daemonset kube-proxy is in namespace kube-system, not default: add `-n kube-system` (or "
     "`-A` to list every namespace)."),
    ("kubectl get ds kube-proxy",
     "daemonset kube-proxy is in namespace kube-system, not default: add `-n kube-system` (or "
     "`-A` to list every namespace)."),
])
def test_kubectl_verbs_hints(workdir: Path, line: str, hint: str) -> None:
    result = run(fresh_cluster(), line)
    assert result.exit_code == 1
    assert result.hint == hint


def test_kubectl_verbs_hints_seed_in_default_namespace(workdir: Path) -> None:
    cluster = fresh_cluster()
    assert run(cluster, "kubectl apply -f daemonset.yaml").exit_code == 0
    result = run(cluster, "kubectl rollout status daemonset node-logger")
    assert result.stderr == 'Error from server (NotFound): daemonsets.apps "node-logger" not found\n'
    assert result.hint == ("daemonset node-logger is in namespace kube-system, not default: add "
                           "`-n kube-system` (or `-A` to list every namespace).")
    assert run(cluster, "kubectl rollout status daemonset node-logger -n kube-system").ok


def test_kubectl_verbs_hints_none_for_plain_success(workdir: Path) -> None:
    result = run(fresh_cluster(), "kubectl get nodes")
    assert result.ok and result.hint == "" and not result.changed


@pytest.mark.parametrize(("line", "changed"), [
    ("kubectl get pods -A", False),
    ("kubectl describe nodes", False),
    ("kubectl apply -f daemonset.yaml", True),
    ("kubectl apply -f daemonset.yaml --dry-run=client", False),
    ("kubectl cordon worker-1", True),
    ("kubectl cordon worker-1 --dry-run=client", False),
    ("kubectl label node worker-1 kubernetes.io/os=linux", False),
    ("kubectl delete pods --all -n kube-system --wait=false", True),
])
def test_kubectl_verbs_changed_flag(workdir: Path, line: str, changed: bool) -> None:
    result = run(fresh_cluster(), line)
    assert result.ok, result.stderr
    assert result.changed is changed
