"""The kubelet's back-offs: a failed pull (ErrImagePull, then ImagePullBackOff) and a
crashing container's CrashLoopBackOff, shown one second after the failure. Kubelet's
methods (`_pull_failed`, `show_backoff`), written here to keep kubelet.py short: the
class takes these functions as its methods, so each call is one call, as before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.controller import shared
from dstutor.controller.images import image_ref, pull_error
from dstutor.controller.kubelet_work import ContainerWork, SharedPodWork, own_work
from dstutor.model.objects import Obj, is_terminating
from dstutor.model.timefmt import go_duration

if TYPE_CHECKING:
    from dstutor.controller.kubelet import Kubelet, PodKey

BACKOFF_INITIAL = 10.0
BACKOFF_MAX = 300.0


def pull_failed(self: Kubelet, pod: Obj, key: PodKey, c: Obj, cw: ContainerWork, now: float
                ) -> None:
    """A pull that failed: Failed events, ErrImagePull, and the back-off before the next
    attempt (shown one second later, show_backoff)."""
    node_name = pod["spec"]["nodeName"]
    image = c.get("image", "")
    error = pull_error(image)
    self._event(pod, c["name"], "Warning", "Failed",
                f'Failed to pull image "{image_ref(image)}": {error}', node_name)
    self._event(pod, c["name"], "Warning", "Failed", "Error: ErrImagePull", node_name)
    cw.backoff = BACKOFF_INITIAL if not cw.backoff else min(cw.backoff * 2, BACKOFF_MAX)
    # ErrImagePull shows briefly, then ImagePullBackOff until the next attempt.
    self._cs(pod, c["name"])["state"] = shared.waiting("ErrImagePull", error)
    cw.stage, cw.due, cw.error, cw.shown = "pull-failed", now + cw.backoff, error, False
    self.ctx.enqueue_at("kubelet-backoff", key, now + 1)


def show_backoff(self: Kubelet, key: PodKey) -> None:
    """One second after a failure the waiting reason turns into a BackOff reason."""
    pod = self.ctx.store.get(*key)
    work = self.work.get(key)
    if pod is None or work is None or is_terminating(pod) or work.stage != "active":
        return
    node_name = pod["spec"].get("nodeName", "")
    if not self.is_alive(node_name):
        return
    changed = False
    for c in self._containers(pod):
        cw = work.containers.get(c["name"])
        if cw is None or cw.shown or cw.stage not in ("pull-failed", "crashed"):
            continue
        if type(work) is SharedPodWork:
            work = self.work[key] = own_work(work)
            cw = work.containers[c["name"]]
        cw.shown, changed, name = True, True, c["name"]
        if cw.stage == "pull-failed":
            image = image_ref(c.get("image", ""))
            message = f'Back-off pulling image "{image}"'
            self._event(pod, name, "Normal", "BackOff", message, node_name)
            self._event(pod, name, "Warning", "Failed", "Error: ImagePullBackOff", node_name)
            # The waiting message wraps the previous pull's error (prevPullErrMsg).
            state = shared.waiting("ImagePullBackOff", f"{message}: {cw.error}")
        else:
            who = f"{key[2]}_{key[1]}({pod['metadata']['uid']})"
            self._event(pod, name, "Warning", "BackOff",
                        f"Back-off restarting failed container {name} in pod {who}",
                        node_name)
            state = shared.waiting(
                "CrashLoopBackOff",
                f"back-off {go_duration(cw.backoff)} restarting failed container={name} "
                f"pod={who}")
        self._cs(pod, name)["state"] = state
    if changed:
        self.ctx.store.touch_status(pod)
