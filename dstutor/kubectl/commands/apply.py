"""`kubectl apply -f`, `create -f` and `create namespace` (`edit` is in edit.py)."""

from __future__ import annotations

import json
from typing import Any

from dstutor.errors import ApiError, DstutorError, Invalid
from dstutor.kubectl.commands._base import (
    Env,
    OutputBuffer,
    error,
    flag_bool,
)
from dstutor.kubectl.commands._manifest import (
    Info,
    decode_body,
    first_hint,
    last_applied,
    load_infos,
    patch_error,
    report,
    with_source,
)
from dstutor.kubectl.commands._printing import report_object
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.model import defaults
from dstutor.model.objects import LAST_APPLIED_ANNOTATION, Obj, canonical_json, clone
from dstutor.model.strategicpatch import apply_three_way, three_way_patch

NO_OBJECTS_APPLY_ERR = "error: no objects passed to apply"
NO_OBJECTS_CREATE_ERR = "error: no objects passed to create"
MISSING_LAST_APPLIED_WARN = (
    "Warning: resource {resource}/{name} is missing the "
    "kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl "
    "apply. kubectl apply should only be used on resources created declaratively by either "
    "kubectl create --save-config or kubectl apply. The missing annotation will be patched "
    "automatically.")
_SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "generation",
                  "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences",
                  "finalizers", "managedFields", "selfLink")


def three_way(live: Any, last: Any, new: Any) -> Any:
    """Merge like apply: fields in `new` win, fields only in `last` go, the rest of `live` stays.

    Lists are replaced whole (strategic merge would merge containers by name; replacing
    gives the same result for manifests that list every container).
    """
    if isinstance(new, dict) and isinstance(live, dict):
        last_map = last if isinstance(last, dict) else {}
        merged = {k: v for k, v in live.items() if not (k in last_map and k not in new)}
        for key, value in new.items():
            merged[key] = three_way(live.get(key), last_map.get(key), value)
        return merged
    return clone(new)


def _strip_for_compare(obj: Obj) -> str:
    data = clone(obj)
    meta = data.get("metadata", {})
    meta.pop("resourceVersion", None)
    data.pop("status", None)
    return canonical_json(data)


def _apply_one(env: Env, cmd: KubectlCommand, info: Info, out: OutputBuffer) -> None:
    cluster = env.cluster
    manifest = clone(info.obj)
    if not isinstance(manifest.get("metadata"), dict):
        # Nothing to look up by name: the server's decode refuses the body.
        decode_body(cmd, info, manifest, out, "creating")
    live = cluster.find(info.rtype.kind, info.namespace, info.name)
    # GetModifiedConfiguration sets the (possibly empty) annotations map before encoding,
    # which is why real last-applied values carry `"annotations":{}`.
    anns = manifest["metadata"].get("annotations")
    if not isinstance(anns, dict) or not all(isinstance(v, str) for v in anns.values()):
        # unstructured's GetAnnotations reads anything but a string map as none at all.
        anns = manifest["metadata"]["annotations"] = {}
    anns.pop(LAST_APPLIED_ANNOTATION, None)
    applied = last_applied(manifest)
    desired = clone(manifest)
    desired["metadata"].setdefault("annotations", {})[LAST_APPLIED_ANNOTATION] = applied
    dry = cmd.dry_run != "none"
    if live is None:
        decoded = decode_body(cmd, info, desired, out, "creating")
        if cmd.dry_run != "client":
            desired = decoded
        try:
            # A client-side dry run never reaches the server: nothing is validated.
            created = desired if cmd.dry_run == "client" else cluster.create(desired,
                                                                             dry_run=dry)
        except DstutorError as exc:
            raise with_source(exc, "creating", info.source) from None
        out.changed = out.changed or not dry
        report_object(cmd, out, created, "created")
        return
    live = clone(live)
    previous = (live["metadata"].get("annotations") or {}).get(LAST_APPLIED_ANNOTATION)
    if previous is None:
        out.err(MISSING_LAST_APPLIED_WARN.format(resource=info.rtype.plural, name=info.name))
        last: Any = {}
    else:
        try:
            last = json.loads(previous)
        except ValueError:
            last = {}
    patch = three_way_patch(last, desired, live, info.rtype.kind)
    decoded = decode_body(cmd, info, desired, out, "patching", patch)
    if cmd.dry_run != "client":
        desired = decoded
    merged = apply_three_way(live, last, desired, info.rtype.kind)
    for field in _SERVER_FIELDS:
        if field in live["metadata"]:
            merged["metadata"][field] = clone(live["metadata"][field])
    check = clone(merged)
    defaults.apply_defaults(check)
    if _strip_for_compare(check) == _strip_for_compare(live):
        report_object(cmd, out, live, "unchanged")
        return
    try:
        updated = merged if cmd.dry_run == "client" else env.cluster.update(merged,
                                                                             dry_run=dry)
    except ApiError as exc:
        if isinstance(exc, Invalid):
            raise
        raise type(exc)(patch_error(info, patch, exc.message)) from None
    out.changed = out.changed or not dry
    report_object(cmd, out, updated, "configured")


@handles("apply")
def run_apply(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    if flag_bool(cmd, "server-side"):
        raise error("dstutor does not simulate server-side apply; drop --server-side")
    infos, errors = load_infos(env, cmd)
    if not infos and not errors:
        raise DstutorError(NO_OBJECTS_APPLY_ERR)
    for info in infos:
        try:
            _apply_one(env, cmd, info, out)
        except DstutorError as exc:
            errors.append(exc)
    _finish(errors, out)


def _finish(errors: list[DstutorError], out: OutputBuffer) -> None:
    out.hint = out.hint or first_hint(errors)
    failure = report(errors)
    if failure is not None:
        raise failure


@handles("create")
def run_create(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    if cmd.args:
        # `kubectl create daemonset x`: the parser lets the hint through; kubectl itself
        # says the subcommand does not exist.
        raise error(f'unknown command "{cmd.args[0]}" for "kubectl create"')
    infos, errors = load_infos(env, cmd)
    if not infos and not errors:
        raise DstutorError(NO_OBJECTS_CREATE_ERR)
    dry = cmd.dry_run != "none"
    for info in infos:
        try:
            obj = clone(info.obj)
            decoded = decode_body(cmd, info, obj, out, "creating")
            if cmd.dry_run != "client":
                obj = decoded
            if flag_bool(cmd, "save-config"):
                obj["metadata"].setdefault("annotations", {})[LAST_APPLIED_ANNOTATION] = (
                    last_applied(info.obj))
            try:
                created = obj if cmd.dry_run == "client" else env.cluster.create(
                    obj, dry_run=dry)
            except DstutorError as exc:
                raise with_source(exc, "creating", info.source) from None
            out.changed = out.changed or not dry
            report_object(cmd, out, created, "created")
        except DstutorError as exc:
            errors.append(exc)
    _finish(errors, out)


@handles("create namespace")
def run_create_namespace(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    if len(cmd.args) != 1:
        raise error("exactly one NAME is required, got " + str(len(cmd.args)) +
                    "\nSee 'kubectl create namespace -h' for help and examples")
    ns: Obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": cmd.args[0]}}
    if flag_bool(cmd, "save-config"):
        ns["metadata"]["annotations"] = {LAST_APPLIED_ANNOTATION: last_applied(ns)}
    dry = cmd.dry_run != "none"
    created = env.cluster.create(ns, dry_run=dry) if cmd.dry_run != "client" else ns
    out.changed = not dry
    report_object(cmd, out, created, "created")

