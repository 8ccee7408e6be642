"""Replay a results file's command logs against the course: do they earn what it claims?

The digest and hash chain only show that a file was not edited after export; anyone can
recompute them. Replaying goes further: the engine is deterministic, so feeding the logged
lines, each at the virtual time it was typed, to a fresh lesson runner must rebuild the
same log and the same step results. Scores are then derived from the replay, not read
from the file: a file whose claims (steps done, skipped, solutions seen, hints, exercise
checks passed) differ from the replay is REJECTED, with the first difference as reason.
Rejecting rather than silently regrading is deliberate: a difference means the file was
forged or exported from another version of the course, and the instructor must see which.

Two kinds of logs:

- complete (format 2, `log_complete`: begun by a dstutor that logs every line typed):
  `check`, `hint`, `answer` and predictions are in the log with their virtual times.
  The replay must reproduce the log entry for entry, and every claim must match exactly.
- older (format 1, or progress begun with an older dstutor): only the lines that ran in
  the cluster were logged, not `check` or the time a learner waited before typing it.
  The replay stands in for those: before the first line of a later step (right after the
  previous line, then at the next line's time) and at the end (then again after letting
  the cluster settle) it types `check`. A step claimed done must then be
  done; hints cannot be verified and are taken from the file (the learner is told so
  in a note).

Grading never executes anything on the grader's machine: a logged line that would read
or write a file (`save`, `load`, `map --svg`, `kubectl ... -f PATH`, `--patch-file`,
`kubectl edit`, which starts an editor) is not run but marked, and virtual time is
bounded (results_spec bounds `t`; the replay stops past MAX_VIRTUAL_SECONDS).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dstutor.classroom.results_spec import MAX_VIRTUAL_SECONDS
from dstutor.errors import DstutorError
from dstutor.lessons import confine
from dstutor.lessons.progress import AUTO, RUN, TYPED, LessonProgress, LogEntry, ProgressStore
from dstutor.shell.editor import EDITOR_VARIABLES
from dstutor.textsafe import visible_line

COMPLETE_KINDS = (RUN, TYPED, AUTO)
# Older logs: at most this much virtual time is let pass before the final `check`.
SETTLE_SECONDS = 600.0
KUBECTL_WORDS = ("kubectl", "k")


# --- what may run -------------------------------------------------------------------------

# Workspace commands a replay may run: they use the lesson's scratch folder, which during
# grading is a throwaway one (see isolated_home). The editors are never opened: they give
# back what the learner's editor produced, from the results file's edit journal.
WORKSPACE_COMMANDS = ("cat", "ls", "vi", "nano", "edit")


def _plain_name(name: str) -> bool:
    """A file name the lesson workspace holds: no folder, no home, no way out."""
    return bool(name) and "/" not in name and "\\" not in name and not name.startswith(
        ("~", ".")) and "\x00" not in name


def refused(line: str) -> str | None:
    """Why a logged line must not run while grading, or None.

    Lines run in a throwaway workspace (isolated_home), so `> NAME`, `cat NAME` and
    `kubectl apply -f NAME` with a plain file name are replayed as the learner ran them;
    anything that names another path, writes outside the workspace (`save`, `map --svg`),
    reads one (`load`, `-f /etc/x`) or opens an editor (`vi`, `kubectl edit`) is not.
    """
    from dstutor.shell import pipeline

    if not line.split():
        return None
    try:
        piped = pipeline.split_pipeline(line.strip("\n").lstrip())
    except DstutorError:
        return None  # the shell refuses it before anything runs
    if piped.redirect is not None and not _plain_name(piped.target):
        return f"`{piped.redirect} {piped.target}` writes outside the lesson's workspace"
    command = piped.command
    if command.split()[0] in KUBECTL_WORDS:
        return _refused_kubectl(command)
    return _refused_meta(command)


def _refused_meta(line: str) -> str | None:
    from dstutor.kubectl.lexer import split_command
    from dstutor.shell import meta

    command = meta.find_command(line.strip())
    if command is None:
        return None
    try:
        words = split_command(line).texts
    except DstutorError:
        return None  # refused by the shell as it is
    if meta.FILE in command.args:
        if command.name not in WORKSPACE_COMMANDS:
            what = {"save": "writes a file", "load": "reads a file"}
            return f"`{command.name}` {what.get(command.name, 'opens an editor')}"
        names = [w for w in words[len(command.name.split()):] if not w.startswith("-")]
        if not all(_plain_name(n) for n in names):
            return f"`{command.name}` names a file outside the lesson's workspace"
    for flag in command.flags:
        if flag.complete == meta.FILE and any(
                w == f"--{flag.name}" or w.startswith(f"--{flag.name}=") for w in words):
            return f"`{command.name} --{flag.name}` writes a file"
    return None


_USE_WHY = {"-f": "it reads a file outside the lesson's workspace (-f PATH)",
            "--patch-file": "it reads a file outside the lesson's workspace (--patch-file)",
            "-k": "it reads a folder (-k)", "-o": "-o {value} reads a file",
            "edit": "it opens an editor"}


def _refused_kubectl(line: str) -> str | None:
    """The lessons' own policy (confine.kubectl_refusal): any plain workspace name may be
    read, since the workspace is a throwaway one; editors replay the edit journal."""
    use = confine.kubectl_refusal(line, _plain_name, editor=True)
    return None if use is None else _USE_WHY[use.flag].format(value=use.value)


@contextlib.contextmanager
def isolated_home() -> Iterator[None]:
    """Run a replay with DSTUTOR_HOME in a fresh temporary folder, removed afterwards.

    A lesson's workspace, edit journal and anything else a lesson run touches live under
    DSTUTOR_HOME; grading must neither read the instructor's nor write into it.
    """
    # Editors are replayed from the journal; should one be started anyway, it is a
    # program that does not exist, so nothing runs.
    names = ("DSTUTOR_HOME", *EDITOR_VARIABLES)
    before = {name: os.environ.get(name) for name in names}
    with tempfile.TemporaryDirectory(prefix="dstutor-grade-") as tmp:
        os.environ["DSTUTOR_HOME"] = tmp
        for name in EDITOR_VARIABLES:
            os.environ[name] = str(Path(tmp) / "no-editor-while-grading")
        try:
            yield
        finally:
            for name, value in before.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _no_editor(runner: Any) -> None:
    """Whatever the runner set up, a replay's editors replay the (empty) journal."""
    session = getattr(runner.executor, "session", None)
    journal = getattr(session, "journal", None)
    if session is not None and journal is not None:
        session.editor, session.file_editor = journal.replay_text, journal.replay_file


