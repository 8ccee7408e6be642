"""Reading `-f` manifests as kubectl's resource builder does: files, stdin, documents.

kubectl splits a stream on `---` lines and decodes each document on its own. A document
that is not YAML, or lacks apiVersion/kind, stops the stream (documents after it are
never read); a kind the server does not serve is reported and the rest go on. The
objects that decoded are then acted on, and every error is printed at the end.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dstutor import yamlio
from dstutor.errors import BadRequest, DstutorError, Invalid, YamlError
from dstutor.kubectl.commands._base import Env, OutputBuffer, error, namespace_of
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.resources import RESOURCE_TYPES, ResourceType
from dstutor.model.names import go_quote
from dstutor.model.objects import Obj
from dstutor.render._gofmt import json_dumps

_SEPARATOR = re.compile(r"^---[ \t]*(?:\n|$)", re.MULTILINE)
_MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
URL_HINT = ("dstutor works offline: save the manifest to a file (or paste it into a heredoc, "
            "kubectl apply -f - <<EOF) and apply that.")
NO_STDIN_MSG = "error: no input on stdin: use a heredoc, e.g. kubectl apply -f - <<EOF"


@dataclass
class Info:
    """One decoded object, where it came from, and the type serving it (resource.Info)."""

    source: str
    obj: Obj
    rtype: ResourceType
    namespace: str
    text: str = ""  # the YAML document, for the tutor's YAML-trap hints

    @property
    def name(self) -> str:
        meta = self.obj.get("metadata")
        return str(meta.get("name", "")) if isinstance(meta, dict) else ""


class ManifestError(DstutorError):
    """A decode failure that kubectl reports with an `error: ` prefix when alone."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return "error: " + self.message


REPLICAS_HINT = ("A DaemonSet has no replicas: it runs one pod on every eligible node. Remove "
                 "`replicas:` from the manifest.")
UNKNOWN_FIELD_HINT = ("`{field}` is not a {kind} field: check its spelling and indentation "
                      "(`kubectl explain {resource}` lists the fields).")
API_VERSION_HINT = ("{kind}s are served as {api_version}: write `apiVersion: {api_version}` "
                    "(the old beta versions were removed from Kubernetes).")
KIND_CASE_HINT = "Kinds are case-sensitive: write `kind: {kind}`."
SELECTOR_HINT = ("spec.selector must match the labels in spec.template.metadata.labels, or the "
                 "DaemonSet would not recognise its own pods.")


def _mapping_hint(api_version: str, kind: str) -> str | None:
    for rt in RESOURCE_TYPES:
        if rt.kind == kind:
            return API_VERSION_HINT.format(kind=kind, api_version=rt.api_version)
        if rt.kind.lower() == kind.lower():
            return KIND_CASE_HINT.format(kind=rt.kind)
    return None


def hint_for_unknown(kind: str, fields: list[str]) -> str:
    if "spec.replicas" in fields and kind == "DaemonSet":
        return REPLICAS_HINT
    resource = {"DaemonSet": "ds"}.get(kind, kind.lower())
    parent = fields[0].rsplit(".", 1)[0] if "." in fields[0] else ""
    path = ".".join(p.split("[")[0] for p in [resource, *parent.split(".")] if p)
    return UNKNOWN_FIELD_HINT.format(field=fields[0].rsplit(".", 1)[-1], kind=kind,
                                     resource=path)


def first_hint(errors: list[DstutorError]) -> str | None:
    """The tutor's hint for the first error that has one (selector mismatch included)."""
    for exc in errors:
        hint = getattr(exc, "hint", None)
        if hint:
            return str(hint)
        if "`selector` does not match template `labels`" in str(exc):
            return SELECTOR_HINT
    return None


def _sources(cmd: KubectlCommand, env: Env | None = None) -> list[tuple[str, str]]:
    """(source name, text) for every -f; directories contribute their manifest files."""
    out: list[tuple[str, str]] = []
    for name in cmd.filenames:
        # A shell passes arguments as C strings: $'a\x00b' reaches kubectl as "a".
        name = name.split("\x00", 1)[0]
        if name == "-":
            if cmd.stdin is None:
                raise YamlError(NO_STDIN_MSG)
            out.append(("STDIN", yamlio.decode(cmd.stdin.encode(), "STDIN")))
            continue
        if name.startswith(("http://", "https://")):
            # kubectl would download it; the simulator has no network to reach.
            raise ManifestError(f'unable to read URL "{name}": dstutor has no network access',
                                hint=URL_HINT)
        path = env.path(name) if env is not None else Path(name)
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if p.suffix in _MANIFEST_SUFFIXES)
            out += [(str(p), yamlio.read_file(p)) for p in files]
            continue
        out.append((name, yamlio.read_file(path)))
    return out


