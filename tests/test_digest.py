"""dstutor.digest: the same SHA-256 as hashlib's, and the simulator loads no hashlib."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pytest

from dstutor import files
from dstutor.digest import sha256_hex


@pytest.mark.parametrize("data", ["", "a", "Pod/agent-0-2d96g", "ünïcode/ctr", b"",
                                  b"\x00\xff" * 100, "x" * 1000])
def test_sha256_hex_is_hashlibs(data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    assert sha256_hex(data) == hashlib.sha256(raw).hexdigest()
    assert files.sha256_hex is sha256_hex  # the old import path still works


def test_the_simulator_does_not_import_hashlib_or_the_file_helpers() -> None:
    """hashlib (OpenSSL, ~4 MB resident) and files.py's tempfile/shutil/platformdirs
    cost the engine 5 MB of its peak RSS (benchmarks/bench_engine.py) for one hash."""
    code = ("import sys; from dstutor.sim.cluster import Cluster; "
            "print(sorted(m for m in ('hashlib', '_hashlib', 'tempfile', 'shutil', "
            "'platformdirs', 'dstutor.files') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
