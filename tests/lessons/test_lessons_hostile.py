"""Hostile lessons (issue 18): each fails `lesson check` with its one-line error, reads
nothing outside its course folder, writes no file, and never shows a traceback.

Every fixture in fixtures/hostile-lessons starts with `# expect: MESSAGE`: the problem
`lesson check` must report, after the file name (or, without a leading `:`, a part of
it). The test copies the folder next to an `outside/` folder holding a secret, and adds
what git cannot hold: symlinks out of the course, a FIFO, a file over the size limit.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from lesson_paths import ROOT
from typer.testing import CliRunner

from dstutor.cli.lessons import lesson_app
from dstutor.errors import ExitStatus, LessonError
from dstutor.lessons import confine
from dstutor.lessons.loader import load_course, load_lesson
from dstutor.lessons.validate import check_paths

HOSTILE = ROOT / "fixtures" / "hostile-lessons"
FIXTURES = sorted(HOSTILE.glob("[0-9][0-9]-*.yaml"))
SECRET = "SECRET-CONTENT-42"
WRITTEN = [Path("/tmp/dstutor-hostile.json"), Path("/tmp/dstutor-hostile.svg"),
           Path("/tmp/dstutor-hostile.txt")]


def expected(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: ...'"
    return first.removeprefix("# expect: ")


def _build(root: Path) -> Path:
    course = root / "course"
    shutil.copytree(HOSTILE, course)
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret-ds.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {SECRET}}}\n")
    (outside / "lesson.yaml").write_text(f"title: {SECRET}\n")
    os.symlink(outside / "secret-ds.yaml", course / "manifests" / "link-outside.yaml")
    os.symlink("/dev/zero", course / "manifests" / "link-dev-zero.yaml")
    os.mkfifo(course / "manifests" / "pipe.yaml")
    (course / "manifests" / "huge.yaml").write_text("# " + "x" * (2 * 1024 * 1024) + "\n")
    os.symlink("/etc/passwd", course / "clusters" / "link-passwd.yaml")
    return course


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("hostile"))


def test_there_is_a_corpus() -> None:
    assert len(FIXTURES) >= 40


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_hostile_lesson_fails_check_with_its_one_line_error(course: Path, fixture: Path) -> None:
    [report] = check_paths([course / fixture.name])
    want = expected(fixture)
    assert len(report.problems) == 1, report.problems
    [problem] = report.problems
    assert "\n" not in problem and SECRET not in problem
    if want.startswith(":"):
        assert problem == report.source + want
    else:
        assert problem.startswith(report.source) and want in problem, problem


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_hostile_lesson_is_refused_before_a_learner_runs_it(course: Path, fixture: Path) -> None:
    """`lesson run` loads and sets up a lesson the same way, with the same message."""
    from dstutor.lessons.sandbox import build_setup

    with pytest.raises(LessonError) as err:
        build_setup(load_lesson(course / fixture.name))
    message = re.sub(r"^:\d*(?: step '[^']*')?: ", "", expected(fixture))
    assert message in str(err.value) and SECRET not in str(err.value)


def _printable(text: str) -> bool:
    return all(ch.isprintable() or ch in "\n" for ch in text)


def test_lesson_check_of_the_folder_fails_every_file_without_a_traceback(course: Path) -> None:
    result = CliRunner().invoke(lesson_app, ["check", str(course)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.count("FAIL ") == len(FIXTURES)
    assert f"0 of {len(FIXTURES)} lessons passed" in result.output
    assert "Traceback" not in result.output and SECRET not in result.output
    assert _printable(result.output), "a control character reached the terminal"


def test_lesson_list_shows_every_broken_lesson_on_one_line(course: Path) -> None:
    result = CliRunner().invoke(lesson_app, ["list", "--course", str(course)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.splitlines()
    assert len(lines) == len(FIXTURES)
    assert all("(this lesson cannot be run;" in line for line in lines)
    assert SECRET not in result.output and _printable(result.output)
    _lessons, errors = load_course(course)
    assert len(errors) == len(FIXTURES)


@pytest.mark.parametrize("fixture", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_lesson_run_refuses_it_and_writes_nothing(course: Path, fixture: Path) -> None:
    for path in WRITTEN:
        path.unlink(missing_ok=True)
    result = CliRunner().invoke(lesson_app, ["run", fixture.stem, "--course", str(course)],
                                input="kubectl get nodes\nskip\n")
    assert result.exit_code == ExitStatus.INVALID_LESSON, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert SECRET not in result.output and _printable(result.output)
    assert not any(path.exists() for path in WRITTEN)


# --- what git cannot hold: lesson files that are themselves hostile -----------------------

GOOD = (HOSTILE / "01-manifest-dotdot.yaml").read_text().replace(
    "setup:\n  manifests: [../outside/secret-ds.yaml]\n", "").replace(
    "id: manifest-dotdot", "id: LESSON_ID")


@pytest.mark.parametrize(("make", "message"), [
    (lambda d, f: f.write_text("# " + "x" * (2 * 1024 * 1024)),
     "is larger than 1048576 bytes, the limit for a lesson's files"),
    (lambda d, f: os.mkfifo(f), "is a named pipe (FIFO), not a regular file"),
    (lambda d, f: os.symlink(d.parent / "outside" / "lesson.yaml", f),
     "is a symlink that leads outside the course folder"),
    (lambda d, f: os.symlink("/dev/zero", f), "is a symlink that leads outside the course folder"),
    (lambda d, f: os.symlink(f.name, f), "too many levels of symbolic links"),
], ids=["oversize", "fifo", "symlink-out", "symlink-dev-zero", "symlink-loop"])
def test_a_hostile_lesson_file(tmp_path: Path, make: object, message: str) -> None:
    course = _build(tmp_path)
    for old in course.glob("[0-9]*.yaml"):
        old.unlink()
    (course / "01-fine.yaml").write_text(GOOD.replace("LESSON_ID", "fine"))
    target = course / "02-hostile.yaml"
    make(course, target)  # type: ignore[operator]
    reports = check_paths([course])
    assert [r.source.rsplit("/", 1)[-1] for r in reports] == ["01-fine.yaml", "02-hostile.yaml"]
    assert reports[0].lesson is not None  # the good lesson is not affected
    [problem] = reports[1].problems
    assert message in problem and SECRET not in problem
    lessons, errors = load_course(course)  # `lesson list`: the good lesson still shows
    assert [x.id for x in lessons] == ["fine"]
    assert len(errors) == 1 and message in str(errors[0])


def test_a_lesson_file_name_with_a_control_character(tmp_path: Path) -> None:
    path = tmp_path / "01-\x1b[2Jclear.yaml"
    path.write_text(GOOD.replace("LESSON_ID", "named"))
    [report] = check_paths([tmp_path])
    assert "the file name contains a control character" in report.problems[0]
    result = CliRunner().invoke(lesson_app, ["check", str(tmp_path)])
    assert "\x1b" not in result.output and "^[[2Jclear" in result.output


# --- refused at run time too, for a lesson built without the loader ------------------------

def test_setup_files_are_read_confined_even_without_the_loader(course: Path) -> None:
    from dataclasses import replace

    from dstutor.lessons.sandbox import build_setup

    (course / "99-direct.yaml").write_text(GOOD.replace("LESSON_ID", "direct"))
    try:
        lesson = load_lesson(course / "99-direct.yaml")
    finally:
        (course / "99-direct.yaml").unlink()
    for manifests, message in ((("../outside/secret-ds.yaml",), "leads outside"),
                               (("manifests/pipe.yaml",), "named pipe"),
                               (("manifests/link-dev-zero.yaml",), "symlink"),
                               (("/dev/zero",), "absolute path")):
        hostile = replace(lesson, setup=replace(lesson.setup, manifests=manifests))
        with pytest.raises(LessonError, match=message) as err:
            build_setup(hostile)
        assert SECRET not in str(err.value)


@pytest.mark.parametrize(("line", "allowed"), [
    ("kubectl get pods -A", True),
    ("k get ds -o wide", True),
    ("kubectl apply -f - <<EOF\nkind: Namespace\napiVersion: v1\nmetadata: {name: a}\nEOF",
     True),
    ("kubectl get pods -l 'a in (b)'", True),
    ('kubectl annotate ds x note="a > b"', True),
    ("node add worker-9 --label gpu=true", True),
    ("advance 30s", True),
    ("map", True),
    ("why worker-1", True),
    ("save x.json", False),
    ("load x.json", False),
    ("map --svg x.svg", False),
    ("map --svg=x.svg", False),
    # Pipes into the text filters and `> NAME` write only the lesson's workspace.
    ("kubectl get pods > x", True),
    ("kubectl get pods | head", True),
    ("kubectl get pods -o wide | grep worker-2 | awk '{print $1}'", True),
    ("cat > ds.yaml <<EOF\nkind: X\nEOF", True),
    ("kubectl get pods > /tmp/x", False),
    ("kubectl get pods >> ../x", False),
    ("kubectl get pods > ~/x", False),
    ("kubectl get pods > dir/x", False),
    ("kubectl get pods | sh", False),
    ("kubectl get pods | head > /etc/x", False),
    ("save x.json | head", False),
    ("kubectl get pods && rm -rf /", False),
    ("kubectl get pods $(rm -rf /)", False),
    ("cat /etc/passwd", False),
    ("cat ../x", False),
    ("kubectl get pods; rm -rf /", False),
    ("kubectl get pods &", False),
    ("kubectl apply -f x.yaml", False),
    ("kubectl apply -fx.yaml", False),
    ("kubectl apply --filename=x.yaml", False),
    ("kubectl apply -k dir", False),
    ("kubectl get ds -o custom-columns-file=x", False),
    # pflag's combined shorthands and the editor, seen as kubectl's own parser sees them
    ("kubectl apply -Rf /etc/x", False),
    ("kubectl apply -R -f=/etc/x", False),
    ("kubectl delete -Rfx.yaml", False),
    ("kubectl get ds -o go-template-file --template=/etc/passwd", False),
    ("kubectl get ds -o templatefile=/etc/passwd", False),
    ("kubectl edit ds node-logger", False),
    ("kubectl create --edit -f -", False),
    ("kubectl patch ds x --patch-file p.yaml", False),
    ("kubectl frobnicate -Rf /etc/x", False),  # refused by the parser: scanned word by word
    ("kubectl get ds -o go-template --template={{.metadata.name}}", True),
    ("rm -rf /", False),
    ("answer b", False),
])
def test_command_policy(line: str, allowed: bool) -> None:
    assert (confine.command_problem(line) is None) is allowed


def test_workspace_files_the_lesson_writes_may_be_read() -> None:
    written = confine.written_files(["kubectl create deployment x --image=i --dry-run=client "
                                     "-o yaml > ds.yaml", "cat > b.yaml <<EOF\nx\nEOF"])
    assert written == {"ds.yaml", "b.yaml"}
    assert confine.command_problem("kubectl apply -f ds.yaml", written=written) is None
    assert confine.command_problem("kubectl apply -f b.yaml", written=written) is None
    assert confine.command_problem("kubectl apply -f other.yaml", written=written)
    assert confine.command_problem("kubectl apply -f /etc/passwd", written=written)


# One policy for lesson lines and grading's replay (confine.kubectl_refusal): the same
# line is judged the same way, differing only in which names the workspace may hold and
# whether an editor (replayed from the learner's journal when grading) may start.
@pytest.mark.parametrize(("line", "flag", "value"), [
    ("kubectl apply -f ds.yaml", "-f", "ds.yaml"),
    ("kubectl apply -fds.yaml", "-f", "ds.yaml"),
    ("kubectl apply --filename=ds.yaml", "-f", "ds.yaml"),
    ("kubectl apply -Rf /etc/x", "-f", "/etc/x"),
    ("kubectl apply -R -f /etc/x", "-f", "/etc/x"),
    ("k delete -Rf=/etc/x", "-f", "/etc/x"),
    ("kubectl apply -k ../outside", "-f", "../outside"),
    ("kubectl apply -Rk ../outside", "-f", "../outside"),
    ("kubectl patch ds x --patch-file /tmp/p", "--patch-file", "/tmp/p"),
    ("kubectl get ds -o go-template-file=/etc/passwd", "-o", "/etc/passwd"),
    ("kubectl get ds -o go-template-file --template=/etc/passwd", "-o", "/etc/passwd"),
    ("kubectl get ds -ojsonpath-file=/etc/passwd", "-o", "/etc/passwd"),
    ("kubectl edit ds x", "edit", ""),
    ("kubectl create --edit -f -", "edit", ""),
    ("kubectl apply -f - <<EOF\nkind: X\nEOF", None, None),
    ("kubectl get ds -o wide", None, None),
    ("kubectl get pods -lk=v", None, None),
])
def test_one_file_policy_for_lessons_and_grading(line: str, flag: str | None,
                                                 value: str | None) -> None:
    use = confine.kubectl_refusal(line, lambda name: False, editor=False)
    assert ((use.flag, use.value) if use else (None, None)) == (flag, value)
    if use is not None:
        from dstutor.classroom.replay import refused
        # grading refuses it too, unless it is a plain workspace name or the editor
        plain = use.flag in ("-f", "--patch-file") and "/" not in use.value and \
            not use.value.startswith(".")
        assert (refused(line) is None) == (plain or use.flag == "edit")
        assert confine.command_problem(line) is not None


def test_answer_is_allowed_in_a_solution_only() -> None:
    assert confine.command_problem("answer b", solution=True) is None


# --- any value in any field: a report, never an exception ---------------------------------

BASE = {
    "format_version": 1, "id": "fuzz", "title": "Fuzz", "k8s_version": "1.37",
    "setup": {"workers": 2, "nodes": [{"name": "worker-9", "labels": {"a": "b"}}],
              "commands": ["kubectl label node worker-1 zone=a"]},
    "steps": [{
        "id": "one", "title": "One", "task": "t",
        "checks": [{"kind": "node_has_label", "node": "worker-1", "key": "gpu"}],
        "hints": ["h"], "solution": ["kubectl label node worker-1 gpu=true"],
        "wrong": [{"commands": ["kubectl get nodes"], "fails": "node_has_label"}],
        "variants": [{"name": "v", "commands": ["node add worker-7"]}],
    }, {
        "id": "two", "quiz": {"question": "q", "choices": [
            {"text": "a", "explain": "x"}, {"text": "b", "correct": True, "explain": "y"}]},
        "predict": {"question": "q", "answer": 1, "before": "x",
                    "measure": {"daemonset": "d"}},
        "hints": ["h"],
    }],
}


def _paths(value: object, here: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [here] if here else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths(v, (*here, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths(v, (*here, i))
    return found


PATHS = _paths(BASE)


def _values() -> object:
    from hypothesis import strategies as st

    scalars = st.one_of(st.none(), st.booleans(), st.integers(-(10**12), 10**12),
                        st.floats(allow_nan=False), st.text(max_size=8),
                        st.sampled_from(["../x", "/dev/zero", "save f", "\x1b[2J", ">"]))
    return st.recursive(scalars, lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=5), inner, max_size=3)),
        max_leaves=6)


def test_any_value_in_any_field_gives_a_report_not_a_traceback(tmp_path_factory:
                                                               pytest.TempPathFactory) -> None:
    import copy

    import yaml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    folder = tmp_path_factory.mktemp("fuzz")

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(PATHS), _values())
    def run(where: tuple[object, ...], value: object) -> None:
        doc = copy.deepcopy(BASE)
        target: object = doc
        for key in where[:-1]:
            target = target[key]  # type: ignore[index]
        target[where[-1]] = value  # type: ignore[index]
        path = folder / "01-fuzz.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=False))
        [report] = check_paths([path])
        for problem in report.problems:
            assert problem.startswith(report.source), problem
            # the safety net in check_file is for defects; no input should reach it
            assert "checking this lesson failed (" not in problem, problem

    run()


def test_any_parameters_of_any_check_give_a_report_not_a_traceback(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    import copy

    import yaml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from dstutor.lessons.checks import CHECKS

    folder = tmp_path_factory.mktemp("fuzz-checks")
    kinds = sorted(CHECKS)
    # One strategy object for every draw: the same values as a new one each time, without
    # hypothesis validating a new recursive strategy on every draw (a third of the time).
    values = _values()

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(kinds), st.data())
    def run(kind: str, data: st.DataObject) -> None:
        spec = CHECKS[kind]
        check: dict[str, object] = {"kind": kind}
        for name in spec.required:
            check[name] = data.draw(values)
        for name in spec.optional:
            if data.draw(st.booleans()):
                check[name] = data.draw(values)
        doc = copy.deepcopy(BASE)
        doc["steps"][0]["checks"] = [check]  # type: ignore[index]
        path = folder / "01-fuzz.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=False))
        [report] = check_paths([path])
        for problem in report.problems:
            assert "checking this lesson failed (" not in problem, problem

    run()
