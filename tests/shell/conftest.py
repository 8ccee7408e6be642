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


# History and progress files go to a private DSTUTOR_HOME, never the real one: the root
# conftest gives every test its own (tests/conftest.py, _test_process_settings).
