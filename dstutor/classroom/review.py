"""The review at the end of an exercise: per task its points, and what was missed.

`build_review` decides (pure, on plain data) and `review_text` renders; the lesson runner
only shows the text, through the hook `scoreview.exercise_hooks` hands it. The points come
from the same functions as the results file (`scoring.step_score`, `scoring.lesson_score`),
so the review a learner reads and the grade an instructor sees always agree. A review is
built from a running lesson (`review_from_progress`, with the checks' own messages) or
from a results-file record (`review_from_record`, with the checks' ids only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dstutor.classroom.scoring import lesson_score, step_score
from dstutor.lessons.exercise import Scoring
from dstutor.lessons.progress import LessonProgress, StepProgress
from dstutor.lessons.schema import Lesson
from dstutor.textsafe import visible_line

# Why the exercise ended: every task done or skipped, the time limit passed, `end`.
DONE, TIME, END = "done", "time", "end"
ENDED_HEAD = {
    DONE: "Every task is done or skipped: the exercise is over.",
    TIME: "Time is up: the exercise ends here.",
    END: "You ended the exercise.",
}
ENDED_TAIL = {
    TIME: ("`dstutor lesson run` lets you finish it late (the late cost stays);\n"
           "`dstutor lesson run --restart` starts it again."),
    END: ("`dstutor lesson run` takes it up again where you stopped (the clock goes on);\n"
          "`dstutor lesson run --restart` starts it again."),
}


@dataclass(frozen=True)
class CheckResult:
    """One check of a task as it stands: `message` is what the check says (exam wording:
    what is wrong, never the expected value); empty when only the id is known."""

    name: str
    weight: float
    passed: bool
    message: str = ""


@dataclass(frozen=True)
class TaskState:
    """What the learner did in one task (a step of the exercise)."""

    id: str
    title: str
    done: bool = False
    skipped: bool = False
    solution_seen: bool = False
    hints_used: int = 0
    seconds: float = 0.0
    # Each check's result; None when unknown (a finished task earns all its weight).
    checks: tuple[CheckResult, ...] | None = None
    weights: tuple[float, ...] = ()  # used when `checks` is None


@dataclass(frozen=True)
class Missed:
    name: str
    points: float  # what the check was worth (0: required, but worth no points)
    message: str


@dataclass(frozen=True)
class TaskReview:
    number: int
    id: str
    title: str
    status: str  # done | skipped | solution shown | not finished
    earned: float  # points, rounded to 0.01
    possible: float
    hints_used: int
    hint_cost: float  # points these hints cost
    missed: tuple[Missed, ...]


@dataclass(frozen=True)
class Review:
    title: str
    tasks: tuple[TaskReview, ...]
    points: float  # a perfect score
    task_points: float  # points earned by the tasks, before costs
    hints_used: int
    hint_cost: float  # per hint
    seconds: float
    time_limit: float | None
    over_time: bool
    late_cost: float  # what lateness costs (applied only when over_time)
    score: float  # the final score: exactly the results file's

    @property
    def hints_total(self) -> float:
        return round(self.hints_used * self.hint_cost, 2)

    @property
    def late_total(self) -> float:
        return self.late_cost if self.over_time else 0.0


def _status(task: TaskState) -> str:
    if task.skipped:
        return "skipped"
    if task.solution_seen:
        return "solution shown"
    return "done" if task.done else "not finished"


def build_review(title: str, tasks: Sequence[TaskState], scoring: Scoring,
                 time_limit: float | None) -> Review:
    """The review of an exercise, scored as `results export` scores it."""
    weights = [tuple(c.weight for c in t.checks) if t.checks is not None else t.weights
               for t in tasks]
    scores = [step_score(mode="exercise", done=t.done, skipped=t.skipped,
                         solution_seen=t.solution_seen, check_weights=w,
                         checks_passed=None if t.checks is None or t.done
                         else [c.passed for c in t.checks])
              for t, w in zip(tasks, weights, strict=True)]
    total = sum(s.possible for s in scores)

    def points(units: float) -> float:
        return round(scoring.points * units / total, 2) if total else 0.0

    reviews = []
    for number, (task, score) in enumerate(zip(tasks, scores, strict=True), start=1):
        # A finished task missed nothing a check could name: it earned all its weight, or
        # nothing because it was skipped or its solution shown (the status says which).
        failing = () if task.done or task.checks is None else tuple(
            Missed(c.name, points(c.weight), c.message) for c in task.checks if not c.passed)
        reviews.append(TaskReview(number, task.id, task.title, _status(task),
                                  points(score.earned), points(score.possible),
                                  task.hints_used,
                                  round(task.hints_used * scoring.hint_cost, 2), failing))
    seconds = round(sum(round(t.seconds, 3) for t in tasks), 3)
    over = time_limit is not None and seconds > time_limit
    hints = sum(t.hints_used for t in tasks)
    final = lesson_score(scores, points=scoring.points, hint_cost=scoring.hint_cost,
                         hints_used=hints, late_cost=scoring.late_cost, over_time=over)
    earned = sum(s.earned for s in scores)
    return Review(title, tuple(reviews), scoring.points, points(earned), hints,
                  scoring.hint_cost, seconds, time_limit, over, scoring.late_cost, final)


def review_from_progress(lesson: Lesson, progress: LessonProgress,
                         outcomes: Mapping[str, Sequence[tuple[bool, str]]]) -> Review:
    """The review of a running exercise; `outcomes` holds, per unfinished task, each
    check's (passed, message) on the cluster as it is now."""
    meta = lesson.exercise
    tasks = []
    for step in lesson.steps:
        sp = progress.steps.get(step.id) or StepProgress()
        weights = meta.check_weights(step.id, len(step.checks))
        found = outcomes.get(step.id)
        checks = None if found is None or sp.done else tuple(
            CheckResult(spec.name, w, ok, msg)
            for spec, w, (ok, msg) in zip(step.checks, weights, found, strict=True))
        tasks.append(TaskState(step.id, step.title, sp.done, sp.skipped, sp.solution_seen,
                               sp.hints_used, sp.seconds, checks, weights))
    return build_review(lesson.title, tasks, meta.scoring, meta.time_limit)


