"""POST, PUT, PATCH and DELETE on the simulator (called with the lock held).

Every write goes through the simulator's API server (defaulting, validation), so a
refusal is the same one the REPL shows, sent as a Status.
"""

from __future__ import annotations

import json
from typing import Any

from dstutor import yamlio
from dstutor.errors import ApiError, DstutorError, NotFound
from dstutor.model import strategicpatch as patching
from dstutor.model.objects import Obj, canonical_json, clone
from dstutor.serve import bodies, managed, protobuf, validate
from dstutor.serve.encode import dumps
from dstutor.serve.managed import Ownership
from dstutor.serve.routes import Target, check_name
from dstutor.serve.select import matcher
from dstutor.serve.status import (
    StatusError,
    bad_request,
    conflict,
    from_api_error,
    method_not_allowed,
)
from dstutor.sim.cluster import Cluster

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"


class Written:
    """What a write handler returns: code, encoded body, warnings."""

    def __init__(self, code: int, body: Any, warnings: list[str] | None = None) -> None:
        self.code = code
        meta = body.get("metadata") if isinstance(body, dict) else None
        self.name = str(meta.get("name", "")) if isinstance(meta, dict) else ""
        self.body = dumps(body)
        self.warnings = warnings or []


def _refuse(exc: ApiError, t: Target, name: str = "") -> StatusError:
    return from_api_error(exc, resource=t.rt.plural, group=t.rt.group, name=name or t.name)


def live(cluster: Cluster, t: Target) -> Obj:
    obj = cluster.find(t.rt.kind, t.namespace or "", t.name)
    if obj is None:
        raise _refuse(NotFound(f'{t.rt.display} "{t.name}" not found'), t)
    return obj


def _decode(body: bytes, ctype: str = "") -> Any:
    """A server-side apply's YAML, or DeleteOptions / an Eviction as JSON."""
    if ctype != APPLY_PATCH:
        return bodies.options_body(body)
    if not body:
        raise bad_request("the body of the request was empty")
    try:
        return yamlio.load_one(body.decode("utf-8"), "request body")
    except (ValueError, UnicodeDecodeError, DstutorError) as exc:
        raise bad_request(f"the object provided is unrecognized: {exc}") from None
    except RecursionError:
        raise bad_request("the object provided is unrecognized: nested too deeply") from None


def _object(body: bytes, t: Target) -> Obj:
    obj = bodies.object_body(body, t.rt.kind, t.rt.version)  # a dict, or refused
    kind = obj.get("kind")
    if kind is not None and kind != t.rt.kind:
        raise bad_request(f'{kind} in version "{t.rt.version}" cannot be handled as a '
                          f'{t.rt.kind}: no kind "{kind}" is registered for the '
                          f'{t.rt.version} version')
    obj["kind"] = t.rt.kind
    obj.setdefault("apiVersion", t.rt.api_version)
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = obj["metadata"] = {}
    if t.rt.namespaced:
        body_ns = meta.get("namespace")
        if body_ns and body_ns != t.namespace:
            raise bad_request("the namespace of the provided object does not match the "
                              "namespace sent on the request")
        meta["namespace"] = t.namespace
    return obj


def _dry(query: dict[str, str]) -> bool:
    return query.get("dryRun") == "All"


def write(cluster: Cluster, method: str, t: Target, query: dict[str, str], ctype: str,
          body: bytes, owners: Ownership) -> Written:
    ctype = ctype.split(";", 1)[0].strip().lower()
    if body and ctype == PROTOBUF:
        # A typed client (kubectl create deployment, create namespace) sends protobuf.
        try:
            body = dumps(protobuf.decode(body))
        except protobuf.ProtobufError as exc:
            raise StatusError(415, "UnsupportedMediaType",
                              f"the body of the request was in an unknown format - accepted "
                              f"media types include: application/json, application/yaml "
                              f"({exc})", {}) from None
        ctype = "application/json"
    manager = query.get("fieldManager") or "kubectl"
    before = cluster.find(t.rt.kind, t.namespace or "", t.name) if t.name else None
    before = clone(before) if before is not None else None
    try:
        if method == "PATCH" and t.name and ctype == APPLY_PATCH and not t.sub:
            return _server_side_apply(cluster, t, query, _decode(body, ctype), owners)
        if method == "POST" and not t.name:
            done = _create(cluster, t, query, body)
        elif method == "POST" and t.sub == "eviction":
            return _evict(cluster, t, body)
        elif method == "PUT" and t.name:
            done = _update(cluster, t, query, body)
        elif method == "PATCH" and t.name:
            done = _patch(cluster, t, query, ctype, body)
        elif method == "DELETE" and t.name and not t.sub:
            return _delete(cluster, t, query, body)
        elif method == "DELETE" and not t.name and t.rt.kind != "Namespace":
            return _delete_collection(cluster, t, query, body)
        else:
            raise method_not_allowed()
    except ApiError as exc:
        raise _refuse(exc, t) from None
    after = cluster.find(t.rt.kind, t.namespace or "", t.name or done.name)
    if after is not None and not _dry(query):
        owners.record_update(manager, t.rt.api_version, before, after)
    return done


