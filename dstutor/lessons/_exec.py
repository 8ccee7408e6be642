"""How the lesson engine runs one learner line: through the shell's Session when it exists.

The shell owns the REPL language (kubectl lines, `node add`, `advance`, `map`, `why`).
Until it is importable, a small stand-in runs kubectl lines and the node/time commands
so lessons can still be checked; it is not a second shell.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from dstutor.errors import DstutorError
from dstutor.sim.cluster import Cluster


@dataclass(frozen=True)
class LineResult:
    stdout: str
    stderr: str
    exit_code: int
    hint: str | None = None
    changed: bool = False
    # kubectl's writes in order, (1 stdout | 2 stderr, text); () = stdout, then stderr.
    interleaved: tuple[tuple[int, str], ...] = ()


# Makes the shell Session a lesson's lines run in; the front end passes its own.
SessionFactory = Callable[[Cluster], Any]


class Executor(Protocol):
    @property
    def cluster(self) -> Cluster: ...

    @property
    def namespace(self) -> str: ...

    def run(self, line: str) -> LineResult: ...


class SessionExecutor:
    """Lines go to the shell's Session; its cluster is read afresh each time (undo may swap it)."""

    def __init__(self, session: Any) -> None:
        self.session = session

    @property
    def cluster(self) -> Cluster:
        return self.session.cluster

    @property
    def namespace(self) -> str:
        """The kubeconfig context's namespace, which kubectl lines without -n use."""
        return str(getattr(self.session, "namespace", "default") or "default")

    def run(self, line: str) -> LineResult:
        out = self.session.handle_line(line)
        return LineResult(_nl(getattr(out, "stdout", "") or ""),
                          _nl(getattr(out, "stderr", "") or ""),
                          int(getattr(out, "exit_code", 0) or 0), getattr(out, "hint", None),
                          bool(getattr(out, "changed", False)),
                          tuple(getattr(out, "interleaved", ()) or ()))


def _nl(text: str) -> str:
    return text + "\n" if text and not text.endswith("\n") else text


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)?$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str) -> float:
    total, rest = 0.0, text
    for part in re.findall(r"\d+(?:\.\d+)?(?:ms|s|m|h)?", text):
        m = _DURATION.match(part)
        assert m is not None
        total += float(m.group(1)) * _UNITS[m.group(2)]
        rest = rest.replace(part, "", 1)
    if rest or not text:
        raise DstutorError(f'error: invalid duration "{text}"')
    return total


class BasicExecutor:
    """Stand-in for the shell: kubectl lines, `advance`, `node add/remove/fail/recover`."""

    def __init__(self, cluster: Cluster) -> None:
        self._cluster = cluster

    @property
    def cluster(self) -> Cluster:
        return self._cluster

    @property
    def namespace(self) -> str:
        return "default"

    def run(self, line: str) -> LineResult:
        words = line.split("\n", 1)[0].split()
        if not words:
            return LineResult("", "", 0)
        if words[0] in ("kubectl", "k"):
            from dstutor.kubectl.dispatch import run

            r = run(self._cluster, line)
            return LineResult(r.stdout, r.stderr, r.exit_code, r.hint, r.changed,
                              r.interleaved)
        try:
            return self._simulator(shlex.split(line))
        except (DstutorError, ValueError) as exc:
            return LineResult("", f"{exc}\n", 1)

    def _simulator(self, words: list[str]) -> LineResult:
        c = self._cluster
        if words[0] == "advance":
            used = c.advance(parse_duration(words[1]) if len(words) > 1 else None)
            return LineResult(f"advanced {used:g}s\n", "", 0, changed=True)
        if words[0] == "node" and len(words) >= 3:
            action, name = words[1], words[2]
            if action == "add":
                labels: dict[str, str] = {}
                taints: list[dict[str, str]] = []
                roles: list[str] = []
                rest = words[3:]
                for flag, value in zip(rest[::2], rest[1::2], strict=False):
                    if flag == "--label":
                        k, _, v = value.partition("=")
                        labels[k] = v
                    elif flag == "--taint":
                        from dstutor.model.taints import parse_taint_args

                        taints += parse_taint_args([value])[0]
                    elif flag == "--role":
                        roles.append(value)
                c.add_node(name, labels=labels, taints=taints, roles=roles)
                return LineResult(f"node/{name} joined\n", "", 0, changed=True)
            actions = {"remove": (c.remove_node, "removed"), "fail": (c.fail_node, "failed"),
                       "recover": (c.recover_node, "recovered")}
            if action in actions:
                func, done = actions[action]
                func(name)
                return LineResult(f"node/{name} {done}\n", "", 0, changed=True)
        return LineResult("", f"error: unknown command {words[0]!r}\n", 1)


def make_executor(cluster: Cluster, new_session: SessionFactory | None = None) -> Executor:
    """The shell's Session on `cluster`: the front end's own when it gives `new_session`
    (`lesson run --debug` makes sessions that show tracebacks), else a plain one."""
    if new_session is not None:
        return SessionExecutor(new_session(cluster))
    try:
        from dstutor.shell.session import Session
    except ImportError:
        return BasicExecutor(cluster)
    try:
        return SessionExecutor(Session(cluster))
    except TypeError:
        return BasicExecutor(cluster)
