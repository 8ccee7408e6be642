"""Results files: one JSON file per learner, hash-chained command logs and a digest.

TAMPER-EVIDENT, NOT TAMPER-PROOF. Every log entry carries sha256(previous hash + entry) and
the file carries a sha256 digest of everything else, so an edit made with a text editor -
a changed score, a deleted command, a moved entry - is detected by `dstutor grade`. There
is no secret: anyone who runs this code can rebuild a consistent file from made-up data.
It catches casual edits and accidents, not a determined forger; that needs a server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dstutor import __version__
from dstutor.classroom import results_spec
from dstutor.classroom.scoring import (
    StepScore,
    lesson_score,
    record_step_scores,
    score_lesson_record,
    step_score,
)
from dstutor.errors import DstutorError
from dstutor.files import atomic_write, data_dir, sha256_hex
from dstutor.lessons.progress import LessonProgress, StepProgress
from dstutor.lessons.schema import Lesson
from dstutor.textsafe import visible_line

RESULTS_FORMAT = "dstutor-results"
# Version 2 logs every line typed (`kind`, see LogEntry); version 1 logged only the lines
# that ran in the cluster. Both are read; `replay.py` says how a version 1 log is graded.
RESULTS_VERSION = 2
READABLE_VERSIONS = (1, 2)
LEARNER_FILE = "learner.json"
MAX_FILE_BYTES = 16_000_000  # a whole course with heredoc manifests is a few MB
MAX_INT_DIGITS = 30
ENTRY_FIELDS = ("t", "line", "exit", "step", "skip", "kind")


def canonical(value: Any) -> str:
    """The one JSON spelling that hashes are taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def genesis(learner: str, lesson_id: str) -> str:
    # Binding the chain to learner and lesson stops a log being pasted into another file.
    return sha256_hex(f"{RESULTS_FORMAT}/{RESULTS_VERSION}\n{learner}\n{lesson_id}")


def chain(entries: Iterable[Mapping[str, Any]], learner: str, lesson_id: str
          ) -> list[dict[str, Any]]:
    """Log entries with their `hash` field: sha256 over the previous hash and the entry."""
    prev = genesis(learner, lesson_id)
    out = []
    for entry in entries:
        body = {k: entry[k] for k in ENTRY_FIELDS if k in entry}
        prev = sha256_hex(prev + canonical(body))
        out.append({**body, "hash": prev})
    return out


def digest(doc: Mapping[str, Any]) -> str:
    return "sha256:" + sha256_hex(canonical({k: v for k, v in doc.items() if k != "digest"}))


# --- learner name -------------------------------------------------------------------------

