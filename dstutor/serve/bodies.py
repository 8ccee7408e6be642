"""A request's JSON body, refused in the words a v1.37 API server uses for each kind of
request (k8s.io/apiserver pkg/endpoints/handlers: create.go and update.go through
transformDecodeError, patch.go per patch type and field validation, delete.go).

The server first reads an object's apiVersion and kind (SimpleMetaFactory.Interpret, Go's
encoding/json into a two-field struct), so a body that is not JSON, or not an object, or
whose kind is not a string, fails there, and the create or update handler reports it with
a 30-byte summary of the body. A patch is read by sigs.k8s.io/json (the same scanner and
messages) into the Go type its patch type needs.
"""

from __future__ import annotations

from typing import Any

from dstutor.model.strategicpatch import json_type_name
from dstutor.serve import gojson
from dstutor.serve.status import bad_request

# The struct Interpret decodes into, as Go's reflect names it.
_FIND_KIND = ('struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
              'Kind string "json:\\"kind,omitempty\\"" }')
_INTERPRET = "couldn't get version/kind; json parse error: "


def summarize(body: bytes, limit: int = 30) -> str:
    """summarizeData: an object's first bytes as text, anything else in hex."""
    if not body:
        return "<empty>"
    cut = body[:limit]
    text = cut.decode("utf-8", "replace") if body[:1] == b"{" else cut.hex()
    return text + " ..." if len(body) > limit else text


def _interpret(body: bytes) -> Any:
    """The body as Interpret reads it: the parsed value, or Interpret's error text."""
    try:
        value = gojson.loads(body)
    except gojson.NumberOutOfRange:
        raise  # Interpret skips numbers; the typed decode after it refuses this one
    except gojson.GoJSONError as exc:
        raise _Uninterpretable(_INTERPRET + str(exc)) from None
    if value is None:
        return {}  # null decodes into nothing: an object with no fields
    if not isinstance(value, dict):
        raise _Uninterpretable(f"{_INTERPRET}json: cannot unmarshal "
                               f"{json_type_name(value)} into Go value of type {_FIND_KIND}")
    for key, field in value.items():
        if key in ("apiVersion", "kind") and field is not None and not isinstance(field, str):
            raise _Uninterpretable(f"{_INTERPRET}json: cannot unmarshal "
                                   f"{json_type_name(field)} into Go struct field .{key} "
                                   f"of type string")
    version = value.get("apiVersion")
    if isinstance(version, str) and version.count("/") > 1:
        raise _Uninterpretable(f"unexpected GroupVersion string: {version}")
    return value


class _Uninterpretable(Exception):
    pass


def object_body(body: bytes, kind: str, version: str) -> Any:
    """A create's or an update's body (the caller checks its kind and fields)."""
    try:
        return _interpret(body)
    except _Uninterpretable as exc:
        raise bad_request(f"the object provided is unrecognized (must be of type {kind}): "
                          f"{exc} ({summarize(body)})") from None
    except gojson.NumberOutOfRange as exc:
        raise bad_request(f'{kind} in version "{version}" cannot be handled as a {kind}: '
                          f"{exc}") from None
    except RecursionError:
        raise bad_request(f"the object provided is unrecognized (must be of type {kind}): "
                          f"nested too deeply ({summarize(body)})") from None


def options_body(body: bytes) -> Any:
    """DeleteOptions (or an Eviction's body): the decoder's error as it is."""
    try:
        return _interpret(body)
    except (_Uninterpretable, gojson.NumberOutOfRange) as exc:
        raise bad_request(str(exc)) from None
    except RecursionError:
        raise bad_request(_INTERPRET + "nested too deeply") from None


# What each patch type decodes into under Warn or Strict validation (patch.go), and the
# prefix its refusal carries.
_PATCH_TARGETS = {
    "application/json-patch+json": ("array", "[]handlers.jsonPatchOp", "error decoding patch: "),
    "application/merge-patch+json": ("object", "map[string]interface {}",
                                     "error decoding patch: "),
    "application/strategic-merge-patch+json": ("object", "map[string]interface {}", ""),
}


def patch_body(body: bytes, ctype: str, validation: str) -> Any:
    """A JSON, merge or strategic merge patch, refused as patch.go refuses it. Under
    fieldValidation=Ignore a merge patch goes straight to json-patch's MergePatch, which
    says only "Invalid JSON Patch", and a JSON patch to DecodePatch, without the prefix;
    a patch of the wrong shape there is left to the patch code, as before."""
    wanted, go_type, prefix = _PATCH_TARGETS[ctype]
    ignore = validation == "Ignore"
    if ignore and ctype != "application/strategic-merge-patch+json":
        prefix = ""
    try:
        value = gojson.loads(body)
    except gojson.GoJSONError as exc:
        if ignore and ctype == "application/merge-patch+json":
            raise bad_request("Invalid JSON Patch") from None
        raise bad_request(f"{prefix}{exc}") from None
    except RecursionError:
        raise bad_request(f"{prefix}nested too deeply") from None
    if value is not None and not ignore and json_type_name(value) != wanted:
        raise bad_request(f"{prefix}json: cannot unmarshal {json_type_name(value)} into "
                          f"Go value of type {go_type}")
    return value

