"""`save` / `load` / `--state`: the whole simulated cluster as a JSON data file.

A saved file may come from anyone, so loading it must not be able to run code: the
file holds only data (every object plus what the components remember outside the
store, see dstutor.sim.snapshot), and loading builds dicts and a fresh Cluster from it.
The loaded cluster is run once as a check, so damage shows up here, with one line, and
the current cluster is left as it was.

A snapshot is JSON text, written as it is up to COMPRESS_FROM; a bigger one (a fleet of
thousands of nodes: 240 MB of JSON at 5,000 nodes x 10 DaemonSets with their Events) is
written gzip-compressed (about a tenth of it), so that what `save` writes, `load` reads
(at most MAX_BYTES of file) and a fleet's save does not take a quarter of a gigabyte.
Loading reads at most MAX_BYTES from the file and, compressed, at most MAX_JSON_BYTES of
text from it: a small file cannot unpack into an unbounded one.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from dstutor import __version__, yamlio
from dstutor.errors import DstutorError
from dstutor.files import atomic_writer, clean_stale_temps
from dstutor.sim import snapshot as sim_snapshot
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.eventstore import is_record
from dstutor.sim.thaw import collector_paused

FORMAT = "dstutor/cluster-snapshot"
# 3: an Event still kept as a record may be written as its row (sim/eventrows.py), which
# a dstutor that reads only 2 would refuse; this one reads both.
FORMAT_VERSION = 3
READS_VERSIONS = (2, 3)
MAX_BYTES = 256 * 1024 * 1024
# A compressed snapshot's text, at most: about 7,500 nodes x 10 DaemonSets with Events.
MAX_JSON_BYTES = 512 * 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class SnapshotError(DstutorError):
    """A snapshot that cannot be written or read."""


def dumps(cluster: Cluster) -> str:
    cluster.settle()
    with collector_paused():  # (see save_file)
        return "".join(_pieces(cluster))


# The snapshot's objects are encoded this many at a time (one call of json's C encoder).
_BATCH = 1000
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False)
# What save_file keeps in memory of a snapshot's text before it goes to disk.
_SPOOL_BYTES = 16 * 1024 * 1024
# The text written as it is, at most (a cluster of a few hundred nodes): a bigger one is
# compressed. (The text it kept aside until then fits the spool's memory.)
COMPRESS_FROM = _SPOOL_BYTES


def _pieces(cluster: Cluster) -> Iterator[str]:
    """The snapshot's JSON text in pieces: json.dumps(document, separators=(",", ":"),
    allow_nan=False) exactly, written a batch of objects at a time, so that neither the
    whole text nor every object's dict is ever held at once (at 5,000 nodes the text is
    339 MB, and its Events are made dicts for it: sim/snapshot.py, copies=False)."""
    encode = _ENCODER.encode
    head = {"format": FORMAT, "formatVersion": FORMAT_VERSION, "dstutorVersion": __version__,
            "virtualTime": cluster.now()}
    yield encode(head)[:-1] + ',"state":{'
    comma = ""
    for key, value in sim_snapshot.export_state(cluster, copies=False,
                                                event_rows=True).items():
        if key != "objects":
            yield f"{comma}{encode(key)}:{encode(value)}"
        else:
            yield f"{comma}{encode(key)}:["
            batch: list[object] = []
            inner = ""
            for obj in value:
                batch.append(obj)
                if len(batch) == _BATCH:
                    yield inner + encode(batch)[1:-1]
                    batch, inner = [], ","
            if batch:
                yield inner + encode(batch)[1:-1]
            yield "]"
        comma = ","
    yield "}}"


def save_file(cluster: Cluster, path: str | Path) -> None:
    """Write atomically: a crash mid-write never leaves a half-written snapshot behind.
    The collector is paused meanwhile: the document's pieces are many new objects."""
    target = Path(path)
    clean_stale_temps(target)
    cluster.settle()
    try:
        with collector_paused(), atomic_writer(target) as fd:
            _write(_pieces(cluster), fd, path)
    except OSError as exc:
        raise SnapshotError(f"error: cannot save to {path}: {exc.strerror or exc}") from None


def _write(pieces: Iterator[str], fd: int, path: str | Path) -> None:
    """The text to `fd`: as it is if it fits COMPRESS_FROM (and MAX_BYTES), else
    gzip-compressed. Until it is known which, it is kept aside (in memory, then on disk
    beside the target)."""
    size = 0
    with os.fdopen(os.dup(fd), "wb") as out, tempfile.SpooledTemporaryFile(
            max_size=_SPOOL_BYTES, dir=str(Path(path).parent)) as spool:
        sink: gzip.GzipFile | tempfile.SpooledTemporaryFile[bytes] = spool
        try:
            for piece in pieces:
                data = piece.encode("utf-8")
                size += len(data)
                if size > MAX_JSON_BYTES:
                    raise SnapshotError(
                        f"error: cannot save to {path}: the cluster is more than "
                        f"{MAX_JSON_BYTES >> 20} MB of JSON, more than `load` reads")
                if sink is spool and size > min(COMPRESS_FROM, MAX_BYTES):
                    # (Level 1: 339 MB in about 2 s, to a tenth; mtime 0 and no file
                    # name: the same cluster, the same bytes.)
                    sink = gzip.GzipFile(filename="", mode="wb", fileobj=out,
                                         compresslevel=1, mtime=0)
                    spool.seek(0)
                    shutil.copyfileobj(spool, sink, _SPOOL_BYTES)
                    spool.truncate(0)
                sink.write(data)
            if sink is spool:
                spool.seek(0)
                shutil.copyfileobj(spool, out, _SPOOL_BYTES)
        finally:
            if sink is not spool:
                sink.close()  # (its trailer; on a failure, into a file that is dropped)


