"""Every test gets a private DSTUTOR_HOME (history, progress, lesson workspaces), so tests
run in parallel (`pytest -n auto`, pytest-xdist) never share one data directory, and no
test touches the real one. Directories with their own home fixture set it again."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_dstutor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSTUTOR_HOME", str(tmp_path / "dstutor-home"))
