"""A corpus of hostile results files (fixtures/hostile/results), each with its REJECTED reason.

Every file starts from one genuine export: a learner who did a live-clock lesson the way a
person does (type, wait, `check`) and part of an exercise with a hint. Each attack edits
it and, where the attack is about structure or replay, recomputes the chain and digest as
a forger with this program would, so that only the checks under test can catch it.

Regenerate (after reviewing every changed reason) with:
    PYTHONPATH=$PWD python tests/classroom/hostile_corpus.py
"""

from __future__ import annotations

import contextlib
import copy
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "fixtures" / "hostile" / "results"
EXPECTED = CORPUS / "expected.json"
COURSE = ROOT / "lessons"
LIVE_LESSON = COURSE / "02-nodes-join-and-leave.yaml"
EXERCISE = COURSE / "24-ex-namespace-move.yaml"
EXPORTED = datetime(2026, 1, 1, tzinfo=UTC)
ESCAPE_NAME = "\x1b]0;TITLE\x07\x1b[2J"
FORMULA_NAME = '=HYPERLINK("http://evil.example/","click")'
FORGED_SAVE = "/tmp/dstutor-hostile-forged-save.json"  # noqa: S108 - must never appear

# (line, wall seconds the learner waits after it)
LIVE_SESSION = [("predict 3", 2.0), ("node add worker-4", 1.0), ("check", 60.0),
                ("check", 5.0), ("hint", 3.0), ("kubectl get ds -n kube-system", 2.0),
                ("b", 2.0)]
EXERCISE_SESSION = [("hint", 5.0), ("kubectl delete ds node-logger --cascade=orphan", 5.0)]


def drive(runner: Any, session: list[tuple[str, float]], wall: list[float]) -> None:
    for line, wait in session:
        runner.handle_line(line)
        wall[0] += wait


_WALLS: dict[int, MovedWall] = {}


def _moved_wall(key: int) -> MovedWall:
    return _WALLS[key]


class MovedWall:
    """The test's stand-in for time.monotonic: wall[0], which the test moves by hand.

    It pickles as a reference to this same object (never a copy of `wall`), as
    time.monotonic pickles by name. The shell snapshots the cluster before each command
    that changed it (undo, and the guard that puts a cluster back after an internal
    error) by pickling it, clock included; a lambda does not pickle, and the shell then
    fell back to copy.deepcopy - about 50 ms a snapshot instead of 2, most of the replay
    tests' time. A restored cluster reads the same moving wall either way (deepcopy
    shares a function too).
    """

    def __init__(self, wall: list[float]) -> None:
        self.wall = wall
        self.key = len(_WALLS)
        _WALLS[self.key] = self

    def __call__(self) -> float:
        return self.wall[0]

    def __reduce__(self) -> tuple[Any, ...]:
        return _moved_wall, (self.key,)


def live_runner(lesson: Any, store: Any, wall: list[float]) -> Any:
    """A runner on the live clock, whose wall clock the test moves (a person waiting)."""
    from dstutor.lessons.runner import LessonRunner

    runner = LessonRunner(lesson, store, live=True, wall=lambda: wall[0])
    clock = runner.executor.cluster.clock
    if clock.mode == "live":  # (a lesson may ask for the manual clock)
        clock._wall = MovedWall(wall)  # noqa: SLF001 - the test's stand-in for time.monotonic
        clock.rebase()
    runner.start()
    return runner


def genuine(home: Path, learner: str = "Ada") -> dict[str, Any]:
    """The honest export every attack starts from."""
    from dstutor.classroom.replay import isolated_home
    from dstutor.classroom.results import build_results
    from dstutor.lessons.loader import load_lesson
    from dstutor.lessons.progress import ProgressStore

    live, exercise = load_lesson(LIVE_LESSON), load_lesson(EXERCISE)
    store = ProgressStore(home / "progress.json")
    wall = [1000.0]
    with isolated_home():  # the lessons' workspaces: never the real DSTUTOR_HOME
        drive(live_runner(live, store, wall), LIVE_SESSION, wall)
        drive(live_runner(exercise, store, wall), EXERCISE_SESSION, wall)
        return build_results(learner, [live, exercise], store.lessons, now=EXPORTED)


