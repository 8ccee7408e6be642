"""Helpers for the kubectl verb tests: fixed clusters, snapshots, transcripts, goldens."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import orjson

from dstutor.kubectl.dispatch import run
from dstutor.kubectl.result import CommandResult
from dstutor.model.kinds import KINDS
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = bool(os.environ.get("DSTUTOR_UPDATE_GOLDEN"))


def fresh_cluster(workers: int = 3) -> Cluster:
    """The default classroom cluster: seed 0, manual clock, settled."""
    return default_cluster(workers=workers, seed=0)


def copy_fixtures(dest: Path) -> None:
    """node-logger.yaml as daemonset.yaml (as the lessons name it) and node-exporter.yaml."""
    shutil.copy(FIXTURES / "node-logger.yaml", dest / "daemonset.yaml")
    shutil.copy(FIXTURES / "node-logger.yaml", dest / "node-logger.yaml")
    shutil.copy(FIXTURES / "node-exporter.yaml", dest / "node-exporter.yaml")


def snapshot(cluster: Cluster) -> str:
    """Every stored object of every kind, plus the clock: equal snapshots = nothing changed.
    (orjson: json.dumps's values with sorted keys, several times faster; the hypothesis
    tests of test_kubectl_decode take hundreds.)"""
    state = {kind: cluster.store.list(kind) for kind in sorted(KINDS)}
    return orjson.dumps({"now": cluster.now(), "objects": state},
                        option=orjson.OPT_SORT_KEYS).decode()


def transcript_entry(line: str, result: CommandResult) -> str:
    text = f"$ {line}\n{result.stdout}"
    if result.stderr:
        text += f"--- stderr\n{result.stderr}"
    if result.exit_code:
        text += f"--- exit {result.exit_code}\n"
    if result.hint:
        text += f"--- hint {result.hint}\n"
    return text


def transcript(cluster: Cluster, lines: Iterable[str | tuple[str, str]]) -> str:
    """Run each line (or (line, namespace)) and return the whole session as text."""
    out = []
    for item in lines:
        line, namespace = (item, "default") if isinstance(item, str) else item
        result = run(cluster, line, namespace=namespace)
        shown = line if namespace == "default" else f"{line}    # namespace {namespace}"
        out.append(transcript_entry(shown, result))
    return "".join(out)


def check_golden(name: str, actual: str) -> None:
    """Compare with tests/kubectl/golden/NAME.txt; DSTUTOR_UPDATE_GOLDEN=1 rewrites it."""
    path = GOLDEN / f"{name}.txt"
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"missing golden {path.name}: run with DSTUTOR_UPDATE_GOLDEN=1"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"golden {path.name} differs"