# --- replaying ----------------------------------------------------------------------------

class _MemoryStore(ProgressStore):
    """Progress kept in memory: a replay writes nothing to disk."""

    def __init__(self) -> None:
        self.path = Path("replay-progress.json")
        self.notices = []
        self.lessons = {}

    def save(self) -> None:
        pass


class ReplayError(DstutorError):
    """The log cannot be replayed; str() is the reason."""


@dataclass
class Replay:
    """What replaying one lesson record produced."""

    progress: LessonProgress
    complete: bool  # a format-2 log with every line typed
    refused: list[tuple[int, str, str]] = field(default_factory=list)  # (entry no., line, why)


def is_complete(record: Mapping[str, Any]) -> bool:
    """Every line typed is in the record's log (it was begun by a dstutor that logs all)."""
    return bool(record.get("log_complete")) and all(
        e.get("kind") in COMPLETE_KINDS for e in record["log"])


def _entries(record: Mapping[str, Any]) -> list[LogEntry]:
    return [LogEntry(float(e["t"]), str(e["line"]), int(e["exit"]), str(e["step"]),
                     bool(e["skip"]), str(e.get("kind", ""))) for e in record["log"]]


class _Replayer:
    """Feeds log entries to a runner, as the learner typed them; one per lesson record."""

    def __init__(self, lesson: Any, record: Mapping[str, Any], complete: bool) -> None:
        self.lesson = lesson
        self.record = record
        self.complete = complete
        self.store = _MemoryStore()
        self.runner = self._runner(restart=True)
        self._give_edits()
        self.limit = self.runner.executor.cluster.now() + MAX_VIRTUAL_SECONDS
        self.answers = {s["id"]: list(s.get("quiz_answers", [])) for s in record["steps"]}
        if not complete:
            # Predictions are asked before a command runs; with the recorded guess in
            # place the runner does not hold the command back (older logs lack the answer).
            for s in record["steps"]:
                if s.get("prediction") is not None:
                    self.runner.progress.step(s["id"]).prediction = dict(s["prediction"])
        self.runner.start()

    def _runner(self, *, restart: bool) -> Any:
        from dstutor.lessons.runner import LessonRunner

        runner = LessonRunner(self.lesson, self.store, restart=restart, wall=lambda: 0.0)
        _no_editor(runner)
        return runner

    def _give_edits(self) -> None:
        """The learner's edit journal, where the lesson's (throwaway) workspace keeps it."""
        session = getattr(self.runner.executor, "session", None)
        journal = getattr(session, "journal", None)
        if journal is None:
            return
        edits = [str(e) for e in self.record.get("edits") or []]
        journal.path.write_text(json.dumps(edits), encoding="utf-8")
        journal.entries = edits  # a fresh runner: no editor call made yet

    def type(self, line: str) -> None:
        """One line, as the learner typed it; a `reset` may rebuild: no editor again."""
        self.runner.handle_line(line)
        _no_editor(self.runner)

    @property
    def now(self) -> float:
        return float(self.runner.executor.cluster.now())

    def wait_until(self, t: float) -> None:
        if t > self.limit:
            raise ReplayError(f"virtual time passes the replay bound of "
                              f"{MAX_VIRTUAL_SECONDS / 86400:g} days")
        if t < self.now - 1e-6:
            # Time went back: the learner left and resumed, and resuming rebuilt the
            # cluster from the logged commands at their times. Do the same.
            self.runner = self._runner(restart=False)
            self.runner.start()
        if t > self.now:
            from dstutor.lessons.sandbox import let_time_pass

            let_time_pass(self.runner.executor, t - self.now)

    def feed(self, entry: LogEntry) -> None:
        if self.complete:
            if entry.kind == AUTO:
                return  # run by an earlier line (skip, a held command), replayed there
            self.wait_until(entry.t)
            self.type(entry.line)
            return
        self._feed_older(entry)

    # Older logs ---------------------------------------------------------------------------

    def _feed_quiz(self) -> None:
        """Give the current quiz step its recorded answers (older logs lack them)."""
        runner = self.runner
        while runner.step is not None and runner.step.quiz is not None:
            pending = self.answers.get(runner.step.id)
            if not pending:
                return
            self.type(f"answer {pending.pop(0)}")

    def _feed_older(self, entry: LogEntry) -> None:
        if entry.kind == TYPED:
            return  # lines typed after an upgrade: an older log is replayed by its commands
        self._feed_quiz()
        if self.runner.done:
            return
        if self.runner.step is not None and entry.step != self.runner.step.id:
            # The learner moved on: they typed `check` (not logged then) before this line,
            # right after the previous one or after waiting for the cluster; try both.
            self._check_before(entry.t)
            if self.runner.done:
                return
        self.wait_until(entry.t)
        if entry.skip:
            # `skip` ran the step's solution; replay the `skip`, once per step
            if self.runner.step is not None and entry.step == self.runner.step.id:
                self.type("skip")
            return
        self.type(entry.line)

    def _check_before(self, t: float) -> None:
        step = self.runner.step
        self.type("check")
        self._feed_quiz()
        if self.runner.step is step and not self.runner.done:
            self.wait_until(t)
            self.type("check")
            self._feed_quiz()

    def finish(self) -> None:
        if self.complete:
            return
        self._feed_quiz()
        if self.runner.done:
            return
        self.type("check")
        if not self.runner.done and self.now + SETTLE_SECONDS <= self.limit:
            from dstutor.lessons.sandbox import let_time_pass

            let_time_pass(self.runner.executor, SETTLE_SECONDS)  # they waited, then checked
            self.type("check")
        self._feed_quiz()


