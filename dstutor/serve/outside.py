"""The kubectl commands that reached the server, as lines a lesson's `command_run` check
can read ("commands run from outside").

kubectl sends `Kubectl-Command: kubectl get` and `Kubectl-Session: <id>` on every request
of one invocation. The server cannot see the line typed, only what the requests say:
verb, resource, namespace, name, and the flags that change a request (all namespaces,
watch, selectors, cascade, server-side apply, server dry run). That is rebuilt into a
kubectl line, so a check by verb/resource/name/flags matches it as it would match the
typed line; a check on the exact text (`pattern`) may not (lessons say so at the step).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from dstutor.serve.routes import Target

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Verbs whose first GET of a named object may fail as part of their normal work.
PROBING = {"apply", "create", "delete", "replace", "debug", "run"}
MAX_KEPT = 200


@dataclass
class Outside:
    """One kubectl invocation as the server saw it."""

    session: str
    verb: str  # "get", "rollout status", ...
    words: list[str] = field(default_factory=list)  # resource, name
    flags: list[str] = field(default_factory=list)
    failed: bool = False
    wrote: bool = False
    changed: bool = False  # a write changed the cluster
    found: int | None = None  # objects the first read returned (None: not known)
    namespace: str = "default"

    # The tutor cannot see what kubectl printed; what it says in its place: a read that
    # found nothing says kubectl's "No resources found", one that found objects says so.
    @property
    def stdout(self) -> str:
        return "(shown by your own kubectl)\n" if self.found else ""

    @property
    def stderr(self) -> str:
        if self.found == 0:
            where = "" if self.namespace == "*" else f" in {self.namespace} namespace"
            return f"No resources found{where}.\n"
        return ""

    @property
    def line(self) -> str:
        return " ".join(["kubectl", self.verb, *self.words, *self.flags])

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def _flags(method: str, t: Target, query: dict[str, str], body: bytes, ctype: str,
           verb: str) -> list[str]:
    flags: list[str] = []
    if t.rt.namespaced and t.namespace is None and method == "GET":
        flags.append("-A")
    elif t.namespace not in (None, "default"):
        flags += ["-n", t.namespace or ""]
    if query.get("watch") in ("true", "1") and verb == "get":
        flags.append("-w")
    if query.get("labelSelector") and verb in ("get", "delete", "describe", "logs", "label",
                                               "annotate"):
        flags += ["-l", query["labelSelector"]]
    if query.get("fieldSelector") and verb in ("get", "delete"):
        flags += ["--field-selector", query["fieldSelector"]]
    if query.get("dryRun") == "All":
        flags.append("--dry-run=server")
    if ctype.startswith("application/apply-patch"):
        flags.append("--server-side")
    if method == "DELETE":
        try:
            opts = json.loads(body) if body.strip() else {}
        except ValueError:
            opts = {}
        policy = (opts.get("propagationPolicy") if isinstance(opts, dict) else None) or \
            query.get("propagationPolicy")
        if policy in ("Orphan", "Foreground"):
            flags.append(f"--cascade={policy.lower()}")
    return flags


def _words(verb: str, t: Target, reply: bytes) -> list[str]:
    """What names the target on the rebuilt line."""
    if verb in ("apply", "create", "replace"):
        # From a file: the line says which object, as a file name would.
        return ["-f", f"{t.rt.plural}/{t.name}" if t.name else t.rt.plural]
    if len(verb.split()) > 1 and verb.split()[0] == "create":
        # create deployment NAME: the created object's name is in the reply.
        try:
            name = json.loads(reply)["metadata"]["name"]
        except (ValueError, KeyError, TypeError):
            name = ""
        return [str(name)] if name else []
    if verb in ("drain", "cordon", "uncordon"):
        return [t.name] if t.name else []
    return [t.rt.plural] + ([t.name] if t.name else [])


def _count(reply: bytes, t: Target) -> int | None:
    """How many objects a read returned (a Table's rows, a list's items, one object)."""
    doc = _load(reply)
    if not doc:
        return None
    if t.name:
        return 1
    rows = doc.get("rows") if doc.get("kind") == "Table" else doc.get("items")
    return len(rows) if isinstance(rows, list) else None


def _load(data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data) if data.strip() else {}
    except (ValueError, UnicodeDecodeError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _args(verb: str, body: bytes, reply: bytes) -> list[str]:
    """The arguments a write's body tells (label k=v, scale --replicas, set image c=i)."""
    doc = _load(body)
    if verb in ("label", "annotate"):
        key = "labels" if verb == "label" else "annotations"
        found = (doc.get("metadata") or {}).get(key) or {}
        return [f"{k}-" if v is None else f"{k}={v}" for k, v in found.items()]
    if verb == "scale":
        replicas = (doc.get("spec") or {}).get("replicas")
        return [f"--replicas={replicas}"] if isinstance(replicas, int) else []
    if verb == "set image":
        pod = ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}
        return [f"{c['name']}={c['image']}" for c in pod.get("containers") or []
                if isinstance(c, dict) and "name" in c and "image" in c]
    if verb == "create deployment":
        pod = ((_load(reply).get("spec") or {}).get("template") or {}).get("spec") or {}
        return [f"--image={c['image']}" for c in pod.get("containers") or []
                if isinstance(c, dict) and "image" in c]
    return []


class OutsideLog:
    """What outside kubectl commands did, collected per Kubectl-Session, taken by the
    lesson runner with take()."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: dict[str, Outside] = {}
        self._order: list[str] = []
        self._taken = 0

    def note(self, command: str, session: str, method: str, t: Target | None,
             query: dict[str, str], body: bytes, ctype: str, code: int,
             reply: bytes = b"", changed: bool = False) -> None:
        verb = command.removeprefix("kubectl").strip()
        if not verb or not session or t is None:
            return
        if verb in ("api-resources", "version", "explain"):
            return
        ctype = ctype.split(";", 1)[0].strip().lower()
        with self._lock:
            rec = self._open.get(session)
            if rec is None:
                rec = Outside(session, verb)
                rec.words = _words(verb, t, reply)
                rec.flags = _flags(method, t, query, body, ctype, verb.split()[0])
                rec.namespace = ("*" if t.namespace is None and t.rt.namespaced
                                 else t.namespace or "default")
                if method == "GET" and code < 400:
                    rec.found = _count(reply, t)
                self._open[session] = rec
                self._order.append(session)
                if len(self._order) > MAX_KEPT:
                    old = self._order.pop(0)
                    self._open.pop(old, None)
                    self._taken = max(self._taken - 1, 0)
            rec.changed = rec.changed or (method in WRITES and changed and code < 400)
            if method in WRITES and not rec.wrote:
                rec.wrote = True
                rec.words += _args(verb, body, reply)
                for flag in _flags(method, t, query, body, ctype, verb.split()[0]):
                    if flag not in rec.flags and flag.startswith("--"):
                        rec.flags.append(flag)
            if code >= 400:
                probing = verb.split()[0] in PROBING and method == "GET"
                if method in WRITES or not probing:
                    rec.failed = True

    def take(self) -> list[Outside]:
        """The commands seen since the last take (a command still running is included
        when its first request arrived)."""
        with self._lock:
            new = [self._open[s] for s in self._order[self._taken:] if s in self._open]
            self._taken = len(self._order)
            return new
