"""The facts `map` draws: per node its state, taints, relevant labels and pods (no Rich here)."""

from __future__ import annotations

from dataclasses import dataclass

from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    Obj,
    controller_ref,
    is_node_ready,
    is_terminating,
    node_taints,
    target_node_name,
)
from dstutor.model.taints import taint_to_string
from dstutor.render.columns import node_roles
from dstutor.render.podstatus import pod_status_and_counts
from dstutor.sim.cluster import Cluster


@dataclass(frozen=True)
class PodView:
    name: str
    namespace: str
    owner: str  # DaemonSet name, or "" for a pod no DaemonSet controls
    status: str
    revision: str  # controller-revision-hash, "" if none
    revision_number: int | None
    current: bool  # carries the DaemonSet's newest revision
    terminating: bool


@dataclass(frozen=True)
class NodeView:
    name: str
    roles: tuple[str, ...]
    ready: bool
    kubelet_up: bool
    cordoned: bool
    taints: tuple[str, ...]
    labels: tuple[str, ...]  # only the labels some DaemonSet selects on
    pods: tuple[PodView, ...]


def selector_label_keys(daemonsets: list[Obj]) -> set[str]:
    """Label keys any DaemonSet's nodeSelector or required node affinity looks at."""
    keys: set[str] = set()
    for ds in daemonsets:
        spec = ds["spec"]["template"].get("spec", {})
        keys.update((spec.get("nodeSelector") or {}).keys())
        required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution") or {}
        for term in required.get("nodeSelectorTerms") or []:
            keys.update(e.get("key", "") for e in term.get("matchExpressions") or [])
    keys.discard("")
    return keys


def _revisions(cluster: Cluster) -> tuple[dict[tuple[str, str], int], dict[str, str]]:
    """(owner uid, hash) -> revision number, and owner uid -> current hash."""
    numbers: dict[tuple[str, str], int] = {}
    newest: dict[str, tuple[int, str]] = {}
    for rev in cluster.store.list("ControllerRevision"):
        ref = controller_ref(rev)
        hash_ = (rev["metadata"].get("labels") or {}).get(DAEMONSET_UNIQUE_LABEL, "")
        if ref is None or not hash_:
            continue
        number = int(rev.get("revision", 0))
        numbers[(ref["uid"], hash_)] = number
        if number >= newest.get(ref["uid"], (-1, ""))[0]:
            newest[ref["uid"]] = (number, hash_)
    return numbers, {uid: h for uid, (_, h) in newest.items()}


def _pod_view(pod: Obj, owners: dict[str, Obj], numbers: dict[tuple[str, str], int],
              current: dict[str, str]) -> PodView:
    ref = controller_ref(pod)
    owner_uid = ref["uid"] if ref else ""
    owner = owners.get(owner_uid)
    hash_ = (pod["metadata"].get("labels") or {}).get(DAEMONSET_UNIQUE_LABEL, "")
    return PodView(
        name=pod["metadata"]["name"], namespace=pod["metadata"]["namespace"],
        owner=owner["metadata"]["name"] if owner else "",
        status=pod_status_and_counts(pod)[0], revision=hash_,
        revision_number=numbers.get((owner_uid, hash_)),
        current=bool(hash_) and current.get(owner_uid) == hash_,
        terminating=is_terminating(pod))


def build(cluster: Cluster) -> list[NodeView]:
    """One view per node, in name order; pods sorted by namespace and name."""
    cluster.settle()
    daemonsets = cluster.store.list("DaemonSet")
    owners = {ds["metadata"]["uid"]: ds for ds in daemonsets}
    nodes = cluster.store.list("Node")
    # A selected label every node carries with the same value (kubernetes.io/os=linux)
    # tells the learner nothing; only the ones that tell nodes apart are drawn.
    keys = {k for k in selector_label_keys(daemonsets)
            if len({(n["metadata"].get("labels") or {}).get(k) for n in nodes}) > 1}
    numbers, current = _revisions(cluster)
    views = []
    for node in nodes:
        name = node["metadata"]["name"]
        labels = node["metadata"].get("labels") or {}
        pods = tuple(_pod_view(p, owners, numbers, current)
                     for p in cluster.store.pods_on_node(name))
        views.append(NodeView(
            name=name, roles=tuple(node_roles(node)), ready=is_node_ready(node),
            kubelet_up=cluster.node_is_up(name),
            cordoned=bool(node.get("spec", {}).get("unschedulable")),
            taints=tuple(taint_to_string(t) for t in node_taints(node)),
            labels=tuple(f"{k}={labels[k]}" for k in sorted(keys) if k in labels),
            pods=pods))
    return views


def look(view: NodeView) -> tuple[object, ...]:
    """What a node's panel shows besides its own name and its pods' names."""
    return (view.roles, view.ready, view.kubelet_up, view.cordoned, view.taints, view.labels,
            tuple((p.namespace, p.owner, p.status, p.revision, p.revision_number, p.current,
                   p.terminating) for p in view.pods))


def alike(views: list[NodeView]) -> list[tuple[NodeView, tuple[str, ...]]]:
    """The nodes grouped by their look, each group as its first node (in name order) and
    the names of the others; groups in the order of their first nodes."""
    groups: dict[tuple[object, ...], list[NodeView]] = {}
    for view in views:
        groups.setdefault(look(view), []).append(view)
    return [(members[0], tuple(m.name for m in members[1:])) for members in groups.values()]


def unplaced(cluster: Cluster) -> list[PodView]:
    """Pods bound to no node and pinned to none (a Deployment's Pending pods)."""
    daemonsets = cluster.store.list("DaemonSet")
    owners = {ds["metadata"]["uid"]: ds for ds in daemonsets}
    numbers, current = _revisions(cluster)
    return [_pod_view(p, owners, numbers, current) for p in cluster.store.list("Pod")
            if not target_node_name(p)]
