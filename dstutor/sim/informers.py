"""Which pod informers a pod write can concern: one look at the pod for all of them.

Most writes of a settle are the kubelet's status updates in place (`old is new`) of a
bound pod it already works on. The pod informers (the DaemonSet controller, scheduler,
kubelet, taint eviction, Deployment controller, network plugins) and the timeline each
used to dig in the pod's dicts to find such a write tells them nothing; `quiet_status_write`
asks their questions once, and Cluster._on_pod then tells only the DaemonSet controller
(whose answer depends on what changed in the status). Each test below stands for an
informer's own early return, named there; tests/sim/test_sim_quiet_writes.py runs every
informer after each write this says is quiet and checks that none of them did anything.
"""

from __future__ import annotations

from collections.abc import Mapping

from dstutor.controller.kubelet_work import PodWork
from dstutor.controller.network import NETWORK_PLUGIN_ANNOTATION
from dstutor.model.objects import Obj

_EMPTY: Obj = {}


def quiet_status_write(pod: Obj, kubelet_work: Mapping[tuple[str, str, str], PodWork],
                       taint_checked: Mapping[tuple[str, str, str], str]) -> bool:
    """Whether an update in place of `pod` is nothing to every pod informer but the
    DaemonSet controller's, and to the timeline."""
    meta, spec, status = pod["metadata"], pod["spec"], pod.get("status") or _EMPTY
    node_name = spec.get("nodeName")
    # Scheduler.on_pod acts on unbound pods; the kubelet and the timeline on pods being
    # deleted; the timeline on failed pods.
    if not node_name or meta.get("deletionTimestamp") or status.get("phase") == "Failed":
        return False
    # Scheduler.on_pod: a bound pod with pod anti-affinity is remembered.
    affinity = spec.get("affinity")
    if affinity and affinity.get("podAntiAffinity"):
        return False
    # NetworkPlugins.on_pod: a network plugin's pod may bring its node's network up.
    annotations = meta.get("annotations")
    if annotations and annotations.get(NETWORK_PLUGIN_ANNOTATION):
        return False
    # DeploymentController.on_pod: a ReplicaSet's pod wakes its ReplicaSet.
    for ref in meta.get("ownerReferences") or ():
        if ref.get("controller"):
            if ref.get("kind") == "ReplicaSet":
                return False
            break
    key = ("Pod", meta.get("namespace", "") or "", meta.get("name", ""))  # key_of
    # Kubelet.on_pod: a pod it has no work for, or whose spec changed (a generation it
    # has not observed), is queued.
    if kubelet_work.get(key) is None or meta.get("generation", 0) != status.get(
            "observedGeneration", 0):
        return False
    # TaintEvictionController.on_pod: a pod not yet checked on this node is looked at.
    return taint_checked.get(key) == node_name
