"""The samples of kubectl-output.md, reproduced where the simulated state matches them."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubectl_verbs_support import fresh_cluster, snapshot

from dstutor.kubectl.dispatch import run
from dstutor.model.objects import CHANGE_CAUSE_ANNOTATION

FLUENTD = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: fluentd
  labels:
    app: fluentd
spec:
  selector:
    matchLabels:
      app: fluentd
  template:
    metadata:
      labels:
        app: fluentd
    spec:
      containers:
      - name: fluentd
        image: fluentd:v1.16
"""
WEB = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  nodeName: worker-1
  containers:
  - name: web
    image: nginx:1.27
"""


@pytest.fixture
def fluentd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Two workers and a tainted control plane running fluentd:v1.16 for 120 minutes."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fluentd.yaml").write_text(FLUENTD)
    cluster = fresh_cluster(workers=2)
    assert run(cluster, "kubectl apply -f fluentd.yaml").stdout == (
        "daemonset.apps/fluentd created\n")
    cluster.advance(120 * 60)
    return cluster


def _pod_on(cluster, node: str) -> str:
    pods = [p for p in cluster.list("Pod", "default", "app=fluentd")
            if p["spec"].get("nodeName") == node]
    assert len(pods) == 1
    return str(pods[0]["metadata"]["name"])


def test_kubectl_verbs_samples_daemonset_wide(fluentd) -> None:
    result = run(fluentd, "kubectl get ds -o wide")
    assert result.stdout == (
        "NAME      DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE    "
        "CONTAINERS   IMAGES          SELECTOR\n"
        "fluentd   2         2         2       2            2           <none>          120m   "
        "fluentd      fluentd:v1.16   app=fluentd\n")


def test_kubectl_verbs_samples_rollout_history(fluentd) -> None:
    ds = fluentd.get("DaemonSet", "default", "fluentd")
    ds["metadata"].setdefault("annotations", {})[CHANGE_CAUSE_ANNOTATION] = (
        "kubectl set image ds/fluentd fluentd=fluentd:v1.17")
    fluentd.update(ds)
    assert run(fluentd, "kubectl set image ds/fluentd fluentd=fluentd:v1.17").stdout == (
        "daemonset.apps/fluentd image updated\n")
    result = run(fluentd, "kubectl rollout history ds/fluentd")
    assert result.stdout == (
        "daemonset.apps/fluentd \n"
        "REVISION  CHANGE-CAUSE\n"
        "1         <none>\n"
        "2         kubectl set image ds/fluentd fluentd=fluentd:v1.17\n"
        "\n")
    status = run(fluentd, "kubectl rollout status ds/fluentd")
    assert status.stdout.splitlines()[-1] == 'daemon set "fluentd" successfully rolled out'
    assert run(fluentd, "kubectl rollout undo ds/fluentd --to-revision=9").stderr.endswith(
        "error: unable to find specified revision 9 in history\n")


def test_kubectl_verbs_samples_rollout_history_revision_uses_raw_tabs(fluentd) -> None:
    result = run(fluentd, "kubectl rollout history ds/fluentd --revision=1")
    assert result.stdout == (
        "daemonset.apps/fluentd with revision #1\n"
        "Pod Template:\n"
        "  Labels:\tapp=fluentd\n"
        "  Containers:\n"
        "   fluentd:\n"
        "    Image:\tfluentd:v1.16\n"
        "    Port:\t<none>\n"
        "    Host Port:\t<none>\n"
        "    Environment:\t<none>\n"
        "    Mounts:\t<none>\n"
        "  Volumes:\t<none>\n"
        "  Node-Selectors:\t<none>\n"
        "  Tolerations:\t<none>\n"
        "\n")
    missing = run(fluentd, "kubectl rollout history ds/fluentd --revision=7")
    assert (missing.stderr, missing.exit_code) == (
        "error: unable to find the specified revision\n", 1)


def test_kubectl_verbs_samples_undo_skipped_when_template_matches(fluentd) -> None:
    run(fluentd, "kubectl set image ds/fluentd fluentd=fluentd:v1.17")
    run(fluentd, "kubectl rollout status ds/fluentd")
    result = run(fluentd, "kubectl rollout undo ds/fluentd --to-revision=2")
    assert result.stdout == ("daemonset.apps/fluentd skipped rollback (current template "
                             "already matches revision 2)\n")
    assert result.exit_code == 0
    undone = run(fluentd, "kubectl rollout undo ds/fluentd")
    assert undone.stdout == "daemonset.apps/fluentd rolled back\n"
    ds = fluentd.get("DaemonSet", "default", "fluentd")
    assert ds["spec"]["template"]["spec"]["containers"][0]["image"] == "fluentd:v1.16"


def test_kubectl_verbs_samples_describe_daemonset(fluentd) -> None:
    # The API server keeps events for --event-ttl (1h): the pods were created 120
    # minutes ago, so their SuccessfulCreate events are gone, as on a real cluster.
    assert run(fluentd, "kubectl describe ds fluentd").stdout.endswith(
        "  Tolerations:     <none>\nEvents:            <none>\n")
    fluentd = fresh_cluster(workers=2)
    assert run(fluentd, "kubectl apply -f fluentd.yaml").ok
    fluentd.advance(50 * 60)  # within the hour: the events are still there
    pods = sorted(p["metadata"]["name"] for p in fluentd.list("Pod", "default", "app=fluentd"))
    result = run(fluentd, "kubectl describe ds fluentd")
    head = (
        "Name:           fluentd\n"
        "Namespace:      default\n"
        "Selector:       app=fluentd\n"
        "Node-Selector:  <none>\n"
        "Labels:         app=fluentd\n"
        "Annotations:    deprecated.daemonset.template.generation: 1\n"
        "Desired Number of Nodes Scheduled: 2\n"
        "Current Number of Nodes Scheduled: 2\n"
        "Number of Nodes Scheduled with Up-to-date Pods: 2\n"
        "Number of Nodes Scheduled with Available Pods: 2\n"
        "Number of Nodes Misscheduled: 0\n"
        "Pods Status:  2 Running / 0 Waiting / 0 Succeeded / 0 Failed\n"
        "Pod Template:\n"
        "  Labels:  app=fluentd\n"
        "  Containers:\n"
        "   fluentd:\n"
        "    Image:         fluentd:v1.16\n"
        "    Port:          <none>\n"
        "    Host Port:     <none>\n"
        "    Environment:   <none>\n"
        "    Mounts:        <none>\n"
        "  Volumes:         <none>\n"
        "  Node-Selectors:  <none>\n"
        "  Tolerations:     <none>\n"
        "Events:\n"
        "  Type    Reason            Age   From                  Message\n"
        "  ----    ------            ----  ----                  -------\n")
    assert result.stdout.startswith(head)
    rows = result.stdout[len(head):].splitlines()
    assert sorted(r.split("Created pod: ")[1] for r in rows) == pods
    assert all(r.startswith("  Normal  SuccessfulCreate  50m   daemonset-controller  ")
               for r in rows)


def test_kubectl_verbs_samples_drain_refused_leaves_node_cordoned(fluentd) -> None:
    pod = _pod_on(fluentd, "worker-2")
    proxy = next(p["metadata"]["name"] for p in fluentd.list("Pod", "kube-system")
                 if p["spec"].get("nodeName") == "worker-2")
    result = run(fluentd, "kubectl drain worker-2")
    listed = f"default/{pod}, kube-system/{proxy}"
    message = f"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): {listed}"
    assert result.stdout == "node/worker-2 cordoned\n"
    assert result.stderr == (
        f'error: unable to drain node "worker-2" due to error: {message}, continuing command...\n'
        "There are pending nodes to be drained:\n"
        " worker-2\n"
        f"{message}\n")
    assert result.exit_code == 1
    assert fluentd.get("Node", "", "worker-2")["spec"]["unschedulable"] is True
    assert len(fluentd.list("Pod", "default", "app=fluentd")) == 2


def test_kubectl_verbs_samples_drain_success_never_evicts_daemon_pods(
        fluentd, tmp_path: Path) -> None:
    (tmp_path / "web.yaml").write_text(WEB)
    assert run(fluentd, "kubectl apply -f web.yaml").exit_code == 0
    fluentd.advance(10)
    pod = _pod_on(fluentd, "worker-1")
    proxy = next(p["metadata"]["name"] for p in fluentd.list("Pod", "kube-system")
                 if p["spec"].get("nodeName") == "worker-1")
    result = run(fluentd, "kubectl drain worker-1 --ignore-daemonsets --force")
    assert result.stdout == ("node/worker-1 cordoned\n"
                             "evicting pod default/web\n"
                             "pod/web evicted\n"
                             "node/worker-1 drained\n")
    assert result.stderr == (
        f"Warning: ignoring DaemonSet-managed Pods: default/{pod}, kube-system/{proxy}; "
        "deleting Pods that declare no controller: default/web\n")
    assert result.exit_code == 0
    assert fluentd.find("Pod", "default", "web") is None
    assert fluentd.find("Pod", "default", pod) is not None


def test_kubectl_verbs_samples_mutating_messages(fluentd) -> None:
    pod = _pod_on(fluentd, "worker-1")
    cases = [
        ("kubectl taint nodes worker-1 dedicated=logging:NoSchedule", "node/worker-1 tainted\n"),
        ("kubectl taint nodes worker-1 dedicated:NoSchedule-", "node/worker-1 untainted\n"),
        ("kubectl label nodes worker-1 disktype=ssd", "node/worker-1 labeled\n"),
        ("kubectl label nodes worker-1 disktype-", "node/worker-1 unlabeled\n"),
        ("kubectl cordon worker-1", "node/worker-1 cordoned\n"),
        ("kubectl uncordon worker-1", "node/worker-1 uncordoned\n"),
        (f"kubectl delete pod {pod} -o name", f"pod/{pod}\n"),
        ("kubectl delete ds fluentd", 'daemonset.apps "fluentd" deleted from default namespace\n'),
        ("kubectl delete node worker-2", 'node "worker-2" deleted\n'),
    ]
    for line, expected in cases:
        result = run(fluentd, line)
        assert (result.stdout, result.exit_code) == (expected, 0), line


def test_kubectl_verbs_samples_empty_results_go_to_stderr(fluentd) -> None:
    for line, message in [
        ("kubectl get pods -n kube-public", "No resources found in kube-public namespace.\n"),
        ("kubectl get pods -A -l app=none", "No resources found\n"),
        ("kubectl get nodes -l gpu", "No resources found\n"),
        ("kubectl delete pods --all -n kube-public", "No resources found\n"),
    ]:
        result = run(fluentd, line)
        assert (result.stdout, result.stderr, result.exit_code) == ("", message, 0), line


def test_kubectl_verbs_samples_multi_document_reports_bad_one(fluentd, tmp_path: Path) -> None:
    """kubectl applies the documents that decode, then reports the bad one; exit 1."""
    good_a = FLUENTD.replace("fluentd", "a")
    good_c = FLUENTD.replace("fluentd", "c")
    unknown = FLUENTD.replace("fluentd", "b").replace("spec:\n  selector", "spec:\n  replicas: "
                                                       "2\n  selector", 1)
    (tmp_path / "three.yaml").write_text(f"{good_a}---\n{unknown}---\n{good_c}")
    result = run(fluentd, "kubectl apply -f three.yaml")
    assert result.stdout == "daemonset.apps/a created\ndaemonset.apps/c created\n"
    assert result.stderr == (
        'Error from server (BadRequest): error when creating "three.yaml": DaemonSet in version '
        '"v1" cannot be handled as a DaemonSet: strict decoding error: unknown field '
        '"spec.replicas"\n')
    assert result.exit_code == 1
    assert fluentd.find("DaemonSet", "default", "b") is None


def test_kubectl_verbs_samples_multi_document_stops_at_bad_yaml(fluentd, tmp_path: Path) -> None:
    """A document that is not YAML ends the stream: the ones after it are never read."""
    good_a = FLUENTD.replace("fluentd", "a")
    good_c = FLUENTD.replace("fluentd", "c")
    (tmp_path / "broken.yaml").write_text(f"{good_a}---\nkind: [\n---\n{good_c}")
    before_c = fluentd.find("DaemonSet", "default", "c")
    result = run(fluentd, "kubectl apply -f broken.yaml")
    assert result.stdout == "daemonset.apps/a created\n"
    assert result.stderr == ("error: error parsing broken.yaml: error converting YAML to JSON: "
                             "yaml: line 2: expected the node content, but found '<stream end>'\n")
    assert result.exit_code == 1
    assert before_c is None and fluentd.find("DaemonSet", "default", "c") is None


def test_kubectl_verbs_samples_dry_run_changes_nothing(fluentd, tmp_path: Path) -> None:
    before = snapshot(fluentd)
    for line, expected in [
        ("kubectl apply -f fluentd.yaml --dry-run=client",
         "daemonset.apps/fluentd unchanged (dry run)\n"),
        ("kubectl delete ds fluentd --dry-run=client",
         'daemonset.apps "fluentd" deleted (dry run) from default namespace\n'),
        ("kubectl cordon worker-1 --dry-run=client", "node/worker-1 cordoned (dry run)\n"),
        ("kubectl taint nodes worker-1 a=b:NoSchedule --dry-run=client",
         "node/worker-1 tainted (dry run)\n"),
    ]:
        result = run(fluentd, line)
        assert (result.stdout, result.exit_code) == (expected, 0), line
    assert snapshot(fluentd) == before


def test_kubectl_verbs_samples_apply_node_joins(fluentd) -> None:
    line = ("kubectl apply -f - <<EOF\napiVersion: v1\nkind: Node\nmetadata:\n  name: worker-9\n"
            "EOF")
    assert run(fluentd, line).stdout == "node/worker-9 created\n"
    fluentd.advance(30)
    assert run(fluentd, "kubectl get nodes worker-9 --no-headers").stdout.split()[1] == "Ready"
    status = run(fluentd, "kubectl rollout status ds/fluentd --watch=false")
    assert status.stdout == 'daemon set "fluentd" successfully rolled out\n'
    assert len(fluentd.list("Pod", "default", "app=fluentd")) == 3


@pytest.mark.parametrize(("line", "stderr"), [
    ("kubectl explain ds.spec.replicas", 'error: field "replicas" does not exist\n'),
    ("kubectl explain pods.spec",
     "error: dstutor's built-in documentation does not cover pods.spec\n"),
])
def test_kubectl_verbs_samples_explain_unknown(fluentd, line: str, stderr: str) -> None:
    result = run(fluentd, line)
    assert (result.stderr, result.exit_code) == (stderr, 1)


def test_kubectl_verbs_samples_apply_three_way_merge(fluentd, tmp_path: Path) -> None:
    """Fields dropped from the manifest go; fields others set (kubectl label) stay."""
    with_tier = FLUENTD.replace("  labels:\n    app: fluentd\nspec:",
                                "  labels:\n    app: fluentd\n    tier: logs\nspec:")
    (tmp_path / "fluentd.yaml").write_text(with_tier)
    assert run(fluentd, "kubectl apply -f fluentd.yaml").stdout == (
        "daemonset.apps/fluentd configured\n")
    assert run(fluentd, "kubectl label ds fluentd team=ops").stdout == (
        "daemonset.apps/fluentd labeled\n")
    (tmp_path / "fluentd.yaml").write_text(FLUENTD)
    assert run(fluentd, "kubectl apply -f fluentd.yaml").stdout == (
        "daemonset.apps/fluentd configured\n")
    labels = fluentd.get("DaemonSet", "default", "fluentd")["metadata"]["labels"]
    assert labels == {"app": "fluentd", "team": "ops"}
    assert run(fluentd, "kubectl apply -f fluentd.yaml").stdout == (
        "daemonset.apps/fluentd unchanged\n")
    ds = fluentd.get("DaemonSet", "default", "fluentd")
    assert ds["metadata"]["generation"] == 1  # labels are metadata: no new generation


def test_kubectl_verbs_samples_validate_warn_and_ignore(fluentd, tmp_path: Path) -> None:
    """--validate=warn/false ask the server to drop unknown fields instead of failing."""
    with_replicas = FLUENTD.replace("fluentd", "agent").replace(
        "spec:\n  selector", "spec:\n  replicas: 3\n  selector", 1)
    (tmp_path / "agent.yaml").write_text(with_replicas)
    warned = run(fluentd, "kubectl apply -f agent.yaml --validate=warn")
    assert (warned.stdout, warned.stderr, warned.exit_code) == (
        "daemonset.apps/agent created\n", 'Warning: unknown field "spec.replicas"\n', 0)
    assert "replicas" not in fluentd.get("DaemonSet", "default", "agent")["spec"]
    quiet = run(fluentd, "kubectl apply -f agent.yaml --validate=false")
    assert (quiet.stdout, quiet.stderr) == ("daemonset.apps/agent unchanged\n", "")
    (tmp_path / "nokind.yaml").write_text("apiVersion: v1\nmetadata:\n  name: q\n")
    undecodable = run(fluentd, "kubectl apply -f nokind.yaml --validate=false")
    assert undecodable.stderr == ("error: unable to decode \"nokind.yaml\": Object 'Kind' is "
                                  "missing in '{\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
                                  "\"q\"}}'\n")


def test_kubectl_verbs_samples_client_dry_run_skips_the_server(fluentd, tmp_path: Path) -> None:
    mismatch = FLUENTD.replace("fluentd", "odd").replace(
        "      labels:\n        app: odd", "      labels:\n        app: other")
    (tmp_path / "odd.yaml").write_text(mismatch)
    before = snapshot(fluentd)
    client = run(fluentd, "kubectl apply -f odd.yaml --dry-run=client")
    assert (client.stdout, client.exit_code) == ("daemonset.apps/odd created (dry run)\n", 0)
    server = run(fluentd, "kubectl apply -f odd.yaml --dry-run=server")
    assert server.exit_code == 1 and server.stderr.startswith('The DaemonSet "odd" is invalid')
    assert snapshot(fluentd) == before
