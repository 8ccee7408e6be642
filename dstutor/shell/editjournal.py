"""What the learner's editor produced, kept so a lesson's command log can be replayed.

A lesson rebuilds its cluster by replaying the learner's lines (on resume, for variants,
after `reset`). `kubectl edit` and `vi FILE` depend on what was typed in an editor, which
the line does not say; the journal keeps each result in order, in the lesson workspace,
so a replay gets the same results without opening an editor.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from dstutor.shell import editor as launcher

JOURNAL_NAME = ".dstutor-edits.json"
MAX_ENTRY_BYTES = 1_000_000

TextEditor = Callable[[str], str]
FileEditor = Callable[[Path], None]


class EditJournal:
    def __init__(self, folder: Path) -> None:
        self.path = folder / JOURNAL_NAME
        self.entries = self._load()
        self.position = 0  # how many editor calls this session has made

    def _load(self) -> list[str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        if not isinstance(data, list) or not all(isinstance(e, str) for e in data):
            return []
        return data

    def clear(self) -> None:
        self.entries = []
        self.position = 0
        self.path.unlink(missing_ok=True)

    def _next(self) -> str | None:
        entry = self.entries[self.position] if self.position < len(self.entries) else None
        self.position += 1
        return entry

    def _record(self, text: str) -> None:
        del self.entries[self.position:]
        self.entries.append(text[:MAX_ENTRY_BYTES])
        self.position += 1
        self.path.write_text(json.dumps(self.entries), encoding="utf-8")

    # --- replaying: never opens an editor ----------------------------------------------

    def replay_text(self, text: str) -> str:
        entry = self._next()
        return text if entry is None else entry

    def replay_file(self, path: Path) -> None:
        entry = self._next()
        if entry is not None:
            path.write_text(entry, encoding="utf-8")

    # --- recording: the learner's editor, then the result is kept ------------------------

    def recorder(self) -> tuple[TextEditor, FileEditor]:
        edit_text = launcher.text_editor()

        def text_editor(text: str) -> str:
            result = edit_text(text)
            self._record(result)
            return result

        def file_editor(path: Path) -> None:
            launcher.open_file(path)
            self._record(path.read_text(encoding="utf-8", errors="replace")
                         if path.exists() else "")

        return launcher.KeepingEditor(text_editor, launcher.keep_copy), file_editor
