"""`kubectl replace -f`: PUT each manifest over the live object; `--force` deletes, then creates.

The API server decodes the body as it decodes a create (same words, `error when replacing`),
then refuses a replace of an object that does not exist (PUT does not create DaemonSets,
Deployments, Pods ...) and one whose resourceVersion is stale. kubectl fills in the live
resourceVersion when the manifest has none, so only a manifest that carries one (a saved
`kubectl get -o yaml`) can conflict.
"""

from __future__ import annotations

from dstutor.errors import Conflict, DstutorError, NotFound
from dstutor.kubectl.commands._base import Env, OutputBuffer, flag_bool, flag_float, flag_int
from dstutor.kubectl.commands._manifest import (
    Info,
    decode_body,
    first_hint,
    last_applied,
    load_infos,
    report,
    with_source,
)
from dstutor.kubectl.commands._printing import report_object
from dstutor.kubectl.commands.delete import wait_gone
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.model.objects import LAST_APPLIED_ANNOTATION, Obj, clone

NO_OBJECTS_REPLACE_ERR = "error: no objects passed to replace"
CONFLICT_MSG = ('Operation cannot be fulfilled on {resource} "{name}": the object has been '
                "modified; please apply your changes to the latest version and try again")
# forceReplace waits this long for the deleted objects to go when --timeout is 0.
FORCE_WAIT_SECONDS = 300.0
_PROPAGATION = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}


def with_annotation(cmd: KubectlCommand, manifest: Obj) -> Obj:
    """util.CreateOrUpdateAnnotation: --save-config writes last-applied; without it a
    manifest that already carries one gets it refreshed; otherwise nothing changes."""
    obj = clone(manifest)
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return obj
    anns = meta.get("annotations")
    has_original = isinstance(anns, dict) and bool(anns.get(LAST_APPLIED_ANNOTATION))
    if not flag_bool(cmd, "save-config") and not has_original:
        return obj
    if not isinstance(anns, dict):
        anns = meta["annotations"] = {}
    anns.pop(LAST_APPLIED_ANNOTATION, None)
    applied = last_applied(obj)
    anns[LAST_APPLIED_ANNOTATION] = applied
    return obj


def _replace_one(env: Env, cmd: KubectlCommand, info: Info, out: OutputBuffer) -> None:
    obj = with_annotation(cmd, info.obj)
    if cmd.dry_run == "client":
        report_object(cmd, out, obj, "replaced")
        return
    obj = decode_body(cmd, info, obj, out, "replacing")
    live = env.cluster.find(info.rtype.kind, info.namespace, info.name)
    try:
        if live is None:
            raise NotFound(f'{info.rtype.display} "{info.name}" not found')
        wanted = obj.get("metadata", {}).get("resourceVersion")
        if wanted and wanted != live["metadata"].get("resourceVersion"):
            raise Conflict(CONFLICT_MSG.format(resource=info.rtype.display, name=info.name))
        obj.setdefault("metadata", {})["resourceVersion"] = live["metadata"].get(
            "resourceVersion")
        updated = env.cluster.update(obj, dry_run=cmd.dry_run == "server")
    except DstutorError as exc:
        raise with_source(exc, "replacing", info.source) from None
    out.changed = out.changed or cmd.dry_run == "none"
    report_object(cmd, out, updated, "replaced")


def _force_replace(env: Env, cmd: KubectlCommand, infos: list[Info], out: OutputBuffer,
                   errors: list[DstutorError]) -> None:
    """Delete every object (absent ones quietly), wait until they are gone, create each."""
    propagation = _PROPAGATION.get(str(cmd.flags.get("cascade") or "background"), "Background")
    grace = flag_int(cmd, "grace-period")
    grace = 1 if grace == 0 else grace  # replace turns 0 into 1, as its Complete does
    gone: list[tuple[str, str, str]] = []
    for info in infos:
        try:
            env.cluster.delete(info.rtype.kind, info.namespace, info.name,
                               propagation=propagation, grace_seconds=None if grace < 0 else grace)
        except NotFound:
            continue
        except DstutorError as exc:
            errors.append(exc)
            continue
        out.changed = True
        where = f" from {info.namespace} namespace" if info.rtype.namespaced else ""
        out.line(f'{info.rtype.singular_display} "{info.name}" deleted{where}')
        gone.append((info.rtype.kind, info.namespace, info.name))
    timeout = flag_float(cmd, "timeout") or FORCE_WAIT_SECONDS
    if gone and not wait_gone(env, gone, timeout):
        errors.append(DstutorError("error: timed out waiting for the condition"))
        return
    for info in infos:
        try:
            # Helper.Create's errors reach the user without the file's name.
            obj = decode_body(cmd, info, with_annotation(cmd, info.obj), out, "")
            created = env.cluster.create(obj)
        except DstutorError as exc:
            errors.append(exc)
            continue
        out.changed = True
        report_object(cmd, out, created, "replaced")


@handles("replace")
def run_replace(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    infos, errors = load_infos(env, cmd)
    if not infos and not errors:
        raise DstutorError(NO_OBJECTS_REPLACE_ERR)
    if flag_bool(cmd, "force"):
        _force_replace(env, cmd, infos, out, errors)
    else:
        for info in infos:
            try:
                _replace_one(env, cmd, info, out)
            except DstutorError as exc:
                errors.append(exc)
    out.hint = out.hint or first_hint(errors)
    failure = report(errors)
    if failure is not None:
        raise failure
