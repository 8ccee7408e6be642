"""`kubectl edit`: the object's YAML (or JSON) in the learner's editor, then an update.

As kubectl's edit loop does: a file saved unchanged cancels, an empty one cancels, and
an edit that does not parse or that the API server rejects is shown again with the
reasons in the comment block at the top, until it is fixed or left unchanged.
"""

from __future__ import annotations

from typing import Any

from dstutor import yamlio
from dstutor.errors import ApiError, DstutorError, Invalid, YamlError
from dstutor.kubectl.commands._base import Env, OutputBuffer, error, resolve_targets, rtype_of
from dstutor.kubectl.commands._printing import report_object
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.model.objects import Obj, clone
from dstutor.model.strategicpatch import PatchError, strategic_merge, two_way_patch
from dstutor.render._gofmt import json_dumps
from dstutor.render.output import to_json, to_yaml

EDITOR_MISSING_ERR = ("error: dstutor has no editor here: use `kubectl get TYPE NAME -o yaml`, "
                      "change the manifest, and `kubectl apply -f FILE`")
EDIT_HEADER = (
    "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
    "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
    "# reopened with the relevant failures.\n"
    "#\n")
NO_CHANGES = "Edit cancelled, no changes made."
EMPTY_FILE = "Edit cancelled, saved file was empty."
NO_VALID_CHANGES = "error: Edit cancelled, no valid changes were saved."
IDENTITY_CHANGED = "At least one of apiVersion, kind and name was changed"
MAX_ROUNDS = 20  # a scripted editor that always fails must not loop for ever


