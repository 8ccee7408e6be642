"""Readiness probes that fail while the application warms up (the simulator's rule).

The kubelet's prober (upstream pkg/kubelet/prober) runs a container's readinessProbe
first `initialDelaySeconds` after the container starts, then every `periodSeconds`
(default 10); the container is ready after `successThreshold` successes in a row (default
1), and each failure is a Warning event `Unhealthy`, "Readiness probe failed: ...".

A simulated container has no application to ask, so when it answers is explicit: the
pod annotation `dstutor.io/ready-after: 20s` (a duration: 20s, 1m30s, or seconds) means
its applications answer probes only once they have run that long. Probes before then
fail with the words the real prober uses for a port nobody listens on yet (httpGet,
tcpSocket) or an exec command that exits non-zero without output. Without the
annotation the first probe succeeds. Containers without a readinessProbe are ready as
soon as they run, whatever the annotation says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dstutor.controller.context import Context
from dstutor.model.objects import Key, Obj, is_terminating, key_of

READY_AFTER_ANNOTATION = "dstutor.io/ready-after"
DEFAULT_PERIOD = 10.0
COMPONENT = "kubelet"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0}


def warmup_seconds(pod: Obj) -> float:
    """How long the pod's applications need before they answer probes (0: at once)."""
    text = str(((pod.get("metadata") or {}).get("annotations") or {}).get(
        READY_AFTER_ANNOTATION) or "").strip()
    if not text:
        return 0.0
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return 0.0  # not a duration: ignored, like an annotation the kubelet does not know
    return sum(float(n) * _UNIT[u] for n, u in parts)


@dataclass(frozen=True)
class ProbePlan:
    """When one container's readiness probe fails and when it first succeeds, in seconds
    after the container started."""

    failures: tuple[float, ...]
    ready_after: float


def plan(container: Obj, warmup: float) -> ProbePlan:
    probe = container.get("readinessProbe")
    if not isinstance(probe, dict):
        return ProbePlan((), 0.0)
    t = float(probe.get("initialDelaySeconds") or 0)
    period = float(probe.get("periodSeconds") or DEFAULT_PERIOD)
    failures: list[float] = []
    while t < warmup and len(failures) < 1000:
        failures.append(t)
        t += period
    # Readiness may ask for several successes in a row (successThreshold, default 1): the
    # worker reports Success only at the last of them (worker.go's resultRun).
    successes = max(int(probe.get("successThreshold") or 1), 1)
    return ProbePlan(tuple(failures), t + (successes - 1) * period)


def container_ready_delay(pod: Obj, container: Obj) -> float:
    """Seconds after one container starts until its readiness probe first succeeds."""
    if not isinstance(container.get("readinessProbe"), dict):
        return 0.0  # plan's answer without a probe, without reading the annotation
    return plan(container, warmup_seconds(pod)).ready_after


def readiness_delay(pod: Obj) -> float:
    """Seconds after the containers start (together) until every one of them is ready."""
    return max((container_ready_delay(pod, c) for c in pod["spec"].get("containers") or []),
               default=0.0)


def _port(container: Obj, port: object) -> str:
    if isinstance(port, str) and not port.isdigit():
        for p in container.get("ports") or []:
            if p.get("name") == port:
                return str(p.get("containerPort"))
    return str(port)


def failure_output(container: Obj, pod_ip: str) -> str:
    """What the prober reports for a probe nobody answers yet."""
    probe = container.get("readinessProbe") or {}
    if "httpGet" in probe:
        get = probe["httpGet"] or {}
        scheme = str(get.get("scheme") or "HTTP").lower()
        host = get.get("host") or pod_ip
        port = _port(container, get.get("port", 80))
        path = get.get("path") or "/"
        return (f'Get "{scheme}://{host}:{port}{path}": dial tcp {host}:{port}: connect: '
                "connection refused")
    if "tcpSocket" in probe:
        sock = probe["tcpSocket"] or {}
        host = sock.get("host") or pod_ip
        port = _port(container, sock.get("port", 0))
        return f"dial tcp {host}:{port}: connect: connection refused"
    if "grpc" in probe:
        port = (probe["grpc"] or {}).get("port", 0)
        return (f'timeout: failed to connect service "{pod_ip}:{port}" within 1s: context '
                "deadline exceeded")
    return ""  # exec: the command exited non-zero and printed nothing


class Prober:
    """Records the failed readiness probes of containers that warm up slowly."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def container_started(self, pod: Obj, container_name: str, now: float) -> None:
        """The kubelet started one of the pod's containers at `now` (each container starts,
        and restarts, on its own): schedule each of its failed probes."""
        containers = pod["spec"].get("containers") or []
        if not any(isinstance(c.get("readinessProbe"), dict) for c in containers):
            return  # no probe, no failures to schedule (plan's answer), nothing to parse
        warmup = warmup_seconds(pod)
        if not warmup:
            return
        key = key_of(pod)
        uid = pod["metadata"].get("uid", "")
        for c in containers:
            if c["name"] != container_name:
                continue
            for offset in plan(c, warmup).failures:
                # One timer per probe: the engine keeps only the earliest wake-up per key.
                self.ctx.enqueue_at("prober", (key, uid, c["name"], now + offset),
                                    now + offset)

    def sync(self, item: tuple[Key, str, str, float]) -> None:
        key, uid, container_name, _when = item
        pod = self.ctx.store.get(*key)
        if pod is None or pod["metadata"].get("uid") != uid or is_terminating(pod):
            return
        status = next((cs for cs in pod["status"].get("containerStatuses") or []
                       if cs.get("name") == container_name), None)
        running = (status or {}).get("state", {}).get("running")
        if not running or status is None or status.get("ready"):
            return  # restarted, stopped or already ready meanwhile
        container = next(c for c in pod["spec"]["containers"] if c["name"] == container_name)
        output = failure_output(container, pod["status"].get("podIP", ""))
        node = pod["spec"].get("nodeName", "")
        self.ctx.record_event(pod, "Warning", "Unhealthy", f"Readiness probe failed: {output}",
                              component=COMPONENT, host=node,
                              field_path=f"spec.containers{{{container_name}}}")
