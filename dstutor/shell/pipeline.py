"""Split a line into one command, text filters after `|`, and a `>`/`>>` redirection.

dstutor runs no shell: this scanner knows just enough shell quoting to find the unquoted
`|`, `>` and `>>` of the first line (a heredoc body stays with the command), refuses the
constructs it does not offer (`;`, `&&`, `||`, `&`, `$(...)`, backticks, `<`, `2>`) with
one line saying what is supported, and hands the filter words to textfilters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from dstutor.errors import DstutorError
from dstutor.kubectl.lexer import split_command
from dstutor.shell.textfilters import FILTER_NAMES, SUPPORTED_FILTERS, FilterError, run_filter

SUPPORTED = ("a line is one command, optionally piped into " + ", ".join(FILTER_NAMES)
             + " and redirected with > FILE or >> FILE")
UNSUPPORTED_MSG = "error: dstutor runs no shell, so {what} is not supported: {supported}"


_HEREDOC = re.compile(r"\s*<<-?\s*(?:'[^']*'|\"[^\"]*\"|[^\s|<>]+)")


class PipelineError(DstutorError):
    """A line that uses a shell construct dstutor does not offer."""


@dataclass(frozen=True)
class Pipeline:
    command: str  # the command's first line plus any heredoc body
    filters: tuple[tuple[str, ...], ...] = ()
    redirect: str | None = None  # ">" or ">>"
    target: str = ""

    @property
    def plain(self) -> bool:
        return not self.filters and self.redirect is None


def _refuse(what: str) -> PipelineError:
    return PipelineError(UNSUPPORTED_MSG.format(what=what, supported=SUPPORTED))


def _cuts(line: str) -> tuple[list[int], list[tuple[int, str]]]:
    """Columns of unquoted `|` and of unquoted `>`/`>>` on one line; refuses the rest."""
    pipes: list[int] = []
    redirects: list[tuple[int, str]] = []
    quote = ""
    i, n = 0, len(line)
    at_word_start = True
    while i < n:
        ch = line[i]
        if quote == "'":
            if ch == "'":
                quote = ""
            i += 1
            continue
        if ch == "\\":
            i += 2
            at_word_start = False
            continue
        if ch == "`":
            raise _refuse("command substitution with backticks")
        if ch == "$" and line.startswith("$(", i):
            raise _refuse("command substitution $(...)")
        if quote == '"':
            if ch == '"':
                quote = ""
            i += 1
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "#" and at_word_start:
            break
        elif ch == "|":
            if line.startswith("||", i):
                raise _refuse("||")
            pipes.append(i)
        elif ch == "&":
            raise _refuse("&&" if line.startswith("&&", i) else "&")
        elif ch == ";":
            raise _refuse("';'")
        elif ch == ">":
            if i > 0 and line[i - 1] in "12" and (i == 1 or line[i - 2] in " \t"):
                raise _refuse(f"{line[i - 1]}> (only standard output can be redirected)")
            op = ">>" if line.startswith(">>", i) else ">"
            if line.startswith(">&", i) or line.startswith(">|", i):
                raise _refuse(line[i:i + 2])
            redirects.append((i, op))
            i += len(op)
            at_word_start = True
            continue
        elif ch == "<" and not line.startswith("<<", i):
            raise _refuse("input redirection with <")
        elif ch == "<":
            i += 3 if line.startswith("<<<", i) else 2
            continue
        at_word_start = ch in " \t"
        i += 1
    return pipes, redirects


def split_pipeline(text: str) -> Pipeline:
    """Split `text`; raises PipelineError for shell constructs dstutor does not offer."""
    first, nl, body = text.partition("\n")
    pipes, redirects = _cuts(first)
    if not pipes and not redirects:
        return Pipeline(text)
    redirect: str | None = None
    target = ""
    end = len(first)
    if redirects:
        if len(redirects) > 1:
            raise _refuse("more than one redirection")
        column, redirect = redirects[0]
        if pipes and column < pipes[-1]:
            raise _refuse("a redirection before a pipe")
        tail = first[column + len(redirect):]
        heredoc = _HEREDOC.search(tail)
        if heredoc is not None:  # `cat > FILE <<EOF`: the heredoc belongs to the command
            tail = tail[:heredoc.start()] + tail[heredoc.end():]
            first = first[:column] + " " + heredoc.group(0).strip() + " " + first[column:]
            column += len(heredoc.group(0).strip()) + 2
        words = split_command(tail).texts
        if len(words) != 1:
            raise PipelineError(f"error: `{redirect}` needs one file name after it")
        target = words[0]
        end = column
    bounds = [-1, *pipes, end]
    segments = [first[a + 1:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    command = segments[0].rstrip()
    if not command.strip():
        raise PipelineError("bash: syntax error near unexpected token `|'"
                            if pipes else f"error: `{redirect}` needs a command before it")
    filters: list[tuple[str, ...]] = []
    for segment in segments[1:]:
        filter_words = tuple(split_command(segment).texts)
        if not filter_words:
            raise PipelineError("bash: syntax error near unexpected token `|'")
        if filter_words[0] not in FILTER_NAMES:
            raise PipelineError(f"error: `{filter_words[0]}` cannot follow a pipe in dstutor; "
                                f"supported: {SUPPORTED_FILTERS}")
        filters.append(filter_words)
    return Pipeline(command + (nl + body if nl else ""), tuple(filters), redirect, target)


def finish(piped: Pipeline, stdout: str, stderr: str, exit_code: int,
           write: Callable[[str, str, bool], None]) -> tuple[str, str, int]:
    """Run the filters over a command's stdout, then redirect; (stdout, stderr, status).

    As in a shell, the status is the last filter's; stderr is never piped. `write(name,
    text, append)` puts redirected text into the workspace.
    """
    text, code = stdout, exit_code
    for argv in piped.filters:
        try:
            result = run_filter(list(argv), text)
        except FilterError as exc:
            stderr = _line(stderr) + f"{exc}\n"
            text, code = "", 2
            break
        text, code = result.text, result.exit_code
    if piped.redirect is not None:
        try:
            write(piped.target, text, piped.redirect == ">>")
        except (DstutorError, OSError) as exc:
            return "", _line(stderr) + f"{getattr(exc, 'strerror', None) or exc}\n", 1
        text = ""
    return text, stderr, code


def _line(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def heredoc_cat(command: str) -> str | None:
    """The text `cat <<EOF ... EOF` prints (its heredoc body); None for any other command."""
    try:
        lexed = split_command(command)
    except DstutorError:
        return None
    return lexed.stdin if lexed.texts == ["cat"] else None
