"""Golden transcripts for every verb and output format, on the default cluster (seed 0).

Regenerate after a deliberate change with DSTUTOR_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_verbs_support import check_golden, copy_fixtures, fresh_cluster, transcript

from dstutor.kubectl.dispatch import run

KS = "kube-system"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy_fixtures(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _logger_cluster():
    cluster = fresh_cluster()
    assert run(cluster, "kubectl apply -f daemonset.yaml").exit_code == 0
    cluster.advance()
    return cluster


def test_kubectl_verbs_golden_get(workdir: Path) -> None:
    cluster = _logger_cluster()
    lines = [
        "kubectl get nodes",
        "kubectl get nodes -o wide",
        "kubectl get no --show-labels",
        "kubectl get nodes -L kubernetes.io/os,gpu",
        "kubectl get nodes --no-headers",
        "kubectl get pods -A -o wide",
        "kubectl get ds -A -o wide",
        ("kubectl get ds,pods", KS),
        "kubectl get all -A",
        "kubectl get ns",
        "kubectl get controllerrevisions -A",
        "kubectl get pods -A --field-selector spec.nodeName=worker-1",
        "kubectl get pods -A --field-selector status.phase!=Running",
        ("kubectl get pods -l app=node-logger -o name", KS),
        ("kubectl get ds node-logger -o yaml", KS),
        ("kubectl get ds node-logger -o json", KS),
        ("kubectl get ds -o yaml", KS),
        ("kubectl get ds -o jsonpath={.items[*].metadata.name}", KS),
        ("kubectl get pods -o custom-columns=NAME:.metadata.name,NODE:.spec.nodeName", KS),
        "kubectl get pods -A -o wide --sort-by=.spec.nodeName",
        ("kubectl get events --sort-by=.lastTimestamp", KS),
        "kubectl get pods",
        "kubectl get pods -A -l app=nothing",
        "kubectl get nodes -l gpu=true",
        "kubectl get ds nope",
        "kubectl get ds nope --ignore-not-found",
    ]
    check_golden("get", transcript(cluster, lines))


def test_kubectl_verbs_golden_get_watch(workdir: Path) -> None:
    cluster = fresh_cluster()
    lines = [("kubectl apply -f daemonset.yaml", KS), ("kubectl get pods -w", KS),
             ("kubectl get ds node-logger -w", KS)]
    check_golden("get_watch", transcript(cluster, lines))


def test_kubectl_verbs_golden_get_watch_events(workdir: Path) -> None:
    # --output-watch-events: the table printer's EVENT column, ADDED for the list, then
    # ADDED/MODIFIED/DELETED per change (formatEventType pads each to 8 characters).
    cluster = fresh_cluster()
    lines = [("kubectl apply -f daemonset.yaml", KS),
             ("kubectl get pods -w --output-watch-events", KS),
             ("kubectl set image ds/node-logger filebeat=docker.elastic.co/beats/filebeat:8.11.0", KS),
             ("kubectl get pods -l app=node-logger --watch-only --output-watch-events", KS)]
    check_golden("get_watch_events", transcript(cluster, lines))


def test_kubectl_verbs_golden_describe(workdir: Path) -> None:
    cluster = _logger_cluster()
    pod = sorted(p["metadata"]["name"] for p in cluster.list("Pod", KS, "app=node-logger"))[0]
    rev = cluster.list("ControllerRevision", KS, "app=node-logger")[0]["metadata"]["name"]
    lines = [
        ("kubectl describe daemonset node-logger", KS),
        ("kubectl describe ds/kube-proxy", KS),
        (f"kubectl describe pod {pod}", KS),
        "kubectl describe node worker-1",
        "kubectl describe nodes control-plane",
        (f"kubectl describe controllerrevision {rev}", KS),
        ("kubectl describe ds nope", KS),
    ]
    check_golden("describe", transcript(cluster, lines))


def test_kubectl_verbs_golden_apply_create(workdir: Path) -> None:
    cluster = fresh_cluster()
    out = transcript(cluster, [
        "kubectl apply -f daemonset.yaml --dry-run=client",
        "kubectl apply -f daemonset.yaml",
        "kubectl apply -f daemonset.yaml",
        "kubectl create -f daemonset.yaml",
        "kubectl create namespace monitoring",
        "kubectl create namespace monitoring",
        "kubectl create -f node-exporter.yaml",
        "kubectl apply -f node-exporter.yaml",
    ])
    text = (workdir / "daemonset.yaml").read_text()
    (workdir / "daemonset.yaml").write_text(text.replace("8.10.0", "8.11.0"))
    out += transcript(cluster, [
        "kubectl apply -f daemonset.yaml",
        ("kubectl rollout status ds/node-logger", KS),
        "kubectl apply -f daemonset.yaml -o name",
        "kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\nEOF",
        ("kubectl get ds node-logger -o jsonpath='{.metadata.annotations."
         "kubectl\\.kubernetes\\.io/last-applied-configuration}'", KS),
    ])
    check_golden("apply_create", out)


def test_kubectl_verbs_golden_delete(workdir: Path) -> None:
    cluster = _logger_cluster()
    out = transcript(cluster, [
        ("kubectl delete ds node-logger --dry-run=client", KS),
        ("kubectl delete daemonset node-logger --cascade=foreground", KS),
        ("kubectl get ds,pods -l app=node-logger", KS),
        "kubectl apply -f daemonset.yaml",
        ("kubectl rollout status ds node-logger", KS),
        ("kubectl delete ds/node-logger --cascade=false", KS),
        ("kubectl get pods -l app=node-logger", KS),
        ("kubectl delete pods -l app=node-logger", KS),
        ("kubectl delete pods --all", KS),
        "kubectl apply -f daemonset.yaml",
        "kubectl delete -f daemonset.yaml -o name",
        "kubectl delete -f daemonset.yaml",
        "kubectl delete node worker-3",
        "kubectl get nodes",
        "kubectl delete ns monitoring",
    ])
    check_golden("delete", out)


def test_kubectl_verbs_golden_nodes(workdir: Path) -> None:
    cluster = _logger_cluster()
    out = transcript(cluster, [
        "kubectl label node worker-2 disktype=ssd",
        "kubectl label node worker-2 disktype=ssd",
        "kubectl label node worker-2 disktype=hdd --overwrite",
        "kubectl label node worker-2 disktype- gpu=true",
        "kubectl label node worker-2 disktype-",
        "kubectl label nodes worker-2 gpu-",
        "kubectl taint nodes worker-1 dedicated=logging:NoSchedule",
        "kubectl taint nodes worker-1 dedicated=gpu:NoSchedule --overwrite",
        "kubectl taint nodes worker-1 dedicated:NoSchedule- b:NoExecute",
        "kubectl taint node worker-1 b-",
        "kubectl cordon worker-3",
        "kubectl cordon worker-3",
        "kubectl get nodes",
        "kubectl uncordon worker-3",
        "kubectl uncordon worker-3",
        "kubectl drain worker-2",
        "kubectl get nodes worker-2",
        "kubectl drain worker-2 --ignore-daemonsets",
        ("kubectl get pods -o wide", KS),
        "kubectl uncordon worker-2",
    ])
    check_golden("nodes", out)


def test_kubectl_verbs_golden_rollout(workdir: Path) -> None:
    cluster = _logger_cluster()
    out = transcript(cluster, [(line, KS) for line in (
        "kubectl rollout history ds/node-logger",
        "kubectl rollout undo ds/node-logger",
        "kubectl set image ds/node-logger filebeat=docker.elastic.co/beats/filebeat:8.11.0",
        "kubectl rollout status ds/node-logger --watch=false",
        "kubectl rollout status daemonset/node-logger",
        "kubectl rollout history daemonset node-logger",
        "kubectl rollout history ds/node-logger --revision=1",
        "kubectl rollout undo ds/node-logger --dry-run=client",
        "kubectl rollout undo ds/node-logger",
        "kubectl rollout status ds/node-logger",
        "kubectl rollout undo ds/node-logger --to-revision=3",
        "kubectl rollout history ds/node-logger",
        "kubectl rollout restart ds/node-logger",
        "kubectl rollout status ds/node-logger --timeout=1s",
        "kubectl rollout status ds/node-logger",
        "kubectl rollout pause ds/node-logger",
        "kubectl rollout resume ds/node-logger",
        "kubectl get controllerrevisions",
    )])
    check_golden("rollout", out)


def test_kubectl_verbs_golden_info(workdir: Path) -> None:
    cluster = fresh_cluster()
    out = transcript(cluster, [
        "kubectl version",
        "kubectl version --client",
        "kubectl api-resources",
        "kubectl api-resources --namespaced=false",
        "kubectl api-resources -o name",
        "kubectl explain ds",
        "kubectl explain ds.spec",
        "kubectl explain ds.spec.updateStrategy",
        "kubectl explain daemonset.spec.updateStrategy.rollingUpdate",
        "kubectl explain node.spec.taints",
        "kubectl create deployment web --image=nginx:1.27 --replicas=2",
        "kubectl scale deployment web --replicas=3",
        "kubectl get deploy",
        "kubectl scale ds kube-proxy --replicas=2 -n kube-system",
    ])
    check_golden("info", out)


def test_kubectl_verbs_golden_edit(workdir: Path) -> None:
    cluster = _logger_cluster()
    seen: list[str] = []

    def editor(text: str) -> str:
        seen.append(text)
        return text.replace("maxUnavailable: 1", "maxUnavailable: 2")

    result = run(cluster, "kubectl edit ds/node-logger", namespace=KS, editor=editor)
    assert result.stdout == "daemonset.apps/node-logger edited\n", result.stderr
    assert seen and seen[0].startswith("# Please edit the object below.")
    assert "kind: DaemonSet" in seen[0]
    ds = cluster.get("DaemonSet", KS, "node-logger")
    assert ds["spec"]["updateStrategy"]["rollingUpdate"]["maxUnavailable"] == 2
    unchanged = run(cluster, "kubectl edit ds/node-logger", namespace=KS, editor=lambda t: t)
    assert (unchanged.stdout, unchanged.stderr) == ("", "Edit cancelled, no changes made.\n")
    emptied = run(cluster, "kubectl edit ds/node-logger", namespace=KS, editor=lambda t: "")
    assert emptied.stderr == "Edit cancelled, saved file was empty.\n"
    refused = run(cluster, "kubectl edit ds/node-logger", namespace=KS)
    assert refused.exit_code == 1
    assert refused.stderr.startswith("error: dstutor has no editor here")


def test_kubectl_verbs_golden_rollout_stuck_then_undo(workdir: Path) -> None:
    from dstutor.sim.clusterfile import build_cluster, default_spec

    spec = default_spec()
    spec.missing_images = ["docker.elastic.co/beats/filebeat:9.9.9"]
    cluster = build_cluster(spec, seed=0)
    out = transcript(cluster, [(line, KS) for line in (
        "kubectl apply -f daemonset.yaml",
        "kubectl rollout status ds/node-logger",
        "kubectl set image ds/node-logger filebeat=docker.elastic.co/beats/filebeat:9.9.9",
        "kubectl rollout status ds/node-logger --timeout=90s",
        "kubectl get pods -l app=node-logger -o wide",
        "kubectl rollout status ds/node-logger",
        "kubectl rollout undo ds/node-logger",
        "kubectl rollout status ds/node-logger",
        "kubectl rollout history ds/node-logger",
    )])
    check_golden("rollout_stuck", out)
