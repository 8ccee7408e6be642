"""Taints and tolerations: matching rules and kubectl's taint argument syntax."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from dstutor.errors import CommandError
from dstutor.model.names import (
    field_duplicate,
    field_invalid,
    field_not_supported,
    field_required,
    validate_label_value,
    validate_qualified_name,
)

__all__ = [
    "TAINT_EFFECTS",
    "find_matching_untolerated_taint",
    "parse_one_taint",
    "parse_taint_args",
    "taint_to_string",
    "toleration_tolerates_taint",
    "tolerations_tolerate_taint",
    "validate_node_taints",
    "validate_tolerations",
]

# In the order the API server lists them in "supported values".
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def toleration_tolerates_taint(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    """core/v1 Toleration.ToleratesTaint.

    An empty effect or key on the toleration is a wildcard. Validation only
    allows an empty key together with operator Exists, so the wildcard key is
    in practice the "tolerate everything" toleration.
    """
    effect = toleration.get("effect") or ""
    if effect and effect != (taint.get("effect") or ""):
        return False
    key = toleration.get("key") or ""
    if key and key != (taint.get("key") or ""):
        return False
    operator = toleration.get("operator") or ""
    if operator == "Exists":
        return True
    if operator in ("", "Equal"):
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


def tolerations_tolerate_taint(tolerations: Iterable[Mapping[str, Any]], taint: Mapping[str, Any]) -> bool:
    return any(toleration_tolerates_taint(t, taint) for t in tolerations)


def find_matching_untolerated_taint(
    taints: list[dict[str, Any]] | None,
    tolerations: list[dict[str, Any]] | None,
    effects: Collection[str],
) -> dict[str, Any] | None:
    """The first taint with an effect in ``effects`` that no toleration tolerates."""
    tols = tolerations or []
    for taint in taints or []:
        if (taint.get("effect") or "") not in effects:
            continue
        if not tolerations_tolerate_taint(tols, taint):
            return taint
    return None


def taint_to_string(taint: Mapping[str, Any]) -> str:
    """core/v1 Taint.ToString: key[=value][:effect]."""
    key = taint.get("key") or ""
    value = taint.get("value") or ""
    effect = taint.get("effect") or ""
    if not effect:
        return f"{key}={value}:" if value else key
    return f"{key}={value}:{effect}" if value else f"{key}:{effect}"


def _go_struct_text(taint: Mapping[str, Any]) -> str:
    # kubectl prints the duplicate with Go's %v of a Taint struct:
    # {Key Value Effect TimeAdded}, with a nil TimeAdded shown as <nil>.
    return f"{{{taint.get('key', '')} {taint.get('value', '')} {taint.get('effect', '')} <nil>}}"


def parse_one_taint(spec: str) -> dict[str, str]:
    """kubectl's parseTaint: '<key>=<value>:<effect>', '<key>:<effect>' or '<key>'."""
    parts = spec.split(":")
    value = ""
    effect = ""
    if len(parts) == 1:
        key = parts[0]
    elif len(parts) == 2:
        effect = parts[1]
        if effect not in TAINT_EFFECTS:
            raise CommandError(f"invalid taint effect: {effect}, unsupported taint effect")
        kv = parts[0].split("=")
        if len(kv) > 2:
            raise CommandError(f"invalid taint spec: {spec}")
        key = kv[0]
        if len(kv) == 2:
            value = kv[1]
            errs = validate_label_value(value)
            if errs:
                raise CommandError(f"invalid taint spec: {spec}, {'; '.join(errs)}")
    else:
        raise CommandError(f"invalid taint spec: {spec}")
    errs = validate_qualified_name(key)
    if errs:
        raise CommandError(f"invalid taint spec: {spec}, {'; '.join(errs)}")
    taint: dict[str, str] = {"key": key}
    if value:
        taint["value"] = value
    if effect:
        taint["effect"] = effect
    return taint


