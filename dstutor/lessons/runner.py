"""The lesson runner inside the REPL: after every command, check the step and guide.

Lines that are lesson commands (hint, check, goal, ...) are handled here; everything else
runs in the lesson's cluster through the shell, is logged, and then the current step is
checked. The same code serves the interactive prompt and script mode.
"""

from __future__ import annotations

import copy
import pickle
import re
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dstutor.lessons import _text
from dstutor.lessons._commands import TYPED_NOTE, needs_typed_command
from dstutor.lessons._exec import Executor, SessionFactory, make_executor
from dstutor.lessons.checks import CommandRecord
from dstutor.lessons.mistakes import tutor_notes
from dstutor.lessons.progress import (
    AUTO,
    RUN,
    TYPED,
    LessonProgress,
    LogEntry,
    ProgressStore,
    add_time,
)
from dstutor.lessons.sandbox import (
    TimedLine,
    build_setup,
    check_variants,
    evaluate,
    first_failure,
    lesson_workspace,
    run_records,
    use_workspace,
)
from dstutor.lessons.schema import Lesson, Step
from dstutor.shell.workspace import Workspace

QUIT_WORDS = ("quit", "exit", "end")
END_WORD = "end"  # in an exercise: end it now and show the review (elsewhere: quit)
LESSON_WORDS = ("hint", "check", "next", "skip", "solution", "goal", "progress", "answer",
                "predict", "reset", "help")
_NUMBER = re.compile(r"^-?\d+$")
LAST_HINT_MSG = "That was the last hint; `solution` shows the commands.\n"
WAIT_MSG = ("(give it a moment: `check` again, or wait with `kubectl rollout status "
            "ds/NAME`)\n")


def _joined(chunks: list[tuple[str, str]]) -> tuple[str, str]:
    """The stdout and stderr the chunks make."""
    return ("".join(t for s, t in chunks if s == "stdout"),
            "".join(t for s, t in chunks if s == "stderr"))


@dataclass
class Reply:
    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    finished: bool = False  # the learner quit
    # (stream, text) in the order written, so kubectl's error comes before the tutor's
    # note about it; empty means stdout then stderr.
    chunks: list[tuple[str, str]] = field(default_factory=list)

    def parts(self) -> list[tuple[str, str]]:
        if self.chunks:
            return self.chunks
        return [(n, t) for n, t in (("stdout", self.stdout), ("stderr", self.stderr)) if t]

    @classmethod
    def note(cls, text: str, kind: str = "tutor") -> Reply:
        """Lesson feedback: plain stdout in script mode, coloured by kind at a terminal."""
        return cls(text, chunks=[(kind, text)] if text else [])

    def add(self, other: Reply) -> Reply:
        return Reply(self.stdout + other.stdout, self.stderr + other.stderr,
                     max(self.exit_code, other.exit_code), self.finished or other.finished,
                     self.parts() + other.parts())


def _is_write(text: str) -> bool:
    """A kubectl line meant to change the cluster (a failed one is a wrong attempt)."""
    try:
        from dstutor.shell.session import READ_ONLY_VERBS, is_kubectl_line, kubectl_verb
    except ImportError:
        return False
    return is_kubectl_line(text) and kubectl_verb(text) not in READ_ONLY_VERBS


