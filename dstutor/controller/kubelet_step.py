"""Kubelet._step for a pod of one container whose progress is a shared record (nearly
every pod: kubelet_work.shared_work): the general step's work without its loops and its
copy of the container table. A function the kubelet calls, written here to keep
kubelet.py short (Kubelet.sync_pod calls it); tests/sim/test_sim_join6_fast_paths.py holds it
to the general step (Kubelet._step)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.controller import kubelet_events, shared
from dstutor.controller.kubelet_ids import container_id
from dstutor.controller.kubelet_work import (
    _STEADY_WORK,
    ContainerWork,
    PodWork,
    pulled_one,
    shared_one,
)
from dstutor.controller.pod_record import PodRecord
from dstutor.model.objects import Obj
from dstutor.model.timefmt import to_rfc3339

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
        if cw.stage == "pulling" and ((quiet := pulled_quietly(kubelet, pod, c))
                                      or pulled_plainly(kubelet, pod, c)):
            # _advance's finished pull, which writes nothing (but its Pulled event, with
            # pod events): the node has the image, the container starts
            # containerStartSeconds later. Its next record is made without a private copy
            # of `cw` first (tests/sim/test_sim_join8_fast_paths.py, and with pod events
            # tests/sim/test_sim_events2_fast_paths.py).
            kubelet.nodes[node_name].pulled(c.get("image", ""))
            if not quiet:
                kubelet_events.pulled_event(kubelet, pod, c, node_name)
            due = now + float(kubelet.ctx.timing["containerStartSeconds"])
            record.work = pulled_one(work, c["name"], cw, due)
            kubelet.wake_pod_at(key, due)
            return
        if cw.stage == "starting":
            cs = started_quietly(kubelet, pod, c)
            if cs is None:
                cs = started_plainly(kubelet, pod, c)
                if cs is not None:  # Kubelet._start_events, first, as _start records them
                    kubelet_events.start_events(kubelet, pod, c, cw.fresh, node_name)
            if cs is not None:
                # Kubelet._start of a container that runs and is ready at once, recording
                # nothing else: its status as _start writes it, and the pod steady (the
                # private copy of `cw` the general step makes would only be dropped).
                cs["state"] = shared.running(to_rfc3339(now))
                cs["containerID"] = container_id(pod, c["name"])
                cs["imageID"] = shared.image_id(c.get("image", ""))
                cs["started"] = True
                cs["ready"] = True
                record.work = _STEADY_WORK
                if len(pod["status"]["containerStatuses"]) == 1:
                    # Kubelet._sync_status of its one container, running and ready: the
                    # pod runs, ready (the loop's counts, without the loop).
                    pod["status"]["phase"] = "Running"
                    kubelet._set_conditions(pod, ready=True, now=now)
                else:
                    kubelet._sync_status(pod, now)
                kubelet.ctx.store.touch_status(pod)
                return
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


def pulled_quietly(kubelet: Kubelet, pod: Obj, c: Obj) -> bool:
    """Whether Kubelet._advance, for container `c` whose pull is due, would only note the
    image and move the container on to starting: the image is not one that never pulls,
    no Pulled event is recorded, and the container's status is not a pull error's (which
    the end of a pull clears, a status write). (A container without a status is left to
    _advance, which raises for it after noting the image.)"""
    if c.get("image", "") in kubelet.missing or kubelet.pod_events():
        return False
    return _pull_ends_plainly(pod, c)


def pulled_plainly(kubelet: Kubelet, pod: Obj, c: Obj) -> bool:
    """pulled_quietly but for the Pulled event: with pod events, whether the end of
    container `c`'s pull would only note the image, record Pulled and move the container
    on to starting."""
    if c.get("image", "") in kubelet.missing or not kubelet.pod_events():
        return False
    return _pull_ends_plainly(pod, c)


def _pull_ends_plainly(pod: Obj, c: Obj) -> bool:
    """Whether container `c` has a status, and not a pull error's."""
    for cs in pod["status"].get("containerStatuses") or []:  # Kubelet._cs, inline
        if cs["name"] == c["name"]:
            waiting = cs["state"].get("waiting")
            return waiting is None or waiting.get("reason") not in (
                "ErrImagePull", "ImagePullBackOff")
    return False


def started_quietly(kubelet: Kubelet, pod: Obj, c: Obj) -> Obj | None:
    """The status of container `c`, whose start is due, if Kubelet._start would only
    write it running and ready: its image does not crash, it has no readiness probe (no
    delay, nobody to tell) and no event is recorded; else None (as for a container
    without a status, left to _start, which raises for it)."""
    if (c.get("image", "") in kubelet.crashing or isinstance(c.get("readinessProbe"), dict)
            or kubelet.pod_events()):
        return None
    return _status_of(pod, c)


def started_plainly(kubelet: Kubelet, pod: Obj, c: Obj) -> Obj | None:
    """started_quietly but for the events of the start: with pod events, the status of
    container `c` if Kubelet._start would only record its events
    (kubelet_events.start_events) and then write it running and ready; else None."""
    if (c.get("image", "") in kubelet.crashing or isinstance(c.get("readinessProbe"), dict)
            or not kubelet.pod_events()):
        return None
    return _status_of(pod, c)


def _status_of(pod: Obj, c: Obj) -> Obj | None:
    """Container `c`'s status (Kubelet._cs, without its error for a missing one)."""
    for cs in pod["status"].get("containerStatuses") or []:
        if cs["name"] == c["name"]:
            return cs
    return None
