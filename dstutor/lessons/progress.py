"""Learner progress: one small JSON file, written atomically, never lost on Ctrl-C or a crash.

Per lesson it keeps the current step, per-step results (done, hints used, attempts, time,
quiz answers, predictions) and the command log. The log is what makes resuming exact:
the engine is deterministic, so replaying it from the lesson's setup rebuilds the cluster.

Two `dstutor` processes may share one data dir (two terminals, a lesson and a `lesson
list`). A save therefore never writes back what this process merely loaded: under an
exclusive lock it re-reads the file, keeps every lesson another process changed, and
writes only the lessons this process changed (merging a lesson both changed).
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from dstutor.files import atomic_write, clean_stale_temps, data_dir

# sys.platform, not a failed import, so that mypy checks the branch of its platform.
if sys.platform == "win32":  # pragma: no cover - Windows
    import msvcrt
else:
    import fcntl

PROGRESS_FORMAT = 1
FILE_NAME = "progress.json"
LOCK_FILE = ".progress.lock"  # Windows only; POSIX locks the directory
# Time away from the keyboard is not time spent on a step.
MAX_GAP_SECONDS = 300.0
STALE_TEMP_SECONDS = 60.0  # a leftover temp without a process id
CORRUPT_MSG = ("warning: the progress file {path} could not be read ({reason}); it was kept "
               "as {kept} and a fresh one was started")


@dataclass
class StepProgress:
    done: bool = False
    skipped: bool = False
    hints_used: int = 0
    solution_seen: bool = False
    attempts: int = 0
    seconds: float = 0.0
    started: float | None = None
    finished: float | None = None
    quiz_answers: list[str] = field(default_factory=list)
    prediction: dict[str, Any] | None = None


# LogEntry.kind: what a line was, so `dstutor grade` can replay a session exactly.
RUN = "run"  # typed, and run in the cluster as typed
TYPED = "typed"  # typed, handled by the tutor (check, hint, answer, a prediction, ...)
AUTO = "auto"  # run in the cluster by another line (`skip`, a command held for a prediction)
# "" is a line logged by a dstutor before kinds existed: it ran in the cluster.


@dataclass
class LogEntry:
    """One line: when (virtual seconds), what, how it ended, in which step, and its kind."""

    t: float
    line: str
    exit: int
    step: str
    skip: bool = False  # applied by `skip` (the step's solution), not typed
    kind: str = ""

    @property
    def ran(self) -> bool:
        """The line ran in the cluster (the lines that rebuild it on resume)."""
        return self.kind != TYPED


@dataclass
class LessonProgress:
    lesson_id: str
    current_step: str = ""
    completed: bool = False
    started: float | None = None
    updated: float | None = None
    steps: dict[str, StepProgress] = field(default_factory=dict)
    log: list[LogEntry] = field(default_factory=list)
    # Every line typed is in the log (begun by a dstutor that logs kinds; an older one
    # logged only cluster commands, and such a log cannot explain every result).
    log_complete: bool = False

    def step(self, step_id: str) -> StepProgress:
        return self.steps.setdefault(step_id, StepProgress())

    def commands(self) -> list[LogEntry]:
        """The lines that ran in the cluster, in order."""
        return [e for e in self.log if e.ran]

    def done_count(self) -> int:
        return sum(1 for s in self.steps.values() if s.done)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LessonProgress:
        steps = {k: StepProgress(**_known(StepProgress, v))
                 for k, v in (data.get("steps") or {}).items()}
        log = [LogEntry(**_known(LogEntry, e)) for e in data.get("log") or []]
        base = _known(cls, data)
        base.update(steps=steps, log=log)
        return cls(**base)


def _known(kind: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Only the fields this version knows: a newer file still loads."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in data.items() if k in names}


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on the data directory while inside.

    flock on the directory itself needs no lock file, and the kernel releases it when the
    process dies, so a crash never leaves a stale lock. Windows has no flock: a lock file
    in the directory, its first byte locked with msvcrt.
    """
    directory.mkdir(parents=True, exist_ok=True)
    if sys.platform == "win32":  # pragma: no cover - Windows
        fd = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:  # LK_LOCK gives up after 10 s; keep waiting
                    continue
            yield
        finally:
            os.close(fd)
    else:
        fd = os.open(directory, os.O_RDONLY)
        try:
            with contextlib.suppress(OSError):
                # A file system without locks (some network mounts): the merge alone
                # still keeps what other processes saved, short of an exact tie.
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock


# Field names by dataclass, for _plain.
_FIELDS: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """What json.dumps makes of dataclasses.asdict(value), built without asdict's deep
    copies (json.dumps only reads): a save dumps every lesson's progress two or three
    times, after every line a learner types. tests/lessons/test_lessons_progress_json.py
    checks that the JSON is asdict's, byte for byte."""
    names = _FIELDS.get(type(value))
    if names is None:
        if is_dataclass(value) and not isinstance(value, type):
            names = _FIELDS[type(value)] = tuple(f.name for f in fields(value))
        elif isinstance(value, list | tuple):
            return [_plain(v) for v in value]
        elif isinstance(value, dict):
            return {k: _plain(v) for k, v in value.items()}
        else:
            return value
    return {name: _plain(getattr(value, name)) for name in names}


def _dump(progress: LessonProgress) -> str:
    return json.dumps(_plain(progress), sort_keys=True)


