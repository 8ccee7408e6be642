"""Bad requests get clean 4xx Status replies, watches never block the simulator, several
clients at once, 410 for a watch from a forgotten resourceVersion, and speed."""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from serve_support import Served, make_cluster

from dstutor.render.columns import build_table
from dstutor.serve import watch as watch_module
from dstutor.serve.http import MAX_BODY

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from render_oracle import Oracle  # noqa: E402


def _request(served: Served, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        reply = conn.getresponse()
        return reply.status, json.loads(reply.read() or b"{}")
    finally:
        conn.close()


def test_bad_requests_get_status_replies(served: Served) -> None:
    code, body = _request(served, "POST", "/apis/apps/v1/namespaces/default/daemonsets",
                          b"{not json", {"Content-Type": "application/json"})
    assert (code, body["kind"], body["reason"]) == (400, "Status", "BadRequest")
    # A body over the limit is refused from its Content-Length, before it is read.
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    conn.putrequest("POST", "/api/v1/namespaces/default/pods")
    conn.putheader("Content-Length", str(MAX_BODY + 1))
    conn.endheaders()
    reply = conn.getresponse()
    assert (reply.status, json.loads(reply.read())["reason"]) == (413, "RequestEntityTooLarge")
    conn.close()
    code, body = _request(served, "GET", "/apis/nope/v1/things")
    assert (code, body["reason"]) == (404, "NotFound")
    code, body = _request(served, "GET", "/totally/unknown")
    assert (code, body["reason"]) == (404, "NotFound")
    # A real server has deletecollection on nodes, but not PUT on a collection, nor
    # deletecollection on namespaces.
    code, body = _request(served, "PUT", "/api/v1/nodes", b"{}",
                          {"Content-Type": "application/json"})
    assert (code, body["reason"]) == (405, "MethodNotAllowed")
    code, body = _request(served, "DELETE", "/api/v1/namespaces")
    assert (code, body["reason"]) == (405, "MethodNotAllowed")
    code, body = _request(served, "PATCH", "/api/v1/nodes/worker-1", b"{}",
                          {"Content-Type": "text/plain"})
    assert (code, body["reason"]) == (415, "UnsupportedMediaType")
    code, body = _request(served, "POST", "/api/v1/namespaces/default/pods", b"[1, 2]",
                          {"Content-Type": "application/json"})
    assert code == 400
    deep = b"[" * 100_000 + b"]" * 100_000
    code, body = _request(served, "POST", "/api/v1/namespaces/default/pods", deep,
                          {"Content-Type": "application/json"})
    assert (code, body["reason"]) == (400, "BadRequest")
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    conn.putrequest("POST", "/api/v1/namespaces/default/pods")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    conn.send(b"-5\r\nxxxxx\r\n0\r\n\r\n")
    reply = conn.getresponse()
    assert (reply.status, json.loads(reply.read())["reason"]) == (400, "BadRequest")
    conn.close()
    code, body = _request(served, "GET", "/api/v1/pods?labelSelector=a%20in")
    assert (code, body["reason"]) == (400, "BadRequest")
    # ...and the server still answers.
    assert _request(served, "GET", "/api/v1/nodes/worker-1")[0] == 200


def test_watch_from_forgotten_version_is_gone(served: Served, monkeypatch) -> None:
    monkeypatch.setattr(watch_module, "HISTORY", 5)
    with served.backend.lock:
        served.backend.hub._history = watch_module.deque(maxlen=5)
        for i in range(10):
            served.cluster.add_node(f"extra-{i}")
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    conn.request("GET", "/api/v1/nodes?watch=true&resourceVersion=2")
    reply = conn.getresponse()
    line = reply.fp.readline()
    while line.strip() in (b"", b"0") or not line.strip().startswith(b"{"):
        line = reply.fp.readline()
    event = json.loads(line)
    conn.close()
    assert event["type"] == "ERROR"
    assert (event["object"]["code"], event["object"]["reason"]) == (410, "Expired")
    assert event["object"]["message"].startswith("too old resource version: 2 (")


def test_a_stuck_watch_never_blocks_the_simulator(served: Served) -> None:
    # A client that opens a watch and never reads: writes and other clients go on.
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    conn.request("GET", "/api/v1/pods?watch=true")
    conn.getresponse()
    start = time.monotonic()
    with served.backend.lock:
        for i in range(20):
            served.cluster.add_node(f"busy-{i}")
        served.cluster.advance(30)
    assert time.monotonic() - start < 10
    assert _request(served, "GET", "/api/v1/nodes/busy-3")[0] == 200
    conn.close()


def test_several_clients_at_once(served: Served) -> None:
    commands = [("get", "pods", "-A"), ("get", "nodes"), ("describe", "node", "worker-1"),
                ("get", "ds", "-A", "-o", "yaml")] * 3
    with ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda c: served.kubectl(*c), commands))
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len({r.stdout for r in results[0::4]}) == 1


