"""The planner sits below the shell: it may use sim, controller, render and model, never
kubectl, the shell, lessons, the classroom or the front end (not even inside a function)."""

from __future__ import annotations

import ast
from pathlib import Path

import dstutor.planner

FORBIDDEN = ("dstutor.kubectl", "dstutor.shell", "dstutor.lessons", "dstutor.classroom",
             "dstutor.cli", "dstutor.serve")


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_planner_imports_nothing_above_it() -> None:
    folder = Path(dstutor.planner.__file__).parent
    files = sorted(folder.glob("*.py"))
    assert len(files) >= 6
    for path in files:
        bad = sorted(m for m in imported_modules(path)
                     if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
        assert not bad, f"{path.name} imports {bad}"
