"""The kubelet stopping pods: a pod being deleted is killed (its running containers get
a Killing event) and goes after terminationSeconds; a mirror pod deleted comes back.
Kubelet's methods (`_terminate`, `_recreate_mirror_pod`), written here to keep
kubelet.py short: the class takes these functions as its methods, so each call is one
call, as when they were written there."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.controller.kubelet_work import PodWork
from dstutor.model.objects import Obj, clone

if TYPE_CHECKING:
    from dstutor.controller.kubelet import Kubelet, PodKey


def recreate_mirror_pod(self: Kubelet, pod: Obj, key: PodKey, work: PodWork | None) -> None:
    """Deleting a mirror pod does not stop its static pod: the kubelet drops the mirror
    at once and publishes a new one (new uid, age 0) for the containers still running."""
    self.ctx.api.finish_deletion(pod)
    meta = pod["metadata"]
    fresh: Obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {
        k: clone(meta[k]) for k in ("name", "namespace", "labels", "annotations",
                                    "ownerReferences") if k in meta},
        "spec": clone(pod["spec"]), "status": clone(pod["status"])}
    fresh["status"].pop("observedGeneration", None)
    self.ctx.api.create_trusted(fresh)
    if work is not None:
        self.work[key] = work
    self._observe(fresh)
    self.ctx.store.touch(fresh)


def terminate(self: Kubelet, pod: Obj, key: PodKey, work: PodWork | None, now: float) -> None:
    """A pod being deleted: Killing for its running containers, then, after
    terminationSeconds, gone."""
    if work is None or work.stage != "killing":
        node_name = pod["spec"]["nodeName"]
        running = {cs["name"] for cs in pod["status"].get("containerStatuses") or []
                   if "running" in cs.get("state", {})}
        for c in self._containers(pod):
            if c["name"] in running:  # only a running container has anything to stop
                self._event(pod, c["name"], "Normal", "Killing",
                            f"Stopping container {c['name']}", node_name)
        work = PodWork("killing", now + self.t("terminationSeconds"))
        self.work[key] = work
        self.ctx.enqueue_at("kubelet", key, work.due)
        return
    if work.due <= now:
        self.work.pop(key, None)
        self.ctx.api.finish_deletion(pod)
    else:
        self.ctx.enqueue_at("kubelet", key, work.due)
