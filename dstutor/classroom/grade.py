"""`dstutor grade`: merge a class's results files into scores, a stuck map, CSV, JUnit, JSON.

Files that fail verification are kept apart with their reasons and never graded: an
instructor must see that a file was rejected, not find a silent zero. One bad file never
stops the batch. Every string in a results file is the learner's: the CSV escapes cells a
spreadsheet would run as formulas, the JUnit XML drops what XML 1.0 forbids, and the
terminal tables (cli.py) show control characters visibly.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dstutor.classroom.results import load_results
from dstutor.classroom.review import (
    Review,
    review_data,
    review_from_record,
    review_lines,
    task_lines,
)
from dstutor.textsafe import visible_line

CSV_FIELDS = ("learner", "lesson", "title", "mode", "score", "points", "percent", "steps_done",
              "steps_total", "completed", "hints_used", "attempts", "seconds", "over_time",
              "hints_verified", "file")
# A score whose hints the replay could not verify (an older log) is shown with this mark.
UNVERIFIED_MARK = "?"


@dataclass
class Rejected:
    path: str
    reasons: list[str]


@dataclass
class Learner:
    name: str
    path: str
    doc: dict[str, Any]
    notes: list[str] = field(default_factory=list)  # graded, but worth a look
    only: frozenset[str] | None = None  # lesson ids to grade; None = all
    # lessons graded from an older log under --course: hints are the file's word
    unverified: frozenset[str] = frozenset()
    replayed: bool = False  # graded with --course: claims were checked by a replay

    @property
    def lessons(self) -> list[dict[str, Any]]:
        return [rec for rec in self.doc.get("lessons") or []
                if self.only is None or rec.get("id") in self.only]

    @property
    def total_score(self) -> float:
        return round(sum(float(rec.get("score", 0.0)) for rec in self.lessons), 2)

    @property
    def total_points(self) -> float:
        return round(sum(float((rec.get("scoring") or {}).get("points", 100.0))
                         for rec in self.lessons), 2)


@dataclass
class StepStats:
    """How one step went across the class: the "where learners got stuck" view."""

    lesson: str
    step: str
    title: str
    reached: int = 0  # learners who got to this step
    done: int = 0
    skipped: int = 0
    attempts: list[int] = field(default_factory=list)
    hints: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    stuck: list[str] = field(default_factory=list)  # reached the step, did not solve it
    missed: dict[str, int] = field(default_factory=dict)  # exercise check id -> learners

    @property
    def mean_attempts(self) -> float:
        return round(statistics.fmean(self.attempts), 2) if self.attempts else 0.0

    @property
    def mean_hints(self) -> float:
        return round(statistics.fmean(self.hints), 2) if self.hints else 0.0

    @property
    def median_seconds(self) -> float:
        return round(statistics.median(self.seconds), 1) if self.seconds else 0.0

    @property
    def done_rate(self) -> float:
        return self.done / self.reached if self.reached else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {"lesson": self.lesson, "step": self.step, "title": self.title,
                "reached": self.reached, "done": self.done, "skipped": self.skipped,
                "mean_attempts": self.mean_attempts, "mean_hints": self.mean_hints,
                "median_seconds": self.median_seconds, "stuck": list(self.stuck),
                "missed_checks": dict(self.missed)}


@dataclass
class GradeBook:
    learners: list[Learner] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)

    def lesson_ids(self) -> list[str]:
        """Lessons in the order the first learner's file lists them, then any others."""
        seen: dict[str, str] = {}
        for learner in self.learners:
            for rec in learner.lessons:
                seen.setdefault(rec["id"], rec.get("title", rec["id"]))
        return list(seen)

    def titles(self) -> dict[str, str]:
        return {rec["id"]: rec.get("title", rec["id"])
                for ln in self.learners for rec in ln.lessons}

    def rows(self) -> list[dict[str, Any]]:
        """One row per learner x lesson."""
        out = []
        for ln in self.learners:
            for rec in ln.lessons:
                points = float(rec.get("scoring", {}).get("points", 100.0))
                out.append({
                    "learner": ln.name, "lesson": rec["id"], "title": rec.get("title", ""),
                    "mode": rec.get("mode", "lesson"), "score": rec.get("score", 0.0),
                    "points": points,
                    "percent": round(100 * float(rec.get("score", 0)) / points, 1),
                    "steps_done": rec.get("steps_done", 0),
                    "steps_total": rec.get("steps_total", 0),
                    "completed": bool(rec.get("completed")),
                    "hints_used": rec.get("hints_used", 0), "attempts": rec.get("attempts", 0),
                    "seconds": rec.get("seconds", 0.0), "over_time": bool(rec.get("over_time")),
                    "hints_verified": (rec["id"] not in ln.unverified) if ln.replayed else "",
                    "file": ln.path})
        return out

    def stuck(self) -> list[StepStats]:
        """Per step, most troublesome first: lowest completion, then most attempts."""
        stats: dict[tuple[str, str], StepStats] = {}
        for ln in self.learners:
            for rec in ln.lessons:
                for step in rec.get("steps") or []:
                    key = (rec["id"], step["id"])
                    st = stats.setdefault(key, StepStats(rec["id"], step["id"],
                                                         step.get("title", step["id"])))
                    if not _reached(step, stepped_in(rec)):
                        continue  # a learner stuck earlier never saw this step
                    st.reached += 1
                    st.done += bool(step.get("done")) and not step.get("skipped")
                    st.skipped += bool(step.get("skipped"))
                    st.attempts.append(int(step.get("attempts", 0)))
                    st.hints.append(int(step.get("hints_used", 0)))
                    st.seconds.append(float(step.get("seconds", 0.0)))
                    if not step.get("done") or step.get("skipped"):
                        st.stuck.append(ln.name)
                    for check in step.get("checks") or []:
                        if not check.get("passed"):
                            st.missed[check["id"]] = st.missed.get(check["id"], 0) + 1
        order = {lid: i for i, lid in enumerate(self.lesson_ids())}
        reached = [s for s in stats.values() if s.reached]
        return sorted(reached, key=lambda s: (s.done_rate, -s.mean_attempts, -s.mean_hints,
                                              order.get(s.lesson, 0)))


