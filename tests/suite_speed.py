"""What the test process leaves out because no test can observe it (tests/conftest.py
installs these for every test): computing the same rollout plan twice, bringing up the
same cluster twice, loading the same shipped lesson file twice, and waiting for the disk
in os.fsync. The `dstutor` processes some tests start keep all four.

One rollout plan per distinct input, per test process (tests outside tests/planner).

`dstutor.planner.plan.make_plan` is deterministic by contract ("the same inputs, the same
plan", planner/inputs.py): the manifest, PlanInputs and the cluster file's spec decide it.
Lesson 20 plans the same 200-node rollouts in every test that walks, checks, replays or
grades it (about 0.5 s of CPU each time), so outside the planner's own tests a plan is
computed once per input and each caller gets a deep copy of it. The key is the pickled
inputs (dict order included); an input that does not pickle is planned as usual.
tests/planner/test_planner_memo.py checks that a memoised plan equals a fresh one and
that callers cannot change each other's copies.
"""

from __future__ import annotations

import contextlib
import copy
import copyreg
import dataclasses
import io
import os
import pickle
import stat
import time
from collections.abc import Callable
from pathlib import Path, PurePath
from types import MappingProxyType
from typing import Any

import dstutor.lessons.loader as loader_module
import dstutor.planner.plan as plan_module
import dstutor.sim.clusterfile as clusterfile_module
from dstutor.sim.buildcache import dump_off_clock, load_on_clock
from dstutor.sim.clock import Clock

ORIGINAL: Callable[..., Any] = plan_module.make_plan
_PLANS: dict[bytes, Any] = {}


def memo_make_plan(*args: Any, **kwargs: Any) -> Any:
    try:
        key = pickle.dumps((args, sorted(kwargs.items())), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return ORIGINAL(*args, **kwargs)
    if key not in _PLANS:
        # Copied in as well: the caller's plan may change, the stored one must not.
        _PLANS[key] = copy.deepcopy(ORIGINAL(*args, **kwargs))
    return copy.deepcopy(_PLANS[key])


REAL_FSYNC: Callable[[int], None] = os.fsync
# What fsync_without_the_disk was given, newest last (os.fstat of each descriptor).
FLUSHED: list[os.stat_result] = []


def fsync_without_the_disk(fd: int) -> None:
    """os.fsync in the test process: everything but the wait for the disk (files.
    atomic_write flushes each file and then its folder: ~6 ms of waiting per save here,
    thousands of saves per run). A closed or bad descriptor still fails as fsync does
    (OSError EBADF); tests/misc/test_files.py reads FLUSHED to see what was flushed."""
    FLUSHED.append(os.fstat(fd))
    del FLUSHED[:-16]


# --- one bring-up per cluster spec ---------------------------------------------------
#
# sim.clusterfile.build_cluster (nodes registered, kubeadm's pods and kube-proxy created,
# everything settled) runs for nearly every test: lesson setups, shells, sessions. With
# the same spec, seed, extra manifests and a manual clock at the same reading it is
# deterministic (pod names come from the seeded generator, time from the virtual clock),
# so the settled cluster is pickled once - as the planner keeps its fleets (planner/
# fleet.py) - and every later caller gets a fresh unpickled copy bound to the caller's
# own Clock object, moved to where the build left it. Live clocks, other clocks and
# inputs that do not pickle are built as usual. tests/sim (which tests the bring-up
# itself) and tests/planner keep the real build_cluster;
# tests/sim/test_sim_cluster_memo.py checks that a copy is the fresh build in
# everything it holds and in everything it does next.

ORIGINAL_BUILD_CLUSTER: Callable[..., Any] = clusterfile_module.build_cluster
_CLUSTERS: dict[bytes, bytes] = {}


def memo_build_cluster(spec: Any, *, seed: int = 0, clock: Clock | None = None,
                       extra_manifests: list[Any] | None = None, cache: Any = None) -> Any:
    clock = clock if clock is not None else Clock()  # what build_cluster does with None
    if (type(clock) is not Clock or clock.mode != "manual"
            or clock._wall is not time.monotonic or cache is not None):
        return ORIGINAL_BUILD_CLUSTER(spec, seed=seed, clock=clock,
                                      extra_manifests=extra_manifests, cache=cache)
    try:
        key = pickle.dumps((spec, seed, extra_manifests, clock.speed, clock._now,
                            clock._virtual_base), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):
        return ORIGINAL_BUILD_CLUSTER(spec, seed=seed, clock=clock,
                                      extra_manifests=extra_manifests)
    known = _CLUSTERS.get(key)
    if known is not None:
        return load_on_clock(io.BytesIO(known), clock)
    cluster = ORIGINAL_BUILD_CLUSTER(spec, seed=seed, clock=clock,
                                     extra_manifests=extra_manifests)
    # The product's own way to keep a settled cluster (sim/buildcache.py).
    with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError):
        _CLUSTERS[key] = dump_off_clock(cluster)
    return cluster


# Every module that calls build_cluster by a name of its own.
BUILD_CLUSTER_NAMES = ("dstutor.sim.clusterfile.build_cluster",
                       "dstutor.lessons.sandbox.build_cluster",
                       "dstutor.shell.startup.build_cluster")


