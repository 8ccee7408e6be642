"""dstutor grade: export -> grade round trip for three learners; CSV, JUnit and JSON outputs."""

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from classroom_builders import COURSE, app, simulate
from typer.testing import CliRunner

from dstutor.classroom.grade import load_class, score_matrix

SCRIPTS = {
    "ada": ("Ada", {"node-basics": [
        "hint", "kubectl taint node worker-1 dedicated=gpu:NoExecute",
        "kubectl taint node worker-1 dedicated=gpu:NoSchedule",
        "kubectl label node worker-2 disk=ssd"]}),
    "bob": ("Bob", {"node-basics": [
        "kubectl taint node worker-1 dedicated=gpu:NoSchedule", "skip"]}),
    "cy": ("Cy", {"node-basics": [
        "hint", "hint", "kubectl taint node worker-2 dedicated=gpu:NoSchedule",
        "kubectl taint node worker-1 dedicated=gpu:PreferNoSchedule", "check"]}),
}


@pytest.fixture
def class_files(tmp_path: Path) -> list[str]:
    files = []
    for key, (name, scripts) in SCRIPTS.items():
        home = tmp_path / key
        simulate(home, scripts)
        out = tmp_path / f"{key}.json"
        result = CliRunner().invoke(app(), ["results", "export", "--course", str(COURSE),
                                            "--name", name, "--out", str(out)],
                                    env={"DSTUTOR_HOME": str(home)})
        assert result.exit_code == 0, result.output
        files.append(str(out))
    return files


def test_grade_round_trip_scores(class_files: list[str]) -> None:
    book = load_class(class_files)
    assert not book.rejected
    scores = {r["learner"]: (r["score"], r["steps_done"], r["hints_used"], r["attempts"])
              for r in book.rows()}
    assert scores["Ada"] == (100.0, 2, 1, 1)
    assert scores["Bob"] == (50.0, 2, 0, 0)  # the skipped step counts as done, earns nothing
    assert scores["Cy"][:3] == (0.0, 0, 2) and scores["Cy"][3] >= 2
    header, rows, legend = score_matrix(book)
    assert header == ["learner", "01", "total"]
    assert legend == ["01 = node-basics: Taint and label nodes"]
    assert rows == [["Ada", "100", "100"], ["Bob", "50", "50"], ["Cy", "0*", "0"]]


def test_grade_stuck_view(class_files: list[str]) -> None:
    stuck = load_class(class_files).stuck()
    first = stuck[0]
    # label: Ada did it, Bob skipped it, Cy never got there -> 1 of 2; taint: 2 of 3
    assert (first.lesson, first.step, first.done, first.reached) == ("node-basics", "label", 1, 2)
    assert first.stuck == ["Bob"]
    taint = next(s for s in stuck if s.step == "taint")
    assert (taint.done, taint.stuck) == (2, ["Cy"])
    assert taint.mean_hints == 1.0  # Ada 1, Bob 0, Cy 2


def test_grade_cli_outputs(class_files: list[str], tmp_path: Path) -> None:
    out_csv, out_junit, out_json = (tmp_path / n for n in ("g.csv", "g.xml", "g.json"))
    result = CliRunner().invoke(app(), ["grade", *class_files, "--csv", str(out_csv),
                                        "--junit", str(out_junit), "--json", str(out_json)])
    assert result.exit_code == 0, result.output
    assert "Scores" in result.output and "Where learners got stuck" in result.output
    assert "node-basics/label" in result.output

    rows = list(csv.DictReader(out_csv.open()))
    assert [(r["learner"], r["lesson"], r["score"]) for r in rows] == [
        ("Ada", "node-basics", "100.0"), ("Bob", "node-basics", "50.0"),
        ("Cy", "node-basics", "0.0")]
    assert rows[0]["percent"] == "100.0" and rows[0]["completed"] == "True"

    root = ET.parse(out_junit).getroot()
    assert root.tag == "testsuites" and root.get("tests") == "6"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"Ada", "Bob", "Cy"}
    assert [c.get("name") for c in suites["Ada"].findall("testcase")] == ["taint", "label"]
    assert all(c.get("classname") == "node-basics" for s in suites.values()
               for c in s.findall("testcase"))
    assert suites["Ada"].get("failures") == "0"
    assert suites["Bob"].find("testcase[@name='label']/skipped") is not None
    assert suites["Cy"].get("failures") == "2"
    assert float(suites["Ada"].find("testcase").get("time")) > 0

    data = json.loads(out_json.read_text())
    assert {ln["name"] for ln in data["learners"]} == {"Ada", "Bob", "Cy"}
    assert data["rejected"] == []
    assert data["stuck"][0]["step"] == "label"
    stmt = data["statements"][0]
    assert stmt["actor"]["name"] == "Ada"
    assert stmt["verb"]["id"].endswith("/completed")
    assert stmt["object"]["id"] == "dstutor://lesson/node-basics/step/taint"
    assert stmt["result"]["duration"].startswith("PT")
    assert len(data["statements"]) == 6


