"""The kubelet's pod status: its containers' statuses, its phase and its conditions.
Kubelet's methods (`_set_container_states`, `_sync_status`, `_set_conditions`), written
here to keep kubelet.py short: the class takes these functions as its methods, so each
call is one call, as before."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dstutor.controller import shared
from dstutor.model.objects import Obj
from dstutor.model.shapes import CONTAINER_STATUS
from dstutor.model.sharedguard import share
from dstutor.model.timefmt import to_rfc3339

if TYPE_CHECKING:
    from dstutor.controller.kubelet import Kubelet

# Bounds the kubelet's memo of condition lists; a miss only costs a new list.
CONDITIONS_MEMO_SIZE = 4096


def set_container_states(self: Kubelet, pod: Obj, state: Obj, ready: bool) -> None:
    """The containers' statuses, all in `state` and `ready` (restart counts and last
    states kept); the generation they are based on noted."""
    status = pod["status"]
    # _observe(pod), inline: the generation the status is based on.
    generation = int(pod["metadata"].get("generation") or 0)
    if generation:
        status["observedGeneration"] = generation
    previous = status.get("containerStatuses")
    containers = pod["spec"].get("containers") or []  # _containers(pod)
    if not previous and len(containers) == 1:
        # A pod's first statuses, of its one container (nearly every admission): the
        # loop below without its table of earlier ones (there are none).
        c = containers[0]
        cs = CONTAINER_STATUS.new()
        cs["name"] = c["name"]
        cs["image"] = c.get("image", "")
        cs["imageID"] = ""
        cs["ready"] = ready
        cs["restartCount"] = 0
        cs["started"] = False
        cs["state"] = state
        cs["lastState"] = shared.EMPTY
        status["containerStatuses"] = [cs]
        return
    old = {cs["name"]: cs for cs in previous} if previous else {}
    statuses: list[Obj] = [shared.EMPTY] * len(containers)  # exact size, no slack
    for i, c in enumerate(containers):
        prev = old.get(c["name"], {})
        cs = CONTAINER_STATUS.new()  # a key-sharing dict (model/shapes.py)
        cs["name"] = c["name"]
        cs["image"] = c.get("image", "")
        cs["imageID"] = ""
        cs["ready"] = ready
        cs["restartCount"] = prev.get("restartCount", 0)
        cs["started"] = False
        cs["state"] = state
        cs["lastState"] = prev.get("lastState", shared.EMPTY)
        statuses[i] = cs
    status["containerStatuses"] = statuses

def sync_status(self: Kubelet, pod: Obj, now: float) -> None:
    """The pod-level status from its containers: phase (getPhase) and conditions."""
    statuses = pod["status"].get("containerStatuses") or []
    running = waiting = 0
    ready = bool(statuses)
    for cs in statuses:
        state = cs["state"]
        if "running" in state:
            running += 1
        if "waiting" in state and "terminated" not in cs["lastState"]:
            waiting += 1
        if ready and not cs["ready"]:  # all(), which stops at the first unready
            ready = False
    # Waiting containers that never ran keep the pod Pending; once every container
    # has started, one that is running or restarting makes it Running.
    if waiting == 0 and statuses and (running or pod["spec"].get(
            "restartPolicy", "Always") == "Always"):
        pod["status"]["phase"] = "Running"
    self._set_conditions(pod, ready=ready, now=now)

def set_conditions(self: Kubelet, pod: Obj, *, ready: bool, now: float,
                   initialized: bool = True) -> None:
    status = pod["status"]
    # _observe(pod), inline: the generation the status is based on.
    generation = int(pod["metadata"].get("generation") or 0)
    if generation:
        status["observedGeneration"] = generation
    # Go's %s of a []string: "[a b]", the containers that are not ready.
    if ready:
        message = ""
    else:
        statuses = status.get("containerStatuses") or []
        if len(statuses) == 1:  # (nearly always: the join below, without its list)
            message = ("containers with unready status: []" if statuses[0].get("ready")
                       else "containers with unready status: [" + statuses[0]["name"] + "]")
        else:
            message = "containers with unready status: [{}]".format(" ".join([
                cs["name"] for cs in statuses if not cs.get("ready")]))
    current = status.get("conditions") or []
    # The last call's answer, for the same conditions list (a join's ten pods come in a
    # row, alike): the memo's below, whose entry it is (the memo is only emptied right
    # before a new entry goes in, and that becomes the last), without its key.
    last = self._last_conditions
    asked = (now, ready, generation, initialized, message)
    if current is last[0] and asked == last[1]:
        status["conditions"] = last[2]
        return
    ts = to_rfc3339(now)
    # Pods that change at the same instant in the same way end with equal conditions:
    # they share one list (conditions lists are replaced, never edited in place, like
    # the condition dicts in them; see controller/shared.py). The key holds the
    # conditions it names, so their ids stay theirs while the entry lives.
    memo_key = (ready, ts, generation, initialized, message, *map(id, current))
    hit = self._conditions_memo.get(memo_key)
    if hit is not None:
        status["conditions"] = hit[1]
        self._last_conditions = (current, asked, hit[1])
        return
    wanted_ready = "True" if ready else "False"
    existing = {c["type"]: c for c in current}
    cond = existing.get("PodReadyToStartContainers")
    if cond is None:
        cond = shared.pod_condition("PodReadyToStartContainers", "True", ts,
                                    generation=generation)
    elif cond.get("observedGeneration", 0) != generation:
        cond = {**cond, "observedGeneration": generation}
    conditions = [cond]
    for ctype, wanted, why in (("Initialized", "True" if initialized else "False", ""),
                               ("Ready", wanted_ready, message),
                               ("ContainersReady", wanted_ready, message)):
        cond = existing.get(ctype)
        if cond is None or cond.get("status") != wanted:
            cond = shared.pod_condition(ctype, wanted, ts, "ContainersNotReady" if why else "",
                                        why, generation)
        elif why and cond.get("message") != why:
            # Still unready, but another set of containers: the transition time stays.
            cond = shared.pod_condition(ctype, wanted, cond.get("lastTransitionTime", ts),
                                        "ContainersNotReady", why, generation)
        elif cond.get("observedGeneration", 0) != generation:
            cond = {**cond, "observedGeneration": generation}
        conditions.append(cond)
    cond = existing.get("PodScheduled")
    if cond is not None:
        conditions.append(cond)
    status["conditions"] = conditions
    if len(self._conditions_memo) >= CONDITIONS_MEMO_SIZE:
        self._conditions_memo.clear()
    self._conditions_memo[memo_key] = (tuple(current), share(conditions))
    self._last_conditions = (current, asked, conditions)
