"""Fixtures for the lesson tests: a private DSTUTOR_HOME and the shipped course."""

from __future__ import annotations

from pathlib import Path

import pytest
from lesson_paths import BROKEN, COURSE, ROOT

__all__ = ["BROKEN", "COURSE", "ROOT"]


@pytest.fixture(autouse=True)
def dstutor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Progress never touches the real user data directory."""
    home = tmp_path / "home"
    monkeypatch.setenv("DSTUTOR_HOME", str(home))
    monkeypatch.delenv("DSTUTOR_COURSE", raising=False)
    return home
