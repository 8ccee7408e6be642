"""`dstutor lesson list|run|check`: the Typer sub-app mounted by dstutor.cli.app.

The face gives the lesson engine what it must not reach up for: the shell Session it
runs lines in (with --debug), the prompt, the console, and the classroom's exercise
scoring (`_exercise_hooks`).
"""

# No `from __future__ import annotations`: Typer reads the annotations at run time.

import functools
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer

from dstutor.cli.common import (
    HiddenDebugOpt,
    NoColorOpt,
    PlainUsage,
    fail,
    guarded,
    leave,
    rich_console,
)
from dstutor.errors import ExitStatus, LessonError, internal_error_line
from dstutor.textsafe import visible, visible_line

if TYPE_CHECKING:  # only for annotations, which are quoted below
    from dstutor.lessons.progress import ProgressStore
    from dstutor.lessons.runner import LessonRunner, Reply
    from dstutor.lessons.schema import Lesson

lesson_app = typer.Typer(no_args_is_help=True,
                         help="Guided lessons: list them, run one, check a course.")

CourseOpt = Annotated[str | None, typer.Option(
    "--course", metavar="DIR", help="A course folder (default: the lessons shipped with dstutor).")]
NO_LESSONS_MSG = "dstutor: no lessons found in {course}"
UNKNOWN_LESSON_MSG = "dstutor: no lesson {wanted!r} in {course} (see `dstutor lesson list`)"


def _course(course: str | None) -> "tuple[Path, list[Lesson], list[LessonError]]":
    from dstutor.lessons.loader import find_course, load_course

    path = find_course(course)
    lessons, errors = load_course(path)
    return path, lessons, errors


def _state(lesson: "Lesson", store: "ProgressStore") -> str:
    progress = store.peek(lesson.id)
    if progress is None or (not progress.log and not progress.done_count()):
        return "not started"
    if progress.completed:
        return "done"
    return f"{progress.done_count()}/{len(lesson.steps)} steps"


def welcome_status() -> str:
    """One line per lesson for the `dstutor` welcome screen."""
    from dstutor.lessons.progress import ProgressStore

    try:
        _path, lessons, _errors = _course(None)
        store = ProgressStore()
    except Exception:  # the welcome screen must never fail  # noqa: BLE001
        return ""
    rows = [(visible_line(x.slug), visible_line(x.title), _state(x, store)) for x in lessons]
    slug_w = max((len(r[0]) for r in rows), default=0)
    title_w = max((len(r[1]) for r in rows), default=0)
    lines = ["Lessons (`dstutor lesson run` continues where you left off):"]
    lines += [f"  {slug:<{slug_w}}  {title:<{title_w}}  {state}" for slug, title, state in rows]
    return "\n".join(lines) + "\n" if lessons else ""


@lesson_app.command("list", cls=PlainUsage)
@guarded
def list_lessons(course: CourseOpt = None, debug: HiddenDebugOpt = False) -> None:
    """Every lesson of the course, with your progress."""
    from dstutor.lessons.progress import ProgressStore

    path, lessons, errors = _course(course)
    store = ProgressStore()
    for notice in store.notices:
        print(visible(notice), file=sys.stderr)
    if not lessons and not errors:
        fail(NO_LESSONS_MSG.format(course=path))
    # Titles and file names come from the course: shown on one line, controls visible.
    rows = [(visible_line(x.slug), visible_line(x.title), x) for x in lessons]
    slug_w = max((len(r[0]) for r in rows), default=0)
    title_w = max((len(r[1]) for r in rows), default=0)
    for slug, title, lesson in rows:
        minutes = f"{lesson.minutes} min" if lesson.minutes else ""
        print(f"{slug:<{slug_w}}  {title:<{title_w}}  {minutes:>6}  {_state(lesson, store)}")
    for exc in errors:
        print(visible_line(f"{exc} (this lesson cannot be run; `dstutor lesson check` says "
                           "more)"), file=sys.stderr)
    leave(ExitStatus.ERROR if errors else ExitStatus.SUCCESS)


def _pick(lessons: "list[Lesson]", store: "ProgressStore", wanted: str | None
          ) -> "Lesson | None":
    from dstutor.lessons.loader import find_lesson

    if wanted:
        return find_lesson(lessons, wanted)
    for lesson in lessons:  # the first one not finished
        progress = store.peek(lesson.id)
        if progress is None or not progress.completed:
            return lesson
    return lessons[0] if lessons else None


