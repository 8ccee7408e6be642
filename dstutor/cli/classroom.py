"""Typer commands for the classroom: `lint`, `results export` and `grade`.

dstutor/cli/app.py mounts them with `register(app)`. Heavy modules (Rich, the simulator)
are imported inside the commands so building the app stays cheap.
"""

# No `from __future__ import annotations`: Typer reads the annotations at run time.

import sys
from enum import StrEnum
from typing import Annotated

import typer

from dstutor.cli.common import HiddenDebugOpt, PlainUsage, fail, guarded, leave, rich_console
from dstutor.errors import ExitStatus

results_app = typer.Typer(no_args_is_help=True,
                          help="Your results: export one file to hand to the instructor.")


class LintFormat(StrEnum):
    text = "text"
    json = "json"


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


@guarded
def lint_command(
    files: Annotated[list[str], typer.Argument(metavar="FILE...",
                                               help="DaemonSet manifests.")],
    output: Annotated[LintFormat, typer.Option("-o", "--output",
                                               help="text or json.")] = LintFormat.text,
    cluster: Annotated[str | None, typer.Option(
        "--cluster", metavar="FILE", help="Judge tolerations and maxUnavailable against this "
        "cluster file [default: the default cluster].")] = None,
    debug: HiddenDebugOpt = False,
) -> None:
    """Review DaemonSet manifests against best practices; exit 1 if any error is found."""
    from rich.markup import escape

    from dstutor.classroom import lint
    from dstutor.errors import DstutorError

    try:
        findings = lint.lint_files([lint.relative(f) for f in files], cluster_file=cluster)
    except DstutorError as exc:  # an unreadable --cluster file
        fail(f"dstutor lint: {exc}", ExitStatus.USAGE)
    if output is LintFormat.json:
        sys.stdout.write(lint.format_json(findings))
    else:
        out = rich_console(soft_wrap=True)
        for f in findings:
            style = SEVERITY_STYLE[f.severity]
            head = f"[bold]{escape(f.location)}[/]: [{style}]{f.severity}[/] {escape(f'[{f.rule}]')}"
            if f.object:
                head += f" DaemonSet {escape(f.object)}"
            where = f"[bold]{escape(f.path)}[/]: " if f.path else ""
            out.print(head)
            out.print(f"  {where}{escape(f.message)}")
            out.print(f"  [dim]why:[/] {escape(f.why)}")
            out.print(f"  [green]fix:[/] {escape(f.fix)}")
            out.print()
        out.print(lint.summary(findings, len(files)))
    if lint.has_errors(findings):
        leave(ExitStatus.ERROR)


NAME_MISSING_ERR = ("dstutor results export: who are you? Pass --name \"Your Name\" "
                    "(it is remembered for next time)")
EXPORTED_MSG = ("Wrote {path}: {lessons} lessons and exercises, {started} started, score "
                "{score:g}/{points:g}.\nHand this file to your instructor. It is tamper-evident "
                "(edits are detected by `dstutor grade`), not tamper-proof.")


def _interactive() -> bool:
    return sys.stdin.isatty()


def _learner_name(name: str | None) -> str:
    from dstutor.classroom.results import store_name, stored_name

    if name and name.strip():
        store_name(name.strip())
        return name.strip()
    known = stored_name()
    if known:
        return known
    if not _interactive():
        fail(NAME_MISSING_ERR, ExitStatus.USAGE)
    asked = ""
    while not asked:
        asked = str(typer.prompt("Your name (for your instructor; asked once)")).strip()
    store_name(asked)
    return asked


@results_app.command("export", cls=PlainUsage)
@guarded
def export_command(
    out: Annotated[str | None, typer.Option(
        "--out", "-o", metavar="FILE",
        help="Where to write [default: dstutor-results-NAME.json].")] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Your name as the instructor knows you (remembered).")] = None,
    course: Annotated[str | None, typer.Option(
        "--course", metavar="DIR", help="The course folder [default: the shipped lessons].")
    ] = None,
    debug: HiddenDebugOpt = False,
) -> None:
    """Write your results (scores, hints, time, command log) to one file for the instructor.

    The file is tamper-evident (`dstutor grade` detects edits), not tamper-proof.
    """
    from pathlib import Path

    from dstutor.classroom.results import build_results, file_slug, write_results
    from dstutor.lessons.loader import find_course, load_course
    from dstutor.lessons.progress import ProgressStore

    learner = _learner_name(name)
    where = find_course(course)
    lessons, errors = load_course(where)
    for err in errors:
        print(f"warning: skipped a lesson that does not load: {err}", file=sys.stderr)
    store = ProgressStore()
    for notice in store.notices:
        print(notice, file=sys.stderr)
    known = {lesson.id for lesson in lessons}
    for lesson_id in sorted(set(store.lessons) - known):
        print(f"warning: your progress in {lesson_id!r} is not exported: that lesson is not in "
              f"{where} (use --course)", file=sys.stderr)
    doc = build_results(learner, lessons, store.lessons, course=str(where))
    path = Path(out or f"dstutor-results-{file_slug(learner)}.json")
    write_results(doc, path)
    started = sum(1 for r in doc["lessons"] if r["started"])
    print(EXPORTED_MSG.format(path=path, lessons=len(doc["lessons"]), started=started,
                              score=doc["total_score"], points=doc["total_points"]))


