"""The lesson runner inside the REPL: after every command, check the step and guide.

Lines that are lesson commands (hint, check, goal, ...) go to lessonwords.py, a quiz
answer or a prediction to predictions.py; everything else runs in the lesson's cluster
through the shell, is logged, and then the current step is checked. The same code serves
the interactive prompt and script mode.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dstutor.lessons import _text, exam, lessonwords
from dstutor.lessons._commands import TYPED_NOTE, needs_typed_command
from dstutor.lessons._exec import Executor, SessionFactory
from dstutor.lessons.checks import CommandRecord
from dstutor.lessons.lessonwords import LESSON_WORDS, QUIT_WORDS
from dstutor.lessons.linecompare import same_command, shape
from dstutor.lessons.mistakes import tutor_notes
from dstutor.lessons.predictions import NUMBER, answer, frozen, resolve_prediction, score
from dstutor.lessons.progress import (
    AUTO,
    RUN,
    TYPED,
    LessonProgress,
    LogEntry,
    ProgressStore,
    add_time,
)
from dstutor.lessons.reply import Reply, joined
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
from dstutor.shell.session import READ_ONLY_VERBS, is_kubectl_line, kubectl_verb
from dstutor.shell.workspace import Workspace

__all__ = ["LESSON_WORDS", "QUIT_WORDS", "ExerciseHooks", "LessonRunner", "Reply"]

WAIT_MSG = ("(give it a moment: `check` again, or wait with `kubectl rollout status "
            "ds/NAME`)\n")


def _is_write(text: str) -> bool:
    """A kubectl line meant to change the cluster (a failed one is a wrong attempt)."""
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
        self.before_gated: Any = None
        # `solution`/`skip` in an exercise warn once before they cost the step's points.
        self.warned: set[tuple[str, str]] = set()
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
        self.executor: Executor = self.rebuild(self.progress.commands())
        self._last_wall: float | None = None
        self.changed = False  # the last command changed the cluster: it was an attempt
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

    def rebuild(self, entries: list[LogEntry]) -> Executor:
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
        # Tab offers the lesson's words, and `kubectl hint` is told to drop `kubectl`.
        executor.session.extra_words = lessonwords.extra_words()
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

    def records(self, step: Step) -> list[CommandRecord]:
        typed = [r for e, r in zip(self.progress.commands(), self._ran, strict=True)
                 if e.step == step.id]
        if self.outside is not None and self.step is not None:
            self._outside_seen.setdefault(self.step.id, []).extend(self.outside())
        return typed + [CommandRecord(r.line, r.exit_code, stdout=r.stdout, stderr=r.stderr,
                                      changed=r.changed)
                        for r in self._outside_seen.get(step.id, [])]

    def quiz_answer(self, step: Step) -> str | None:
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
        late = exam.time_up(self)
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
                    and exam.time_up(self)):  # this line passed the time limit: it ends
                reply = reply.add(Reply(exam.review(self, "time"), finished=True))
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
            return resolve_prediction(self, text)
        found = lessonwords.find(text)
        if found is not None:
            entry, args = found
            return entry.run(self, args)
        if self.step and self.step.quiz and re.fullmatch(r"[a-hA-H]\)?", text):
            return answer(self, [text[0]])
        if self.step and self.step.predict and NUMBER.match(text):
            # typed before the command
            return lessonwords.WORDS["predict"].run(self, [text])
        reply = self.command(text)
        self._ran_as_typed = self.pending is None
        return reply

    # --- learner commands ---------------------------------------------------------------

    def command(self, text: str, *, skip: bool = False, auto: bool = False) -> Reply:
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
            self.before_gated = frozen(self.executor.cluster)
        reply = self.run(text, skip=skip, kind=AUTO if auto or skip or self._depth > 1 else RUN)
        if step is None or skip:
            return reply
        if gated:
            reply = reply.add(score(self, step, reply.exit_code))
        return reply.add(self.after_command(step, reply.exit_code, text))

    def run(self, text: str, *, skip: bool = False, kind: str = RUN) -> Reply:
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
        self.changed = result.changed
        # kubectl's own order when a warning came between its output lines (drain).
        ordered = [("stdout" if s == 1 else "stderr", piece) for s, piece in result.interleaved]
        if not ordered or joined(ordered) != (result.stdout, result.stderr):
            ordered = [(stream, piece) for stream, piece in (
                ("stdout", result.stdout), ("stderr", result.stderr)) if piece]
        chunks = ordered + ([("tutor", tutor)] if tutor else [])
        return Reply(result.stdout + tutor, result.stderr, result.exit_code, chunks=chunks)

    def _asked_for(self, text: str) -> bool:
        step = self.step
        if step is None:
            return False
        typed = shape(text)
        return typed is not None and any(shape(line) == typed for line in step.solution)

    def after_command(self, step: Step, exit_code: int, text: str = "") -> Reply:
        results = evaluate(step.checks, self.executor, step, self.records(step),
                           self.quiz_answer(step), exam=self.exercise is not None)
        attempt = self.changed or (exit_code != 0 and _is_write(text))
        if first_failure(results) is None:
            return self.passed(step, quiet_miss=not attempt)
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
        return any(same_command(line, text) for line in earlier)

    def passed(self, step: Step, *, quiet_miss: bool = False) -> Reply:
        history = [TimedLine(e.line, e.t) for e in self.progress.commands()]
        miss = check_variants(self.lesson, step, history, self.records(step),
                              self.quiz_answer(step), self.workspace)
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
        return done.add(explain).add(self.advance())

    def advance(self) -> Reply:
        self.index += 1
        if self.done:
            self.progress.completed = True
            out = "\n"
            if self.lesson.outro:
                out += self.lesson.outro.strip() + "\n\n"
            out += _text.summary_line(self.lesson, self.progress)
            if self.exercise is not None:
                out += exam.review(self, "done")
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