def replay_lesson_log(lesson: Any, record: Mapping[str, Any]) -> Replay:
    """Feed a lesson record's log to a fresh runner; ReplayError when it cannot be done."""
    entries = _entries(record)
    replayer = _Replayer(lesson, record, is_complete(record))
    result = Replay(replayer.runner.progress, replayer.complete)
    for number, entry in enumerate(entries, start=1):
        typed_word = entry.kind == TYPED and _lesson_word(entry.line)
        why = None if typed_word else refused(entry.line)
        if why is not None:
            result.refused.append((number, entry.line, why))
            continue
        try:
            replayer.feed(entry)
        except ReplayError as exc:
            raise ReplayError(f"log entry {number}: {exc}") from None
        if replayer.now > replayer.limit:
            raise ReplayError(f"log entry {number}: virtual time passes the replay bound "
                              f"of {MAX_VIRTUAL_SECONDS / 86400:g} days")
    replayer.finish()
    result.progress = replayer.runner.progress
    return result


def _lesson_word(line: str) -> bool:
    from dstutor.lessons.runner import LESSON_WORDS, QUIT_WORDS

    words = line.split()
    if not words or (words[0] == "help" and len(words) > 1):
        return False
    return words[0] in LESSON_WORDS or words[0] in QUIT_WORDS