# --- one load per shipped lesson file ------------------------------------------------
#
# dstutor.lessons.loader.load_lesson (YAML with lines, the schema, confinement: ~14 ms
# of CPU for a lesson) runs for every `lesson run`, `lesson list`, grade, export and
# replay, and most of them load the whole course (load_course) to find one lesson: about
# 10% of the suite's CPU. A successful load depends only on the file's text, the path as
# given (kept as Lesson.path) and the files its setup names (a cluster file's text, the
# manifests' kind and size, see confine.check_inside), so a lesson file of the shipped
# course (lessons/, which no test changes) is loaded once per path, and later callers get
# a fresh copy (unpickled from the bytes kept, see _frozen_lesson), after the file and
# every file it names were checked to be unchanged.
# Other files (broken, hostile or generated lessons, copies in tmp_path) and failed loads
# go to the real loader every time. tests/lessons/test_lessons_load_memo.py checks that a
# copy equals a fresh load and that callers cannot change each other's copies.

ORIGINAL_LOAD_LESSON: Callable[..., Any] = loader_module.load_lesson
SHIPPED_COURSE = (Path(__file__).resolve().parents[1] / "lessons").resolve()
# (path as given, working directory) -> (lesson file bytes, what it names, the lesson)
_LESSONS: dict[tuple[str, str], tuple[bytes, tuple[Any, ...], Any]] = {}


def _shipped(path: Path) -> bool:
    try:
        resolved = path.resolve()
        return resolved.is_relative_to(SHIPPED_COURSE) and stat.S_ISREG(os.stat(resolved).st_mode)
    except (OSError, RuntimeError):
        return False


def _named_files(lesson: Any) -> tuple[Any, ...]:
    """What the files a lesson's setup names are now: their text (a cluster file's
    manifests are named inside it) or, for manifests, what check_inside looks at."""
    base = lesson.base_dir
    refs = list(lesson.setup.manifests)
    seen: list[Any] = []
    if lesson.setup.cluster:
        cluster_file = base / lesson.setup.cluster
        seen.append((lesson.setup.cluster, cluster_file.resolve(), cluster_file.read_bytes()))
        refs += loader_module._cluster_manifests(base, lesson.setup.cluster)
    for ref in refs:
        target = (base / ref).resolve()
        try:
            found = os.stat(target)
            seen.append((ref, target, found.st_mode, found.st_size))
        except OSError:
            seen.append((ref, target, None, None))
    return tuple(seen)


def fresh_copy(value: Any) -> Any:
    """A deep copy of a loaded lesson (frozen dataclasses, tuples, mapping proxies, which
    copy.deepcopy cannot copy); immutable leaves are shared."""
    kind = type(value)
    if kind in (str, int, float, bool, type(None)) or isinstance(value, PurePath):
        return value
    if kind is tuple:
        return tuple(fresh_copy(v) for v in value)
    if kind is list:
        return [fresh_copy(v) for v in value]
    if kind is dict:
        return {k: fresh_copy(v) for k, v in value.items()}
    if kind is MappingProxyType:
        return MappingProxyType({k: fresh_copy(v) for k, v in value.items()})
    if dataclasses.is_dataclass(value):
        copied = copy.copy(value)
        for f in dataclasses.fields(value):
            object.__setattr__(copied, f.name, fresh_copy(getattr(value, f.name)))
        return copied
    return copy.deepcopy(value)


def _mapping_proxy(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


class _LessonOut(pickle.Pickler):
    """Pickles a loaded lesson, mapping proxies included (as a proxy of a copy of the
    dict), for copies made by unpickling: fresh_copy's work in C, ~3x faster."""

    dispatch_table = {**copyreg.dispatch_table,
                      MappingProxyType: lambda proxy: (_mapping_proxy, (dict(proxy),))}


def _frozen_lesson(lesson: Any) -> Any:
    """What the memo keeps of a lesson: its pickled bytes if a copy made from them equals
    it, else a fresh_copy (copied again for each caller)."""
    out = io.BytesIO()
    try:
        _LessonOut(out, pickle.HIGHEST_PROTOCOL).dump(lesson)
        data = out.getvalue()
        if pickle.loads(data) == lesson:  # noqa: S301 - our own bytes, never from outside
            return data
    except (pickle.PicklingError, TypeError, AttributeError):
        pass
    return fresh_copy(lesson)


def _thawed_lesson(kept: Any) -> Any:
    if isinstance(kept, bytes):
        return pickle.loads(kept)  # noqa: S301 - our own bytes, see _frozen_lesson
    return fresh_copy(kept)


def memo_load_lesson(path: str | Path) -> Any:
    if not _shipped(Path(path)):
        return ORIGINAL_LOAD_LESSON(path)
    key = (str(path), os.getcwd())
    text = Path(path).read_bytes()
    known = _LESSONS.get(key)
    if known is not None and known[0] == text:
        lesson = _thawed_lesson(known[2])
        try:
            unchanged = _named_files(lesson) == known[1]
        except OSError:
            unchanged = False
        if unchanged:
            return lesson
    lesson = ORIGINAL_LOAD_LESSON(path)
    try:
        named = _named_files(lesson)
    except OSError:
        return lesson
    if Path(path).read_bytes() == text:
        _LESSONS[key] = (text, named, _frozen_lesson(lesson))
    return lesson


# Every module that calls load_lesson by a name of its own (load_course calls the
# loader's).
LOAD_LESSON_NAMES = ("dstutor.lessons.loader.load_lesson",
                     "dstutor.lessons.validate.load_lesson")