class LessonRunner:
    def __init__(self, lesson: Lesson, store: ProgressStore, *, restart: bool = False,
                 live: bool = False, wall: Callable[[], float] = time.time,
                 exercise: ExerciseHooks | None = None, workspace: Workspace | None = None,
                 new_session: SessionFactory | None = None) -> None:
        self.lesson = lesson
        # The front end's shell Session for the learner's lines (None: a plain one).
        self.new_session = new_session
        self.exercise = exercise
        # The learner's own scratch folder unless told otherwise (a grading replay gives
        # a temporary one, so it never touches the instructor's files or edit journal).
        self.workspace = workspace or lesson_workspace(lesson)
        # The cluster just before a prediction-gated command, to say what the step's
        # own command would have done when the learner typed a different one.
        self._before_gated: Any = None
        # `solution`/`skip` in an exercise warn once before they cost the step's points.
        self._warned: set[tuple[str, str]] = set()
        self.store = store
        self.wall = wall
        self.live = live and lesson.setup.clock != "manual"
        self.pending: str | None = None  # a command held back until the learner predicts
        # What each command that ran printed and changed (parallel to progress.commands()):
        # kept in memory and rebuilt by replay, so the progress file stays small.
        self._ran: list[CommandRecord] = []
        self.progress: LessonProgress = (store.reset(lesson.id) if restart
                                         else store.get(lesson.id))
        if not self.progress.log and not self.progress.steps:
            self.progress.log_complete = True  # begun here: every line will be logged
        if restart or not self.progress.log:
            from dstutor.shell.editjournal import EditJournal

            EditJournal(self.workspace.root).clear()
        self.index = self._resume_index()
        self.resumed = bool(self.progress.log) or self.index > 0
        self.executor: Executor = self._rebuild(self.progress.commands())
        self._last_wall: float | None = None
        self._changed = False
        self._ran_as_typed = False  # the line being handled ran in the cluster as typed
        self._depth = 0  # handle_line calls under way (a prediction's answer may be a command)
        # `lesson run --serve`: the commands a real kubectl ran against the served cluster
        # (set by the CLI); each counts for the step current when the runner first sees it.
        self.outside: Callable[[], list[Any]] | None = None
        self._outside_seen: dict[str, list[Any]] = {}

    # --- state ----------------------------------------------------------------------

    def _resume_index(self) -> int:
        if self.progress.completed:
            return len(self.lesson.steps)
        if self.progress.current_step and self.lesson.step(self.progress.current_step):
            return self.lesson.index_of(self.progress.current_step)
        return 0

    def _rebuild(self, entries: list[LogEntry]) -> Executor:
        # A replay works in a throwaway copy of the workspace (`>>` must not append twice).
        executor = build_setup(self.lesson, self.workspace,
                               replaying=[e.line for e in entries] if entries else None,
                               new_session=self.new_session)
        self._ran = run_records(executor, [TimedLine(e.line, e.t) for e in entries])
        if self.live:
            executor.cluster.clock.mode = "live"
            executor.cluster.clock.rebase()
        # Only now, after the replay: the learner's files, the learner's editor (journaled).
        use_workspace(executor, self.workspace)
        return executor

    @property
    def step(self) -> Step | None:
        return self.lesson.steps[self.index] if self.index < len(self.lesson.steps) else None

    @property
    def done(self) -> bool:
        return self.index >= len(self.lesson.steps)

    @property
    def prompt(self) -> str:
        if self.pending is not None:
            return "your prediction (a number)> "
        where = "done" if self.done else f"{self.index + 1}/{len(self.lesson.steps)}"
        return f"[{self.lesson.slug} {where}] $ "

    def _save(self) -> None:
        self.progress.current_step = self.step.id if self.step else ""
        self.progress.updated = self.wall()
        self.store.save()

    def _virtual_now(self) -> float:
        clock = self.executor.cluster.clock
        return max(clock.now(), clock.target())

    def _records(self, step: Step) -> list[CommandRecord]:
        typed = [r for e, r in zip(self.progress.commands(), self._ran, strict=True)
                 if e.step == step.id]
        if self.outside is not None and self.step is not None:
            self._outside_seen.setdefault(self.step.id, []).extend(self.outside())
        return typed + [CommandRecord(r.line, r.exit_code, stdout=r.stdout, stderr=r.stderr,
                                      changed=r.changed)
                        for r in self._outside_seen.get(step.id, [])]

    def _quiz_answer(self, step: Step) -> str | None:
        answers = self.progress.step(step.id).quiz_answers
        return answers[-1] if answers else None

    # --- entry points -----------------------------------------------------------------

    def start(self) -> Reply:
        if self.progress.started is None:
            self.progress.started = self.wall()
        out = _text.lesson_intro(self.lesson)
        if self.done:
            out += ("\nYou have finished this lesson. The cluster is as you left it; "
                    "`dstutor lesson run --restart` starts it again.\n")
        else:
            if self.resumed:
                out += (f"\nResuming at step {self.index + 1}/{len(self.lesson.steps)}: your "
                        f"{len(self.progress.commands())} earlier commands were replayed.\n")
            self._enter_step()
            chunks = [("stdout", out + "\n"), *self._intro_parts()]
            out = "".join(text for _, text in chunks)
        self._save()
        notices = "".join(n + "\n" for n in self.store.notices)
        if self.done:
            return Reply(out, notices)
        return Reply(out, notices, chunks=[*chunks, ("stderr", notices)] if notices else chunks)

    def handle_line(self, line: str) -> Reply:
        text = line.strip()
        if not text:
            return Reply()
        now = self.wall()
        late = self._time_up()
        if self.step is not None:
            add_time(self.progress.step(self.step.id), self._last_wall, now)
        self._last_wall = now
        # Every line is logged with the virtual time it was typed at, so that `dstutor
        # grade` can replay the session: a line that did not run in the cluster as typed
        # (check, hint, an answer, a prediction) is logged as TYPED, before what it caused.
        mark, t = len(self.progress.log), round(self._virtual_now(), 6)
        step_id = self.step.id if self.step else ""
        # A line handled inside another (a command typed instead of a prediction) is that
        # line's consequence: the outer line is logged as typed, what it ran as AUTO.
        outer, self._ran_as_typed = self._ran_as_typed, False
        reply = Reply(exit_code=1)
        self._depth += 1
        try:
            reply = self._dispatch(text)
            if (not late and self._depth == 1 and not self.done and not reply.finished
                    and self._time_up()):  # this line passed the time limit: it ends
                reply = reply.add(Reply(self._review("time"), finished=True))
            return reply
        finally:
            self._depth -= 1
            if not self._ran_as_typed and self._depth == 0:
                entry = LogEntry(t, text, reply.exit_code, step_id, kind=TYPED)
                self.progress.log.insert(min(mark, len(self.progress.log)), entry)
            self._ran_as_typed = outer
            self._save()

    def _dispatch(self, text: str) -> Reply:
        if self.pending is not None:
            return self._resolve_prediction(text)
        word = text.split()[0]
        if word in QUIT_WORDS and len(text.split()) == 1:
            if word == END_WORD and self.exercise is not None and not self.done:
                return Reply(self._review("end"), finished=True)
            return Reply("Progress saved. `dstutor lesson run` resumes here.\n",
                         finished=True)
        if word in LESSON_WORDS and "\n" not in text:
            return self._lesson_command(word, text.split()[1:])
        if self.step and self.step.quiz and re.fullmatch(r"[a-hA-H]\)?", text):
            return self._answer([text[0]])
        if self.step and self.step.predict and _NUMBER.match(text):
            return self._lesson_command("predict", [text])  # typed before the command
        reply = self._command(text)
        self._ran_as_typed = self.pending is None
        return reply

    # --- learner commands ---------------------------------------------------------------

    def _command(self, text: str, *, skip: bool = False, auto: bool = False) -> Reply:
        step = self.step
        predict = step.predict if step is not None else None
        gated = bool(predict and not skip and re.search(predict.before, text))
        if (predict is not None and gated and step is not None
                and self.progress.step(step.id).prediction is None):
            self.pending = text
            return Reply.note(f"Before this runs, predict: {predict.question}\n"
                              "Type a number (anything else skips the prediction).\n")
        if gated and step is not None and "answer" not in (
                self.progress.step(step.id).prediction or {}):
            self._before_gated = _frozen(self.executor.cluster)
        reply = self._run(text, skip=skip, kind=AUTO if auto or skip or self._depth > 1 else RUN)
        if step is None or skip:
            return reply
        if gated:
            reply = reply.add(self._score(step, reply.exit_code))
        return reply.add(self._after_command(step, reply.exit_code, text))

    def _run(self, text: str, *, skip: bool = False, kind: str = RUN) -> Reply:
        t = self._virtual_now()
        at, namespace = self.executor.cluster.now(), self.executor.namespace
        result = self.executor.run(text)
        record = CommandRecord(text, result.exit_code, result.stdout, result.stderr,
                               result.changed, namespace, at)
        step_id = self.step.id if self.step else ""
        self.progress.log.append(LogEntry(round(t, 6), text, result.exit_code, step_id, skip,
                                          kind))
        self._ran.append(record)
        # kubectl's general advice ("this pod comes back; delete the DaemonSet") is noise
        # when the step asked for exactly this kind of command.
        hint = None if self._asked_for(text) else result.hint
        notes = tutor_notes(text, hint, self.executor.cluster)
        tutor = "".join(f"tutor: {n}\n" for n in notes)
        self._changed = result.changed
        # kubectl's own order when a warning came between its output lines (drain).
        ordered = [("stdout" if s == 1 else "stderr", piece) for s, piece in result.interleaved]
        if not ordered or _joined(ordered) != (result.stdout, result.stderr):
            ordered = [(stream, piece) for stream, piece in (
                ("stdout", result.stdout), ("stderr", result.stderr)) if piece]
        chunks = ordered + ([("tutor", tutor)] if tutor else [])
        return Reply(result.stdout + tutor, result.stderr, result.exit_code, chunks=chunks)

    def _asked_for(self, text: str) -> bool:
        step = self.step
        if step is None:
            return False
        shape = _shape(text)
        return shape is not None and any(_shape(line) == shape for line in step.solution)

    def _after_command(self, step: Step, exit_code: int, text: str = "") -> Reply:
        results = evaluate(step.checks, self.executor, step, self._records(step),
                           self._quiz_answer(step), exam=self.exercise is not None)
        attempt = self._changed or (exit_code != 0 and _is_write(text))
        if first_failure(results) is None:
            return self._passed(step, quiet_miss=not attempt)
        failing = [o for _c, o in results if not o.passed]
        near = [o for o in failing if o.near_miss]
        if near:
            # The command looked like the one asked for but did not do it: say why now,
            # or the learner believes it worked (issue 12: `get ds` without -A).
            self.progress.step(step.id).attempts += 1
            return Reply.note("".join(f"not yet: {o.message}\n" for o in near[:2]), "notice")
        if not attempt:
            return Reply()  # looking around is never a wrong attempt
        if all(c.kind == "command_run" for c, o in results if not o.passed):
            return Reply()  # a step that asks to run a command: other commands are no attempt
        if all(o.transient for o in failing):
            # The cluster is still catching up; this is not a wrong attempt.
            return Reply.note("".join(f"in progress: {o.message}\n" for o in failing[:3])
                              + WAIT_MSG, "notice")
        more = (f"(and {len(failing) - 2} more: `check` lists everything)\n"
                if len(failing) > 2 else "")
        if self.exercise is None and self._first_part(step, text):
            # The first command of a several-command task (as the text says to run it)
            # is progress, not a wrong attempt. (Not in exercises: it would tell that a
            # command is part of the solution.)
            return Reply.note("".join(f"still to do: {o.message}\n" for o in failing[:2])
                              + more, "notice")
        self.progress.step(step.id).attempts += 1
        return Reply.note("".join(f"not yet: {o.message}\n" for o in failing[:2]) + more,
                          "notice")

    def _first_part(self, step: Step, text: str) -> bool:
        """Whether `text` is one of the step's solution lines other than its last."""
        earlier = [line for line in step.solution[:-1] if not line.startswith("answer ")]
        return any(_same_command(line, text) for line in earlier)

    def _passed(self, step: Step, *, quiet_miss: bool = False) -> Reply:
        history = [TimedLine(e.line, e.t) for e in self.progress.commands()]
        miss = check_variants(self.lesson, step, history, self._records(step),
                              self._quiz_answer(step), self.workspace)
        if miss is not None:
            if quiet_miss:
                return Reply()  # already said after the command that caused it
            name, _spec, outcome = miss
            self.progress.step(step.id).attempts += 1
            return Reply.note(f"Almost: this works on this cluster, but not when {name}: "
                              f"{outcome.message}\n", "notice")
        sp = self.progress.step(step.id)
        sp.done, sp.finished = True, self.wall()
        done = Reply.note(f"\n✓ Step {self.index + 1} done: {step.title}\n", "done")
        explain = Reply(step.explain.strip() + "\n" if step.explain else "")
        return done.add(explain).add(self._advance())

    def _advance(self) -> Reply:
        self.index += 1
        if self.done:
            self.progress.completed = True
            out = "\n"
            if self.lesson.outro:
                out += self.lesson.outro.strip() + "\n\n"
            out += _text.summary_line(self.lesson, self.progress)
            if self.exercise is not None:
                out += self._review("done")
            return Reply(out)
        self._enter_step()
        chunks = [("stdout", "\n"), *self._intro_parts()]
        return Reply("".join(text for _, text in chunks), chunks=chunks)

    def _enter_step(self) -> str:
        step = self.step
        assert step is not None
        sp = self.progress.step(step.id)
        if sp.started is None:
            sp.started = self.wall()
        return _text.step_intro(self.lesson, self.index)

    def _intro_parts(self) -> list[tuple[str, str]]:
        parts = list(_text.step_intro_parts(self.lesson, self.index))
        if self.outside is not None and self.step is not None and needs_typed_command(
                self.step):
            parts.append(("stdout", TYPED_NOTE))  # served: say what outside can't do
        return parts

    # --- predictions and quizzes -------------------------------------------------------

    def _resolve_prediction(self, text: str) -> Reply:
        held, self.pending = self.pending, None
        assert held is not None
        step = self.step
        assert step is not None
        words = text.split()
        if words and words[0] == "predict":
            words = words[1:]
        guess = int(words[0]) if len(words) == 1 and _NUMBER.match(words[0]) else None
        self.progress.step(step.id).prediction = {"guess": guess}
        reply = self._command(held, auto=True)
        if guess is None and text.split()[0] != "predict":
            reply = reply.add(self.handle_line(text))  # it was a command, not an answer
        return reply

    def _score(self, step: Step, exit_code: int) -> Reply:
        """Compare the learner's prediction with what the simulator now shows."""
        assert step.predict is not None
        prediction = self.progress.step(step.id).prediction or {}
        if "answer" in prediction:
            return Reply()  # already scored: later runs of the command are not re-asked
        if exit_code != 0:
            return Reply("(the command failed, so your prediction stands for the next try)\n")
        actual = self._measure(step)
        prediction["answer"] = actual
        self.progress.step(step.id).prediction = prediction
        guess = prediction.get("guess")
        ran = self.progress.commands()
        held = ran[-1].line if ran else ""
        reference = self._reference_answer(step, held)
        if reference is not None and reference[1] != actual:
            # The learner's command differs from the step's and gave another number:
            # score the prediction against the step's command, and say why theirs differed.
            line, expected = reference
            verdict = ("right" if guess == expected else
                       "prediction skipped" if guess is None else f"you predicted {guess}")
            note = (f"The step's command, `{line.split(chr(10), 1)[0]}`, gives {expected} "
                    f"({verdict}). Yours gave {actual}: {_difference(held, line)}.\n")
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

    def _reference_answer(self, step: Step, held: str) -> tuple[str, int] | None:
        """The step's own gated command and what it would have measured, run on the
        cluster as it was before the learner's command; None when theirs is the same."""
        before, self._before_gated = self._before_gated, None
        assert step.predict is not None
        line = next((x for x in step.solution if re.search(step.predict.before, x)), None)
        if before is None or line is None or _same_command(line, held):
            return None
        from dstutor.lessons.validate import measure

        executor = make_executor(_thawed(before))
        if executor.run(line).exit_code != 0:
            return None
        value = measure(step.predict, executor.cluster)
        return None if value is None else (line, value)

    def _measure(self, step: Step) -> int:
        from dstutor.lessons.validate import measure

        assert step.predict is not None
        value = measure(step.predict, self.executor.cluster)
        return step.predict.answer if value is None else value

    def _answer(self, args: list[str]) -> Reply:
        step = self.step
        if step is None or step.quiz is None:
            return Reply("", "error: this step has no quiz\n", 1)
        letter = args[0].lower().rstrip(")") if args else ""
        if letter not in step.quiz.letters:
            return Reply("", f"error: answer with one of: {', '.join(step.quiz.letters)}\n", 1)
        self.progress.step(step.id).quiz_answers.append(letter)
        choice = step.quiz.choices[step.quiz.letters.index(letter)]
        head = "Right." if choice.correct else "Not quite."
        reply = Reply(f"{head} {choice.explain.strip()}\n")
        if not choice.correct:
            self.progress.step(step.id).attempts += 1
            return reply
        self._changed = True  # an answer is an attempt, like a change to the cluster
        return reply.add(self._after_command(step, 0))

    # --- lesson commands ------------------------------------------------------------------

    def _lesson_command(self, word: str, args: list[str]) -> Reply:
        if word == "help":
            if args:  # `help TOPIC` is the shell's
                return self._command(" ".join(["help", *args]))
            return Reply(_text.LESSON_HELP + "\n")
        if word == "progress":
            text = _text.progress_text(self.lesson, self.progress, self.index)
            if self.exercise is not None:
                text += self.exercise.score_text(self.progress, self._passing_now())
            return Reply(text)
        step = self.step
        if step is None:
            return Reply("This lesson is complete; there is nothing more to check.\n")
        if word == "answer":
            return self._answer(args)
        if word == "predict":
            if step.predict is None:
                return Reply("", "error: this step asks for no prediction\n", 1)
            if not args or not _NUMBER.match(args[0]):
                return Reply("", "error: usage: predict NUMBER\n", 1)
            self.progress.step(step.id).prediction = {"guess": int(args[0])}
            return Reply(f"Noted: you predict {args[0]}. Now run the command.\n")
        if word == "hint":
            return self._hint(step)
        if word in ("solution", "skip") and self._needs_warning(step, word):
            points = self.exercise.step_points(step.id) if self.exercise else 0
            return Reply.note(f"`{word}` gives up this step: it then earns 0 of its {points:g} "
                              f"points. Type `{word}` again to go ahead.\n", "notice")
        if word == "solution":
            self.progress.step(step.id).solution_seen = True
            lines = "\n".join(f"  {s}" for s in step.solution)
            return Reply(f"Solution for step '{step.id}':\n{lines}\n")
        if word == "skip":
            return self._skip(step)
        if word == "reset":
            return self._reset(step)
        results = evaluate(step.checks, self.executor, step, self._records(step),
                           self._quiz_answer(step), exam=self.exercise is not None)
        if word == "goal":
            return Reply(_text.goal_text(step, results, exam=self.exercise is not None))
        if first_failure(results) is None:  # check / next
            return self._passed(step)
        self.progress.step(step.id).attempts += 1
        more = "" if word == "check" else "Finish the task first, or `skip` it.\n"
        return Reply("Not done yet:\n" + _text.outcome_lines(results) + more, "", 1)

    def _needs_warning(self, step: Step, word: str) -> bool:
        sp = self.progress.step(step.id)
        if self.exercise is None or sp.solution_seen or (step.id, word) in self._warned:
            return False
        self._warned.add((step.id, word))
        return True

    def _passing_now(self) -> dict[str, list[bool]]:
        """Each unfinished step's checks as they stand (exercise partial credit)."""
        return {k: [ok for ok, _m in v] for k, v in self._outcomes_now().items()}

    def _outcomes_now(self) -> dict[str, list[tuple[bool, str]]]:
        """Each unfinished step's checks as they stand, with what each says (exam wording)."""
        found = {}
        for step in self.lesson.steps:
            sp = self.progress.steps.get(step.id)
            if sp is not None and sp.done:
                continue
            results = evaluate(step.checks, self.executor, step, self._records(step),
                               self._quiz_answer(step), exam=True)
            found[step.id] = [(o.passed, o.message) for _c, o in results]
        return found

    def _time_up(self) -> bool:
        hook = self.exercise.time_up if self.exercise is not None else None
        return hook is not None and hook(self.progress)

    def _review(self, ended: str) -> str:
        """The exercise's review when it ends (`ended`: done, time or end); hooks without
        one show the score."""
        assert self.exercise is not None
        outcomes = {} if ended == "done" else self._outcomes_now()
        if self.exercise.review_text is None:
            return self.exercise.score_text(
                self.progress, {k: [ok for ok, _m in v] for k, v in outcomes.items()})
        return self.exercise.review_text(self.progress, outcomes, ended)

    def _hint(self, step: Step) -> Reply:
        sp = self.progress.step(step.id)
        if not step.hints:
            return Reply.note("No hints for this step; `solution` shows the commands.\n")
        if sp.hints_used >= len(step.hints):
            return Reply.note(f"Hint {len(step.hints)}/{len(step.hints)}: {step.hints[-1]}\n"
                              + LAST_HINT_MSG)
        sp.hints_used += 1
        n = sp.hints_used
        tail = "" if n < len(step.hints) else LAST_HINT_MSG
        return Reply.note(f"Hint {n}/{len(step.hints)}: {step.hints[n - 1].strip()}\n{tail}")

    def _skip(self, step: Step) -> Reply:
        out = Reply(f"Skipping step '{step.id}': applying its solution.\n")
        for line in step.solution:
            if line.startswith("answer "):
                self.progress.step(step.id).quiz_answers.append(line.split()[1])
                continue
            out = out.add(Reply(f"$ {line}\n")).add(self._run(line, skip=True, kind=AUTO))
        sp = self.progress.step(step.id)
        sp.done = sp.skipped = True
        sp.finished = self.wall()
        return Reply(out.stdout, out.stderr).add(self._advance())

    def _reset(self, step: Step) -> Reply:
        # The step's commands go; what was typed in it (hints, checks) stays on record.
        self.progress.log = [e for e in self.progress.log if e.step != step.id or not e.ran]
        self.executor = self._rebuild(self.progress.commands())
        return Reply(f"The cluster is back to how it was when step '{step.id}' started.\n")


