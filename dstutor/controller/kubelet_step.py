"""Kubelet._step for a pod of one container whose progress is a shared record (nearly
every pod: kubelet_work.shared_work): the general step's work without its loops and its
copy of the container table. A function the kubelet calls, written here to keep
kubelet.py short (Kubelet.sync_pod calls it); tests/sim/test_sim_join6_fast_paths.py holds it
to the general step (Kubelet._step)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.controller.kubelet_work import _STEADY_WORK, ContainerWork, PodWork, shared_one
from dstutor.controller.pod_record import PodRecord
from dstutor.model.objects import Obj

if TYPE_CHECKING:
    from dstutor.controller.kubelet import Kubelet, PodKey


def step_one(kubelet: Kubelet, pod: Obj, key: PodKey, node_name: str, work: PodWork,
             c: Obj, cw: ContainerWork, now: float, record: PodRecord) -> None:
    """`work`, a SharedPodWork, holds `cw` alone, for the pod's one container `c`. As in the general step, a
    container that moves on does so in a copy, shared again (or forgotten once steady)
    before the pod's status is written."""
    changed = False
    own = cw
    if cw.stage == "running":
        if cw.ready_at is not None and now >= cw.ready_at:
            own = ContainerWork(cw.stage, cw.due, cw.backoff, cw.ready_at, cw.fresh,
                                cw.shown, cw.error)
            own.ready_at = None
            kubelet._cs(pod, c["name"])["ready"] = True
            changed = True
    elif cw.due <= now:
        own = ContainerWork(cw.stage, cw.due, cw.backoff, cw.ready_at, cw.fresh, cw.shown,
                            cw.error)
        changed = kubelet._advance(pod, key, node_name, c, own, now)
    # A running container wakes the pod only while it waits to become ready; any other
    # keeps the pod from being steady.
    if own.stage == "running":
        wake = own.ready_at
        if wake is None:
            # Nothing is due until something happens to the pod: forget the progress.
            record.work = _STEADY_WORK
        elif own is not cw:
            record.work = shared_one(work, c["name"], own)
    else:
        wake = own.due
        if own is not cw:
            record.work = shared_one(work, c["name"], own)
    if changed:
        kubelet._sync_status(pod, now)
        kubelet.ctx.store.touch_status(pod)
    if wake is not None:
        kubelet.wake_pod_at(key, wake)