def stepped_in(rec: dict[str, Any]) -> set[str]:
    """Steps the learner typed at least one line in."""
    return {str(e.get("step")) for e in rec.get("log") or []}


def _ran(entry: dict[str, Any]) -> bool:
    return entry.get("kind") != "typed"  # see dstutor.lessons.progress.LogEntry


def _reached(step: dict[str, Any], stepped: set[str]) -> bool:
    return bool(step.get("done") or step.get("attempts") or step.get("hints_used")
                or step.get("seconds") or step["id"] in stepped)


def plausibility(doc: dict[str, Any]) -> list[str]:
    """Intact files that still look odd: a task step done without a single command."""
    notes = []
    for rec in doc.get("lessons") or []:
        stepped = {e.get("step") for e in rec.get("log") or [] if _ran(e)}
        for step in rec.get("steps") or []:
            if step.get("done") and not step.get("quiz") and step["id"] not in stepped:
                notes.append(f"{rec['id']}/{step['id']}: done, but no command was logged")
    return notes


def _grade_file(path: str, lessons: Sequence[Any] | None
                ) -> tuple[dict[str, Any] | None, list[str], list[str], frozenset[str]]:
    """(document, problems, notes, lessons with unverified hints) of one file; problems
    mean it is rejected."""
    doc, problems = load_results(path)
    if doc is None or problems:
        return None, problems or ["unreadable"], [], frozenset()
    if lessons is None:
        return doc, [], [], frozenset()
    from dstutor.classroom.replay import replay_results

    found = replay_results(doc, lessons)
    # A rejected file keeps its notes: a line that was not replayed may be why.
    return (doc, found.problems + (found.notes if found.problems else []), found.notes,
            frozenset(found.unverified))


def load_class(paths: Iterable[str], *, lessons: Sequence[Any] | None = None,
               only: Iterable[str] = ()) -> GradeBook:
    """Verify and collect results files; with `lessons`, also replay every log.

    `only` limits grading to these lesson ids (or file names such as 21-ex-gpu-coverage).
    """
    wanted = frozenset(only)
    book = GradeBook()
    names: dict[str, str] = {}
    for path in paths:
        try:
            doc, problems, notes, unverified = _grade_file(path, lessons)
        except Exception as exc:  # noqa: BLE001 - one file must never stop the batch
            doc, problems, notes, unverified = None, [f"could not be graded: internal error "
                                                      f"({type(exc).__name__})"], [], frozenset()
        if doc is None or problems:
            book.rejected.append(Rejected(path, problems))
            continue
        name = doc["learner"]
        ids = {rec["id"] for rec in doc["lessons"]
               if rec["id"] in wanted or rec["file"] in wanted}
        learner = Learner(name, path, doc, [*notes, *plausibility(doc)],
                          frozenset(ids) if wanted else None, unverified,
                          replayed=lessons is not None)
        if wanted and not ids:
            learner.notes.append("none of the --only lessons is in this file")
        if name in names:
            learner.notes.append(f"same learner name as {names[name]}")
        names.setdefault(name, path)
        book.learners.append(learner)
    return book


