"""Checks on nodes: has or lacks a taint, has or lacks a label."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dstutor.lessons.checkkind import CheckKind, Outcome, World, find_object, register
from dstutor.model.objects import Obj


def _taint_text(p: Mapping[str, Any]) -> str:
    text = str(p["key"])
    if p.get("value") is not None:
        text += f"={p['value']}"
    return text + (f":{p['effect']}" if p.get("effect") else "")


def _node_taints(world: World, node: str) -> list[Obj] | None:
    obj = find_object(world, "Node", "", node)
    return None if obj is None else list(obj["spec"].get("taints") or [])


def _taint_matches(t: Obj, p: Mapping[str, Any]) -> bool:
    return (t.get("key") == p["key"]
            and (not p.get("effect") or t.get("effect") == p["effect"])
            and (p.get("value") is None or (t.get("value") or "") == str(p["value"])))


def _fmt_taints(taints: list[Obj]) -> str:
    from dstutor.model.taints import taint_to_string

    return ", ".join(taint_to_string(t) for t in taints) or "<none>"


def _has_taint(world: World, p: Mapping[str, Any]) -> Outcome:
    taints = _node_taints(world, p["node"])
    if taints is None:
        return Outcome(False, f"node {p['node']} does not exist")
    if any(_taint_matches(t, p) for t in taints):
        return Outcome(True, f"{p['node']} has taint {_taint_text(p)}")
    same_key = [t for t in taints if t.get("key") == p["key"]]
    extra = f" (it has {_fmt_taints(same_key)})" if same_key else ""
    return Outcome(False, f"{p['node']} does not have taint {_taint_text(p)} yet{extra}",
                   (("taints", _taint_text(p), _fmt_taints(taints)),))


def _lacks_taint(world: World, p: Mapping[str, Any]) -> Outcome:
    taints = _node_taints(world, p["node"])
    if taints is None:
        return Outcome(False, f"node {p['node']} does not exist")
    found = [t for t in taints if _taint_matches(t, p)]
    if not found:
        return Outcome(True, f"{p['node']} has no taint {_taint_text(p)}")
    return Outcome(False, f"{p['node']} still has taint {_fmt_taints(found)}",
                   (("taints", f"no {_taint_text(p)}", _fmt_taints(taints)),))


register(CheckKind("node_has_taint", _has_taint,
                   lambda p: f"node {p['node']} has taint {_taint_text(p)}",
                   "the node's other taints", ("node", "key"), ("value", "effect")))
register(CheckKind("node_lacks_taint", _lacks_taint,
                   lambda p: f"node {p['node']} has no taint {_taint_text(p)}",
                   "the node's other taints", ("node", "key"), ("value", "effect")))


def _labels(world: World, node: str) -> dict[str, str] | None:
    obj = find_object(world, "Node", "", node)
    return None if obj is None else dict(obj["metadata"].get("labels") or {})


def _label_text(p: Mapping[str, Any]) -> str:
    return f"{p['key']}={p['value']}" if p.get("value") is not None else str(p["key"])


def _has_label(world: World, p: Mapping[str, Any]) -> Outcome:
    labels = _labels(world, p["node"])
    if labels is None:
        return Outcome(False, f"node {p['node']} does not exist")
    have = labels.get(p["key"])
    if have is not None and (p.get("value") is None or have == str(p["value"])):
        return Outcome(True, f"{p['node']} has label {_label_text(p)}")
    current = f"{p['key']}={have}" if have is not None else "<no such label>"
    fix = ""
    if have is not None:  # `kubectl label` refuses to change a value without --overwrite
        fix = (f"; label values are case-sensitive strings, and `kubectl label node "
               f"{p['node']} {_label_text(p)} --overwrite` replaces it")
    return Outcome(False, f"{p['node']} does not have label {_label_text(p)} "
                   f"(it has {current}){fix}", (("label", _label_text(p), current),))


def _lacks_label(world: World, p: Mapping[str, Any]) -> Outcome:
    labels = _labels(world, p["node"])
    if labels is None:
        return Outcome(False, f"node {p['node']} does not exist")
    if p["key"] not in labels:
        return Outcome(True, f"{p['node']} has no label {p['key']}")
    return Outcome(False, f"{p['node']} still has label {p['key']}={labels[p['key']]}",
                   (("label", f"no {p['key']}", f"{p['key']}={labels[p['key']]}"),))


register(CheckKind("node_has_label", _has_label,
                   lambda p: f"node {p['node']} has label {_label_text(p)}",
                   "the node's other labels", ("node", "key"), ("value",)))
register(CheckKind("node_lacks_label", _lacks_label,
                   lambda p: f"node {p['node']} has no label {p['key']}",
                   "the node's other labels", ("node", "key")))


