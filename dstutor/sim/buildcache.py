"""Settled clusters kept on disk, so that a big cluster is built once, not at every start.

`dstutor shell --cluster big.yaml` at 5,000 nodes x 10 DaemonSets spends seconds settling
50,000 pods and 250,000 Events, and the same file, seed and dstutor give the same cluster
every time (the build runs on a stopped clock: clusterfile.build_cluster). So the shell
keeps what it built, as the undo keeps a step (pickled bytes), and the next start with the
same inputs loads it instead: the same objects, the same state, in a fraction of the time.

What a kept cluster is keyed by (`build_key`): dstutor's own source (every .py file under
the package, so any change of code builds afresh), the Python version, and the pickled
inputs (the parsed cluster file, the -f manifests, the seed, the clock's start and speed).
Inputs that pickle differently only miss; they can never load another cluster.

Trust: a kept file is loaded only from the user's own cache folder, only if the user owns
it and nobody else may write it or its folder, and only if its digest matches; anything
else (a truncated or foreign file) is a miss and is removed. Writing never delays the
shell: a detached child process pickles and writes (os.fork; where there is no fork, or
other threads run, nothing is kept). A failed write (a full disk) loses nothing but time.
`DSTUTOR_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

import dstutor
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster

# Smaller clusters build in well under a second: not worth a file.
MIN_PODS = 2000
# How many clusters are kept (the oldest written goes first), and their size in all.
MAX_ENTRIES = 4
MAX_BYTES = 1 << 30
# A temporary file this old is a write that was killed.
STALE_TEMP_SECONDS = 3600.0
MAGIC = b"dstutor-cluster-1\n"
SUFFIX = ".cluster"
_DIGEST_SIZE = 32

_source_digest: str | None = None


def disabled() -> bool:
    return os.environ.get("DSTUTOR_NO_CACHE", "") not in ("", "0")


def source_digest(root: Path | None = None) -> str:
    """A digest of dstutor's own source: a kept cluster is only valid for the code that
    built it. Computed once per process (a few milliseconds)."""
    global _source_digest
    if _source_digest is not None and root is None:
        return _source_digest
    base = root or Path(dstutor.__file__).resolve().parent
    h = hashlib.blake2b(digest_size=_DIGEST_SIZE)
    h.update(dstutor.__version__.encode())
    files = sorted(base.rglob("*.py"))
    for path in files:
        h.update(str(path.relative_to(base)).encode("utf-8", "surrogateescape") + b"\0")
        h.update(path.read_bytes() + b"\0")
    # No source to read (a zipped install): no digest, so nothing is kept.
    digest = h.hexdigest() if files else ""
    if root is None:
        _source_digest = digest
    return digest


def build_key(inputs: Any, *, code: str | None = None) -> str | None:
    """The name a cluster built from `inputs` (plain, picklable data) is kept under;
    None when the inputs do not pickle (then nothing is kept)."""
    code = source_digest() if code is None else code
    if not code:
        return None
    try:
        data = pickle.dumps(inputs, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None
    h = hashlib.blake2b(digest_size=_DIGEST_SIZE)
    for part in code.encode(), sys.version.encode(), data:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _private(path: Path) -> bool:
    """Whether only this user could have written `path` (POSIX; elsewhere, trusted as
    any other file in the user's profile)."""
    if not hasattr(os, "getuid"):
        return True
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class _ClockOut(pickle.Pickler):
    """Pickles a cluster without its clock: the clock is the caller's (its reading is
    kept beside the cluster), so a loaded cluster runs on the clock its caller made."""

    def __init__(self, file: BinaryIO, clock: Clock) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.clock = clock

    def persistent_id(self, obj: Any) -> str | None:  # noqa: D102 - pickle's hook
        return "clock" if obj is self.clock else None


class _ClockIn(pickle.Unpickler):
    def __init__(self, file: BinaryIO, clock: Clock) -> None:
        super().__init__(file)
        self.clock = clock

    def persistent_load(self, pid: Any) -> Any:  # noqa: D102 - pickle's hook
        if pid != "clock":
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        return self.clock


def dump_off_clock(cluster: Cluster) -> bytes:
    """The cluster pickled without its clock, after the clock's reading: what
    `load_on_clock` puts on another clock (the suite's bring-up memo keeps clusters so)."""
    out = io.BytesIO()
    clock = cluster.clock
    _ClockOut(out, clock).dump((clock._now, clock._virtual_base, cluster))
    return out.getvalue()


def load_on_clock(fh: BinaryIO, clock: Clock) -> Cluster:
    """A cluster `dump_off_clock` wrote, running on `clock`, which moves to the reading
    the cluster's own clock had. Raises what unpickling raises, TypeError for other
    objects and ValueError for bytes after them; the clock moves only on success."""
    now, virtual_base, cluster = _ClockIn(fh, clock).load()
    if not isinstance(cluster, Cluster):
        raise TypeError(f"not a cluster: {type(cluster).__name__}")
    if fh.read(1):
        raise ValueError("bytes after the cluster")
    clock._now, clock._virtual_base = float(now), float(virtual_base)
    return cluster


def encode(cluster: Cluster) -> bytes:
    """A kept file's bytes: the magic line, the payload's digest, and the payload
    (`dump_off_clock`)."""
    payload = dump_off_clock(cluster)
    return MAGIC + hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest() + payload


def read(fh: BinaryIO, clock: Clock) -> Cluster | None:
    """The cluster in a kept file, on `clock` (moved to the reading the build left), or
    None for anything else. The file is read twice (the digest, then the objects) rather
    than held whole: 60 MB at 50,000 pods."""
    if fh.read(len(MAGIC)) != MAGIC:
        return None
    expected = fh.read(_DIGEST_SIZE)
    start = fh.tell()
    h = hashlib.blake2b(digest_size=_DIGEST_SIZE)
    while chunk := fh.read(1 << 20):
        h.update(chunk)
    if h.digest() != expected or fh.tell() == start:
        return None
    fh.seek(start)
    try:
        return load_on_clock(fh, clock)
    except Exception:  # noqa: BLE001 (a file from another build of the code: a miss)
        return None


class BuildCache:
    """Settled clusters in one folder, each `KEY.cluster`."""

    def __init__(self, folder: Path, *, min_pods: int | None = None,
                 max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                 background: bool = True) -> None:
        self.folder = folder
        self.min_pods = MIN_PODS if min_pods is None else min_pods
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        # False: write in this process, before store() returns (tests).
        self.background = background

    def path(self, key: str) -> Path:
        return self.folder / f"{key}{SUFFIX}"

    def load(self, key: str, clock: Clock) -> Cluster | None:
        """The cluster kept under `key`, running on `clock`; None when there is none."""
        path = self.path(key)
        try:
            if not (_private(self.folder) and _private(path)):
                return None
            with path.open("rb") as fh:
                cluster = read(fh, clock)
        except OSError:
            return None
        if cluster is None:
            with contextlib.suppress(OSError):
                path.unlink()
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: the last to go
        return cluster

    def worth_keeping(self, cluster: Cluster) -> bool:
        return cluster.store.count("Pod") >= self.min_pods

    def store(self, key: str, cluster: Cluster) -> bool:
        """Keep `cluster` under `key`; False when nothing will be written. In the
        background, the write happens in a detached child process, so the caller goes on
        at once and may change the cluster: the child has its own copy."""
        if not self.worth_keeping(cluster):
            return False
        if not self.background:
            self._write(key, cluster)
            return True
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return False  # forking a process with other threads running is not safe
        return _in_detached_child(lambda: self._write(key, cluster))

    def _write(self, key: str, cluster: Cluster) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            if not _private(self.folder):
                return
            data = encode(cluster)
            self._make_room(len(data))
            tmp = self.folder / f".{key}.{os.getpid()}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, self.path(key))
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp.unlink()
                raise
        except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return  # nothing kept: the next start builds again

    def _make_room(self, size: int) -> None:
        """Remove the least recently used kept clusters (and killed writes) until one
        more of `size` bytes fits."""
        now = time.time()
        kept: list[tuple[float, int, Path]] = []
        for path in self._entries():
            with contextlib.suppress(OSError):
                info = path.stat()
                if path.suffix == ".tmp":
                    if now - info.st_mtime > STALE_TEMP_SECONDS:
                        path.unlink()
                    continue
                kept.append((info.st_mtime, info.st_size, path))
        kept.sort()
        total = sum(size for _, size, _ in kept) + size
        while kept and (len(kept) >= self.max_entries or total > self.max_bytes):
            _, old, path = kept.pop(0)
            total -= old
            with contextlib.suppress(OSError):
                path.unlink()

    def _entries(self) -> Iterable[Path]:
        try:
            return [p for p in self.folder.iterdir()
                    if p.suffix == SUFFIX or (p.name.startswith(".") and p.suffix == ".tmp")]
        except OSError:
            return []


def _in_detached_child(work: Callable[[], None]) -> bool:
    """Run `work` in a grandchild process that outlives nothing of ours: its own session
    (a Ctrl-C at the shell does not reach it), no output, no exit handlers."""
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)  # the child only forks again and leaves at once
        return True
    try:  # the child
        os.setsid()
        if os.fork() == 0:  # the grandchild
            try:
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                work()
            finally:
                os._exit(0)
    finally:
        os._exit(0)
