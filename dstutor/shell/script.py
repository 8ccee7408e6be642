"""Script mode: commands from a pipe or file, one per line (a heredoc spans lines).

The same Session.handle_line as the REPL; only reading and writing differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TextIO

from dstutor import yamlio
from dstutor.errors import ParseError
from dstutor.kubectl.lexer import pending_heredoc
from dstutor.kubectl.result import CommandResult
from dstutor.shell.session import Session
from dstutor.textsafe import visible

# A command (with its heredoc) may be as large as a manifest file, no larger: a script
# from /dev/zero or one endless line must not fill memory.
MAX_COMMAND_CHARS = yamlio.MAX_BYTES
TOO_LONG_ERR = ("error: the command on line {line} is longer than {limit} characters, "
                "so it was not run")
UNTERMINATED_ERR = ('error: the heredoc that starts on line {line} never ends: no line is '
                    'exactly "{delimiter}", so the command was not run')
LOOSE_DELIMITER_NOTE = ' (line {line} is "{text}": the delimiter must stand alone on its line)'


@dataclass(frozen=True)
class ScriptCommand:
    text: str
    line: int  # where it starts, 1-based
    error: str = ""  # set when the command cannot be run at all


class Overlong(str):
    """Stands for an input line longer than the limit (its text was never kept)."""


class Endless(Overlong):
    """A line that did not end within ENDLESS_FACTOR limits: reading stops there
    (`dstutor shell < /dev/zero` would otherwise skip zeros forever)."""


ENDLESS_FACTOR = 10
ENDLESS_ERR = ("error: line {line} does not end within {size} characters (is the input a "
               "device such as /dev/zero?), so the rest of the script was not read")


def bounded_lines(stream: TextIO, limit: int = MAX_COMMAND_CHARS) -> Iterator[str]:
    """The stream's lines, each read at most `limit` characters at a time; a longer line
    is skipped to its end and comes out as an Overlong marker."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith("\n"):
            yield line
            continue
        dropped = len(line)
        while True:  # drop the rest of the line, a bounded piece at a time
            rest = stream.readline(1 << 20)
            dropped += len(rest)
            if not rest or rest.endswith("\n"):
                break
            if dropped > ENDLESS_FACTOR * limit:
                yield Endless()
                return
        yield Overlong()


def read_commands(lines: Iterable[str], limit: int = MAX_COMMAND_CHARS
                  ) -> Iterator[ScriptCommand]:
    """Group input lines into commands; a heredoc body belongs to the line that opens it."""
    it = iter(enumerate(lines, start=1))
    for number, raw in it:
        if isinstance(raw, Endless):
            yield ScriptCommand("", number, error=ENDLESS_ERR.format(
                line=number, size=ENDLESS_FACTOR * limit))
            return
        if isinstance(raw, Overlong):
            yield ScriptCommand("", number, error=TOO_LONG_ERR.format(line=number, limit=limit))
            continue
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            delimiter = pending_heredoc(line)
        except ParseError:
            delimiter = None  # handle_line reports the syntax error with kubectl's words
        if delimiter is None:
            yield ScriptCommand(line, number)
            continue
        body = [line]
        size = len(line)
        loose: tuple[int, str] | None = None
        too_long = False
        for body_number, body_raw in it:
            if isinstance(body_raw, Overlong):
                too_long = True
                continue
            body_line = body_raw.rstrip("\r\n")
            if too_long or size + len(body_line) + 1 > limit:
                # Past the limit: keep nothing more, only look for the delimiter.
                too_long = True
                if body_line.strip() == delimiter:
                    break
                continue
            body.append(body_line)
            size += len(body_line) + 1
            if pending_heredoc("\n".join(body)) is None:
                break
            if loose is None and body_line.strip() == delimiter:
                loose = (body_number, body_line)
        else:
            if too_long:
                yield ScriptCommand("", number, error=TOO_LONG_ERR.format(line=number,
                                                                           limit=limit))
                return
            message = UNTERMINATED_ERR.format(line=number, delimiter=delimiter)
            if loose is not None:
                message += LOOSE_DELIMITER_NOTE.format(line=loose[0], text=loose[1])
            yield ScriptCommand("\n".join(body), number, error=message)
            return
        if too_long:
            yield ScriptCommand("", number, error=TOO_LONG_ERR.format(line=number, limit=limit))
            continue
        yield ScriptCommand("\n".join(body), number)


def _ensure_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def mixed(out: CommandResult) -> bool:
    """kubectl wrote to stderr before it finished writing to stdout."""
    streams = [s for s, _ in out.interleaved]
    if not (2 in streams and 1 in streams[streams.index(2):]):
        return False
    # Only while the chunks are still exactly what is shown (a pipe rewrites stdout).
    return ("".join(t for s, t in out.interleaved if s == 1) == out.stdout
            and "".join(t for s, t in out.interleaved if s == 2) == out.stderr)


def write_interleaved(out: CommandResult, stdout: TextIO, stderr: TextIO) -> None:
    """Each write to its stream in kubectl's order, flushed at every switch."""
    last = 0
    for stream, text in out.interleaved:
        target = stdout if stream == 1 else stderr
        if last and stream != last:
            (stdout if last == 1 else stderr).flush()
        target.write(visible(text))
        last = stream
    if out.stdout and not out.stdout.endswith("\n"):
        stdout.write("\n")
    stdout.flush()
    stderr.flush()


def write_output(out: CommandResult, stdout: TextIO, stderr: TextIO) -> None:
    """stdout, then the error, then the tutor's hint; flushed so 2>&1 keeps the order.

    Where kubectl writes a warning between output lines, it comes there. Everything
    passes through visible(): names and fields from files and objects never reach the
    terminal raw (kubectl's own text has no control characters to change).
    """
    if mixed(out):
        write_interleaved(out, stdout, stderr)
    elif out.stdout:
        stdout.write(visible(_ensure_newline(out.stdout)))
    stdout.flush()
    if out.stderr and not mixed(out):
        stderr.write(visible(_ensure_newline(out.stderr)))
    if out.hint:
        stderr.write(visible(_ensure_newline(out.hint)))
    stderr.flush()


def run_script(session: Session, lines: Iterable[str], stdout: TextIO, stderr: TextIO, *,
               echo: bool = False) -> int:
    """Run every command; 0 if all succeeded, else 1. `exit` stops early."""
    ok = True
    for command in read_commands(lines):
        if echo:
            stdout.write(visible(f"$ {command.text}\n"))
        if command.error:
            write_output(CommandResult(stderr=command.error, exit_code=1), stdout, stderr)
            ok = False
            continue
        out = session.handle_line(command.text)
        write_output(out, stdout, stderr)
        ok = ok and out.ok
        if out.exit:
            break
    return 0 if ok else 1
