"""`kubectl patch`: strategic merge (the default), JSON merge and JSON patches.

kubectl turns the -p/--patch-file text from YAML into JSON, sends it, and words its
message from whether the object changed: `patched` or `patched (no change)`.
"""

from __future__ import annotations

from typing import Any

from dstutor import yamlio
from dstutor.errors import ApiError, YamlError
from dstutor.kubectl.commands._base import Env, OutputBuffer, error, flag_str, resolve_targets
from dstutor.kubectl.commands._printing import report_object
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.model import defaults
from dstutor.model.objects import Obj, canonical_json, clone
from dstutor.model.strategicpatch import (
    PatchDecodeError,
    PatchError,
    json_patch,
    merge_patch,
    strategic_merge,
)
from dstutor.render._gofmt import json_dumps

# The fields a patch cannot change: the server keeps its own values.
_SERVER_META = ("uid", "resourceVersion", "creationTimestamp", "generation",
                "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields")


class PatchRejected(ApiError):
    """A JSON patch operation that does not apply.

    The patch handler answers NewGenericServerResponse(422, ...), whose message is the
    generic one and whose details are empty: the library's reason is lost, and kubectl
    prints "The request is invalid: <message>". The tutor's hint gives the reason.
    """

    reason = "Invalid"
    code = 422
    GENERIC = "the server rejected our request due to an error in our request"

    def __init__(self, detail: str) -> None:
        super().__init__(self.GENERIC)
        self.hint = f"The JSON patch did not apply: {detail}"

    def __str__(self) -> str:
        return f"The request is invalid: {self.message}"


class PatchBadRequest(ApiError):
    reason = "BadRequest"
    code = 400


def read_patch(env: Env, cmd: KubectlCommand) -> Any:
    """The patch as JSON data, from -p or --patch-file (YAML is accepted, as kubectl does)."""
    text = flag_str(cmd, "patch")
    name = flag_str(cmd, "patch-file")
    if name:
        try:
            raw = env.path(name).read_bytes()
        except OSError as exc:
            raise error(f"unable to read patch file: open {name}: "
                        f"{(exc.strerror or str(exc)).lower()}") from None
        text = raw.decode("utf-8", errors="replace")
    try:
        return yamlio.load_one(text, "patch")
    except YamlError as exc:
        detail = str(exc)
        detail = detail[detail.find("yaml: "):] if "yaml: " in detail else detail
        raise error(f"unable to parse {_go_quote(text)}: {detail}") from None


def _go_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def apply_patch(obj: Obj, patch: Any, kind: str) -> Obj:
    """`obj` after a patch of `kind` (strategic, merge, json), as the API server computes it."""
    try:
        if kind == "json":
            patched = json_patch(obj, patch)
        elif kind == "merge":
            if not isinstance(patch, dict):
                raise PatchBadRequest("json: cannot unmarshal array into Go value of type "
                                      "map[string]interface {}" if isinstance(patch, list)
                                      else "invalid JSON merge patch")
            patched = merge_patch(obj, patch)
        else:
            patched = strategic_merge(obj, patch, obj["kind"])
    except PatchError as exc:
        if kind == "json" and not isinstance(exc, PatchDecodeError):
            raise PatchRejected(str(exc)) from None
        raise PatchBadRequest(str(exc)) from None
    if not isinstance(patched, dict):
        raise PatchBadRequest("the patched object is not an object")
    meta = patched.setdefault("metadata", {})
    if not isinstance(meta, dict):
        raise PatchBadRequest("metadata must be an object")
    for field in _SERVER_META:
        if field in obj["metadata"]:
            meta[field] = clone(obj["metadata"][field])
    if "status" in obj:
        patched["status"] = clone(obj["status"])  # the main resource ignores status changes
    return patched


def server_conversion(obj_kind: str, patched: Obj, patch: Any, patch_type: str,
                      out: OutputBuffer) -> Obj:
    """The typed object the patch handler makes of the patched map, or its refusal.

    A strategic merge result goes through the unstructured converter; merge and JSON
    patch results through the JSON decoder, shown as the patched JSON. kubectl patch sends
    no fieldValidation, so the server's default (Warn) drops unknown fields with warnings.
    """
    from dstutor.kubectl.commands._manifest import PatchInvalid
    from dstutor.model import decode as server_decode
    from dstutor.model.convert import convert

    if patch_type == "strategic":
        result = convert(obj_kind, patched)
    else:
        result = server_decode.decode(obj_kind, patched)
    if result.error is not None:
        shown = None if patch_type == "strategic" else json_dumps(patched)
        raise PatchInvalid(result.error, patch, shown)
    for path in result.unknown:
        out.err(f'Warning: unknown field "{path}"')
    if result.obj is None:
        return patched
    converted: Obj = result.obj
    return converted


def same_object(before: Obj, after: Obj) -> bool:
    """True when a write would change nothing (server defaults applied to both)."""
    a, b = clone(before), clone(after)
    for obj in (a, b):
        defaults.apply_defaults(obj)
        obj.get("metadata", {}).pop("resourceVersion", None)
        obj.pop("status", None)
    return canonical_json(a) == canonical_json(b)


@handles("patch")
def run_patch(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    patch = read_patch(env, cmd)
    kind = (flag_str(cmd, "type") or "strategic").lower()
    dry = cmd.dry_run != "none"
    found = False
    for _, obj in resolve_targets(env, cmd):
        found = True
        patched = server_conversion(obj["kind"], apply_patch(obj, patch, kind), patch, kind,
                                    out)
        if same_object(obj, patched):
            report_object(cmd, out, obj, "patched (no change)")
            continue
        updated = patched if cmd.dry_run == "client" else env.cluster.update(patched,
                                                                             dry_run=dry)
        out.changed = out.changed or not dry
        report_object(cmd, out, updated, "patched")
    if not found:
        raise error("no objects passed to patch")
