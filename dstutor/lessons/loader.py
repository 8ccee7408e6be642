"""Read lesson files into `schema` objects; every schema error names file, line and step."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from dstutor import yamlio
from dstutor.errors import DstutorError, LessonError
from dstutor.lessons import confine
from dstutor.lessons.checks import CHECKS
from dstutor.lessons.exercise import CHECK_KEYS, ExerciseMeta, meta_from_data
from dstutor.lessons.fields import CHECK_PARAMS, TEXT, check_types, keys
from dstutor.lessons.schema import (
    FORMAT_VERSION,
    CheckSpec,
    Choice,
    Lesson,
    Measure,
    NodeDef,
    Predict,
    Quiz,
    Setup,
    Step,
    Variant,
    Wrong,
)
from dstutor.model.timefmt import parse_go_duration
from dstutor.textsafe import visible_line

# The known fields of each mapping come from the one table of fields and types.
LESSON_KEYS = keys("lesson")
SETUP_KEYS = keys("setup")
NODE_KEYS = keys("node")
STEP_KEYS = keys("step")
QUIZ_KEYS = keys("quiz")
CHOICE_KEYS = keys("choice")
PREDICT_KEYS = keys("predict")
MEASURE_KEYS = keys("measure")
WRONG_KEYS = keys("wrong")
VARIANT_KEYS = keys("variant")
SLUG_RE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LESSON_GLOB = "[0-9][0-9]-*.yaml"
K8S_VERSION_RE = re.compile(r"^1\.\d{2}$")

Path_ = tuple[str | int, ...]


class _Reader:
    """Walks one lesson document, turning each problem into a LessonError with a line."""

    def __init__(self, source: str, lines: Mapping[Path_, int]) -> None:
        self.source = source
        self.lines = lines
        self.step: str | None = None

    def line(self, path: Path_) -> int | None:
        # The nearest enclosing node that has a line: a missing key points at its parent.
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def fail(self, path: Path_, message: str) -> LessonError:
        return LessonError(message, path=self.source, line=self.line(path), step=self.step)

    def mapping(self, value: Any, path: Path_, keys: set[str], what: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"{what} must be a mapping")
        for key in value:
            if key not in keys:
                raise self.fail((*path, key), f"unknown field {key!r} in {what} "
                                f"(known: {', '.join(sorted(keys))})")
        return value

    def text(self, data: dict[str, Any], key: str, path: Path_, *, required: bool = False,
             default: str = "") -> str:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail(path, f"missing required field {key!r}")
            return default
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise self.fail((*path, key), f"{key!r} must be a string")
        return str(value)

    def strings(self, data: dict[str, Any], key: str, path: Path_) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail((*path, key), f"{key!r} must be a list of strings")
        return tuple(value)

    def integer(self, data: dict[str, Any], key: str, path: Path_, default: int) -> int:
        value = data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail((*path, key), f"{key!r} must be a whole number")
        return value

    # --- parts ---------------------------------------------------------------------

    def check(self, raw: Any, path: Path_) -> CheckSpec:
        if not isinstance(raw, dict) or "kind" not in raw:
            raise self.fail(path, "a check must be a mapping with a 'kind'")
        kind = raw["kind"]
        known = CHECKS.get(str(kind))
        if known is None:
            raise self.fail((*path, "kind"), f"unknown check kind {kind!r} "
                            f"(known: {', '.join(sorted(CHECKS))})")
        # `weight` is exercise scoring (exercise.py), not a check parameter
        params = {k: _as_text(k, v) for k, v in raw.items()
                  if k not in ("kind", "id") and k not in CHECK_KEYS}
        allowed = set(known.required) | set(known.optional)
        for key in params:
            if key not in allowed:
                raise self.fail((*path, key), f"check {kind!r}: unknown parameter {key!r} "
                                f"(allowed: {', '.join(sorted(allowed))})")
        for key in known.required:
            if key not in params:
                raise self.fail(path, f"check {kind!r}: missing parameter {key!r}")
        problem = known.validate(params)
        if problem:
            raise self.fail(path, f"check {kind!r}: {problem}")
        return CheckSpec(str(kind), MappingProxyType(params), str(raw.get("id") or ""),
                         self.line(path))

    def checks(self, data: dict[str, Any], path: Path_, key: str = "checks"
               ) -> tuple[CheckSpec, ...]:
        raw = data.get(key) or []
        if not isinstance(raw, list):
            raise self.fail((*path, key), f"'{key}' must be a list")
        return tuple(self.check(c, (*path, key, i)) for i, c in enumerate(raw))

    def quiz(self, raw: Any, path: Path_) -> Quiz:
        data = self.mapping(raw, path, QUIZ_KEYS, "quiz")
        choices_raw = data.get("choices")
        if not isinstance(choices_raw, list) or len(choices_raw) < 2:
            raise self.fail(path, "a quiz needs at least two choices")
        choices = []
        for i, c in enumerate(choices_raw):
            cp = (*path, "choices", i)
            cd = self.mapping(c, cp, CHOICE_KEYS, "quiz choice")
            choices.append(Choice(self.text(cd, "text", cp, required=True),
                                  bool(cd.get("correct", False)),
                                  self.text(cd, "explain", cp, required=True)))
        if sum(c.correct for c in choices) != 1:
            raise self.fail(path, "a quiz needs exactly one choice with correct: true")
        return Quiz(self.text(data, "question", path, required=True), tuple(choices))

    def predict(self, raw: Any, path: Path_) -> Predict:
        data = self.mapping(raw, path, PREDICT_KEYS, "predict")
        before = self.text(data, "before", path, required=True)
        try:
            re.compile(before)
        except re.error as exc:
            raise self.fail((*path, "before"), f"'before' is not a valid pattern: {exc}") from None
        measure = None
        if data.get("measure") is not None:
            mp = (*path, "measure")
            md = self.mapping(data["measure"], mp, MEASURE_KEYS, "measure")
            measure = Measure(**{k: str(v) for k, v in md.items()})
            if not (measure.daemonset or measure.selector
                    or (measure.kind and measure.name and measure.path)):
                raise self.fail(mp, "measure needs 'daemonset', 'selector', or 'kind', 'name' "
                                "and 'path'")
        return Predict(self.text(data, "question", path, required=True),
                       self.integer(data, "answer", path, 0), before,
                       self.text(data, "explain", path), measure)

    def step_(self, raw: Any, path: Path_, seen: set[str]) -> Step:
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            self.step = raw["id"]
        data = self.mapping(raw, path, STEP_KEYS, "step")
        sid = self.text(data, "id", path, required=True)
        if not SLUG_RE.match(sid):
            raise self.fail((*path, "id"), f"step id {sid!r} must be a lowercase slug")
        if sid in seen:
            raise self.fail((*path, "id"), f"duplicate step id {sid!r}")
        seen.add(sid)
        quiz = self.quiz(data["quiz"], (*path, "quiz")) if data.get("quiz") else None
        predict = (self.predict(data["predict"], (*path, "predict"))
                   if data.get("predict") else None)
        checks = self.checks(data, path)
        solution = self.strings(data, "solution", path)
        if quiz is not None:
            if not any(c.kind == "quiz_answered" for c in checks):
                checks = (*checks, CheckSpec("quiz_answered", line=self.line(path)))
            if not solution:
                solution = (f"answer {quiz.correct_letter()}",)
        if not checks:
            raise self.fail(path, "a step needs at least one check (or a quiz)")
        names = [c.name for c in checks]
        dup = next((n for n in names if names.count(n) > 1), None)
        if dup:
            raise self.fail((*path, "checks"), f"two checks are both named {dup!r}: "
                            "give them different 'id's so 'wrong' entries can name one")
        wrong = []
        for i, w in enumerate(data.get("wrong") or []):
            wp = (*path, "wrong", i)
            wd = self.mapping(w, wp, WRONG_KEYS, "wrong entry")
            wrong.append(Wrong(self.strings(wd, "commands", wp),
                               self.text(wd, "fails", wp),
                               self.text(wd, "message", wp), self.line(wp)))
        variants = []
        for i, v in enumerate(data.get("variants") or []):
            vp = (*path, "variants", i)
            vd = self.mapping(v, vp, VARIANT_KEYS, "variant")
            variants.append(Variant(self.text(vd, "name", vp, required=True),
                                    self.strings(vd, "commands", vp), self.checks(vd, vp),
                                    self.line(vp)))
        known = set(names) | {c.name for v in variants for c in v.checks}
        for w in wrong:
            if w.fails and w.fails not in known:
                raise LessonError(f"wrong entry names check {w.fails!r}, which the step does not "
                                  f"have (checks: {', '.join(sorted(known))})",
                                  path=self.source, line=w.line, step=sid)
        return Step(sid, self.text(data, "title", path, default=sid),
                    self.text(data, "text", path), self.text(data, "task", path),
                    checks, self.strings(data, "hints", path), solution,
                    self.text(data, "explain", path), tuple(wrong), tuple(variants), quiz,
                    predict, self.line(path), self.checks(data, path, "expect"))

    def setup(self, raw: Any) -> Setup:
        if raw is None:
            return Setup()
        path: Path_ = ("setup",)
        data = self.mapping(raw, path, SETUP_KEYS, "setup")
        nodes = []
        for i, n in enumerate(data.get("nodes") or []):
            np_ = (*path, "nodes", i)
            nd = self.mapping(n, np_, NODE_KEYS, "node")
            labels = nd.get("labels") or {}
            if not isinstance(labels, dict):
                raise self.fail((*np_, "labels"), "'labels' must be a mapping")
            nodes.append(NodeDef(self.text(nd, "name", np_, required=True),
                                 MappingProxyType({str(k): str(v) for k, v in labels.items()}),
                                 self.strings(nd, "taints", np_), self.strings(nd, "roles", np_)))
        clock = self.text(data, "clock", path)
        if clock not in ("", "manual", "live"):
            raise self.fail((*path, "clock"), f"clock must be manual or live, not {clock!r}")
        settle = None
        if data.get("settle") is not None:
            try:
                settle = parse_go_duration("".join(str(data["settle"]).split()))
            except ValueError:
                settle = -1.0
            if settle < 0:
                raise self.fail((*path, "settle"), "settle must be a duration such as 30s")
        return Setup(self.text(data, "cluster", path), self.integer(data, "workers", path, 3),
                     tuple(nodes), self.strings(data, "manifests", path),
                     self.strings(data, "commands", path), self.integer(data, "seed", path, 1),
                     clock, self.checks(data, path, "expect"), settle)


def load_lesson(path: str | Path) -> Lesson:
    """One lesson file, fully checked against the schema (not yet two-way tested).

    Types first (one table, `fields.py`), then structure, then confinement: every file
    the lesson names and every command it runs (`confine.py`).
    """
    source = _display(path)
    if visible_line(Path(path).name) != Path(path).name:
        # The file stem is the lesson's slug, shown in prompts and lists.
        raise LessonError("the file name contains a control character", path=source)
    try:
        text = confine.read_regular(path, source)
        data, lines = yamlio.load_with_lines(text, source)
    except DstutorError as exc:
        raise LessonError(str(exc).removeprefix("error: "), path=source) from None
    r = _Reader(source, lines)

    def type_error(where: Path_, message: str) -> LessonError:
        r.step = _step_of(data, where)
        return r.fail(where, message)

    check_types(data, type_error)
    data = r.mapping(data, (), LESSON_KEYS, "lesson")
    if "format_version" not in data:
        raise r.fail((), "missing required field 'format_version'")
    version = data["format_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise r.fail(("format_version",), "'format_version' must be a whole number")
    if version > FORMAT_VERSION:
        raise r.fail(("format_version",), f"format_version {version} is newer than this "
                     f"dstutor understands ({FORMAT_VERSION}): upgrade dstutor")
    if version < 1:
        raise r.fail(("format_version",), f"unknown format_version {version}")
    k8s = r.text(data, "k8s_version", (), required=True)
    if not K8S_VERSION_RE.match(k8s):
        raise r.fail(("k8s_version",), f"k8s_version {k8s!r} must look like \"1.37\" (quote it "
                     "in YAML, or 1.30 reads as 1.3)")
    lid = r.text(data, "id", (), required=True)
    if not SLUG_RE.match(lid):
        raise r.fail(("id",), f"lesson id {lid!r} must be a lowercase slug")
    steps_raw = data.get("steps")
    exercise = _exercise(r, data)
    if not isinstance(steps_raw, list) or not steps_raw:
        raise r.fail(("steps",), "a lesson needs a non-empty list of steps")
    setup = r.setup(data.get("setup"))
    seen: set[str] = set()
    steps = tuple(r.step_(s, ("steps", i), seen) for i, s in enumerate(steps_raw))
    r.step = None
    lesson = Lesson(version, lid, r.text(data, "title", (), required=True),
                    r.text(data, "summary", ()), r.text(data, "k8s_version", (), required=True),
                    steps, setup, r.integer(data, "minutes", (), 0), r.text(data, "outro", ()),
                    Path(path), MappingProxyType(dict(lines)), exercise)
    _confine(r, lesson)
    return lesson


def _cluster_manifests(root: Path, ref: str) -> list[str]:
    """The manifests a cluster file names, as paths from the course folder (its other
    problems are reported when the cluster is built)."""
    try:
        data = yamlio.load_one(confine.read_inside(root, ref), ref)
    except confine.Refused:
        raise
    except DstutorError:
        return []
    found = data.get("manifests") if isinstance(data, dict) else None
    if not isinstance(found, list):
        return []
    return [str(Path(ref).parent / str(m)) for m in found]


def lesson_lines(lesson: Lesson) -> list[tuple[Path_, str | None, str, bool]]:
    """Every command line a lesson runs: (where in the file, step id, line, in a solution)."""
    found: list[tuple[Path_, str | None, str, bool]] = [
        (("setup", "commands", i), None, c, False) for i, c in enumerate(lesson.setup.commands)]
    for i, step in enumerate(lesson.steps):
        here: Path_ = ("steps", i)
        found += [((*here, "solution", j), step.id, c, True)
                  for j, c in enumerate(step.solution)]
        for k, wrong in enumerate(step.wrong):
            found += [((*here, "wrong", k, "commands", j), step.id, c, False)
                      for j, c in enumerate(wrong.commands)]
        for k, variant in enumerate(step.variants):
            found += [((*here, "variants", k, "commands", j), step.id, c, False)
                      for j, c in enumerate(variant.commands)]
    return found


def _confine(r: _Reader, lesson: Lesson) -> None:
    """Files inside the course folder; commands that touch no file (see confine.py)."""
    refs: list[tuple[Path_, str]] = []
    if lesson.setup.cluster:
        refs.append((("setup", "cluster"), lesson.setup.cluster))
    refs += [(("setup", "manifests", i), m) for i, m in enumerate(lesson.setup.manifests)]
    for where, ref in refs:
        try:
            confine.check_inside(lesson.base_dir, ref)
            if where == ("setup", "cluster"):
                for inner in _cluster_manifests(lesson.base_dir, ref):
                    confine.check_inside(lesson.base_dir, inner)
        except confine.Refused as exc:
            raise r.fail(where, f"setup: {exc}") from None
    written = confine.written_files([line for _, _, line, _ in lesson_lines(lesson)])
    for where, step_id, line, solution in lesson_lines(lesson):
        problem = confine.command_problem(line, solution=solution, written=written)
        if problem:
            r.step = step_id
            raise r.fail(where, problem)


def _as_text(key: str, value: Any) -> Any:
    """A check parameter typed as text (fields.CHECK_PARAMS) given as a number: `value: 1`
    means the label value "1", and the check code may rely on getting a string."""
    if CHECK_PARAMS.get(key) is TEXT and isinstance(value, int | float) \
            and not isinstance(value, bool):
        return str(value)
    return value


def _step_of(data: Any, where: Path_) -> str | None:
    """The id of the step a path is in, for error messages; None outside steps."""
    if len(where) < 2 or where[0] != "steps" or not isinstance(where[1], int):
        return None
    steps = data.get("steps") if isinstance(data, dict) else None
    step = steps[where[1]] if isinstance(steps, list) and len(steps) > where[1] else None
    sid = step.get("id") if isinstance(step, dict) else None
    return sid if isinstance(sid, str) and SLUG_RE.match(sid) else None


def _exercise(r: _Reader, data: dict[str, Any]) -> ExerciseMeta:
    """mode/time_limit/scoring/weight, carried on the lesson; a bad value names its line."""
    try:
        return meta_from_data(data)
    except ValueError as exc:
        key = next((k for k in ("mode", "time_limit", "scoring") if k in str(exc)), "steps")
        raise r.fail((key,) if key in data else (), str(exc)) from None


def _display(path: str | Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        # The file as named (not where a symlink leads): that is what the user knows.
        return str((p.parent.resolve() / p.name).relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):
        return str(p)


def packaged_course() -> Path:
    return Path(__file__).resolve().parent.parent / "_lessons"


def checkout_course() -> Path:
    return Path(__file__).resolve().parent.parent.parent / "lessons"


def find_course(course: str | Path | None = None) -> Path:
    """--course, else DSTUTOR_COURSE, else ./lessons of a checkout, else the packaged copy."""
    if course:
        return Path(course)
    env = os.environ.get("DSTUTOR_COURSE")
    if env:
        return Path(env)
    here = checkout_course()
    if here.is_dir() and any(here.glob(LESSON_GLOB)):
        return here
    return packaged_course()


def lesson_files(course: Path) -> list[Path]:
    return sorted(course.glob(LESSON_GLOB))


def load_course(course: Path) -> tuple[list[Lesson], list[LessonError]]:
    """Every lesson in a course folder, in file order, plus the files that did not load.

    One broken lesson never hides the others: whatever goes wrong loading it becomes its
    error, so `lesson list` still shows the rest of the course.
    """
    lessons: list[Lesson] = []
    errors: list[LessonError] = []
    for path in lesson_files(course):
        try:
            confine.resolve_inside(course, path.name)
            lessons.append(load_lesson(path))
        except confine.Refused as exc:
            errors.append(LessonError(str(exc), path=_display(path)))
        except LessonError as exc:
            errors.append(exc)
        except Exception as exc:  # a defect, not the author's fault: still one line  # noqa: BLE001
            errors.append(LessonError(f"cannot load this lesson ({type(exc).__name__}: "
                                      f"{exc})", path=_display(path)))
    return lessons, errors


def find_lesson(lessons: list[Lesson], wanted: str) -> Lesson | None:
    """By id, file stem (`04-taints`) or number (`4`, `04`)."""
    for lesson in lessons:
        if wanted in (lesson.id, lesson.slug):
            return lesson
    if wanted.isdigit():
        for lesson in lessons:
            if lesson.slug.split("-", 1)[0].lstrip("0") == wanted.lstrip("0"):
                return lesson
    return None