def reseal(doc: dict[str, Any]) -> dict[str, Any]:
    """What a forger does after an edit: recompute chains, scores and the digest."""
    from dstutor.classroom.results import chain, digest
    from dstutor.classroom.scoring import record_step_scores, score_lesson_record

    for rec in doc["lessons"] if isinstance(doc.get("lessons"), list) else []:
        if not isinstance(rec, dict) or not isinstance(rec.get("log"), list):
            continue
        try:
            rec["log"] = chain([{k: v for k, v in e.items() if k != "hash"}
                                for e in rec["log"]], str(doc["learner"]), str(rec["id"]))
            rec["log_head"] = rec["log"][-1]["hash"] if rec["log"] else rec["log_head"]
            for step, score in zip(rec["steps"], record_step_scores(rec), strict=True):
                step.update(earned=score.earned, possible=score.possible)
            rec["steps_done"] = sum(1 for step in rec["steps"] if step["done"])
            rec["completed"] = all(step["done"] for step in rec["steps"])
            rec["score"] = score_lesson_record(rec)
        except (TypeError, ValueError, KeyError, AttributeError, OverflowError):
            pass
    with contextlib.suppress(TypeError, KeyError, OverflowError):
        doc["total_score"] = round(sum(r["score"] for r in doc["lessons"]), 2)
    doc["digest"] = digest(doc)
    return doc


def _dump(doc: Any) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _edit(edit: Callable[[dict[str, Any]], Any], *, seal: bool = True) -> Callable[[dict], str]:
    def make(base: dict[str, Any]) -> str:
        doc = copy.deepcopy(base)
        edit(doc)
        return _dump(reseal(doc) if seal else doc)
    return make


def _redigest(edit: Callable[[dict[str, Any]], Any], base: dict[str, Any]) -> str:
    """An edit after resealing, with only the digest recomputed."""
    from dstutor.classroom.results import digest

    doc = reseal(copy.deepcopy(base))
    edit(doc)
    doc["digest"] = digest(doc)
    return _dump(doc)


def _raw(replace: tuple[str, str]) -> Callable[[dict], str]:
    def make(base: dict[str, Any]) -> str:
        text = _dump(base)
        assert replace[0] in text, replace[0]
        return text.replace(replace[0], replace[1], 1)
    return make


