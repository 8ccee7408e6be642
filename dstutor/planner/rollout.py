"""One rollout on the virtual clock: apply the new template with a strategy, let time run,
and record what a rollout-watcher would see, until it is done or stuck.

Nothing here decides how a DaemonSet rolls: the simulator's controllers do (rolling_update,
maxUnavailable/maxSurge, minReadySeconds, readiness). This module only watches the
DaemonSet's status after each instant, counts the nodes whose new pod became available,
fails the nodes drawn to fail, and says why a rollout stopped in the simulator's words.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass, field

from dstutor.controller.daemonset_util import surge_count, unavailable_count
from dstutor.errors import DstutorError
from dstutor.model.objects import (
    TEMPLATE_GENERATION_ANNOTATION,
    TEMPLATE_GENERATION_LABEL,
    Obj,
    controller_ref,
    is_pod_available,
    is_terminating,
    node_condition,
    pod_condition,
    target_node_name,
)
from dstutor.planner.fleet import Fleet
from dstutor.planner.inputs import PlanError
from dstutor.render.podstatus import pod_status_and_counts
from dstutor.render.rollout import daemonset_status_line
from dstutor.sim.cluster import Cluster

# A rollout that makes no progress for this long (at least) is stuck, even if something
# keeps happening (an image pull backing off, a container crash-looping).
STALL_MIN_SECONDS = 3600.0
# Past this much virtual time the plan stops and says the rollout had not finished.
MAX_ROLLOUT_SECONDS = 90 * 86400.0
# How many unavailable pods a stuck rollout's explanation names.
WHY_PODS = 5

COMPLETE, COMPLETE_EXCEPT_FAILED, STUCK, UNFINISHED = (
    "complete", "failed nodes wait", "stuck", "unfinished")


@dataclass(frozen=True)
class Strategy:
    """An update strategy to try: `label` is what the table shows."""

    label: str
    update_strategy: Obj  # spec.updateStrategy as written
    own: bool = False  # the manifest's own


@dataclass(frozen=True)
class Failure:
    """A node that fails once this share of the nodes has finished (0..1)."""

    node: str
    at_share: float


@dataclass
class Point:
    t: float  # seconds since the new template was applied
    updated: int  # updatedNumberScheduled
    finished: int  # nodes whose new pod is available
    unavailable: int  # numberUnavailable: nodes without an available daemon pod


@dataclass
class Result:
    strategy: Strategy
    outcome: str
    desired: int
    duration: float  # until the last node finished, or until the rollout stopped moving
    finished: int
    peak_unavailable: int  # the most nodes without an available daemon pod at once
    budget: str  # maxUnavailable / maxSurge as rolling_update computed them
    tenths: list[float | None]  # when 10%, 20% ... 100% of the nodes had finished
    points: list[Point] = field(default_factory=list)
    failed: list[tuple[str, float]] = field(default_factory=list)  # node, when
    status_line: str = ""  # `kubectl rollout status` at the end
    why: list[str] = field(default_factory=list)


class _Finished:
    """Store listener: the first time each node's new pod turns Ready (minReadySeconds is
    added when counting, as availability does)."""

    def __init__(self, cluster: Cluster, uid: str, generation: str) -> None:
        self.cluster, self.uid, self.generation = cluster, uid, generation
        self.ready_at: dict[str, float] = {}
        self.times: list[float] = []  # in the order nodes turned Ready: never decreasing

    def __call__(self, kind: str, old: Obj | None, new: Obj | None) -> None:
        if kind != "Pod" or new is None:
            return
        node = new["spec"].get("nodeName")
        if not node or node in self.ready_at:
            return
        if (new["metadata"].get("labels") or {}).get(TEMPLATE_GENERATION_LABEL) != \
                self.generation:
            return
        ref = controller_ref(new)
        if ref is None or ref.get("uid") != self.uid or is_terminating(new):
            return
        ready = pod_condition(new, "Ready")
        if ready is not None and ready.get("status") == "True":
            now = self.cluster.now()
            self.ready_at[node] = now
            self.times.append(now)


def _budget_text(ds: Obj, desired: int) -> str:
    surge, unavailable = surge_count(ds, desired), unavailable_count(ds, desired)
    if surge == 0 and unavailable == 0 and desired > 0:
        unavailable = 1  # rolling_update's fallback
    return f"maxSurge {surge}" if surge else f"maxUnavailable {unavailable}"


def _apply(cluster: Cluster, fleet: Fleet, strategy: Strategy) -> Obj:
    live = cluster.get("DaemonSet", fleet.namespace, fleet.name)
    before = (live["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
    live["spec"]["template"] = copy.deepcopy(fleet.template)
    live["spec"]["updateStrategy"] = copy.deepcopy(strategy.update_strategy)
    try:
        stored = cluster.update(live)
    except DstutorError as exc:
        raise PlanError(f"error: the new version cannot be applied ({strategy.label}): "
                        f"{str(exc).removeprefix('error: ')}") from None
    after = (stored["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
    if after == before:
        raise PlanError(f'error: daemonset "{fleet.name}" already runs this template: '
                        "there is nothing to roll out")
    return stored


def run(fleet: Fleet, strategy: Strategy, failures: Sequence[Failure] = (),
        *, stall_seconds: float = STALL_MIN_SECONDS) -> Result:
    """Roll the new template out with `strategy` and watch it to the end."""
    cluster = fleet.thaw()
    ds = _apply(cluster, fleet, strategy)
    uid = ds["metadata"]["uid"]
    generation = str((ds["metadata"].get("annotations") or {})[TEMPLATE_GENERATION_ANNOTATION])
    finished = _Finished(cluster, uid, generation)
    cluster.store.listeners.append(finished)
    cluster.store.event_blind.append(finished)  # it looks at Pods only: Events stay records
    # IsPodAvailable wants Ready for longer than minReadySeconds, so upstream looks again
    # minReadySeconds + 1 s after Ready: that is when the controller sees the pod available.
    min_ready = int(ds["spec"].get("minReadySeconds") or 0)
    seen_after = min_ready + 1 if min_ready else 0
    start = cluster.now()
    done_count = 0
    # A slow round (a 20-minute pull) is progress, not a stall: wait several rounds' worth.
    stall_seconds = max(stall_seconds, 4 * (_round_seconds(fleet) + seen_after))
    pending = sorted(failures, key=lambda f: (f.at_share, f.node))
    failed: list[tuple[str, float]] = []
    points: list[Point] = []
    last: tuple[int, int, int] | None = None
    last_progress = start
    engine = cluster.engine
    while True:
        now = cluster.now()
        live = cluster.store.get("DaemonSet", fleet.namespace, fleet.name)
        if live is None:
            raise PlanError(f'error: daemonset "{fleet.name}" was deleted during the rollout')
        status = live.get("status") or {}
        desired = int(status.get("desiredNumberScheduled") or 0)
        # finished.times never decreases: count on from where the last instant stopped.
        while done_count < len(finished.times) and \
                finished.times[done_count] + seen_after <= now:
            done_count += 1
        state = (int(status.get("updatedNumberScheduled") or 0), done_count,
                 int(status.get("numberUnavailable") or 0))
        if state != last:
            points.append(Point(now - start, *state))
            if last is None or state[:2] != last[:2]:
                last_progress = now
            last = state
        line, done = daemonset_status_line(live)
        if done and done_count >= desired:
            outcome = COMPLETE
            break
        while pending and desired and done_count >= pending[0].at_share * desired:
            node = pending.pop(0).node
            if cluster.node_is_up(node):
                cluster.fail_node(node)
                failed.append((node, now - start))
        nxt = engine.next_timer()
        if nxt is None or nxt - last_progress > stall_seconds:
            down = {n for n, _ in failed}
            outcome = (COMPLETE_EXCEPT_FAILED if failed and _only_failed_left(
                cluster, fleet, finished, down, seen_after, now) else STUCK)
            break
        if nxt - start > MAX_ROLLOUT_SECONDS:
            outcome = UNFINISHED
            break
        engine.run_until(nxt)
    desired = int((live.get("status") or {}).get("desiredNumberScheduled") or 0)
    times = sorted(t + seen_after for t in finished.times)
    end = (times[-1] if times and outcome != STUCK else last_progress) - start
    if outcome == STUCK and times:
        end = max(end, times[-1] - start)
    result = Result(strategy, outcome, desired, max(end, 0.0), len(times),
                    max((p.unavailable for p in points), default=0),
                    _budget_text(live, desired), _tenths(times, desired, start), points,
                    failed, line)
    if outcome != COMPLETE:
        result.why = explain(cluster, live, finished, min_ready, outcome)
    return result


def _round_seconds(fleet: Fleet) -> float:
    """One node's replacement without surprises: stop, pull, start, turn Ready."""
    timing = fleet.timing
    containers = (fleet.template.get("spec") or {}).get("containers") or []
    ready = max((float((c.get("readinessProbe") or {}).get("initialDelaySeconds") or 0)
                 for c in containers), default=0.0)
    return (float(timing.get("terminationSeconds", 1)) + float(timing.get("imagePullSeconds", 2))
            + float(timing.get("containerStartSeconds", 1)) + ready)


