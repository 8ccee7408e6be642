"""The API server's verbs on the live simulator, one request at a time under one lock.

Handlers return a Reply with the encoded body; objects are encoded while the lock is
held (the simulator edits stored objects in place), and only watches stream afterwards,
from private copies (watch.py).
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dstutor.errors import ApiError, DstutorError, NotFound
from dstutor.model.objects import Obj, clone
from dstutor.render.columns import build_table
from dstutor.serve import discovery, logs, timeshift, writes
from dstutor.serve.encode import dumps
from dstutor.serve.managed import Ownership
from dstutor.serve.outside import OutsideLog
from dstutor.serve.routes import Target, resource_target, split
from dstutor.serve.select import matcher, selection
from dstutor.serve.status import StatusError, from_api_error, not_found_path
from dstutor.serve.watch import Change, WatchHub
from dstutor.sim.cluster import Cluster

JSON = "application/json"
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
BOOKMARK_EVERY = 5.0  # seconds between bookmarks on a quiet watch that allows them
WATCH_TIMEOUT = 1800.0
EMPTY_LISTS = {"resourcequotas": "ResourceQuotaList", "limitranges": "LimitRangeList"}


@dataclass
class Request:
    method: str
    path: str
    accept: str = ""
    content_type: str = ""
    body: bytes = b""
    command: str = ""  # Kubectl-Command: "kubectl get"
    session: str = ""  # Kubectl-Session: one id per kubectl invocation


@dataclass
class Reply:
    code: int
    body: bytes = b""
    content_type: str = JSON
    stream: Iterator[bytes] | None = None
    warnings: list[str] = field(default_factory=list)


def status_reply(exc: StatusError) -> Reply:
    return Reply(exc.code, dumps(exc.status()))


class Backend:
    """The simulator behind the HTTP server; `cluster_of` names the current cluster
    (the shell may replace it: reset, load, undo)."""

    def __init__(self, cluster_of: Callable[[], Cluster],
                 lock: threading.RLock | None = None, *, wall_clock: bool = False) -> None:
        self.cluster_of = cluster_of
        # wall_clock: the cluster's clock is not wall time (a lesson's); map it on the wire.
        self.wall_clock = wall_clock
        self.lock = lock or threading.RLock()
        self.hub = WatchHub()
        self.owners = Ownership()
        self.outside = OutsideLog()
        self._attached: Cluster | None = None
        with self.lock:
            self.cluster()

    def cluster(self) -> Cluster:
        """The current cluster (call with the lock held); re-attaches watches if replaced."""
        cluster = self.cluster_of()
        if cluster is not self._attached:
            if self._attached is not None:
                self.hub.detach(self._attached.store)
            self.hub.attach(cluster.store)
            self._attached = cluster
        return cluster

    def tick(self) -> None:
        """Let a live clock's due work run, so watches see changes without a request."""
        with self.lock:
            cluster = self.cluster()
            if cluster.clock.mode == "live":
                cluster.settle()

    # --- dispatch ---------------------------------------------------------------------

    def offset(self) -> int:
        """Seconds from the cluster's virtual time to wall time (0 unless wall_clock)."""
        if not self.wall_clock:
            return 0
        # Floor: kubectl's clock then reads virtual now plus under a second, and its
        # truncating age printer shows the tutor's age.
        return math.floor(time.time() - self._now())

    def handle(self, req: Request) -> Reply:
        seconds = self.offset()
        if not seconds:
            return self._handle(req)
        if req.body and req.content_type.split(";", 1)[0].strip().endswith("json"):
            req.body = timeshift.shift_json(req.body, -seconds)
        reply = self._handle(req)
        if reply.content_type.startswith("application/json"):
            reply.body = timeshift.shift_json(reply.body, seconds)
            if reply.stream is not None:
                reply.stream = timeshift.shift_stream(reply.stream, self.offset)
        return reply

    def _handle(self, req: Request) -> Reply:
        if not req.command:
            return self._dispatch(req)
        before = self._version()
        reply = self._dispatch(req)
        self._note(req, reply, self._version() != before)
        return reply

    def _version(self) -> int:
        with self.lock:
            return self.cluster().store.resource_version()

    def _note(self, req: Request, reply: Reply, changed: bool) -> None:
        parts, query = split(req.path)
        try:
            target = resource_target(parts) if parts[:1] in (["api"], ["apis"]) else None
        except StatusError:
            target = None
        self.outside.note(req.command, req.session, req.method, target, query, req.body,
                          req.content_type, reply.code, reply.body, changed)

    def _dispatch(self, req: Request) -> Reply:
        try:
            return self._route(req)
        except StatusError as exc:
            return status_reply(exc)
        except ApiError as exc:
            return status_reply(from_api_error(exc))
        except DstutorError as exc:
            return status_reply(StatusError(400, "BadRequest", str(exc)))
        except Exception as exc:  # the server never dies of one request
            print(f"dstutor serve: internal error on {req.method} {req.path}: "
                  f"{type(exc).__name__}: {exc}", file=sys.stderr)
            return status_reply(StatusError(500, "InternalError",
                                            f"Internal error occurred: {exc}"))

    def _route(self, req: Request) -> Reply:
        parts, query = split(req.path)
        if req.method == "GET" or req.method == "HEAD":
            doc = self._static(parts, req.accept)
            if doc is not None:
                return doc
        if parts[:1] not in (["api"], ["apis"]):
            raise not_found_path()
        if parts[:6] == ["apis", "coordination.k8s.io", "v1", "namespaces", "kube-node-lease",
                         "leases"] and len(parts) == 7 and req.method == "GET":
            return self._lease(parts[6])
        if (req.method == "GET" and len(parts) == 5 and parts[:3] == ["api", "v1", "namespaces"]
                and parts[4] in EMPTY_LISTS):
            # describe ns lists these; the simulator has none of them.
            return Reply(200, dumps({"kind": EMPTY_LISTS[parts[4]], "apiVersion": "v1",
                                     "metadata": {"resourceVersion": "1"}, "items": []}))
        target = resource_target(parts)
        method = req.method
        if method == "GET":
            if target.sub == "log":
                return self._log(target, query)
            if target.name:
                return self._get(target, req.accept)
            if query.get("watch") in ("true", "1"):
                return self._watch(target, query, req.accept)
            return self._list(target, query, req.accept)
        with self.lock:
            cluster = self.cluster()
            cluster.settle()
            done = writes.write(cluster, method, target, query, req.content_type, req.body,
                                self.owners)
            return Reply(done.code, done.body, warnings=done.warnings)

    def _static(self, parts: list[str], accept: str) -> Reply | None:
        doc: Any = None
        ctype = JSON
        if parts == ["version"]:
            doc = discovery.VERSION_INFO
        elif parts in (["api"], ["apis"]):
            if discovery.wants_aggregated(accept):
                doc, ctype = discovery.aggregated(parts == ["api"]), discovery.AGGREGATED_TYPE
            else:
                doc = discovery.api_versions() if parts == ["api"] else discovery.api_group_list()
        elif parts == ["api", "v1"]:
            doc = discovery.resource_list("", "v1")
        elif parts[:1] == ["apis"] and len(parts) == 3:
            doc = discovery.resource_list(parts[1], parts[2])
            if doc is None:
                raise not_found_path()
        elif parts[:1] == ["apis"] and len(parts) == 2 and parts[1] in discovery.groups():
            gv = {"groupVersion": f"{parts[1]}/v1", "version": "v1"}
            doc = {"kind": "APIGroup", "apiVersion": "v1", "name": parts[1],
                   "versions": [gv], "preferredVersion": gv}
        elif parts == ["openapi", "v3"]:
            doc = discovery.openapi_root()
        elif parts[:2] == ["openapi", "v3"]:
            doc = discovery.openapi_group("/".join(parts[2:]))
            if doc is None:
                raise not_found_path()
        elif parts in (["healthz"], ["livez"], ["readyz"]):
            return Reply(200, b"ok", "text/plain; charset=utf-8")
        elif parts == []:
            doc = {"paths": ["/api", "/api/v1", "/apis", "/openapi/v3", "/version",
                             *[f"/apis/{g}/v1" for g in discovery.groups()]]}
        if doc is None:
            return None
        return Reply(200, dumps(doc), ctype)

    # --- reads ------------------------------------------------------------------------

    def _lease(self, name: str) -> Reply:
        """A node's heartbeat Lease, as describe node reads it (kept by no controller here:
        made from the Ready condition's heartbeat, as the REPL's describe shows it)."""
        with self.lock:
            cluster = self.cluster()
            cluster.settle()
            node = cluster.find("Node", "", name)
            if node is None:
                raise from_api_error(NotFound(f'leases.coordination.k8s.io "{name}" not found'),
                                     resource="leases", group="coordination.k8s.io", name=name)
            ready: Obj = next((c for c in node.get("status", {}).get("conditions") or []
                          if c.get("type") == "Ready"), {})
            renew = ready.get("lastHeartbeatTime")
            spec: Obj = {"holderIdentity": name}
            if renew:
                spec["renewTime"] = renew.replace("Z", ".000000Z")
            lease = {"kind": "Lease", "apiVersion": "coordination.k8s.io/v1",
                     "metadata": {"name": name, "namespace": "kube-node-lease",
                                  "ownerReferences": [{"apiVersion": "v1", "kind": "Node",
                                                       "name": name,
                                                       "uid": node["metadata"]["uid"]}]},
                     "spec": spec}
            return Reply(200, dumps(lease))

    def _get(self, t: Target, accept: str) -> Reply:
        with self.lock:
            cluster = self.cluster()
            cluster.settle()
            obj = writes.live(cluster, t)
            if t.sub == "scale":
                return Reply(200, dumps(writes.scale_of(obj)))
            if "as=Table" in accept:
                table = build_table(t.rt.kind, [obj], cluster.now())
                table["metadata"] = {"resourceVersion": obj["metadata"].get("resourceVersion",
                                                                            "")}
                return Reply(200, dumps(table))
            return Reply(200, dumps(obj))

    def _log(self, t: Target, query: dict[str, str]) -> Reply:
        text = "text/plain"
        with self.lock:
            cluster = self.cluster()
            cluster.settle()
            pod = clone(writes.live(cluster, t))
            found, body = logs.lines(pod, query, cluster.now())
        if query.get("follow") != "true":
            return Reply(200, body, text)
        last = found[-1][0] if found else None
        hub = self.hub

        def follow() -> Iterator[bytes]:
            nonlocal last
            if body:
                yield body
            deadline = time.monotonic() + WATCH_TIMEOUT
            while not hub.closing and time.monotonic() < deadline:
                time.sleep(0.25)
                with self.lock:
                    cluster = self.cluster()
                    current = cluster.find("Pod", t.namespace or "", t.name)
                    if current is None:
                        return
                    try:
                        more, chunk = logs.lines(clone(current), query, cluster.now(), last)
                    except StatusError:
                        return
                if more:
                    last = more[-1][0]
                    yield chunk

        return Reply(200, content_type=text, stream=follow())

    def _list(self, t: Target, query: dict[str, str], accept: str) -> Reply:
        chosen = selection(t.rt, query)
        selected = bool(query.get("labelSelector") or query.get("fieldSelector"))
        with self.lock:
            cluster = self.cluster()
            cluster.settle()
            if t.rt.kind == "Event" and selected:  # (records judged as kept: see there)
                items = cluster.store.list_events_where(t.namespace, *chosen)
            elif t.rt.kind == "Event":  # (encoded before the lock is let go: not kept)
                items = cluster.store.events_as_read(t.namespace)
            else:
                items = [o for o in cluster.store.list(t.rt.kind, t.namespace)
                         if chosen.matches(o)]
            rv = str(cluster.store.resource_version())
            if "as=Table" in accept:
                include = query.get("includeObject", "Metadata") or "Metadata"
                table = build_table(t.rt.kind, items, cluster.now(), include_object=include)
                table["metadata"] = {"resourceVersion": rv}
                return Reply(200, dumps(table))
            return Reply(200, dumps({"kind": f"{t.rt.kind}List", "apiVersion": t.rt.api_version,
                                     "metadata": {"resourceVersion": rv}, "items": items}))

    # --- watch ------------------------------------------------------------------------

    def _watch(self, t: Target, query: dict[str, str], accept: str) -> Reply:
        base = matcher(t.rt, query)
        namespace = t.namespace

        def matches(obj: Obj) -> bool:
            if namespace is not None and obj["metadata"].get("namespace") != namespace:
                return False
            if t.name and obj["metadata"].get("name") != t.name:
                return False
            return base(obj)

        send_initial = query.get("sendInitialEvents") == "true"
        rv_text = query.get("resourceVersion", "")
        try:
            timeout = min(float(query.get("timeoutSeconds") or WATCH_TIMEOUT), WATCH_TIMEOUT)
        except ValueError:
            raise StatusError(400, "BadRequest", "invalid timeoutSeconds") from None
        expired: StatusError | None = None
        with self.lock:
            cluster = self.cluster()
            cluster.settle()
            current = cluster.store.resource_version()
            initial: list[Change] = []
            backlog: list[Change] = []
            if send_initial or rv_text in ("", "0"):
                initial = [Change(current, "ADDED", t.rt.kind, clone(o))
                           for o in cluster.store.list(t.rt.kind, namespace) if matches(o)]
            else:
                try:
                    rv = int(rv_text)
                except ValueError:
                    raise StatusError(400, "BadRequest",
                                      f'resourceVersion: Invalid value: "{rv_text}": '
                                      "must be a non-negative integer") from None
                found = self.hub.since(rv)
                if found is None:
                    expired = StatusError(410, "Expired", f"too old resource version: {rv} "
                                                          f"({self.hub.oldest + 1})")
                else:
                    backlog = found
            watcher = self.hub.register(t.rt.kind, matches, backlog)
        as_table = "as=Table" in accept
        bookmarks = query.get("allowWatchBookmarks") == "true"
        hub = self.hub

        def event(change: Change, kind: str | None = None) -> bytes:
            obj: Any = change.obj
            if as_table:
                obj = build_table(change.kind, [obj], self._now())
                obj["metadata"] = {"resourceVersion": str(change.rv)}
            return dumps({"type": kind or change.type, "object": obj}) + b"\n"

        def bookmark(rv: int, end: bool) -> bytes:
            meta: Obj = {"resourceVersion": str(rv)}
            if end:
                meta["annotations"] = {INITIAL_EVENTS_END: "true"}
            return dumps({"type": "BOOKMARK", "object": {
                "kind": t.rt.kind, "apiVersion": t.rt.api_version, "metadata": meta}}) + b"\n"

        def stream() -> Iterator[bytes]:
            try:
                if expired is not None:
                    yield dumps({"type": "ERROR", "object": expired.status()}) + b"\n"
                    return
                for change in initial:
                    yield event(change)
                if send_initial:
                    yield bookmark(current, True)
                deadline = time.monotonic() + timeout
                quiet_since = time.monotonic()
                while not hub.closing and not watcher.closed and time.monotonic() < deadline:
                    changes = watcher.take(0.25)
                    if watcher.overflowed:
                        return
                    seen = ((c, c.seen_by(matches)) for c in changes)
                    chunk = b"".join(event(c, kind) for c, kind in seen if kind)
                    if chunk:
                        quiet_since = time.monotonic()
                        yield chunk
                    elif bookmarks and time.monotonic() - quiet_since > BOOKMARK_EVERY:
                        quiet_since = time.monotonic()
                        yield bookmark(hub.current_rv(), False)
            finally:
                hub.unregister(watcher)

        return Reply(200, stream=stream())

    def _now(self) -> float:
        attached = self._attached
        return attached.now() if attached is not None else 0.0
