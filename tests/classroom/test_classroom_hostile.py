"""Grading hostile results files: nothing runs, nothing raw is printed, one bad file never
stops the batch, and forgeries a consistent file hides are caught by the replay."""

import copy
import csv
import json
import os
import pickle
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from classroom_builders import app
from hostile_corpus import (
    CORPUS,
    COURSE,
    ESCAPE_NAME,
    EXPECTED,
    FORGED_SAVE,
    FORMULA_NAME,
    genuine,
    reseal,
)
from typer.testing import CliRunner

from dstutor.classroom.grade import csv_cell, load_class, xml_text
from dstutor.classroom.replay import refused
from dstutor.classroom.results import verify
from dstutor.lessons.loader import load_course

EXPECT: dict[str, dict[str, Any]] = json.loads(EXPECTED.read_text(encoding="utf-8"))
FILES = sorted(EXPECT)


@pytest.fixture(scope="module")
def course() -> list[Any]:
    lessons, errors = load_course(COURSE)
    assert not errors
    return lessons


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return genuine(tmp_path_factory.mktemp("genuine"))


def test_corpus_is_complete() -> None:
    names = {p.name for p in CORPUS.glob("*.json")} - {"expected.json"}
    assert names == set(EXPECT)
    rejected = [n for n in FILES if EXPECT[n]["reasons"]]
    assert len(rejected) >= 20
    for name in rejected:  # every reason is one line
        assert all("\n" not in r and r for r in EXPECT[name]["reasons"]), name


def test_corpus_graded_in_one_batch_with_course(course: list[Any]) -> None:
    """Every hostile file gets exactly its expected reason; the others are still graded."""
    paths = [str(CORPUS / n) for n in FILES]
    book = load_class(paths, lessons=course)
    got = {Path(r.path).name: r.reasons for r in book.rejected}
    graded = {Path(ln.path).name: [n for n in ln.notes if not n.startswith("same learner")]
              for ln in book.learners}
    for name in FILES:
        if EXPECT[name]["reasons"]:
            assert got.get(name) == EXPECT[name]["reasons"], name
        else:
            assert graded.get(name) == EXPECT[name]["notes"], name
    assert "genuine.json" in graded and graded["genuine.json"] == []
    assert not any("internal error" in r for reasons in got.values() for r in reasons)


def test_forgeries_need_the_replay(course: list[Any]) -> None:
    """Without --course a consistent forgery passes; with it, it is rejected."""
    forged = ["checks-flipped.json", "hints-hidden.json", "check-moved-earlier.json",
              "waiting-check-removed.json", "weights-inflated.json", "hint-cost-zeroed.json"]
    paths = [str(CORPUS / n) for n in forged]
    assert not load_class(paths).rejected
    assert len(load_class(paths, lessons=course).rejected) == len(forged)
    flipped = json.loads((CORPUS / "checks-flipped.json").read_text())
    genuine_doc = json.loads((CORPUS / "genuine.json").read_text())
    assert (genuine_doc["lessons"][1]["score"], flipped["lessons"][1]["score"]) == (11.67, 95.0)


def test_duplicated_lesson_record_is_rejected_without_course() -> None:
    book = load_class([str(CORPUS / "duplicate-lesson.json"), str(CORPUS / "genuine.json")])
    assert [Path(r.path).name for r in book.rejected] == ["duplicate-lesson.json"]
    assert book.learners[0].total_score == 78.34  # 66.67 + 11.67, not 144.01