# Lesson feedback colours at a terminal (words carry the meaning too: never colour alone).
FEEDBACK_STYLES = {"tutor": "cyan", "notice": "yellow", "done": "green"}


def _handle(runner: "LessonRunner", line: str, debug: bool = False) -> "Reply":
    """One line; a bug in the lesson engine is one line (after its traceback with
    --debug) and the lesson goes on (the shell's session has already put the cluster back
    for a failing command)."""
    from dstutor.lessons.runner import Reply

    try:
        return runner.handle_line(line)
    except Exception as exc:  # noqa: BLE001 - a lesson goes on after a bug
        trace = "".join(traceback.format_exception(exc)) if debug else ""
        return Reply(stderr=trace + internal_error_line(exc) + "\n", exit_code=1)


def _write(reply: "Reply", stdout: TextIO, stderr: TextIO, console: Any = None) -> None:
    """Each piece in order, flushed, so `2>&1` shows the error before the tutor's note.

    This is where `lesson run` meets the terminal: every piece (lesson text, feedback,
    command output) passes through `visible`, so no control character from a course,
    a manifest or an object name reaches the terminal raw.
    """
    for name, raw in reply.parts():
        text = visible(raw)
        if console is not None and name == "markdown":
            from rich.markdown import Markdown

            # No hyperlinks: a link's text could hide where it leads.
            console.print(Markdown(text.rstrip("\n"), code_theme="ansi_dark",
                                   hyperlinks=False))
            console.print()
            continue
        if console is not None and name in FEEDBACK_STYLES:
            from dstutor.shell.console import tutor

            tutor(console, text.rstrip("\n"), style=FEEDBACK_STYLES[name])
            continue
        stream = stderr if name == "stderr" else stdout
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()


def _console(no_color: bool = False) -> Any:
    """The Rich console for coloured feedback, or None (no colour wanted)."""
    from dstutor.shell.console import colour_enabled

    return rich_console(no_color=no_color) if colour_enabled(no_color) else None


def run_script_lines(runner: "LessonRunner", lines: Iterable[str], stdout: TextIO,
                     stderr: TextIO, *, echo: bool = False, debug: bool = False) -> int:
    """Script mode: every command in turn; 0 only if all of them succeeded."""
    from dstutor.shell.script import read_commands

    ok = True
    for command in read_commands(lines):
        if echo:
            stdout.write(f"$ {visible(command.text)}\n")
        if command.error:
            stderr.write(visible(command.error) + "\n")
            ok = False
            continue
        reply = _handle(runner, command.text, debug)
        _write(reply, stdout, stderr)
        ok = ok and reply.exit_code == 0
        if reply.finished:
            break
    return ExitStatus.SUCCESS if ok else ExitStatus.ERROR


def _shell_prompt(runner: "LessonRunner", no_color: bool = False) -> Any:
    """The shell's own prompt (completion, heredoc lines, toolbar) for the runner's session."""
    from dstutor.lessons._exec import SessionExecutor
    from dstutor.shell.prompt import make_prompt, open_history

    executor = runner.executor
    # make_executor wraps a shell Session whenever the shell is there (always, here).
    assert isinstance(executor, SessionExecutor), "a lesson run without a shell session"
    session = executor.session
    # lesson run --serve locks the runner's lines; the prompt reads under the same lock.
    session.lock = getattr(runner, "lock", session.lock)
    return make_prompt(session, history=open_history(sys.stderr), no_color=no_color,
                       status=lambda: toolbar_status(runner))


def _exercise_hooks(lesson: "Lesson") -> Any:
    """Exercise scoring for `progress` and the skip/solution warnings; None for lessons."""
    from dstutor.classroom.scoreview import exercise_hooks

    return exercise_hooks(lesson) if lesson.exercise.is_exercise else None


def toolbar_status(runner: "LessonRunner") -> str:
    """The lesson's part of the toolbar: the step, and for exercises the clock and hint cost."""
    lesson = runner.lesson
    step = runner.index + 1 if runner.step is not None else len(lesson.steps)
    text = f"{lesson.slug} step {step}/{len(lesson.steps)}"
    meta = lesson.exercise
    if not meta.is_exercise:
        return text
    if meta.scoring.hint_cost:
        text += f" · a hint costs {meta.scoring.hint_cost:g} points"
    if meta.time_limit is not None:
        used = sum(sp.seconds for sp in runner.progress.steps.values())
        left = meta.time_limit - used
        text += (f" · {int(left // 60)}m{int(left % 60):02d}s left" if left > 0
                 else " · over the time limit")
    return text