# --- outputs ------------------------------------------------------------------------------

def shown(text: str) -> str:
    """One line of untrusted text for any output: controls visible, lone surrogates (a
    file name that is not UTF-8) as \\udcXX, so that writing it can never fail."""
    return visible_line(text.encode("utf-8", "backslashreplace").decode("utf-8"))


# A spreadsheet runs a cell that starts with one of these as a formula (OWASP: CSV
# injection); a leading apostrophe makes it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell that a spreadsheet shows as text: controls visible, formulas defused."""
    if not isinstance(value, str):
        return value
    text = shown(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(book: GradeBook) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for row in book.rows():
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
    return buf.getvalue()


# Characters XML 1.0 forbids in a document, even escaped.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: Any) -> str:
    """Text for a JUnit attribute or element: controls visible, nothing XML forbids."""
    return _NOT_XML.sub("\ufffd", shown(str(value)))


def to_junit(book: GradeBook) -> str:
    """JUnit XML: a suite per learner, a testcase per learner x step (classname = lesson)."""
    root = ET.Element("testsuites", name="dstutor")
    total = failures = skipped = 0
    # An exercise's step also says its points and the checks it missed (its review).
    tasks = {(id(rec), task.id): task for _ln, rec, review in exercise_reviews(book)
             for task in review.tasks}
    for ln in book.learners:
        suite = ET.SubElement(root, "testsuite", name=xml_text(ln.name))
        cases = fails = skips = 0
        seconds = 0.0
        for rec in ln.lessons:
            for step in rec.get("steps") or []:
                cases += 1
                seconds += float(step.get("seconds", 0.0))
                case = ET.SubElement(suite, "testcase", classname=xml_text(rec["id"]),
                                     name=xml_text(step["id"]),
                                     time=f"{float(step.get('seconds', 0.0)):.3f}")
                detail = (f"attempts={step.get('attempts', 0)} "
                          f"hints={step.get('hints_used', 0)}")
                task = tasks.get((id(rec), str(step["id"])))
                if task is not None:
                    detail = "\n".join([f"{detail} points={task.earned:g}/{task.possible:g}",
                                         *map(xml_text, task_lines(task))])
                if step.get("skipped"):
                    skips += 1
                    ET.SubElement(case, "skipped", message="skipped: the solution was applied")
                elif not step.get("done"):
                    fails += 1
                    reason = "not started" if not rec.get("started") else "not done"
                    ET.SubElement(case, "failure", message=reason, type="NotDone").text = detail
                ET.SubElement(case, "system-out").text = detail
        suite.set("tests", str(cases))
        suite.set("failures", str(fails))
        suite.set("errors", "0")
        suite.set("skipped", str(skips))
        suite.set("time", f"{seconds:.3f}")
        total, failures, skipped = total + cases, failures + fails, skipped + skips
    for rej in book.rejected:
        suite = ET.SubElement(root, "testsuite", name=xml_text(f"rejected: {rej.path}"),
                              tests="1", failures="0", errors="1", skipped="0", time="0")
        case = ET.SubElement(suite, "testcase", classname="verification",
                             name=xml_text(rej.path))
        ET.SubElement(case, "error", message="results file failed verification",
                      type="Tampered").text = "\n".join(xml_text(r) for r in rej.reasons)
        total += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(len(book.rejected)))
    root.set("skipped", str(skipped))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _duration(seconds: float) -> str:
    return f"PT{round(seconds, 3)}S"


