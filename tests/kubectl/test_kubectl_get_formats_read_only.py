"""`kubectl get -o FMT` prints the stored objects themselves, not copies: no format may
change what is stored (a learner's next command would see it)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from dstutor import yamlio
from dstutor.kubectl.dispatch import run
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster

NODE_LOGGER = (Path(__file__).resolve().parents[2] / "lessons" / "manifests"
               / "node-logger.yaml")
KINDS = ("pods", "ds", "nodes", "events", "controllerrevisions", "namespaces")
FORMATS = ("yaml", "json", "name", "jsonpath={.items[*].metadata.name}",
           "jsonpath={range .items[*]}{.metadata.name}{\"\\t\"}{.status}{\"\\n\"}{end}",
           "jsonpath-as-json={.items[*].metadata}", "custom-columns=N:.metadata.name,S:.spec")


@pytest.fixture(scope="module")
def cluster() -> Cluster:
    c = default_cluster()
    c.create(yamlio.load_one(NODE_LOGGER.read_text(), "node-logger.yaml"))
    c.advance(30)
    assert run(c, "kubectl taint node worker-1 d=x:NoSchedule").exit_code == 0
    assert run(c, "kubectl label node worker-2 zone=a").exit_code == 0
    c.advance(30)
    return c


def _stored(c: Cluster) -> dict[tuple[str, str, str], Any]:
    return {(kind, o["metadata"].get("namespace", ""), o["metadata"]["name"]): copy.deepcopy(o)
            for kind in ("Pod", "DaemonSet", "Node", "Event", "ControllerRevision", "Namespace")
            for o in c.store.iter_kind(kind)}


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_format_changes_what_is_stored(cluster: Cluster, fmt: str) -> None:
    before = _stored(cluster)
    for kind in KINDS:
        result = run(cluster, f"kubectl get {kind} -A -o '{fmt}'")
        assert result.exit_code == 0, result.stderr
        assert result.stdout
    pod = next(iter(cluster.store.iter_kind("Pod")))
    one = run(cluster, f"kubectl get pod {pod['metadata']['name']} -n "
                       f"{pod['metadata']['namespace']} -o '{fmt}'")
    assert one.exit_code == 0, one.stderr
    assert _stored(cluster) == before


def test_the_same_output_twice(cluster: Cluster) -> None:
    """Printing twice gives the same text: nothing the first print did stuck."""
    for fmt in FORMATS:
        first = run(cluster, f"kubectl get pods -A -o '{fmt}'").stdout
        assert run(cluster, f"kubectl get pods -A -o '{fmt}'").stdout == first