def _make_ask(runner: "LessonRunner", no_color: bool = False) -> Callable[[str], str]:
    """A function reading one (possibly multi-line) command with the given prompt text."""
    try:
        state: dict[str, Any] = {"executor": runner.executor,
                                 "prompt": _shell_prompt(runner, no_color)}

        def ask(message: str) -> str:
            if runner.pending is not None:
                # A prediction is an answer, not a command: keep it out of the up-arrow
                # history (and its file), which holds only what can be run again.
                if "answer" not in state:
                    from prompt_toolkit import PromptSession
                    from prompt_toolkit.history import InMemoryHistory

                    state["answer"] = PromptSession(history=InMemoryHistory())
                return str(state["answer"].prompt(message))
            if runner.executor is not state["executor"]:  # `reset` built a new session
                state["executor"] = runner.executor
                state["prompt"] = _shell_prompt(runner, no_color)
            return str(state["prompt"].prompt(message))

        return ask
    except Exception:  # no usable terminal for prompt_toolkit: plain input still works  # noqa: BLE001

        def plain(message: str) -> str:
            line = input(message)
            return _read_heredoc(line, input) if "<<" in line else line

        return plain


def run_interactive(runner: "LessonRunner", ask: Callable[[str], str] | None = None, *,
                    no_color: bool = False, debug: bool = False) -> int:
    """The REPL: the shell's prompt when available; `ask` lets tests drive it."""
    feedback = _console(no_color) if ask is None else None
    ask = ask or _make_ask(runner, no_color)
    while True:
        try:
            line = ask(runner.prompt)
        except KeyboardInterrupt:
            continue  # Ctrl-C clears the line, as in a shell; progress is already saved
        except EOFError:
            print("\nProgress saved. `dstutor lesson run` resumes here.")
            return ExitStatus.SUCCESS
        try:
            reply = _handle(runner, line, debug)
        except KeyboardInterrupt:
            # The shell put the cluster back; the line was not logged, progress is saved.
            print("^C: the command was stopped", file=sys.stderr)
            continue
        _write(reply, sys.stdout, sys.stderr, feedback)
        if reply.finished:
            return ExitStatus.SUCCESS


def _read_heredoc(first: str, ask: Callable[[str], str]) -> str:
    from dstutor.kubectl.lexer import pending_heredoc

    text = first
    while pending_heredoc(text) is not None:
        try:
            text += "\n" + ask("> ")
        except (EOFError, KeyboardInterrupt):
            break
    return text


@lesson_app.command("run", cls=PlainUsage)
@guarded
def run(lesson_id: Annotated[str | None, typer.Argument(
            metavar="[ID]", help="Lesson id, file name or number (default: where you left off).")
        ] = None,
        course: CourseOpt = None,
        restart: Annotated[bool, typer.Option(
            "--restart", help="Forget your progress in this lesson and start it again.")] = False,
        echo: Annotated[bool, typer.Option(
            "--echo", help="Script mode: print `$ COMMAND` before each output.")] = False,
        serve: Annotated[bool, typer.Option(
            "--serve", help="Also serve the lesson's cluster to your own kubectl.")] = False,
        port: Annotated[int, typer.Option(
            "--port", min=0, max=65535, help="With --serve: the port (0: any free port).")
        ] = 0,
        no_color: NoColorOpt = False,
        debug: Annotated[bool, typer.Option(
            "--debug", help="Show tracebacks of internal errors (the lesson still goes on).")
        ] = False,
        ) -> None:
    """Run a lesson: interactive at a terminal, script mode when stdin is a pipe."""
    from dstutor.lessons.progress import ProgressStore
    from dstutor.lessons.runner import LessonRunner
    from dstutor.shell.session import Session

    path, lessons, errors = _course(course)
    store = ProgressStore()
    if lesson_id is None and not lessons:
        fail(visible_line(NO_LESSONS_MSG.format(course=path)))
    lesson = _pick(lessons, store, lesson_id)
    if lesson is None:
        broken = [e for e in errors if lesson_id and lesson_id in (e.path or "")]
        if broken:
            fail(visible_line(f"dstutor: {broken[0]}"), ExitStatus.INVALID_LESSON)
        fail(visible_line(UNKNOWN_LESSON_MSG.format(wanted=lesson_id, course=path)))
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    try:
        runner = LessonRunner(lesson, store, restart=restart, live=interactive,
                              exercise=_exercise_hooks(lesson),
                              new_session=functools.partial(Session, debug=debug))
    except LessonError as exc:
        fail(f"dstutor: {exc}", ExitStatus.INVALID_LESSON)
    # Serving starts first: the runner then knows, from the first step on, that commands
    # may come from outside.
    stop_serving = _serve(runner, port) if serve else None
    _write(runner.start(), sys.stdout, sys.stderr)
    try:
        if interactive:
            status = run_interactive(runner, no_color=no_color, debug=debug)
        else:
            status = run_script_lines(runner, sys.stdin, sys.stdout, sys.stderr, echo=echo,
                                      debug=debug)
    except KeyboardInterrupt:
        fail("interrupted; progress saved", ExitStatus.INTERRUPTED)
    finally:
        if stop_serving is not None:
            stop_serving()
    leave(status)


