"""Launching the learner's text editor, the one process dstutor starts.

kubectl edit opens a temporary file in $KUBE_EDITOR or $EDITOR (falling back to vi);
dstutor also honours $VISUAL, and falls back to vi, then nano. The editor runs
without a shell: its command words are split like shell words and the file path is
appended as the last argument, so nothing typed in the tutor reaches a shell.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from dstutor.errors import DstutorError

EDITOR_VARIABLES = ("KUBE_EDITOR", "VISUAL", "EDITOR")
FALLBACK_EDITORS = ("vi", "nano")
NO_EDITOR_MSG = ("error: no editor found: set EDITOR (e.g. export EDITOR=nano) or install vi "
                 "or nano")


def editor_command(env: dict[str, str] | None = None) -> list[str]:
    """The editor's command words, from the environment; DstutorError if there is none."""
    env = dict(os.environ) if env is None else env
    for name in EDITOR_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            try:
                words = shlex.split(value)
            except ValueError:
                raise DstutorError(f"error: ${name} is not a valid command: {value}") from None
            if words:
                return words
    for name in FALLBACK_EDITORS:
        if shutil.which(name):
            return [name]
    raise DstutorError(NO_EDITOR_MSG)


def open_file(path: Path, command: list[str] | None = None) -> None:
    """Run the editor on `path` and wait for it; DstutorError if it cannot run or fails."""
    words = command or editor_command()
    stdin = None if sys.stdin is not None and sys.stdin.isatty() else subprocess.DEVNULL
    try:
        done = subprocess.run([*words, str(path)], stdin=stdin, check=False)  # noqa: S603
    except OSError as exc:
        raise DstutorError(f'error: unable to launch the editor "{" ".join(words)}": '
                           f"{exc.strerror or exc}") from None
    if done.returncode != 0:
        raise DstutorError(f"error: there was a problem with the editor \"{' '.join(words)}\"")


class KeepingEditor:
    """A text editor that also says where to keep an edit kubectl could not save
    (`keep`, which `kubectl edit` looks for)."""

    def __init__(self, edit: Callable[[str], str], keep: Callable[[str], str]) -> None:
        self.edit = edit
        self.keep = keep

    def __call__(self, text: str) -> str:
        return self.edit(text)


def text_editor(suffix: str = ".yaml") -> Callable[[str], str]:
    """What `kubectl edit` calls: write the text to a temp file, edit it, read it back."""

    def edit(text: str) -> str:
        handle, name = tempfile.mkstemp(prefix="kubectl-edit-", suffix=suffix)
        path = Path(name)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            open_file(path)
            return path.read_bytes().decode("utf-8", errors="replace")
        finally:
            path.unlink(missing_ok=True)

    return KeepingEditor(edit, keep_copy)


def keep_copy(text: str, suffix: str = ".yaml") -> str:
    """Store an edit that could not be saved, as kubectl does; returns the file's path."""
    handle, name = tempfile.mkstemp(prefix="kubectl-edit-", suffix=suffix)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    return name
