"""A kubelet per node: pulls images, starts containers, reports readiness, terminates pods.

Every container of a pod goes its own way, as the kubelet keeps them: its own image pull,
start, restarts and back-off, so a crashing sidecar leaves its neighbour running (READY
1/2). Images listed as missing never pull (ErrImagePull, then ImagePullBackOff, with
`Pulling` again at each retry); images listed as crashing start and exit at once
(CrashLoopBackOff). imagePullPolicy Always (the default for `:latest` and untagged
images) pulls on every start. Back-offs double from 10 s to 5 min like the real
kubelet's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dstutor.controller import (
    kubelet_backoff,
    kubelet_events,
    kubelet_restart,
    kubelet_status,
    kubelet_stop,
    prober,
    shared,
)
from dstutor.controller.context import Context
from dstutor.controller.images import image_ref as image_ref  # re-exported
from dstutor.controller.images import image_size as image_size  # re-exported
from dstutor.controller.images import pull_error as pull_error  # re-exported
from dstutor.controller.images import pull_policy
from dstutor.controller.images import runtime_ref as runtime_ref  # re-exported
from dstutor.controller.kubelet_backoff import BACKOFF_INITIAL, BACKOFF_MAX
from dstutor.controller.kubelet_ids import container_id, internal_ip, pod_ip
from dstutor.controller.kubelet_step import step_one
from dstutor.controller.kubelet_work import (
    _STEADY_WORK,
    ContainerWork,
    NodeAgent,
    PodWork,
    SharedPodWork,
    own_container,
    own_work,
    shared_record,
    shared_work,
)
from dstutor.controller.pod_record import PodRecord, RecordField
from dstutor.model.objects import Obj, is_pod_ready, key_of
from dstutor.model.shapes import POD_IP
from dstutor.model.timefmt import to_rfc3339

COMPONENT = kubelet_events.COMPONENT  # "kubelet"
# (No conditions list is this one: set_conditions' last call, before any.)
NO_LAST_CONDITIONS: tuple[Any, ...] = ([], (), None)
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
PodKey = tuple[str, str, str]


class Kubelet:
    work = RecordField("work")  # PodWork by pod key, on the store's pod records

    def __init__(self, ctx: Context, missing: set[str], crashing: set[str]) -> None:
        self.ctx = ctx
        self.missing = missing
        self.crashing = crashing
        self.nodes: dict[str, NodeAgent] = {}
        # _set_conditions' results by what they were made from (see there).
        self._conditions_memo: dict[tuple[object, ...], tuple[tuple[Obj, ...], list[Obj]]] = {}
        # The last call's inputs and answer (kubelet_status.set_conditions).
        self._last_conditions: tuple[Any, ...] = NO_LAST_CONDITIONS
        # Its own work queue by pod key, now and later: through the context, or the
        # engine's own methods for the kubelet's queue, which holds pod keys bare
        # (Cluster wires them: Engine.enqueue_bare, enqueue_bare_at).
        self.queue_pod: Callable[[PodKey], None] = lambda key: ctx.enqueue("kubelet", key)
        self.wake_pod_at: Callable[[PodKey, float], None] = (
            lambda key, when: ctx.enqueue_at("kubelet", key, when))
        # Whether a pod must wait for its node's network (controller/network.py).
        # (Given the node as the store has it, or None.)
        self.network_blocks: Callable[[Obj, str, Obj | None], bool] = (
            lambda pod, node_name, node: False)
        # Told when one of a pod's containers starts, to schedule its failed readiness
        # probes (controller/prober.py).
        self.container_started: Callable[[Obj, str, float], None] = (
            lambda pod, container, now: None)
        # Whether events about pods are recorded at all (Cluster.record_pod_events): when
        # not, the kubelet skips making the messages (a quarter of its work at scale).
        self.pod_events: Callable[[], bool] = lambda: True

    def __getstate__(self) -> dict[str, Any]:
        # The memo is keyed by object ids, which mean nothing in a copy (undo pickles and
        # deep-copies the cluster): a copy starts without it.
        state = dict(self.__dict__)
        state["_conditions_memo"] = {}
        state["_last_conditions"] = NO_LAST_CONDITIONS
        return state

    def t(self, name: str) -> float:
        return float(self.ctx.timing[name])

    def _event(self, pod: Obj, container: str, etype: str, reason: str, message: str,
               node_name: str) -> None:
        """A kubelet event about one container (describe prefixes its fieldPath)."""
        self.ctx.record_event(pod, etype, reason, message, component=COMPONENT, host=node_name,
                              field_path=kubelet_events.field_path(container))

    # --- events ---------------------------------------------------------------------

    def on_pod(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            if old is not None:
                self.work.pop(key_of(old), None)
            return
        node = new["spec"].get("nodeName")
        agent = self.nodes.get(node) if node else None
        if agent is not None and agent.alive:
            meta, store = new["metadata"], self.ctx.store
            key = ("Pod", meta.get("namespace", "") or "", meta.get("name", ""))  # key_of
            record = store.pod_records.get(key)
            work = record.work if record is not None else None
            if work is None or meta.get("deletionTimestamp") and work.stage != "killing":
                # The store's key tuple: not 50,000 copies in timers (3 MB).
                self.queue_pod(store.stored_key(record, key) if record is not None else key)
            elif meta.get("generation", 0) != new["status"].get(
                    "observedGeneration", 0) and not meta.get("deletionTimestamp"):
                self.ctx.enqueue("kubelet", key)  # a spec update to observe

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
        # The pod's record, and the pod in it (store.get(*key), the one lookup for both).
        record = store.pod_records.get(key)
        if record is None:
            self.work.pop(key, None)
            return
        pod = record.pod
        spec = pod["spec"]
        node_name = spec.get("nodeName")
        agent = self.nodes.get(node_name) if node_name else None
        if agent is None or not agent.alive:
            return
        now = self.ctx.clock.now()
        work = record.work
        meta, status = pod["metadata"], pod["status"]
        if meta.get("deletionTimestamp"):
            if MIRROR_ANNOTATION in (meta.get("annotations") or {}):
                self._recreate_mirror_pod(pod, key, work)
            else:
                self._terminate(pod, key, work, now)
            return
        if status.get("phase") in ("Succeeded", "Failed"):
            return
        if work is not None and meta.get("generation", 0) != status.get(
                "observedGeneration", 0):
            # A spec write not seen yet: a changed image restarts its container.
            work = kubelet_restart.computePodActions(self, pod, record, node_name, work, now)
            # The kubelet's next status sync reports the generation it now works from.
            self._set_conditions(pod, ready=is_pod_ready(pod), now=now)
            store.touch_status(pod)
        if work is None:
            node = store.get_plain("Node", "", node_name)  # (asked once for both)
            if self.network_blocks(pod, node_name, node):
                return  # woken again when the node's network comes up
            wake = self._admit(pod, record, node_name, node, now)
            if wake is not None:
                # Each container pulls or starts later: _step would move none of them
                # and only set this wake-up (tests/sim/test_sim_join6_fast_paths.py).
                self.wake_pod_at(key, wake)
                return
            work = record.work
        if type(work) is SharedPodWork and work.stage == "active":
            # Nearly every pod: one container, its progress shared (kubelet_step.py).
            containers = spec.get("containers") or []
            table = work.containers
            if len(containers) == 1 and len(table) == 1:
                c = containers[0]
                cw = table.get(c["name"])
                if cw is not None:
                    step_one(self, pod, key, node_name, work, c, cw, now, record)
                    return
        self._step(pod, key, node_name, work, now, record)

    def _containers(self, pod: Obj) -> list[Obj]:
        # The spec itself, read only (a pod's containers never change while it runs).
        return pod["spec"].get("containers") or []

    def _admit(self, pod: Obj, record: PodRecord, node_name: str, node: Obj | None,
               now: float) -> float | None:
        """Admit the pod (its record.work set); returns when its first container is due
        if that is later than now (else None: something is due at once)."""
        status = pod["status"]
        status["hostIP"] = internal_ip(node)
        status["hostIPs"] = shared.ip_list(status["hostIP"])
        status["startTime"] = to_rfc3339(now)
        if "podIP" not in status:
            # The sandbox, and with it the pod's network, exists before any image is
            # pulled (PodReadyToStartContainers): a ContainerCreating or ImagePullBackOff
            # pod already has its IP.
            ip = pod_ip(pod, node, self.nodes[node_name])
            entry = POD_IP.new()  # a key-sharing dict (model/shapes.py)
            entry["ip"] = ip
            status["podIP"], status["podIPs"] = ip, [entry]
        self._set_container_states(pod, shared.waiting("ContainerCreating"), False)
        self._set_conditions(pod, ready=False, now=now, initialized=True)
        # Pods admitted alike share their record (kubelet_work.shared_work): its
        # signature, a fresh ContainerWork's fields after _begin for each container.
        containers = pod["spec"].get("containers") or []  # _containers(pod)
        wake: float | None
        if len(containers) == 1:  # (nearly always: the loop below, without its list)
            c = containers[0]
            stage, wake = self._begin_stage(pod, c, node_name, now)
            record.work = shared_record(
                ("active", 0.0, c["name"], stage, wake, 0.0, None, False, True, ""))
        else:
            signature: list[Any] = ["active", 0.0]
            wake = None
            for c in containers:
                stage, due = self._begin_stage(pod, c, node_name, now)
                signature += (c["name"], stage, due, 0.0, None, False, True, "")
                if wake is None or due < wake:
                    wake = due
            record.work = shared_record(tuple(signature))
        self.ctx.store.touch_status(pod)
        return wake if wake is not None and wake > now else None

    def _begin(self, pod: Obj, c: Obj, cw: ContainerWork, node_name: str, now: float) -> None:
        cw.stage, cw.due = self._begin_stage(pod, c, node_name, now)
        if cw.stage == "starting":
            cw.fresh = False

    def _begin_stage(self, pod: Obj, c: Obj, node_name: str, now: float) -> tuple[str, float]:
        """EnsureImageExists, then start: pull first when the policy or the cache says so."""
        image = c.get("image", "")
        if pull_policy(c) == "Always" or image not in self.nodes[node_name].images:
            if self.pod_events():
                self._event(pod, c["name"], "Normal", "Pulling",
                            kubelet_events.pulling_message(image), node_name)
            return "pulling", now + float(self.ctx.timing["imagePullSeconds"])
        return "starting", now + float(self.ctx.timing["containerStartSeconds"])

    def _step(self, pod: Obj, key: PodKey, node_name: str, work: PodWork, now: float,
              record: PodRecord) -> None:
        if work.stage != "active":
            return
        containers = pod["spec"].get("containers") or []  # _containers(pod), per work item
        shared, table = type(work) is SharedPodWork, work.containers
        changed = False
        # A shared record (kubelet_work.shared_work) is never edited: a container that
        # moves on does so in a copy, in a table of this step's own, shared again below.
        for c in containers:
            cw = table.get(c["name"])
            if cw is None:
                if shared:
                    work, shared = own_work(work), False
                    table = work.containers
                legacy = table.pop("*", None)  # see PodWork.from_dict
                if legacy is None:
                    continue
                for other in self._containers(pod):
                    table[other["name"]] = ContainerWork(
                        legacy.stage, legacy.due, legacy.backoff, legacy.ready_at)
                cw = table[c["name"]]
            if cw.stage == "running":
                if cw.ready_at is None or now < cw.ready_at:
                    continue
                if shared:
                    table, cw = own_container(table, work.containers, c["name"])
                cw.ready_at = None
                self._cs(pod, c["name"])["ready"] = True
                changed = True
            elif cw.due <= now:
                if shared:
                    table, cw = own_container(table, work.containers, c["name"])
                changed = self._advance(pod, key, node_name, c, cw, now) or changed
        # A running container wakes the pod only while it waits to become ready.
        wake: float | None = None
        steady = True
        for cw in table.values():
            when = cw.ready_at if cw.stage == "running" else cw.due
            if when is not None:
                steady = False
                if wake is None or when < wake:
                    wake = when
            elif cw.stage != "running":
                steady = False
        if steady:
            # Nothing is due until something happens to the pod: forget the per-container
            # progress (a third of the kubelet's memory at 50,000 pods).
            record.work = _STEADY_WORK
        elif not shared or table is not work.containers:
            record.work = shared_work(work, table)
        if changed:
            self._sync_status(pod, now)
            self.ctx.store.touch_status(pod)
        if wake is not None:
            self.ctx.enqueue_at("kubelet", key, wake)

    def _advance(self, pod: Obj, key: PodKey, node_name: str, c: Obj, cw: ContainerWork,
                 now: float) -> bool:
        """One container's next step, now that it is due; True if its status changed (a
        finished pull alone changes nothing the kubelet would write)."""
        name, image = c["name"], c.get("image", "")
        if cw.stage == "pull-failed":
            # The back-off is over: the kubelet pulls again (and records Pulling again).
            self._event(pod, name, "Normal", "Pulling", kubelet_events.pulling_message(image),
                        node_name)
            cw.stage = "pulling"
        if cw.stage == "pulling":
            if image in self.missing:
                self._pull_failed(pod, key, c, cw, now)
                return True
            self.nodes[node_name].pulled(image)
            if self.pod_events():
                kubelet_events.pulled_event(self, pod, c, node_name)
            cw.stage, cw.due, cw.fresh = "starting", now + float(self.ctx.timing["containerStartSeconds"]), True
            cs = self._cs(pod, name)
            waiting = cs["state"].get("waiting")
            if waiting is not None and waiting.get("reason") in (
                    "ErrImagePull", "ImagePullBackOff"):
                cs["state"] = shared.waiting("ContainerCreating")
                return True
            return False
        if cw.stage != "starting":  # crashed, or stopping (one test: joins only start)
            if cw.stage == "stopping":  # stopped for a new image (kubelet_restart.py)
                return kubelet_restart.container_stopped(self, pod, c, cw, node_name, now)
            self._begin(pod, c, cw, node_name, now)  # a restart pulls again under Always
            if cw.stage != "starting":
                return False
        self._start(pod, key, node_name, c, cw, now)
        return True

    # (controller/kubelet_backoff.py: this class's methods, written there to keep this
    # module short)
    _pull_failed = kubelet_backoff.pull_failed
    show_backoff = kubelet_backoff.show_backoff

    def _start_events(self, pod: Obj, c: Obj, cw: ContainerWork, node_name: str) -> None:
        """The image check (unless just pulled), Created, Started."""
        if self.pod_events():
            kubelet_events.start_events(self, pod, c, cw.fresh, node_name)
        cw.fresh = False

    def _start(self, pod: Obj, key: PodKey, node_name: str, c: Obj, cw: ContainerWork,
               now: float) -> None:
        name, image = c["name"], c.get("image", "")
        self._start_events(pod, c, cw, node_name)
        cs = self._cs(pod, name)
        if image in self.crashing:
            # The process exits at once; restartPolicy Always restarts it. doBackOff finds
            # no backoff entry after the first exit, so that restart is immediate (and
            # exits too): the first backoff (10 s) is shown with one restart already
            # counted, and each later restart doubles it.
            if not cw.backoff:
                if pull_policy(c) == "Always":
                    self._event(pod, name, "Normal", "Pulling",
                                kubelet_events.pulling_message(image), node_name)
                    kubelet_events.pulled_event(self, pod, c, node_name)
                    cw.fresh = True
                self._start_events(pod, c, cw, node_name)
            cw.backoff = BACKOFF_INITIAL if not cw.backoff else min(cw.backoff * 2, BACKOFF_MAX)
            stamp = to_rfc3339(now)
            cs["restartCount"] = cs.get("restartCount", 0) + 1
            cs["lastState"] = {"terminated": {
                "exitCode": 1, "reason": "Error", "startedAt": stamp, "finishedAt": stamp,
                "containerID": container_id(pod, name)}}
            cs["state"] = shared.waiting("CrashLoopBackOff")
            cs["ready"] = False
            cs["started"] = False
            cw.stage, cw.due, cw.shown = "crashed", now + cw.backoff, False
            self.ctx.enqueue_at("kubelet-backoff", key, now + 1)
            return
        # controller/prober.py: the probe's initial delay, and failures while it warms up
        # (a container without a readiness probe has neither: nothing to ask).
        delay = 0.0
        if isinstance(c.get("readinessProbe"), dict):
            delay = prober.container_ready_delay(pod, c)
            self.container_started(pod, name, now)
        cs["state"] = shared.running(to_rfc3339(now))
        cs["containerID"] = container_id(pod, name)
        cs["imageID"] = shared.image_id(image)
        cs["started"] = True
        cs["ready"] = delay == 0
        cw.stage = "running"
        cw.ready_at = now + delay if delay > 0 else None

    # (controller/kubelet_stop.py: this class's methods, written there to keep this
    # module short)
    _recreate_mirror_pod = kubelet_stop.recreate_mirror_pod
    _terminate = kubelet_stop.terminate

    # --- status helpers -------------------------------------------------------------

    def resync_ready(self, pod: Obj, now: float) -> None:
        """After the node comes back, report running containers as ready again."""
        work = self.work.get(key_of(pod))
        if work is None or work.stage == "killing":
            return
        for cs in pod["status"].get("containerStatuses") or []:
            cw = work.containers.get(cs["name"])
            if work.stage == "steady" or (
                    cw is not None and cw.stage == "running" and cw.ready_at is None):
                cs["ready"] = True
        self._sync_status(pod, now)
        self.ctx.store.touch_status(pod)

    @staticmethod
    def _observe(pod: Obj) -> int:
        """The kubelet reports the pod generation its status is based on."""
        generation = int(pod["metadata"].get("generation") or 0)
        if generation:
            pod["status"]["observedGeneration"] = generation
        return generation

    def _cs(self, pod: Obj, name: str) -> Obj:
        """The status of one container (each pod has its own: safe to edit in place)."""
        for cs in pod["status"].get("containerStatuses") or []:
            if cs["name"] == name:
                return cs
        raise KeyError(name)

    # (controller/kubelet_status.py: this class's methods, written there to keep this
    # module short)
    _set_container_states = kubelet_status.set_container_states
    _sync_status = kubelet_status.sync_status
    _set_conditions = kubelet_status.set_conditions
