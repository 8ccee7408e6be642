"""Every classroom test runs with a private DSTUTOR_HOME: lesson runs keep a workspace and
an edit journal there, and grading must be shown never to touch the real one."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSTUTOR_HOME", str(tmp_path / "dstutor-home"))
