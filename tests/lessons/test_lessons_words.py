"""Lesson words are one registry (lessons/lessonwords.py) feeding dispatch, `help` and Tab."""

from __future__ import annotations

from pathlib import Path

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from dstutor.lessons import lessonwords
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LESSON_WORDS, QUIT_WORDS, LessonRunner
from dstutor.shell.completer import ShellCompleter

LESSONS = Path(__file__).resolve().parents[2] / "lessons"

# `help` in a lesson as it was written by hand before the registry (issue 17): the text
# the registry makes must stay byte for byte this.
OLD_LESSON_HELP = """\
Lesson commands:
  hint       a hint for this step (each one says more)
  check      check the step now and say what is still missing
  goal       what the step checks, what it ignores, and where you are now
  next       go on once the step is done
  skip       apply the step's solution and go on (counted as skipped)
  solution   show the solution commands
  answer X   answer the quiz with letter X
  predict N  give your prediction before the command runs
  progress   your progress in this lesson
  reset      rebuild the cluster as it was when this step started
  quit       leave; `dstutor lesson run` picks up where you left off
  end        in an exercise: end it now and see the review (points per task,
             what was missed, the final score)
kubectl lines and simulator commands (node add, advance, map, why) work as in the shell."""


@pytest.fixture
def runner(tmp_path: Path) -> LessonRunner:
    lesson = load_lesson(LESSONS / "01-what-is-a-daemonset.yaml")
    runner = LessonRunner(lesson, ProgressStore(tmp_path / "progress.json"))
    runner.start()
    return runner


def _tab(runner: LessonRunner, text: str) -> list[str]:
    completer = ShellCompleter(lambda: runner.executor.session)
    return [c.text for c in completer.get_completions(Document(text), CompleteEvent())]


def test_lesson_words_tab_offers_the_lesson_words(runner: LessonRunner) -> None:
    offered = _tab(runner, "")
    for name in ("hint", "next", "goal", "check", "skip", "solution", "progress", "quit"):
        assert name in offered
    assert _tab(runner, "hi") == ["hint"]
    assert _tab(runner, "ne") == ["next"]
    assert _tab(runner, "go") == ["goal"]
    assert _tab(runner, "help pre") == ["predict"]  # `help WORD` is the word's help


def test_lesson_words_tab_still_offers_them_after_reset(runner: LessonRunner) -> None:
    runner.handle_line("reset")  # builds a new session
    assert _tab(runner, "sol") == ["solution"]


def test_lesson_words_every_word_has_help(runner: LessonRunner) -> None:
    listing = runner.handle_line("help").stdout
    for entry in lessonwords.WORDS.values():
        assert entry.summary and entry.usage.split()[0] == entry.name
        first, *more = entry.summary.split("\n")
        line = f"  {entry.usage.ljust(11)}{first}\n" + "".join(f"{' ' * 13}{m}\n" for m in more)
        assert (line in listing) == entry.listed
        own = runner.handle_line(f"help {entry.name}")
        assert own.exit_code == 0
        assert own.stdout == f"{entry.usage}\n\n" + "".join(
            f"  {m}\n" for m in entry.summary.split("\n"))


def test_lesson_words_help_is_byte_identical_to_the_hand_written_one(runner: LessonRunner
                                                                     ) -> None:
    assert runner.handle_line("help").stdout == OLD_LESSON_HELP + "\n"


def test_lesson_words_help_topic_not_a_lesson_word_is_the_shell_help(runner: LessonRunner
                                                                      ) -> None:
    assert runner.handle_line("help node add").stdout.startswith("node add NAME")


def test_lesson_words_one_source_for_dispatch_tables_and_completion(runner: LessonRunner
                                                                    ) -> None:
    names = {n for w in lessonwords.WORDS.values() for n in (w.name, *w.aliases)}
    assert set(LESSON_WORDS) | set(QUIT_WORDS) == names
    assert {w.name for w in runner.executor.session.extra_words} == names


@pytest.mark.parametrize(("line", "found"), [
    ("hint", ("hint", [])),
    ("answer b", ("answer", ["b"])),
    ("exit", ("quit", [])),
    ("quit", ("quit", [])),
    ("end", ("end", [])),
    ("exit now", None),  # quitting is the word alone
    ("hint\nmore", None),  # a heredoc is never a lesson word
    ("kubectl get pods", None),
    ("", None),
])
def test_lesson_words_find(line: str, found: tuple[str, list[str]] | None) -> None:
    got = lessonwords.find(line)
    assert (None if got is None else (got[0].name, got[1])) == found


def test_lesson_words_kubectl_hint_says_to_drop_kubectl(runner: LessonRunner) -> None:
    reply = runner.handle_line("kubectl hint")
    assert reply.exit_code == 1
    assert "`hint` is a dstutor command, not kubectl" in reply.stdout
