"""Fixtures for the shell tests (helpers live in shell_helpers.py)."""

from __future__ import annotations

import pytest
from shell_helpers import FakeKubectl

from dstutor.shell.session import Session
from dstutor.sim.clusterfile import default_cluster


@pytest.fixture
def fake() -> FakeKubectl:
    return FakeKubectl([])


@pytest.fixture
def session() -> Session:
    """A session on the default cluster (manual clock) with the real kubectl layer."""
    return Session(default_cluster(), reset_factory=default_cluster)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    # History and progress files go to a temporary DSTUTOR_HOME, never the real one.
    monkeypatch.setenv("DSTUTOR_HOME", str(tmp_path / "home"))
