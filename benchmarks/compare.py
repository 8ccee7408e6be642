"""Run one benchmark on two versions of this repository by turns, and print each figure's
range on each, with the ratio of their medians: the "before / now" columns of the README's
table of issue 19's targets, taken the way they were (in one sitting, alternating).

Run: `.venv/bin/python benchmarks/compare.py [--base REV] [--rounds N] BENCH [ARGS ...]`,
e.g. `.venv/bin/python benchmarks/compare.py --base HEAD~3 bench_engine.py --repeat 5`.

"now" is the working tree as it stands (uncommitted changes included), "base" a detached
git worktree of REV (default HEAD) made for the run in a temporary folder and removed
after it. Both are compiled first: an uncompiled tree pays for compiling in its first
run's figures (and reads ~1.3 MB higher in resident memory). Each round runs base then
now, the next now then base, so that a machine getting busier or quieter during the
sitting does not favour one side. Wall time on a shared machine swings with the load:
compare the CPU figures where a benchmark prints them.

A figure is any number in a benchmark's output line, named by the text before the line's
first colon and its place among the line's numbers; numbers that are the same in every
run on both sides (sizes, targets) are left out.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_NUMBER = re.compile(r"(?<![\w.-])(\d[\d,]*(?:\.\d+)?)\s*(ms|us|µs|s|MB|KB|GB|%|x|×)?(?![\w.])")

_WORD = re.compile(r"[A-Za-z][\w/-]*")
_AFTER = re.compile(r"[ \t]+([A-Za-z][\w/-]*(?:[ \t]+[A-Za-z][\w/-]*){0,2})")

# (line label, place among the line's numbers) -> (value, unit, the words before it)
Figures = dict[tuple[str, int], tuple[float, str, str]]


def parse_figures(text: str) -> Figures:
    """Every number in `text`, by its line's label (the text before its first colon, or
    in a line without one, before its first number) and its place on the line, with the
    (up to three) words between it and the number before it, which say what it is (or,
    with none there, the words right after it, as in "5,508 calls per join"). A
    label seen again (a table's repeated rows) gets " #2", " #3" ... so no figure hides
    another."""
    figures: Figures = {}
    seen: dict[str, int] = {}
    for line in text.splitlines():
        label, colon, rest = line.partition(":")
        if not colon:  # a table's row: named by what comes before its first number
            first = _NUMBER.search(line)
            if first is None:
                continue
            label, rest = line[:first.start()], line[first.start():]
        label = " ".join(label.split())
        numbers = list(_NUMBER.finditer(rest))
        if not numbers:
            continue
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label} #{seen[label]}".lstrip()
        end = 0
        for place, found in enumerate(numbers):
            before = " ".join(_WORD.findall(rest[end:found.start()])[-3:])
            end = found.end()
            if not before:  # "5,508 calls per join": named by the words right after it
                after = _AFTER.match(rest, end)
                before = " ".join(after[1].split()) if after else ""
            figures[(label, place)] = (float(found[1].replace(",", "")), found[2] or "", before)
    return figures


def summarise(base: Sequence[Figures], now: Sequence[Figures]) -> list[tuple[str, str, str, str]]:
    """Rows (figure, base range, now range, now/base of the medians) for every figure
    found in each run on both sides whose value is not the same everywhere."""
    if not base or not now:
        return []
    keys = [key for key in base[0] if all(key in run for run in (*base, *now))]
    rows = []
    for key in keys:
        before = [run[key][0] for run in base]
        after = [run[key][0] for run in now]
        if len(set(before + after)) == 1:
            continue
        _, unit, words = base[0][key]
        label, place = key
        name = label or "(unlabelled)"
        name = f"{name}: {words}" if words else f"{name} [{place + 1}]"
        median_before = statistics.median(before)
        ratio = (f"{statistics.median(after) / median_before:.2f}" if median_before
                 else "-")
        rows.append((name, _range(before, unit), _range(after, unit), ratio))
    return rows


def _range(values: Iterable[float], unit: str) -> str:
    ordered = sorted(values)
    low, high = _show(ordered[0]), _show(ordered[-1])
    text = low if low == high else f"{low}–{high}"
    return f"{text} {unit}".rstrip()


def _show(value: float) -> str:
    return f"{value:,.3f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:,.0f}"


def table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("   ".join(cell.ljust(width) for cell, width in zip(row, widths,
                                                                          strict=True)).rstrip()
                     for row in rows)


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def _compile(tree: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "dstutor", "benchmarks"],
                   cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)


def _run(tree: Path, bench: str, args: Sequence[str]) -> str:
    env = dict(os.environ, PYTHONPATH=str(tree))
    done = subprocess.run([sys.executable, str(tree / "benchmarks" / bench), *args], cwd=tree,
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{bench} failed in {tree}:\n{done.stderr}")
    return done.stdout


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="HEAD", help="the git revision to compare against")
    parser.add_argument("--rounds", type=int, default=3, help="runs on each side")
    parser.add_argument("bench", help="a file in benchmarks/, e.g. bench_engine.py")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the benchmark's own options")
    options = parser.parse_args(argv)
    if not (ROOT / "benchmarks" / options.bench).is_file():
        raise SystemExit(f"no such benchmark: benchmarks/{options.bench}")
    revision = _git("rev-parse", "--short", options.base)
    folder = Path(tempfile.mkdtemp(prefix="dstutor-compare-"))
    base_tree = folder / "base"
    _git("worktree", "add", "--detach", str(base_tree), revision)
    try:
        for tree in (base_tree, ROOT):
            _compile(tree)
        runs: dict[Path, list[Figures]] = {base_tree: [], ROOT: []}
        for round_ in range(options.rounds):
            order = (base_tree, ROOT) if round_ % 2 == 0 else (ROOT, base_tree)
            for tree in order:
                runs[tree].append(parse_figures(_run(tree, options.bench, options.args)))
        rows = summarise(runs[base_tree], runs[ROOT])
        print(f"{options.bench} {' '.join(options.args)}".rstrip()
              + f": {options.rounds} run{'s' if options.rounds != 1 else ''} each, by turns")
        if rows:
            print(table([("figure", f"base ({revision})", "now (working tree)", "now/base"),
                         *rows]))
        else:
            print("(no figure differs between the runs)")
    finally:
        _git("worktree", "remove", "--force", str(base_tree))
        base_tree.parent.rmdir()


if __name__ == "__main__":
    main()
