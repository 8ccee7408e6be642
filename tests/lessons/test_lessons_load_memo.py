"""The suite's lesson-load memo (tests/suite_speed.py) gives what load_lesson gives.

A shipped lesson file is loaded once per path as given; later callers get a fresh copy,
after the file and every file its setup names were found unchanged. Here: every shipped
lesson's copy equals a fresh load, no caller can change another's copy, a changed
lesson, cluster file or manifest is loaded again (errors included), and files outside
the shipped course always go to the real loader.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
import suite_speed
from lesson_paths import COURSE
from suite_speed import ORIGINAL_LOAD_LESSON, fresh_copy, memo_load_lesson

from dstutor.errors import LessonError
from dstutor.lessons.loader import lesson_files

FILES = lesson_files(COURSE)


def _as_data(value: Any) -> Any:
    """Everything a lesson holds, with types, as plain data (== on lessons compares
    mapping proxies by content, which is what this spells out)."""
    if isinstance(value, MappingProxyType | dict):
        return (type(value).__name__, {k: _as_data(v) for k, v in value.items()})
    if isinstance(value, tuple | list):
        return (type(value).__name__, [_as_data(v) for v in value])
    if dataclasses.is_dataclass(value):
        return (type(value).__name__, {f.name: _as_data(getattr(value, f.name))
                                       for f in dataclasses.fields(value)})
    return (type(value).__name__, value)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_memoised_lesson_is_the_fresh_load(path: Path) -> None:
    for given in (path, str(path)):
        first, second = memo_load_lesson(given), memo_load_lesson(given)
        fresh = ORIGINAL_LOAD_LESSON(given)
        assert first == second == fresh
        assert _as_data(first) == _as_data(second) == _as_data(fresh)
        assert first is not second


def _a_lesson_with_every_kind_of_part() -> Path:
    """A shipped lesson with exercise weights, a cluster file and check parameters."""
    for path in FILES:
        lesson = ORIGINAL_LOAD_LESSON(path)
        if lesson.setup.cluster and lesson.exercise.weights and any(
                c.params for s in lesson.steps for c in s.checks):
            return path
    raise AssertionError("no shipped lesson has weights, a cluster file and parameters")


def test_callers_cannot_change_each_others_copies() -> None:
    path = _a_lesson_with_every_kind_of_part()
    fresh = ORIGINAL_LOAD_LESSON(path)
    mine = memo_load_lesson(path)
    # Everything a caller could reach and change in its copy:
    mine.exercise.weights.clear()
    object.__setattr__(mine, "title", "changed")
    object.__setattr__(mine.steps[0], "hints", ())
    check = next(c for s in mine.steps for c in s.checks if c.params)
    object.__setattr__(check, "params", MappingProxyType({}))
    for lesson in (memo_load_lesson(path), memo_load_lesson(path)):
        assert lesson == fresh and _as_data(lesson) == _as_data(fresh)


def test_fresh_copy_copies_every_mutable_part() -> None:
    inner = [1, {"a": [2]}]
    value = MappingProxyType({"k": (inner, {"x": inner})})
    copied = fresh_copy(value)
    assert copied == value and type(copied) is MappingProxyType
    copied["k"][0][1]["a"].append(3)
    copied["k"][1]["x"].append(4)
    assert inner == [1, {"a": [2]}]


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the course that the memo treats as the shipped one."""
    copy = tmp_path / "lessons"
    shutil.copytree(COURSE, copy)
    monkeypatch.setattr(suite_speed, "SHIPPED_COURSE", copy.resolve())
    monkeypatch.setattr(suite_speed, "_LESSONS", {})
    return copy


def _with_cluster_and_manifests(course: Path) -> Path:
    for path in lesson_files(course):
        lesson = ORIGINAL_LOAD_LESSON(path)
        if lesson.setup.cluster and lesson.setup.manifests:
            return path
    raise AssertionError("no shipped lesson names a cluster file and manifests")


def test_a_changed_lesson_file_is_loaded_again(course: Path) -> None:
    path = _with_cluster_and_manifests(course)
    before = memo_load_lesson(path)
    text = path.read_text()
    path.write_text(text.replace(f"title: {before.title}", "title: Another title", 1))
    assert memo_load_lesson(path).title == "Another title" == ORIGINAL_LOAD_LESSON(path).title
    path.write_text(text.replace("format_version: 1", "format_version: 99", 1))
    with pytest.raises(LessonError) as memo:
        memo_load_lesson(path)
    with pytest.raises(LessonError) as real:
        ORIGINAL_LOAD_LESSON(path)
    assert "newer than this dstutor understands" in str(memo.value)
    assert str(memo.value) == str(real.value)


def test_a_changed_cluster_file_or_manifest_is_seen(course: Path) -> None:
    path = _with_cluster_and_manifests(course)
    lesson = memo_load_lesson(path)
    cluster_file = path.parent / lesson.setup.cluster
    text = cluster_file.read_text()
    # The cluster file now names a manifest outside the course: the load is refused.
    cluster_file.write_text(text + "\nmanifests: [../../outside.yaml]\n")
    with pytest.raises(LessonError, match="outside the course folder"):
        memo_load_lesson(path)
    cluster_file.write_text(text)
    assert memo_load_lesson(path) == ORIGINAL_LOAD_LESSON(path)
    # A manifest turned into a directory is refused too.
    manifest = path.parent / lesson.setup.manifests[0]
    manifest.unlink()
    manifest.mkdir()
    with pytest.raises(LessonError, match="is a directory, not a regular file"):
        memo_load_lesson(path)


def test_files_outside_the_shipped_course_always_go_to_the_loader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "course"
    shutil.copytree(COURSE, copy)
    loads: list[Any] = []

    def counting(path: Any) -> Any:
        loads.append(path)
        return ORIGINAL_LOAD_LESSON(path)

    monkeypatch.setattr(suite_speed, "ORIGINAL_LOAD_LESSON", counting)
    path = lesson_files(copy)[0]
    assert memo_load_lesson(path) == memo_load_lesson(path)
    assert loads == [path, path]