def _serve(runner: "LessonRunner", port: int) -> Callable[[], None]:
    """--serve: the lesson's cluster on loopback for the learner's own kubectl; the checks
    run on the learner's next line (`check` re-checks after kubectl acted outside)."""
    from dstutor.cli.serve import background

    # A lesson's clock starts at the simulator's epoch: served times are mapped to wall
    # time so the real kubectl's ages agree with the tutor's.
    return background(port, cluster_of=lambda r: r.executor.cluster, wall_clock=True)(
        runner, sys.stderr)


@lesson_app.command("check", cls=PlainUsage)
@guarded
def check(paths: Annotated[list[str] | None, typer.Argument(
              metavar="[PATH ...]", help="Lesson files or course folders (default: the course).")
          ] = None,
          quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only print problems.")
                           ] = False,
          frozen: Annotated[bool, typer.Option(
              "--frozen", help="Do not write transcripts; fail if one is missing or would "
              "change (for CI).")] = False,
          debug: HiddenDebugOpt = False) -> None:
    """Validate lessons, run the two-way test of every step, its `expect`s and `wrong`
    attempts, and write each lesson's reference transcript; exit 1 on any problem."""
    from dstutor.lessons.loader import find_course
    from dstutor.lessons.validate import check_paths

    reports = check_paths(paths or [find_course(None)])
    if not reports:
        fail("dstutor: no lesson files found")
    bad = 0
    for report in reports:
        _transcript(report, frozen, quiet)
        for warning in report.warnings:
            print(visible(f"warning: {warning}"), file=sys.stderr)
        # File names, and values quoted in problems, come from the course.
        if report.ok:
            if not quiet and report.lesson is not None:
                print(f"ok    {visible_line(report.source)} ({len(report.lesson.steps)} steps)")
            continue
        bad += 1
        print(f"FAIL  {visible_line(report.source)}")
        for problem in report.problems:
            print(f"  {visible(problem)}")
    print(f"{len(reports) - bad} of {len(reports)} lessons passed" if not quiet or bad else "",
          end="\n" if not quiet or bad else "")
    leave(ExitStatus.ERROR if bad else ExitStatus.SUCCESS)


def _transcript(report: Any, frozen: bool, quiet: bool) -> None:
    """Write (or with --frozen, compare) the lesson's reference transcript: what a learner
    reads in the reference run, exercises with their scoring as `lesson run` has it."""
    from dstutor.errors import DstutorError
    from dstutor.lessons.transcript import transcript, transcript_path

    if report.lesson is None or not report.ok:
        return
    try:
        text = transcript(report.lesson, exercise=_exercise_hooks(report.lesson))
    except DstutorError as exc:
        report.problems.append(f"{report.source}: the reference run fails: {exc}")
        return
    path = transcript_path(report.lesson)
    try:
        old = path.read_text(encoding="utf-8")
    except OSError:
        old = None
    if old == text:
        return
    if frozen:
        what = "is missing" if old is None else "is out of date"
        report.problems.append(f"{report.source}: transcript {path.name} {what}: what "
                               "learners see changed; run `dstutor lesson check` and review "
                               "the diff")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if not quiet:
        print(f"wrote {path}")
