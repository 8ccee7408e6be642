"""The render tests' static oracle server, extended with writes, for mutating verbs.

PATCH and PUT answer with the object unchanged (kubectl words its messages from its own
computation, not from the reply); DELETE and pod eviction remove the object, so that
kubectl's wait loops finish. Only tests use this.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from dstutor.render._gofmt import json_dumps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from render_oracle import (  # noqa: E402
    RESOURCES,
    Oracle,
    _resource_list,
    hold_watch,
    kubectl_path,
)

__all__ = ["WritableOracle", "kubectl_path"]

EVICTION = {"name": "pods/eviction", "singularName": "", "namespaced": True, "group": "policy",
            "version": "v1", "kind": "Eviction", "verbs": ["create"]}


class WritableOracle(Oracle):
    def __enter__(self) -> WritableOracle:
        oracle = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # see render_oracle.Oracle

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                # Go's compact encoding, as a real API server sends it: kubectl compares
                # ControllerRevision data byte for byte in `rollout undo`.
                data = json_dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                length = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(length) if length else b""

            def do_GET(self) -> None:  # noqa: N802 - http.server naming
                if hold_watch(self):
                    return
                if urllib.parse.urlsplit(self.path).path == "/api/v1":
                    listing = _resource_list("", "v1")
                    listing["resources"].append(EVICTION)
                    self._send(200, listing)
                    return
                self._send(*oracle._handle(self.path, self.headers.get("Accept", "")))

            def _write(self) -> None:
                body = self._body()
                self._send(*oracle.write(self.command, self.path, body))

            do_PATCH = do_PUT = do_DELETE = do_POST = _write  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                         daemon=True).start()
        port = self._server.server_address[1]
        with open(os.path.join(self._dir, "kubeconfig"), "w") as fh:
            fh.write(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: o\n  cluster:\n"
                f"    server: http://127.0.0.1:{port}\nusers:\n- name: o\n  user:\n"
                "    token: o\ncontexts:\n- name: o\n  context:\n    cluster: o\n"
                "    user: o\n    namespace: default\ncurrent-context: o\n")
        self._seed_discovery()
        return self

    def write(self, method: str, raw_path: str, body: bytes = b"") -> tuple[int, dict[str, Any]]:
        parts = [p for p in urllib.parse.urlsplit(raw_path).path.split("/") if p]
        group, rest = ("", parts[2:]) if parts[:1] == ["api"] else (parts[1], parts[3:])
        namespace = None
        if rest[:1] == ["namespaces"] and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        kinds = [r for r in RESOURCES if r[0] == group and rest and r[2] == rest[0]]
        if kinds and method == "POST" and len(rest) == 1:
            created = json.loads(body)
            if namespace is not None:
                created["metadata"]["namespace"] = namespace
            self.objects.append(created)
            return 201, created
        if not kinds or len(rest) < 2:
            return 405, self._status(405, "MethodNotAllowed", "not supported by the oracle")
        plural, kind = kinds[0][2], kinds[0][3]
        found = [o for o in self.objects if o.get("kind") == kind
                 and o["metadata"]["name"] == rest[1]
                 and (namespace is None or o["metadata"].get("namespace") == namespace)]
        if not found:
            res = f"{plural}.{group}" if group else plural
            return 404, self._status(404, "NotFound", f'{res} "{rest[1]}" not found')
        obj = found[0]
        if method == "DELETE" or rest[2:] == ["eviction"]:
            self.objects.remove(obj)
            if rest[2:] == ["eviction"]:
                return 201, {"kind": "Status", "apiVersion": "v1", "status": "Success"}
        return 200, obj
