"""Plain-text rendering of lesson parts: step intros, goals, progress tables (no colour)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from dstutor.lessons.checks import CHECKS, Outcome
from dstutor.lessons.progress import LessonProgress
from dstutor.lessons.schema import CheckSpec, Lesson, Quiz, Step
from dstutor.textsafe import visible_line


def rule(title: str) -> str:
    title = visible_line(title)  # one line, whatever the lesson file says
    return f"── {title} " + "─" * max(3, 70 - len(title))


def quiz_text(quiz: Quiz) -> str:
    lines = [quiz.question]
    lines += [f"  {letter}) {visible_line(c.text)}"
              for letter, c in zip(quiz.letters, quiz.choices, strict=True)]
    lines.append("Type `answer` and a letter, e.g. `answer a`.")
    return "\n".join(lines)


def step_intro_parts(lesson: Lesson, index: int) -> list[tuple[str, str]]:
    """The step's introduction as (kind, text) pieces; its `text` is Markdown, which a
    terminal renders with Rich and script mode prints as written."""
    step = lesson.steps[index]
    parts = [("stdout", rule(f"Step {index + 1}/{len(lesson.steps)}: {step.title}"))]
    if step.text:
        parts.append(("markdown", step.text.strip()))
    if step.task:
        parts.append(("stdout", f"Task: {step.task.strip()}"))
    if step.quiz:
        parts.append(("stdout", quiz_text(step.quiz)))
    if step.predict:
        parts.append(("stdout", predict_notice(step)))
    pieces = [(kind, text + "\n\n") for kind, text in parts]
    pieces[-1] = (pieces[-1][0], pieces[-1][1][:-1])
    return pieces


def predict_notice(step: Step) -> str:
    """Which command the prediction is about, named by its verb (not the whole solution)."""
    assert step.predict is not None
    line = next((x for x in step.solution if re.search(step.predict.before, x)), "")
    words = [w for w in line.split("\n", 1)[0].split() if not w.startswith("-")]
    verb = " ".join(words[:3] if words[1:2] == ["rollout"] else words[:2])
    which = f"`{verb}`" if verb else "the command this step is about"
    return (f"(When you run {which}, you will first be asked to predict the outcome; "
            "or type `predict N` now.)")


def step_intro(lesson: Lesson, index: int) -> str:
    return "".join(text for _, text in step_intro_parts(lesson, index))


def lesson_intro(lesson: Lesson) -> str:
    head = f"Lesson {visible_line(lesson.slug)}: {visible_line(lesson.title)}"
    if lesson.minutes:
        head += f" (about {lesson.minutes} min, Kubernetes {lesson.k8s_version})"
    parts = [head]
    if lesson.summary:
        parts.append(lesson.summary.strip())
    parts.append("Type `help` for the lesson commands, `hint` when stuck.")
    return "\n".join(parts) + "\n"


def outcome_lines(results: Sequence[tuple[CheckSpec, Outcome]]) -> str:
    lines = []
    for _spec, outcome in results:
        mark = "[done]" if outcome.passed else "[todo]"
        lines.append(f"  {mark} {outcome.message}")
    return "\n".join(lines) + "\n"


def goal_text(step: Step, results: Sequence[tuple[CheckSpec, Outcome]], *,
              exam: bool = False) -> str:
    lines = [f"Goal of step '{step.id}':"]
    if exam:  # an exercise: the task is the goal; the checks' values would give it away
        lines += [f"  {line}" for line in step.task.strip().splitlines()]
        lines += [f"  {'[done]' if o.passed else '[todo]'} {o.message}" for _s, o in results]
        return "\n".join(lines) + "\n"
    ignored: list[str] = []
    for spec, outcome in results:
        kind = CHECKS[spec.kind]
        mark = "[done]" if outcome.passed else "[todo]"
        lines.append(f"  {mark} {kind.goal(spec.params)}")
        for field, expected, current in outcome.compared:
            if expected != current:
                lines.append(f"         {field}: expected {expected}")
                lines.append(f"         {' ' * len(field)}  now      {current}")
        if kind.ignores and kind.ignores not in ignored:
            ignored.append(kind.ignores)
    if ignored:
        lines.append("  Not compared: " + "; ".join(ignored) + ".")
    return "\n".join(lines) + "\n"


def progress_text(lesson: Lesson, progress: LessonProgress, current: int) -> str:
    lines = [f"{visible_line(lesson.slug)}: {visible_line(lesson.title)}"]
    for i, step in enumerate(lesson.steps):
        sp = progress.steps.get(step.id)
        if sp and sp.done:
            state = "skipped" if sp.skipped else "done"
        elif i == current:
            state = "current"
        else:
            state = "-"
        extra = ""
        if sp:
            extra = (f"  hints {sp.hints_used}/{len(step.hints)}, attempts {sp.attempts}, "
                     f"{int(sp.seconds)}s")
        lines.append(f"  {i + 1:>2}. {visible_line(step.title):<38} {state:<8}{extra}")
    return "\n".join(lines) + "\n"


def summary_line(lesson: Lesson, progress: LessonProgress) -> str:
    steps = progress.steps.values()
    hints = sum(s.hints_used for s in steps)
    skipped = sum(1 for s in steps if s.skipped)
    total = int(sum(s.seconds for s in steps))
    return (f"Lesson complete: {progress.done_count()}/{len(lesson.steps)} steps "
            f"({skipped} skipped), {hints} hints, {total // 60} min {total % 60} s.\n")
