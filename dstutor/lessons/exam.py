"""An exercise's scoring moments: its checks as they stand, its time limit, its review.

The scoring itself is the classroom layer's, handed in as the runner's ExerciseHooks;
these functions gather what the hooks need from the runner's state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.lessons.sandbox import evaluate

if TYPE_CHECKING:
    from dstutor.lessons.runner import LessonRunner


def outcomes_now(runner: LessonRunner) -> dict[str, list[tuple[bool, str]]]:
    """Each unfinished step's checks as they stand, with what each says (exam wording)."""
    found = {}
    for step in runner.lesson.steps:
        sp = runner.progress.steps.get(step.id)
        if sp is not None and sp.done:
            continue
        results = evaluate(step.checks, runner.executor, step, runner.records(step),
                           runner.quiz_answer(step), exam=True)
        found[step.id] = [(o.passed, o.message) for _c, o in results]
    return found


def passing_now(runner: LessonRunner) -> dict[str, list[bool]]:
    """Each unfinished step's checks as they stand (exercise partial credit)."""
    return {k: [ok for ok, _m in v] for k, v in outcomes_now(runner).items()}


def time_up(runner: LessonRunner) -> bool:
    hook = runner.exercise.time_up if runner.exercise is not None else None
    return hook is not None and hook(runner.progress)


def review(runner: LessonRunner, ended: str) -> str:
    """The exercise's review when it ends (`ended`: done, time or end); hooks without
    one show the score."""
    assert runner.exercise is not None
    outcomes = {} if ended == "done" else outcomes_now(runner)
    if runner.exercise.review_text is None:
        return runner.exercise.score_text(
            runner.progress, {k: [ok for ok, _m in v] for k, v in outcomes.items()})
    return runner.exercise.review_text(runner.progress, outcomes, ended)