def _shape(line: str) -> tuple[str, frozenset[str]] | None:
    """A kubectl line's verb and resource kinds (`delete pod x` is `delete pods -l y`)."""
    from dstutor.errors import DstutorError
    from dstutor.kubectl import is_kubectl_line, parse_kubectl

    if not is_kubectl_line(line):
        return None
    try:
        cmd = parse_kubectl(line)
    except DstutorError:
        return None
    return cmd.path, frozenset(t.type.kind for t in cmd.targets)


def _frozen(cluster: Any) -> Any:
    """A copy of the cluster as it is now: pickled bytes (fast), or, when something in it
    cannot be pickled (a live clock's wall function), a deep copy, as the shell's undo."""
    try:
        return pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, AttributeError, TypeError):
        return copy.deepcopy(cluster)


def _thawed(frozen: Any) -> Any:
    # Our own bytes from _frozen, never read from a file.
    return pickle.loads(frozen) if isinstance(frozen, bytes) else copy.deepcopy(frozen)


def _same_command(a: str, b: str) -> bool:
    """The same words on the first line, and the same heredoc body (if any)."""
    body_a = [x.strip() for x in a.strip().split("\n")[1:]]
    body_b = [x.strip() for x in b.strip().split("\n")[1:]]
    return _words(a) == _words(b) and body_a == body_b