def test_forged_file_lines_are_not_run(course: list[Any], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A forged `save /tmp/x` or `map --svg` entry writes nothing while grading."""
    monkeypatch.chdir(tmp_path)
    before = set(os.listdir(tmp_path))
    names = ["forged-save.json", "forged-map-svg.json", "forged-apply-file.json"]
    result = CliRunner().invoke(app(), ["grade", "--course", str(COURSE),
                                        *(str(CORPUS / n) for n in names)])
    assert result.exit_code == 0, result.output
    assert not Path(FORGED_SAVE).exists()
    assert set(os.listdir(tmp_path)) == before
    assert "was not replayed: `save` writes a file" in result.output
    assert "was not replayed: `map --svg` writes a file" in result.output


def test_grading_never_touches_the_graders_data(course: list[Any], tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Replays run in a throwaway DSTUTOR_HOME: the instructor's own lesson workspace and
    edit journal stay as they were, and a learner's `> out.txt` lands in neither."""
    home = tmp_path / "instructor"
    workspace = home / "workspace" / "nodes-join-and-leave"
    workspace.mkdir(parents=True)
    (workspace / ".dstutor-edits.json").write_text('["mine"]')
    monkeypatch.setenv("DSTUTOR_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    doc = json.loads((CORPUS / "genuine.json").read_text())
    log = doc["lessons"][0]["log"]
    log.append({**log[-1], "line": "kubectl get ds -A > out.txt", "kind": "run",
                "step": "leave"})
    path = tmp_path / "redirect.json"
    path.write_text(json.dumps(reseal(doc)))
    book = load_class([str(path)], lessons=course)
    assert not book.rejected, book.rejected
    assert sorted(p.name for p in home.rglob("*")) == sorted(
        ["workspace", "nodes-join-and-leave", ".dstutor-edits.json"])
    assert (workspace / ".dstutor-edits.json").read_text() == '["mine"]'
    assert os.environ["DSTUTOR_HOME"] == str(home)
    assert sorted(os.listdir(tmp_path)) == ["instructor", "redirect.json"]


@pytest.mark.parametrize(("line", "why"), [
    ("save /tmp/x", "`save` writes a file"),
    ("save x.json", "`save` writes a file"),
    ("load snapshot.json", "`load` reads a file"),
    ("map --svg out.svg", "`map --svg` writes a file"),
    ("map --svg=out.svg", "`map --svg` writes a file"),
    ("vi /etc/passwd", "outside the lesson's workspace"),
    ("nano ../ds.yaml", "outside the lesson's workspace"),
    ("kubectl apply -f /etc/passwd", "outside the lesson's workspace"),
    ("kubectl apply --filename=../ds.yaml", "outside the lesson's workspace"),
    ("k create -f~/ds.yaml", "outside the lesson's workspace"),
    ("kubectl delete -R -f manifests/", "outside the lesson's workspace"),
    ("kubectl apply -Rf /etc", "outside the lesson's workspace"),  # pflag's shorthands
    ("kubectl patch ds x --patch-file /tmp/p.yaml", "outside the lesson's workspace"),
    ("kubectl get ds -o go-template-file=/etc/passwd", "reads a file"),
    ("kubectl get ds -o custom-columns-file=/etc/passwd", "reads a file"),
    ("kubectl get ds -A > /tmp/out.txt", "writes outside the lesson's workspace"),
    ("kubectl get ds -A | grep x >> ../out.txt", "writes outside the lesson's workspace"),
    ("cat /etc/passwd", "outside the lesson's workspace"),
    # the workspace (a throwaway folder while grading) holds plain names
    ("kubectl apply -f ds.yaml", None),
    ("k create -fds.yaml", None),
    ("kubectl patch ds x --patch-file p.yaml", None),
    ("kubectl get ds -A > out.txt", None),
    ("kubectl get ds -A | grep node-logger | wc -l", None),
    ("cat ds.yaml", None),
    ("vi ds.yaml", None),  # replayed from the learner's edit journal, never opened
    ("kubectl edit ds node-logger", None),
    ("ls", None),
    ("kubectl apply -f - <<EOF\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\nEOF",
     None),
    ("kubectl get pods -l app=fluentd -o wide", None),
    ("map", None),
    ("advance 30s", None),
    ("node add worker-9", None),
    # kubectl refuses it before reading anything, but the one policy shared with lesson
    # files reads such a line word by word: it is not replayed (it changed nothing)
    ("kubectl nonsense -f /x", "outside the lesson's workspace"),
    ("kubectl apply -Rf /etc/x", "outside the lesson's workspace"),
    ("kubectl get ds -o go-template-file --template=/etc/passwd", "reads a file"),
])
def test_refused_lines(line: str, why: str | None) -> None:
    got = refused(line)
    assert (got is None) == (why is None), got
    if why is not None:
        assert why in got


def test_names_never_reach_outputs_raw(tmp_path: Path) -> None:
    files = [str(CORPUS / "name-escapes.json"), str(CORPUS / "name-formula.json")]
    out_csv, out_junit, out_json = (tmp_path / n for n in ("g.csv", "g.xml", "g.json"))
    result = CliRunner().invoke(app(), ["grade", *files, "--csv", str(out_csv),
                                        "--junit", str(out_junit), "--json", str(out_json)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "^[]0;TITLE^G^[[2J" in result.output
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8")))
    assert {r["learner"] for r in rows} == {"^[]0;TITLE^G^[[2J", "'" + FORMULA_NAME}
    text = out_csv.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\n=" not in text and ",=" not in text
    root = ET.parse(out_junit).getroot()  # well formed
    assert {s.get("name") for s in root.findall("testsuite")} == {
        "^[]0;TITLE^G^[[2J", FORMULA_NAME}
    assert json.loads(out_json.read_text())["learners"][0]["name"] in (ESCAPE_NAME,
                                                                       FORMULA_NAME)


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cells_that_a_spreadsheet_would_run_are_text(value: str) -> None:
    cell = csv_cell(value)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert "\t" not in cell and "\r" not in cell


def test_junit_text_drops_what_xml_forbids() -> None:
    nasty = "a\x00b\x1b[2J\ufffe\uffffc\ud800"
    doc = f"<x a='{xml_text(nasty)}'>{xml_text(nasty)}</x>"
    assert ET.fromstring(doc).get("a").startswith("a^@b^[[2J")


def test_grading_a_rejected_junit_is_well_formed(tmp_path: Path) -> None:
    out = tmp_path / "g.xml"
    files = [str(CORPUS / n) for n in ("surrogate-name.json", "deep-nesting.json",
                                       "kind-unknown.json")]
    result = CliRunner().invoke(app(), ["grade", *files, "--junit", str(out)])
    assert result.exit_code == 1
    assert ET.parse(out).getroot().get("errors") == "3"


# --- the live clock: a person waits, then types `check` (issue 12) ---------------------------

def test_live_clock_session_grades_as_genuine(base: dict[str, Any],
                                              course: list[Any]) -> None:
    rec = base["lessons"][0]
    lines = [(e["line"], e["kind"]) for e in rec["log"]]
    assert ("check", "typed") in lines and ("hint", "typed") in lines
    checks = [e for e in rec["log"] if e["line"] == "check"]
    assert checks[1]["t"] - checks[0]["t"] == pytest.approx(60.0)  # the wait is on record
    assert [s["done"] for s in rec["steps"]] == [True, True, False]
    assert verify(base) == []
    from dstutor.classroom.replay import replay_results

    found = replay_results(base, course)
    assert (found.problems, found.notes) == ([], [])


def _as_version_1(doc: dict[str, Any]) -> dict[str, Any]:
    """The same session as a dstutor before every typed line was logged would export it."""
    old = copy.deepcopy(doc)
    old["format_version"] = 1
    for rec in old["lessons"]:
        rec.pop("log_complete", None)
        rec["log"] = [{k: v for k, v in e.items() if k != "kind"} for e in rec["log"]
                      if e["kind"] != "typed"]
    return reseal(old)


def test_older_log_is_replayed_with_a_check_at_each_step_change(base: dict[str, Any],
                                                                 course: list[Any],
                                                                 tmp_path: Path) -> None:
    """Format 1 logs lack `check` and waiting; the honest file is still accepted."""
    old = _as_version_1(base)
    assert verify(old) == []
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    book = load_class([str(path)], lessons=course)
    assert not book.rejected, book.rejected
    assert any("an older log" in n for n in book.learners[0].notes)
    # a claim the commands cannot reach is still rejected
    forged = copy.deepcopy(old)
    forged["lessons"][0]["steps"][2]["done"] = True  # reseal fixes the totals
    path.write_text(json.dumps(reseal(forged)))
    book = load_class([str(path)], lessons=course)
    assert book.rejected and "does not finish leave" in book.rejected[0].reasons[0]


# --- mutations: structure, not the digest, must catch them ---------------------------------

MUTANTS: list[Any] = [None, "", "x" * 300, -1, 10**20, 1e308, float("nan"), float("inf"),
                      True, [], {}, [[[[[[[[1]]]]]]]], {"a": {"b": {"c": None}}}, 0.5,
                      "\x1b[2J\u202e"]  # (lone surrogates: see the corpus)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value[:3]):  # the first few items of each list
            out += _paths(v, (*prefix, i))
    return out


def _copy(doc: Any) -> Any:
    """copy.deepcopy of plain data (a results file: dicts, lists, strings, numbers), made
    by pickle in C: the mutation tests copy the base file ~2,600 times."""
    return pickle.loads(pickle.dumps(doc, pickle.HIGHEST_PROTOCOL))  # noqa: S301 - our own


def _mutate(doc: dict[str, Any], path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    out = _copy(doc)
    target: Any = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = copy.deepcopy(value)
    return reseal(out)


def test_every_field_mutated_never_breaks_grading(base: dict[str, Any], tmp_path: Path) -> None:
    """Each field of a genuine file set to each odd value, digest recomputed: grading
    never raises, the mutant is graded or rejected with a reason, the batch goes on."""
    good = tmp_path / "good.json"
    good.write_text(json.dumps(base))
    bad = tmp_path / "bad.json"
    count = 0
    for path in _paths(base):
        for value in MUTANTS:
            bad.write_text(json.dumps(_mutate(base, path, value)))
            book = load_class([str(bad), str(good)])
            assert [ln.path for ln in book.learners][-1] == str(good), path
            for rej in book.rejected:
                assert rej.reasons and not any("internal error" in r for r in rej.reasons), \
                    (path, value, rej.reasons)
            book.rows(), book.stuck()  # the outputs of a graded mutant work too
            count += 1
    assert count > 2000


def test_mutants_replayed_never_break_grading(base: dict[str, Any], course: list[Any],
                                              tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The same with --course, on the log: odd lines, kinds, steps and times."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    monkeypatch.chdir(tmp_path)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(base))
    bad = tmp_path / "bad.json"
    n_log = len(base["lessons"][0]["log"])
    lines = st.sampled_from(["check", "skip", "solution", "hint", "next", "reset", "answer z",
                             "predict x", "quit", "advance 24h", "advance", "undo",
                             "node fail worker-1", "kubectl delete ns kube-system", "b",
                             "save x.json", "help save", "kubectl get ds -A", "\x1b[2J"])
    entry = st.fixed_dictionaries({
        "line": lines, "kind": st.sampled_from(["run", "typed", "auto", ""]),
        "step": st.sampled_from(["join", "desired", "leave", "nope"]),
        "exit": st.integers(0, 2), "skip": st.booleans(),
        "t": st.floats(1767225600.0, 1767225600.0 + 7 * 86400.0)})

    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.integers(0, n_log), entry)
    def run(at: int, new: dict[str, Any]) -> None:
        doc = _copy(base)
        doc["lessons"][0]["log"].insert(at, {**new, "hash": "0" * 64})
        bad.write_text(json.dumps(reseal(doc)))
        book = load_class([str(bad), str(good)], lessons=course)
        assert book.learners and book.learners[-1].path == str(good)
        for rej in book.rejected:
            assert not any("internal error" in r for r in rej.reasons), rej.reasons

    run()
    assert sorted(os.listdir(tmp_path)) == ["bad.json", "good.json"]  # `save x.json` wrote nothing


def test_cli_one_bad_file_does_not_stop_the_batch(tmp_path: Path) -> None:
    """Issue 18 F4: `attempts: null` printed the table, then a TypeError ended grading."""
    out_csv = tmp_path / "g.csv"
    files = [str(CORPUS / n) for n in ("attempts-null.json", "genuine.json",
                                       "t-1e18.json", "name-formula.json")]
    result = CliRunner().invoke(app(), ["grade", *files, "--csv", str(out_csv)])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # exit 1, not a crash
    assert "REJECTED" in result.output and "attempts: expected an integer, got null" in \
        result.output
    assert "t-1e18.json" in result.output
    learners = {r["learner"] for r in csv.DictReader(out_csv.open(encoding="utf-8"))}
    assert learners == {"Ada", "'" + FORMULA_NAME}


def test_progress_begun_before_the_upgrade_grades_as_genuine(course: list[Any],
                                                              tmp_path: Path) -> None:
    """Issue 12: steps done with an older dstutor (no `check`, `hint` or kinds in the log)
    and finished with this one still grade; the note says what could not be verified."""
    from hostile_corpus import LIVE_LESSON, live_runner

    from dstutor.classroom.results import build_results
    from dstutor.lessons.loader import load_lesson
    from dstutor.lessons.progress import ProgressStore

    lesson = load_lesson(LIVE_LESSON)
    # What the older dstutor saved: a hint used, the node added, step 1 done by a `check`
    # after waiting, and the log holding only the command
    old = {"format_version": 1, "lessons": {lesson.id: {
        "lesson_id": lesson.id, "current_step": "desired",
        "steps": {"join": {"done": True, "hints_used": 1, "attempts": 1, "seconds": 70.0,
                           "prediction": {"guess": 3, "answer": 3}},
                  "desired": {}},
        "log": [{"t": 1767225608.0, "line": "node add worker-4", "exit": 0,
                 "step": "join"}]}}}
    (tmp_path / "progress.json").write_text(json.dumps(old))
    store = ProgressStore(tmp_path / "progress.json")
    wall = [5000.0]
    runner = live_runner(lesson, store, wall)  # resumed by this dstutor
    for line, wait in (("hint", 5.0), ("b", 5.0), ("node remove worker-2", 70.0),
                       ("check", 5.0)):
        runner.handle_line(line)
        wall[0] += wait
    doc = build_results("Upgrader", [lesson], store.lessons)
    rec = doc["lessons"][0]
    assert rec["log_complete"] is False and [e["kind"] for e in rec["log"]][0] == ""
    assert [s["done"] for s in rec["steps"]] == [True, True, True]
    path = tmp_path / "upgrader.json"
    path.write_text(json.dumps(doc))
    book = load_class([str(path)], lessons=course)
    assert not book.rejected, book.rejected[0].reasons
    assert any("an older log" in n for n in book.learners[0].notes)


def _to_daemonset(path: Path) -> None:
    """The learner's editor: Deployment -> DaemonSet, as lesson 12 asks."""
    text = path.read_text(encoding="utf-8").replace("kind: Deployment", "kind: DaemonSet")
    keep = [ln for ln in text.splitlines() if ln.strip() not in ("replicas: 1", "strategy: {}")]
    path.write_text("\n".join(keep) + "\n", encoding="utf-8")


def test_an_edit_in_the_learners_editor_is_replayed_from_the_journal(
        course: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Lesson 12: `vi ds.yaml` replays what the editor produced; no editor is opened while
    grading, and a journal edited after export no longer reproduces the log."""
    from hostile_corpus import live_runner

    from dstutor.classroom.results import build_results
    from dstutor.lessons.loader import load_lesson
    from dstutor.lessons.progress import ProgressStore
    from dstutor.shell import editor

    lesson = load_lesson(COURSE / "12-generate-and-edit.yaml")
    opened: list[str] = []

    def fake_open(path: Path, command: list[str] | None = None) -> None:
        opened.append(path.name)
        _to_daemonset(path)

    monkeypatch.setattr(editor, "open_file", fake_open)
    store = ProgressStore(tmp_path / "progress.json")
    wall = [1000.0]
    runner = live_runner(lesson, store, wall)
    for line, wait in ((lesson.steps[0].solution[0], 5.0), ("vi ds.yaml", 5.0),
                       ("kubectl apply -f ds.yaml", 60.0), ("check", 5.0)):
        runner.handle_line(line)
        wall[0] += wait
    assert opened == ["ds.yaml"]
    doc = build_results("Editor", [lesson], store.lessons)
    rec = doc["lessons"][0]
    assert [s["done"] for s in rec["steps"]][:2] == [True, True]
    assert len(rec["edits"]) == 1 and "kind: DaemonSet" in rec["edits"][0]
    path = tmp_path / "editor.json"
    path.write_text(json.dumps(doc))
    book = load_class([str(path)], lessons=course)
    assert not book.rejected, book.rejected[0].reasons
    assert opened == ["ds.yaml"]  # grading opened no editor
    rec["edits"] = [rec["edits"][0].replace("kind: DaemonSet", "kind: Deployment")]
    path.write_text(json.dumps(reseal(doc)))
    book = load_class([str(path)], lessons=course)
    assert book.rejected and "does not reproduce it" in book.rejected[0].reasons[0]
    assert opened == ["ds.yaml"]


def test_an_older_log_is_marked_unverified_not_only_noted(course: list[Any],
                                                          tmp_path: Path) -> None:
    """A forger can make a record look begun by an older dstutor (drop `log_complete`, the
    typed lines and the kinds) so the replay cannot see a `hint`. No rule tells that from
    an honest upgrade, so the score is graded but marked in every output."""
    hidden = str(CORPUS / "hints-hidden-older-log.json")
    honest = str(CORPUS / "genuine.json")
    book = load_class([hidden, honest], lessons=course)
    assert not book.rejected
    forged, genuine_ln = book.learners
    assert forged.unverified == {"ex-namespace-move"} and not genuine_ln.unverified
    by = {(Path(r["file"]).name, r["lesson"]): r for r in book.rows()}
    assert by["hints-hidden-older-log.json", "ex-namespace-move"]["hints_verified"] is False
    assert by["genuine.json", "ex-namespace-move"]["hints_verified"] is True
    # both files carry the name Ada: each row shows its own file's scores
    from dstutor.classroom.grade import score_matrix
    _header, rows, _legend = score_matrix(book)
    assert rows[0][1:] == ["66.67*", "16.67*?", "83.34?"]
    assert rows[1][1:] == ["66.67*", "11.67*", "78.34"]
    result = CliRunner().invoke(app(), ["grade", "--course", str(COURSE), hidden, honest])
    assert "? = hints NOT VERIFIED" in result.output
    assert "UNVERIFIED" in result.output and "ex-namespace-move" in result.output
    # without --course nothing was replayed: neither verified nor unverified
    plain = load_class([hidden])
    assert plain.rows()[1]["hints_verified"] == ""
