"""prompt_toolkit's view of suggest.complete: Tab completion for the REPL."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion, PathCompleter
from prompt_toolkit.document import Document

from dstutor.shell import suggest
from dstutor.shell.session import Session


class ShellCompleter(Completer):
    """Completes from the session's live cluster (it may be swapped by undo, reset, load)."""

    def __init__(self, session: Session | Callable[[], Session]) -> None:
        self._get = session if callable(session) else (lambda: session)
        # File names complete from the session's workspace (a lesson's scratch folder).
        self._paths = PathCompleter(expanduser=True, get_paths=self._workspace)

    def _workspace(self) -> list[str]:
        workspace = getattr(self._get(), "workspace", None)
        return [str(workspace.root)] if workspace is not None else ["."]

    def get_completions(self, document: Document, complete_event: CompleteEvent
                        ) -> Iterable[Completion]:
        session = self._get()
        with session.lock:  # shell --serve: kubectl's requests change the cluster too
            found = suggest.complete(document.text_before_cursor, session.cluster,
                                     session.namespace,
                                     [suggest.Candidate(w.name, w.summary)
                                      for w in session.extra_words])
        if found.path:
            yield from self._paths.get_completions(
                Document(found.word, len(found.word)), complete_event)
            return
        for cand in found.candidates:
            yield Completion(cand.text, start_position=-len(found.word),
                             display_meta=cand.meta or None)
