"""How the lesson engine runs one learner line: through the shell's Session.

The shell owns the REPL language (kubectl lines, `node add`, `advance`, `map`, `why`), so
a lesson's line runs exactly as it would in `dstutor shell`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

from dstutor.kubectl.result import CommandResult
from dstutor.shell.session import Session
from dstutor.sim.cluster import Cluster

# Makes the shell Session a lesson's lines run in; the front end passes its own.
SessionFactory = Callable[[Cluster], Session]


class Executor(Protocol):
    @property
    def session(self) -> Session: ...

    @property
    def cluster(self) -> Cluster: ...

    @property
    def namespace(self) -> str: ...

    def run(self, line: str) -> CommandResult: ...


class SessionExecutor:
    """Lines go to the shell's Session; its cluster is read afresh each time (undo may swap it)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def cluster(self) -> Cluster:
        return self.session.cluster

    @property
    def namespace(self) -> str:
        """The kubeconfig context's namespace, which kubectl lines without -n use."""
        return self.session.namespace or "default"

    def run(self, line: str) -> CommandResult:
        """The shell's CommandResult, its text ending in a newline as a terminal shows it (the
        lesson's records and replies join texts one after another)."""
        out = self.session.handle_line(line)
        return dataclasses.replace(out, stdout=_nl(out.stdout), stderr=_nl(out.stderr))


def _nl(text: str) -> str:
    return text + "\n" if text and not text.endswith("\n") else text


def make_executor(cluster: Cluster, new_session: SessionFactory | None = None) -> Executor:
    """The shell's Session on `cluster`: the front end's own when it gives `new_session`
    (`lesson run --debug` makes sessions that show tracebacks), else a plain one."""
    return SessionExecutor(new_session(cluster) if new_session is not None else Session(cluster))