def _words(line: str) -> list[str]:
    try:
        return shlex.split(line.split("\n", 1)[0])
    except ValueError:
        return line.split()


def _difference(theirs: str, reference: str) -> str:
    """What sets the learner's command apart from the step's, in its words."""
    mine, want = _words(theirs), _words(reference)
    if mine == want:  # the same command line: the heredoc manifests differ
        mine = [x.strip() for x in theirs.strip().split("\n")[1:] if x.strip()]
        want = [x.strip() for x in reference.strip().split("\n")[1:] if x.strip()]
    extra = [w for w in mine if w not in want]
    missing = [w for w in want if w not in mine]
    if extra and missing:
        return (f"it has {', '.join(f'`{w}`' for w in extra)} where the step's has "
                f"{', '.join(f'`{w}`' for w in missing)}")
    if missing:
        return f"it lacks {', '.join(f'`{w}`' for w in missing)}"
    if extra:
        return f"it adds {', '.join(f'`{w}`' for w in extra)}"
    return "it is a different command"


@dataclass(frozen=True)
class ExerciseHooks:
    """Exercise scoring, handed in by the classroom layer (lessons may not import it).

    `score_text(progress, passing)` renders points so far; `passing` maps each unfinished
    step to its checks' current results. `step_points(step_id)` is what a step is worth.
    `review_text(progress, outcomes, ended)` renders the review shown when the exercise
    ends (`ended`: "done", "time" or "end"); `outcomes` maps each unfinished step to its
    checks' (passed, message). `time_up(progress)`: the time limit has passed.
    """

    score_text: Callable[[Any, dict[str, list[bool]]], str]
    step_points: Callable[[str], float]
    review_text: Callable[[Any, dict[str, list[tuple[bool, str]]], str], str] | None = None
    time_up: Callable[[Any], bool] | None = None