def test_grade_lists_modified_file_and_does_not_grade_it(class_files: list[str],
                                                         tmp_path: Path) -> None:
    tampered = Path(class_files[2])
    doc = json.loads(tampered.read_text())
    doc["lessons"][0]["score"] = 100.0
    tampered.write_text(json.dumps(doc))
    out_junit, out_json = tmp_path / "g.xml", tmp_path / "g.json"
    result = CliRunner().invoke(app(), ["grade", *class_files, "--junit", str(out_junit),
                                        "--json", str(out_json)])
    assert result.exit_code == 1
    assert "REJECTED" in result.output and "cy.json" in result.output
    assert "digest mismatch" in result.output
    book = load_class(class_files)
    assert [ln.name for ln in book.learners] == ["Ada", "Bob"]
    assert book.rejected[0].path.endswith("cy.json")
    data = json.loads(out_json.read_text())
    assert data["rejected"][0]["file"].endswith("cy.json")
    assert "Cy" not in {r["learner"] for r in data["scores"]}
    root = ET.parse(out_junit).getroot()
    assert root.get("errors") == "1"
    assert root.find("testsuite/testcase/error[@type='Tampered']") is not None


def test_grade_nothing_gradable(tmp_path: Path) -> None:
    (tmp_path / "junk.json").write_text("[]")
    result = CliRunner().invoke(app(), ["grade", str(tmp_path / "junk.json")])
    assert result.exit_code == 1
    assert "No results file could be graded" in result.output
    assert "not a dstutor results file" in result.output


def test_grade_replay_accepts_honest_files(class_files: list[str]) -> None:
    from dstutor.lessons.loader import load_course

    lessons, _ = load_course(COURSE)
    book = load_class(class_files, lessons=lessons)
    assert not book.rejected and len(book.learners) == 3


def test_grade_replay_rejects_consistent_forgery(class_files: list[str], tmp_path: Path) -> None:
    """A forger who recomputes scores, chain and digest is still caught by the replay."""
    from dstutor.classroom.results import chain, digest
    from dstutor.classroom.scoring import score_lesson_record

    path = Path(class_files[2])  # Cy, who finished nothing
    doc = json.loads(path.read_text())
    rec = doc["lessons"][0]
    for step in rec["steps"]:
        step.update(done=True, earned=1.0)
    rec.update(steps_done=2, completed=True)
    rec["log"] = chain(rec["log"], doc["learner"], rec["id"])
    rec["log_head"] = rec["log"][-1]["hash"]
    rec["score"] = score_lesson_record(rec)
    doc["total_score"] = rec["score"]
    doc["digest"] = digest(doc)
    path.write_text(json.dumps(doc))
    assert load_class(class_files).rejected == []  # the file itself is consistent
    result = CliRunner().invoke(app(), ["grade", *class_files, "--course", str(COURSE)])
    assert result.exit_code == 1
    assert "REJECTED" in result.output and "does not finish taint, label" in result.output


def test_grade_only_filters_every_output(class_files: list[str], tmp_path: Path) -> None:
    out_junit = tmp_path / "g.xml"
    result = CliRunner().invoke(app(), ["grade", *class_files, "--only", "no-such-lesson",
                                        "--junit", str(out_junit)])
    assert result.exit_code == 0
    assert "none of the --only lessons" in result.output
    assert ET.parse(out_junit).getroot().get("tests") == "0"
    book = load_class(class_files, only=["01-nodes"])  # by file name
    assert len(book.rows()) == 3 and book.learners[0].total_score == 100.0


def test_grade_stuck_view_counts_missed_exercise_checks(tmp_path: Path) -> None:
    from classroom_builders import ROOT

    course = ROOT / "lessons"
    exercise = "ex-namespace-move"
    scripts = {
        "eve": ("Eve", ["kubectl create namespace logging"]),
        "fay": ("Fay", ["kubectl delete ds node-logger --cascade=orphan"]),
    }
    files = []
    for key, (name, lines) in scripts.items():
        home = tmp_path / key
        simulate(home, {exercise: lines}, course=course)
        out = tmp_path / f"{key}.json"
        result = CliRunner().invoke(app(), ["results", "export", "--course", str(course),
                                            "--name", name, "--out", str(out)],
                                    env={"DSTUTOR_HOME": str(home)})
        assert result.exit_code == 0, result.output
        files.append(str(out))
    book = load_class(files, only=[exercise])
    (stats,) = book.stuck()
    assert stats.missed == {"new-ready": 2, "waited": 2, "old-gone": 1, "no-leftovers": 2}
    scores = {r["learner"]: r["score"] for r in book.rows()}
    assert scores == {"Eve": 0.0, "Fay": round(100 / 6, 2)}  # Fay removed the old DaemonSet