@guarded
def grade_command(
    files: Annotated[list[str], typer.Argument(metavar="FILE...",
                                               help="Learners' results files.")],
    csv_out: Annotated[str | None, typer.Option("--csv", metavar="FILE",
                                                help="Scores as CSV.")] = None,
    junit_out: Annotated[str | None, typer.Option(
        "--junit", metavar="FILE", help="JUnit XML: a testcase per learner x step (an "
        "exercise step's says its points and missed checks).")] = None,
    json_out: Annotated[str | None, typer.Option(
        "--json", metavar="FILE", help="Scores, stuck map, xAPI-style statements and each "
        "exercise's review.")] = None,
    course: Annotated[str | None, typer.Option(
        "--course", metavar="DIR", help="Also replay every log against this course and "
        "reject files whose claims (steps, hints, checks, scoring) the replay does not "
        "reproduce.")] = None,
    only: Annotated[list[str] | None, typer.Option(
        "--only", metavar="LESSON", help="Grade only this lesson or exercise (id or file "
        "name; repeatable).")] = None,
    review: Annotated[bool, typer.Option(
        "--review", help="Also show each learner's review of every exercise they started: "
        "points per task, the checks missed, hint and time costs.")] = False,
    debug: HiddenDebugOpt = False,
) -> None:
    """Grade a class: verify each results file, show scores and where learners got stuck."""
    from pathlib import Path

    from rich.markup import escape as rich_escape
    from rich.table import Table

    from dstutor.classroom import grade

    def escape(text: str) -> str:
        # Names, ids, titles, paths and reasons come from learners' files: nothing raw.
        return rich_escape(grade.shown(str(text)))

    lessons = None
    if course is not None:
        from dstutor.lessons.loader import load_course

        lessons, errors = load_course(Path(course))
        for err in errors:
            print(f"warning: {err}", file=sys.stderr)
        if not lessons:
            fail(f"dstutor grade: no lessons in {course}", ExitStatus.USAGE)
    book = grade.load_class(files, lessons=lessons, only=only or ())
    out = rich_console(soft_wrap=True)
    if not out.is_terminal:
        out.width = max(out.width, 160)  # a file or pipe: do not squeeze the tables
    if book.learners:
        header, rows, legend = grade.score_matrix(book)
        title = "Scores (* = not finished, - = not started"
        if any(ln.unverified for ln in book.learners):
            title += f", {grade.UNVERIFIED_MARK} = hints NOT VERIFIED: an older log"
        table = Table(title=title + ")", title_justify="left")
        for i, col in enumerate(header):
            table.add_column(escape(col), justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(*(escape(c) for c in row))
        out.print(table)
        for line in legend:
            out.print(f"  {escape(line)}")
        stuck = Table(title="Where learners got stuck (hardest first)", title_justify="left")
        for col in ("step", "done", "attempts", "hints", "median time", "not done",
                    "checks missed (learners)"):
            stuck.add_column(col, justify="right" if col in ("done", "attempts", "hints",
                                                             "median time") else "left")
        for row in grade.stuck_rows(book.stuck()):
            stuck.add_row(*(escape(c) for c in row))
        out.print(stuck)
        if review:
            for head, lines in grade.review_blocks(book):
                out.print(f"[bold]Review[/] {escape(head)}")
                for line in lines:
                    out.print(f"  {escape(line)}", highlight=False)
        for ln in book.learners:
            for lid in sorted(ln.unverified):
                out.print(f"[bold yellow]UNVERIFIED[/] {escape(ln.path)} ({escape(ln.name)}"
                              f"): {escape(lid)}: graded from an older log; its hints and "
                              "solutions seen are the file's word (a forger can claim none): "
                              "ask the learner to export again after redoing it")
            for note in ln.notes:
                out.print(f"[yellow]note[/] {escape(ln.path)} ({escape(ln.name)}): "
                              f"{escape(note)}")
    else:
        out.print("No results file could be graded.")
    for rej in book.rejected:
        out.print(f"[bold red]REJECTED[/] {escape(rej.path)}: not graded")
        for reason in rej.reasons:
            out.print(f"  - {escape(reason)}")
    outputs = ((csv_out, grade.to_csv), (junit_out, grade.to_junit), (json_out, grade.to_json))
    for target, render in outputs:
        if target:
            Path(target).write_text(render(book), encoding="utf-8")
            out.print(f"Wrote {escape(target)}")
    if book.rejected:
        leave(ExitStatus.ERROR)


def register(app: typer.Typer) -> None:
    """Mount the classroom commands on the main app."""
    app.command("lint", cls=PlainUsage)(lint_command)
    app.command("grade", cls=PlainUsage)(grade_command)
    app.add_typer(results_app, name="results")