def _create(cluster: Cluster, t: Target, query: dict[str, str], body: bytes) -> Written:
    obj = _object(body, t)
    warnings = validate.fields(t.rt, obj, query.get("fieldValidation", "Warn"))
    name = (obj.get("metadata") or {}).get("name", "")
    try:
        created = cluster.create(obj, dry_run=_dry(query))
    except ApiError as exc:
        raise _refuse(exc, t, name) from None
    return Written(201, created, warnings)


def _check_version(t: Target, current: Obj, wanted: Obj) -> None:
    rv = (wanted.get("metadata") or {}).get("resourceVersion")
    if rv and rv != current["metadata"].get("resourceVersion"):
        raise conflict(t.rt.plural, t.rt.group, t.name)


def _update(cluster: Cluster, t: Target, query: dict[str, str], body: bytes) -> Written:
    check_name(t.name)
    obj = _object(body, t)
    if obj["metadata"].get("name") != t.name:
        raise bad_request(f"the name of the object ({obj['metadata'].get('name')}) does not "
                          f"match the name on the URL ({t.name})")
    current = live(cluster, t)
    if t.sub == "scale":
        return _set_replicas(cluster, t, current, obj, query)
    _check_version(t, current, obj)
    warnings = validate.fields(t.rt, obj, query.get("fieldValidation", "Warn"))
    if t.sub == "status":
        return _set_status(cluster, t, current, obj, query)
    return Written(200, cluster.update(obj, dry_run=_dry(query)), warnings)


def _patch(cluster: Cluster, t: Target, query: dict[str, str], ctype: str,
           body: bytes) -> Written:
    if ctype not in (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH):  # before the object is read
        raise StatusError(415, "UnsupportedMediaType",
                          f'the body of the request was in an unknown format - accepted '
                          f'media types include: {JSON_PATCH}, {MERGE_PATCH}, '
                          f'{APPLY_PATCH}, {STRATEGIC_PATCH}', {})
    current = live(cluster, t)
    base = scale_of(current) if t.sub == "scale" else clone(current)
    doc = bodies.patch_body(body, ctype, query.get("fieldValidation", "Warn"))
    try:
        if ctype == JSON_PATCH:
            merged = patching.json_patch(base, doc)
        elif ctype == MERGE_PATCH:
            merged = patching.merge_patch(base, doc)
        else:
            merged = patching.strategic_merge(base, doc, t.rt.kind)
    except ValueError as exc:
        raise StatusError(422 if ctype == JSON_PATCH else 400,
                          "Invalid" if ctype == JSON_PATCH else "BadRequest", str(exc)) from None
    if not isinstance(merged, dict):
        raise bad_request("the patch did not produce an object")
    if t.sub == "scale":
        return _set_replicas(cluster, t, current, merged, query)
    _check_version(t, current, merged)
    merged["metadata"]["resourceVersion"] = current["metadata"].get("resourceVersion")
    warnings = validate.fields(t.rt, merged, query.get("fieldValidation", "Warn"), patch=doc)
    if t.sub == "status":
        return _set_status(cluster, t, current, merged, query)
    if canonical_json(merged) == canonical_json(current):
        return Written(200, current, warnings)  # a no-op patch writes nothing
    return Written(200, cluster.update(merged, dry_run=_dry(query)), warnings)