# --- comparing ----------------------------------------------------------------------------

def _shown(line: str) -> str:
    first = line.split("\n", 1)[0]
    return first[:60] + ("..." if len(first) > 60 or "\n" in line else "")


def _compare_logs(original: Sequence[LogEntry], replayed: Sequence[LogEntry],
                  skipped: set[int]) -> str | None:
    kept = [(n, e) for n, e in enumerate(original, start=1) if n not in skipped]
    for i, (number, want) in enumerate(kept):
        if i >= len(replayed):
            return f"log entry {number} (`{_shown(want.line)}`) is not reached by the replay"
        got = replayed[i]
        mine = (want.line, want.kind, want.step, want.exit, want.skip)
        theirs = (got.line, got.kind, got.step, got.exit, got.skip)
        if mine != theirs:
            return (f"log entry {number} (`{_shown(want.line)}`, step {want.step}, exit "
                    f"{want.exit}) is replayed as `{_shown(got.line)}` in step {got.step}, "
                    f"exit {got.exit}")
    if len(replayed) > len(kept):
        return f"the replay logs more lines than the file (`{_shown(replayed[len(kept)].line)}`)"
    return None


def claim_problems(record: Mapping[str, Any], replay: Replay,
                   derived: Mapping[str, Any]) -> list[str]:
    """Differences between what the record claims and what the replay derived."""
    lid = record["id"]
    problems = _course_problems(record, derived)
    if problems:
        return problems
    if replay.complete:
        diff = _compare_logs(_entries(record), replay.progress.log,
                             {n for n, _line, _why in replay.refused})
        if diff is not None:
            return [f"{lid}: replaying the log does not reproduce it: {diff} (forged, or "
                    "exported from another version of the course)"]
    by_id = {s["id"]: s for s in derived["steps"]}
    missing = [s["id"] for s in record["steps"] if s["done"] and not s["skipped"]
               and not (by_id[s["id"]]["done"] and not by_id[s["id"]]["skipped"])]
    if missing:
        problems.append(f"{lid}: replaying the logged commands does not finish "
                        f"{', '.join(missing)}, which the file claims done (forged, or "
                        "exported from another version of the course)")
    # Older logs: only what the replay can stand for is compared (steps claimed done,
    # and the checks of unfinished steps); solutions seen and hints were not logged.
    fields = (("done", "skipped", "solution_seen", "hints_used", "quiz_answers")
              if replay.complete else ())
    for step in record["steps"]:
        mine = by_id[step["id"]]
        for name in fields:
            if step.get(name) != mine[name] and not (name == "done" and step["id"] in missing):
                problems.append(f"{lid}/{step['id']}: the file says {name} "
                                f"{_value(step.get(name))}, the replay gives "
                                f"{_value(mine[name])}")
        got = [c["passed"] for c in step.get("checks") or []]
        want = [c["passed"] for c in mine.get("checks") or []]
        # an older log's step the replay finished by its own `check` was scored by the
        # checks on the final cluster when exported, so compare only unfinished ones
        comparable = replay.complete or not (step["done"] or mine["done"])
        if got != want and step["id"] not in missing and comparable:
            problems.append(f"{lid}/{step['id']}: the file says checks passed "
                            f"{_value(got)}, the replay gives {_value(want)}")
    return problems


def _course_problems(record: Mapping[str, Any], derived: Mapping[str, Any]) -> list[str]:
    """What the course decides, not the learner: mode, scoring, time limit, checks."""
    lid = record["id"]
    claimed = [s["id"] for s in record["steps"]]
    want_ids = [s["id"] for s in derived["steps"]]
    if claimed != want_ids:
        return [f"{lid}: its steps ({_value(claimed[:8])}) are not the course's "
                f"({_value(want_ids[:8])}): exported from another version of the course"]
    problems = []
    for name in ("mode", "scoring", "time_limit"):
        if record[name] != derived[name]:
            problems.append(f"{lid}: the file says {name} {_value(record[name])}, the "
                            f"course says {_value(derived[name])}")
    for step, mine in zip(record["steps"], derived["steps"], strict=True):
        got = [(c["id"], c["weight"]) for c in step.get("checks") or []]
        want = [(c["id"], c["weight"]) for c in mine.get("checks") or []]
        if got != want or step["quiz"] != mine["quiz"]:
            problems.append(f"{lid}/{step['id']}: its checks or quiz are not the course's "
                            f"({_value(got)} against {_value(want)})")
    return problems


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "none"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return visible_line(str(value))[:80]