def review_from_record(record: Mapping[str, Any]) -> Review:
    """The review of a results-file lesson record (checked by `verify` beforehand)."""
    raw = record.get("scoring") or {}
    scoring = Scoring(float(raw.get("points", 100.0)), float(raw.get("hint_cost", 0.0)),
                      float(raw.get("late_cost", 0.0)))
    tasks = []
    for s in record.get("steps") or []:
        checks = s.get("checks")
        results = tuple(CheckResult(str(c["id"]), float(c.get("weight", 1)),
                                    bool(c.get("passed"))) for c in checks) if checks else None
        tasks.append(TaskState(str(s["id"]), str(s.get("title", s["id"])),
                               bool(s.get("done")), bool(s.get("skipped")),
                               bool(s.get("solution_seen")), int(s.get("hints_used", 0)),
                               float(s.get("seconds", 0.0)), results,
                               () if checks else (1.0,)))
    limit = record.get("time_limit")
    return build_review(str(record.get("title", record.get("id", ""))), tasks, scoring,
                        float(limit) if limit is not None else None)


def review_data(review: Review) -> dict[str, Any]:
    """The review as plain data, for `dstutor grade --json`: the same figures the text
    shows (`review_lines`), unrounded by formatting, so a script can sort and sum them."""
    return {
        "title": review.title,
        "tasks": [{"number": t.number, "id": t.id, "title": t.title, "status": t.status,
                   "earned": t.earned, "possible": t.possible, "hints_used": t.hints_used,
                   "hint_cost": t.hint_cost,
                   "missed": [{"check": m.name, "points": m.points} for m in t.missed]}
                  for t in review.tasks],
        "task_points": review.task_points,
        "points": review.points,
        "hints_used": review.hints_used,
        "hint_cost": review.hint_cost,
        "hints_total": review.hints_total,
        "seconds": review.seconds,
        "time_limit": review.time_limit,
        "over_time": review.over_time,
        "late_cost": review.late_cost,
        "late_total": review.late_total,
        "score": review.score,
    }


# --- text -----------------------------------------------------------------------------------

def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}m{whole % 60:02d}s"


def _limit(seconds: float) -> str:
    return f"{int(seconds // 60)}m" if seconds % 60 == 0 else _clock(seconds)


def _pts(value: float) -> str:
    return f"{value:g} point" + ("" if value == 1 else "s")


def task_lines(task: TaskReview) -> list[str]:
    """What one task's review says under its heading: why it earned nothing, each check
    it missed and its points, what its hints cost."""
    lines = []
    if task.status == "skipped":
        lines.append("skipped: the solution was applied, so the task earns nothing")
    elif task.status == "solution shown":
        lines.append("solution shown: the task earns nothing")
    for miss in task.missed:
        worth = _pts(miss.points) if miss.points else "no points, but the task needs it"
        said = f": {visible_line(miss.message)}" if miss.message else ""
        lines.append(f"missed {visible_line(miss.name)} ({worth}){said}")
    if task.hints_used:
        lines.append(f"hints: {task.hints_used} used, -{_pts(task.hint_cost)}")
    return lines


def review_lines(review: Review) -> list[str]:
    """The review without its heading: per task, then the costs and the final score.

    Text from the lesson file (titles) and from checks (messages naming objects) is shown
    on one line with control characters visible.
    """
    lines = []
    count = len(review.tasks)
    for task in review.tasks:
        status = "" if task.status == "done" else f" ({task.status})"
        lines.append(f"Task {task.number}/{count}: {visible_line(task.title)}: "
                     f"{task.earned:g} of {_pts(task.possible)}{status}")
        lines += ["  " + line for line in task_lines(task)]
    lines.append(f"Tasks: {review.task_points:g} of {_pts(review.points)}")
    if review.hint_cost:
        lines.append(f"Hints: {review.hints_used} × {review.hint_cost:g} = "
                     f"-{_pts(review.hints_total)}" if review.hints_used
                     else f"Hints: none used (each costs {_pts(review.hint_cost)})")
    elif review.hints_used:
        lines.append(f"Hints: {review.hints_used} used, free in this exercise")
    if review.time_limit is not None:
        over = (f": over the limit, -{_pts(review.late_cost)}" if review.over_time
                else ": within the limit")
        lines.append(f"Time: {_clock(review.seconds)} of {_limit(review.time_limit)}{over}")
    floored = review.score == 0 and (review.task_points - review.hints_total
                                     - review.late_total) < 0
    lines.append(f"Score: {review.score:g} of {review.points:g}"
                 + (" (costs never take a score below 0)" if floored else ""))
    return lines


def review_text(review: Review, ended: str = DONE) -> str:
    """The whole review as `lesson run` shows it when the exercise ends."""
    title = f"Review: {visible_line(review.title)}"
    lines = ["", f"── {title} " + "─" * max(3, 70 - len(title))]
    if ended == DONE and all(t.status == "done" for t in review.tasks):
        lines.append("Every task is done: the exercise is over.")
    elif ended in ENDED_HEAD:
        lines.append(ENDED_HEAD[ended])
    lines += review_lines(review)
    if ended in ENDED_TAIL:
        lines += ["", ENDED_TAIL[ended]]
    return "\n".join(lines) + "\n"
