"""results export: learner name, per-lesson results, hash-chained log, digest, tamper checks."""

import json
from pathlib import Path

import pytest
from classroom_builders import COURSE, app, simulate
from typer.testing import CliRunner

from dstutor.classroom.results import (
    build_results,
    chain,
    digest,
    load_results,
    stored_name,
    verify,
)
from dstutor.lessons.loader import load_course

GOOD = {"node-basics": ["hint", "kubectl taint node worker-1 dedicated=gpu:NoExecute",
                        "kubectl taint node worker-1 dedicated=gpu:NoSchedule",
                        "kubectl label node worker-2 disk=ssd"]}


def _export(home: Path, out: Path, *args: str) -> str:
    result = CliRunner().invoke(app(), ["results", "export", "--course", str(COURSE),
                                        "--out", str(out), *args],
                                env={"DSTUTOR_HOME": str(home)})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def exported(tmp_path: Path) -> Path:
    home = tmp_path / "ada"
    simulate(home, GOOD)
    out = tmp_path / "ada.json"
    _export(home, out, "--name", "Ada Lovelace")
    return out


def test_results_export_contents(exported: Path) -> None:
    doc = json.loads(exported.read_text())
    assert doc["learner"] == "Ada Lovelace" and doc["format"] == "dstutor-results"
    assert "not tamper-proof" in doc["integrity"]
    (rec,) = doc["lessons"]
    assert rec["id"] == "node-basics" and rec["mode"] == "lesson" and rec["completed"]
    assert (rec["steps_done"], rec["steps_total"], rec["hints_used"], rec["attempts"]) == \
        (2, 2, 1, 1)
    assert rec["score"] == 100.0  # guided lessons: hints are free by default
    assert rec["seconds"] > 0
    taint = rec["steps"][0]
    assert (taint["id"], taint["done"], taint["hints_used"], taint["attempts"]) == \
        ("taint", True, 1, 1)
    # every line typed is logged, `hint` included, each with its kind and virtual time
    assert [e["line"] for e in rec["log"]] == GOOD["node-basics"]
    assert [e["kind"] for e in rec["log"]] == ["typed", "run", "run", "run"]
    times = [e["t"] for e in rec["log"]]
    assert times == sorted(times)
    assert all(len(e["hash"]) == 64 for e in rec["log"])
    assert rec["log_head"] == rec["log"][-1]["hash"]
    assert doc["digest"] == digest(doc)
    assert verify(doc) == []


def test_results_name_is_remembered(tmp_path: Path) -> None:
    home = tmp_path / "bob"
    simulate(home, GOOD)
    _export(home, tmp_path / "one.json", "--name", "Bob")
    assert stored_name(home) == "Bob"
    out = _export(home, tmp_path / "two.json")  # no --name: the stored one
    assert json.loads((tmp_path / "two.json").read_text())["learner"] == "Bob"
    assert "tamper-evident" in out and "not tamper-proof" in out


def test_results_name_required_without_terminal(tmp_path: Path) -> None:
    result = CliRunner().invoke(app(), ["results", "export", "--course", str(COURSE)],
                                env={"DSTUTOR_HOME": str(tmp_path)})
    assert result.exit_code == 2
    assert "--name" in result.output


def test_results_default_file_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app(), ["results", "export", "--course", str(COURSE),
                                        "--name", "Grace B. Hopper"],
                                env={"DSTUTOR_HOME": str(tmp_path / "h")})
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / "dstutor-results-grace-b-hopper.json").read_text())
    assert doc["lessons"][0]["started"] is False and doc["total_score"] == 0


def _tamper(path: Path, edit) -> list[str]:  # noqa: ANN001
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))
    return load_results(path)[1]


def test_results_detects_edited_score(exported: Path) -> None:
    problems = _tamper(exported, lambda d: d["lessons"][0].update(score=100.0, hints_used=0))
    assert any("digest mismatch" in p for p in problems)
    assert any("hints_used does not match" in p for p in problems)


