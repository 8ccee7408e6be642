"""`dstutor lesson check`: schema, files, hints, and the two-way test of every step.

From the state a step starts in, its checks must fail (no false pass); its solution must
make them pass (no false fail); each declared wrong attempt must fail with the check it
names; predictions must match what the simulator measures; variants must hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dstutor.errors import DstutorError, LessonError
from dstutor.lessons import confine
from dstutor.lessons._exec import Executor
from dstutor.lessons.checks import CommandRecord
from dstutor.lessons.loader import LESSON_GLOB, _display, load_lesson
from dstutor.lessons.mistakes import MISTAKE_NAMES, find_mistakes, tutor_notes, version_warnings
from dstutor.lessons.sandbox import (
    TimedLine,
    build_setup,
    check_variants,
    evaluate,
    first_failure,
    run_lines,
    run_one,
    throwaway,
)
from dstutor.lessons.schema import Lesson, Predict, Step, Wrong
from dstutor.model.kinds import CLUSTER_SCOPED
from dstutor.model.objects import is_terminating
from dstutor.sim.cluster import Cluster
from dstutor.sim.nodes import KUBELET_VERSION

# "v1.37.1" -> "1.37": every lesson states the version the simulator is.
SIM_K8S_VERSION = ".".join(KUBELET_VERSION.lstrip("v").split(".")[:2])


@dataclass
class Report:
    source: str
    lesson: Lesson | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Known mistakes (mistakes.py) its wrong attempts made, judged on the cluster they ran
    # on (a toleration's effect is only a mistake against a node's taints).
    mistakes: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems


def measure(predict: Predict, cluster: Cluster) -> int | None:
    """The true answer of a prediction, read from the cluster; None when not measurable."""
    m = predict.measure
    if m is None:
        return None
    if m.daemonset:
        return sum(1 for p in cluster.pods_of(m.daemonset, m.namespace) if not is_terminating(p))
    if m.selector:
        return sum(1 for p in cluster.list("Pod", m.namespace, m.selector)
                   if not is_terminating(p))
    obj = cluster.find(m.kind, "" if m.kind in CLUSTER_SCOPED else m.namespace, m.name)
    if obj is None:
        return None
    from dstutor.render.jsonpath import jsonpath

    try:
        text = jsonpath(m.path if m.path.startswith("{") else "{" + m.path + "}", obj)
    except DstutorError:
        return None
    return int(text) if re.fullmatch(r"-?\d+", text.strip()) else None


def _problem(lesson: Lesson, step: Step | None, message: str, line: int | None = None) -> str:
    return str(LessonError(message, path=str(lesson.path or lesson.id),
                           line=line if line is not None else (step.line if step else None),
                           step=step.id if step else None))


def _files(lesson: Lesson) -> list[str]:
    """Files the setup names must exist (the loader already confined them to the course;
    command lines that read files, such as `-f FILE`, are refused there too)."""
    problems = []
    refs: list[tuple[str | int, str]] = (
        [("cluster", lesson.setup.cluster)] if lesson.setup.cluster else [])
    refs += [(i, ref) for i, ref in enumerate(lesson.setup.manifests)]
    for key, ref in refs:
        if not (lesson.base_dir / ref).is_file():
            where = ("setup", "cluster") if key == "cluster" else ("setup", "manifests", key)
            line = lesson.lines.get(where, lesson.lines.get(("setup",)))
            problems.append(_problem(lesson, None, f"setup refers to {ref}, which does not exist",
                                     line))
    return problems


def _lint(lesson: Lesson) -> tuple[list[str], list[str]]:
    problems, warnings = _files(lesson), []
    if lesson.k8s_version != SIM_K8S_VERSION:
        problems.append(_problem(lesson, None, f"k8s_version is {lesson.k8s_version}, but "
                                 f"the simulator is Kubernetes {SIM_K8S_VERSION}: use one "
                                 "version everywhere", lesson.lines.get(("k8s_version",))))
    for step in lesson.steps:
        if not step.hints:
            problems.append(_problem(lesson, step, "every step needs at least one hint"))
        if not step.solution:
            problems.append(_problem(lesson, step, "every step needs a solution"))
        if step.quiz is None and not step.wrong:
            problems.append(_problem(lesson, step, "every step needs at least one known-wrong "
                                     "attempt (`wrong:`) that must not pass"))
        for wrong in step.wrong:
            if not wrong.message:
                problems.append(_problem(lesson, step, f"wrong attempt {list(wrong.commands)} "
                                         "needs a `message`: a phrase its feedback must "
                                         "contain", wrong.line))
        texts = [step.text, step.task, step.explain, *step.hints, *step.solution]
        if step.quiz:
            texts += [step.quiz.question, *(c.text + c.explain for c in step.quiz.choices)]
        for message in sorted({w for t in texts for w in version_warnings(t)}):
            warnings.append(_problem(lesson, step, f"version-sensitive: {message} "
                                     f"(lesson k8s_version {lesson.k8s_version})"))
    return problems, warnings


def _run_solution(lesson: Lesson, step: Step, executor: Executor, problems: list[str]
                  ) -> tuple[list[CommandRecord], str | None, list[str]]:
    records: list[CommandRecord] = []
    answer: str | None = None
    ran: list[str] = []
    predicted = False
    for line in step.solution:
        if line.startswith("answer "):
            answer = line.split()[1].lower()
            continue
        result = run_one(executor, line)
        ran.append(line)
        records.append(result)
        if result.exit_code != 0:
            problems.append(_problem(lesson, step, f"solution command failed: "
                                     f"{line.splitlines()[0]}: {result.stderr.strip()}"))
        if step.predict and not predicted and re.search(step.predict.before, line):
            predicted = True
            actual = measure(step.predict, executor.cluster)
            if actual is not None and actual != step.predict.answer:
                problems.append(_problem(lesson, step, f"the prediction's answer is "
                                         f"{step.predict.answer}, but the simulator shows "
                                         f"{actual} after `{line.splitlines()[0]}`"))
    if step.predict and not predicted:
        problems.append(_problem(lesson, step, "no solution command matches the prediction's "
                                 f"'before' pattern /{step.predict.before}/"))
    return records, answer, ran


def _run_wrong(lesson: Lesson, step: Step, before: list[str], wrong: Wrong, seen: set[str]
               ) -> tuple[list[CommandRecord], list[str], Executor]:
    """Replay the steps before, then the wrong attempt; what the learner would be told."""
    executor = build_setup(lesson)
    run_lines(executor, [TimedLine(x) for x in before])
    records, said = [], []
    for line in wrong.commands:
        at, namespace = executor.cluster.now(), executor.namespace
        result = executor.run(line)
        records.append(CommandRecord(line, result.exit_code, result.stdout, result.stderr,
                                     result.changed, namespace, at))
        said += [result.stderr, *tutor_notes(line, result.hint, executor.cluster)]
        seen.update(m.name for m in find_mistakes(line, executor.cluster))
    return records, said, executor


def _check_wrong(lesson: Lesson, step: Step, before: list[str], problems: list[str],
                 seen: set[str]) -> None:
    for wrong in step.wrong:
        records, said, executor = _run_wrong(lesson, step, before, wrong, seen)
        results = evaluate(step.checks, executor, step, records, None)
        failing = {c.name: o for c, o in results if not o.passed}
        shown = list(wrong.commands)
        if wrong.fails and wrong.fails not in {c.name for c, _o in results}:
            # A variant's check: the wrong attempt must fail there.
            history = [TimedLine(x) for x in [*before, *wrong.commands]]
            miss = check_variants(lesson, step, history, records, None)
            if miss is None or miss[1].name != wrong.fails:
                problems.append(_problem(lesson, step, f"wrong attempt {shown} should fail "
                                         f"check {wrong.fails!r} in a variant, but it does "
                                         "not", wrong.line))
                continue
            messages = [miss[2].message]
        elif wrong.fails and wrong.fails not in failing:
            problems.append(_problem(lesson, step, f"wrong attempt {shown} passes check "
                                     f"{wrong.fails!r}: a false pass", wrong.line))
            continue
        elif not failing:
            history = [TimedLine(x) for x in [*before, *wrong.commands]]
            miss = check_variants(lesson, step, history, records, None)
            if miss is None:
                problems.append(_problem(lesson, step, f"wrong attempt {shown} passes the "
                                         "step: a false pass", wrong.line))
                continue
            messages = [miss[2].message]
        else:
            messages = ([failing[wrong.fails].message] if wrong.fails
                        else [o.message for o in failing.values()])
        feedback = "\n".join([*messages, *said])
        if wrong.message and wrong.message not in feedback:
            problems.append(_problem(lesson, step, f"wrong attempt {shown} is told "
                                     f"{' / '.join(messages)!r}, which does not say "
                                     f"{wrong.message!r}", wrong.line))


def _check_expect(lesson: Lesson, step: Step | None, executor: Executor,
                  records: list[CommandRecord], problems: list[str]) -> None:
    """The claims the text makes about the cluster hold after the reference solution."""
    expect = step.expect if step is not None else lesson.setup.expect
    if not expect:
        return
    owner = step or Step("setup", "setup", "", "", (), (), ())
    for spec, outcome in evaluate(expect, executor, owner, records, None):
        if not outcome.passed:
            where = "after the setup" if step is None else "after the solution"
            problems.append(_problem(lesson, step, f"expect {spec.name!r} does not hold "
                                     f"{where}: {outcome.message}", spec.line))


def two_way(lesson: Lesson, mistakes: set[str] | None = None) -> list[str]:
    """The lesson played both ways: its solutions pass, its wrong attempts fail. The
    sessions it plays in are dropped afterwards (sandbox.throwaway); `mistakes` gains
    the named mistakes the wrong attempts make."""
    return throwaway(lambda: _two_way(lesson, mistakes))


def _two_way(lesson: Lesson, mistakes: set[str] | None) -> list[str]:
    problems: list[str] = []
    try:
        executor = build_setup(lesson)
    except LessonError as exc:
        return [str(exc)]
    history: list[str] = []
    _check_expect(lesson, None, executor, [], problems)
    for step in lesson.steps:
        start = evaluate(step.checks, executor, step, [], None)
        if first_failure(start) is None:
            problems.append(_problem(lesson, step, "the checks already pass before the "
                                     "solution: the step would pass without doing anything"))
        if step.wrong:
            _check_wrong(lesson, step, list(history), problems,
                         mistakes if mistakes is not None else set())
        records, answer, ran = _run_solution(lesson, step, executor, problems)
        history += ran
        _check_expect(lesson, step, executor, records, problems)
        results = evaluate(step.checks, executor, step, records, answer)
        failed = first_failure(results)
        if failed is not None:
            problems.append(_problem(lesson, step, f"the solution does not pass check "
                                     f"{failed[0].name!r}: {failed[1].message}",
                                     failed[0].line))
            continue
        miss = check_variants(lesson, step, [TimedLine(x) for x in history], records, answer)
        if miss is not None:
            problems.append(_problem(lesson, step, f"the solution fails variant '{miss[0]}': "
                                     f"{miss[2].message}"))
    return problems


def check_file(path: Path, course: Path | None = None) -> Report:
    """Never raises: whatever a hostile file does becomes one line in the report.

    `course`: the folder the file was found in, which it must not lead out of.
    """
    source = _display(path)
    try:
        if course is not None:
            confine.resolve_inside(course, path.name)
        return _check_file(path)
    except confine.Refused as exc:
        return Report(source, problems=[f"{source}: {exc}"])
    except RecursionError:
        return Report(source, problems=[f"{source}: the lesson is nested too deeply to check"])
    except Exception as exc:  # a defect in dstutor, still reported as one line  # noqa: BLE001
        return Report(source, problems=[f"{source}: checking this lesson failed "
                                        f"({type(exc).__name__}: {exc})"])


def _check_file(path: Path) -> Report:
    report = Report(_display(path))
    try:
        lesson = load_lesson(path)
    except LessonError as exc:
        report.problems.append(str(exc))
        return report
    report.lesson = lesson
    report.problems, report.warnings = _lint(lesson)
    if not any("setup refers to" in p for p in report.problems):
        report.problems += two_way(lesson, report.mistakes)
    return report


def mistakes_not_exercised(seen: set[str]) -> list[str]:
    """Known mistakes (mistakes.py) that no `wrong:` attempt of the course made."""
    return [name for name in MISTAKE_NAMES if name not in seen]


def expand(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        files += sorted(p.glob(LESSON_GLOB)) if p.is_dir() else [p]
    return files


def check_paths(paths: Iterable[str | Path]) -> list[Report]:
    reports = []
    for p in map(Path, paths):
        if p.is_dir():
            reports += [check_file(f, course=p) for f in sorted(p.glob(LESSON_GLOB))]
        else:
            reports.append(check_file(p))
    ids: dict[str, str] = {}
    for r in reports:
        if r.lesson is None:
            continue
        if r.lesson.id in ids:
            r.problems.append(f"{r.source}: lesson id {r.lesson.id!r} is also used by "
                              f"{ids[r.lesson.id]}")
        ids.setdefault(r.lesson.id, r.source)
    lessons = [r.lesson for r in reports if r.lesson is not None]
    if len(lessons) > 1 and reports:
        seen = set().union(*(r.mistakes for r in reports))
        for name in mistakes_not_exercised(seen):
            reports[-1].warnings.append(f"no `wrong:` attempt in this course makes the known "
                                        f"mistake {name!r} (dstutor/lessons/mistakes.py)")
    return reports
