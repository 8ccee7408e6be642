"""Inter-pod affinity and anti-affinity, the scheduler's InterPodAffinity filter.

After upstream pkg/scheduler/framework/plugins/interpodaffinity/filtering.go, reduced to
the required terms (the preferred ones only score nodes, and this scheduler does not
score). A term names pods by label selector, in namespaces (the pod's own by default,
`namespaces`, or every namespace matching `namespaceSelector`), and a topologyKey: two
nodes are "together" when they carry the same value for that label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dstutor.model.selectors import selector_from_dict

Obj = dict[str, Any]

AFFINITY_NOT_MATCH = "node(s) didn't match pod affinity rules"
ANTI_AFFINITY_NOT_MATCH = "node(s) didn't match pod anti-affinity rules"
EXISTING_ANTI_AFFINITY_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules"
# Which failures preemption may resolve (Unschedulable) and which not
# (UnschedulableAndUnresolvable), as the plugin's statuses say.
RESOLVABLE = frozenset({ANTI_AFFINITY_NOT_MATCH, EXISTING_ANTI_AFFINITY_NOT_MATCH})


def required_terms(pod: Obj, kind: str) -> list[Obj]:
    """The pod's requiredDuringSchedulingIgnoredDuringExecution terms of `kind`
    (podAffinity or podAntiAffinity)."""
    affinity = (pod.get("spec") or {}).get("affinity")
    if not affinity:  # most pods: asked on every pod write, so the short way first
        return []
    terms = (affinity.get(kind) or {}).get("requiredDuringSchedulingIgnoredDuringExecution") or []
    return [t for t in terms if isinstance(t, dict)]


def has_required_anti_affinity(pod: Obj) -> bool:
    return bool(required_terms(pod, "podAntiAffinity"))


def uses_pod_affinity(pod: Obj) -> bool:
    return bool(required_terms(pod, "podAffinity") or required_terms(pod, "podAntiAffinity"))


def term_selects(term: Obj, owner: Obj, other: Obj,
                 namespace_labels: Mapping[str, Mapping[str, str]]) -> bool:
    """Whether `other` is one of the pods the `owner`'s term is about."""
    ns = (other.get("metadata") or {}).get("namespace", "")
    names = term.get("namespaces") or []
    ns_selector = term.get("namespaceSelector")
    if names or ns_selector is not None:
        in_list = ns in names
        in_selected = ns_selector is not None and selector_from_dict(ns_selector).matches(
            namespace_labels.get(ns) or {})
        if not (in_list or in_selected):
            return False
    elif ns != (owner.get("metadata") or {}).get("namespace", ""):
        return False
    selector = term.get("labelSelector")
    if selector is None:
        return False  # a term without a selector selects no pod
    return selector_from_dict(selector).matches((other.get("metadata") or {}).get("labels")
                                                or {})


def _together(term: Obj, node: Obj, other_node: Obj | None) -> bool:
    key = term.get("topologyKey") or ""
    labels = (node.get("metadata") or {}).get("labels") or {}
    other = ((other_node or {}).get("metadata") or {}).get("labels") or {}
    return key in labels and key in other and labels[key] == other[key]


def interpod_failure(pod: Obj, node: Obj, placed: Iterable[tuple[Obj, Obj | None]],
                     namespace_labels: Mapping[str, Mapping[str, str]]) -> str | None:
    """The InterPodAffinity filter for `pod` on `node`; None if it passes.

    `placed` is every bound, live pod with its node. Checked in upstream's order: the
    pod's own affinity, its anti-affinity, then existing pods' anti-affinity to it.
    """
    placed = list(placed)
    for term in required_terms(pod, "podAffinity"):
        matching = [(p, n) for p, n in placed if term_selects(term, pod, p, namespace_labels)]
        if any(_together(term, node, n) for _, n in matching):
            continue
        # The first pod of a group may go anywhere its own term would select it.
        if not matching and term_selects(term, pod, pod, namespace_labels) and (
                term.get("topologyKey") or "") in ((node.get("metadata") or {}).get(
                    "labels") or {}):
            continue
        return AFFINITY_NOT_MATCH
    for term in required_terms(pod, "podAntiAffinity"):
        if any(term_selects(term, pod, p, namespace_labels) and _together(term, node, n)
               for p, n in placed):
            return ANTI_AFFINITY_NOT_MATCH
    for other, other_node in placed:
        for term in required_terms(other, "podAntiAffinity"):
            if term_selects(term, other, pod, namespace_labels) and _together(
                    term, node, other_node):
                return EXISTING_ANTI_AFFINITY_NOT_MATCH
    return None