def test_results_detects_edited_log_even_with_new_digest(exported: Path) -> None:
    def edit(doc: dict) -> None:
        doc["lessons"][0]["log"][0]["line"] = "kubectl taint node worker-1 dedicated=gpu:NoSchedule"
        doc["digest"] = digest(doc)  # a learner who knows about the digest

    problems = _tamper(exported, edit)
    assert not any("digest" in p for p in problems)
    assert any("entry 1" in p and "hash chain" in p for p in problems)


def test_results_detects_removed_log_entry(exported: Path) -> None:
    def edit(doc: dict) -> None:
        doc["lessons"][0]["log"].pop()
        doc["digest"] = digest(doc)

    problems = _tamper(exported, edit)
    assert any("entries were removed or added" in p for p in problems)


def test_results_detects_inflated_steps(exported: Path) -> None:
    def edit(doc: dict) -> None:
        rec = doc["lessons"][0]
        rec["score"] = 120.0
        doc["digest"] = digest(doc)

    assert any("does not follow from the step results" in p for p in _tamper(exported, edit))


def test_results_log_bound_to_learner(exported: Path) -> None:
    def edit(doc: dict) -> None:
        doc["learner"] = "Mallory"
        doc["digest"] = digest(doc)

    assert any("hash chain" in p for p in _tamper(exported, edit))


def test_results_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text("{nope")
    assert load_results(tmp_path / "x.json")[1][0].startswith("not JSON")
    assert load_results(tmp_path / "missing.json")[0] is None
    assert verify({"format": "other"}) == ["not a dstutor results file"]


def test_results_chain_is_sha256_over_previous_and_entry() -> None:
    import hashlib

    from dstutor.classroom.results import canonical, genesis

    entries = [{"t": 1.0, "line": "kubectl get ds", "exit": 0, "step": "a", "skip": False}]
    (first,) = chain(entries, "Ada", "l1")
    body = {k: v for k, v in first.items() if k != "hash"}
    want = hashlib.sha256((genesis("Ada", "l1") + canonical(body)).encode()).hexdigest()
    assert first["hash"] == want


def test_results_build_is_deterministic(tmp_path: Path) -> None:
    store = simulate(tmp_path, GOOD)
    lessons, _ = load_course(COURSE)
    from datetime import UTC, datetime

    now = datetime(2026, 1, 1, tzinfo=UTC)
    a = build_results("Ada", lessons, store.lessons, now=now)
    b = build_results("Ada", lessons, store.lessons, now=now)
    assert a == b and a["exported"] == "2026-01-01T00:00:00Z"


def test_results_name_asked_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import dstutor.cli.classroom as classroom_cli

    monkeypatch.setattr(classroom_cli, "_interactive", lambda: True)
    home = tmp_path / "h"
    result = CliRunner().invoke(app(), ["results", "export", "--course", str(COURSE),
                                        "--out", str(tmp_path / "r.json")],
                                input="\n  Katherine Johnson \n", env={"DSTUTOR_HOME": str(home)})
    assert result.exit_code == 0, result.output
    assert "Your name" in result.output
    assert stored_name(home) == "Katherine Johnson"
    again = CliRunner().invoke(app(), ["results", "export", "--course", str(COURSE),
                                       "--out", str(tmp_path / "r2.json")],
                               input="", env={"DSTUTOR_HOME": str(home)})
    assert again.exit_code == 0 and "Your name" not in again.output


def test_results_warns_about_progress_outside_the_course(tmp_path: Path) -> None:
    home = tmp_path / "h"
    simulate(home, GOOD)
    empty = tmp_path / "empty-course"
    empty.mkdir()
    result = CliRunner().invoke(app(), ["results", "export", "--course", str(empty),
                                        "--name", "Ada", "--out", str(tmp_path / "r.json")],
                                env={"DSTUTOR_HOME": str(home)})
    assert result.exit_code == 0
    assert "'node-basics' is not exported" in result.output
