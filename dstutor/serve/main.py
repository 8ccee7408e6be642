"""Starting and stopping the server for the CLI: kubeconfig, binding rules, signals."""

from __future__ import annotations

import ipaddress
import os
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from dstutor.serve.api import Backend
from dstutor.serve.http import Server
from dstutor.sim.cluster import Cluster

CONTEXT = "dstutor"
NOT_LOOPBACK_WARNING = ("warning: serving on {address}, which is not a loopback address: "
                        "anyone who can reach it can change this cluster (there is no "
                        "authentication)")


def kubeconfig_text(url: str, namespace: str = "default") -> str:
    return (f"apiVersion: v1\nkind: Config\nclusters:\n- name: {CONTEXT}\n  cluster:\n"
            f"    server: {url}\nusers:\n- name: {CONTEXT}\n  user:\n    token: {CONTEXT}\n"
            f"contexts:\n- name: {CONTEXT}\n  context:\n    cluster: {CONTEXT}\n"
            f"    user: {CONTEXT}\n    namespace: {namespace}\ncurrent-context: {CONTEXT}\n")


def write_kubeconfig(path: Path, url: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(kubeconfig_text(url))
    os.replace(tmp, path)


def is_loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def usage(kubeconfig: Path, url: str) -> str:
    return (f"dstutor is serving the cluster as a Kubernetes API server on {url}\n"
            f"Use it from another terminal with your own kubectl:\n"
            f"    export KUBECONFIG={kubeconfig}\n"
            f"    kubectl get nodes\n"
            f"or: kubectl --kubeconfig {kubeconfig} get nodes\n")


def start(cluster_of: Callable[[], Cluster], *, address: str, port: int, kubeconfig: Path,
          out: TextIO, lock: threading.RLock | None = None) -> Server:
    """Bind, write the kubeconfig, print how to use it; the server runs in the background.

    Raises OSError when the address cannot be bound.
    """
    if not is_loopback(address):
        out.write(NOT_LOOPBACK_WARNING.format(address=address) + "\n")
    server = Server(Backend(cluster_of, lock), address, port)
    write_kubeconfig(kubeconfig, server.url)
    out.write(usage(kubeconfig, server.url))
    out.flush()
    return server.start()


def attach(session: Any, *, address: str, port: int, kubeconfig: Path,
           out: TextIO, cluster_of: Callable[[], Cluster] | None = None) -> Server:
    """Serve a shell or lesson session's cluster: every line the session handles takes
    the server's lock, so a kubectl request never sees the simulator half-way.

    `session` has handle_line; the cluster is `session.cluster` unless `cluster_of` says.
    """
    lock = threading.RLock()
    handle_line = session.handle_line

    def locked_handle_line(text: str) -> Any:
        with lock:
            return handle_line(text)

    session.handle_line = locked_handle_line
    return start(cluster_of or (lambda: session.cluster), address=address, port=port,
                 kubeconfig=kubeconfig, out=out, lock=lock)


def wait_for_signal() -> None:
    """Block until Ctrl-C or SIGTERM."""
    done = threading.Event()

    def stop(signum: int, frame: Any) -> None:
        done.set()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
