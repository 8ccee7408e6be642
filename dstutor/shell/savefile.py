"""`save` / `load` / `--state`: the whole simulated cluster as a JSON data file.

A saved file may come from anyone, so loading it must not be able to run code: the
file holds only data (every object plus what the components remember outside the
store, see dstutor.sim.snapshot), and loading builds dicts and a fresh Cluster from it.
The loaded cluster is run once as a check, so damage shows up here, with one line, and
the current cluster is left as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

from dstutor import __version__, yamlio
from dstutor.errors import DstutorError
from dstutor.files import atomic_write, clean_stale_temps
from dstutor.sim import snapshot as sim_snapshot
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster

FORMAT = "dstutor/cluster-snapshot"
FORMAT_VERSION = 2
MAX_BYTES = 256 * 1024 * 1024


class SnapshotError(DstutorError):
    """A snapshot that cannot be written or read."""


def dumps(cluster: Cluster) -> str:
    cluster.settle()
    doc = {"format": FORMAT, "formatVersion": FORMAT_VERSION, "dstutorVersion": __version__,
           "virtualTime": cluster.now(), "state": sim_snapshot.export_state(cluster)}
    return json.dumps(doc, separators=(",", ":"), allow_nan=False)


def save_file(cluster: Cluster, path: str | Path) -> None:
    """Write atomically: a crash mid-write never leaves a half-written snapshot behind."""
    target = Path(path)
    clean_stale_temps(target)
    try:
        atomic_write(target, dumps(cluster))
    except OSError as exc:
        raise SnapshotError(f"error: cannot save to {path}: {exc.strerror or exc}") from None


def _check(cluster: Cluster) -> None:
    """Run the loaded cluster once: broken data shows up here, not at the next command."""
    for kind in ("Namespace", "Node", "Pod", "DaemonSet", "ControllerRevision", "Event"):
        for obj in cluster.list(kind):
            if not isinstance(obj.get("metadata", {}).get("name"), str):
                raise ValueError(f"a {kind} has no name")
    cluster.advance(0)


def loads(text: str, *, source: str = "snapshot", mode: str = "manual",
          speed: float = 1.0) -> Cluster:
    """The cluster in `text`, running on a clock in `mode`; SnapshotError if it is not one."""
    prefix = f"error: cannot load {source}"
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        raise SnapshotError(f"{prefix}: it is not a dstutor snapshot (not valid JSON)") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SnapshotError(f"{prefix}: it is not a dstutor snapshot (made with `save FILE`)")
    if doc.get("formatVersion") != FORMAT_VERSION:
        raise SnapshotError(f"{prefix}: snapshot format {doc.get('formatVersion')!r} is not "
                            f"supported (this dstutor reads {FORMAT_VERSION})")
    try:
        cluster = sim_snapshot.import_state(doc.get("state"),
                                            clock=Clock(mode="manual", speed=speed))
        _check(cluster)
    except sim_snapshot.SnapshotError as exc:
        detail = str(exc).removeprefix("error: ")
        raise SnapshotError(f"{prefix}: {detail}") from None
    except RecursionError:
        raise SnapshotError(f"{prefix}: the snapshot is damaged (nested too deeply)") from None
    except Exception as exc:  # untrusted data can break the simulator in any way
        saved_by = doc.get("dstutorVersion")
        note = f"; it was saved by dstutor {saved_by}" if saved_by != __version__ else ""
        raise SnapshotError(f"{prefix}: the snapshot is damaged "
                            f"({type(exc).__name__}{note})") from None
    cluster.clock.mode = mode
    cluster.clock.rebase()  # wall-clock bases from another process mean nothing here
    return cluster


def load_file(path: str | Path, *, mode: str = "manual", speed: float = 1.0) -> Cluster:
    try:
        data = yamlio.read_bytes(path, MAX_BYTES)
    except yamlio.TooLarge:
        raise SnapshotError(f"error: cannot load {path}: larger than {MAX_BYTES >> 20} MB"
                            ) from None
    except OSError as exc:
        raise SnapshotError(f"error: cannot load {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SnapshotError(f"error: cannot load {path}: it is not a dstutor snapshot "
                            "(not UTF-8 text)") from None
    return loads(text, source=str(path), mode=mode, speed=speed)
