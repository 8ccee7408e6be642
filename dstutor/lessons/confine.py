"""A lesson is confined data: the files it names stay inside its course folder, and its
command lines only drive kubectl and the simulator, never the file system.

Courses are written by others and installed by instructors, so a lesson file is treated
like any other untrusted input: `../`, absolute paths and symlinks that lead out of the
course folder are refused; only regular files of bounded size are read (a FIFO would hang,
/dev/zero would never end); and `save`, `load` and `map --svg`, which write files wherever
the learner happens to be, are refused in setup, solution, wrong-attempt and variant lines.
Files a lesson line names otherwise (`> ds.yaml`, `cat ds.yaml`, `kubectl apply -f ds.yaml`)
are plain names in the lesson's workspace, its scratch folder, which the shell confines
them to (shell/workspace.py); a name with a directory part, `..` or `~` is refused here.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dstutor import yamlio
from dstutor.errors import DstutorError, ParseError

# A lesson, a manifest or a cluster file is a few kilobytes; a megabyte is plenty.
MAX_FILE_BYTES = 1024 * 1024
OUTSIDE_MSG = "{ref} leads outside the course folder: a lesson may only name files inside it"
SYMLINK_MSG = ("{ref} is a symlink that leads outside the course folder: a lesson may only "
               "name files inside it")
ABSOLUTE_MSG = ("{ref} is an absolute path: a lesson names files relative to its course "
                "folder")
FILE_READ_MSG = ("`{line}` reads {value}: learners do not work inside the course folder, so "
                 "use `-f -` with a heredoc")
FILE_COMMAND_MSG = ("`{line}` {verb} a file: lessons may not read or write files, only "
                    "change the simulated cluster")
OPERATOR_MSG = ("`{line}` uses the shell operator `{op}`: redirects, pipes, `;` and `&` are "
                "not allowed in a lesson")  # except pipes and `> NAME` into the workspace
TOO_LARGE_MSG = "{shown} is larger than {limit} bytes, the limit for a lesson's files"
NOT_A_COMMAND_MSG = ("`{line}` is neither a kubectl line nor a simulator command (see "
                     "`help`)")


class Refused(DstutorError):
    """A path or command a lesson may not use; str() is the sentence to show."""


def _kind_of(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def resolve_inside(root: Path, ref: str | Path) -> Path:
    """The file `ref` (relative to `root`) names, symlinks resolved; Refused if it is
    absolute or ends up outside `root`."""
    text = str(ref)
    if not text.strip():
        raise Refused("an empty file name")
    if Path(text).is_absolute() or text.startswith("~"):
        raise Refused(ABSOLUTE_MSG.format(ref=text))
    try:
        base = root.resolve()
        target = (root / text).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        raise Refused(f"{text}: too many levels of symbolic links") from None
    if target == base or target.is_relative_to(base):
        return target
    lexical = Path(os.path.normpath(base / text))
    if lexical == base or lexical.is_relative_to(base):
        raise Refused(SYMLINK_MSG.format(ref=text))
    raise Refused(OUTSIDE_MSG.format(ref=text))


def check_inside(root: Path, ref: str) -> None:
    """As at load time: inside the folder, and a regular file if it exists at all
    (a missing file is reported by `lesson check` and when the lesson starts)."""
    target = resolve_inside(root, ref)
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        raise Refused(f"{ref} is {_kind_of(mode)}, not a regular file")
    size = os.stat(target).st_size
    if size > MAX_FILE_BYTES:
        raise Refused(TOO_LARGE_MSG.format(shown=ref, limit=MAX_FILE_BYTES))


def read_regular(path: str | Path, shown: str, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's text, at most `limit` bytes; Refused for anything else.

    Devices and FIFOs are refused before they are opened (opening a FIFO waits for a
    writer); the descriptor is checked again so a file swapped in between is caught too.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise Refused(f'the path "{shown}" does not exist') from None
    except OSError as exc:
        raise Refused(f"cannot read {shown}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        raise Refused(f"{shown} is {_kind_of(mode)}, not a regular file")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise Refused(f"cannot read {shown}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise Refused(f"{shown} is not a regular file")
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise Refused(TOO_LARGE_MSG.format(shown=shown, limit=limit))
    try:
        return yamlio.decode(data, shown)
    except DstutorError as exc:
        raise Refused(str(exc).removeprefix("error: ")) from None


def read_inside(root: Path, ref: str | Path) -> str:
    """A file a lesson names: confined to `root`, regular, bounded."""
    return read_regular(resolve_inside(root, ref), str(ref))


def reader(root: Path) -> Callable[[str | Path], str]:
    """`read_inside` for code that joins paths itself (a cluster file's manifests)."""
    base = root.resolve()

    def read(path: str | Path) -> str:
        p = Path(path)
        shown = str(p.relative_to(base)) if p.is_absolute() and p.is_relative_to(base) else str(p)
        if p.is_absolute():
            try:
                target = p.resolve()
            except (OSError, RuntimeError):
                raise Refused(f"{shown}: too many levels of symbolic links") from None
            if not target.is_relative_to(base):
                raise Refused(OUTSIDE_MSG.format(ref=shown))
            return read_regular(target, shown)
        return read_inside(base, p)

    return read


# --- command lines -----------------------------------------------------------------------

_ANSWER = re.compile(r"answer\s+[a-hA-H]\)?")
# kubectl output formats that read a template from a file
_FILE_FORMATS = re.compile(r"^(custom-columns-file|go-template-file|templatefile|template-file)=")


def _flag_value(words: list[str], i: int, names: tuple[str, ...]) -> str | None:
    """The value of a file flag at words[i] (`-f X`, `-f=X`, `-fX`, `--filename=X`)."""
    word = words[i]
    for name in names:
        if word == name:
            return words[i + 1] if i + 1 < len(words) else None
        if word.startswith(name + "="):
            return word[len(name) + 1:]
        if len(name) == 2 and word.startswith(name) and not word.startswith("--"):
            return word[2:]
    return None


_WORKSPACE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*$")
WORKSPACE_NAME_MSG = ("`{line}` names {value}: a lesson's files are plain names in its "
                      "workspace (like ds.yaml), without directories")
# Workspace commands a lesson line may use (the editors would only replay a journal).
_WORKSPACE_COMMANDS = ("cat", "ls")


def _workspace_name(value: str) -> bool:
    return bool(_WORKSPACE_NAME.match(value))


# --- what a kubectl line reads: one policy for lesson files and for grading's replay ------

@dataclass(frozen=True)
class FileUse:
    """Something a kubectl line would read from disk or start: `value` is the path."""

    flag: str  # "-f", "-k", "--patch-file", "-o", or "edit" for an editor
    value: str


_COMBINED_FILE_FLAG = re.compile(r"^-[A-Za-z]*[fk]")  # pflag shorthands: -Rf X, -fX, -Rk X


def _lexical_uses(words: list[str]) -> list[FileUse]:
    """File flags of a line kubectl's parser refuses: read conservatively, word by word
    (a combined shorthand like `-Rf` counts), so nothing is missed."""
    uses = []
    for i, word in enumerate(words):
        if word == "--":
            break
        if word == "edit" or word.startswith("--edit"):
            uses.append(FileUse("edit", ""))
        value = _flag_value(words, i, ("--filename", "--kustomize", "--patch-file"))
        if value is None and _COMBINED_FILE_FLAG.match(word) and not word.startswith("--"):
            letter = next(c for c in word[1:] if c in "fk")
            rest = word[word.index(letter, 1) + 1:].removeprefix("=")
            value = rest or (words[i + 1] if i + 1 < len(words) else "")
        if value is not None and value != "-":
            uses.append(FileUse("-f", value))
        output = _flag_value(words, i, ("-o", "--output"))
        if output is not None and _FILE_FORMATS.match(output):
            uses.append(FileUse("-o", output.split("=", 1)[1]))
    return uses


def kubectl_file_uses(line: str) -> list[FileUse]:
    """Every file a kubectl line would read, and whether it starts an editor.

    Uses kubectl's own parser, so whatever spelling pflag accepts (`-Rf X`, `-fX`,
    `--filename=X`, `-o go-template-file --template=X`) is seen as kubectl sees it; a line
    the parser refuses is scanned word by word instead.
    """
    from dstutor.kubectl.lexer import split_command
    from dstutor.kubectl.parser import parse_kubectl

    try:
        cmd = parse_kubectl(line)
    except DstutorError:
        try:
            return _lexical_uses(split_command(line).texts)
        except DstutorError:
            return []
    uses = [FileUse("-f", str(name)) for name in cmd.filenames if name != "-"]
    if cmd.flags.get("kustomize"):
        uses.append(FileUse("-k", str(cmd.flags["kustomize"])))
    if cmd.flags.get("patch-file"):
        uses.append(FileUse("--patch-file", str(cmd.flags["patch-file"])))
    output = str(cmd.flags.get("output") or "")
    fmt = cmd.output or ""
    if fmt.endswith("-file") or fmt == "templatefile":
        value = output.split("=", 1)[1] if "=" in output else str(cmd.flags.get("template"))
        uses.append(FileUse("-o", value))
    if cmd.verb == "edit" or "edit" in (cmd.subverb or "") or cmd.flags.get("edit") is True:
        uses.append(FileUse("edit", ""))
    return uses


def kubectl_refusal(line: str, may_read: Callable[[str], bool], *,
                    editor: bool) -> FileUse | None:
    """The first file use of a kubectl line that is not allowed, or None.

    `may_read` says which `-f`/`--patch-file` names are the workspace's; `-k` (a folder)
    and template files are never allowed, and an editor only where `editor` is true
    (grading replays the learner's edit journal; a lesson line may not open one).
    """
    for use in kubectl_file_uses(line):
        if use.flag == "edit":
            if not editor:
                return use
        elif use.flag in ("-f", "--patch-file") and may_read(use.value):
            continue
        else:
            return use
    return None


EDITOR_MSG = ("`{line}` opens an editor: a lesson line may only change the simulated "
              "cluster, so give the object with `kubectl apply -f -` and a heredoc")


def _kubectl_problem(first: str, line: str, written: frozenset[str]) -> str | None:
    use = kubectl_refusal(line, written.__contains__, editor=False)
    if use is None:
        return None
    if use.flag == "edit":
        return EDITOR_MSG.format(line=first)
    return FILE_READ_MSG.format(line=first, value=use.value)


def _operator(first: str) -> str:
    """The first shell operator outside quotes (a heredoc's `<<` is not one), or ""."""
    bare = re.sub(r"'[^']*'|\"(?:\\.|[^\"\\])*\"", "", first)
    bare = re.sub(r"<<-?\s*\S+", "", bare)
    found = re.search(r">>|[|;&<>()]", bare)
    return found.group() if found else ""


def written_files(lines: list[str]) -> frozenset[str]:
    """The workspace files these lesson lines write (`> NAME`, `cat > NAME <<EOF`)."""
    from dstutor.shell.pipeline import PipelineError, split_pipeline

    names = set()
    for line in lines:
        try:
            piped = split_pipeline(line.strip("\n"))
        except PipelineError:
            continue
        if piped.redirect is not None and _workspace_name(piped.target):
            names.add(piped.target)
    return frozenset(names)


def command_problem(line: str, *, solution: bool = False,
                    written: frozenset[str] = frozenset()) -> str | None:
    """Why a lesson may not contain this command line; None if it may.

    Allowed: kubectl lines without file flags (`-f NAME` only for a file in `written`,
    which the lesson itself writes into its workspace), simulator commands that touch no
    file, pipes into the text filters, redirects to a plain workspace name, and in a
    solution `answer X` for a quiz.
    """
    from dstutor.kubectl.lexer import split_command
    from dstutor.shell import meta

    first = line.split("\n", 1)[0].strip()
    if solution and _ANSWER.fullmatch(first):
        return None
    from dstutor.shell.pipeline import PipelineError, heredoc_cat, split_pipeline

    try:
        piped = split_pipeline(line.strip("\n"))
    except PipelineError:
        piped = None
    if piped is not None and not piped.plain:
        # Pipes into the text filters and redirects into the workspace are the shell's
        # own, confined; what runs before them is checked as a command of its own.
        if piped.redirect is not None and not _workspace_name(piped.target):
            return OPERATOR_MSG.format(line=first, op=piped.redirect)
        if heredoc_cat(piped.command) is not None:
            return None
        return command_problem(piped.command, solution=solution, written=written)
    try:
        words = split_command(line.strip("\n")).texts
    except ParseError as exc:
        op = _operator(first)
        if op:
            return OPERATOR_MSG.format(line=first, op=op)
        return f"`{first}`: {str(exc).removeprefix('error: ')}"
    if not words:
        return f"`{first}` is an empty command"
    if words[0] in ("kubectl", "k"):
        return _kubectl_problem(first, line.strip("\n"), written)
    command = meta.find_command(first)
    if command is None:
        return NOT_A_COMMAND_MSG.format(line=first)
    if command.name in _WORKSPACE_COMMANDS:
        bad = next((w for w in words[1:] if not _workspace_name(w)), None)
        return WORKSPACE_NAME_MSG.format(line=first, value=bad) if bad else None
    if meta.FILE in command.args:
        verb = "writes" if command.name == "save" else "reads"
        return FILE_COMMAND_MSG.format(line=first, verb=verb)
    for flag in command.flags:
        if flag.complete == meta.FILE and any(
                w == f"--{flag.name}" or w.startswith(f"--{flag.name}=") for w in words):
            return FILE_COMMAND_MSG.format(line=first, verb="reads" if flag.reads else "writes")
    return _workspace_reads(command, first, line, written)


def _workspace_reads(command: object, first: str, line: str,
                     written: frozenset[str]) -> str | None:
    """A simulator word's manifest flag (`plan -f ds.yaml`) may name only a workspace file
    the lesson writes itself, as kubectl's `-f` may."""
    from dstutor.shell import meta

    manifest_flags = [f for f in command.flags  # type: ignore[attr-defined]
                      if f.complete == meta.MANIFEST]
    if not manifest_flags:
        return None
    try:
        args = meta.parse_args(command, line.strip("\n"))  # type: ignore[arg-type]
    except DstutorError:
        return None  # the line fails when it runs, with the shell's own message
    for flag in manifest_flags:
        for value in args.flags.get(flag.name, []):
            if value not in written:
                return FILE_READ_MSG.format(line=first, value=value)
    return None

