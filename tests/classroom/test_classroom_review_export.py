"""`dstutor grade --json/--junit` carry each exercise's review (what `grade --review`
prints): per task its points, the checks it missed and what its hints cost."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from classroom_builders import ROOT, app, simulate, strategy_only
from typer.testing import CliRunner

from dstutor.classroom.grade import exercise_reviews, load_class, to_json, to_junit
from dstutor.classroom.review import review_lines

COURSE = ROOT / "lessons"
SAFE = "ex-safe-rollout"


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Ann: a hint, then the strategy only (25 of 100, 20 after the hint); Ben: a guided
    lesson only. Graded once, to JSON and JUnit."""
    tmp = tmp_path_factory.mktemp("export")
    files = []
    for name, scripts in (("Ann", {SAFE: ["hint", strategy_only()],
                                   "what-is-a-daemonset": ["kubectl get ds -A"]}),
                          ("Ben", {"what-is-a-daemonset": ["kubectl get ds -A"]})):
        home = tmp / name
        simulate(home, scripts, course=COURSE)
        out = tmp / f"{name}.json"
        result = CliRunner().invoke(app(), ["results", "export", "--course", str(COURSE),
                                            "--name", name, "--out", str(out)],
                                    env={"DSTUTOR_HOME": str(home)})
        assert result.exit_code == 0, result.output
        files.append(str(out))
    out_json, out_junit = tmp / "g.json", tmp / "g.xml"
    result = CliRunner().invoke(app(), ["grade", *files, "--json", str(out_json),
                                        "--junit", str(out_junit)])
    assert result.exit_code == 0, result.output
    return {"files": files, "json": json.loads(out_json.read_text(encoding="utf-8")),
            "junit": ET.parse(out_junit).getroot()}


def test_json_has_the_review_of_each_started_exercise(graded: dict[str, Any]) -> None:
    (review,) = graded["json"]["reviews"]  # Ben started no exercise; guided lessons: none
    assert (review["learner"], review["lesson"], review["hints_verified"]) == ("Ann", SAFE, True)
    (task,) = review["tasks"]
    assert (task["status"], task["earned"], task["possible"]) == ("not finished", 25.0, 100.0)
    assert task["missed"] == [{"check": "v2-everywhere", "points": 37.5},
                              {"check": "proved", "points": 12.5},
                              {"check": "never-two-down", "points": 25.0}]
    assert (task["hints_used"], task["hint_cost"]) == (1, 5.0)
    assert (review["task_points"], review["hints_total"], review["score"]) == (25.0, 5.0, 20.0)
    assert (review["time_limit"], review["over_time"], review["late_total"]) == (600.0, False,
                                                                                 0.0)
    # the same score the scores table gives
    (row,) = [r for r in graded["json"]["scores"]
              if (r["learner"], r["lesson"]) == ("Ann", SAFE)]
    assert row["score"] == review["score"]


def test_junit_step_says_its_points_and_missed_checks(graded: dict[str, Any]) -> None:
    suites = {s.get("name"): s for s in graded["junit"].findall("testsuite")}
    case = suites["Ann"].find(f"testcase[@classname='{SAFE}']")
    assert case is not None
    out = case.find("system-out")
    failure = case.find("failure")
    assert out is not None and failure is not None and failure.get("message") == "not done"
    expected = ["attempts=1 hints=1 points=25/100", "missed v2-everywhere (37.5 points)",
                "missed proved (12.5 points)", "missed never-two-down (25 points)",
                "hints: 1 used, -5 points"]
    assert (out.text or "").splitlines() == expected
    assert (failure.text or "").splitlines() == expected
    # a guided lesson's step keeps the plain detail
    guided = suites["Ben"].find("testcase/system-out")
    assert guided is not None and "points=" not in (guided.text or "")


def test_every_output_shows_the_same_review(graded: dict[str, Any]) -> None:
    """The terminal's `--review` lines, the JSON and the JUnit come from one review."""
    book = load_class(graded["files"])
    ((ln, rec, review),) = exercise_reviews(book)
    lines = review_lines(review)
    data = json.loads(to_json(book))["reviews"][0]
    assert f"Score: {data['score']:g} of {data['points']:g}" in lines
    for task in data["tasks"]:
        for miss in task["missed"]:
            assert f"  missed {miss['check']} ({miss['points']:g} points)" in lines
    assert "missed v2-everywhere (37.5 points)" in to_junit(book)


def test_untrusted_check_ids_stay_visible_and_xml_safe(graded: dict[str, Any],
                                                       tmp_path: Path) -> None:
    """A results file's check ids are the learner's text: the JUnit shows control
    characters visibly and never writes what XML 1.0 forbids."""
    book = load_class(graded["files"])
    ((_ln, rec, _review),) = exercise_reviews(book)
    rec["steps"][0]["checks"][1]["id"] = "evil\x1b[31m\ufffe\nsecond line"
    text = to_junit(book)
    root = ET.fromstring(text.encode("utf-8"))  # parses: nothing XML forbids
    case = root.find(f"testsuite/testcase[@classname='{SAFE}']/system-out")
    assert case is not None
    (line,) = [x for x in (case.text or "").splitlines() if x.startswith("missed evil")]
    assert "\x1b" not in line and "\n" not in line and "^[[31m" in line
    assert "second line" in line
    data = json.loads(to_json(book))
    assert data["reviews"][0]["tasks"][0]["missed"][0]["check"].startswith("evil\x1b")
