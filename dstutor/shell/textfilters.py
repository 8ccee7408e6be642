"""The text filters a line may pipe into (`| grep`, `| head`, ...), in pure Python.

dstutor runs no shell and starts no process for these: each filter is a function from
the text before it to the text after it plus an exit status, with the options learners
use with kubectl output (GNU coreutils' meaning and messages where they have them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from dstutor.errors import DstutorError

FILTER_NAMES = ("grep", "head", "tail", "wc", "sort", "uniq", "cut", "awk")
# The options each filter understands, for Tab completion (the parsers below are the truth).
FILTER_OPTIONS = {"grep": "ivcEwnFe", "head": "n", "tail": "n", "wc": "lwcm", "sort": "rnuk",
                  "uniq": "c", "cut": "df", "awk": ""}
SUPPORTED_FILTERS = ("grep [-i -v -c -E -w -n] PATTERN, head/tail [-n N], wc [-l -w -c], "
                     "sort [-r -n -k N], uniq [-c], cut -d X -f LIST, awk '{print $N}'")


class FilterError(DstutorError):
    """A filter refused its arguments; str() is the line the user sees."""


@dataclass(frozen=True)
class Filtered:
    text: str
    exit_code: int = 0
    stderr: str = ""


FilterFunc = Callable[[list[str], str], Filtered]


def _lines(text: str) -> list[str]:
    return text.splitlines()


def _join(lines: list[str]) -> str:
    return "".join(f"{line}\n" for line in lines)


def _options(name: str, args: list[str], flags: str, valued: str = ""
             ) -> tuple[dict[str, str], list[str]]:
    """getopt-style: bundled short flags (-iv), values for `valued` (-n 5, -n5), `--`."""
    opts: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--":
            rest += args[i:]
            break
        if len(arg) < 2 or not arg.startswith("-") or rest:
            rest.append(arg)
            continue
        if arg[1:].isdigit() and "n" in valued:  # head -5
            opts["n"] = arg[1:]
            continue
        j = 1
        while j < len(arg):
            ch = arg[j]
            if ch in valued:
                value = arg[j + 1:]
                if not value:
                    if i >= len(args):
                        raise FilterError(f"{name}: option requires an argument -- '{ch}'")
                    value = args[i]
                    i += 1
                opts[ch] = value
                break
            if ch not in flags:
                raise FilterError(f"{name}: invalid option -- '{ch}'")
            opts[ch] = ""
            j += 1
    return opts, rest


def _bre_to_python(pattern: str) -> str:
    """GNU grep's basic regex: `\\|`, `\\+`, `\\?`, `\\(`, `\\)` are operators, bare ones literal."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(nxt if nxt in "|+?(){}" else "\\" + nxt)
            i += 2
            continue
        out.append("\\" + ch if ch in "|+?(){}" else ch)
        i += 1
    return "".join(out)


def grep(args: list[str], text: str) -> Filtered:
    opts, rest = _options("grep", args, "ivcEwnF", "e")
    patterns = [opts["e"]] if "e" in opts else rest[:1]
    if not patterns:
        raise FilterError("Usage: grep [OPTION]... PATTERNS [FILE]...")
    if rest[1 if "e" not in opts else 0:]:
        raise FilterError("grep: reading files is not supported after a pipe; put the file "
                          "first: cat FILE | grep PATTERN")
    pattern = patterns[0]
    if "F" in opts:
        pattern = re.escape(pattern)
    elif "E" not in opts:
        pattern = _bre_to_python(pattern)
    if "w" in opts:
        pattern = rf"(?<!\w)(?:{pattern})(?!\w)"
    try:
        regex = re.compile(pattern, re.IGNORECASE if "i" in opts else 0)
    except re.error as exc:
        raise FilterError(f"grep: invalid regular expression: {exc}") from None
    invert = "v" in opts
    hits = [(n, line) for n, line in enumerate(_lines(text), 1)
            if bool(regex.search(line)) != invert]
    code = 0 if hits else 1
    if "c" in opts:
        return Filtered(f"{len(hits)}\n", code)
    if "n" in opts:
        return Filtered(_join([f"{n}:{line}" for n, line in hits]), code)
    return Filtered(_join([line for _, line in hits]), code)


