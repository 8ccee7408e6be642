"""Every test gets a private DSTUTOR_HOME (history, progress, lesson workspaces), so tests
run in parallel (`pytest -n auto`, pytest-xdist) never share one data directory, and no
test touches the real one. Directories with their own home fixture set it again.

Costs no test can observe are left out of the test process (not out of the `dstutor`
processes some tests start): waiting for the disk in os.fsync, computing the same
rollout plan twice, bringing up the same cluster twice and loading the same shipped
lesson file twice (suite_speed.py), and most of the cyclic garbage collector's passes
over the test process's large, long-lived heap (GC_THRESHOLDS).
"""

from __future__ import annotations

import gc
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from suite_speed import (
    BUILD_CLUSTER_NAMES,
    LOAD_LESSON_NAMES,
    fsync_without_the_disk,
    memo_build_cluster,
    memo_load_lesson,
    memo_make_plan,
)

from dstutor.model import sharedguard


def _suite_folder(request: pytest.FixtureRequest) -> str:
    """`sim` for tests/sim/test_x.py::test_y (node ids are relative to the rootdir)."""
    parts = request.node.nodeid.split("::")[0].split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else ""


_HOMES: list[Path] = []  # this process's folder of homes, made once
_HOME_NUMBERS = itertools.count()


@pytest.fixture(autouse=True)
def _private_dstutor_home(tmp_path_factory: pytest.TempPathFactory,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A new, not yet existing DSTUTOR_HOME for each test, in a folder of this process's
    (as tmp_path/dstutor-home was, without making a tmp_path for every test)."""
    if not _HOMES:
        _HOMES.append(tmp_path_factory.mktemp("homes"))
    monkeypatch.setenv("DSTUTOR_HOME", str(_HOMES[0] / f"dstutor-home-{next(_HOME_NUMBERS)}"))
    # No settled clusters kept on disk (sim/buildcache.py), and with that the bring-up memo
    # (suite_speed.py) serves shells too; tests/sim/test_sim_buildcache.py turns it on.
    monkeypatch.setenv("DSTUTOR_NO_CACHE", "1")


@pytest.fixture(autouse=True)
def _no_disk_flush(monkeypatch: pytest.MonkeyPatch) -> None:
    # The shared monkeypatch: a test that patches fsync itself is undone before this.
    monkeypatch.setattr(os, "fsync", fsync_without_the_disk)


@pytest.fixture(autouse=True)
def _plans_once_per_input(request: pytest.FixtureRequest) -> Iterator[None]:
    """Rollout plans are computed once per input (suite_speed.py), except in the planner's
    own tests, which must see every computation."""
    if _suite_folder(request) == "planner":
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("dstutor.planner.plan.make_plan", memo_make_plan)
        yield


@pytest.fixture(autouse=True)
def _clusters_once_per_spec(request: pytest.FixtureRequest) -> Iterator[None]:
    """A settled cluster is built once per spec (suite_speed.py), except in the tests of
    the simulator and the planner, which must see every bring-up."""
    if _suite_folder(request) in ("sim", "planner"):
        yield
        return
    with pytest.MonkeyPatch.context() as mp:
        for name in BUILD_CLUSTER_NAMES:
            mp.setattr(name, memo_build_cluster)
        yield


_LESSON_LOADS = pytest.MonkeyPatch()
# The collector's thresholds in the test process. A worker holds thousands of collected
# tests, the memos, hypothesis' data and module fixtures' clusters, and the tests
# allocate at a great rate: with the default (700, 10, 10) a full pass over that heap
# came every ~70,000 net allocations, ~50 per worker, and the collector took ~10 s of a
# worker's ~65 s of CPU. Garbage is still collected, later and in fewer passes; no test
# can tell except one that measures memory (see _memory_measured_as_usual).
GC_THRESHOLDS = (20_000, 20, 20)
_DEFAULT_GC_THRESHOLDS = gc.get_threshold()


def pytest_configure(config: pytest.Config) -> None:
    """A shipped lesson file is loaded once per path (suite_speed.py), from collection on
    (test modules load lessons to parametrize); every other file goes to the real loader
    each time."""
    for name in LOAD_LESSON_NAMES:
        _LESSON_LOADS.setattr(name, memo_load_lesson)
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_unconfigure(config: pytest.Config) -> None:
    _LESSON_LOADS.undo()
    gc.set_threshold(*_DEFAULT_GC_THRESHOLDS)


_COLLECTED_FOR: set[str] = set()  # modules whose first test made the full collection


@pytest.fixture(autouse=True)
def _memory_measured_as_usual(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test that traces memory (tracemalloc: bytes a pod, a dict) counts garbage not yet
    collected as used: it runs with the collector as a process without the suite has it,
    after a full collection, so the garbage earlier tests left is not counted either.
    The full collection (~0.2 s over a worker's heap) is made before the module's first
    test: the module's later tests run with the default thresholds, so the garbage of
    its earlier ones is collected as in a process without the suite."""
    if "tracemalloc" not in getattr(request.module, "__dict__", {}):
        yield
        return
    if request.module.__name__ not in _COLLECTED_FOR:
        _COLLECTED_FOR.add(request.module.__name__)
        gc.collect()
    gc.set_threshold(*_DEFAULT_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*GC_THRESHOLDS)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In an xdist worker with `--dist loadgroup`, a test marked xdist_group(NAME) has
    `@NAME` appended to its node id, which is how the scheduler (xdist_schedule.py) sees
    the group. xdist 3.8 appends it by setting item._nodeid, which pytest 9 no longer
    reads (a node id is str(item._id)): every group was ignored, and course-check's three
    files ran on both workers, each computing the course's check. This appends it where
    pytest 9 keeps the id (after xdist, which still does it under pytest 8)."""
    if not getattr(config.option, "loadgroup", False):
        return
    try:
        from _pytest.nodeid import NodeId
    except ImportError:  # pytest 8: xdist's own suffix works
        return
    for item in items:
        names = {str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                 for mark in item.iter_markers("xdist_group")}
        suffix = "@" + "_".join(sorted(names))
        if names and not item.nodeid.endswith(suffix):
            item._id = NodeId.parse(item.nodeid + suffix)  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """`-n N` (with pyproject's `--dist loadgroup`): a whole file or xdist_group at a time,
    the costliest first (xdist_schedule.py)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist_schedule import FileGroupScheduling

    return FileGroupScheduling(config, log)


@pytest.fixture(autouse=True)
def _shared_objects_stay_unchanged() -> Iterator[None]:
    """Pods and nodes share dicts (model/sharedguard.py): fail any test after which one
    of the shared objects built during it was edited in place, which would have shown
    on every pod or node holding it (tests/sim/test_sim_shared_guard.py plants one)."""
    sharedguard.start()
    try:
        yield
        changed = sharedguard.mutated()
        if changed:
            pytest.fail("a shared object was edited in place (every pod or node holding it "
                        "changed with it):\n" + "\n".join(changed[:5]), pytrace=False)
    finally:
        sharedguard.stop()
