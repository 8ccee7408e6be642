"""podsShouldBeOnNode for the DaemonSet controller: which of a node's daemon pods stay, go,
or are missing (upstream pkg/controller/daemon/daemon_controller.go)."""

from __future__ import annotations

from collections.abc import Sequence

from dstutor.controller.context import Context
from dstutor.controller.daemonset_util import COMPONENT, Backoff
from dstutor.controller.placement import Placement
from dstutor.controller.state import DaemonSetState
from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    Obj,
    is_pod_available,
    is_pod_ready,
    is_terminating,
    labels,
    uid,
)


class PodsShouldBeOnNode:
    """Mixed into DaemonSetsController, which sets `ctx` and `failed_pods_backoff`."""

    ctx: Context
    failed_pods_backoff: Backoff

    def pods_should_be_on_node(self, ds: Obj, state: DaemonSetState, node_name: str,
                               placement: Placement, pods: Sequence[Obj], surge: bool
                               ) -> tuple[bool, list[Obj]]:
        """podsShouldBeOnNode: (create a pod here?, pods to delete here)."""
        to_delete: list[Obj] = []
        if placement.should_run and not pods:
            return True, []
        if placement.should_continue_running:
            running: list[Obj] = []
            for pod in pods:
                if pod["metadata"].get("deletionTimestamp"):  # is_terminating(pod)
                    continue
                phase = pod["status"].get("phase")
                if phase == "Failed":
                    # Kubelets that reject pods fight with the controller: back off per node.
                    key = (f"{uid(ds)}/{ds['status'].get('observedGeneration', 0)}/"
                           f"{node_name}")
                    now = self.ctx.clock.now()  # (asked only here and for surge)
                    if self.failed_pods_backoff.is_in_backoff_since_update(key, now):
                        when = self.failed_pods_backoff.due(key)
                        self.ctx.enqueue_at("daemonset-node", (
                            ds["metadata"]["namespace"], ds["metadata"]["name"], node_name), when)
                        continue
                    self.failed_pods_backoff.next(key, now)
                    self.ctx.record_event(
                        ds, "Warning", "FailedDaemonPod",
                        f"Found failed daemon pod {pod['metadata']['namespace']}/"
                        f"{pod['metadata']['name']} on node {node_name}, will try to kill it",
                        component=COMPONENT)
                    to_delete.append(pod)
                elif phase == "Succeeded":
                    self.ctx.record_event(
                        ds, "Normal", "SucceededDaemonPod",
                        f"Found succeeded daemon pod {pod['metadata']['namespace']}/"
                        f"{pod['metadata']['name']} on node {node_name}, will try to delete it",
                        component=COMPONENT)
                    to_delete.append(pod)
                else:
                    running.append(pod)
            if not surge:
                # Keep the oldest; any extra pod on the node goes.
                to_delete += running[1:]
                return False, to_delete
            if len(running) <= 1:
                return (not running and placement.should_run), to_delete
            oldest_new = oldest_old = None
            for pod in running:
                if labels(pod).get(DAEMONSET_UNIQUE_LABEL) == state.hash:
                    if oldest_new is None:
                        oldest_new = pod
                        continue
                elif oldest_old is None:
                    oldest_old = pod
                    continue
                to_delete.append(pod)
            if oldest_new is not None and oldest_old is not None:
                min_ready = int(ds["spec"].get("minReadySeconds", 0))
                if not is_pod_ready(oldest_old) or is_pod_available(oldest_new, min_ready,
                                                                     self.ctx.clock.now()):
                    to_delete.append(oldest_old)
            return False, to_delete
        # Not even allowed to keep running here: everything goes.
        return False, [p for p in pods if not is_terminating(p)]
