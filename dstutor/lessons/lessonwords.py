"""The lesson's own words (hint, check, goal, next, skip, solution, ...): one registry.

Each word is registered with its usage and summary, and that record feeds the runner's
dispatch, `help` in a lesson and Tab completion (through the shell's extra words). The
handlers act on the runner's state (its progress, step and cluster) and return a Reply.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dstutor.lessons import _text, exam
from dstutor.lessons.predictions import NUMBER, answer
from dstutor.lessons.progress import AUTO
from dstutor.lessons.reply import Reply
from dstutor.lessons.sandbox import evaluate, first_failure
from dstutor.lessons.schema import Step
from dstutor.shell.session import ExtraWord

if TYPE_CHECKING:
    from dstutor.lessons.runner import LessonRunner

LAST_HINT_MSG = "That was the last hint; `solution` shows the commands.\n"
DONE_MSG = "This lesson is complete; there is nothing more to check.\n"
QUIT_MSG = "Progress saved. `dstutor lesson run` resumes here.\n"
HELP_TAIL = ("kubectl lines and simulator commands (node add, advance, map, why) work as in "
             "the shell.")

Handler = Callable[["LessonRunner", list[str]], Reply]
StepHandler = Callable[["LessonRunner", Step, list[str]], Reply]


@dataclass(frozen=True)
class LessonWord:
    """One lesson command as dispatch, `help` and Tab completion see it."""

    name: str
    usage: str  # as `help` lists it: "answer X"
    summary: str
    run: Handler
    aliases: tuple[str, ...] = ()
    # Only the word alone on its line is this command (`exit now` is not quitting).
    alone: bool = False
    listed: bool = True  # in `help`'s list (`help` itself is not)


WORDS: dict[str, LessonWord] = {}


def word(name: str, usage: str, summary: str, **kw: Any) -> Callable[[Handler], Handler]:
    """Register a lesson command; `help` and completion read the same record."""

    def register(handler: Handler) -> Handler:
        WORDS[name] = LessonWord(name, usage, summary, handler, **kw)
        return handler

    return register


def step_word(name: str, usage: str, summary: str) -> Callable[[StepHandler], StepHandler]:
    """A lesson command about the current step; once the lesson is done it has none."""

    def register(handler: StepHandler) -> StepHandler:
        def run(runner: LessonRunner, args: list[str]) -> Reply:
            step = runner.step
            if step is None:
                return Reply(DONE_MSG)
            return handler(runner, step, args)

        WORDS[name] = LessonWord(name, usage, summary, run)
        return handler

    return register


def find(text: str) -> tuple[LessonWord, list[str]] | None:
    """The lesson command a stripped line is, with its arguments; None if it is none."""
    words = text.split()
    if not words:
        return None
    entry = WORDS.get(words[0]) or next(
        (w for w in WORDS.values() if words[0] in w.aliases), None)
    if entry is None or (entry.alone and len(words) != 1) or (
            not entry.alone and "\n" in text):
        return None
    return entry, words[1:]


def help_text() -> str:
    """`help` in a lesson: every listed lesson word, as the registry has it."""
    lines = ["Lesson commands:"]
    lines += [f"  {w.usage.ljust(11)}{w.summary}".replace("\n", "\n" + " " * 13)
              for w in WORDS.values() if w.listed]
    return "\n".join([*lines, HELP_TAIL])


def word_help(name: str) -> str | None:
    """`help hint`: one lesson word's usage and what it does; None if it is none."""
    entry = WORDS.get(name)
    if entry is None:
        return None
    summary = entry.summary.replace("\n", "\n  ")
    return f"{entry.usage}\n\n  {summary}\n"


# --- the words, in the order `help` lists them ------------------------------------------

@step_word("hint", "hint", "a hint for this step (each one says more)")
def _hint(runner: LessonRunner, step: Step, args: list[str]) -> Reply:
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


@step_word("check", "check", "check the step now and say what is still missing")
def _check(runner: LessonRunner, step: Step, args: list[str]) -> Reply:
    return _check_or_next(runner, step, "check")


@step_word("goal", "goal", "what the step checks, what it ignores, and where you are now")
def _goal(runner: LessonRunner, step: Step, args: list[str]) -> Reply:
    results = evaluate(step.checks, runner.executor, step, runner.records(step),
                       runner.quiz_answer(step), exam=runner.exercise is not None)
    return Reply(_text.goal_text(step, results, exam=runner.exercise is not None))


@step_word("next", "next", "go on once the step is done")
def _next(runner: LessonRunner, step: Step, args: list[str]) -> Reply:
    return _check_or_next(runner, step, "next")