def _live(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["lessons"][0]


def _exercise(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["lessons"][1]


def _forge_checks(doc: dict[str, Any]) -> None:
    for check in _exercise(doc)["steps"][0]["checks"]:
        check["passed"] = True


def _hide_hints(doc: dict[str, Any]) -> None:
    rec = _exercise(doc)
    rec["steps"][0]["hints_used"] = 0
    rec["hints_used"] = 0


def _downgrade_and_hide_hints(doc: dict[str, Any]) -> None:
    """The exercise record made to look begun by an older dstutor (no `log_complete`, no
    typed lines, no kinds), so the replay cannot see the `hint`: graded, but marked."""
    rec = _exercise(doc)
    rec.pop("log_complete", None)
    rec["log"] = [{k: v for k, v in e.items() if k != "kind"} for e in rec["log"]
                  if e["kind"] != "typed"]
    _hide_hints(doc)


def _duplicate(doc: dict[str, Any]) -> None:
    doc["lessons"].append(copy.deepcopy(_live(doc)))


def _append_line(line: str, **extra: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        log = _live(doc)["log"]
        entry = {**log[-1], "line": line, "exit": 0, "kind": "run", **extra}
        log.append(entry)
    return edit


def _append_lines(lines: list[str]) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        for line in lines:
            _append_line(line)(doc)
    return edit


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        target: Any = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return edit


def _move_check_earlier(doc: dict[str, Any]) -> None:
    # The live session's second `check` (after waiting a minute) moved to before the wait.
    log = _live(doc)["log"]
    log[3]["t"] = log[2]["t"]


def _drop_waiting_check(doc: dict[str, Any]) -> None:
    del _live(doc)["log"][3]


DEEP = "[" * 100_000 + "]" * 100_000

# file name -> how to make it from the genuine document; `course`: needs --course
ATTACKS: dict[str, tuple[Callable[[dict[str, Any]], str], bool]] = {
    "attempts-null.json": (_edit(_set(("lessons", 0, "steps", 0, "attempts"), None)), False),
    "t-1e18.json": (_edit(_set(("lessons", 0, "log", 0, "t"), 1e18)), False),
    "t-infinity.json": (_raw(('"t": 1767225606.0', '"t": Infinity')), False),
    "t-nan.json": (_raw(('"t": 1767225606.0', '"t": NaN')), False),
    "huge-integer.json": (_raw(('"attempts": 0', '"attempts": ' + "9" * 5000)), False),
    "deep-nesting.json": (_raw(('"prediction": null', '"prediction": ' + DEEP)), False),
    "unknown-field.json": (_edit(_set(("lessons", 0, "extra"), {"a": [[[[1]]]]})), False),
    "lessons-null.json": (_edit(_set(("lessons",), None)), False),
    "steps-a-mapping.json": (_edit(_set(("lessons", 0, "steps"), {"join": {}})), False),
    "exit-code-huge.json": (_edit(_set(("lessons", 0, "log", 1, "exit"), 10**6)), False),
    "kind-unknown.json": (_edit(_set(("lessons", 0, "log", 1, "kind"), "shell")), False),
    "version-true.json": (_edit(_set(("format_version",), True)), False),
    "version-3.json": (_edit(_set(("format_version",), 3)), False),
    "surrogate-name.json": (_raw(('"learner": "Ada"', '"learner": "\\ud800"')), False),
    "surrogate-key.json": (_raw(('"learner": "Ada"', '"learner": "Ada", "\\ud800\\u001b[2J": 1')),
                           False),
    "not-an-object.json": (lambda base: "[]\n", False),
    "empty.json": (lambda base: "", False),
    "duplicate-lesson.json": (_edit(_duplicate), False),
    "earned-inflated.json": (lambda base: _redigest(_set(("lessons", 1, "steps", 0, "earned"),
                                                          6.0), base), False),
    "weights-inflated.json": (_edit(_set(("lessons", 1, "steps", 0, "checks", 1, "weight"),
                                         100.0)), True),
    "hint-cost-zeroed.json": (_edit(_set(("lessons", 1, "scoring", "hint_cost"), 0.0)), True),
    "steps-renamed.json": (_edit(_set(("lessons", 0, "steps", 2, "id"), "gone")), True),
    "kinds-downgraded.json": (_edit(_set(("lessons", 0, "log", 3, "kind"), "")), False),
    "digest-stale.json": (_edit(_set(("lessons", 0, "score"), 100.0), seal=False), False),
    # forgeries a consistent file hides: only the replay (--course) catches them
    "checks-flipped.json": (_edit(_forge_checks), True),
    "hints-hidden.json": (_edit(_hide_hints), True),
    "hints-hidden-older-log.json": (_edit(_downgrade_and_hide_hints), True),
    "check-moved-earlier.json": (_edit(_move_check_earlier), True),
    "waiting-check-removed.json": (_edit(_drop_waiting_check), True),
    "forged-save.json": (_edit(_append_line(f"save {FORGED_SAVE}")), True),
    "forged-advance.json": (_edit(_append_line("advance 9999h")), True),
    "forged-advance-week.json": (_edit(_append_lines(["advance 24h"] * 8)), True),
    "forged-map-svg.json": (_edit(_append_line("map --svg=dstutor-hostile.svg")), True),
    "forged-apply-file.json": (_edit(_append_line("kubectl apply -f /etc/passwd")), True),
    "forged-edit.json": (_edit(_append_line("kubectl edit ds node-logger -n kube-system")),
                         True),
    # graded, but nothing of the name reaches a terminal, CSV or XML raw
    "name-escapes.json": (_edit(_set(("learner",), ESCAPE_NAME)), False),
    "name-formula.json": (_edit(_set(("learner",), FORMULA_NAME)), False),
}


def build(home: Path) -> dict[str, tuple[str, bool]]:
    base = genuine(home)
    files = {"genuine.json": (_dump(base), False)}
    for name, (make, course) in ATTACKS.items():
        files[name] = (make(base), course)
    return files


def main() -> None:
    import tempfile

    from dstutor.classroom.grade import load_class
    from dstutor.lessons.loader import load_course

    lessons, _ = load_course(COURSE)
    CORPUS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        files = build(Path(tmp))
    expected = {}
    for name, (text, course) in files.items():
        (CORPUS / name).write_text(text, encoding="utf-8")
        book = load_class([str(CORPUS / name)], lessons=lessons if course else None)
        reasons = book.rejected[0].reasons if book.rejected else []
        notes = book.learners[0].notes if book.learners else []
        expected[name] = {"course": course, "reasons": reasons, "notes": notes}
        print(f"{name}: {reasons} {notes}", file=sys.stderr)
    EXPECTED.write_text(json.dumps(expected, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