def stored_name(home: Path | None = None) -> str | None:
    path = (home or data_dir()) / LEARNER_FILE
    try:
        name = json.loads(path.read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        return None
    return str(name).strip() or None if name else None


def store_name(name: str, home: Path | None = None) -> None:
    atomic_write((home or data_dir()) / LEARNER_FILE, canonical({"name": name}) + "\n",
                 make_dirs=True)


def file_slug(name: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    return "-".join(p for p in slug.split("-") if p) or "learner"


# --- building ---------------------------------------------------------------------------

def _step_record(step: Any, sp: StepProgress, mode: str, weights: Sequence[float],
                 passed: Sequence[bool] | None) -> tuple[dict[str, Any], StepScore]:
    score = step_score(mode=mode, done=sp.done, skipped=sp.skipped,
                       solution_seen=sp.solution_seen, check_weights=weights,
                       checks_passed=passed)
    record: dict[str, Any] = {
        "id": step.id, "title": step.title, "quiz": step.quiz is not None,
        "done": sp.done, "skipped": sp.skipped, "solution_seen": sp.solution_seen,
        "hints_used": sp.hints_used, "attempts": sp.attempts, "seconds": round(sp.seconds, 3),
        "earned": score.earned, "possible": score.possible,
        # not in the command log, but needed to replay it (dstutor grade --course)
        "quiz_answers": list(sp.quiz_answers), "prediction": sp.prediction,
    }
    if mode == "exercise":
        names = [c.name for c in step.checks]
        flags = passed if passed is not None else [sp.done] * len(names)
        record["checks"] = [{"id": n, "weight": w, "passed": bool(ok)}
                            for n, w, ok in zip(names, weights, flags, strict=True)]
    return record, score


def replay_checks(lesson: Any, progress: LessonProgress) -> dict[str, list[bool]]:
    """Per-check results of unfinished exercise steps, from replaying the learner's log.

    A step the learner finished earns all its weight (it passed, variants included); an
    unfinished one earns the weights of the checks that hold on the final cluster.
    """
    from dstutor.lessons.sandbox import throwaway

    # Its session is dropped afterwards: throwaway work (no undo state unless the log
    # needs it).
    return throwaway(lambda: _replay_checks(lesson, progress))


def _replay_checks(lesson: Any, progress: LessonProgress) -> dict[str, list[bool]]:
    from dstutor.lessons.sandbox import TimedLine, build_setup, evaluate, run_records

    executor = build_setup(lesson)
    commands = progress.commands()
    replayed = run_records(executor, [TimedLine(e.line, e.t) for e in commands])
    found: dict[str, list[bool]] = {}
    for step in lesson.steps:
        sp = progress.steps.get(step.id) or StepProgress()
        if sp.done:
            found[step.id] = [not sp.skipped and not sp.solution_seen] * len(step.checks)
            continue
        records = [r for e, r in zip(commands, replayed, strict=True) if e.step == step.id]
        answer = sp.quiz_answers[-1] if sp.quiz_answers else None
        found[step.id] = [o.passed for _, o in evaluate(step.checks, executor, step, records,
                                                        answer)]
    return found


def lesson_edits(lesson: Any) -> list[str]:
    """The lesson's edit journal in the learner's workspace (empty when there is none)."""
    from dstutor.lessons.sandbox import lesson_workspace
    from dstutor.shell.editjournal import EditJournal

    try:
        return list(EditJournal(lesson_workspace(lesson).root).entries)
    except OSError:
        return []


def lesson_record(lesson: Lesson, progress: LessonProgress | None,
                  learner: str) -> dict[str, Any]:
    """One lesson's results, from the lesson (titles, checks, exercise settings) and the
    learner's progress."""
    meta = lesson.exercise
    progress = progress or LessonProgress(lesson.id)
    passed: dict[str, list[bool]] = {}
    if meta.is_exercise and progress.log:
        try:
            passed = replay_checks(lesson, progress)
        except DstutorError:
            passed = {}  # the course changed under the log: fall back to done flags
    steps, scores = [], []
    for step in lesson.steps:
        sp = progress.steps.get(step.id) or StepProgress()
        weights = meta.check_weights(step.id, len(step.checks))
        rec, score = _step_record(step, sp, meta.mode, weights, passed.get(step.id))
        steps.append(rec)
        scores.append(score)
    seconds = round(sum(s["seconds"] for s in steps), 3)
    hints = sum(s["hints_used"] for s in steps)
    over = meta.time_limit is not None and seconds > meta.time_limit
    s = meta.scoring
    edits = lesson_edits(lesson) if progress.log else []
    entries = [{"t": e.t, "line": e.line, "exit": e.exit, "step": e.step, "skip": e.skip,
                "kind": e.kind} for e in progress.log]
    log = chain(entries, learner, lesson.id)
    return {
        "id": lesson.id, "title": lesson.title, "file": lesson.slug, "mode": meta.mode,
        "started": bool(progress.log or progress.steps), "completed": progress.completed,
        "steps_done": sum(1 for st in steps if st["done"]), "steps_total": len(steps),
        "hints_used": hints, "attempts": sum(st["attempts"] for st in steps),
        "seconds": seconds, "time_limit": meta.time_limit, "over_time": over,
        "scoring": s.as_dict(),
        "score": lesson_score(scores, points=s.points, hint_cost=s.hint_cost, hints_used=hints,
                              late_cost=s.late_cost, over_time=over),
        "steps": steps, "log": log, "log_complete": progress.log_complete,
        # what the learner's editor produced (`vi FILE`, `kubectl edit`), in order: the
        # replay gives it back instead of opening an editor
        "edits": edits,
        "log_head": log[-1]["hash"] if log else genesis(learner, lesson.id),
    }


def build_results(learner: str, lessons: Sequence[Any], progress: Mapping[str, LessonProgress],
                  *, course: str = "", now: datetime | None = None) -> dict[str, Any]:
    """The whole results document, digest included."""
    records = []
    for lesson in lessons:
        records.append(lesson_record(lesson, progress.get(lesson.id), learner))
    stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc: dict[str, Any] = {
        "format": RESULTS_FORMAT, "format_version": RESULTS_VERSION,
        "learner": learner, "exported": stamp, "dstutor": __version__, "course": course,
        "integrity": "tamper-evident, not tamper-proof: edits are detected, a forger with "
                     "this program can rebuild a consistent file",
        "lessons": records,
        "total_score": round(sum(r["score"] for r in records), 2),
        "total_points": round(sum(r["scoring"]["points"] for r in records), 2),
    }
    doc["digest"] = digest(doc)
    return doc


def write_results(doc: Mapping[str, Any], path: Path) -> None:
    atomic_write(path, json.dumps(doc, indent=1, ensure_ascii=False) + "\n", make_dirs=True)


# --- verifying ----------------------------------------------------------------------------

def verify(doc: Any) -> list[str]:
    """Every reason not to trust a results document; empty when it is intact.

    The structure is checked first (results_spec), so everything after it, and all of
    `dstutor grade`, reads fields of known types.
    """
    if not isinstance(doc, dict) or doc.get("format") != RESULTS_FORMAT:
        return ["not a dstutor results file"]
    version = doc.get("format_version")
    if version not in READABLE_VERSIONS or isinstance(version, bool):
        shown = visible_line(repr(version)[:40])
        return [f"results format_version {shown} is not one this dstutor reads "
                f"({', '.join(map(str, READABLE_VERSIONS))}): export again with this dstutor"]
    try:
        results_spec.check(doc)
    except results_spec.SpecError as exc:
        return [f"malformed: {exc}"]
    problems = []
    if doc["digest"] != digest(doc):
        problems.append("digest mismatch: the file was changed after export")
    learner = doc["learner"]
    seen: set[str] = set()
    for rec in doc["lessons"]:
        if rec["id"] in seen:
            problems.append(f"{rec['id']}: the lesson is listed twice (a duplicated record)")
            continue
        seen.add(rec["id"])
        problems += _verify_lesson(rec, learner, version)
    total = round(sum(r["score"] for r in doc["lessons"]), 2)
    if doc["total_score"] != total:
        problems.append(f"total_score {doc['total_score']:g} is not the sum of the lesson "
                        f"scores ({total:g})")
    return problems


def _verify_lesson(rec: Mapping[str, Any], learner: str, version: int) -> list[str]:
    lid = rec["id"]
    problems = []
    log = rec["log"]
    kinds = [e.get("kind", "") for e in log]
    if version == 1 and (any(k != "" for k in kinds) or "log_complete" in rec):
        problems.append(f"{lid}: a format 1 log with line kinds, which only format 2 has")
    if rec.get("log_complete") and "" in kinds:
        problems.append(f"{lid}: a complete log with older lines (without a kind)")
    # Progress begun with an older dstutor and continued with this one: older lines first.
    first_new = next((i for i, k in enumerate(kinds) if k), len(kinds))
    if "" in kinds[first_new:]:
        problems.append(f"{lid}: older log lines (without a kind) after newer ones")
    expected = chain(log, learner, lid)
    for i, (got, want) in enumerate(zip(log, expected, strict=True)):
        if got["hash"] != want["hash"]:
            problems.append(f"{lid}: command log entry {i + 1} ({got['line'][:80]!r}) "
                            "does not match the hash chain: the log was edited")
            break
    head = expected[-1]["hash"] if expected else genesis(learner, lid)
    if rec["log_head"] != head:
        problems.append(f"{lid}: the command log's last hash does not match: entries were "
                        "removed or added")
    steps = rec["steps"]
    ids = [s["id"] for s in steps]
    if len(set(ids)) != len(ids):
        problems.append(f"{lid}: a step is listed twice")
    if score_lesson_record(rec) != rec["score"]:
        problems.append(f"{lid}: score {rec['score']:g} does not follow from the step "
                        f"results ({score_lesson_record(rec):g})")
    for step, score in zip(steps, record_step_scores(rec), strict=True):
        if (step["earned"], step["possible"]) != (score.earned, score.possible):
            problems.append(f"{lid}/{step['id']}: earned {step['earned']:g} of "
                            f"{step['possible']:g} does not follow from the step "
                            f"({score.earned:g} of {score.possible:g})")
            break
    if steps and rec["completed"] != all(s["done"] for s in steps):
        problems.append(f"{lid}: completed does not match the steps")
    if rec["steps_done"] != sum(1 for s in steps if s["done"]):
        problems.append(f"{lid}: steps_done does not match the steps")
    if rec["steps_total"] != len(steps):
        problems.append(f"{lid}: steps_total does not match the steps")
    if rec["hints_used"] != sum(s["hints_used"] for s in steps):
        problems.append(f"{lid}: hints_used does not match the steps")
    if rec["attempts"] != sum(s["attempts"] for s in steps):
        problems.append(f"{lid}: attempts does not match the steps")
    seconds = round(sum(s["seconds"] for s in steps), 3)
    if rec["seconds"] != seconds:
        problems.append(f"{lid}: seconds does not match the steps")
    limit = rec["time_limit"]
    if rec["over_time"] != (limit is not None and seconds > limit):
        problems.append(f"{lid}: over_time does not follow from seconds and time_limit")
    return problems


def _no_constants(name: str) -> Any:
    # NaN and Infinity are not JSON; Python's parser accepts them unless told otherwise.
    raise ValueError(f"{name} is not a JSON number")


def _int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"an integer of {len(digits)} digits is not a results file's")
    return int(digits)


def parse(text: str) -> Any:
    """JSON without NaN/Infinity; ValueError for anything that is not plain JSON."""
    try:
        return json.loads(text, parse_constant=_no_constants, parse_int=_int)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def load_results(path: str | Path) -> tuple[dict[str, Any] | None, list[str]]:
    """A results file and its problems; (None, [reason]) when it cannot be read at all."""
    try:
        with open(path, "rb") as fh:  # bounded: a results file is never this big
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, [f"cannot read: {exc.strerror or exc}"]
    if len(data) > MAX_FILE_BYTES:
        return None, [f"larger than {MAX_FILE_BYTES // 1_000_000} MB: not a results file"]
    try:
        doc = parse(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, ["not UTF-8 text"]
    except ValueError as exc:
        return None, [f"not JSON: {str(exc).splitlines()[0][:200]}"]
    problems = verify(doc)
    return (doc if isinstance(doc, dict) else None), problems
