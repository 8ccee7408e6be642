"""Every test gets a private DSTUTOR_HOME (history, progress, lesson workspaces), so tests
run in parallel (`pytest -n auto`, pytest-xdist) never share one data directory, and no
test touches the real one. Directories with their own home fixture set it again.

Two costs no test can observe are left out of the test process (not out of the
`dstutor` processes some tests start): waiting for the disk in os.fsync, and computing
the same rollout plan twice (suite_speed.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from suite_speed import fsync_without_the_disk, memo_make_plan


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
    if "planner" in request.node.path.parts:
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("dstutor.planner.plan.make_plan", memo_make_plan)
        yield
