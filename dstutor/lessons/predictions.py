"""Predictions and quizzes: the learner commits to an answer, then the cluster shows it.

A step with `predict` holds its command back until the learner types a number, runs it,
and scores the guess against what the simulator then shows; a step with a quiz takes
`answer X`. These functions work on the runner's state (its progress and cluster).
"""

from __future__ import annotations

import copy
import pickle
import re
from typing import TYPE_CHECKING, Any

from dstutor.lessons._exec import make_executor
from dstutor.lessons.linecompare import difference, same_command
from dstutor.lessons.reply import Reply
from dstutor.lessons.schema import Step
from dstutor.lessons.validate import measure

if TYPE_CHECKING:
    from dstutor.lessons.runner import LessonRunner

NUMBER = re.compile(r"^-?\d+$")


def resolve_prediction(runner: LessonRunner, text: str) -> Reply:
    """The line typed at the prediction prompt: a number, or anything else (no guess)."""
    held, runner.pending = runner.pending, None
    assert held is not None
    step = runner.step
    assert step is not None
    words = text.split()
    if words and words[0] == "predict":
        words = words[1:]
    guess = int(words[0]) if len(words) == 1 and NUMBER.match(words[0]) else None
    runner.progress.step(step.id).prediction = {"guess": guess}
    reply = runner.command(held, auto=True)
    if guess is None and text.split()[0] != "predict":
        reply = reply.add(runner.handle_line(text))  # it was a command, not an answer
    return reply


def score(runner: LessonRunner, step: Step, exit_code: int) -> Reply:
    """Compare the learner's prediction with what the simulator now shows."""
    assert step.predict is not None
    prediction = runner.progress.step(step.id).prediction or {}
    if "answer" in prediction:
        return Reply()  # already scored: later runs of the command are not re-asked
    if exit_code != 0:
        return Reply("(the command failed, so your prediction stands for the next try)\n")
    actual = _measure(runner, step)
    prediction["answer"] = actual
    runner.progress.step(step.id).prediction = prediction
    guess = prediction.get("guess")
    ran = runner.progress.commands()
    held = ran[-1].line if ran else ""
    reference = _reference_answer(runner, step, held)
    if reference is not None and reference[1] != actual:
        # The learner's command differs from the step's and gave another number:
        # score the prediction against the step's command, and say why theirs differed.
        line, expected = reference
        verdict = ("right" if guess == expected else
                   "prediction skipped" if guess is None else f"you predicted {guess}")
        note = (f"The step's command, `{line.split(chr(10), 1)[0]}`, gives {expected} "
                f"({verdict}). Yours gave {actual}: {difference(held, line)}.\n")
        prediction["answer"] = expected
    elif guess is None:
        note = f"(prediction skipped; the answer is {actual})\n"
    elif guess == actual:
        note = f"You predicted {guess}: right.\n"
    else:
        note = f"You predicted {guess}; the answer is {actual}.\n"
    if step.predict.explain:
        note += step.predict.explain.strip() + "\n"
    return Reply(note)


def _reference_answer(runner: LessonRunner, step: Step, held: str) -> tuple[str, int] | None:
    """The step's own gated command and what it would have measured, run on the
    cluster as it was before the learner's command; None when theirs is the same."""
    before, runner.before_gated = runner.before_gated, None
    assert step.predict is not None
    line = next((x for x in step.solution if re.search(step.predict.before, x)), None)
    if before is None or line is None or same_command(line, held):
        return None
    executor = make_executor(thawed(before))
    if executor.run(line).exit_code != 0:
        return None
    value = measure(step.predict, executor.cluster)
    return None if value is None else (line, value)


def _measure(runner: LessonRunner, step: Step) -> int:
    assert step.predict is not None
    value = measure(step.predict, runner.executor.cluster)
    return step.predict.answer if value is None else value


def answer(runner: LessonRunner, args: list[str]) -> Reply:
    """`answer X`: the learner's choice in the step's quiz."""
    step = runner.step
    if step is None or step.quiz is None:
        return Reply("", "error: this step has no quiz\n", 1)
    letter = args[0].lower().rstrip(")") if args else ""
    if letter not in step.quiz.letters:
        return Reply("", f"error: answer with one of: {', '.join(step.quiz.letters)}\n", 1)
    runner.progress.step(step.id).quiz_answers.append(letter)
    choice = step.quiz.choices[step.quiz.letters.index(letter)]
    head = "Right." if choice.correct else "Not quite."
    reply = Reply(f"{head} {choice.explain.strip()}\n")
    if not choice.correct:
        runner.progress.step(step.id).attempts += 1
        return reply
    runner.changed = True  # an answer is an attempt, like a change to the cluster
    return reply.add(runner.after_command(step, 0))


def frozen(cluster: Any) -> Any:
    """A copy of the cluster as it is now: pickled bytes (fast), or, when something in it
    cannot be pickled (a live clock's wall function), a deep copy, as the shell's undo."""
    try:
        return pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        return copy.deepcopy(cluster)


def thawed(frozen: Any) -> Any:
    # Our own bytes from frozen(), never read from a file.
    return pickle.loads(frozen) if isinstance(frozen, bytes) else copy.deepcopy(frozen)
