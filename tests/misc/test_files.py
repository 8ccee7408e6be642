"""dstutor.files: the one data dir, the one atomic write, the one hash helper."""

import hashlib
import os
from pathlib import Path

import pytest
from suite_speed import FLUSHED, REAL_FSYNC

from dstutor import files
from dstutor.lessons.progress import ProgressStore
from dstutor.shell import prompt


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home directory of the test's own, and a working directory apart from it."""
    user = tmp_path / "user"
    user.mkdir()
    monkeypatch.setenv("HOME", str(user))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return user


def test_dstutor_home_with_a_tilde_is_in_the_home_directory(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSTUTOR_HOME", "~/x")
    assert files.data_dir() == home / "x"


def test_progress_with_a_tilde_home_goes_to_the_home_directory(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # It used to go to a folder literally named `~` in the current directory.
    monkeypatch.setenv("DSTUTOR_HOME", "~/x")
    store = ProgressStore()
    store.get("taints").current_step = "a"
    store.save()
    assert (home / "x" / "progress.json").is_file()
    assert not (Path.cwd() / "~").exists()


def test_shell_history_and_progress_share_the_data_dir(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSTUTOR_HOME", "~/x")
    assert prompt.data_dir() == ProgressStore().path.parent == home / "x"


def test_a_plain_dstutor_home_is_taken_as_it_is(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DSTUTOR_HOME", str(tmp_path / "h"))
    assert files.data_dir() == tmp_path / "h"


def test_without_dstutor_home_the_platform_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DSTUTOR_HOME", raising=False)
    import platformdirs

    assert files.data_dir() == Path(platformdirs.user_data_dir("dstutor", appauthor=False))


def test_atomic_write_replaces_the_file_and_leaves_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_text("old")
    files.atomic_write(target, "new")
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_atomic_write_flushes_the_new_file_then_its_folder(tmp_path: Path) -> None:
    # The suite's fsync stand-in (tests/suite_speed.py) notes what it was asked to flush.
    target = tmp_path / "f.json"
    target.write_text("old")
    FLUSHED.clear()
    files.atomic_write(target, "new")
    assert [(s.st_ino, os.path.stat.S_ISDIR(s.st_mode)) for s in FLUSHED] == [
        (target.stat().st_ino, False), (tmp_path.stat().st_ino, True)]
    with pytest.raises(OSError):  # a bad descriptor fails as the real fsync fails
        os.fsync(-1)


def test_atomic_write_with_the_real_fsync(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "fsync", REAL_FSYNC)
    target = tmp_path / "f.json"
    files.atomic_write(target, "on disk")
    assert target.read_text() == "on disk"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_atomic_write_makes_folders_only_when_asked(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "f.json"
    with pytest.raises(FileNotFoundError):
        files.atomic_write(target, "x")
    files.atomic_write(target, "x", make_dirs=True)
    assert target.read_text() == "x"


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        files.atomic_write(target, "\udcff")  # a lone surrogate cannot be written as UTF-8
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]


def test_stale_temps_of_dead_writers_go_and_live_ones_stay(tmp_path: Path) -> None:
    target = tmp_path / "f.json"
    dead = tmp_path / f".f.json.{2**22 + 12345}.abc.tmp"  # above pid_max: no such process
    mine = tmp_path / f".f.json.{os.getpid()}.abc.tmp"
    old = tmp_path / ".f.json.k9xq2z.tmp"
    young = tmp_path / ".f.json.abcdef.tmp"
    for p in (dead, mine, old, young):
        p.write_text("x")
    os.utime(old, (1, 1))
    os.utime(young, (95, 95))
    assert sorted(files.clean_stale_temps(target, now=100.0, max_age=10)) == sorted([dead, old])
    assert mine.exists() and young.exists()


@pytest.mark.parametrize("data", ["", "abc", "ünïcode", b"\x00\xff"])
def test_sha256_hex(data: str | bytes) -> None:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    assert files.sha256_hex(data) == hashlib.sha256(raw).hexdigest()