def to_json(book: GradeBook) -> str:
    """Scores, the stuck map, rejected files and xAPI-style statements (one per step)."""
    statements = []
    for ln in book.learners:
        for rec in ln.lessons:
            if not rec.get("started"):
                continue
            for step in rec.get("steps") or []:
                possible = float(step.get("possible", 1.0)) or 1.0
                statements.append({
                    "actor": {"name": ln.name, "objectType": "Agent"},
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/"
                             + ("completed" if step.get("done") else "attempted")},
                    "object": {"id": f"dstutor://lesson/{rec['id']}/step/{step['id']}",
                               "definition": {"name": {"en": step.get("title", step["id"])}}},
                    "result": {"completion": bool(step.get("done")),
                               "success": bool(step.get("done")) and not step.get("skipped"),
                               "score": {"raw": step.get("earned", 0.0), "max": possible,
                                         "scaled": round(float(step.get("earned", 0.0))
                                                         / possible, 4)},
                               "duration": _duration(float(step.get("seconds", 0.0))),
                               "extensions": {"dstutor:hints": step.get("hints_used", 0),
                                              "dstutor:attempts": step.get("attempts", 0)}},
                })
    data = {
        "learners": [{"name": ln.name, "file": ln.path, "notes": ln.notes,
                      "total_score": ln.total_score,
                      "total_points": ln.total_points} for ln in book.learners],
        "scores": book.rows(),
        "stuck": [s.as_dict() for s in book.stuck()],
        "rejected": [{"file": r.path, "reasons": r.reasons} for r in book.rejected],
        "statements": statements,
        # Each started exercise's review (what `grade --review` prints), as data.
        "reviews": [{"learner": ln.name, "file": ln.path, "lesson": rec["id"],
                     "hints_verified": rec["id"] not in ln.unverified, **review_data(review)}
                    for ln, rec, review in exercise_reviews(book)],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def short_name(rec: dict[str, Any]) -> str:
    """A narrow column header: the file number (`21` of 21-ex-gpu-coverage), else the id."""
    prefix = str(rec.get("file", "")).split("-", 1)[0]
    return prefix if prefix.isdigit() else str(rec["id"])


def score_matrix(book: GradeBook) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, rows and legend of the learner x lesson table.

    Only lessons someone started get a column (a course has many); a cell is the score,
    `*` when not finished, `-` when that learner has not started it.
    """
    started = {(ln.name, rec["id"]) for ln in book.learners for rec in ln.lessons
               if rec.get("started")}
    ids = [lid for lid in book.lesson_ids() if any(lid == s[1] for s in started)]
    recs = {rec["id"]: rec for ln in book.learners for rec in ln.lessons}
    header = ["learner", *(short_name(recs[lid]) for lid in ids), "total"]
    legend = [f"{short_name(recs[lid])} = {lid}: {recs[lid].get('title', '')}" for lid in ids
              if short_name(recs[lid]) != lid]
    rows = []
    for ln in book.learners:
        # this learner's own records: two files may carry the same name
        mine = {rec["id"]: rec for rec in ln.lessons}
        cells = [ln.name]
        for lid in ids:
            rec = mine.get(lid)
            if rec is None or not rec.get("started"):
                cells.append("-")
            else:
                mark = UNVERIFIED_MARK if lid in ln.unverified else ""
                cells.append(f"{float(rec.get('score', 0.0)):g}"
                             f"{'' if rec.get('completed') else '*'}{mark}")
        cells.append(f"{ln.total_score:g}"
                     f"{UNVERIFIED_MARK if ln.unverified & set(ids) else ''}")
        rows.append(cells)
    return header, rows, legend


def stuck_rows(stats: Sequence[StepStats]) -> list[list[str]]:
    return [[f"{s.lesson}/{s.step}", f"{s.done}/{s.reached}", f"{s.mean_attempts:g}",
             f"{s.mean_hints:g}", f"{s.median_seconds:g}s", ", ".join(s.stuck) or "-",
             ", ".join(f"{c} ({n})" for c, n in sorted(s.missed.items(), key=lambda i: -i[1]))
             or "-"]
            for s in stats]


def exercise_reviews(book: GradeBook) -> list[tuple[Learner, dict[str, Any], Review]]:
    """Per learner, each exercise they started and its review, built as `lesson run`
    builds the review its learner read (checks by id: a results file keeps whether each
    check held, not what it said). The terminal, JSON and JUnit outputs all show these."""
    return [(ln, rec, review_from_record(rec)) for ln in book.learners for rec in ln.lessons
            if rec.get("mode") == "exercise" and rec.get("started")]


def review_blocks(book: GradeBook) -> list[tuple[str, list[str]]]:
    """`grade --review`: a heading and the review's lines per learner and exercise."""
    return [(f"{ln.name} ({ln.path}): {rec['id']}: {rec.get('title', '')}", review_lines(review))
            for ln, rec, review in exercise_reviews(book)]
