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
import importlib
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
from dstutor.shell import heldstate


def _suite_folder(request: pytest.FixtureRequest) -> str:
    """`sim` for tests/sim/test_x.py::test_y (node ids are relative to the rootdir)."""
    parts = request.node.nodeid.split("::")[0].split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else ""


_HOMES: list[Path] = []  # this process's folder of homes, made once
_HOME_NUMBERS = itertools.count()


def _targets(names: tuple[str, ...]) -> list[tuple[object, str]]:
    """(module, attribute) for each dotted name, resolved once (MonkeyPatch.setattr with a
    dotted name imports and walks it again for every test)."""
    found = []
    for name in names:
        module, attr = name.rsplit(".", 1)
        found.append((importlib.import_module(module), attr))
    return found


_MAKE_PLAN = _targets(("dstutor.planner.plan.make_plan",))
_BUILD_CLUSTER = _targets(BUILD_CLUSTER_NAMES)


@pytest.fixture(autouse=True)
def _test_process_settings(request: pytest.FixtureRequest,
                           tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """What every test runs with, set up and undone in one fixture (each autouse fixture
    costs every one of the suite's ~5,000 tests its own setup and teardown):

    - a new, not yet existing DSTUTOR_HOME (history, progress, lesson workspaces), in a
      folder of this process's (as tmp_path/dstutor-home was, without making a tmp_path
      for every test), and no settled clusters kept on disk (DSTUTOR_NO_CACHE);
    - os.fsync without the wait for the disk (suite_speed.fsync_without_the_disk);
    - rollout plans computed once per input (suite_speed.py), except in the planner's
      own tests, which must see every computation;
    - a settled cluster built once per spec (suite_speed.py), except in the tests of the
      simulator and the planner, which must see every bring-up;
    - the shared-object guard (model/sharedguard.py): pods and nodes share dicts, and a
      test after which one of the shared objects built during it was edited in place
      fails, as that would have shown on every pod or node holding it
      (tests/sim/test_sim_shared_guard.py plants one);
    - the collector as usual for a test that measures memory (_memory_measured_as_usual).

    A test's own monkeypatch is undone before this fixture's (it is set up later), so a
    test that patches one of these gets back the suite's setting, then the original."""
    if not _HOMES:
        _HOMES.append(tmp_path_factory.mktemp("homes"))
    folder = _suite_folder(request)
    patch = pytest.MonkeyPatch()
    patch.setenv("DSTUTOR_HOME", str(_HOMES[0] / f"dstutor-home-{next(_HOME_NUMBERS)}"))
    # No settled clusters kept on disk (sim/buildcache.py), and with that the bring-up memo
    # (suite_speed.py) serves shells too; tests/sim/test_sim_buildcache.py turns it on.
    patch.setenv("DSTUTOR_NO_CACHE", "1")
    patch.setattr(os, "fsync", fsync_without_the_disk)
    if folder != "planner":
        for target, attr in _MAKE_PLAN:
            patch.setattr(target, attr, memo_make_plan)
    if folder not in ("sim", "planner"):
        for target, attr in _BUILD_CLUSTER:
            patch.setattr(target, attr, memo_build_cluster)
    sharedguard.start()
    measured = False
    try:
        measured = _memory_measured_as_usual(request)
        yield
        changed = sharedguard.mutated()
        if changed:
            pytest.fail("a shared object was edited in place (every pod or node holding it "
                        "changed with it):\n" + "\n".join(changed[:5]), pytrace=False)
    finally:
        if measured:
            gc.set_threshold(*GC_THRESHOLDS)
        sharedguard.stop()
        patch.undo()
        # A big cluster's undo state still on its way in (shell/heldstate.py: a thread
        # reading it from a child process) arrives before the next test, which may count
        # threads (sim/buildcache.py forks only where no other thread runs).
        for reader in list(heldstate._readers):
            reader.join(60)


_LESSON_LOADS = pytest.MonkeyPatch()
# The collector's thresholds in the test process. A worker holds thousands of collected
# tests, the memos, hypothesis' data and module fixtures' clusters, and the tests
# allocate at a great rate: with the default (700, 10, 10) a full pass over that heap
# came every ~70,000 net allocations, ~50 per worker, and the collector took ~10 s of a
# worker's ~65 s of CPU. Garbage is still collected, later and in fewer passes; no test
# can tell except one that measures memory (see _memory_measured_as_usual).
# Most of what the passes still cost is freeing the tests' cyclic garbage (~6 million
# objects a run); a young generation of 10,000 rather than 20,000 objects is traversed
# while it is still in the cache (20,000 or more cost more per object), and the older
# generations are passed over half as often. The collector's CPU in a full run, both
# workers: 8.0 and 8.1 s with (10_000, 40, 40); 8.8 and 9.6 s with (20_000, 20, 20);
# 8.5 s with (5_000, 40, 40); 9.4 s with (2_500, 80, 40); 9.8 s with (40_000, 10, 40);
# 11-12 s with (200_000, 10, 10). Peak RSS the same (190-230 MB a worker).
GC_THRESHOLDS = (10_000, 40, 40)
_DEFAULT_GC_THRESHOLDS = gc.get_threshold()


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generations of the cyclic collections that start while the test runs, with
    Python's default thresholds lowered (any load of a few thousand objects sets off
    young collections; the suite's own are higher, see GC_THRESHOLDS): for tests that
    check a step runs with the collector paused (sim/thaw.py)."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    thresholds = gc.get_threshold()
    gc.set_threshold(100, 10, 10)
    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)
        gc.set_threshold(*thresholds)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--suite-cpu", action="store_true",
                     help="print where the suite's CPU goes, by test file (suite_cpu.py)")


def pytest_configure(config: pytest.Config) -> None:
    """A shipped lesson file is loaded once per path (suite_speed.py), from collection on
    (test modules load lessons to parametrize); every other file goes to the real loader
    each time. --suite-cpu: the CPU table (suite_cpu.py)."""
    if config.getoption("--suite-cpu"):
        import suite_cpu

        config.pluginmanager.register(suite_cpu, "suite_cpu")
    for name in LOAD_LESSON_NAMES:
        _LESSON_LOADS.setattr(name, memo_load_lesson)
    gc.set_threshold(*GC_THRESHOLDS)


def pytest_unconfigure(config: pytest.Config) -> None:
    _LESSON_LOADS.undo()
    gc.set_threshold(*_DEFAULT_GC_THRESHOLDS)


_COLLECTED_FOR: set[str] = set()  # modules whose first test made the full collection


def _memory_measured_as_usual(request: pytest.FixtureRequest) -> bool:
    """A test that traces memory (tracemalloc: bytes a pod, a dict) counts garbage not yet
    collected as used: it runs with the collector as a process without the suite has it,
    after a full collection, so the garbage earlier tests left is not counted either.
    The full collection (~0.2 s over a worker's heap) is made before the module's first
    test: the module's later tests run with the default thresholds, so the garbage of
    its earlier ones is collected as in a process without the suite. True if the test
    runs so (the caller sets GC_THRESHOLDS back after it)."""
    if "tracemalloc" not in getattr(request.module, "__dict__", {}):
        return False
    if request.module.__name__ not in _COLLECTED_FOR:
        _COLLECTED_FOR.add(request.module.__name__)
        gc.collect()
    gc.set_threshold(*_DEFAULT_GC_THRESHOLDS)
    return True


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
