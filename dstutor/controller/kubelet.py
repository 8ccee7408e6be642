"""A kubelet per node: pulls images, starts containers, reports readiness, terminates pods.

Images listed as missing never pull (ErrImagePull, then ImagePullBackOff); images listed
as crashing start and exit at once (CrashLoopBackOff). Backoffs double from 10 s to 5 min
like the real kubelet's.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from dstutor.controller import prober, shared
from dstutor.controller.context import Context
from dstutor.model.objects import Obj, is_terminating, key_of
from dstutor.model.timefmt import to_rfc3339

COMPONENT = "kubelet"
BACKOFF_INITIAL = 10.0
BACKOFF_MAX = 300.0
PodKey = tuple[str, str, str]


@dataclass(slots=True)
class PodWork:
    """Where the kubelet is with one pod and when it moves on."""

    stage: str  # pulling | starting | running | crashed | pull-failed | killing
    due: float = 0.0
    backoff: float = 0.0
    ready_at: float | None = None
    fresh_images: tuple[str, ...] = ()  # pulled for this start; the rest were present


@dataclass
class NodeAgent:
    alive: bool = True
    images: set[str] = field(default_factory=set)
    next_ip: int = 2


def image_size(image: str) -> int:
    """A made-up but stable size for the Pulled event (10-100 MB), so transcripts never
    change between runs."""
    return 10_000_000 + zlib.crc32(image.encode("utf-8")) % 90_000_000


class Kubelet:
    def __init__(self, ctx: Context, missing: set[str], crashing: set[str]) -> None:
        self.ctx = ctx
        self.missing = missing
        self.crashing = crashing
        self.nodes: dict[str, NodeAgent] = {}
        self.work: dict[PodKey, PodWork] = {}
        # Whether a pod must wait for its node's network (controller/network.py).
        self.network_blocks: Callable[[Obj, str], bool] = lambda pod, node_name: False
        # Told when a pod's containers start, to schedule failed readiness probes.
        self.container_started: Callable[[Obj, float], None] = lambda pod, now: None

    def t(self, name: str) -> float:
        return float(self.ctx.timing[name])

    def _event(self, pod: Obj, container: str, etype: str, reason: str, message: str,
               node_name: str) -> None:
        """A kubelet event about one container (describe prefixes its fieldPath)."""
        self.ctx.record_event(pod, etype, reason, message, component=COMPONENT, host=node_name,
                              field_path=f"spec.containers{{{container}}}")

    def _start_events(self, pod: Obj, work: PodWork, node_name: str) -> None:
        """Per container, in turn: the image check, Created, Started."""
        for c in pod["spec"].get("containers") or []:
            image = c.get("image", "")
            if image not in work.fresh_images:
                self._event(pod, c["name"], "Normal", "Pulled",
                            f'Container image "{image}" already present on machine and can '
                            "be accessed by the pod", node_name)
            self._event(pod, c["name"], "Normal", "Created", "Container created", node_name)
            self._event(pod, c["name"], "Normal", "Started", "Container started", node_name)
        work.fresh_images = ()  # a restart finds every image present

    # --- events ---------------------------------------------------------------------

    def on_pod(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            if old is not None:
                self.work.pop(key_of(old), None)
            return
        node = new["spec"].get("nodeName")
        agent = self.nodes.get(node) if node else None
        if agent is not None and agent.alive:
            key = key_of(new)
            if key not in self.work or is_terminating(new) and self.work[key].stage != "killing":
                self.ctx.enqueue("kubelet", key)

    def node_started(self, node_name: str) -> None:
        self.nodes.setdefault(node_name, NodeAgent()).alive = True
        for pod in self.ctx.store.pods_on_node(node_name):
            self.ctx.enqueue("kubelet", key_of(pod))

    def node_stopped(self, node_name: str) -> None:
        self.nodes.setdefault(node_name, NodeAgent()).alive = False

    def node_removed(self, node_name: str) -> None:
        self.nodes.pop(node_name, None)

    def is_alive(self, node_name: str) -> bool:
        agent = self.nodes.get(node_name)
        return agent is not None and agent.alive

    # --- the pod state machine ------------------------------------------------------

    def sync_pod(self, key: PodKey) -> None:
        store = self.ctx.store
        pod = store.get(*key)
        if pod is None:
            self.work.pop(key, None)
            return
        node_name = pod["spec"].get("nodeName")
        if not node_name or not self.is_alive(node_name):
            return
        now = self.ctx.clock.now()
        work = self.work.get(key)
        if is_terminating(pod):
            self._terminate(pod, key, work, now)
            return
        if pod["status"].get("phase") in ("Succeeded", "Failed"):
            return
        if work is None:
            if self.network_blocks(pod, node_name):
                return  # woken again when the node's network comes up
            work = self._admit(pod, key, node_name, now)
        elif work.due > now:
            self.ctx.enqueue_at("kubelet", key, work.due)
            return
        self._step(pod, key, node_name, work, now)

    def _images(self, pod: Obj) -> list[str]:
        return [c.get("image", "") for c in pod["spec"].get("containers") or []]

    def _container_with(self, pod: Obj, image: str) -> str:
        return next((c["name"] for c in pod["spec"].get("containers") or []
                     if c.get("image", "") == image), "")

    def _admit(self, pod: Obj, key: PodKey, node_name: str, now: float) -> PodWork:
        status = pod["status"]
        status["hostIP"] = self._node_ip(node_name)
        status["hostIPs"] = shared.ip_list(status["hostIP"])
        status["startTime"] = to_rfc3339(now)
        if "podIP" not in status:
            # The sandbox, and with it the pod's network, exists before any image is
            # pulled (PodReadyToStartContainers): a ContainerCreating or ImagePullBackOff
            # pod already has its IP.
            ip = self._pod_ip(node_name)
            status["podIP"], status["podIPs"] = ip, [{"ip": ip}]
        self._set_container_states(pod, shared.waiting("ContainerCreating"), False)
        self._set_conditions(pod, ready=False, now=now, initialized=True)
        agent = self.nodes[node_name]
        images = self._images(pod)
        if all(img in agent.images for img in images) and not any(
                img in self.missing for img in images):
            work = PodWork("starting", now + self.t("containerStartSeconds"))
        else:
            for c in pod["spec"].get("containers") or []:
                if c.get("image", "") not in agent.images:
                    self._event(pod, c["name"], "Normal", "Pulling",
                                f'Pulling image "{c.get("image", "")}"', node_name)
            work = PodWork("pulling", now + self.t("imagePullSeconds"))
        self.work[key] = work
        self.ctx.store.touch(pod)
        self.ctx.enqueue_at("kubelet", key, work.due)
        return work

    def _step(self, pod: Obj, key: PodKey, node_name: str, work: PodWork, now: float) -> None:
        if work.due > now:
            return
        agent = self.nodes[node_name]
        images = self._images(pod)
        if work.stage in ("pulling", "pull-failed"):
            bad = [img for img in images if img in self.missing]
            if bad:
                self._pull_failed(pod, key, work, bad[0], now)
                return
            pull_seconds = self.t("imagePullSeconds")
            fresh = []
            for c in pod["spec"].get("containers") or []:
                img = c.get("image", "")
                if img not in agent.images:
                    agent.images.add(img)
                    fresh.append(img)
                    self._event(pod, c["name"], "Normal", "Pulled",
                                f'Successfully pulled image "{img}" in {pull_seconds:g}s '
                                f"({pull_seconds:g}s including waiting). Image size: "
                                f"{image_size(img)} bytes.", node_name)
            work.fresh_images = tuple(fresh)
            retried = work.stage == "pull-failed"
            work.stage, work.due = "starting", now + self.t("containerStartSeconds")
            if retried:
                # After a failed pull the waiting reason goes back to ContainerCreating;
                # a first pull leaves the status as it was, so there is nothing to write.
                self._set_container_states(pod, shared.waiting("ContainerCreating"), False)
                self.ctx.store.touch(pod)
            self.ctx.enqueue_at("kubelet", key, work.due)
        elif work.stage in ("starting", "crashed"):
            self._start(pod, key, node_name, work, now)
        elif work.stage == "running" and work.ready_at is not None and now >= work.ready_at:
            work.ready_at = None
            self._set_ready(pod, True, now)
            self.ctx.store.touch(pod)

    def _pull_failed(self, pod: Obj, key: PodKey, work: PodWork, image: str, now: float
                     ) -> None:
        node_name = pod["spec"]["nodeName"]
        message = (f'Failed to pull image "{image}": rpc error: code = NotFound desc = '
                   f'failed to pull and unpack image "{image}": not found')
        container = self._container_with(pod, image)
        self._event(pod, container, "Warning", "Failed", message, node_name)
        self._event(pod, container, "Warning", "Failed", "Error: ErrImagePull", node_name)
        work.backoff = BACKOFF_INITIAL if not work.backoff else min(work.backoff * 2, BACKOFF_MAX)
        # ErrImagePull shows briefly, then ImagePullBackOff until the next attempt.
        self._set_container_states(pod, shared.waiting("ErrImagePull", message), False)
        work.stage, work.due = "pull-failed", now + work.backoff
        self.ctx.store.touch(pod)
        self.ctx.enqueue_at("kubelet-backoff", key, now + 1)
        self.ctx.enqueue_at("kubelet", key, work.due)

    def show_backoff(self, key: PodKey) -> None:
        """One second after a failure the waiting reason turns into a BackOff reason."""
        pod = self.ctx.store.get(*key)
        work = self.work.get(key)
        if pod is None or work is None or is_terminating(pod):
            return
        node_name = pod["spec"].get("nodeName", "")
        if not self.is_alive(node_name):
            return
        images = self._images(pod)
        image = next((img for img in images if img in self.missing), images[0] if images else "")
        if work.stage == "pull-failed":
            reason, message = "ImagePullBackOff", f'Back-off pulling image "{image}"'
            container = self._container_with(pod, image)
            self._event(pod, container, "Normal", "BackOff", message, node_name)
            self._event(pod, container, "Warning", "Failed", "Error: ImagePullBackOff",
                        node_name)
        elif work.stage == "crashed":
            reason = "CrashLoopBackOff"
            names = [c["name"] for c in pod["spec"].get("containers") or []]
            message = (f"back-off {work.backoff:g}s restarting failed container={names[0]} "
                       f"pod={key[2]}_{key[1]}({pod['metadata']['uid']})")
            self._event(pod, names[0], "Warning", "BackOff",
                        "Back-off restarting failed container "
                        f"{names[0]} in pod {key[2]}_{key[1]}({pod['metadata']['uid']})",
                        node_name)
        else:
            return
        for cs in pod["status"].get("containerStatuses") or []:
            if "running" not in cs["state"]:
                cs["state"] = shared.waiting(reason, message)
        self.ctx.store.touch(pod)

    def _start(self, pod: Obj, key: PodKey, node_name: str, work: PodWork, now: float) -> None:
        images = self._images(pod)
        self._start_events(pod, work, node_name)
        status = pod["status"]
        status["phase"] = "Running"
        if "podIP" not in status:
            ip = self._pod_ip(node_name)
            status["podIP"], status["podIPs"] = ip, [{"ip": ip}]
        if any(img in self.crashing for img in images):
            # The process exits at once; restartPolicy Always restarts it. doBackOff finds
            # no backoff entry after the first exit, so that restart is immediate (and
            # exits too): the first backoff (10 s) is shown with one restart already
            # counted, and each later restart doubles it.
            if not work.backoff:
                self._start_events(pod, work, node_name)
            work.backoff = BACKOFF_INITIAL if not work.backoff else min(work.backoff * 2,
                                                                        BACKOFF_MAX)
            for cs in status.get("containerStatuses") or []:
                cs["restartCount"] = cs.get("restartCount", 0) + 1
                cs["lastState"] = {"terminated": {
                    "exitCode": 1, "reason": "Error", "startedAt": to_rfc3339(now),
                    "finishedAt": to_rfc3339(now)}}
                cs["state"] = shared.waiting("CrashLoopBackOff")
                cs["ready"] = False
                cs["started"] = False
            work.stage, work.due = "crashed", now + work.backoff
            self._set_ready(pod, False, now)
            self.ctx.store.touch(pod)
            self.ctx.enqueue_at("kubelet-backoff", key, now + 1)
            self.ctx.enqueue_at("kubelet", key, work.due)
            return
        delay = prober.readiness_delay(pod)  # controller/prober.py: warm-up and probes
        self.container_started(pod, now)
        self._set_container_states(pod, shared.running(to_rfc3339(now)), delay == 0)
        work.stage = "running"
        if delay > 0:
            work.ready_at = now + delay
            self.ctx.enqueue_at("kubelet", key, work.ready_at)
        else:
            self._set_ready(pod, True, now)
        self.ctx.store.touch(pod)

    def _terminate(self, pod: Obj, key: PodKey, work: PodWork | None, now: float) -> None:
        if work is None or work.stage != "killing":
            node_name = pod["spec"]["nodeName"]
            running = {cs["name"] for cs in pod["status"].get("containerStatuses") or []
                       if "running" in cs.get("state", {})}
            for c in pod["spec"].get("containers") or []:
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

    # --- status helpers -------------------------------------------------------------

    def resync_ready(self, pod: Obj, now: float) -> None:
        """After the node comes back, report running containers as ready again."""
        work = self.work.get(key_of(pod))
        if work is not None and work.stage == "running" and work.ready_at is None:
            self._set_ready(pod, True, now)
            for cs in pod["status"].get("containerStatuses") or []:
                cs["ready"] = True
            self.ctx.store.touch(pod)

    def _set_container_states(self, pod: Obj, state: Obj, ready: bool) -> None:
        old = {cs["name"]: cs for cs in pod["status"].get("containerStatuses") or []}
        statuses = []
        for c in pod["spec"].get("containers") or []:
            prev = old.get(c["name"], {})
            cs: Obj = {"name": c["name"], "image": c.get("image", ""),
                       "imageID": "", "ready": ready, "restartCount": prev.get("restartCount", 0),
                       "started": "running" in state, "state": state,
                       "lastState": prev.get("lastState", shared.EMPTY)}
            if "running" in state:
                cs["containerID"] = f"containerd://{pod['metadata']['uid'].replace('-', '')}"
                cs["imageID"] = shared.image_id(c.get("image", ""))
            statuses.append(cs)
        pod["status"]["containerStatuses"] = statuses

    def _set_conditions(self, pod: Obj, *, ready: bool, now: float,
                        initialized: bool = True) -> None:
        ts = to_rfc3339(now)
        wanted = {"Initialized": "True" if initialized else "False",
                  "Ready": "True" if ready else "False",
                  "ContainersReady": "True" if ready else "False"}
        existing = {c["type"]: c for c in pod["status"].get("conditions") or []}
        conditions = []
        for ctype in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                      "PodScheduled"):
            cond = existing.get(ctype)
            if ctype in wanted:
                if cond is None or cond.get("status") != wanted[ctype]:
                    if ctype in ("Ready", "ContainersReady") and not ready:
                        # Go's %s of a []string: "[a b]". Every container here is unready.
                        names = " ".join(c["name"] for c in pod["spec"].get("containers") or [])
                        cond = shared.pod_condition(ctype, wanted[ctype], ts,
                                                    "ContainersNotReady",
                                                    f"containers with unready status: [{names}]")
                    else:
                        cond = shared.pod_condition(ctype, wanted[ctype], ts)
            elif ctype == "PodReadyToStartContainers" and cond is None:
                cond = shared.pod_condition(ctype, "True", ts)
            if cond is not None:
                conditions.append(cond)
        pod["status"]["conditions"] = conditions

    def _set_ready(self, pod: Obj, ready: bool, now: float) -> None:
        self._set_conditions(pod, ready=ready, now=now)
        for cs in pod["status"].get("containerStatuses") or []:
            cs["ready"] = ready and "running" in cs["state"]

    def _node_ip(self, node_name: str) -> str:
        node = self.ctx.store.get("Node", "", node_name)
        for addr in (node or {}).get("status", {}).get("addresses") or []:
            if addr.get("type") == "InternalIP":
                return str(addr["address"])
        return ""

    def _pod_ip(self, node_name: str) -> str:
        node = self.ctx.store.get("Node", "", node_name)
        cidr = (node or {}).get("spec", {}).get("podCIDR", "10.244.0.0/24")
        base = cidr.split("/")[0].rsplit(".", 1)[0]
        agent = self.nodes[node_name]
        count = agent.next_ip
        agent.next_ip += 1
        return f"{base}.{count % 254 or 254}"
