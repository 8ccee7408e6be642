"""`kubectl logs`: the lines a container printed, as the kubelet would return them.

The text comes from render/logtext.py (plausible lines per image, on the virtual clock);
this module picks the pod(s) and container(s) as kubectl does and applies the kubelet's
rules: which instance (running, last terminated, --previous), --since, --tail.
"""

from __future__ import annotations

from dataclasses import dataclass

from dstutor.errors import BadRequest, DstutorError, NotFound
from dstutor.kubectl.commands._base import (
    Env,
    OutputBuffer,
    error,
    flag_bool,
    flag_float,
    flag_int,
    flag_str,
    list_objects,
    namespace_of,
)
from dstutor.kubectl.commands._follow import can_follow, follow, follow_virtual
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.kubectl.resources import resource_for_kind
from dstutor.model.objects import Obj
from dstutor.model.selectors import selector_from_dict
from dstutor.model.timefmt import parse_rfc3339, to_rfc3339
from dstutor.render.logtext import LogContext, container_log

SELECTOR_TAIL = 10  # kubectl's default --tail with -l


@dataclass(frozen=True)
class Source:
    pod: Obj
    container: str
    init: bool = False


def _pods_of(env: Env, owner: Obj) -> list[Obj]:
    selector = (owner.get("spec") or {}).get("selector")
    ns = owner["metadata"].get("namespace", "")
    pods = env.cluster.list_live("Pod", ns)
    if owner["kind"] in ("DaemonSet", "ReplicaSet"):
        owned = [p for p in pods if any(r.get("uid") == owner["metadata"].get("uid")
                                        for r in p["metadata"].get("ownerReferences") or [])]
        if owned:
            return owned
    if not isinstance(selector, dict):
        return []
    matches = selector_from_dict(selector).matches
    return [p for p in pods if matches(p["metadata"].get("labels") or {})]


def _logging_order(pod: Obj) -> tuple[bool, bool, bool, int, str, str]:
    """podutils.ByLogging, roughly: scheduled, running, ready, more restarts, older first."""
    status = pod.get("status") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                for c in status.get("conditions") or [])
    restarts = sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or [])
    return (not pod["spec"].get("nodeName"), status.get("phase") != "Running", not ready,
            -restarts, pod["metadata"].get("creationTimestamp", ""), pod["metadata"]["name"])


