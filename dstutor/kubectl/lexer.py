"""Shell-like word splitting with heredocs, and pflag-style flag scanning for kubectl lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from dstutor.errors import ParseError

# Unquoted characters a real shell would treat as control or redirection operators.
# dstutor runs no shell, so they are refused rather than silently passed to kubectl.
_OPERATORS = "|;&<>()"


@dataclass(frozen=True)
class Word:
    """One shell word after quote removal, with the column where it starts on its line."""

    text: str
    column: int


@dataclass(frozen=True)
class Lexed:
    """A command line split into words, with the body of its heredoc (if any) as stdin."""

    words: tuple[Word, ...]
    stdin: str | None = None
    heredoc_delimiter: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def texts(self) -> list[str]:
        return [w.text for w in self.words]


@dataclass(frozen=True)
class _Heredoc:
    delimiter: str
    strip_tabs: bool
    column: int


def _syntax_error(token: str, column: int) -> ParseError:
    return ParseError(f"bash: syntax error near unexpected token `{token}'", column)


def _read_heredoc_word(line: str, i: int) -> tuple[str, int]:
    """Read the delimiter after `<<`/`<<-`; quotes in it are removed (and disable expansion)."""
    n = len(line)
    while i < n and line[i] in " \t":
        i += 1
    chars: list[str] = []
    while i < n and line[i] not in " \t" and line[i] not in _OPERATORS:
        ch = line[i]
        if ch in "'\"":
            end = line.find(ch, i + 1)
            if end < 0:
                raise ParseError(
                    f"bash: unexpected EOF while looking for matching `{ch}'", i)
            chars.append(line[i + 1:end])
            i = end + 1
        elif ch == "\\" and i + 1 < n:
            chars.append(line[i + 1])
            i += 2
        else:
            chars.append(ch)
            i += 1
    return "".join(chars), i


def _split_first_line(line: str, separators: str = "") -> tuple[list[Word], _Heredoc | None]:
    """Words and heredoc of a command's first line; operators in `separators` end a word
    instead of being refused (the shell's pipeline splitter handles them)."""
    words: list[Word] = []
    heredoc: _Heredoc | None = None
    buf: list[str] = []
    start: int | None = None  # column of the word being built, None between words
    i, n = 0, len(line)

    def finish() -> None:
        nonlocal buf, start
        if start is not None:
            words.append(Word("".join(buf), start))
        buf, start = [], None

    while i < n:
        ch = line[i]
        if ch in " \t\r\n":
            finish()
            i += 1
        elif ch == "#" and start is None:
            break  # a comment runs to the end of the line
        elif ch == "'":
            start = i if start is None else start
            end = line.find("'", i + 1)
            if end < 0:
                raise ParseError("bash: unexpected EOF while looking for matching `''", i)
            buf.append(line[i + 1:end])
            i = end + 1
        elif ch == '"':
            start = i if start is None else start
            i += 1
            while True:
                if i >= n:
                    raise ParseError(
                        "bash: unexpected EOF while looking for matching `\"'", start)
                c = line[i]
                if c == '"':
                    i += 1
                    break
                # Inside double quotes a backslash only escapes these characters.
                if c == "\\" and i + 1 < n and line[i + 1] in '"\\$`':
                    buf.append(line[i + 1])
                    i += 2
                else:
                    buf.append(c)
                    i += 1
        elif ch == "\\":
            start = i if start is None else start
            if i + 1 < n:
                buf.append(line[i + 1])
            i += 2
        elif line.startswith("<<<", i):
            raise ParseError("error: here-strings (<<<) are not supported; use a <<EOF heredoc",
                             i)
        elif line.startswith("<<", i):
            finish()
            if heredoc is not None:
                raise ParseError("error: only one heredoc per command is supported", i)
            j = i + 2
            strip_tabs = j < n and line[j] == "-"
            if strip_tabs:
                j += 1
            delimiter, i = _read_heredoc_word(line, j)
            if not delimiter:
                raise _syntax_error("newline", j)
            heredoc = _Heredoc(delimiter, strip_tabs, i)
        elif ch in separators:
            finish()
            i += 1
        elif ch in _OPERATORS:
            raise _syntax_error(ch, i) if ch in "()" else ParseError(
                f"error: shell operator {ch!r} is not supported in dstutor; "
                "run one kubectl command per line", i)
        else:
            start = i if start is None else start
            buf.append(ch)
            i += 1
    finish()
    return words, heredoc


def _heredoc_body(lines: Sequence[str], doc: _Heredoc) -> tuple[str, bool]:
    """Collect body lines up to the delimiter; the bool says whether it was found."""
    body: list[str] = []
    for raw in lines:
        line = raw.lstrip("\t") if doc.strip_tabs else raw
        if line == doc.delimiter:
            return "".join(f"{b}\n" for b in body), True
        body.append(line)
    return "".join(f"{b}\n" for b in body), False


def pending_heredoc(text: str) -> str | None:
    """The delimiter `text` still waits for, so a REPL knows to read more lines; else None.

    Raises ParseError if the first line is not valid shell syntax.
    """
    lines = text.split("\n")
    _, doc = _split_first_line(lines[0], separators="|<>")
    if doc is None:
        return None
    _, complete = _heredoc_body(lines[1:], doc)
    return None if complete else doc.delimiter


def split_command(text: str) -> Lexed:
    """Split a command (its first line, then an optional heredoc body) into words.

    A heredoc (`<<EOF`, `<<'EOF'`, `<<-EOF`) supplies stdin; like bash, a body whose
    delimiter never comes is used as far as it goes, with a warning.
    """
    lines = text.split("\n")
    words, doc = _split_first_line(lines[0])
    if doc is None:
        if any(line.strip() for line in lines[1:]):
            raise ParseError("error: one command per line (a heredoc may span lines)",
                             len(lines[0]))
        return Lexed(tuple(words))
    body, complete = _heredoc_body(lines[1:], doc)
    warnings: tuple[str, ...] = ()
    if not complete:
        warnings = (f"bash: warning: here-document at line 1 delimited by end-of-file "
                    f"(wanted `{doc.delimiter}')",)
    return Lexed(tuple(words), body, doc.delimiter, warnings)


class FlagLike(Protocol):
    """What scan_flags needs to know about a flag (registry.FlagSpec provides it)."""

    # Read-only properties, so that frozen dataclasses (FlagSpec) match too.
    @property
    def name(self) -> str: ...

    @property
    def short(self) -> str | None: ...

    @property
    def no_opt_default(self) -> str | None: ...


class FlagError(Exception):
    """A flag problem in pflag's words; the parser appends kubectl's `See ...` line."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class FlagToken:
    """One flag occurrence: canonical long name, its value as text, and where it was typed."""

    name: str
    value: str
    column: int


def scan_flags(
    words: Sequence[Word],
    find_long: Callable[[str], FlagLike | None],
    find_short: Callable[[str], FlagLike | None],
    on_value: Callable[[FlagLike, str, int], None] | None = None,
) -> tuple[list[FlagToken], list[Word]]:
    """Separate flags from positional words the way pflag does (flags may come anywhere).

    `on_value` is called for each flag as it is met, so a bad value is reported before
    a later unknown flag, as kubectl does. Raises FlagError with pflag's message.
    """
    flags: list[FlagToken] = []
    positional: list[Word] = []
    rest = list(words)

    def record(flag: FlagLike, value: str, column: int) -> None:
        if on_value is not None:
            on_value(flag, value, column)
        flags.append(FlagToken(flag.name, value, column))

    while rest:
        word = rest.pop(0)
        s = word.text
        if len(s) < 2 or s[0] != "-":
            positional.append(word)
            continue
        if s == "--":
            positional.extend(rest)
            break
        if s[1] == "-":
            body = s[2:]
            if body[0] in "-=":
                raise FlagError(f"bad flag syntax: {s}", word.column)
            name, eq, inline = body.partition("=")
            flag = find_long(name.replace("_", "-"))
            if flag is None:
                raise FlagError(f"unknown flag: --{name}", word.column)
            if eq:
                value = inline
            elif flag.no_opt_default is not None:
                value = flag.no_opt_default
            elif rest:
                value = rest.pop(0).text
            else:
                raise FlagError(f"flag needs an argument: {s}", word.column)
            record(flag, value, word.column)
            continue
        shorts = s[1:]
        while shorts:
            c = shorts[0]
            flag = find_short(c)
            if flag is None:
                raise FlagError(f"unknown shorthand flag: '{c}' in -{shorts}", word.column)
            if len(shorts) > 2 and shorts[1] == "=":
                value, shorts = shorts[2:], ""
            elif flag.no_opt_default is not None:
                value, shorts = flag.no_opt_default, shorts[1:]
            elif len(shorts) > 1:
                value, shorts = shorts[1:], ""
            elif rest:
                value, shorts = rest.pop(0).text, ""
            else:
                raise FlagError(f"flag needs an argument: '{c}' in -{shorts}", word.column)
            record(flag, value, word.column)
    return flags, positional