def _count(name: str, opts: dict[str, str]) -> tuple[int, bool]:
    """-n N / -n +N (tail: from line N)."""
    raw = opts.get("n", "10")
    plus = raw.startswith("+")
    try:
        n = int(raw.lstrip("+-"))
    except ValueError:
        what = "lines" if name == "tail" else "number of lines"
        raise FilterError(f"{name}: invalid {what}: '{raw}'") from None
    return n, plus or (name == "head" and raw.startswith("-"))


def head(args: list[str], text: str) -> Filtered:
    opts, rest = _options("head", args, "", "n")
    _no_files("head", rest)
    n, negative = _count("head", opts)
    lines = _lines(text)
    return Filtered(_join(lines[:-n] if negative and n else [] if negative else lines[:n]))


def tail(args: list[str], text: str) -> Filtered:
    opts, rest = _options("tail", args, "", "n")
    _no_files("tail", rest)
    n, from_start = _count("tail", opts)
    lines = _lines(text)
    if from_start:
        return Filtered(_join(lines[max(n - 1, 0):]))
    return Filtered(_join(lines[-n:] if n else []))


def _no_files(name: str, rest: list[str]) -> None:
    if rest:
        raise FilterError(f"{name}: reading files is not supported after a pipe")


def wc(args: list[str], text: str) -> Filtered:
    opts, rest = _options("wc", args, "lwcm")
    _no_files("wc", rest)
    counts = {"l": text.count("\n"), "w": len(text.split()), "c": len(text.encode()),
              "m": len(text)}
    chosen = [k for k in "lwmc" if k in opts] or ["l", "w", "c"]
    if len(chosen) == 1:
        return Filtered(f"{counts[chosen[0]]}\n")
    width = max(len(str(counts[k])) for k in chosen)
    width = max(width, 7)  # coreutils pads stdin counts to 7 columns
    return Filtered(" ".join(str(counts[k]).rjust(width) for k in chosen) + "\n")


def _sort_key(line: str, field: int | None, numeric: bool) -> tuple[float, str]:
    part = line
    if field is not None:
        words = line.split()
        part = " ".join(words[field - 1:]) if field - 1 < len(words) else ""
    if numeric:
        match = re.match(r"\s*(-?\d+(?:\.\d+)?)", part)
        return (float(match.group(1)) if match else 0.0, part)
    return (0.0, part)


def sort(args: list[str], text: str) -> Filtered:
    opts, rest = _options("sort", args, "rnu", "k")
    _no_files("sort", rest)
    field = None
    if "k" in opts:
        raw = opts["k"].split(",", 1)[0].split(".", 1)[0]
        numeric_suffix = raw.rstrip("nr")
        if "n" in raw[len(numeric_suffix):]:
            opts["n"] = ""
        if "r" in raw[len(numeric_suffix):]:
            opts["r"] = ""
        if not numeric_suffix.isdigit() or int(numeric_suffix) < 1:
            raise FilterError(f"sort: invalid number at field start: invalid count at start of "
                              f"'{opts['k']}'")
        field = int(numeric_suffix)
    lines = sorted(_lines(text), key=lambda ln: _sort_key(ln, field, "n" in opts),
                   reverse="r" in opts)
    if "u" in opts:
        lines = list(dict.fromkeys(lines))
    return Filtered(_join(lines))


