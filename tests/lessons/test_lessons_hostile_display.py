"""Lesson text never reaches the terminal raw (issue 18, F3, the lesson side).

The loader refuses control characters in lesson text, so these tests build lessons that
carry them anyway (as a future field, or a bug in the loader, could) and check that
`lesson run`, `lesson list` and the welcome screen still show every one visibly.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType

import pytest
from typer.testing import CliRunner

from dstutor.cli import lessons as lesson_cli
from dstutor.cli.lessons import lesson_app, run_script_lines
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner
from dstutor.lessons.schema import CheckSpec, Choice, Lesson, Quiz

# Escape sequences a hostile course could hide in its text, and how each must be shown.
CORPUS = [
    ("\x1b]0;owned\x07", "^[]0;owned^G"),  # retitle the terminal
    ("\x1b[2J\x1b[H", "^[[2J^[[H"),  # clear the screen
    ("\x1b[8mhidden\x1b[0m", "^[[8mhidden^[[0m"),  # invisible text
    ("over\rwrite", "over\\rwrite"),  # carriage return hides the start of a line
    ("back\x08\x08", "back^H^H"),
    ("\x9b31mc1", "\\u009b31mc1"),  # C1 CSI
    ("\u202egnp.exe", "\\u202egnp.exe"),  # bidi override
    ("nul\x00del\x7f", "nul^@del^?"),
]
LESSON = """format_version: 1
id: shown
title: Shown
k8s_version: "1.37"
steps:
  - id: label
    title: Label
    task: Label worker-1.
    checks:
      - {kind: node_has_label, node: worker-1, key: gpu}
    hints: [first, second]
    solution: [kubectl label node worker-1 gpu=true]
  - id: quiz
    quiz:
      question: Which?
      choices:
        - {text: a, explain: wrong}
        - {text: b, correct: true, explain: right}
    hints: [think]
"""


def _hostile(tmp_path: Path, raw: str) -> Lesson:
    """A valid lesson, then every text field (and a check parameter) given `raw`."""
    path = tmp_path / "01-shown.yaml"
    path.write_text(LESSON)
    lesson = load_lesson(path)
    label, quiz = lesson.steps
    assert quiz.quiz is not None
    label = replace(label, title=f"Label {raw}", text=f"Text {raw}", task=f"Task {raw}",
                    hints=(f"Hint1 {raw}", f"Hint2 {raw}"), explain=f"Explain {raw}",
                    checks=(CheckSpec("node_has_label", MappingProxyType(
                        {"node": "worker-1", "key": f"gpu{raw}"}), line=1),))
    quiz = replace(quiz, title=f"Quiz {raw}", quiz=Quiz(f"Question {raw}", (
        Choice(f"ChoiceA {raw}", False, f"WhyA {raw}"),
        Choice(f"ChoiceB {raw}", True, f"WhyB {raw}"))))
    return replace(lesson, title=f"Title {raw}", summary=f"Summary {raw}",
                   outro=f"Outro {raw}", steps=(label, quiz))


def _no_raw_controls(text: str) -> bool:
    return all(ch.isprintable() or ch == "\n" for ch in text)


@pytest.mark.parametrize(("raw", "shown"), CORPUS, ids=[repr(r) for r, _ in CORPUS])
def test_lesson_run_shows_every_control_character_visibly(tmp_path: Path, raw: str,
                                                           shown: str) -> None:
    lesson = _hostile(tmp_path, raw)
    runner = LessonRunner(lesson, ProgressStore(tmp_path / "progress.json"))
    out, err = io.StringIO(), io.StringIO()
    lesson_cli._write(runner.start(), out, err)
    script = ["hint", "hint", "solution", "check", "goal", "progress",
              "kubectl label node worker-1 other=x", "skip", "answer a", "answer b"]
    run_script_lines(runner, script, out, err, echo=True)
    text = out.getvalue() + err.getvalue()
    assert _no_raw_controls(text), [ch for ch in text if not (ch.isprintable() or ch == "\n")]
    for piece in ("Title", "Summary", "Label", "Text", "Task", "Hint1", "Hint2", "Question",
                  "ChoiceA", "WhyA", "WhyB", "Outro", "gpu"):
        assert f"{piece} {shown}" in text or f"{piece}{shown}" in text, piece


@pytest.mark.parametrize(("raw", "shown"), CORPUS[:3], ids=[repr(r) for r, _ in CORPUS[:3]])
def test_lesson_list_and_welcome_show_titles_visibly(tmp_path: Path, raw: str, shown: str,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    lesson = _hostile(tmp_path, raw)
    monkeypatch.setattr(lesson_cli, "_course", lambda course: (tmp_path, [lesson], []))
    result = CliRunner().invoke(lesson_app, ["list"])
    assert result.exit_code == 0
    assert f"Title {shown}" in result.output and _no_raw_controls(result.output)
    welcome = lesson_cli.welcome_status()
    assert f"Title {shown}" in welcome and _no_raw_controls(welcome)


def test_a_title_with_a_newline_stays_on_its_line(tmp_path: Path) -> None:
    lesson = _hostile(tmp_path, "\nfake line")
    runner = LessonRunner(lesson, ProgressStore(tmp_path / "progress.json"))
    out = io.StringIO()
    lesson_cli._write(runner.start(), out, io.StringIO())
    assert "Lesson 01-shown: Title ^Jfake line" in out.getvalue()
    assert "Step 1/2: Label ^Jfake line ─" in out.getvalue()
