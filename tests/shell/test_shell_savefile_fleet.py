"""Issue 19: `save` at fleet scale writes what `load` reads. A snapshot bigger than the
plain limit is written gzip-compressed (at 5,000 nodes x 10 DaemonSets the JSON is 339 MB,
over the 256 MB `load` reads; compressed, 26 MB), and loading a compressed one reads
at most MAX_JSON_BYTES of text: a small file cannot unpack into an unbounded one.

The limits are lowered here so that a small cluster crosses them. Saving and loading
no longer copy every object (export_state(copies=False), import_state(owned=True)),
which must change nothing but the time."""

from __future__ import annotations

import gzip
import json
import os
import zlib
from pathlib import Path

import pytest
from shell_helpers import NODE_LOGGER

from dstutor.files import atomic_write, atomic_writer
from dstutor.shell import savefile
from dstutor.shell.session import Session
from dstutor.sim import snapshot
from dstutor.sim.clusterfile import default_cluster


@pytest.fixture
def grown(session: Session) -> Session:
    """A cluster with pods, progress and Events to save."""
    session.handle_line(f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF")
    session.handle_line("advance 1s")  # pods half-way through their image pull
    return session


def _limits(monkeypatch: pytest.MonkeyPatch, plain: int, text: int) -> None:
    monkeypatch.setattr(savefile, "MAX_BYTES", plain)
    monkeypatch.setattr(savefile, "MAX_JSON_BYTES", text)


def test_a_snapshot_over_the_plain_limit_is_compressed_and_loads(
        grown: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = savefile.dumps(grown.cluster)
    _limits(monkeypatch, len(text) // 2, 4 * len(text))
    path = tmp_path / "big.json"
    savefile.save_file(grown.cluster, path)
    data = path.read_bytes()
    assert data.startswith(savefile.GZIP_MAGIC) and len(data) < len(text) // 4
    assert gzip.decompress(data).decode() == text  # (gzip -dc reads it)
    loaded = savefile.load_file(path)
    assert json.loads(savefile.dumps(loaded)) == json.loads(text)
    # The same cluster saved again: the same bytes (no time in the gzip header).
    again = tmp_path / "again.json"
    savefile.save_file(grown.cluster, again)
    assert again.read_bytes() == data


def test_a_snapshot_within_the_limit_stays_plain_json(grown: Session, tmp_path: Path) -> None:
    path = tmp_path / "small.json"
    savefile.save_file(grown.cluster, path)
    assert path.read_text().startswith('{"format":"dstutor/cluster-snapshot"')


def test_a_cluster_bigger_than_load_reads_is_not_saved(
        grown: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = savefile.dumps(grown.cluster)
    _limits(monkeypatch, len(text) // 4, len(text) // 2)
    path = tmp_path / "huge.json"
    path.write_text("the old file")
    with pytest.raises(savefile.SnapshotError) as refused:
        savefile.save_file(grown.cluster, path)
    assert str(refused.value) == (
        f"error: cannot save to {path}: the cluster is more than {(len(text) // 2) >> 20} MB "
        "of JSON, more than `load` reads")
    assert path.read_text() == "the old file"


def _compressed(text: bytes) -> bytes:
    return gzip.compress(text, mtime=0)


@pytest.mark.parametrize("damage, reason", [
    ("bomb", "larger than 0 MB uncompressed"),
    ("truncated", "it is not a dstutor snapshot (damaged gzip data)"),
    ("garbage inside", "it is not a dstutor snapshot (damaged gzip data)"),
    ("garbage after", "it is not a dstutor snapshot (damaged gzip data)"),
    ("two members", "it is not a dstutor snapshot (damaged gzip data)"),
    ("not utf-8", "it is not a dstutor snapshot (not UTF-8 text)"),
    ("not a snapshot", "it is not a dstutor snapshot (not valid JSON)"),
])
def test_a_compressed_file_is_read_within_its_limits(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str, reason: str) -> None:
    text = savefile.dumps(default_cluster()).encode()
    data = _compressed(text)
    if damage == "bomb":  # a few KB that unpack into 64 KB, over a 60 KB limit
        monkeypatch.setattr(savefile, "MAX_JSON_BYTES", 60 * 1024)
        data = _compressed(b" " * (64 * 1024))
    elif damage == "truncated":
        data = data[: len(data) // 2]
    elif damage == "garbage inside":
        data = data[:20] + bytes(b ^ 0xFF for b in data[20:40]) + data[40:]
    elif damage == "garbage after":
        data += b"and more"
    elif damage == "two members":
        data += _compressed(text)
    elif damage == "not utf-8":
        data = _compressed(b"\xff\xfe{}")
    else:
        data = _compressed(b"PK\x03\x04 not json")
    path = tmp_path / "snapshot.json"
    path.write_bytes(data)
    with pytest.raises(savefile.SnapshotError) as refused:
        savefile.load_file(path)
    assert str(refused.value) == f"error: cannot load {path}: {reason}"


def test_the_bomb_is_stopped_at_the_limit_not_after_unpacking(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """At most MAX_JSON_BYTES are ever unpacked: 64 MB of zeros (64 KB compressed)
    against a 1 MB limit."""
    monkeypatch.setattr(savefile, "MAX_JSON_BYTES", 1 << 20)
    pack = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    data = b"".join(pack.compress(block) for _ in range(64)) + pack.flush()
    path = tmp_path / "bomb.json"
    path.write_bytes(data)
    unpacked: list[int] = []
    real = zlib.decompressobj

    def counting(*args: object, **kwargs: object) -> object:
        unpack = real(*args, **kwargs)  # type: ignore[arg-type]

        class Counted:
            def __getattr__(self, name: str) -> object:
                return getattr(unpack, name)

            def decompress(self, chunk: bytes, limit: int = 0) -> bytes:
                out = unpack.decompress(chunk, limit)
                unpacked.append(len(out))
                return out

        return Counted()

    monkeypatch.setattr(savefile.zlib, "decompressobj", counting)
    with pytest.raises(savefile.SnapshotError, match="larger than 1 MB uncompressed"):
        savefile.load_file(path)
    assert sum(unpacked) <= 1 << 20


def test_export_without_copies_writes_the_same_snapshot(grown: Session) -> None:
    cluster = grown.cluster
    cluster.settle()
    copied, live = snapshot.export_state(cluster), snapshot.export_state(cluster, copies=False)
    assert not isinstance(live["objects"], list)  # made one by one as they are read
    live["objects"] = list(live["objects"])
    assert json.dumps(copied) == json.dumps(live)
    stored = {id(o) for kind in ("Pod", "Node", "DaemonSet") for o in cluster.store.list(kind)}
    assert {id(o) for o in live["objects"]} & stored == stored  # the stored ones themselves
    assert not {id(o) for o in copied["objects"]} & stored  # copies


def test_an_owned_import_stores_the_objects_as_they_are_and_restores_the_same(
        grown: Session) -> None:
    text = savefile.dumps(grown.cluster)
    plain = snapshot.import_state(json.loads(text)["state"])
    data = json.loads(text)["state"]
    objects = list(data["objects"])
    owned = snapshot.import_state(data, owned=True)
    assert json.dumps(snapshot.export_state(owned)) == json.dumps(snapshot.export_state(plain))
    # resourceVersions as saved (read before the store writes its own into the object)
    saved = {(o["kind"], o["metadata"]["name"]): o["metadata"]["resourceVersion"]
             for o in json.loads(text)["state"]["objects"] if not snapshot.is_row(o)}
    for obj in owned.store.list("Pod"):
        assert obj["metadata"]["resourceVersion"] == saved[("Pod", obj["metadata"]["name"])]
    pods = {id(o) for o in objects if o["kind"] == "Pod"}
    assert pods == {id(o) for o in owned.store.list("Pod")}  # not copied


def test_saving_and_loading_run_no_collection(grown: Session, collections: list[int],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """No collection starts while the document is made and written, nor while it is
    parsed and made a cluster (the steps that make hundreds of thousands of objects)."""
    during: dict[str, list[int]] = {}

    def watched(name: str, step):  # noqa: ANN001, ANN202
        def run(*args: object, **kwargs: object) -> object:
            before = len(collections)
            out = step(*args, **kwargs)
            during.setdefault(name, []).append(len(collections) - before)
            return out
        return run

    monkeypatch.setattr(savefile.sim_snapshot, "export_state",
                        watched("export", snapshot.export_state))
    monkeypatch.setattr(savefile.sim_snapshot, "import_state",
                        watched("import", snapshot.import_state))
    monkeypatch.setattr(savefile.json, "dumps", watched("dumps", json.dumps))
    monkeypatch.setattr(savefile.json, "loads", watched("loads", json.loads))
    text = savefile.dumps(grown.cluster)
    savefile.loads(text)
    # (json's functions are the module's, which the import's checks call too.)
    assert sorted(during) == ["dumps", "export", "import", "loads"]
    assert all(counts and not any(counts) for counts in during.values()), during
    # The control: the same parse with the collector on sets off collections.
    before = len(collections)
    json.loads(text)
    assert len(collections) > before


def test_the_pieces_are_the_one_shot_text(grown: Session,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Written a batch of objects at a time, the snapshot is byte for byte what json.dumps
    of the whole document writes, whatever the batch size."""
    cluster = grown.cluster
    cluster.settle()
    doc = {"format": savefile.FORMAT, "formatVersion": savefile.FORMAT_VERSION,
           "dstutorVersion": savefile.__version__, "virtualTime": cluster.now(),
           "state": snapshot.export_state(cluster, event_rows=True)}
    whole = json.dumps(doc, separators=(",", ":"), allow_nan=False)
    assert any(snapshot.is_row(o) for o in doc["state"]["objects"])  # (rows among them)
    count = len(doc["state"]["objects"])
    for batch in (1, 2, 7, count - 1, count, count + 1, 1000):
        monkeypatch.setattr(savefile, "_BATCH", batch)
        assert savefile.dumps(cluster) == whole, batch


def test_atomic_writer_replaces_the_file_or_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "x.bin"
    path.write_bytes(b"old")
    with atomic_writer(path) as fd:
        os.write(fd, b"\x1f\x8b")
        os.write(fd, b"\r\n\x00")
    assert path.read_bytes() == b"\x1f\x8b\r\n\x00"
    with pytest.raises(KeyboardInterrupt), atomic_writer(path) as fd:
        os.write(fd, b"half")
        raise KeyboardInterrupt
    assert path.read_bytes() == b"\x1f\x8b\r\n\x00"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.bin"]
    atomic_write(path, "text\n")
    assert path.read_text() == "text\n"
