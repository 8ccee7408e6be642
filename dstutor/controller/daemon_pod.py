"""A DaemonSet's new pod as the controller builds it (upstream CreatePodTemplate plus
ReplaceDaemonSetPodNodeNameNodeAffinity), its parts shared with the other pods of the
revision where they never change (model/sharedguard.py).

A create burst makes thousands of pods of one revision in a row: daemon_pod_maker works
out once what they share (the labels, the spec's shape and items, the namespace) and
hands back the per-node step. new_daemon_pod is one pod made through it.
tests/sim/test_sim_create3_pod_maker.py holds the maker to the pod built the plain way,
key by key (new_daemon_pod as it was before the maker)."""

from __future__ import annotations

from collections.abc import Callable

from dstutor.controller import shared
from dstutor.controller.daemonset_util import node_name_affinity
from dstutor.controller.state import DaemonSetState
from dstutor.model.objects import DAEMONSET_UNIQUE_LABEL, TEMPLATE_GENERATION_LABEL, Obj
from dstutor.model.shapes import POD, POD_METADATA, POD_STATUS, pod_spec_shape
from dstutor.model.sharedguard import share

_new_object = object.__new__


def _revision_labels(ds: Obj, state: DaemonSetState) -> Obj:
    """One labels dict per revision, shared by its pods (replaced, never edited)."""
    key = (state.hash, state.template_generation)
    if state.pod_labels_key != key:
        tmeta = ds["spec"]["template"].get("metadata") or {}
        pod_labels = dict(tmeta.get("labels") or {})
        pod_labels[DAEMONSET_UNIQUE_LABEL] = state.hash
        if state.template_generation is not None:
            pod_labels[TEMPLATE_GENERATION_LABEL] = state.template_generation
        state.pod_labels, state.pod_labels_key = share(pod_labels), key
    return state.pod_labels


def daemon_pod_maker(ds: Obj, state: DaemonSetState, generate_name: str,
                     owner_refs: list[Obj]) -> Callable[[str], Obj]:
    """new_daemon_pod(ds, state, node_name, generate_name, owner_refs) as a step per node
    (valid while the DaemonSet and its state stay as they are: one sync's creates)."""
    tmeta = ds["spec"]["template"].get("metadata") or {}
    pod_labels = _revision_labels(ds, state)
    namespace = ds["metadata"]["namespace"]
    annotations = tmeta.get("annotations") or None
    template_spec = state.pod_spec
    spec_cls = pod_spec_shape(template_spec).cls
    # update() from pairs writes key by key (the table stays shared, model/shapes.py).
    spec_items = tuple(template_spec.items())
    own_affinity = bool(template_spec.get("affinity"))
    qos_class = state.qos_class
    meta_cls, status_cls, pod_cls = POD_METADATA.cls, POD_STATUS.cls, POD.cls
    pinned_affinity = shared.pinned_affinity
    new = _new_object

    def make(node_name: str) -> Obj:
        # The pod's own dicts are key-sharing ones (model/shapes.py), filled key by key.
        meta: Obj = new(meta_cls).__dict__
        meta["generateName"] = generate_name
        meta["namespace"] = namespace
        meta["labels"] = pod_labels
        meta["ownerReferences"] = owner_refs
        if annotations:
            meta["annotations"] = dict(annotations)
        # Pods of one revision share the unchanging parts of their spec (containers,
        # volumes, tolerations): stored objects are only ever replaced, never edited
        # in place, except for fields each pod owns (nodeName, affinity, status).
        spec: Obj = new(spec_cls).__dict__
        spec.update(spec_items)
        if own_affinity:
            spec["affinity"] = _pinned_own_affinity(spec["affinity"], node_name)
        else:
            spec["affinity"] = pinned_affinity(node_name)
        status: Obj = new(status_cls).__dict__
        status["phase"] = "Pending"
        status["qosClass"] = qos_class
        pod: Obj = new(pod_cls).__dict__
        pod["apiVersion"] = "v1"
        pod["kind"] = "Pod"
        pod["metadata"] = meta
        pod["spec"] = spec
        pod["status"] = status
        return pod

    return make


def _pinned_own_affinity(template_affinity: Obj, node_name: str) -> Obj:
    """A template's own affinity with its node affinity's required terms replaced by the
    pinning to `node_name` (ReplaceDaemonSetPodNodeNameNodeAffinity)."""
    affinity = dict(template_affinity)
    node_affinity = dict(affinity.get("nodeAffinity") or {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = (
        node_name_affinity(node_name))
    affinity["nodeAffinity"] = node_affinity
    return affinity


def new_daemon_pod(ds: Obj, state: DaemonSetState, node_name: str, generate_name: str,
                   owner_refs: list[Obj]) -> Obj:
    """CreatePodTemplate plus the node pinning affinity, as the controller builds pods
    (`generate_name` and `owner_refs` from DaemonSetsController._pod_owner_parts)."""
    return daemon_pod_maker(ds, state, generate_name, owner_refs)(node_name)

