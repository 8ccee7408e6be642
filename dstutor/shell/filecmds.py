"""`cat`, `ls` and `vi`/`nano`/`edit FILE`: the workspace files a learner edits and applies.

They act on the session's workspace only (see workspace.py). `vi`, `nano` and
`edit` all open the editor the environment names ($VISUAL/$EDITOR), falling back to the
program typed, so a lesson or a test can set EDITOR to a script.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from dstutor.errors import DstutorError
from dstutor.kubectl.result import CommandResult
from dstutor.shell.meta import FILE, Args, command
from dstutor.shell.workspace import Workspace
from dstutor.textsafe import visible

if TYPE_CHECKING:
    from dstutor.shell.session import Session


def workspace_of(session: Session) -> Workspace:
    found = getattr(session, "workspace", None)
    return found if isinstance(found, Workspace) else Workspace.at(Path.cwd())


@command("cat", "cat FILE...", "print workspace files", args=(FILE,) * 8, min_args=1,
         examples=("cat ds.yaml",))
def meta_cat(session: Session, args: Args) -> CommandResult:
    ws = workspace_of(session)
    # A workspace file may hold anything (a downloaded manifest): controls are shown.
    return CommandResult(stdout=visible("".join(ws.read(name) for name in args.positional)))


@command("ls", "ls [DIR]", "list the workspace's files", args=(FILE,),
         examples=("ls",))
def meta_ls(session: Session, args: Args) -> CommandResult:
    names = workspace_of(session).listing(args.positional[0] if args.positional else "")
    return CommandResult(stdout="".join(f"{n}\n" for n in names))


def _edit_file(session: Session, args: Args, program: str) -> CommandResult:
    from dstutor.shell import editor

    ws = workspace_of(session)
    path = ws.resolve(args.positional[0])
    if path.is_dir():
        raise DstutorError(f"error: {args.positional[0]} is a directory")
    file_editor = getattr(session, "file_editor", None)
    if file_editor is not None:  # a lesson: recorded, or replayed from its journal
        file_editor(path)
        return CommandResult()
    chosen = any(os.environ.get(name, "").strip() for name in editor.EDITOR_VARIABLES)
    if not chosen and program != "edit" and shutil.which(program):
        words = [program]
    else:
        words = editor.editor_command()
    editor.open_file(path, words)
    return CommandResult()


def _register_editor(program: str) -> None:
    @command(program, f"{program} FILE", "edit a workspace file in your editor ($EDITOR)",
             args=(FILE,), min_args=1, examples=(f"{program} ds.yaml",))
    def handler(session: Session, args: Args) -> CommandResult:
        return _edit_file(session, args, program)


for _program in ("vi", "nano", "edit"):
    _register_editor(_program)
