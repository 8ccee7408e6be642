"""The CPU table of --suite-cpu (tests/suite_cpu.py): rows summed by file, costliest
first, with the processes' totals."""

from __future__ import annotations

from collections import Counter

from suite_cpu import by_file, report

ROWS = [
    ("tests/a/test_x.py::test_one", 0.5, 0.0, 0.6, {}),
    ("tests/b/test_y.py::test_two[1]", 0.1, 0.9, 1.2, {"kubectl": 2}),
    ("tests/a/test_x.py::test_three", 0.25, 0.0, 0.3, {"dstutor": 1}),
    ("tests/b/test_y.py::test_two[2]", 0.1, 0.3, 0.5, {"kubectl": 1, "bash": 1}),
]


def test_rows_are_summed_by_file_costliest_first() -> None:
    files = by_file(ROWS)
    assert list(files) == ["tests/b/test_y.py", "tests/a/test_x.py"]
    n, own, children, wall, started = files["tests/b/test_y.py"]
    assert (n, round(own, 6), round(children, 6), round(wall, 6)) == (2, 0.2, 1.2, 1.7)
    assert started == Counter({"kubectl": 3, "bash": 1})
    assert files["tests/a/test_x.py"][:2] == (2, 0.75)


def test_the_report_adds_the_workers_not_the_controllers_children() -> None:
    worker = {"rows": ROWS, "own": 2.0, "children": 1.5, "gc": {"passes": 3, "seconds": 0.2}}
    controller = {"rows": [], "own": 0.5, "children": 4.0, "gc": {"passes": 0, "seconds": 0}}
    lines = report({"gw0": worker, "main": controller}, top=1)
    assert any(line.split()[:2] == ["all", "4.0"] for line in lines), lines
    assert any(line.startswith("  gw0") and "outside   1.1" in line for line in lines)
    assert sum("tests/" in line for line in lines) == 1  # top=1: one file listed
    assert lines[-1] == "programs started: kubectl 3, bash 1, dstutor 1"