@dataclass
class LessonCheck:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Lessons replayed from an older log: their hints (and solutions seen) are the file's
    # word, not the replay's. No rule tells an honest upgrade from a forger who stripped
    # the typed lines and `log_complete` (see README, "Grading"), so grading marks them.
    unverified: list[str] = field(default_factory=list)


def _derive(lesson: Any, progress: LessonProgress | None, learner: str) -> dict[str, Any]:
    """The lesson record `results export` would write for this progress."""
    from dstutor.classroom.results import lesson_record

    return lesson_record(lesson, progress, learner)


def _throwaway_replay(lesson: Any, record: Mapping[str, Any]) -> Replay:
    """replay_lesson_log in the grading home (isolated_home) as throwaway work
    (lessons/sandbox.throwaway): its sessions keep no undo state unless the log needs
    it. A replay leaves the lesson's workspace behind in the home, where the next record
    of the same lesson finds it, so a second, guarded run starts from the home as the
    first one found it."""
    from dstutor.lessons.sandbox import throwaway

    home = Path(os.environ["DSTUTOR_HOME"])
    with tempfile.TemporaryDirectory(prefix="dstutor-grade-before-") as kept:
        shutil.copytree(home, kept, symlinks=True, dirs_exist_ok=True)

        def again() -> Replay:
            shutil.rmtree(home)
            shutil.copytree(kept, home, symlinks=True)
            return replay_lesson_log(lesson, record)

        return throwaway(lambda: replay_lesson_log(lesson, record), again)


def check_lesson(lesson: Any, record: Mapping[str, Any], learner: str) -> LessonCheck:
    """Replay one lesson record and compare; problems reject the file, notes inform."""
    out = LessonCheck()
    lid = record["id"]
    try:
        replay = _throwaway_replay(lesson, record)
        derived = _derive(lesson, replay.progress, learner)
    except DstutorError as exc:
        out.problems.append(f"{lid}: replay failed: {str(exc).removeprefix('error: ')}")
        return out
    except (RecursionError, MemoryError) as exc:
        out.problems.append(f"{lid}: replay failed: {type(exc).__name__}")
        return out
    for number, line, why in replay.refused:
        out.notes.append(f"{lid}: log entry {number} (`{_shown(line)}`) was not replayed: "
                         f"{why}")
    if not replay.complete and record["log"]:
        out.unverified.append(lid)
        out.notes.append(f"{lid}: an older log without `check`, `hint` or waiting time: "
                         "replayed with a `check` at each step change; hints are as the "
                         "file says")
    out.problems += claim_problems(record, replay, derived)
    return out


def replay_lesson(lesson: Any, record: Mapping[str, Any]) -> dict[str, bool]:
    """Step id -> done (by the learner, not skipped) after replaying the record's log."""
    with isolated_home():  # never the grader's own workspace or edit journal
        progress = _throwaway_replay(lesson, record).progress
    return {sid: sp.done and not sp.skipped for sid, sp in progress.steps.items()}


def replay_results(doc: Mapping[str, Any], lessons: Sequence[Any]) -> LessonCheck:
    """Every claim in a verified document that replaying its logs does not reproduce."""
    by_id = {lesson.id: lesson for lesson in lessons}
    out = LessonCheck()
    learner = str(doc.get("learner", ""))
    with isolated_home():
        for rec in doc["lessons"]:
            _replay_record(rec, by_id, learner, out)
    return out


def _replay_record(rec: Mapping[str, Any], by_id: Mapping[str, Any], learner: str,
                   out: LessonCheck) -> None:
    started = rec["log"] or any(s["done"] or s["hints_used"] or s["solution_seen"]
                                for s in rec["steps"])
    lesson = by_id.get(rec["id"])
    if lesson is None:
        if started:
            out.problems.append(f"{rec['id']}: not in the course given with --course; "
                                "cannot replay it")
        return
    if not started:  # nothing to replay; the course still decides its scoring
        out.problems += _course_problems(rec, _derive(lesson, None, learner))
        return
    found = check_lesson(lesson, rec, learner)
    out.problems += found.problems
    out.notes += found.notes
    out.unverified += found.unverified


def replay_problems(doc: Mapping[str, Any], lessons: Sequence[Any]) -> list[str]:
    return replay_results(doc, lessons).problems
