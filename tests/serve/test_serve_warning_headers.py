"""Warning headers are written as the API server's recorder writes them: UTF-8 text, `"`
and `\\` escaped, each text once, none with a control character, cut past 4,096
characters; and a warning never costs the client its reply (a non-Latin-1 field name
used to drop the connection)."""

from __future__ import annotations

import http.client
import json

import pytest
from serve_support import Served, make_cluster

from dstutor.serve.warnheaders import (
    TRUNCATE_AT_TOTAL_RUNES,
    TRUNCATE_ITEM_RUNES,
    latin1_bytes,
    warning_header,
    warning_headers,
)


@pytest.mark.parametrize(("text", "header"), [
    ('unknown field "spec.x"', '299 - "unknown field \\"spec.x\\""'),
    ("a\\b", '299 - "a\\\\b"'),
    ('unknown field "spec.日本"', '299 - "unknown field \\"spec.日本\\""'),
    ("tab\there", None),
    ("line\nbreak", None),
    ("\x7f", None),
    ("\x85", None),
    ("lone \ud800", None),
    ("é\u00a0ok", '299 - "é\u00a0ok"'),  # Latin-1 letters and NBSP are not controls
])
def test_one_warning(text: str, header: str | None) -> None:
    assert warning_header(text) == header


def test_each_text_once_in_order_and_empty_and_refused_ones_left_out() -> None:
    assert warning_headers(["b", "a", "", "b", "x\ny", "a", "c"]) == [
        '299 - "b"', '299 - "a"', '299 - "c"']


def test_past_the_total_every_warning_is_cut_and_the_list_written_again() -> None:
    fits = ["a" * 1000, "b" * 1000, "c" * 1000, "d" * 1000]  # 4,000: within 4,096
    assert warning_headers(fits) == [warning_header(t) for t in fits]
    over = [*fits, "e" * 200]  # 4,200: the recorder starts truncating and replays
    assert warning_headers(over) == [warning_header(t[:TRUNCATE_ITEM_RUNES]) for t in over]
    # Once truncating, texts go on being added (cut) until 4,096 characters are written.
    many = [*over, *(f"{n:03d}" + "f" * 300 for n in range(20))]
    written = warning_headers(many)
    lengths = [len(h) - len('299 - ""') for h in written]
    assert all(n <= TRUNCATE_ITEM_RUNES for n in lengths)
    assert sum(lengths[:-1]) < TRUNCATE_AT_TOTAL_RUNES <= sum(lengths)


def test_a_header_value_travels_as_its_utf8_bytes() -> None:
    assert latin1_bytes('299 - "日本"').encode("latin-1") == '299 - "日本"'.encode()


@pytest.fixture(scope="module")
def server() -> Served:
    with Served(make_cluster(), None) as served:
        yield served  # type: ignore[misc]


def _create(served: Served, body: dict, query: str = "") -> tuple[int, list[str]]:
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    try:
        conn.request("POST", "/api/v1/namespaces/default/pods" + query,
                     body=json.dumps(body).encode(),
                     headers={"Content-Type": "application/json"})
        reply = conn.getresponse()
        reply.read()
        # http.client reads header bytes as Latin-1: back to the bytes, then UTF-8.
        return reply.status, [v.encode("latin-1").decode("utf-8")
                              for v in reply.headers.get_all("Warning") or []]
    finally:
        conn.close()


def _pod(name: str, **extra: object) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
            "spec": {"containers": [{"name": "c", "image": "nginx"}], **extra}}


def test_an_unknown_field_named_outside_latin1_is_warned_of_in_utf8(server: Served) -> None:
    code, warnings = _create(server, _pod("uni", **{"日本": 1}), "?fieldValidation=Warn")
    assert (code, warnings) == (201, ['299 - "unknown field \\"spec.日本\\""'])


def test_an_unknown_field_with_a_line_break_gets_no_header_but_its_reply(
        server: Served) -> None:
    code, warnings = _create(server, _pod("crlf", **{"a\r\nX-Injected: 1": 1}),
                             "?fieldValidation=Warn")
    assert (code, warnings) == (201, [])


def test_the_real_kubectl_prints_the_warning(served: Served, tmp_path: object) -> None:
    run = served.kubectl("create", "--validate=warn", "-f", "-", stdin=json.dumps(
        _pod("uni-kubectl", **{"日本": 1, 'quote"back\\slash': 2})))
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == ['Warning: unknown field "spec.quote"back\\slash"',
                                       'Warning: unknown field "spec.日本"']
