"""benchmarks/compare.py: one benchmark on two versions by turns, each figure's range on
each side and the ratio of the medians."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
import compare  # noqa: E402

ENGINE = """\
nodes=5000 daemonsets=10 pods=50000 daemonsets fully ready=10 events=100
register nodes:                 0.282 s
empty -> settled (total):       3.556 s   (target <= 1 s; CPU 3.256 s, of which cyclic GC 0.180 s)
peak memory (max RSS):          117.6 MB   (target <= 120 MB; interpreter + imports 16.6 MB)
"""


@pytest.mark.parametrize(("line", "expected"), [
    ("register nodes:   0.282 s", {("register nodes", 0): (0.282, "s", "")}),
    ("x: 5,799 calls per join", {("x", 0): (5799.0, "", "calls per join")}),
    ("80990 bytecodes per join", {("", 0): (80990.0, "", "bytecodes per join")}),
    ("settled: 3.5 s   (target <= 1 s)",
     {("settled", 0): (3.5, "s", ""), ("settled", 1): (1.0, "s", "target")}),
    ("join: median CPU 0.819 ms of 200 (min 0.731 ms)",
     {("join", 0): (0.819, "ms", "median CPU"), ("join", 1): (200.0, "", "of"),
      ("join", 2): (0.731, "ms", "min")}),
    ("start-up: 2.64× import typer", {("start-up", 0): (2.64, "×", "import typer")}),
    ("rss: 117.6 MB", {("rss", 0): (117.6, "MB", "")}),
    ("  kubelet   150,000    1.253 s      8.4 us",
     {("kubelet", 0): (150000.0, "", ""), ("kubelet", 1): (1.253, "s", ""),
      ("kubelet", 2): (8.4, "us", "")}),
    ("  parse the cluster file   0.086 s    0.085 s",
     {("parse the cluster file", 0): (0.086, "s", ""),
      ("parse the cluster file", 1): (0.085, "s", "")}),
    # Numbers inside names are not figures: node-00003, v1.37, agent-4.
    ("node-00003 joined: v1.37 agent-4", {}),
    ("no numbers here: at all", {}),
])
def test_parse_figures_reads_each_number_of_a_line(line: str, expected: dict) -> None:
    assert compare.parse_figures(line) == expected


def test_parse_figures_numbers_a_repeated_label() -> None:
    figures = compare.parse_figures("  +0   10,002   0.271 s\n  +0   10,002   0.199 s\n")
    assert figures[("+", 2)] == (0.271, "s", "")
    assert figures[("+ #2", 2)] == (0.199, "s", "")


def test_summarise_keeps_what_moved_with_ranges_and_ratio() -> None:
    base = [compare.parse_figures(ENGINE),
            compare.parse_figures(ENGINE.replace("3.256", "3.300"))]
    now = [compare.parse_figures(ENGINE.replace("3.256", "2.000").replace("3.556", "2.3")),
           compare.parse_figures(ENGINE.replace("3.256", "2.200").replace("3.556", "2.5"))]
    rows = {row[0]: row[1:] for row in compare.summarise(base, now)}
    assert rows["empty -> settled (total): CPU"] == ("3.256–3.3 s", "2–2.2 s", "0.64")
    assert rows["empty -> settled (total) [1]"] == ("3.556 s", "2.3–2.5 s", "0.67")
    # Sizes and targets are the same in every run: not figures worth a row.
    assert not any(name.startswith(("nodes=", "peak memory", "register")) for name in rows)
    assert compare.summarise([], now) == []


def test_table_aligns_columns_three_spaces_apart() -> None:
    text = compare.table([("figure", "base"), ("a long name", "1 s")])
    assert text == "figure        base\na long name   1 s"


def test_compare_refuses_an_unknown_benchmark() -> None:
    with pytest.raises(SystemExit, match="no such benchmark: benchmarks/nope.py"):
        compare.main(["nope.py"])


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git repository")
def test_compare_runs_a_benchmark_on_both_sides(tmp_path: Path) -> None:
    """The whole tool, on a tiny benchmark against HEAD: a row per moving figure, and no
    worktree left behind."""
    before = subprocess.run(["git", "-C", str(ROOT), "worktree", "list"], capture_output=True,
                            text=True, check=True).stdout
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "compare.py"),
                           "--rounds", "1", "bench_join.py", "--nodes", "20", "--joins", "5",
                           "--profiled", "2"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "bench_join.py --nodes 20 --joins 5 --profiled 2: 1 run each, by turns"
    assert lines[1].startswith("figure") and "now/base" in lines[1]
    # A row per figure that moved: the join's CPU figures (its median and its minimum,
    # each printed to the microsecond; the two sides are the same code, so either may
    # come out equal on both now and then, about one run in fifty, and is then rightly
    # left out), never its calls per join, which the same code makes the same.
    rows = lines[2:]
    assert rows and all("median CPU" in row or ": min" in row for row in rows), rows
    assert not any("calls per join" in row for row in rows)
    after = subprocess.run(["git", "-C", str(ROOT), "worktree", "list"], capture_output=True,
                           text=True, check=True).stdout
    assert after == before
