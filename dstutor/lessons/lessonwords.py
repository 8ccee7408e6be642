"""The lesson's own words (hint, check, goal, next, skip, solution, ...): what each does.

They act on the runner's state (its progress, step and cluster) and answer with a Reply.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.lessons import _text
from dstutor.lessons.predictions import NUMBER, answer
from dstutor.lessons.progress import AUTO
from dstutor.lessons.reply import Reply
from dstutor.lessons.sandbox import evaluate, first_failure
from dstutor.lessons.schema import Step

if TYPE_CHECKING:
    from dstutor.lessons.runner import LessonRunner

QUIT_WORDS = ("quit", "exit")
LESSON_WORDS = ("hint", "check", "next", "skip", "solution", "goal", "progress", "answer",
                "predict", "reset", "help")
LAST_HINT_MSG = "That was the last hint; `solution` shows the commands.\n"


def lesson_command(runner: LessonRunner, word: str, args: list[str]) -> Reply:
    if word == "help":
        if args:  # `help TOPIC` is the shell's
            return runner.command(" ".join(["help", *args]))
        return Reply(_text.LESSON_HELP + "\n")
    if word == "progress":
        text = _text.progress_text(runner.lesson, runner.progress, runner.index)
        if runner.exercise is not None:
            text += runner.exercise.score_text(runner.progress, _passing_now(runner))
        return Reply(text)
    step = runner.step
    if step is None:
        return Reply("This lesson is complete; there is nothing more to check.\n")
    if word == "answer":
        return answer(runner, args)
    if word == "predict":
        if step.predict is None:
            return Reply("", "error: this step asks for no prediction\n", 1)
        if not args or not NUMBER.match(args[0]):
            return Reply("", "error: usage: predict NUMBER\n", 1)
        runner.progress.step(step.id).prediction = {"guess": int(args[0])}
        return Reply(f"Noted: you predict {args[0]}. Now run the command.\n")
    if word == "hint":
        return _hint(runner, step)
    if word in ("solution", "skip") and _needs_warning(runner, step, word):
        points = runner.exercise.step_points(step.id) if runner.exercise else 0
        return Reply.note(f"`{word}` gives up this step: it then earns 0 of its {points:g} "
                          f"points. Type `{word}` again to go ahead.\n", "notice")
    if word == "solution":
        runner.progress.step(step.id).solution_seen = True
        lines = "\n".join(f"  {s}" for s in step.solution)
        return Reply(f"Solution for step '{step.id}':\n{lines}\n")
    if word == "skip":
        return _skip(runner, step)
    if word == "reset":
        return _reset(runner, step)
    results = evaluate(step.checks, runner.executor, step, runner.records(step),
                       runner.quiz_answer(step), exam=runner.exercise is not None)
    if word == "goal":
        return Reply(_text.goal_text(step, results, exam=runner.exercise is not None))
    if first_failure(results) is None:  # check / next
        return runner.passed(step)
    runner.progress.step(step.id).attempts += 1
    more = "" if word == "check" else "Finish the task first, or `skip` it.\n"
    return Reply("Not done yet:\n" + _text.outcome_lines(results) + more, "", 1)


def _needs_warning(runner: LessonRunner, step: Step, word: str) -> bool:
    """`solution`/`skip` in an exercise warn once before they cost the step's points."""
    sp = runner.progress.step(step.id)
    if runner.exercise is None or sp.solution_seen or (step.id, word) in runner.warned:
        return False
    runner.warned.add((step.id, word))
    return True


def _passing_now(runner: LessonRunner) -> dict[str, list[bool]]:
    """Each unfinished step's checks as they stand (exercise partial credit)."""
    found = {}
    for step in runner.lesson.steps:
        sp = runner.progress.steps.get(step.id)
        if sp is not None and sp.done:
            continue
        results = evaluate(step.checks, runner.executor, step, runner.records(step),
                           runner.quiz_answer(step), exam=True)
        found[step.id] = [o.passed for _c, o in results]
    return found


def _hint(runner: LessonRunner, step: Step) -> Reply:
    sp = runner.progress.step(step.id)
    if not step.hints:
        return Reply.note("No hints for this step; `solution` shows the commands.\n")
    if sp.hints_used >= len(step.hints):
        return Reply.note(f"Hint {len(step.hints)}/{len(step.hints)}: {step.hints[-1]}\n"
                          + LAST_HINT_MSG)
    sp.hints_used += 1
    n = sp.hints_used
    tail = "" if n < len(step.hints) else LAST_HINT_MSG
    return Reply.note(f"Hint {n}/{len(step.hints)}: {step.hints[n - 1].strip()}\n{tail}")


def _skip(runner: LessonRunner, step: Step) -> Reply:
    out = Reply(f"Skipping step '{step.id}': applying its solution.\n")
    for line in step.solution:
        if line.startswith("answer "):
            runner.progress.step(step.id).quiz_answers.append(line.split()[1])
            continue
        out = out.add(Reply(f"$ {line}\n")).add(runner.run(line, skip=True, kind=AUTO))
    sp = runner.progress.step(step.id)
    sp.done = sp.skipped = True
    sp.finished = runner.wall()
    return Reply(out.stdout, out.stderr).add(runner.advance())


def _reset(runner: LessonRunner, step: Step) -> Reply:
    # The step's commands go; what was typed in it (hints, checks) stays on record.
    runner.progress.log = [e for e in runner.progress.log if e.step != step.id or not e.ran]
    runner.executor = runner.rebuild(runner.progress.commands())
    return Reply(f"The cluster is back to how it was when step '{step.id}' started.\n")
