"""A DaemonSet's new pod as the controller builds it (upstream CreatePodTemplate plus
ReplaceDaemonSetPodNodeNameNodeAffinity), its parts shared with the other pods of the
revision where they never change (model/sharedguard.py)."""

from __future__ import annotations

from dstutor.controller import shared
from dstutor.controller.daemonset_util import node_name_affinity
from dstutor.controller.state import DaemonSetState
from dstutor.model.objects import DAEMONSET_UNIQUE_LABEL, TEMPLATE_GENERATION_LABEL, Obj
from dstutor.model.shapes import POD, POD_METADATA, POD_STATUS, pod_spec_shape
from dstutor.model.sharedguard import share


def new_daemon_pod(ds: Obj, state: DaemonSetState, node_name: str, generate_name: str,
                   owner_refs: list[Obj]) -> Obj:
    """CreatePodTemplate plus the node pinning affinity, as the controller builds pods
    (`generate_name` and `owner_refs` from DaemonSetsController._pod_owner_parts)."""
    template = ds["spec"]["template"]
    tmeta = template.get("metadata") or {}
    # One labels dict per revision, shared by its pods (replaced, never edited).
    key = (state.hash, state.template_generation)
    if state.pod_labels_key != key:
        pod_labels = dict(tmeta.get("labels") or {})
        pod_labels[DAEMONSET_UNIQUE_LABEL] = state.hash
        if state.template_generation is not None:
            pod_labels[TEMPLATE_GENERATION_LABEL] = state.template_generation
        state.pod_labels, state.pod_labels_key = share(pod_labels), key
    pod_labels = state.pod_labels
    # The pod's own dicts are key-sharing ones (model/shapes.py), filled key by key.
    meta = POD_METADATA.new()
    meta["generateName"] = generate_name
    meta["namespace"] = ds["metadata"]["namespace"]
    meta["labels"] = pod_labels
    meta["ownerReferences"] = owner_refs
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    # Pods of one revision share the unchanging parts of their spec (containers,
    # volumes, tolerations): stored objects are only ever replaced, never edited
    # in place, except for fields each pod owns (nodeName, affinity, status).
    spec = pod_spec_shape(state.pod_spec).filled(state.pod_spec)
    if spec.get("affinity"):
        affinity = dict(spec["affinity"])
        node_affinity = dict(affinity.get("nodeAffinity") or {})
        node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = (
            node_name_affinity(node_name))
        affinity["nodeAffinity"] = node_affinity
        spec["affinity"] = affinity
    else:
        spec["affinity"] = shared.pinned_affinity(node_name)
    status = POD_STATUS.new()
    status["phase"] = "Pending"
    status["qosClass"] = state.qos_class
    pod = POD.new()
    pod["apiVersion"] = "v1"
    pod["kind"] = "Pod"
    pod["metadata"] = meta
    pod["spec"] = spec
    pod["status"] = status
    return pod