def test_watch_event_latency_under_50ms(served: Served) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    conn.request("GET", "/api/v1/nodes?watch=true&resourceVersion="
                 + str(served.cluster.store.resource_version()))
    reply = conn.getresponse()
    got = threading.Event()
    stamps: list[float] = []

    def read() -> None:
        while not got.is_set():
            line = reply.fp.readline()
            if b'"ADDED"' in line:
                stamps.append(time.monotonic())
                got.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    time.sleep(0.2)
    with served.backend.lock:
        changed = time.monotonic()
        served.cluster.store.put({"kind": "Node", "apiVersion": "v1", "metadata": {
            "name": "fast", "uid": "u-fast"}, "spec": {}, "status": {}})
    assert got.wait(5)
    conn.close()
    assert stamps[0] - changed < 0.05


def test_get_pods_on_100_nodes_within_twice_a_static_server(kubectl_binary: str) -> None:
    cluster = make_cluster(100)
    pods = cluster.list("Pod")
    nodes = cluster.list("Node")
    now = cluster.now()

    def timed(run) -> float:
        best = float("inf")
        for _ in range(3):
            start = time.monotonic()
            done = run("get", "pods", "-A")
            best = min(best, time.monotonic() - start)
            assert done.returncode == 0 and done.stdout.count("\n") == len(pods) + 1
        return best

    with Oracle(pods + nodes, lambda kind, items: build_table(kind, items, now)) as static:
        static.run("api-resources")
        static_time = timed(static.run)
    with Served(cluster, kubectl_binary) as served:
        served.kubectl("api-resources")
        served_time = timed(served.kubectl)
    if os.environ.get("DSTUTOR_PRINT_TIMES"):
        print(f"static {static_time:.3f}s serve {served_time:.3f}s")
    assert served_time <= 2 * static_time + 0.05


def test_a_filtered_watch_sees_objects_leave_and_come_back(served: Served) -> None:
    rv = str(served.cluster.store.resource_version())
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    conn.request("GET", f"/api/v1/nodes?watch=true&labelSelector=pool%3Dblue&resourceVersion={rv}")
    reply = conn.getresponse()
    with served.backend.lock:
        for value in ("blue", "green", "blue"):
            node = served.cluster.get("Node", "", "worker-1")
            node["metadata"].setdefault("labels", {})["pool"] = value
            served.cluster.update(node)
        node = served.cluster.get("Node", "", "worker-2")
        node["metadata"]["labels"]["other"] = "x"  # never matches: no event
        served.cluster.update(node)
    events: list[tuple[str, str]] = []
    while len(events) < 3:
        line = reply.fp.readline()
        if line.strip().startswith(b"{"):
            event = json.loads(line)
            events.append((event["type"], event["object"]["metadata"]["name"]))
    conn.close()
    assert events == [("ADDED", "worker-1"), ("DELETED", "worker-1"), ("ADDED", "worker-1")]


def test_replies_are_not_held_back_by_nagle(served: Served, monkeypatch) -> None:
    """Every connection the API server accepts has TCP_NODELAY set, as Go's net/http
    does: a reply's body is not held back until the client ACKs its headers."""
    import socket

    from dstutor.serve import http as serve_http

    seen: list[int] = []
    setup = serve_http._Handler.setup

    def recording_setup(self) -> None:  # noqa: ANN001
        setup(self)
        seen.append(self.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    monkeypatch.setattr(serve_http._Handler, "setup", recording_setup)
    code, body = _request(served, "GET", "/api/v1/nodes")
    assert (code, body["kind"]) == (200, "NodeList")
    assert seen and all(seen), seen