def _server_side_apply(cluster: Cluster, t: Target, query: dict[str, str], doc: Any,
                       owners: Ownership) -> Written:
    """Server-side apply: the applier owns the fields it sends; a field another manager
    set to a different value is a conflict unless forced; fields it applied before and
    no longer sends (and nobody else owns) are removed."""
    manager = query.get("fieldManager")
    if not manager:
        raise bad_request("PATCH, application/apply-patch+yaml requests require a "
                          "fieldManager query parameter")
    obj = _object(dumps(doc), t)
    if obj["metadata"].get("name") != t.name:
        raise bad_request(f"the name of the object ({obj['metadata'].get('name')}) does not "
                          f"match the name on the URL ({t.name})")
    warnings = validate.fields(t.rt, obj, query.get("fieldValidation", "Strict"))
    applied = managed.leaves(obj)
    current = cluster.find(t.rt.kind, t.namespace or "", t.name)
    if current is None:
        created = cluster.create(obj, dry_run=_dry(query))
        if not _dry(query):
            owners.record_apply(manager, t.rt.api_version, created, set(applied), set())
        return Written(201, created, warnings)
    found = owners.conflicts(manager, current, applied)
    if found and query.get("force") != "true":
        raise managed.conflict_error(found)
    uid = current["metadata"].get("uid", "")
    merged = patching.strategic_merge(clone(current), obj, t.rt.kind)
    gone = owners.previously_applied(uid, manager) - applied.keys() - owners.others(uid, manager)
    for path in gone:
        _remove(merged, path)
    merged["metadata"]["resourceVersion"] = current["metadata"].get("resourceVersion")
    if canonical_json(merged) == canonical_json(current):
        updated = current
    else:
        updated = cluster.update(merged, dry_run=_dry(query))
    if not _dry(query):
        owners.record_apply(manager, t.rt.api_version, updated, set(applied),
                            {p for _, p in found})
    return Written(200, updated, warnings)


def _remove(obj: Any, path: managed.Path) -> None:
    """Delete the field at a managed-fields path (a list item when the path is its key)."""
    cur = obj
    for i, element in enumerate(path):
        last = i == len(path) - 1
        if element.startswith("."):
            if not isinstance(cur, dict) or element[1:] not in cur:
                return
            if last:
                del cur[element[1:]]
                return
            nxt = path[i + 1]
            if (i + 2 == len(path) and nxt.startswith(".") and isinstance(cur[element[1:]], list)
                    and managed.MERGE_KEYS.get(element[1:]) == nxt[1:]):
                return  # a list item's key: the item goes when its parent path says so
            cur = cur[element[1:]]
        else:
            key, _, raw = element[1:-1].partition("=")
            value = json.loads(raw)
            if not isinstance(cur, list):
                return
            at = next((n for n, item in enumerate(cur)
                       if isinstance(item, dict) and item.get(key) == value), None)
            if at is None:
                return
            if i + 2 == len(path) and path[i + 1] == f".{key}":
                del cur[at]
                return
            cur = cur[at]


def _set_status(cluster: Cluster, t: Target, current: Obj, obj: Obj,
                query: dict[str, str]) -> Written:
    if _dry(query):
        return Written(200, obj)
    cluster.api.update_status(current, clone(obj.get("status") or {}))
    cluster.settle()
    return Written(200, clone(current))


def scale_of(obj: Obj) -> Obj:
    from dstutor.model.selectors import format_label_selector

    if obj["kind"] not in ("Deployment", "ReplicaSet"):
        raise StatusError(404, "NotFound", "the server could not find the requested resource",
                          {})
    meta = obj["metadata"]
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion",
                                               "creationTimestamp") if k in meta},
            "spec": {"replicas": obj["spec"].get("replicas", 1)},
            "status": {"replicas": (obj.get("status") or {}).get("replicas", 0),
                       "selector": format_label_selector(obj["spec"].get("selector"))}}


def _set_replicas(cluster: Cluster, t: Target, current: Obj, scale: Obj,
                  query: dict[str, str]) -> Written:
    replicas = (scale.get("spec") or {}).get("replicas")
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        raise bad_request("spec.replicas must be an integer")
    _check_version(t, current, scale)
    obj = clone(current)
    obj["spec"]["replicas"] = replicas
    updated = cluster.update(obj, dry_run=_dry(query))
    return Written(200, scale_of(updated))


