"""Third-party libraries stay at the edges of the shell package (style.md, "Import direction")."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SHELL = Path(__file__).resolve().parents[2] / "dstutor" / "shell"
ALLOWED = {"prompt_toolkit": {"prompt.py", "completer.py"}, "rich": {"console.py"},
           "typer": set(), "yaml": set(), "click": set()}


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", sorted(SHELL.glob("*.py")), ids=lambda p: p.name)
def test_layers_third_party_only_at_the_edges(path: Path) -> None:
    for library, modules in ALLOWED.items():
        if library in _imports(path):
            assert path.name in modules, f"{path.name} imports {library}"


def test_layers_session_imports_no_terminal_library() -> None:
    # handle_line must work without prompt_toolkit and Rich (lessons, tests, scripts).
    assert not {"prompt_toolkit", "rich"} & _imports(SHELL / "session.py")
    assert not {"prompt_toolkit", "rich"} & _imports(SHELL / "meta.py")
