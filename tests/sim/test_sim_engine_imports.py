"""The simulator leaves out modules it does not need: each one is resident for the life of
the process, and counts in benchmarks/bench_engine.py's peak RSS."""

from __future__ import annotations

import subprocess
import sys

# hashlib (OpenSSL's libcrypto, ~4 MB) for one hash: dstutor/digest.py has it without.
# files.py (tempfile, shutil, pathlib, platformdirs) for that hash: the simulator writes
# no files. ipaddress (~1 MB) for two constants: sim/nodes.py does the arithmetic itself.
LEFT_OUT = ("hashlib", "_hashlib", "tempfile", "shutil", "platformdirs", "dstutor.files",
            "ipaddress")


def test_the_simulator_does_not_import_what_it_does_not_need() -> None:
    code = ("import sys; from dstutor.sim.cluster import Cluster; "
            f"print(sorted(m for m in {LEFT_OUT!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
