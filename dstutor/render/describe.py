"""`kubectl describe` for DaemonSets and ControllerRevisions; re-exports the others.

The writer and shared sections live in describe_common, pods and pod templates
in describe_pod, nodes in describe_node. All describers take `now` (seconds since
the epoch) for ages and print dates in UTC, as `TZ=UTC kubectl` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dstutor.errors import CommandError
from dstutor.model.selectors import selector_from_dict
from dstutor.render._gofmt import sprint
from dstutor.render.columns import format_labels
from dstutor.render.describe_common import (
    DescribeWriter,
    Obj,
    describe_events,
    meta,
    print_annotations,
    print_labels,
)
from dstutor.render.describe_node import describe_node
from dstutor.render.describe_pod import describe_pod, describe_pod_template
from dstutor.render.humanize import rfc1123z

__all__ = ["describe_controllerrevision", "describe_daemonset", "describe_generic",
           "describe_namespace", "describe_node", "describe_pod", "smart_label"]


def _pod_phase_counts(ds: Obj, pods: Iterable[Obj]) -> tuple[int, int, int, int]:
    """getPodStatusForController: pods matching the selector and controlled by this DS."""
    try:
        selector = selector_from_dict((ds.get("spec") or {}).get("selector"))
    except CommandError:
        return 0, 0, 0, 0
    uid = meta(ds).get("uid")
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    matches = selector.matches
    for pod in pods:
        m = pod.get("metadata") or {}
        if not matches(m.get("labels")):
            continue
        ref = next((r for r in m.get("ownerReferences") or [] if r.get("controller")), None)
        if ref is None or ref.get("uid") != uid:
            continue
        phase = (pod.get("status") or {}).get("phase")
        if phase in counts:
            counts[phase] += 1
    return counts["Running"], counts["Pending"], counts["Succeeded"], counts["Failed"]


def describe_daemonset(ds: Obj, pods: Iterable[Obj], events: list[Obj] | None,
                       now: float) -> str:
    """`kubectl describe daemonset`; `pods` may be every pod in the namespace."""
    w = DescribeWriter()
    m, spec, status = meta(ds), ds.get("spec") or {}, ds.get("status") or {}
    try:
        selector = str(selector_from_dict(spec.get("selector")))
    except CommandError:
        selector = ""
    template = spec.get("template") or {}
    w.write(0, f"Name:\t{m.get('name', '')}\n")
    w.write(0, f"Namespace:\t{m.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector}\n")
    w.write(0, f"Node-Selector:\t{format_labels((template.get('spec') or {}).get('nodeSelector'))}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    for title, key in (("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
                       ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
                       ("Number of Nodes Scheduled with Up-to-date Pods", "updatedNumberScheduled"),
                       ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
                       ("Number of Nodes Misscheduled", "numberMisscheduled")):
        w.write(0, f"{title}: {status.get(key, 0)}\n")
    running, waiting, succeeded, failed = _pod_phase_counts(ds, pods)
    w.write(0, f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / "
               f"{failed} Failed\n")
    describe_pod_template(w, template)
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def describe_namespace(ns: Obj) -> str:
    """NamespaceDescriber: no events; dstutor serves no ResourceQuota or LimitRange."""
    w = DescribeWriter()
    m, status = meta(ns), ns.get("status") or {}
    w.write(0, f"Name:\t{m.get('name', '')}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    w.write(0, f"Status:\t{status.get('phase', '')}\n")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n")
        w.write(1, "Type\tStatus\tLastTransitionTime\tReason\tMessage\n")
        w.write(1, "----\t------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')}\t{c.get('status', '')}\t"
                       f"{rfc1123z(c.get('lastTransitionTime'))}\t{c.get('reason', '')}\t"
                       f"{c.get('message', '')}\n")
    w.write(0, "\n")
    w.write(0, "No resource quota.\n")
    w.write(0, "\n")
    w.write(0, "No LimitRange resource.\n")
    return w.text()


# --- the generic describer (kinds kubectl has no describer for) -------------------------

_ACRONYMS = ("API", "URL", "UID", "GUID")


def _camel_split(text: str) -> list[str]:
    """fatih/camelcase.Split: runs of lower, upper, digit and other characters."""
    runs: list[list[str]] = []
    last = 0
    for ch in text:
        cls = 1 if ch.islower() else 2 if ch.isupper() else 3 if ch.isdecimal() else 4
        if cls == last:
            runs[-1].append(ch)
        else:
            runs.append([ch])
        last = cls
    for i in range(len(runs) - 1):
        if runs[i][0].isupper() and runs[i + 1][0].islower():
            runs[i + 1].insert(0, runs[i].pop())
    return ["".join(r) for r in runs if r]


def smart_label(field: str) -> str:
    """smartLabelFor: `apiVersion` becomes `API Version`, `ownerReferences` `Owner References`."""
    if any(not ch.isalpha() and ch != "-" for ch in field):
        return field
    parts = _camel_split(field)
    merged: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if i < len(parts) - 1:
            nxt = parts[i + 1]
            upper = all(not c.isalpha() or c.isupper() for c in part)
            if len(part.encode("utf-8")) >= 2 and upper and nxt and nxt[0].isupper():
                merged.append(part + nxt)
                i += 2
                continue
        merged.append(part)
        i += 1
    words = []
    for part in merged:
        if part == "_":
            continue
        if part.upper() in _ACRONYMS:
            part = part.upper()
        elif part.lower() == part:
            part = part[:1].upper() + part[1:]
        words.append(part)
    return " ".join(words)


_GENERIC_SKIP = (".metadata.managedFields", ".metadata.name", ".metadata.namespace",
                 ".metadata.labels", ".metadata.annotations")


def _print_content(w: DescribeWriter, level: int, content: dict[str, Any], prefix: str) -> None:
    for field in sorted(content):
        value = content[field]
        path = f"{prefix}.{field}"
        if path in _GENERIC_SKIP:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _print_content(w, level + 1, value, path)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _print_content(w, level + 1, child, path)
                else:
                    w.write(level + 1, f"{sprint(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{sprint(value)}\n")


def describe_generic(obj: Obj, events: list[Obj] | None, now: float) -> str:
    """kubectl's generic describer: metadata, then every field with smart labels."""
    w = DescribeWriter()
    m = meta(obj)
    w.write(0, f"Name:\t{m.get('name', '')}\n")
    w.write(0, f"Namespace:\t{m.get('namespace', '')}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    _print_content(w, 0, obj, "")
    if events is not None:
        describe_events(w, events, now)
    return w.text()


def describe_controllerrevision(cr: Obj, now: float, events: list[Obj] | None = None) -> str:
    """`kubectl describe controllerrevision` (generic layout; such objects get no events)."""
    return describe_generic(cr, [] if events is None else events, now)


def describe_priorityclass(pc: Obj, events: list[Obj] | None, now: float) -> str:
    """`kubectl describe priorityclass` (describePriorityClass): its own short layout,
    annotations as one `k=v,k=v` string, as labels are printed elsewhere."""
    w = DescribeWriter()
    m = meta(pc)
    w.write(0, f"Name:\t{m.get('name', '')}\n")
    w.write(0, f"Value:\t{int(pc.get('value') or 0)}\n")
    w.write(0, f"GlobalDefault:\t{'true' if pc.get('globalDefault') else 'false'}\n")
    w.write(0, f"PreemptionPolicy:\t{pc.get('preemptionPolicy') or ''}\n")
    w.write(0, f"Description:\t{pc.get('description') or ''}\n")
    w.write(0, f"Annotations:\t{format_labels(m.get('annotations'))}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.text()