def strip_comments(text: str) -> str:
    """cmdutil.StripComments: drop lines whose first non-blank character is #."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.lstrip().startswith("#"))


def header(reasons: list[tuple[str, list[str]]]) -> str:
    """The comment block, with one paragraph per failure (editHeader.writeTo)."""
    lines = [EDIT_HEADER]
    for head, causes in reasons:
        head = head.replace("\n", "\n# ")
        lines.append(f"# {head}:\n" if causes else f"# {head}\n")
        lines += [f"# * {c}\n".replace("\n# ", "\n# ") for c in causes]
        lines.append("#\n")
    return "".join(lines)


def _shown(obj: Obj) -> Obj:
    shown = clone(obj)
    shown.get("metadata", {}).pop("managedFields", None)
    return shown


def _encode(data: Any, fmt: str) -> str:
    return to_json(data) if fmt == "json" else to_yaml(data)


def _group_resource(obj: Obj) -> str:
    rt = rtype_of(obj)
    group = rt.api_version.rpartition("/")[0]
    return f"{rt.plural}.{group}" if group else rt.plural


def _decode(text: str) -> list[Obj]:
    doc = yamlio.load_one(text, "edited file")
    if isinstance(doc, dict) and doc.get("kind") == "List" and isinstance(doc.get("items"), list):
        items = doc["items"]
    else:
        items = [doc]
    if not all(isinstance(i, dict) for i in items):
        raise YamlError("error unmarshaling JSON: the edited file is not an object")
    return items


def _identity(obj: Obj) -> tuple[str, str, str]:
    meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return (str(obj.get("apiVersion")), str(obj.get("kind")), str((meta or {}).get("name")))


@handles("edit")
def run_edit(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    if env.editor is None:
        raise DstutorError(EDITOR_MISSING_ERR)
    originals = [obj for _, obj in resolve_targets(env, cmd)]
    if cmd.filenames:  # -f: edit the live objects the file names
        from dstutor.kubectl.commands._manifest import load_infos, report

        infos, errors = load_infos(env, cmd)
        failure = report(errors)
        if failure is not None:
            raise failure
        originals += [env.cluster.get(i.rtype.kind, i.namespace, i.name) for i in infos]
    if not originals:
        raise error("no objects passed to edit")
    fmt = "json" if cmd.output == "json" else "yaml"
    shown = [_shown(o) for o in originals]
    body = _encode(shown[0] if len(shown) == 1 else
                   {"apiVersion": "v1", "items": shown, "kind": "List",
                    "metadata": {"resourceVersion": ""}}, fmt)
    original_text = EDIT_HEADER + body
    text = original_text
    pending = list(range(len(originals)))  # objects not saved yet
    retrying = False
    for _ in range(MAX_ROUNDS):
        edited = env.editor(text)
        if retrying and strip_comments(edited) == strip_comments(text):
            _preserve(env, out, edited)
            raise DstutorError(NO_VALID_CHANGES)
        if strip_comments(edited) == strip_comments(original_text):
            out.err(NO_CHANGES)
            return
        if not strip_comments(edited).strip():
            out.err(EMPTY_FILE)
            return
        try:
            docs = _decode(strip_comments(edited))
        except YamlError as exc:
            reasons: list[tuple[str, list[str]]] = [
                (f"The edited file had a syntax error: {_yaml_detail(exc)}", [])]
        else:
            reasons = _save(env, cmd, out, originals, shown, docs, pending)
            if not reasons:
                return
        retrying = True
        text = header(reasons) + strip_comments(edited)
    _preserve(env, out, text)
    raise DstutorError(NO_VALID_CHANGES)


def _preserve(env: Env, out: OutputBuffer, text: str) -> None:
    """kubectl keeps the file of an edit it could not save, and says where."""
    keep = getattr(env.editor, "keep", None)
    if callable(keep):
        out.err(f'A copy of your changes has been stored to "{keep(text)}"')


def _yaml_detail(exc: DstutorError) -> str:
    detail = str(exc)
    return detail[detail.find("yaml: "):] if "yaml: " in detail else detail


def _save(env: Env, cmd: KubectlCommand, out: OutputBuffer, originals: list[Obj], shown: list[Obj],
          docs: list[Obj], pending: list[int]) -> list[tuple[str, list[str]]]:
    """Update every edited object; the reasons for the ones that failed (empty: all saved)."""
    by_identity = {_identity(shown[i]): i for i in pending}
    reasons: list[tuple[str, list[str]]] = []
    for doc in docs:
        index = by_identity.get(_identity(doc))
        if index is None:
            reasons.append((IDENTITY_CHANGED, []))
            continue
        original = originals[index]
        patch = two_way_patch(shown[index], doc, original["kind"])
        if not patch:
            pending.remove(index)
            report_object(cmd, out, original, "skipped")
            continue
        if cmd.is_set("output-patch"):
            out.line(f"Patch: {json_dumps(patch)}")
        updated = clone(doc)
        for field in ("resourceVersion", "uid", "creationTimestamp", "generation",
                      "managedFields"):
            if field in original["metadata"]:
                updated["metadata"][field] = clone(original["metadata"][field])
        name = str(original["metadata"]["name"])
        try:
            updated = _converted(cmd, out, original, patch, updated)
            saved = env.cluster.update(updated)
        except Invalid as exc:
            # editResults.addError: the reasons go into the reopened file, one line to stderr.
            reasons.append((f'{_group_resource(original)} "{name}" was not valid',
                            list(exc.causes)))
            out.err(f'error: {_group_resource(original)} "{name}" is invalid')
            continue
        except ApiError as exc:
            reasons.append((f'{_group_resource(original)} "{original["metadata"]["name"]}" '
                            f"could not be patched: {exc}", []))
            continue
        pending.remove(index)
        out.changed = True
        report_object(cmd, out, saved, "edited")
    return reasons


def _converted(cmd: KubectlCommand, out: OutputBuffer, original: Obj, patch: Any, edited: Obj
               ) -> Obj:
    """What the patch handler makes of the strategic merge patch edit sends.

    The server merges the patch into the live object and converts the result to the Go
    types (dstutor.model.convert); a value of the wrong type, or with --validate=strict
    (edit's default) an unknown field, is refused as Invalid `patch: Invalid value: ...`.
    """
    from dstutor.kubectl.commands._manifest import PatchInvalid, validation_mode
    from dstutor.model import decode as server_decode
    from dstutor.model.convert import convert

    kind = str(original["kind"])
    mode = validation_mode(cmd)
    try:
        merged = strategic_merge(original, patch, kind)
    except PatchError:
        merged = edited  # a patch edit computed itself always merges; be safe anyway
    result = convert(kind, merged, strict=mode != "ignore")
    if result.error is not None:
        raise PatchInvalid(result.error, patch)
    if result.unknown and mode == "strict":
        raise PatchInvalid(server_decode.strict_detail(result.unknown), patch)
    for path in result.unknown:
        out.err(f'Warning: unknown field "{path}"')
    typed = convert(kind, edited, strict=False)
    return typed.obj if typed.error is None and typed.obj is not None else edited
