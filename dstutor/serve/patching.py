"""PATCH bodies: strategic merge, JSON merge (RFC 7386), JSON patch (RFC 6902).

A small strategic merge for what kubectl sends (apply, set image, taint, cordon, undo,
rollout restart); the `admin` branch's dstutor/model/strategicpatch.py is the full one
with the same signatures: once it is on main, `from dstutor.model.strategicpatch import
json_patch, merge_patch, strategic_merge` replaces the three functions below.
"""

from __future__ import annotations

from typing import Any

from dstutor.model.objects import clone

# patchMergeKey of the list fields kubectl patches (the Go types' struct tags); a list not
# named here is replaced whole (taints, tolerations, args, command).
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "env": "name", "ports": "containerPort", "volumeMounts": "mountPath",
    "volumeDevices": "devicePath", "imagePullSecrets": "name", "ownerReferences": "uid",
    "conditions": "type", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
}
PRIMITIVE_MERGE = {"finalizers"}


def merge_patch(original: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return clone(patch)
    result = clone(original) if isinstance(original, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def strategic_merge(original: Any, patch: Any, kind: str = "") -> Any:
    if not isinstance(patch, dict):
        return clone(patch)
    return _merge_map(original if isinstance(original, dict) else {}, patch)


def _merge_map(original: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    if patch.get("$patch") == "replace":
        return {k: clone(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return {}
    result = clone(original)
    retain = patch.get("$retainKeys")
    orders = {k.split("/", 1)[1]: v for k, v in patch.items()
              if k.startswith("$setElementOrder/")}
    for key, value in patch.items():
        if key.startswith("$"):
            if key.startswith("$deleteFromPrimitiveList/"):
                name = key.split("/", 1)[1]
                result[name] = [x for x in result.get(name) or [] if x not in value]
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            result[key] = _merge_map(result.get(key) if isinstance(result.get(key), dict)
                                     else {}, value)
        elif isinstance(value, list) and key in MERGE_KEYS and isinstance(result.get(key), list):
            result[key] = _merge_list(result[key], value, MERGE_KEYS[key], orders.get(key))
        elif isinstance(value, list) and key in PRIMITIVE_MERGE:
            merged = list(result.get(key) or [])
            merged += [x for x in value if x not in merged]
            result[key] = merged
        else:
            result[key] = [_strip(v) for v in value] if isinstance(value, list) else value
    for key, order in orders.items():
        if key not in patch and isinstance(result.get(key), list) and key in MERGE_KEYS:
            result[key] = _order(result[key], order, MERGE_KEYS[key])
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    return result


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$")}
    return clone(value)


def _merge_list(original: list[Any], patch: list[Any], key: str,
                order: list[Any] | None) -> list[Any]:
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return [_strip(p) for p in patch if not (isinstance(p, dict) and "$patch" in p)]
    result = [clone(x) for x in original]
    for item in patch:
        if not isinstance(item, dict):
            continue
        at = next((i for i, x in enumerate(result)
                   if isinstance(x, dict) and x.get(key) == item.get(key)), None)
        if item.get("$patch") == "delete":
            if at is not None:
                del result[at]
        elif at is None:
            result.append(_strip(item))
        else:
            result[at] = _merge_map(result[at], item)
    return _order(result, order, key) if order else result


def _order(items: list[Any], order: list[Any], key: str) -> list[Any]:
    wanted = [o.get(key) for o in order if isinstance(o, dict)]
    ranked = {k: i for i, k in enumerate(wanted)}
    listed = sorted((x for x in items if isinstance(x, dict) and x.get(key) in ranked),
                    key=lambda x: ranked[x.get(key)])
    rest = [x for x in items if not (isinstance(x, dict) and x.get(key) in ranked)]
    return listed + rest


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise ValueError(f"JSON pointer must be empty or start with a \"/\": {path}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, tokens: list[str]) -> Any:
    cur = doc
    for tok in tokens[:-1]:
        if isinstance(cur, dict) and tok in cur:
            cur = cur[tok]
        elif isinstance(cur, list) and tok.isdigit() and int(tok) < len(cur):
            cur = cur[int(tok)]
        else:
            raise ValueError(f"doc is missing path: {'/' + '/'.join(tokens)}")
    return cur


def json_patch(original: Any, operations: Any) -> Any:
    if not isinstance(operations, list):
        raise ValueError("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
    doc = clone(original)
    for op in operations:
        if not isinstance(op, dict):
            raise ValueError("invalid JSON patch operation")
        kind, tokens = op.get("op"), _pointer(str(op.get("path", "")))
        if not tokens:
            raise ValueError("cannot patch the whole document")
        parent, last = _parent(doc, tokens), tokens[-1]
        if kind in ("add", "replace"):
            value = clone(op.get("value"))
            if isinstance(parent, list):
                index = len(parent) if last == "-" else int(last)
                if kind == "add":
                    parent.insert(index, value)
                else:
                    parent[index] = value
            else:
                if kind == "replace" and last not in parent:
                    raise ValueError(f"replace operation does not apply: doc is missing key: "
                                     f"{op.get('path')}: missing value")
                parent[last] = value
        elif kind == "remove":
            if isinstance(parent, list):
                del parent[int(last)]
            elif last in parent:
                del parent[last]
            else:
                raise ValueError(f"error in remove for path: '{op.get('path')}': unable to "
                                 f"remove nonexistent key: {last}: missing value")
        elif kind == "test":
            if (parent[int(last)] if isinstance(parent, list) else parent.get(last)) != op.get(
                    "value"):
                raise ValueError(f"testing value {op.get('path')} failed: test failed")
        else:
            raise ValueError(f"Unexpected kind: {kind}")
    return doc