def uniq(args: list[str], text: str) -> Filtered:
    opts, rest = _options("uniq", args, "c")
    _no_files("uniq", rest)
    runs: list[list[object]] = []
    for line in _lines(text):
        if runs and runs[-1][0] == line:
            runs[-1][1] = int(str(runs[-1][1])) + 1
        else:
            runs.append([line, 1])
    if "c" in opts:
        return Filtered(_join([f"{int(str(n)):7d} {line}" for line, n in runs]))
    return Filtered(_join([str(line) for line, _ in runs]))


def _field_list(spec: str) -> list[tuple[int, int | None]]:
    ranges: list[tuple[int, int | None]] = []
    for part in spec.split(","):
        lo, dash, hi = part.partition("-")
        try:
            start = int(lo) if lo else 1
            end = (int(hi) if hi else None) if dash else start
        except ValueError:
            raise FilterError(f"cut: invalid field value '{part}'") from None
        if start < 1:
            raise FilterError("cut: fields are numbered from 1")
        ranges.append((start, end))
    return ranges


def cut(args: list[str], text: str) -> Filtered:
    opts, rest = _options("cut", args, "", "df")
    _no_files("cut", rest)
    if "f" not in opts:
        raise FilterError("cut: you must specify a list of bytes, characters, or fields")
    delim = opts.get("d", "\t")
    if len(delim) != 1:
        raise FilterError("cut: the delimiter must be a single character")
    ranges = _field_list(opts["f"])
    out: list[str] = []
    for line in _lines(text):
        if delim not in line:
            out.append(line)
            continue
        parts = line.split(delim)
        keep = [p for i, p in enumerate(parts, 1)
                if any(lo <= i and (hi is None or i <= hi) for lo, hi in ranges)]
        out.append(delim.join(keep))
    return Filtered(_join(out))


_AWK_PROGRAM = re.compile(r"^\s*\{\s*print\s*(.*?)\s*;?\s*\}\s*$")
_AWK_FIELD = re.compile(r"^\$(\d+|NF)$")


def awk(args: list[str], text: str) -> Filtered:
    separator: str | None = None
    rest = list(args)
    if rest and rest[0].startswith("-F"):
        value = rest.pop(0)[2:]
        if not value and rest:
            value = rest.pop(0)
        separator = value or None
    if len(rest) != 1:
        raise FilterError("awk: dstutor supports only awk [-F SEP] '{print $N, ...}'")
    match = _AWK_PROGRAM.match(rest[0])
    if match is None:
        raise FilterError("awk: dstutor supports only awk [-F SEP] '{print $N, ...}'")
    items = [t for t in re.split(r"\s*,\s*|\s+", match.group(1)) if t]
    fields: list[str] = []
    for item in items:
        if _AWK_FIELD.match(item) is None and not (item.startswith('"') and item.endswith('"')):
            raise FilterError(f"awk: dstutor supports only $N, $NF and \"text\" after print, "
                              f"not {item}")
        fields.append(item)
    comma_join = "," in match.group(1)
    out: list[str] = []
    for line in _lines(text):
        words = line.split(separator) if separator else line.split()
        values: list[str] = []
        for item in fields or ["$0"]:
            if item.startswith('"'):
                values.append(item[1:-1])
            elif item == "$0":
                values.append(line)
            elif item == "$NF":
                values.append(words[-1] if words else "")
            else:
                n = int(item[1:])
                values.append(line if n == 0 else words[n - 1] if n <= len(words) else "")
        out.append((" " if comma_join or len(values) == 1 else "").join(values))
    return Filtered(_join(out))


FILTERS: dict[str, FilterFunc] = {"grep": grep, "head": head, "tail": tail, "wc": wc,
                                  "sort": sort, "uniq": uniq, "cut": cut, "awk": awk}


def run_filter(argv: list[str], text: str) -> Filtered:
    """Run one filter (`["grep", "-i", "x"]`) over `text`."""
    func = FILTERS.get(argv[0])
    if func is None:
        raise FilterError(f"error: `{argv[0]}` cannot follow a pipe in dstutor; supported: "
                          f"{SUPPORTED_FILTERS}")
    return func(argv[1:], text)
