"""Every test gets a private DSTUTOR_HOME (history, progress, lesson workspaces), so tests
run in parallel (`pytest -n auto`, pytest-xdist) never share one data directory, and no
test touches the real one. Directories with their own home fixture set it again.

Costs no test can observe are left out of the test process (not out of the `dstutor`
processes some tests start): waiting for the disk in os.fsync, computing the same
rollout plan twice, and bringing up the same cluster twice (suite_speed.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from suite_speed import (
    BUILD_CLUSTER_NAMES,
    fsync_without_the_disk,
    memo_build_cluster,
    memo_make_plan,
)

from dstutor.model import sharedguard


def _suite_folder(request: pytest.FixtureRequest) -> str:
    """`sim` for tests/sim/test_x.py::test_y (node ids are relative to the rootdir)."""
    parts = request.node.nodeid.split("::")[0].split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else ""


@pytest.fixture(autouse=True)
def _private_dstutor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSTUTOR_HOME", str(tmp_path / "dstutor-home"))


@pytest.fixture(autouse=True)
def _no_disk_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    # The shared monkeypatch: a test that patches fsync itself is undone before this.
    monkeypatch.setattr(os, "fsync", fsync_without_the_disk)


@pytest.fixture(autouse=True)
def _plans_once_per_input(request: pytest.FixtureRequest) -> Iterator[None]:
    """Rollout plans are computed once per input (suite_speed.py), except in the planner's
    own tests, which must see every computation."""
    if _suite_folder(request) == "planner":
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("dstutor.planner.plan.make_plan", memo_make_plan)
        yield


@pytest.fixture(autouse=True)
def _clusters_once_per_spec(request: pytest.FixtureRequest) -> Iterator[None]:
    """A settled cluster is built once per spec (suite_speed.py), except in the tests of
    the simulator and the planner, which must see every bring-up."""
    if _suite_folder(request) in ("sim", "planner"):
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        for name in BUILD_CLUSTER_NAMES:
            mp.setattr(name, memo_build_cluster)
        yield


@pytest.fixture(autouse=True)
def _shared_objects_stay_unchanged() -> Iterator[None]:
    """Pods and nodes share dicts (model/sharedguard.py): fail any test after which one
    of the shared objects built during it was edited in place, which would have shown
    on every pod or node holding it (tests/sim/test_sim_shared_guard.py plants one)."""
    sharedguard.start()
    try:
        yield
        changed = sharedguard.mutated()
        if changed:
            pytest.fail("a shared object was edited in place (every pod or node holding it "
                        "changed with it):\n" + "\n".join(changed[:5]), pytrace=False)
    finally:
        sharedguard.stop()
