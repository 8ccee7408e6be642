"""Strategic merge patch, JSON merge patch (RFC 7386) and JSON patch (RFC 6902).

Strategic merge patch is JSON merge patch plus list rules from the API types: a list
tagged `patchStrategy:"merge"` with a `patchMergeKey` (containers by `name`, ports by
`containerPort`) merges item by item; an untagged list (tolerations, args) is replaced
whole. The tags of the v1.37 types are in patch_keys.json (scripts/gen_patch_keys.py).
The directives `$patch: replace|delete|merge`, `$retainKeys`, `$deleteFromPrimitiveList/`
and `$setElementOrder/` are understood as upstream's strategicpatch package does.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from dstutor.model.objects import clone

_KEYS_FILE = Path(__file__).with_name("patch_keys.json")
DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"
SET_ORDER = "$setElementOrder/"


class PatchError(ValueError):
    """A patch that cannot apply; str() is the API server's message."""


class PatchDecodeError(PatchError):
    """A JSON patch that is not a list of operations (jsonpatch.DecodePatch fails: 400)."""


@cache
def _table() -> dict[str, dict[str, list[str]]]:
    data = json.loads(_KEYS_FILE.read_text(encoding="utf-8"))
    return data["kinds"]


def list_strategy(kind: str, path: str) -> tuple[str, str]:
    """(strategy, merge key) of the field at dotted `path` of `kind`; ("", "") if untagged."""
    found = _table().get(kind, {}).get(path)
    return (found[0], found[1]) if found else ("", "")


# --- strategic merge patch -------------------------------------------------------------------

def strategic_merge(original: Any, patch: Any, kind: str) -> Any:
    """`original` with the strategic merge `patch` applied (neither is changed)."""
    if not isinstance(patch, dict):
        raise PatchError("unable to find api field in struct Unstructured for the json field "
                         "\"$patch\"" if patch is None else
                         f"json: cannot unmarshal {json_type_name(patch)} into Go value of type "
                         "map[string]interface {}")
    return _merge_map(original if isinstance(original, dict) else {}, patch, kind, "")


def json_type_name(value: Any) -> str:
    """What Go's UnmarshalTypeError calls a JSON value ("cannot unmarshal array into ...")."""
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    return "null" if value is None else "number"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _merge_map(original: dict[str, Any], patch: dict[str, Any], kind: str, path: str
               ) -> dict[str, Any]:
    directive = patch.get(DIRECTIVE)
    if directive == "replace":
        return {k: clone(v) for k, v in patch.items() if k != DIRECTIVE}
    if directive == "delete":
        return {}
    if directive not in (None, "merge"):
        raise PatchError(f"Unknown patch type: {directive} in map: {json.dumps(patch)}")
    result = {k: clone(v) for k, v in original.items()}
    for key, value in patch.items():
        if key in (DIRECTIVE, RETAIN_KEYS) or key.startswith(SET_ORDER):
            continue
        if key.startswith(DELETE_PRIMITIVE):
            name = key[len(DELETE_PRIMITIVE):]
            if isinstance(result.get(name), list) and isinstance(value, list):
                result[name] = [v for v in result[name] if v not in value]
            continue
        here = _join(path, key)
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge_map(result[key], value, kind, here)
        elif isinstance(value, dict):
            result[key] = _merge_map({}, value, kind, here)
        elif isinstance(value, list):
            strategy, merge_key = list_strategy(kind, here)
            if "merge" in strategy.split(","):
                current = result.get(key)
                result[key] = _merge_list(current if isinstance(current, list) else [], value,
                                          merge_key, kind, here)
            else:
                result[key] = [_strip(v) for v in value]
        else:
            result[key] = clone(value)
    retain = patch.get(RETAIN_KEYS)
    if isinstance(retain, list):
        result = {k: v for k, v in result.items() if k in retain}
    for key, value in patch.items():
        if key.startswith(SET_ORDER) and isinstance(value, list):
            name = key[len(SET_ORDER):]
            if isinstance(result.get(name), list):
                strategy, merge_key = list_strategy(kind, _join(path, name))
                result[name] = _order(result[name], value, merge_key)
    return result


