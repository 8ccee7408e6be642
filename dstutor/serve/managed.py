"""Field ownership for server-side apply: who set which field, and the apply conflicts.

Kept beside the simulator (by object uid), not in metadata.managedFields: the REPL never
shows managed fields, and the simulator's objects stay as they are. Paths are written as
structured-merge-diff prints them: `.spec.template.spec.containers[name="log"].image`.
"""

from __future__ import annotations

import json
from typing import Any

from dstutor.model.objects import Obj
from dstutor.serve.status import StatusError

Path = tuple[str, ...]
# patchMergeKey of the list fields whose items are owned one by one (the Go types'
# struct tags); any other list is one field (taints, tolerations, args, command).
MERGE_KEYS = {
    "containers": "name", "initContainers": "name", "ephemeralContainers": "name",
    "volumes": "name", "env": "name", "ports": "containerPort", "volumeMounts": "mountPath",
    "volumeDevices": "devicePath", "imagePullSecrets": "name", "ownerReferences": "uid",
    "conditions": "type", "hostAliases": "ip", "topologySpreadConstraints": "topologyKey",
    "resourceClaims": "name",
}
# Server-owned or identifying fields nobody manages.
_SKIP_META = {"name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation",
              "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"}


def leaves(obj: Any) -> dict[Path, Any]:
    """Every leaf field of an object (status and server fields left out)."""
    found: dict[Path, Any] = {}
    if not isinstance(obj, dict):
        return found
    for key, value in obj.items():
        if key in ("apiVersion", "kind", "status"):
            continue
        if key == "metadata" and isinstance(value, dict):
            _walk({k: v for k, v in value.items() if k not in _SKIP_META}, (".metadata",),
                  found)
        else:
            _walk(value, (f".{key}",), found)
    return found


def _walk(value: Any, path: Path, found: dict[Path, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _walk(item, (*path, f".{key}"), found)
        return
    name = path[-1][1:] if path else ""
    key = MERGE_KEYS.get(name)
    if (isinstance(value, list) and key and value
            and all(isinstance(i, dict) and key in i for i in value)):
        for item in value:
            element = (*path, f"[{key}={json.dumps(item[key])}]")
            for field, sub in item.items():
                _walk(sub, (*element, f".{field}"), found)
        return
    found[path] = value


def text(path: Path) -> str:
    return "".join(path)


class Ownership:
    def __init__(self) -> None:
        # uid -> manager id -> owned paths; a manager id is (name, operation, apiVersion).
        self._owners: dict[str, dict[tuple[str, str, str], set[Path]]] = {}

    def forget(self, uid: str) -> None:
        self._owners.pop(uid, None)

    def record_update(self, manager: str, api_version: str, old: Obj | None, new: Obj) -> None:
        """A create/update/patch: the writer owns the fields it set or changed."""
        uid = new["metadata"].get("uid", "")
        before = leaves(old) if old is not None else {}
        after = leaves(new)
        changed = {p for p, v in after.items() if p not in before or before[p] != v}
        owners = self._owners.setdefault(uid, {})
        for fields in owners.values():
            fields -= changed
            fields.intersection_update(after)
        if changed:
            owners.setdefault((manager, "Update", api_version), set()).update(changed)

    def conflicts(self, manager: str, live: Obj, applied: dict[Path, Any]
                  ) -> list[tuple[tuple[str, str, str], Path]]:
        current = leaves(live)
        found = []
        for who, fields in self._owners.get(live["metadata"].get("uid", ""), {}).items():
            if who[0] == manager and who[1] == "Apply":
                continue
            for path in sorted(fields & applied.keys()):
                if current.get(path) != applied[path]:
                    found.append((who, path))
        return found

    def previously_applied(self, uid: str, manager: str) -> set[Path]:
        owners = self._owners.get(uid, {})
        return {p for who, fields in owners.items() if who[:2] == (manager, "Apply")
                for p in fields}

    def others(self, uid: str, manager: str) -> set[Path]:
        owners = self._owners.get(uid, {})
        return {p for who, fields in owners.items() if who[:2] != (manager, "Apply")
                for p in fields}

    def record_apply(self, manager: str, api_version: str, new: Obj, applied: set[Path],
                     taken: set[Path]) -> None:
        uid = new["metadata"].get("uid", "")
        owners = self._owners.setdefault(uid, {})
        after = leaves(new)
        for fields in owners.values():
            fields -= taken
            fields.intersection_update(after)
        owners[(manager, "Apply", api_version)] = set(applied) & set(after)


def _who(manager: tuple[str, str, str]) -> str:
    name, operation, api_version = manager
    shown = json.dumps(name)
    return f"{shown} using {api_version}" if operation == "Update" else shown


def conflict_error(found: list[tuple[tuple[str, str, str], Path]]) -> StatusError:
    causes = [{"reason": "FieldManagerConflict", "message": f"conflict with {_who(who)}",
               "field": text(path)} for who, path in found]
    if len(found) == 1:
        who, path = found[0]
        message = f"Apply failed with 1 conflict: conflict with {_who(who)}: {text(path)}"
    else:
        lines: list[str] = []
        for who in sorted({w for w, _ in found}, key=_who):
            lines.append(f"conflicts with {_who(who)}:")
            lines += [f"- {text(p)}" for w, p in found if w == who]
        message = f"Apply failed with {len(found)} conflicts: " + "\n".join(lines)
    return StatusError(409, "Conflict", message, {"causes": causes})