def _documents(text: str) -> list[str]:
    return _SEPARATOR.split(text)


def _mapping(doc: Obj, source: str) -> ResourceType:
    api_version, kind = str(doc.get("apiVersion", "")), str(doc.get("kind", ""))
    for rt in RESOURCE_TYPES:
        if rt.kind == kind and rt.api_version == api_version:
            return rt
    meta = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    group, _, version = api_version.rpartition("/")
    raise ManifestError(
        f'resource mapping not found for name: "{meta.get("name", "")}" namespace: '
        f'"{meta.get("namespace", "")}" from "{source}": no matches for kind "{kind}" in '
        f'version "{api_version}"\nensure CRDs are installed first',
        hint=_mapping_hint(api_version, kind))


def _missing_type_fields(doc: Obj) -> list[str]:
    missing = []
    if not doc.get("apiVersion"):
        missing.append("apiVersion not set")
    if not doc.get("kind"):
        missing.append("kind not set")
    return missing


def load_infos(env: Env, cmd: KubectlCommand) -> tuple[list[Info], list[DstutorError]]:
    """Decode every -f source into Infos; the errors are returned, not raised."""
    from dstutor.model.decode import json_unsupported  # not at start-up: see decode_body

    infos: list[Info] = []
    errors: list[DstutorError] = []
    default_ns = namespace_of(env, cmd)
    for source, text in _sources(cmd, env):
        for chunk in _documents(text):
            try:
                docs = yamlio.load_documents(chunk, source)
            except YamlError as exc:
                errors.append(exc)
                break  # the stream stops at a document that does not parse
            unsupported = json_unsupported(docs, chunk)
            if unsupported:
                # kubectl's YAML-to-JSON conversion fails: the stream stops here too.
                errors.append(YamlError(f"error: error parsing {source}: error converting "
                                        f"YAML to JSON: {unsupported}"))
                break
            stop = False
            for doc in docs:
                if not isinstance(doc, dict):
                    errors.append(error(
                        f"error parsing {source}: error unmarshaling JSON: while decoding "
                        f"JSON: json: cannot unmarshal {_json_type(doc)} into Go value of "
                        "type map[string]interface {}"))
                    stop = True
                    break
                missing = _missing_type_fields(doc)
                if missing and validation_mode(cmd) == "ignore":
                    # Without validation the decoder reports it, and the stream goes on.
                    what = "Kind" if not doc.get("kind") else "apiVersion"
                    errors.append(error(f'unable to decode "{source}": Object \'{what}\' is '
                                        f"missing in '{json_dumps(doc)}'"))
                    continue
                if missing:
                    detail = missing[0] if len(missing) == 1 else "[" + ", ".join(missing) + "]"
                    errors.append(error(
                        f'error validating "{source}": error validating data: {detail}; if '
                        "you choose to ignore these errors, turn validation off with "
                        "--validate=false"))
                    stop = True
                    break
                try:
                    rt = _mapping(doc, source)
                except ManifestError as exc:
                    errors.append(exc)
                    continue
                meta = doc.get("metadata")
                if meta is None:
                    meta = doc["metadata"] = {}
                if not isinstance(meta, dict):
                    # kubectl's accessors skip it quietly; the server's decode refuses it.
                    infos.append(Info(source, doc, rt, default_ns if rt.namespaced else "",
                                      chunk))
                    continue
                if rt.namespaced and not isinstance(meta.get("namespace", ""), str):
                    # unstructured's GetNamespace reads it as unset; the builder sets it.
                    meta.pop("namespace")
                ns = str(meta.get("namespace") or default_ns) if rt.namespaced else ""
                if rt.namespaced and cmd.namespace and meta.get("namespace") and (
                        meta["namespace"] != cmd.namespace):
                    errors.append(error(
                        f'the namespace from the provided object "{meta["namespace"]}" does '
                        f'not match the namespace "{cmd.namespace}". You must pass '
                        f"'--namespace={meta['namespace']}' to perform this operation."))
                    continue
                if rt.namespaced:
                    meta["namespace"] = ns  # the builder's DefaultNamespace()
                infos.append(Info(source, doc, rt, ns, chunk))
            if stop:
                break
    return infos, errors


def _json_type(value: object) -> str:
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "object"


def validation_mode(cmd: KubectlCommand) -> str:
    """--validate: strict (default, also `true`), warn, or ignore (also `false`)."""
    value = str(cmd.flags.get("validate", "strict") or "strict")
    return {"true": "strict", "false": "ignore"}.get(value, value)