def _strip(value: Any) -> Any:
    """A patch value stored as is: directives inside it are dropped."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items()
                if k != DIRECTIVE and not k.startswith(("$retainKeys", SET_ORDER,
                                                         DELETE_PRIMITIVE))}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return clone(value)


def _merge_list(original: list[Any], patch: list[Any], key: str, kind: str, path: str
                ) -> list[Any]:
    if any(isinstance(item, dict) and item.get(DIRECTIVE) == "replace" and len(item) == 1
           for item in patch):
        return [_strip(item) for item in patch
                if not (isinstance(item, dict) and item.get(DIRECTIVE) == "replace")]
    if not key:  # a list of primitives: a set union, in original order, then new values
        result = [clone(v) for v in original]
        for item in patch:
            if item not in result:
                result.append(clone(item))
        return result
    result = [clone(v) for v in original]
    for item in patch:
        if not isinstance(item, dict):
            raise PatchError(f"cannot merge a list of {json_type_name(item)} by key {key}")
        if key not in item:
            raise PatchError(f"map: {_go_map(item)} does not contain declared merge key: {key}")
        index = next((i for i, v in enumerate(result)
                      if isinstance(v, dict) and v.get(key) == item[key]), None)
        if item.get(DIRECTIVE) == "delete":
            result = [v for v in result if not (isinstance(v, dict) and v.get(key) == item[key])]
        elif index is None:
            result.append(_merge_map({}, item, kind, path))
        else:
            result[index] = _merge_map(result[index], item, kind, path)
    return result


def _go_map(item: dict[str, Any]) -> str:
    return "map[" + " ".join(f"{k}:{v}" for k, v in sorted(item.items())) + "]"


def _order(items: list[Any], order: list[Any], key: str) -> list[Any]:
    def ident(v: Any) -> Any:
        return json.dumps(v.get(key) if key and isinstance(v, dict) else v, sort_keys=True)

    wanted = [ident(v) for v in order]
    ranked = sorted(range(len(items)), key=lambda i: (
        wanted.index(ident(items[i])) if ident(items[i]) in wanted else len(wanted) + i))
    return [items[i] for i in ranked]


# --- JSON merge patch ------------------------------------------------------------------------

def merge_patch(original: Any, patch: Any) -> Any:
    """RFC 7386: maps merge, null deletes, everything else replaces."""
    if not isinstance(patch, dict):
        return clone(patch)
    result = {k: clone(v) for k, v in original.items()} if isinstance(original, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# --- JSON patch ------------------------------------------------------------------------------

def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f'jsonpatch: path "{path}" must start with a slash')
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


MISSING = "missing value"  # evanphx/json-patch's ErrMissing


def _index(parent: list[Any], token: str, *, adding: bool = False) -> int:
    if adding and token == "-":
        return len(parent)
    if not token.lstrip("-").isdigit():
        raise PatchError(f"Unable to access invalid index: {token}: invalid index referenced")
    index = int(token)
    if index < 0 or index > len(parent) or (index == len(parent) and not adding):
        raise PatchError(f"Unable to access invalid index: {index}: invalid index referenced")
    return index


def _container(doc: Any, tokens: list[str]) -> Any:
    """findObject: the map or list holding the last token, or None."""
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node if isinstance(node, dict | list) else None


def _get(doc: Any, path: str, what: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return doc
    parent = _container(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise PatchError(f"{what}: {path}: {MISSING}")


def _remove(doc: Any, path: str, op: str) -> Any:
    tokens = _pointer(path)
    parent = _container(doc, tokens)
    if parent is None or not tokens:
        raise PatchError(f'{op} operation does not apply: doc is missing path: "{path}": '
                         f"{MISSING}")
    last = tokens[-1]
    try:
        if isinstance(parent, dict):
            if last not in parent:
                raise PatchError(f"unable to remove nonexistent key: {last}: {MISSING}")
            return parent.pop(last)
        return parent.pop(_index(parent, last))
    except PatchError as exc:
        raise PatchError(f"error in {op} for path: '{path}': {exc}") from None


def _add(doc: Any, path: str, value: Any, op: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return clone(value)
    parent = _container(doc, tokens)
    last = tokens[-1]
    if parent is None:
        if op == "replace":
            raise PatchError(f"replace operation does not apply: doc is missing path: {path}: "
                             f"{MISSING}")
        raise PatchError(f'{op} operation does not apply: doc is missing path: "{path}": '
                         f"{MISSING}")
    try:
        if isinstance(parent, dict):
            if op == "replace" and last not in parent:
                raise PatchError(f"replace operation does not apply: doc is missing key: "
                                 f"{path}: {MISSING}")
            parent[last] = clone(value)
        elif op == "replace":
            parent[_index(parent, last)] = clone(value)
        else:
            parent.insert(_index(parent, last, adding=True), clone(value))
    except PatchError as exc:
        if str(exc).startswith("replace operation"):
            raise
        raise PatchError(f"error in {op} for path: '{path}': {exc}") from None
    return doc


def json_patch(original: Any, operations: Any) -> Any:
    """RFC 6902 as evanphx/json-patch applies it (the library the API server uses)."""
    if operations is None:
        operations = []  # JSON null decodes to an empty patch
    if not isinstance(operations, list):
        raise PatchDecodeError(f"json: cannot unmarshal {json_type_name(operations)} into Go "
                               "value of type jsonpatch.Patch")
    for operation in operations:
        if not isinstance(operation, dict) and operation is not None:
            raise PatchDecodeError(f"json: cannot unmarshal {json_type_name(operation)} into Go "
                                   "value of type jsonpatch.Operation")
    doc = clone(original)
    for operation in operations:
        operation = operation or {}  # JSON null decodes to an empty operation
        op = operation.get("op")
        path = operation.get("path")
        if not isinstance(path, str):
            raise PatchError(f"jsonpatch {op} operation does not apply: missing path")
        if op in ("add", "replace"):
            if "value" not in operation:
                raise PatchError(f"jsonpatch {op} operation does not apply: missing value")
            doc = _add(doc, path, operation["value"], op)
        elif op == "remove":
            _remove(doc, path, op)
        elif op in ("move", "copy"):
            source = operation.get("from")
            if not isinstance(source, str):
                raise PatchError(f"jsonpatch {op} operation does not apply: missing from path")
            if op == "move":
                if _container(doc, _pointer(source)) is None:
                    raise PatchError(f"move operation does not apply: doc is missing from "
                                     f"path: {source}: {MISSING}")
                value = _remove(doc, source, op)
            else:
                value = clone(_get(doc, source, "copy operation does not apply: doc is "
                                   "missing from path"))
            doc = _add(doc, path, value, "add")
        elif op == "test":
            if _get(doc, path, "test operation does not apply: is missing path") != (
                    operation.get("value")):
                raise PatchError(f"testing value {path} failed: test failed")
        else:
            raise PatchError(f"Unexpected kind: {op}")
    return doc


# --- apply's three-way merge -----------------------------------------------------------------

def apply_three_way(live: Any, last: Any, new: Any, kind: str, path: str = "") -> Any:
    """What `kubectl apply` leaves: `new` wins, fields only in `last` go, the rest of `live`
    stays; lists tagged with a merge key merge item by item (an item dropped from the
    manifest since `last` goes, items the server or another writer added stay).

    This is the result of upstream's CreateThreeWayMergePatch applied with
    StrategicMergePatch, computed directly.
    """
    if isinstance(new, dict) and isinstance(live, dict):
        last_map = last if isinstance(last, dict) else {}
        merged = {k: clone(v) for k, v in live.items() if not (k in last_map and k not in new)}
        for key, value in new.items():
            merged[key] = apply_three_way(live.get(key), last_map.get(key), value, kind,
                                          _join(path, key))
        return merged
    if isinstance(new, list) and isinstance(live, list):
        strategy, key = list_strategy(kind, path)
        if "merge" in strategy.split(","):
            return _three_way_list(live, last if isinstance(last, list) else [], new, key,
                                   kind, path)
    return clone(new)


def _three_way_list(live: list[Any], last: list[Any], new: list[Any], key: str, kind: str,
                    path: str) -> list[Any]:
    if not key:
        dropped = [v for v in last if v not in new]
        kept = [clone(v) for v in live if v not in dropped]
        return kept + [clone(v) for v in new if v not in kept]

    def ident(item: Any) -> Any:
        return json.dumps(item.get(key), sort_keys=True) if isinstance(item, dict) else None

    live_by = {ident(v): v for v in live}
    last_by = {ident(v): v for v in last}
    new_ids = {ident(v) for v in new}
    result = [apply_three_way(live_by.get(ident(item)), last_by.get(ident(item)), item, kind,
                              path) for item in new]
    result += [clone(v) for v in live if ident(v) not in new_ids and ident(v) not in last_by]
    return result


# --- two-way patch (what `kubectl edit --output-patch` prints) ------------------------------

def two_way_patch(original: Any, modified: Any, kind: str, path: str = "") -> dict[str, Any]:
    """The strategic merge patch from `original` to `modified` (CreateTwoWayMergePatch).

    Changed and new keys carry their new value, removed keys null; a list with a merge
    key sends only its changed items plus `$setElementOrder/FIELD`, other lists go whole.
    """
    patch: dict[str, Any] = {}
    for key in original:
        if key not in modified:
            patch[key] = None
    for key, value in modified.items():
        before = original.get(key)
        here = _join(path, key)
        if key in original and before == value:
            continue
        if isinstance(value, dict) and isinstance(before, dict):
            sub = two_way_patch(before, value, kind, here)
            if sub:
                patch[key] = sub
        elif isinstance(value, list) and isinstance(before, list):
            strategy, merge_key = list_strategy(kind, here)
            if "merge" in strategy.split(",") and merge_key and all(
                    isinstance(v, dict) for v in value + before):
                patch.update(_list_patch(key, before, value, merge_key, kind, here))
            else:
                patch[key] = clone(value)
        else:
            patch[key] = clone(value)
    return patch


def _list_patch(key: str, before: list[Any], after: list[Any], merge_key: str, kind: str,
                path: str) -> dict[str, Any]:
    old = {json.dumps(v.get(merge_key)): v for v in before}
    new_ids = {json.dumps(v.get(merge_key)) for v in after}
    items: list[Any] = []
    for item in after:
        prior = old.get(json.dumps(item.get(merge_key)))
        if prior is None:
            items.append(clone(item))
        elif prior != item:
            diff = two_way_patch(prior, item, kind, path)
            diff[merge_key] = item.get(merge_key)
            items.append(diff)
    for ident, item in old.items():
        if ident not in new_ids:
            items.append({DIRECTIVE: "delete", merge_key: item.get(merge_key)})
    out: dict[str, Any] = {f"{SET_ORDER}{key}": [{merge_key: v.get(merge_key)} for v in after]}
    if items:
        out[key] = items
    return out


# --- three-way patch (what client-side `kubectl apply` sends) -------------------------------

def three_way_patch(original: Any, modified: Any, current: Any, kind: str) -> dict[str, Any]:
    """CreateThreeWayMergePatch: the changes from `current` to `modified` (deletions
    ignored, so server defaults stay) merged with the deletions from `original` (the
    last-applied configuration) to `modified`. Lists with a merge key send only their
    changed items, with `$setElementOrder/FIELD` when anything in them changed.
    """
    delta = _diff(current if isinstance(current, dict) else {}, modified, kind, "",
                  deletions=False, changes=True)
    removed = _diff(original if isinstance(original, dict) else {}, modified, kind, "",
                    deletions=True, changes=False)
    return _merge_patches(removed, delta, kind)


def _diff(original: dict[str, Any], modified: dict[str, Any], kind: str, path: str, *,
          deletions: bool, changes: bool) -> dict[str, Any]:
    patch: dict[str, Any] = {}
    if deletions:
        for key in original:
            if key not in modified:
                patch[key] = None
    for key, value in modified.items():
        here = _join(path, key)
        if key not in original:
            if changes:
                patch[key] = clone(value)
            continue
        before = original[key]
        if before == value:
            continue
        if isinstance(value, dict) and isinstance(before, dict):
            sub = _diff(before, value, kind, here, deletions=deletions, changes=changes)
            if sub:
                patch[key] = sub
            continue
        if isinstance(value, list) and isinstance(before, list):
            strategy, merge_key = list_strategy(kind, here)
            if "merge" in strategy.split(",") and merge_key and all(
                    isinstance(v, dict) for v in value + before):
                patch.update(_diff_list(key, before, value, merge_key, kind, here,
                                        deletions=deletions, changes=changes))
                continue
        if changes:
            patch[key] = clone(value)
    return patch


def _diff_list(key: str, before: list[Any], after: list[Any], merge_key: str, kind: str,
               path: str, *, deletions: bool, changes: bool) -> dict[str, Any]:
    old = {json.dumps(v.get(merge_key)): v for v in before}
    new_ids = [json.dumps(v.get(merge_key)) for v in after]
    items: list[Any] = []
    for ident, item in zip(new_ids, after, strict=True):
        prior = old.get(ident)
        if prior is None:
            if changes:
                items.append(clone(item))
        elif prior != item:
            diff = _diff(prior, item, kind, path, deletions=deletions, changes=changes)
            if diff:
                diff[merge_key] = item.get(merge_key)
                items.append(diff)
    if deletions:
        items += [{DIRECTIVE: "delete", merge_key: item.get(merge_key)}
                  for ident, item in old.items() if ident not in new_ids]
    same_order = [i for i in new_ids if i in old] == [i for i in old if i in new_ids]
    out: dict[str, Any] = {}
    if items or (changes and not same_order):
        out[f"{SET_ORDER}{key}"] = [{merge_key: v.get(merge_key)} for v in after]
    if items:
        out[key] = items
    return out


def _merge_patches(first: dict[str, Any], second: dict[str, Any], kind: str = "",
                   path: str = "") -> dict[str, Any]:
    """Two patches as one: maps merge, a merge-keyed list's items join by that key."""
    out = clone(first)
    for key, value in second.items():
        here = _join(path, key)
        merge_key = list_strategy(kind, here)[1]
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge_patches(out[key], value, kind, here)
        elif isinstance(value, list) and isinstance(out.get(key), list) and merge_key:
            joined = [clone(v) for v in out[key]]
            for item in value:
                at = next((n for n, v in enumerate(joined) if isinstance(v, dict)
                           and isinstance(item, dict) and DIRECTIVE not in v
                           and v.get(merge_key) == item.get(merge_key)), None)
                if at is None:
                    joined.append(clone(item))
                else:
                    joined[at] = _merge_patches(joined[at], item, kind, here)
            out[key] = joined
        else:
            out[key] = clone(value)
    return out