def _file_text(lessons: dict[str, Any]) -> str:
    """The progress file for lessons (lesson id -> _plain of its progress)."""
    data = {"format_version": PROGRESS_FORMAT, "lessons": dict(sorted(lessons.items()))}
    return json.dumps(data, indent=1, sort_keys=True) + "\n"


def merge_lesson(ours: LessonProgress, theirs: LessonProgress) -> None:
    """Fold another process's progress in one lesson into ours, losing no result.

    Both ran the same lesson at once. Our command log and current step stay (they match
    the cluster this process holds); every step result keeps the better of the two: done
    stays done, counters and time take the larger, a completed lesson stays completed.
    """
    ours.completed = ours.completed or theirs.completed
    ours.started = min((t for t in (ours.started, theirs.started) if t is not None),
                       default=None)
    ours.updated = max((t for t in (ours.updated, theirs.updated) if t is not None),
                       default=None)
    for step_id, other in theirs.steps.items():
        mine = ours.steps.get(step_id)
        if mine is None:
            ours.steps[step_id] = copy.deepcopy(other)
            continue
        if not mine.done and other.done:
            mine.done, mine.skipped, mine.finished = True, other.skipped, other.finished
        mine.hints_used = max(mine.hints_used, other.hints_used)
        mine.solution_seen = mine.solution_seen or other.solution_seen
        mine.attempts = max(mine.attempts, other.attempts)
        mine.seconds = max(mine.seconds, other.seconds)
        if other.started is not None:
            mine.started = min(mine.started or other.started, other.started)
        if len(other.quiz_answers) > len(mine.quiz_answers):
            mine.quiz_answers = list(other.quiz_answers)
        if mine.prediction is None and other.prediction is not None:
            mine.prediction = copy.deepcopy(other.prediction)


class ProgressStore:
    """The progress file of one learner; `notices` holds anything to tell them on load."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / FILE_NAME
        self.notices: list[str] = []
        self.lessons: dict[str, LessonProgress] = {}
        # Each lesson as last read from or written to the file: what "changed here" means.
        self._base: dict[str, str] = {}
        self._load()

    def _load(self) -> None:
        # A crash (kill -9) between writing the temp file and renaming it leaves the temp
        # behind; the real file is intact, so the leftover is just removed. Not one a
        # second dstutor is writing right now: its process is alive.
        clean_stale_temps(self.path, max_age=STALE_TEMP_SECONDS)
        self.lessons = self._read()
        self._base = {k: _dump(v) for k, v in self.lessons.items()}

    def _read(self) -> dict[str, LessonProgress]:
        """The lessons in the file now; a corrupt file is set aside (and reads as empty)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self.notices.append(f"warning: cannot read {self.path}: {exc.strerror}")
            return {}
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            version = data.get("format_version", PROGRESS_FORMAT)
            if not isinstance(version, int) or version > PROGRESS_FORMAT:
                raise ValueError(f"format_version {version!r} is newer than this dstutor")
            return {k: LessonProgress.from_dict(v)
                    for k, v in (data.get("lessons") or {}).items()}
        except (ValueError, TypeError) as exc:
            self._set_aside(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return {}

    def _set_aside(self, reason: str) -> None:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        kept = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while kept.exists():
            n += 1
            kept = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        os.replace(self.path, kept)
        self.notices.append(CORRUPT_MSG.format(path=self.path, reason=reason, kept=kept.name))

    def get(self, lesson_id: str) -> LessonProgress:
        return self.lessons.setdefault(lesson_id, LessonProgress(lesson_id))

    def peek(self, lesson_id: str) -> LessonProgress | None:
        return self.lessons.get(lesson_id)

    def reset(self, lesson_id: str) -> LessonProgress:
        self.lessons[lesson_id] = LessonProgress(lesson_id)
        return self.lessons[lesson_id]

    def to_json(self) -> str:
        return _file_text({k: _plain(v) for k, v in self.lessons.items()})

    def save(self) -> None:
        """Read, merge, write under the lock: lessons changed elsewhere are kept."""
        with locked(self.path.parent):
            disk = self._read()
            for lesson_id, ours in self.lessons.items():
                base = self._base.get(lesson_id)
                theirs = disk.get(lesson_id)
                if _dump(ours) == base:
                    if theirs is not None:  # unchanged here: take the file's (in place,
                        _replace(ours, theirs)  # a runner may hold this object)
                    continue
                if theirs is not None and _dump(theirs) != base:
                    merge_lesson(ours, theirs)  # both changed (or both began) it
            for lesson_id, theirs in disk.items():
                self.lessons.setdefault(lesson_id, theirs)
            # Each lesson made plain once, for the file and for the next save's base.
            plain = {k: _plain(v) for k, v in self.lessons.items()}
            atomic_write(self.path, _file_text(plain), make_dirs=True)
            self._base = {k: json.dumps(v, sort_keys=True) for k, v in plain.items()}


def _replace(target: LessonProgress, source: LessonProgress) -> None:
    for f in fields(target):
        setattr(target, f.name, getattr(source, f.name))


def add_time(step: StepProgress, last: float | None, now: float) -> None:
    """Count the wall time since the learner's previous line, capped for breaks."""
    if last is not None and now > last:
        step.seconds = round(step.seconds + min(now - last, MAX_GAP_SECONDS), 3)