def _check_or_next(runner: LessonRunner, step: Step, name: str) -> Reply:
    results = evaluate(step.checks, runner.executor, step, runner.records(step),
                       runner.quiz_answer(step), exam=runner.exercise is not None)
    if first_failure(results) is None:
        return runner.passed(step)
    runner.progress.step(step.id).attempts += 1
    more = "" if name == "check" else "Finish the task first, or `skip` it.\n"
    return Reply("Not done yet:\n" + _text.outcome_lines(results) + more, "", 1)


@step_word("skip", "skip", "apply the step's solution and go on (counted as skipped)")
def _skip(runner: LessonRunner, step: Step, args: list[str]) -> Reply:
    if _needs_warning(runner, step, "skip"):
        return _give_up_warning(runner, step, "skip")
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


@step_word("solution", "solution", "show the solution commands")
def _solution(runner: LessonRunner, step: Step, args: list[str]) -> Reply:
    if _needs_warning(runner, step, "solution"):
        return _give_up_warning(runner, step, "solution")
    runner.progress.step(step.id).solution_seen = True
    lines = "\n".join(f"  {s}" for s in step.solution)
    return Reply(f"Solution for step '{step.id}':\n{lines}\n")


def _give_up_warning(runner: LessonRunner, step: Step, name: str) -> Reply:
    points = runner.exercise.step_points(step.id) if runner.exercise else 0
    return Reply.note(f"`{name}` gives up this step: it then earns 0 of its {points:g} "
                      f"points. Type `{name}` again to go ahead.\n", "notice")


@step_word("answer", "answer X", "answer the quiz with letter X")
def _answer(runner: LessonRunner, step: Step, args: list[str]) -> Reply:
    return answer(runner, args)


@step_word("predict", "predict N", "give your prediction before the command runs")
def _predict(runner: LessonRunner, step: Step, args: list[str]) -> Reply:
    if step.predict is None:
        return Reply("", "error: this step asks for no prediction\n", 1)
    if not args or not NUMBER.match(args[0]):
        return Reply("", "error: usage: predict NUMBER\n", 1)
    runner.progress.step(step.id).prediction = {"guess": int(args[0])}
    return Reply(f"Noted: you predict {args[0]}. Now run the command.\n")


@word("progress", "progress", "your progress in this lesson")
def _progress(runner: LessonRunner, args: list[str]) -> Reply:
    text = _text.progress_text(runner.lesson, runner.progress, runner.index)
    if runner.exercise is not None:
        text += runner.exercise.score_text(runner.progress, exam.passing_now(runner))
    return Reply(text)


@step_word("reset", "reset", "rebuild the cluster as it was when this step started")
def _reset(runner: LessonRunner, step: Step, args: list[str]) -> Reply:
    # The step's commands go; what was typed in it (hints, checks) stays on record.
    runner.progress.log = [e for e in runner.progress.log if e.step != step.id or not e.ran]
    runner.executor = runner.rebuild(runner.progress.commands())
    return Reply(f"The cluster is back to how it was when step '{step.id}' started.\n")


@word("quit", "quit", "leave; `dstutor lesson run` picks up where you left off",
      aliases=("exit",), alone=True)
def _quit(runner: LessonRunner, args: list[str]) -> Reply:
    return Reply(QUIT_MSG, finished=True)


@word("end", "end", "in an exercise: end it now and see the review (points per task,\n"
      "what was missed, the final score)", alone=True)
def _end(runner: LessonRunner, args: list[str]) -> Reply:
    if runner.exercise is not None and not runner.done:
        return Reply(exam.review(runner, "end"), finished=True)
    return Reply(QUIT_MSG, finished=True)  # elsewhere it is quit


@word("help", "help", "the lesson commands; `help TOPIC` is the shell's help", listed=False)
def _help(runner: LessonRunner, args: list[str]) -> Reply:
    if not args:
        return Reply(help_text() + "\n")
    own = word_help(" ".join(args))
    if own is not None:
        return Reply(own)
    return runner.command(" ".join(["help", *args]))  # `help TOPIC` is the shell's


QUIT_WORDS = tuple(n for w in WORDS.values() if w.alone for n in (w.name, *w.aliases))
LESSON_WORDS = tuple(w.name for w in WORDS.values() if not w.alone)


def extra_words() -> tuple[ExtraWord, ...]:
    """The lesson's words as the shell's Tab completion and kubectl hint see them."""
    return tuple(ExtraWord(n, " ".join(w.summary.split()))
                 for w in WORDS.values() for n in (w.name, *w.aliases))


def _needs_warning(runner: LessonRunner, step: Step, name: str) -> bool:
    """`solution`/`skip` in an exercise warn once before they cost the step's points."""
    sp = runner.progress.step(step.id)
    if runner.exercise is None or sp.solution_seen or (step.id, name) in runner.warned:
        return False
    runner.warned.add((step.id, name))
    return True
