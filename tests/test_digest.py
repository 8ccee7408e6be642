"""dstutor.digest: the same SHA-256 as hashlib's (tests/sim/test_sim_engine_imports.py
checks that the simulator loads no hashlib)."""

from __future__ import annotations

import hashlib

import pytest

from dstutor import files
from dstutor.digest import sha256_hex


@pytest.mark.parametrize("data", ["", "a", "Pod/agent-0-2d96g", "ünïcode/ctr", b"",
                                  b"\x00\xff" * 100, "x" * 1000])
def test_sha256_hex_is_hashlibs(data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    assert sha256_hex(data) == hashlib.sha256(raw).hexdigest()
    assert files.sha256_hex is sha256_hex  # the old import path still works