def parse_taint_args(specs: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split ``kubectl taint`` arguments into taints to add and taints to remove.

    A trailing '-' marks a removal ('key:Effect-' or 'key-'; a removal carries
    no value). An addition must name an effect, and the same key and effect
    may be added only once per command. Errors carry kubectl's wording without
    its "error: " prefix.
    """
    to_add: list[dict[str, Any]] = []
    to_remove: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for spec in specs:
        if spec.endswith("-"):
            taint = parse_one_taint(spec[:-1])
            removal = {"key": taint["key"]}
            if taint.get("effect"):
                removal["effect"] = taint["effect"]
            to_remove.append(removal)
            continue
        taint = parse_one_taint(spec)
        if not taint.get("effect"):
            raise CommandError(f"invalid taint spec: {spec}")
        ident = (taint["key"], taint["effect"])
        if ident in seen:
            raise CommandError(
                f"duplicated taints with the same key and effect: {_go_struct_text(taint)}"
            )
        seen.add(ident)
        to_add.append(taint)
    return to_add, to_remove


# --- API validation of tolerations and node taints ---------------------------


def _effect_errors(effect: str, path: str, allow_empty: bool) -> list[str]:
    if not effect:
        return [] if allow_empty else [field_required(path)]
    if effect not in TAINT_EFFECTS:
        return [field_not_supported(path, effect, list(TAINT_EFFECTS))]
    return []


def validate_tolerations(tolerations: Any, path: str) -> list[str]:
    """ValidateTolerations, causes in upstream order."""
    errs: list[str] = []
    for i, tol in enumerate(tolerations if isinstance(tolerations, list) else []):
        tol = tol if isinstance(tol, dict) else {}
        if not _toleration_passes(tol):
            errs += _toleration_errors(tol, f"{path}[{i}]")
    return errs


def _toleration_passes(tol: dict[str, Any]) -> bool:
    """Whether _toleration_errors finds nothing, known without making a path or a cause
    list: nearly every toleration (a DaemonSet's pods carry six the controller adds;
    a 5,000-node snapshot's load checks 300,000). Its checks are those below in the
    same order, so a value of the wrong type fails here as it would there."""
    key, op = tol.get("key") or "", tol.get("operator") or ""
    value, effect = tol.get("value") or "", tol.get("effect") or ""
    return bool((not key or not validate_qualified_name(key))
                and (key or op == "Exists")
                and (tol.get("tolerationSeconds") is None or effect == "NoExecute")
                and ((op == "Exists" and not value)
                     or (op in ("", "Equal") and not validate_label_value(value)))
                and (not effect or effect in TAINT_EFFECTS))


def _toleration_errors(tol: dict[str, Any], p: str) -> list[str]:
    """One toleration's causes, `p` its path."""
    errs: list[str] = []
    key, op = tol.get("key") or "", tol.get("operator") or ""
    value, effect = tol.get("value") or "", tol.get("effect") or ""
    if key:
        errs += [field_invalid(f"{p}.key", key, m) for m in validate_qualified_name(key)]
    if not key and op != "Exists":
        errs.append(field_invalid(
            f"{p}.operator", op,
            'operator must be Exists when `key` is empty, which means "match all values and all keys"'))
    if tol.get("tolerationSeconds") is not None and effect != "NoExecute":
        errs.append(field_invalid(f"{p}.effect", effect,
                                  "effect must be 'NoExecute' when `tolerationSeconds` is set"))
    if op in ("", "Equal"):
        msgs = validate_label_value(value)
        if msgs:
            # Upstream reports a bad value under ".operator", joined with ";".
            errs.append(field_invalid(f"{p}.operator", value, ";".join(msgs)))
    elif op == "Exists":
        if value:
            # The internal (untagged) Toleration struct is what gets printed.
            shown = {"Key": key, "Operator": op, "Value": value, "Effect": effect,
                     "TolerationSeconds": tol.get("tolerationSeconds")}
            errs.append(field_invalid(f"{p}.operator", shown,
                                      "value must be empty when `operator` is 'Exists'"))
    else:
        errs.append(field_not_supported(f"{p}.operator", op, ["Equal", "Exists"]))
    errs += _effect_errors(effect, f"{p}.effect", allow_empty=True)
    return errs


def validate_node_taints(taints: Any, path: str = "spec.taints") -> list[str]:
    """validateNodeTaints: key, value, effect, and one taint per key+effect."""
    errs: list[str] = []
    seen: set[tuple[str, str]] = set()
    for i, taint in enumerate(taints if isinstance(taints, list) else []):
        p = f"{path}[{i}]"
        taint = taint if isinstance(taint, dict) else {}
        key, value, effect = taint.get("key") or "", taint.get("value") or "", taint.get("effect") or ""
        errs += [field_invalid(f"{p}.key", key, m) for m in validate_qualified_name(key)]
        msgs = validate_label_value(value)
        if msgs:
            errs.append(field_invalid(f"{p}.value", value, ";".join(msgs)))
        errs += _effect_errors(effect, f"{p}.effect", allow_empty=False)
        if (key, effect) in seen:
            shown = {"Key": key, "Value": value, "Effect": effect, "TimeAdded": taint.get("timeAdded")}
            errs.append(f"{field_duplicate(p, shown)}: taints must be unique by key and effect pair")
            continue
        seen.add((key, effect))
    return errs