def _pick_pods(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> list[Obj]:
    ns = namespace_of(env, cmd)
    if cmd.selector:
        pods = list_objects(env, resource_for_kind("Pod"), None if cmd.all_namespaces else ns,
                            cmd.selector, live=True)
        if not pods:
            out.err(f"No resources found in {ns} namespace.")
        return sorted(pods, key=lambda p: p["metadata"]["name"])
    target = cmd.targets[0]
    assert target.name is not None
    try:
        obj = env.cluster.get(target.type.kind, ns if target.type.namespaced else "",
                              target.name)
    except NotFound as exc:
        # kubectl's logs wraps the server's refusal in its own words, namespace and all
        # (even for a cluster-scoped kind).
        raise error(f'error from server (NotFound): {exc.message} in namespace "{ns}"'
                    ) from None
    if obj["kind"] == "Pod":
        return [obj]
    if obj["kind"] == "Node":
        raise error(f"cannot get the logs from {target.type.display}: selector for "
                    f"*v1.Node not implemented")
    pods = sorted(_pods_of(env, obj), key=_logging_order)
    if not pods:
        raise error("timed out waiting for the condition")
    if flag_bool(cmd, "all-pods"):
        return pods
    if len(pods) > 1:
        out.err(f"Found {len(pods)} pods, using pod/{pods[0]['metadata']['name']}")
    return pods[:1]


def _sources(cmd: KubectlCommand, pod: Obj, out: OutputBuffer, many: bool) -> list[Source]:
    spec = pod["spec"]
    containers = [c["name"] for c in spec.get("containers") or []]
    inits = [c["name"] for c in spec.get("initContainers") or []]
    if flag_bool(cmd, "all-containers"):
        return [Source(pod, n, True) for n in inits] + [Source(pod, n) for n in containers]
    wanted = flag_str(cmd, "container")
    name = pod["metadata"]["name"]
    # podcmd.AllContainerNames: init containers first, marked.
    listing = ", ".join([f"{n} (init)" for n in inits] + containers)
    if wanted:
        if wanted not in containers + inits:
            raise error(f"container {wanted} is not valid for pod {name} out of: {listing}")
        return [Source(pod, wanted, wanted in inits)]
    default = (pod["metadata"].get("annotations") or {}).get(
        "kubectl.kubernetes.io/default-container")
    first = default if isinstance(default, str) and default in containers else containers[0]
    if len(containers) + len(inits) > 1 and not many:
        out.err(f'Defaulted container "{first}" out of: {listing}')
    return [Source(pod, first)]


def _status(pod: Obj, source: Source) -> Obj:
    key = "initContainerStatuses" if source.init else "containerStatuses"
    for status in (pod.get("status") or {}).get(key) or []:
        if status.get("name") == source.container:
            return status
    return {}


def _window(source: Source, now: float, previous: bool) -> tuple[float, float, bool] | None:
    """(start, end, crashed) of the instance the kubelet would read; BadRequest if none."""
    pod, name = source.pod, source.container
    pod_name = pod["metadata"]["name"]
    status = _status(pod, source)
    state = status.get("state") or {}
    last = (status.get("lastState") or {}).get("terminated")
    if not pod["spec"].get("nodeName"):
        return None  # the API server has no kubelet to ask: empty output
    if previous:
        if not last:
            raise BadRequest(f'previous terminated container "{name}" in pod "{pod_name}" '
                             "not found")
        # (a container the kubelet stopped for a new image exited 0: no crash to show)
        return _terminated(last, crashed=last.get("exitCode", 0) != 0)
    if "running" in state:
        return parse_rfc3339(state["running"].get("startedAt") or to_rfc3339(now)), now, False
    if "terminated" in state:
        return _terminated(state["terminated"], crashed=state["terminated"].get(
            "exitCode", 0) != 0)
    if last:
        return _terminated(last, crashed=True)
    reason = (state.get("waiting") or {}).get("reason") or "ContainerCreating"
    detail = {"ErrImagePull": "image can't be pulled",
              "ImagePullBackOff": "trying and failing to pull image"}.get(reason, reason)
    raise BadRequest(f'container "{name}" in pod "{pod_name}" is waiting to start: {detail}')


def _terminated(state: Obj, *, crashed: bool) -> tuple[float, float, bool]:
    start = parse_rfc3339(state.get("startedAt") or state.get("finishedAt"))
    end = parse_rfc3339(state.get("finishedAt") or state.get("startedAt"))
    return start, max(end, start), crashed


def _context(source: Source) -> LogContext:
    pod = source.pod
    specs = (pod["spec"].get("initContainers") or []) + (pod["spec"].get("containers") or [])
    container: Obj = next((c for c in specs if c.get("name") == source.container), {})
    command = tuple(str(w) for w in (container.get("command") or []) +
                    (container.get("args") or []))
    return LogContext(image=str(container.get("image", "")), pod=pod["metadata"]["name"],
                      node=pod["spec"].get("nodeName", ""), container=source.container,
                      uid=pod["metadata"].get("uid", ""),
                      ip=(pod.get("status") or {}).get("podIP", "10.244.0.1"), command=command,
                      namespace=pod["metadata"].get("namespace", "default"))


def _lines(cmd: KubectlCommand, source: Source, now: float, since: float | None
           ) -> list[tuple[float, str]]:
    window = _window(source, now, flag_bool(cmd, "previous"))
    if window is None:
        return []
    start, end, crashed = window
    lines = container_log(_context(source), start, end, crashed=crashed)
    if since is not None:
        lines = [(t, text) for t, text in lines if t >= since]
    return lines


def _format(cmd: KubectlCommand, source: Source, lines: list[tuple[float, str]]) -> str:
    prefix = (f"[pod/{source.pod['metadata']['name']}/{source.container}] "
              if flag_bool(cmd, "prefix") else "")
    stamp = flag_bool(cmd, "timestamps")
    text = "".join(f"{prefix}{_nano(t) + ' ' if stamp else ''}{line}\n" for t, line in lines)
    limit = flag_int(cmd, "limit-bytes")
    return text.encode()[:limit].decode(errors="ignore") if limit > 0 else text


def _nano(t: float) -> str:
    """RFC3339Nano as the kubelet stamps lines (to the microsecond here)."""
    micros = int(round(t * 1_000_000))
    whole, frac = divmod(micros, 1_000_000)
    return f"{to_rfc3339(whole)[:-1]}.{frac * 1000:09d}Z"


@handles("logs")
def run_logs(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    now = env.cluster.now()
    since: float | None = None
    if cmd.is_set("since") and cmd.is_set("since-time"):
        raise error("at most one of `sinceTime` or `sinceSeconds` may be specified")
    if cmd.is_set("since"):
        since = now - flag_float(cmd, "since")
    elif flag_str(cmd, "since-time"):
        since = parse_rfc3339(flag_str(cmd, "since-time"))
    tail = flag_int(cmd, "tail") if cmd.is_set("tail") else (
        SELECTOR_TAIL if cmd.selector else -1)
    pods = _pick_pods(env, cmd, out)
    many = len(pods) > 1 or bool(cmd.selector)
    sources = [s for pod in pods for s in _sources(cmd, pod, out, many)]
    failures: list[DstutorError] = []
    for source in sources:
        try:
            lines = _lines(cmd, source, now, since)
        except DstutorError as exc:
            if not flag_bool(cmd, "ignore-errors") and len(sources) == 1:
                raise
            failures.append(exc)
            continue
        if tail >= 0:
            lines = lines[-tail:] if tail else []
        out.write(_format(cmd, source, lines))
    for failure in failures:
        out.err(str(failure))
    if failures and not flag_bool(cmd, "ignore-errors"):
        out.failed = True
    if flag_bool(cmd, "follow") and sources and not failures:
        def step(start: float, end: float) -> str:
            text = []
            for source in sources:
                try:
                    window = _window(source, end, False)
                except DstutorError:
                    continue
                if window is None:
                    continue
                fresh = [(t, ln) for t, ln in container_log(_context(source), window[0], end)
                         if start < t <= end]
                text.append(_format(cmd, source, fresh))
            return "".join(text)

        if can_follow(env):
            assert env.stream is not None
            # The lines so far first, then the new ones as they come (as get -w does).
            env.stream("".join(out.stdout))
            out.stdout.clear()
            follow(env, step)
        else:  # script mode, lessons, manual clock: a minute of virtual time
            out.write(follow_virtual(env, step))
