"""The learner's workspace: the one folder `>`, `cat`, `ls` and `vi FILE` may touch.

In `dstutor shell` it is the current directory; in a lesson, a scratch folder of that
lesson. A path that leads outside it (`..`, an absolute path elsewhere, a symlink out)
is refused, so a line typed in the tutor can never write over the learner's files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dstutor.errors import DstutorError

MAX_FILE_BYTES = 1_000_000
OUTSIDE_MSG = "error: {name}: outside the workspace {root}; dstutor reads and writes files only there"


class WorkspaceError(DstutorError):
    """A refused file operation; str() is the one line the user sees."""


@dataclass(frozen=True)
class Workspace:
    root: Path

    @classmethod
    def at(cls, root: Path | str) -> Workspace:
        path = Path(root)
        path.mkdir(parents=True, exist_ok=True)
        return cls(path.resolve())

    def resolve(self, name: str) -> Path:
        """`name` inside the workspace, or WorkspaceError."""
        if not name:
            raise WorkspaceError("error: a file name is required")
        path = (self.root / os.path.expanduser(name)).resolve()
        if path != self.root and self.root not in path.parents:
            raise WorkspaceError(OUTSIDE_MSG.format(name=name, root=self.root))
        return path

    def read(self, name: str, command: str = "cat") -> str:
        path = self.resolve(name)
        if path.is_dir():
            raise WorkspaceError(f"{command}: {name}: Is a directory")
        if not path.exists():
            raise WorkspaceError(f"{command}: {name}: No such file or directory")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise WorkspaceError(f"{command}: {name}: larger than {MAX_FILE_BYTES} bytes")
        return path.read_bytes().decode("utf-8", errors="replace")

    def write(self, name: str, text: str, *, append: bool = False) -> None:
        path = self.resolve(name)
        if path.is_dir():
            raise WorkspaceError(f"dstutor: {name}: Is a directory")
        if not path.parent.is_dir():
            raise WorkspaceError(f"dstutor: {name}: No such file or directory")
        with path.open("a" if append else "w", encoding="utf-8") as handle:
            handle.write(text)

    def listing(self, name: str = "") -> list[str]:
        path = self.resolve(name) if name else self.root
        if not path.exists():
            raise WorkspaceError(f"ls: cannot access '{name}': No such file or directory")
        if not path.is_dir():
            return [name]
        return sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir()
                      if not p.name.startswith("."))

    def names(self) -> list[str]:
        """Files for Tab completion (top level only, no hidden files)."""
        try:
            return self.listing()
        except (OSError, WorkspaceError):
            return []
