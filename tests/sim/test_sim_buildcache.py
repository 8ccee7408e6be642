"""Settled clusters kept on disk (dstutor/sim/buildcache.py): a kept cluster is the fresh
build in everything it holds and does next; any change of input or code builds afresh;
a damaged or foreign file is a miss; writing never stops the caller and never fails it."""

from __future__ import annotations

import copy
import os
import pickle
import time
from pathlib import Path
from typing import Any

import pytest
from test_sim_cluster_memo import CASES, SCENARIO, _seen, _step

from dstutor.sim import buildcache, clusterfile
from dstutor.sim.buildcache import MAGIC, BuildCache, build_key, source_digest
from dstutor.sim.clock import Clock
from dstutor.sim.clusterfile import build_cluster, default_spec


def _cache(folder: Path, **kw: Any) -> BuildCache:
    kw.setdefault("min_pods", 0)
    kw.setdefault("background", False)
    return BuildCache(folder, **kw)


def _no_builds(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("built instead of loaded")
    monkeypatch.setattr(clusterfile, "_build", refuse)


def _kept(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.cluster"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_kept_cluster_is_the_fresh_build_and_carries_on_the_same(
        name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_spec, kwargs, make_clock = CASES[name]
    clocks = [(make_clock or Clock)() for _ in range(3)]
    fresh = build_cluster(make_spec(), clock=clocks[0], **copy.deepcopy(kwargs))
    cache = _cache(tmp_path)
    first = build_cluster(make_spec(), clock=clocks[1], cache=cache, **copy.deepcopy(kwargs))
    assert len(_kept(tmp_path)) == 1
    _no_builds(monkeypatch)
    loaded = build_cluster(make_spec(), clock=clocks[2], cache=cache, **copy.deepcopy(kwargs))
    assert loaded.clock is clocks[2] and clocks[2].now() == clocks[0].now()
    assert _seen(loaded) == _seen(fresh) == _seen(first)
    for line in SCENARIO:
        for cluster in (fresh, loaded):
            _step(cluster, line)
        assert _seen(loaded) == _seen(fresh), line


def test_a_live_clock_follows_wall_time_from_the_end_of_the_load(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch
                                                                 ) -> None:
    cache = _cache(tmp_path)
    built = build_cluster(default_spec(1), clock=Clock(mode="live", speed=1.0), cache=cache)
    wall = [100.0]
    clock = Clock(mode="live", speed=2.0, wall=lambda: wall[0])
    assert build_key(1) is not None  # (a key for plain inputs)
    # another speed is another key: nothing kept yet for it
    assert build_cluster(default_spec(1), clock=clock, cache=cache).clock is clock
    _no_builds(monkeypatch)
    again = Clock(mode="live", speed=2.0, wall=lambda: wall[0])
    loaded = build_cluster(default_spec(1), clock=again, cache=cache)
    assert loaded.clock is again and again.mode == "live"
    assert again.now() == built.clock.now()
    wall[0] += 5
    assert again.target() == pytest.approx(again.now() + 10)


def test_every_input_and_the_code_are_in_the_key() -> None:
    spec = default_spec(2)
    base = ("build_cluster", spec, 0, 1.0, 1.0, None)
    key = build_key(base)
    assert key is not None and key == build_key(copy.deepcopy(base))
    changed = [("build_cluster", default_spec(3), 0, 1.0, 1.0, None),
               ("build_cluster", spec, 1, 1.0, 1.0, None),
               ("build_cluster", spec, 0, 2.0, 1.0, None),
               ("build_cluster", spec, 0, 1.0, 2.0, None),
               ("build_cluster", spec, 0, 1.0, 1.0, [{"kind": "DaemonSet"}])]
    keys = {build_key(inputs) for inputs in changed}
    assert len(keys) == len(changed) and key not in keys
    assert build_key(base, code="another dstutor") != key
    assert build_key((lambda: 0,)) is None  # inputs that do not pickle: nothing kept


def test_the_source_digest_follows_any_file(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.py").write_text("y = 2\n")
    first = source_digest(tmp_path)
    assert source_digest(tmp_path) == first
    (tmp_path / "sub" / "b.py").write_text("y = 3\n")
    assert source_digest(tmp_path) != first
    assert len(source_digest()) == 64  # this dstutor's own, once per process


def _one_kept(tmp_path: Path) -> tuple[BuildCache, str, Path]:
    cache = _cache(tmp_path)
    key = build_key(("test", 1))
    assert key is not None
    cache.store(key, build_cluster(default_spec(1)))
    return cache, key, cache.path(key)


def _flip_last_byte(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1])


def _rot_a_name(data: bytes) -> bytes:
    """A flipped bit that still unpickles: only the digest can tell."""
    at = data.index(b"kube-system", len(MAGIC) + 32)
    return data[:at] + b"kube-systen" + data[at + len(b"kube-system"):]


@pytest.mark.parametrize("damage", [
    _rot_a_name,                                            # bit rot inside a string
    _flip_last_byte,                                        # bit rot at the end
    lambda data: data[:-100],                               # a write cut short
    lambda data: b"not a kept cluster" + data[len(MAGIC):],  # another file
    lambda data: data[:len(MAGIC) + 32],                    # only the head
    lambda data: b"",
])
def test_a_damaged_file_is_a_miss_and_goes(damage: Any, tmp_path: Path) -> None:
    cache, key, path = _one_kept(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    assert cache.load(key, Clock()) is None
    assert not path.exists()


def test_a_digest_that_matches_something_else_than_a_cluster_is_a_miss(tmp_path: Path) -> None:
    import hashlib

    cache, key, path = _one_kept(tmp_path)
    payload = pickle.dumps((1.0, 1.0, {"not": "a cluster"}))
    path.write_bytes(MAGIC + hashlib.blake2b(payload, digest_size=32).digest() + payload)
    assert cache.load(key, Clock()) is None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_file_others_could_write_is_never_loaded(where: str, tmp_path: Path) -> None:
    cache, key, path = _one_kept(tmp_path)
    assert cache.load(key, Clock()) is not None
    target = path if where == "file" else tmp_path
    target.chmod(target.stat().st_mode | 0o022)
    assert cache.load(key, Clock()) is None


def test_kept_files_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "new" / "cache"
    cache = _cache(folder)
    key = build_key(("private",))
    assert key is not None
    cache.store(key, build_cluster(default_spec(1)))
    if hasattr(os, "getuid"):
        assert folder.stat().st_mode & 0o077 == 0
        assert cache.path(key).stat().st_mode & 0o077 == 0


def test_a_small_cluster_is_not_worth_a_file(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path, background=False)  # the product's threshold
    assert cache.min_pods == buildcache.MIN_PODS > 100
    assert cache.store("k", build_cluster(default_spec(3))) is False
    assert _kept(tmp_path) == []


def test_a_small_spec_does_not_even_read_the_code(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A shell start with a small cluster pays nothing for the cache: no digest of the
    source (16 ms), no file."""
    def refuse(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("digested the code for a small cluster")
    monkeypatch.setattr(buildcache, "source_digest", refuse)
    cluster = build_cluster(default_spec(3), cache=BuildCache(tmp_path, background=False))
    assert cluster.store.count("Pod") > 0 and _kept(tmp_path) == []


def test_without_source_to_digest_nothing_is_kept(tmp_path: Path) -> None:
    assert source_digest(tmp_path) == ""  # an empty folder: as a zipped install reads
    assert build_key(("inputs",), code="") is None
    (tmp_path / "x.py").write_text("")
    assert source_digest(tmp_path) != ""


def test_the_least_recently_used_go_first(tmp_path: Path) -> None:
    cache = _cache(tmp_path, max_entries=2)
    cluster = build_cluster(default_spec(1))
    for i, key in enumerate(("a", "b")):
        cache.store(key, cluster)
        os.utime(cache.path(key), (1000.0 + i, 1000.0 + i))
    assert cache.load("a", Clock()) is not None  # used: now the newest
    stale = tmp_path / ".x.123.tmp"
    fresh = tmp_path / ".y.456.tmp"
    for tmp in (stale, fresh):
        tmp.write_bytes(b"half")
    os.utime(stale, (1.0, 1.0))
    cache.store("c", cluster)
    assert [p.stem for p in _kept(tmp_path)] == ["a", "c"]
    assert not stale.exists() and fresh.exists()  # a killed write goes, a running one stays
    small = _cache(tmp_path / "small", max_bytes=1)
    small.store("only", cluster)  # too big for the room: the older ones go, it stays
    assert [p.stem for p in _kept(tmp_path / "small")] == ["only"]


def test_a_failed_write_loses_nothing(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder would be")
    cache = _cache(blocked / "cache")
    cluster = build_cluster(default_spec(1))
    before = _seen(cluster)
    assert cache.store("k", cluster) is True  # tried; nothing written, nothing raised
    assert cache.load("k", Clock()) is None
    assert _seen(cluster) == before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork here: nothing is kept")
def test_the_write_happens_in_a_detached_child(tmp_path: Path) -> None:
    cache = _cache(tmp_path, background=True)
    clock = Clock()
    cluster = build_cluster(default_spec(1), clock=clock)
    expected = _seen(build_cluster(default_spec(1)))
    assert cache.store("k", cluster) is True
    cluster.add_node("after-the-fork")  # the child pickled the cluster as it was
    cluster.advance(30)
    deadline = time.monotonic() + 60
    while not cache.path("k").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    loaded = cache.load("k", Clock())
    assert loaded is not None and _seen(loaded) == expected


def test_the_shell_keeps_a_big_cluster_and_starts_from_it(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """`dstutor shell --nodes N`: the first start builds and keeps the cluster, the next
    loads it; DSTUTOR_NO_CACHE=1 keeps nothing."""
    from dstutor.files import cache_dir
    from dstutor.shell.startup import ShellOptions, cluster_factory

    monkeypatch.setattr(buildcache, "MIN_PODS", 0)
    opts = ShellOptions(nodes=4, seed=7)
    monkeypatch.setenv("DSTUTOR_NO_CACHE", "1")
    cluster_factory(opts, "manual", [])()
    assert not cache_dir().exists()
    monkeypatch.delenv("DSTUTOR_NO_CACHE")
    first = cluster_factory(opts, "manual", [])()
    deadline = time.monotonic() + 60
    while not list(cache_dir().glob("*.cluster")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(list(cache_dir().glob("*.cluster"))) == 1
    _no_builds(monkeypatch)
    factory = cluster_factory(opts, "manual", [])
    assert _seen(factory()) == _seen(first)
    assert _seen(factory()) == _seen(first)  # `reset` loads it again
