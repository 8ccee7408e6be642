"""`kubectl rollout status` for a DaemonSet: kubectl's DaemonSetStatusViewer, as text.

Pure: the kubectl layer prints it while it waits, and the rollout planner quotes it when a
simulated rollout stops.
"""

from __future__ import annotations

from dstutor.model.objects import Obj


def daemonset_status_line(ds: Obj) -> tuple[str, bool]:
    """DaemonSetStatusViewer.Status for a RollingUpdate DaemonSet: (line, done)."""
    status = ds.get("status") or {}
    name = ds["metadata"]["name"]
    if ds["metadata"].get("generation", 0) <= status.get("observedGeneration", 0):
        desired = status.get("desiredNumberScheduled", 0)
        updated = status.get("updatedNumberScheduled", 0)
        available = status.get("numberAvailable", 0)
        if updated < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {updated} out of '
                    f"{desired} new pods have been updated..."), False
        if available < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {available} of '
                    f"{desired} updated pods are available..."), False
        return f'daemon set "{name}" successfully rolled out', True
    return "Waiting for daemon set spec update to be observed...", False