class PatchInvalid(Invalid):
    """The patch handler's refusal of a patched object that does not convert to the Go types.

    The server converts the merged map (FromUnstructuredWithValidation) and answers
    NewInvalid(GroupKind{}, "", [field.Invalid("patch", fmt %+v of the patch, err)]):
    with neither kind nor name, kubectl prints `The request is invalid: ...`, and
    apply's "error when applying patch" context is not shown for an Invalid status.
    """

    def __init__(self, detail: str, patch: Any, shown: str | None = None) -> None:
        # `shown`: the merge and JSON patchers show the patched object's JSON instead.
        value = go_sprint(patch) if shown is None else shown
        cause = f"patch: Invalid value: {go_quote(value)}: {detail}"
        super().__init__("", "", [cause])

    def __str__(self) -> str:
        return f"The request is invalid: {self.causes[0]}"


def go_sprint(value: Any) -> str:
    """fmt's %+v of a decoded JSON value: map[k:v ...] with sorted keys, [a b], <nil>."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_sprint(value[k])}" for k in sorted(value)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float_v(value)
    return str(value)


def _go_float_v(value: float) -> str:
    """%v of a float64: shortest digits, exponent form below 1e-4 or from 1e21."""
    from decimal import Decimal

    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    number = Decimal(repr(value))
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).rstrip("0") or "0"
    power = len(digits) + exponent - 1
    if value == 0 or -4 <= power < 21:
        fixed = format(number, "f")
        return fixed.rstrip("0").rstrip(".") if "." in fixed else fixed
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return f"{'-' if sign else ''}{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"


def decode_body(cmd: KubectlCommand, info: Info, body: Obj, out: OutputBuffer, verb: str,
                patch: Any = None) -> Obj:
    """The API server's decoding of the body kubectl sends: the typed object, or BadRequest.

    `verb` is `creating` for a create and `patching` for apply's patch of a live object
    (then `patch` is what kubectl sent). With --validate=strict (the default) unknown fields
    are refused; warn drops them with the server's warnings; ignore drops them silently.
    """
    from dstutor.model import decode as server_decode  # only once a manifest arrives
    from dstutor.model.yamltraps import trap_hint

    mode = validation_mode(cmd)
    kind = info.rtype.kind
    if verb == "patching":  # the patch handler converts the merged map (converter.go)
        from dstutor.model.convert import convert

        result = convert(kind, body, strict=mode != "ignore")
    else:
        result = server_decode.decode(kind, body, strict=mode != "ignore")
    detail, hint = None, None
    if result.error is not None:
        detail = result.error
        hint = trap_hint(result.where, result.value, result.expected, info.text)
    elif result.unknown and mode == "strict":
        detail = server_decode.strict_detail(result.unknown)
        hint = hint_for_unknown(kind, result.unknown)
    if detail is not None:
        exc: DstutorError
        if verb == "patching":
            exc = PatchInvalid(detail, patch)
        else:
            message = server_decode.cannot_handle(kind, info.rtype.version, detail)
            # forceReplace's create names no source: verb "" leaves the context out.
            context = f'error when {verb} "{info.source}": ' if verb else ""
            exc = BadRequest(context + message)
        exc.hint = hint
        raise exc
    if mode == "warn":
        for path in result.unknown:
            out.err(f'Warning: unknown field "{path}"')
    decoded: Obj = result.obj
    return decoded


def info_text(info: Info) -> str:
    """resource.Info's String(), as kubectl prints it inside apply's patch errors."""
    rt = info.rtype
    return (f'Resource: "{rt.group}/{rt.version}, Resource={rt.plural}", GroupVersionKind: '
            f'"{rt.group}/{rt.version}, Kind={rt.kind}"\n'
            f'Name: "{info.name}", Namespace: "{info.namespace}"')


def patch_error(info: Info, patch: Any, message: str) -> str:
    """apply's AddSourceToErr around the patcher's own AddSourceToErr."""
    return (f"error when applying patch:\n{json_dumps(patch)}\nto:\n{info_text(info)}\n"
            f'for: "{info.source}": error when patching "{info.source}": {message}')


def with_source(exc: DstutorError, verb: str, source: str) -> DstutorError:
    """cmdutil.AddSourceToErr: API errors (other than Invalid) name the file."""
    from dstutor.errors import ApiError, Invalid

    if isinstance(exc, ApiError) and not isinstance(exc, Invalid):
        clone = type(exc).__new__(type(exc))
        ApiError.__init__(clone, f'error when {verb} "{source}": {exc.message}')
        return clone
    return exc


def last_applied(obj: Obj) -> str:
    """The last-applied-configuration value: the manifest as compact JSON plus a newline."""
    return json_dumps(obj) + "\n"


def report(errors: list[DstutorError]) -> DstutorError | None:
    """One error as kubectl prints it alone; several one per line (utilerrors.Aggregate)."""
    if not errors:
        return None
    if len(errors) == 1:
        return errors[0]
    lines = []
    for exc in errors:
        text = str(exc)
        lines.append(text[len("error: "):] if text.startswith("error: ") else text)
    return DstutorError("\n".join(lines))
