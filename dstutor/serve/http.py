"""HTTP/1.1 framing for the API: keep-alive, bounded request bodies, chunked watches.

ThreadingHTTPServer (stdlib) gives each connection its own thread, which is what
long-lived watches need; the simulator itself is behind Backend's one lock.
"""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from dstutor.serve.api import Backend, Reply, Request, status_reply
from dstutor.serve.status import StatusError, method_not_allowed, too_large
from dstutor.serve.warnheaders import latin1_bytes, warning_headers

MAX_BODY = 3 * 1024 * 1024  # the API server's limit for a request body
MAX_URL = 64 * 1024
TICK_SECONDS = 0.02


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: ApiHTTPServer
    server_version = "dstutor"
    sys_version = ""
    timeout = 600  # an idle or stuck connection is closed after ten minutes
    # TCP_NODELAY, as Go's net/http sets it: headers and body go out as two writes, and
    # with Nagle on the body waited for the client's delayed ACK of the headers (~40 ms
    # on loopback) on every reply; so did each watch event after the first.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = bytearray()
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    raise StatusError(400, "BadRequest", "malformed chunked body") from None
                if size < 0:
                    raise StatusError(400, "BadRequest", "malformed chunked body")
                if size == 0:
                    self.rfile.readline(1024)
                    return bytes(data)
                if len(data) + size > MAX_BODY:
                    raise too_large()
                data += self.rfile.read(size)
                self.rfile.readline(1024)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise StatusError(400, "BadRequest", "invalid Content-Length") from None
        if length < 0:
            raise StatusError(400, "BadRequest", "invalid Content-Length")
        if length > MAX_BODY:
            raise too_large()
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        if len(self.path) > MAX_URL:
            self._send(status_reply(StatusError(414, "RequestURITooLong",
                                                "the request URI is too long")))
            self.close_connection = True
            return
        try:
            body = self._read_body()
        except StatusError as exc:
            self._send(status_reply(exc))
            self.close_connection = True  # the unread body would corrupt the next request
            return
        req = Request(self.command, self.path, self.headers.get("Accept", ""),
                      self.headers.get("Content-Type", ""), body,
                      self.headers.get("Kubectl-Command", ""),
                      self.headers.get("Kubectl-Session", ""))
        self._send(self.server.backend.handle(req))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.code)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Cache-Control", "no-cache, private")
        for header in warning_headers(reply.warnings):
            self.send_header("Warning", latin1_bytes(header))
        if reply.stream is None:
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        stream = reply.stream
        try:
            for chunk in stream:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # runs the watch's finally: unregister

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve  # noqa: N815

    def do_OPTIONS(self) -> None:  # noqa: N802 - stdlib naming
        self._send(status_reply(method_not_allowed()))


class ApiHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], backend: Backend) -> None:
        self.backend = backend
        super().__init__(address, _Handler)


class Server:
    """A running API server: start() in background threads, stop() ends everything."""

    def __init__(self, backend: Backend, address: str = "127.0.0.1", port: int = 0) -> None:
        self.backend = backend
        self.httpd = ApiHTTPServer((address, port), backend)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self.httpd.server_address[0]
        if isinstance(host, bytes):  # typeshed allows it (AF_UNIX); our AF_INET gives str
            host = host.decode()
        return f"http://{host}:{self.port}"

    def start(self) -> Server:
        serve = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                 name="dstutor-serve", daemon=True)
        tick = threading.Thread(target=self._tick, name="dstutor-serve-clock", daemon=True)
        self._threads = [serve, tick]
        for thread in self._threads:
            thread.start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(TICK_SECONDS):
            with contextlib.suppress(Exception):  # a failed tick must not stop the clock
                self.backend.tick()

    def stop(self) -> None:
        self._stop.set()
        self.backend.hub.close_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