def _delete_options(query: dict[str, str], body: bytes) -> Obj:
    opts: Obj = {}
    if body.strip():
        decoded = _decode(body)
        if not isinstance(decoded, dict):
            raise bad_request("the body of the request must be DeleteOptions")
        opts = decoded
    for key in ("propagationPolicy", "gracePeriodSeconds", "dryRun"):
        if key in query and key not in opts:
            value: Any = query[key]
            if key == "gracePeriodSeconds":
                try:
                    value = int(value)
                except ValueError:
                    raise bad_request(f"invalid gracePeriodSeconds: {value}") from None
            opts[key] = [value] if key == "dryRun" else value
    return opts


def _propagation(asked: Any, opts: Obj) -> str:
    """DeleteOptions' propagationPolicy, or what orphanDependents implies; 422 if unknown."""
    propagation = asked if asked is not None else (
        "Orphan" if opts.get("orphanDependents") else "Background")
    if propagation not in ("Background", "Foreground", "Orphan"):
        raise StatusError(422, "Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: '
                          f'propagationPolicy: Unsupported value: "{propagation}": supported '
                          'values: "Foreground", "Background", "Orphan", "nil"')
    return str(propagation)


def _grace_and_dry(opts: Obj) -> tuple[Any, bool]:
    return opts.get("gracePeriodSeconds"), "All" in (opts.get("dryRun") or [])


def _delete(cluster: Cluster, t: Target, query: dict[str, str], body: bytes) -> Written:
    opts = _delete_options(query, body)
    current = live(cluster, t)
    pre = opts.get("preconditions") or {}
    if pre.get("resourceVersion") and pre["resourceVersion"] != current["metadata"].get(
            "resourceVersion"):
        raise conflict(t.rt.plural, t.rt.group, t.name)
    if pre.get("uid") and pre["uid"] != current["metadata"].get("uid"):
        raise conflict(t.rt.plural, t.rt.group, t.name)
    propagation = _propagation(opts.get("propagationPolicy"), opts)
    grace, dry = _grace_and_dry(opts)
    before = cluster.delete(t.rt.kind, t.namespace or "", t.name, propagation=propagation,
                            grace_seconds=grace if isinstance(grace, int) else None,
                            dry_run=dry)
    after = cluster.find(t.rt.kind, t.namespace or "", t.name)
    return Written(200, clone(after) if after is not None else before)


def _delete_collection(cluster: Cluster, t: Target, query: dict[str, str],
                       body: bytes) -> Written:
    """deletecollection: every object the selectors match, each deleted as a DELETE of its
    own would; the reply is the list of what was deleted (as the real server sends it)."""
    opts = _delete_options(query, body)
    propagation = _propagation(opts.get("propagationPolicy") or None, opts)
    grace, dry = _grace_and_dry(opts)
    matches = matcher(t.rt, query)
    doomed = [clone(o) for o in cluster.store.list(t.rt.kind, t.namespace) if matches(o)]
    items: list[Obj] = []
    for obj in doomed:
        meta = obj["metadata"]
        ns, name = meta.get("namespace", ""), meta["name"]
        if cluster.find(t.rt.kind, ns, name) is None:
            continue  # gone with an owner deleted before it
        before = cluster.delete(t.rt.kind, ns, name, propagation=propagation,
                                grace_seconds=grace if isinstance(grace, int) else None,
                                dry_run=dry)
        after = cluster.find(t.rt.kind, ns, name)
        items.append(clone(after) if after is not None and not dry else before)
    return Written(200, {"kind": f"{t.rt.kind}List", "apiVersion": t.rt.api_version,
                         "metadata": {"resourceVersion": str(cluster.store.resource_version())},
                         "items": items})


def _evict(cluster: Cluster, t: Target, body: bytes) -> Written:
    doc = _decode(body) if body.strip() else {}
    opts = (doc.get("deleteOptions") if isinstance(doc, dict) else None) or {}
    live(cluster, t)
    grace = opts.get("gracePeriodSeconds")
    dry = "All" in (opts.get("dryRun") or [])
    cluster.delete("Pod", t.namespace or "", t.name, propagation="Background",
                   grace_seconds=grace if isinstance(grace, int) else None, dry_run=dry)
    return Written(201, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                         "status": "Success", "code": 201})