def _check(cluster: Cluster) -> None:
    """Run the loaded cluster once: broken data shows up here, not at the next command."""
    for kind in ("Namespace", "Node", "Pod", "DaemonSet", "ControllerRevision"):
        for obj in cluster.list_live(kind):  # (read only: no copies)
            if not isinstance(obj.get("metadata", {}).get("name"), str):
                raise ValueError(f"a {kind} has no name")
    # The Events as they are kept: one still a record (loaded from its row, its fields
    # checked) is not made a dict for this (250,000 of them at 5,000 nodes).
    for entry in cluster.store.event_entries():
        if not is_record(entry) and not isinstance(
                entry.get("metadata", {}).get("name"), str):  # type: ignore[union-attr]
            raise ValueError("an Event has no name")
    cluster.advance(0)


def loads(text: str, *, source: str = "snapshot", mode: str = "manual",
          speed: float = 1.0) -> Cluster:
    """The cluster in `text`, running on a clock in `mode`; SnapshotError if it is not one."""
    # A big snapshot is millions of new objects and no garbage: the collector would walk
    # them again and again (sim/thaw.py). What was made then goes to the oldest generation.
    with collector_paused(promote=True):
        return _built(_parsed(text, source), source, mode, speed)


def _parsed(text: str, source: str) -> Any:
    """The parsed document. (Its text is freed once this returns, where the caller
    holds it no longer: load_file. At 5,000 nodes that is 240 MB not held while the
    cluster is built.)"""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise SnapshotError(f"error: cannot load {source}: it is not a dstutor snapshot "
                            "(not valid JSON)") from None


def _built(doc: Any, source: str, mode: str, speed: float) -> Cluster:
    prefix = f"error: cannot load {source}"
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise SnapshotError(f"{prefix}: it is not a dstutor snapshot (made with `save FILE`)")
    version = doc.get("formatVersion")
    if version not in READS_VERSIONS:
        raise SnapshotError(f"{prefix}: snapshot format {version!r} is not supported (this "
                            f"dstutor reads {' and '.join(map(str, READS_VERSIONS))})")
    try:
        # The document was just parsed and is held by nothing else: its objects are
        # stored as they are.
        cluster = sim_snapshot.import_state(doc.get("state"), owned=True,
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
    """The cluster in the file (see loads). Neither the file's bytes nor its text is held
    while the next step runs (at 5,000 nodes: 24 MB, 240 MB unpacked, 240 MB of text)."""
    with collector_paused(promote=True):  # (see loads)
        return _built(_parsed(_text_of(path), str(path)), str(path), mode, speed)


def _text_of(path: str | Path) -> str:
    """The snapshot file's text, unpacked if it is compressed."""
    try:
        data = yamlio.read_bytes(path, MAX_BYTES)
    except yamlio.TooLarge:
        raise SnapshotError(f"error: cannot load {path}: larger than {MAX_BYTES >> 20} MB"
                            ) from None
    except OSError as exc:
        raise SnapshotError(f"error: cannot load {path}: {exc.strerror or exc}") from None
    if data.startswith(GZIP_MAGIC):
        data = _gunzip(data, path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SnapshotError(f"error: cannot load {path}: it is not a dstutor snapshot "
                            "(not UTF-8 text)") from None
    del data  # (hundreds of MB at fleet scale: not held while the text is parsed)
    return text


def _gunzip(data: bytes, path: str | Path) -> bytes:
    """A compressed snapshot's text, at most MAX_JSON_BYTES of it (one gzip member)."""
    unpack = zlib.decompressobj(wbits=31)  # (31: gzip's header and trailer)
    try:
        text = unpack.decompress(data, MAX_JSON_BYTES)
        whole = unpack.eof
    except zlib.error:
        raise SnapshotError(f"error: cannot load {path}: it is not a dstutor snapshot "
                            "(damaged gzip data)") from None
    if unpack.unconsumed_tail:
        raise SnapshotError(f"error: cannot load {path}: larger than "
                            f"{MAX_JSON_BYTES >> 20} MB uncompressed") from None
    if not whole or unpack.unused_data:
        raise SnapshotError(f"error: cannot load {path}: it is not a dstutor snapshot "
                            "(damaged gzip data)") from None
    return text
