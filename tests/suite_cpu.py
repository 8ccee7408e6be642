"""Where the suite's CPU goes, by test file (issue 19: the suite on CI in <= 60 s).

    python -m pytest -n 2 -p no:cacheprovider --suite-cpu

(tests/conftest.py registers this plugin for --suite-cpu; `-n 0` works too). Each test
process records, for every test (setup, call and teardown), the CPU it spent itself (all
its threads), the CPU of the child processes it waited for (the real kubectl, `dstutor`,
bash), its wall time, and how many processes of each program it started; the cyclic
garbage collector's passes are timed as well. At the end the main process prints the
costliest files and the totals: the test processes' CPU inside and outside tests
(start-up, collection), the main process's own (with xdist: the controller's), the
children's, and the collector's. A run without --suite-cpu pays nothing.

Subprocess counts come from a wrapper around subprocess.Popen.__init__ installed while
the plugin is on; everything in the suite that starts a program goes through Popen.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

# One row per test: node id, own CPU, children's CPU, wall seconds, {program: runs}.
Row = tuple[str, float, float, float, dict[str, int]]

_ROWS: list[Row] = []
_STARTED: Counter[str] = Counter()  # programs started during the current test
_GC: dict[str, float] = {"passes": 0, "seconds": 0.0}
_GC_START: list[float] = [0.0]
_TOP = 40


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _program(args: Any) -> str:
    first = args[0] if isinstance(args, (list, tuple)) and args else args
    return os.path.basename(str(first).split()[0]) if str(first).strip() else "?"


def _count_starts() -> None:
    original = subprocess.Popen.__init__

    def counted(self: subprocess.Popen[Any], args: Any, *rest: Any, **kwargs: Any) -> None:
        _STARTED[_program(args)] += 1
        original(self, args, *rest, **kwargs)

    subprocess.Popen.__init__ = counted  # type: ignore[method-assign]


def _gc_timer(phase: str, info: Mapping[str, Any]) -> None:
    if phase == "start":
        _GC_START[0] = time.process_time()
    else:
        _GC["passes"] += 1
        _GC["seconds"] += time.process_time() - _GC_START[0]


def _folder(config: pytest.Config) -> Path:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return Path(workerinput["suite_cpu_folder"])
    folder = getattr(config, "_suite_cpu_folder", None)
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="suite-cpu-"))
        config._suite_cpu_folder = folder  # type: ignore[attr-defined]
    return folder


def pytest_configure(config: pytest.Config) -> None:
    _folder(config)
    _count_starts()
    gc.callbacks.append(_gc_timer)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: each worker writes its rows where the controller reads them."""
    node.workerinput["suite_cpu_folder"] = str(_folder(node.config))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    _STARTED.clear()
    own, children = _cpu()
    wall = time.perf_counter()
    yield
    own_after, children_after = _cpu()
    _ROWS.append((item.nodeid, own_after - own, children_after - children,
                  time.perf_counter() - wall, dict(_STARTED)))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Every test process writes its rows and totals (the controller has no rows)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "main")
    own, children = _cpu()
    record = {"rows": _ROWS, "own": own, "children": children, "gc": _GC}
    (_folder(session.config) / f"{name}.json").write_text(json.dumps(record))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):
        return
    records = {path.stem: json.loads(path.read_text())
               for path in sorted(_folder(config).glob("*.json"))}
    for line in report(records):
        terminalreporter.write_line(line)


def by_file(rows: Sequence[Sequence[Any]]) -> dict[str, tuple[int, float, float, float,
                                                               Counter[str]]]:
    """File -> (tests, own CPU, children's CPU, wall, programs started), costliest first."""
    files: dict[str, list[Any]] = {}
    for nodeid, own, children, wall, started in rows:
        entry = files.setdefault(nodeid.split("::", 1)[0], [0, 0.0, 0.0, 0.0, Counter()])
        entry[0] += 1
        entry[1] += own
        entry[2] += children
        entry[3] += wall
        entry[4].update(started)
    ordered = sorted(files.items(), key=lambda item: -(item[1][1] + item[1][2]))
    return {name: (n, own, children, wall, started)
            for name, (n, own, children, wall, started) in ordered}


def report(records: Mapping[str, Mapping[str, Any]], top: int = _TOP) -> list[str]:
    """The table: processes, then the costliest files, then what was started in all."""
    lines = ["", "CPU seconds by process (own = its threads; children = the programs it "
             "waited for; gc = the collector's passes, part of own)"]
    rows: list[Any] = []
    for name, record in records.items():
        in_tests = sum(row[1] for row in record["rows"])
        lines.append(f"  {name:6} own {record['own']:7.1f} (in tests {in_tests:6.1f}, "
                     f"outside {record['own'] - in_tests:5.1f})  children "
                     f"{record['children']:6.1f}  gc {record['gc']['seconds']:5.1f} in "
                     f"{int(record['gc']['passes'])} passes  tests {len(record['rows'])}")
        rows += record["rows"]
    # With xdist the controller's children are the workers, counted by their own rows.
    total = sum(r["own"] + (r["children"] if r["rows"] else 0.0) for r in records.values())
    lines.append(f"  all    {total:7.1f}")
    files = by_file(rows)
    lines.append(f"the {min(top, len(files))} costliest of {len(files)} files "
                 "(tests, own, children, wall, programs started):")
    for name, (n, own, children, wall, started) in list(files.items())[:top]:
        programs = " ".join(f"{p}x{k}" for p, k in sorted(started.items()))
        lines.append(f"  {name:62} {n:5} {own:7.2f} {children:7.2f} {wall:7.2f}  {programs}")
    programs_all: Counter[str] = Counter()
    for entry in files.values():
        programs_all.update(entry[4])
    lines.append("programs started: " + (", ".join(f"{p} {k}" for p, k in
                                                   programs_all.most_common()) or "none"))
    return lines
