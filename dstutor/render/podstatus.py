"""A pod's STATUS, READY and RESTARTS as kubectl's printer works them out (printPod in
printers.go): the reason a pod shows, ready and total containers, restarts, and when the
last one was. `get pods`, `why`, `map` and the planner read the same answer."""

from __future__ import annotations

from typing import Any

from dstutor.model.timefmt import parse_rfc3339

Obj = dict[str, Any]


def _is_restartable(container: Obj | None) -> bool:
    return bool(container) and (container or {}).get("restartPolicy") == "Always"


def _has_condition(pod: Obj, ctype: str) -> bool:
    return any(c.get("type") == ctype and c.get("status") == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def _finished_at(status: Obj) -> float | None:
    terminated = (status.get("lastState") or {}).get("terminated")
    if terminated is None or not terminated.get("finishedAt"):
        return None
    return parse_rfc3339(terminated["finishedAt"])


def _later(a: float | None, b: float | None) -> float | None:
    if b is None:
        return a
    return b if a is None or a < b else a


def _terminated_reason(term: Obj, prefix: str = "") -> str:
    if term.get("reason"):
        return prefix + str(term["reason"])
    if term.get("signal"):
        return f"{prefix}Signal:{term['signal']}"
    return f"{prefix}ExitCode:{term.get('exitCode', 0)}"


def pod_status_and_counts(pod: Obj) -> tuple[str, int, int, int, float | None]:
    """printPod's reason, ready count, total count, restarts and last restart time."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        # Most conditions have no reason: test it first.
        if cond.get("reason") == "SchedulingGated" and cond.get("type") == "PodScheduled":
            reason = "SchedulingGated"
    total = len(spec.get("containers") or ())
    init_containers = spec.get("initContainers")
    init_specs = {c.get("name"): c for c in init_containers} if init_containers else {}
    if init_specs:
        total += sum(1 for c in init_specs.values() if _is_restartable(c))
    ready = restarts = sidecar_restarts = 0
    last_restart: float | None = None
    last_sidecar_restart: float | None = None
    initializing = False
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += cs.get("restartCount", 0)
        last_restart = _later(last_restart, _finished_at(cs))
        restartable = _is_restartable(init_specs.get(cs.get("name")))
        if restartable:
            sidecar_restarts += cs.get("restartCount", 0)
            last_sidecar_restart = _later(last_sidecar_restart, _finished_at(cs))
        state = cs.get("state") or {}
        terminated, waiting = state.get("terminated"), state.get("waiting")
        if terminated is not None and terminated.get("exitCode", 0) == 0:
            continue
        if restartable and cs.get("started"):
            ready += 1 if cs.get("ready") else 0
            continue
        if terminated is not None:
            reason = _terminated_reason(terminated, "Init:")
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(spec.get('initContainers') or [])}"
        initializing = True
        break
    if not initializing or _has_condition(pod, "Initialized"):
        restarts, last_restart = sidecar_restarts, last_sidecar_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or ()):
            restarts += cs.get("restartCount", 0)
            if cs.get("lastState"):  # the usual empty lastState has no finishedAt
                last_restart = _later(last_restart, _finished_at(cs))
            state = cs.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _has_condition(pod, "Ready") else "NotReady"
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"
    return reason, ready, total, restarts, last_restart


# A pod's cells depend only on the object, except AGE and a restart's "ago", so the rest
# (printPod's status arithmetic included) is remembered per object. An entry holds the
# pod itself and is used only for that very object at the same resourceVersion: the
# store bumps resourceVersion on every change, in-place edits included (Store.touch).
# (uid, resourceVersion) alone would not do: clusters built from the same seed give the
# same uids and resourceVersions to pods in different states. Entries keep their pods
# alive, deleted ones included, so the memo is bounded and emptied when full. The bound
# grows to twice the biggest pod table built (build_table reserves it, up to
# _POD_ROWS_CEILING): with a fixed 5,000 a 10,000-pod listing emptied the memo halfway
# through every run and never hit.
# Entry: (pod, resourceVersion, cells with AGE left <unknown>, created, restarts,
# last restart).
