"""The import graph points one way (README, "How it is built").

    face (dstutor/cli, dstutor/__main__) → classroom → lessons → shell → kubectl → (render, sim)
    sim → controller → model;  render → model;  model → lowest
    serve beside shell: it may use kubectl and what lies below; only the face imports it
    planner at kubectl's level: it may use sim, render (and below); shell and the face use it
    lowest: every module directly in dstutor/ (errors, yamlio, _yamlresolve, textsafe, ...)

Every module is parsed with ast, and every import counts: at the top, inside a function,
under TYPE_CHECKING, relative ones (resolved against the package), and
importlib.import_module("dstutor...") with a literal name. A package may import itself
and anything below it, skipping layers (shell may use model directly), never anything
above or beside it. A new top-level module joins the lowest layer by itself and may then
import only other lowest modules; a new package must be given its place in ALLOWED.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "dstutor"

FACE = "face"
LOWEST = "lowest"

# Each layer and the layers it may import directly; what those may import, it may too.
ALLOWED: dict[str, set[str]] = {
    FACE: {"classroom", "serve", "planner"},
    "classroom": {"lessons"},
    "lessons": {"shell"},
    "shell": {"kubectl", "planner"},
    "serve": {"kubectl"},
    "planner": {"sim", "render"},
    "kubectl": {"render", "sim"},
    "render": {"model"},
    "sim": {"controller"},
    "controller": {"model"},
    "model": {LOWEST},
    LOWEST: set(),
}

# Upward imports that other parts of issue 17 are removing (the lessons/shell/classroom
# work, the front end); each is (importing module, imported module). The lead empties
# this set when those branches are merged; a fixed import must leave it (see below).
PENDING_VIOLATIONS: set[tuple[str, str]] = set()


def below(layer: str) -> set[str]:
    """The layers `layer` may import: itself and everything reachable downwards."""
    seen = {layer}
    todo = [layer]
    while todo:
        for nxt in ALLOWED[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "dstutor":
        raise ValueError(f"{module} is not part of dstutor")
    if len(parts) == 1:
        return LOWEST  # dstutor/__init__.py: the version
    if parts[1] in ("cli", "__main__"):
        return FACE
    if parts[1] in ALLOWED:
        return parts[1]
    return ""  # unknown: a package not placed in ALLOWED, or a top-level module


def module_name(path: Path, root: Path) -> tuple[str, bool]:
    """(dotted name, is a package's __init__) of a file under root (root = dstutor/)."""
    rel = path.relative_to(root.parent).with_suffix("")
    parts = list(rel.parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def imports(source: str, module: str, is_package: bool,
            known: set[str]) -> Iterator[tuple[str, int]]:
    """(imported dstutor module, line) for every import in source, wherever it stands."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(_parsed(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                # `from dstutor import yamlio` imports the module dstutor.yamlio, and
                # `from dstutor import sim` the package (named even if not in known).
                sub = f"{target}.{alias.name}"
                if sub in known or (target == "dstutor" and layer_of(sub)):
                    yield sub, node.lineno
                else:
                    yield target, node.lineno
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name)
              and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
              == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)):
            yield node.args[0].value, node.lineno


@functools.lru_cache(maxsize=512)
def _parsed(source: str) -> ast.Module:
    """The source's tree, parsed once per text: the tests here read the whole tree of
    dstutor twice or more (ast.walk only reads a tree)."""
    return ast.parse(source)


def violations(sources: Mapping[tuple[str, bool], str]) -> list[str]:
    """Every import that points upward or sideways, as 'importer:line -> imported (why)'."""
    known = {name for name, _ in sources}
    found = []
    for (module, is_package), source in sorted(sources.items()):
        here = layer_of(module)
        if not here:
            if module.count(".") == 1 and not is_package:
                here = LOWEST  # a top-level module such as dstutor/textsafe.py
            else:
                found.append(f"{module}: package {module.split('.')[1]!r} has no place "
                             "in ALLOWED")
                continue
        allowed = below(here)
        for target, line in imports(source, module, is_package, known):
            if target != "dstutor" and not target.startswith("dstutor."):
                continue
            there = layer_of(target) or LOWEST
            if there in allowed or (module, target) in PENDING_VIOLATIONS:
                continue
            found.append(f"{module}:{line} -> {target} ({here} may not import {there})")
    return found


def load_tree(root: Path) -> dict[tuple[str, bool], str]:
    return {module_name(p, root): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*.py"))}


def test_imports_point_one_way() -> None:
    found = violations(load_tree(ROOT))
    assert not found, "upward or sideways imports:\n" + "\n".join(found)


def test_pending_violations_still_exist() -> None:
    """A pending upward import that has been fixed must leave PENDING_VIOLATIONS."""
    tree = load_tree(ROOT)
    known = {name for name, _ in tree}
    present = {(module, target) for (module, is_package), source in tree.items()
               for target, _ in imports(source, module, is_package, known)}
    stale = sorted(PENDING_VIOLATIONS - present)
    assert not stale, f"fixed, remove from PENDING_VIOLATIONS: {stale}"


def test_layers_form_no_cycle() -> None:
    for layer in ALLOWED:
        for other in ALLOWED[layer]:
            assert layer not in below(other), f"{layer} and {other} import each other"


# --- the checker itself, on made-up trees ---------------------------------------------

def _check(files: Mapping[str, str]) -> list[str]:
    """files: dotted module name -> source; a name ending in .__init__ is a package."""
    tree = {}
    for name, source in files.items():
        is_package = name.endswith(".__init__")
        tree[(name.removesuffix(".__init__"), is_package)] = source
    return violations(tree)


def test_downward_imports_pass() -> None:
    assert _check({
        "dstutor.shell.session": "from dstutor.kubectl import parser\nimport dstutor.model",
        "dstutor.controller.pods": "from dstutor.model.objects import Obj",
        "dstutor.sim.cluster": "from dstutor.controller import pods\nfrom dstutor import errors",
        "dstutor.errors": "",
        "dstutor.textsafe": "from dstutor.errors import DstutorError",
        "dstutor.cli.main": "from dstutor.classroom import grade\nfrom dstutor.serve import api",
        "dstutor.planner.plan": "from dstutor.sim import cluster\nfrom dstutor.render import table",
        "dstutor.shell.why": "from dstutor.planner import plan",
    }) == []


@pytest.mark.parametrize(("module", "source", "needle"), [
    ("dstutor.controller.pods", "from dstutor.sim.store import Store",
     "controller may not import sim"),
    ("dstutor.controller.pods", "def f():\n    from dstutor.sim import store\n",
     "dstutor.controller.pods:2 -> dstutor.sim "),
    ("dstutor.controller.pods", "if TYPE_CHECKING:\n    import dstutor.sim.clock\n",
     "dstutor.sim.clock"),
    ("dstutor.sim.store", "from ..shell import session",
     "sim may not import shell"),
    ("dstutor.sim.store", "import importlib\nimportlib.import_module('dstutor.lessons')",
     "sim may not import lessons"),
    ("dstutor.kubectl.parser", "from dstutor.serve import api",
     "kubectl may not import serve"),
    ("dstutor.kubectl.parser", "from dstutor.planner import plan",
     "kubectl may not import planner"),
    ("dstutor.serve.api", "from dstutor.shell import session",
     "serve may not import shell"),
    ("dstutor.render.table", "from dstutor import sim",
     "render may not import sim"),
    ("dstutor.lessons.runner", "from dstutor.classroom import results",
     "lessons may not import classroom"),
    ("dstutor.yamlio", "from dstutor.model import objects",
     "lowest may not import model"),
    ("dstutor.newhelper", "from dstutor.cli import app",
     "lowest may not import face"),
])
def test_an_added_upward_import_fails(module: str, source: str, needle: str) -> None:
    found = _check({module: source})
    assert len(found) == 1 and needle in found[0], found


def test_relative_imports_resolve_against_the_package() -> None:
    # In a package's __init__, `.` is the package itself; in a module, its parent.
    assert _check({"dstutor.controller.__init__": "from .ports import Api"}) == []
    assert _check({"dstutor.controller.pods": "from . import ports"}) == []
    found = _check({"dstutor.controller.__init__": "from ..sim import store"})
    assert found == ["dstutor.controller:1 -> dstutor.sim (controller may not import sim)"]


def test_a_package_without_a_place_fails() -> None:
    found = _check({"dstutor.newpkg.thing": ""})
    assert found == ["dstutor.newpkg.thing: package 'newpkg' has no place in ALLOWED"]


def test_the_real_tree_is_read() -> None:
    tree = load_tree(ROOT)
    assert ("dstutor.controller.context", False) in tree
    assert ("dstutor.controller", True) in tree
    assert len(tree) > 100