def _tenths(times: list[float], desired: int, start: float) -> list[float | None]:
    out: list[float | None] = []
    for tenth in range(1, 11):
        need = -(-tenth * desired // 10)  # the nodes in the first `tenth` tenths, rounded up
        out.append(times[need - 1] - start if 0 < need <= len(times) else None)
    return out


def _only_failed_left(cluster: Cluster, fleet: Fleet, finished: _Finished, down: set[str],
                      seen_after: int, now: float) -> bool:
    """Every node still without its new pod is a failed one: nothing more can happen."""
    live_pods = cluster.pods_of(fleet.name, fleet.namespace)
    nodes = {p["spec"].get("nodeName") for p in live_pods} | set(fleet.nodes)
    for node in nodes:
        if not node or node in down:
            continue
        at = finished.ready_at.get(node)
        if at is None or at + seen_after > now:
            return False
    return True


def _unavailable(count: int) -> str:
    return f"{count} unavailable pod uses" if count == 1 else f"{count} unavailable pods use"


def _pods(count: int) -> str:
    return f"{count} pod{'s' if count != 1 else ''}"


def _node_down(cluster: Cluster, node_name: str) -> bool:
    node = cluster.find("Node", "", node_name)
    return node is None or not cluster.node_is_up(node_name) or (
        (node_condition(node, "Ready") or {}).get("status") != "True")


def _unscheduled(pod: Obj) -> str:
    """The scheduler's words for a pod it could not bind (FailedScheduling's message)."""
    scheduled = pod_condition(pod, "PodScheduled") or {}
    if pod["spec"].get("nodeName") or scheduled.get("status") != "False":
        return ""
    return f" ({scheduled.get('message') or scheduled.get('reason') or 'not scheduled'})"


def _pod_status(pod: Obj) -> str:
    if is_terminating(pod):
        return "Terminating"
    return pod_status_and_counts(pod)[0] or "Pending"


def _node_text(cluster: Cluster, node_name: str) -> str:
    node = cluster.find("Node", "", node_name)
    if node is None:
        return f"{node_name} (gone)"
    ready = node_condition(node, "Ready") or {}
    if ready.get("status") == "True":
        return node_name
    return f"{node_name} (NotReady: {ready.get('message') or ready.get('reason') or 'unknown'})"


def explain(cluster: Cluster, ds: Obj, finished: _Finished, min_ready: int,
            outcome: str) -> list[str]:
    """Why the rollout stopped, in the simulator's words: the strategy, rolling_update's
    budget and what it is spent on, and the pods that are not available."""
    strategy = (ds["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
    if strategy == "OnDelete":
        return ["updateStrategy OnDelete: the controller replaces a pod only when something "
                "deletes it, so nothing rolls by itself"]
    status = ds.get("status") or {}
    desired = int(status.get("desiredNumberScheduled") or 0)
    now = cluster.now()
    unavailable: list[tuple[str, Obj]] = []
    old_nodes = 0
    generation = finished.generation
    for pod in cluster.pods_of(ds["metadata"]["name"], ds["metadata"]["namespace"]):
        # An unscheduled daemon pod names its node in its affinity (the scheduler binds it).
        node = pod["spec"].get("nodeName") or target_node_name(pod) or ""
        current = (pod["metadata"].get("labels") or {}).get(TEMPLATE_GENERATION_LABEL) == \
            generation
        if not current and not is_terminating(pod):
            old_nodes += 1
        if is_terminating(pod) or not is_pod_available(pod, min_ready, now):
            unavailable.append((node, pod))
    lines: list[str] = []
    surge, budget = surge_count(ds, desired), unavailable_count(ds, desired)
    if outcome == COMPLETE_EXCEPT_FAILED:
        lines.append("every healthy node runs the new version; the failed nodes' pods "
                     "cannot become available until their nodes recover")
        down = {n for n, pod in unavailable if _node_down(cluster, n)}
        unavailable = [(n, pod) for n, pod in unavailable if n in down]
    elif surge:
        lines.append(f"{_unavailable(len(unavailable))} up maxSurge {surge}: "
                     "rolling_update starts no more surge pods")
    else:
        lines.append(f"{_unavailable(len(unavailable))} up maxUnavailable {budget or 1}: "
                     "rolling_update deletes no more old pods")
    if old_nodes and outcome != COMPLETE_EXCEPT_FAILED:
        lines.append(f"{old_nodes} node still runs the old version" if old_nodes == 1
                     else f"{old_nodes} nodes still run the old version")
    for node, pod in unavailable[:WHY_PODS]:
        lines.append(f"{pod['metadata']['name']} on {_node_text(cluster, node)}: "
                     f"{_pod_status(pod)}, not available{_unscheduled(pod)}")
    if len(unavailable) > WHY_PODS:
        lines.append(f"... and {_pods(len(unavailable) - WHY_PODS)} more not available")
    return lines
