"""A pod whose container image a user changed: the kubelet restarts that container.

Upstream (pkg/kubelet/kuberuntime/kuberuntime_manager.go, ``computePodActions``): for
each container that is running, ``containerChanged`` compares the hash of its spec
(``kubecontainer.HashContainer``) with the hash the runtime labelled the container with
when it was created. A difference kills it, whatever the pod's restartPolicy, with the
event ``Killing`` "Container NAME definition changed, will be restarted", and starts it
again from the new spec: EnsureImageExists (``Pulling``/``Pulled``, or "already present
on machine" under IfNotPresent with the image cached), ``Created``, ``Started``; the new
container's restartCount is the old one's plus one and the old one is its lastState. A
container that is not running (ErrImagePull, ImagePullBackOff, CrashLoopBackOff, or still
being created) is not killed: the sync that the update triggers starts it from the new
spec at once, as the image pull back-off is kept per image and the crash back-off per
container hash (``getStableKey``): a new image waits out neither.

The only container field a pod update may change is its image (model/podupdate.py), so
the hash a container was created with is, here, the image its status reports.

The simulator's choices where a real node depends on the program in the image:
- the stopped container exits 0 ("Completed") terminationSeconds after the kill, as a
  program that handles SIGTERM does (nginx does; one that ignores it would be killed
  after the grace period and show 137, "Error");
- once it has stopped, the status shows the restart under way (the new image, the
  restart counted, the old container as lastState, waiting ContainerCreating, not
  ready) until the new container runs. A real kubelet pulls and starts inside the same
  sync and reports the result after it, so there the old status stays until the new
  container runs (or its pull fails); the simulator shows the same events, in the same
  order, at the same instants.

Only called when a pod's generation is ahead of its status's observedGeneration (a spec
write the kubelet has not seen yet), never on the kubelet's other visits: joins and
settles do not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.controller import shared
from dstutor.controller.kubelet_ids import container_id
from dstutor.controller.kubelet_work import ContainerWork, PodWork, SharedPodWork, own_work
from dstutor.controller.pod_record import PodRecord
from dstutor.model.objects import Obj
from dstutor.model.timefmt import to_rfc3339

if TYPE_CHECKING:  # a type only: kubelet.py imports this module
    from dstutor.controller.kubelet import Kubelet

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"  # (kubelet.py's; it imports this module)
# A container being stopped because its definition changed (ContainerWork.stage).
STOPPING = "stopping"
# What the runtime reports for the stopped container (see the module's docstring).
STOPPED_EXIT_CODE = 0
STOPPED_REASON = "Completed"


def containerChanged(container: Obj, status: Obj) -> bool:  # noqa: N802 (upstream's name)
    """Whether the container runs another definition than its spec's (upstream compares
    spec hashes; the image is the one field of a container an update may change)."""
    return bool(container.get("image", "") != status.get("image", ""))


def computePodActions(kubelet: Kubelet, pod: Obj, record: PodRecord,  # noqa: N802
                      node_name: str, work: PodWork, now: float) -> PodWork:
    """The kubelet's reaction to a pod spec it has not seen yet: containers whose image
    changed are killed and restarted, or (not running) started again from the new spec.
    Returns the pod's progress (a new record if anything changed; the caller's step
    then runs it)."""
    if work.stage not in ("active", "steady") or MIRROR_ANNOTATION in (
            pod["metadata"].get("annotations") or {}):
        # A mirror pod only reflects a static pod, which the kubelet runs from its file:
        # an update of the mirror's spec changes nothing on the node (handleMirrorPod).
        return work
    statuses = pod["status"].get("containerStatuses") or []
    by_name = {cs["name"]: cs for cs in statuses}
    changed = [c for c in pod["spec"].get("containers") or []
               if c["name"] in by_name and containerChanged(c, by_name[c["name"]])]
    if not changed or "*" in work.containers:  # ("*": a pre-container snapshot's record)
        return work
    if work.stage == "steady":
        # Every container runs and is ready; a steady record keeps no per-container detail.
        work = PodWork("active", 0.0, {cs["name"]: ContainerWork("running")
                                       for cs in statuses})
    elif type(work) is SharedPodWork:
        work = own_work(work)
    for c in changed:
        name = c["name"]
        cs = by_name[name]
        cw = work.containers.get(name)
        if cw is None or cw.stage == STOPPING:
            continue  # already stopping: it starts again from the spec it then finds
        cw.backoff, cw.ready_at, cw.shown, cw.error, cw.fresh = 0.0, None, True, "", False
        if cw.stage == "running":
            kubelet._event(pod, name, "Normal", "Killing",
                           f"Container {name} definition changed, will be restarted",
                           node_name)
            cw.stage, cw.due = STOPPING, now + kubelet.t("terminationSeconds")
        else:
            # Not running: nothing to kill, start from the new spec (a container that
            # never ran reports its spec's image at once). After a crash the new
            # container is the next attempt (restartCount + 1: the dead one is lastState).
            if cw.stage == "crashed":
                cs["restartCount"] = cs.get("restartCount", 0) + 1
            cs["image"] = c.get("image", "")
            kubelet._begin(pod, c, cw, node_name, now)
    record.work = work
    return work


def container_stopped(kubelet: Kubelet, pod: Obj, c: Obj, cw: ContainerWork, node_name: str,
                      now: float) -> bool:
    """The stopped container is the new one's lastState; the new one begins (pull or
    start). True: the container's status changed."""
    name = c["name"]
    cs = kubelet._cs(pod, name)
    stamp = to_rfc3339(now)
    started = (cs["state"].get("running") or {}).get("startedAt", stamp)
    cs["lastState"] = {"terminated": {
        "exitCode": STOPPED_EXIT_CODE, "reason": STOPPED_REASON, "startedAt": started,
        "finishedAt": stamp, "containerID": cs.get("containerID") or container_id(pod, name)}}
    cs["restartCount"] = cs.get("restartCount", 0) + 1
    cs["image"] = c.get("image", "")
    cs["imageID"] = ""
    cs["state"] = shared.waiting("ContainerCreating")
    cs["ready"] = False
    cs["started"] = False
    kubelet._begin(pod, c, cw, node_name, now)
    return True
