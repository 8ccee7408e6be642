"""The public face of the simulator: one Cluster object the kubectl layer and lessons use.

Every write goes through the API server (defaulting, validation), then the controllers
run until nothing more happens at the current virtual time. Objects handed out are
copies, so callers cannot change the cluster behind the API's back.
"""

from __future__ import annotations

import builtins
import gc
from collections.abc import Callable, Hashable, Iterable

from dstutor.controller.daemonset import DaemonSetsController
from dstutor.controller.deployment import DeploymentController
from dstutor.controller.gc import GarbageCollector
from dstutor.controller.kubelet import Kubelet
from dstutor.controller.network import (
    CNI_NOT_READY,
    NetworkPlugins,
    no_route_condition,
    waits_for_network,
)
from dstutor.controller.nodelifecycle import (
    NodeLifecycleController,
    kubelet_posted_conditions,
    ready_conditions,
)
from dstutor.controller.prober import Prober
from dstutor.controller.scheduler import Scheduler
from dstutor.controller.tainteviction import TaintEvictionController
from dstutor.errors import AlreadyExists, CommandError, NotFound
from dstutor.model.objects import Obj, clone, is_node_ready, key_of
from dstutor.model.priority import system_priority_classes
from dstutor.model.selectors import LabelSelector, parse_selector
from dstutor.model.timefmt import to_rfc3339
from dstutor.sim import recorder
from dstutor.sim.apiserver import ApiServer, kind_info
from dstutor.sim.clock import Clock
from dstutor.sim.engine import YOUNG_OBJECTS_TO_PROMOTE, Engine, promote_young_objects
from dstutor.sim.events import (
    Draft,
    EventCorrelator,
    expired_events,
)
from dstutor.sim.eventstore import Involved, Source, entry_last_write, is_record
from dstutor.sim.informers import (
    POD_INFORMER_BITS,
    TIMELINE,
    concerned_informers,
    pod_written_in_place,
)
from dstutor.sim.namegen import NameGenerator
from dstutor.sim.nodes import make_node
from dstutor.sim.store import Store
from dstutor.sim.timeline import Timeline

MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
DEFAULT_TIMING: dict[str, float] = {
    "nodeReadySeconds": 2,
    "imagePullSeconds": 2,
    "containerStartSeconds": 1,
    "terminationSeconds": 1,
    "nodeMonitorGracePeriodSeconds": 50,
}
# `advance` with no duration stops after this much virtual time even if work remains.
SETTLE_LIMIT_SECONDS = 600.0
# How often the recorders' caches drop what can no longer matter (see EventCorrelator.prune).
PRUNE_INTERVAL_SECONDS = 600.0
# A settle that runs this many work items or more is a big one (a node joining runs about
# 60): its end pauses the collector, and if it leaves more new objects than
# YOUNG_OBJECTS_TO_PROMOTE, hands the two young generations to the oldest at once
# (Cluster.settle; sim/engine.py: promote_young_objects).
BIG_SETTLE_ITEMS = 1000
# How many distinct texts record_event shares before starting afresh (a bound: most
# messages repeat, but some name a pod and never do).
MAX_SHARED_TEXTS = 4096
SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


class Cluster:
    def __init__(self, *, seed: int = 0, clock: Clock | None = None,
                 timing: dict[str, float] | None = None, missing_images: Iterable[str] = (),
                 crashing_images: Iterable[str] = (), record_pod_events: bool = True) -> None:
        self.clock = clock or Clock()
        self.store = Store()
        self.names = NameGenerator(seed)
        self.api = ApiServer(self.store, self.clock, self.names)
        self.engine = Engine(self.clock)
        # The controllers queue work through the engine's own methods: a join queues 60
        # items, and a wrapper method per item was a call for nothing.
        self.enqueue = self.engine.enqueue  # type: ignore[method-assign]
        self.enqueue_at = self.engine.enqueue_at  # type: ignore[method-assign]
        # Whether `kubectl top` has a Metrics API to ask (a cluster file may leave it out).
        self.metrics_server = True
        self.timing = dict(DEFAULT_TIMING)
        self.timing.update(timing or {})
        self.record_pod_events = record_pod_events
        self.events = EventCorrelator()
        # StartEventWatcher: every event as recorded, before correlation drops or merges it.
        self.event_watchers: list[Callable[[Draft], None]] = []
        self._event_seq = 0
        # One (component, host) tuple per reporter, shared by its events' records.
        self._event_reporters: dict[tuple[str, ...], Source] = {}
        # The last instant an event was recorded at, as RFC 3339 (most come in runs).
        # (seconds, RFC 3339, nanoseconds: where the instant's Event names start).
        self._event_now: tuple[float, str, int] = (-1.0, "", 0)
        self._event_involved: Involved = ("", "", "", "", "", "", "")
        # Message and fieldPath texts the stored Events share (see record_event).
        self._event_texts: dict[str, str] = {}
        self._event_texts_limit = MAX_SHARED_TEXTS
        # No stored Event reaches its TTL before this instant (0: look at the next settle).
        self._events_expire_at = 0.0
        self._pruned_at = 0.0
        self._node_index = 0
        self.daemonsets = DaemonSetsController(self)
        self.scheduler = Scheduler(self)
        self.kubelet = Kubelet(self, set(missing_images), set(crashing_images))
        self.nodelifecycle = NodeLifecycleController(self)
        self.tainteviction = TaintEvictionController(self)
        self.gc = GarbageCollector(self)
        self.deployments = DeploymentController(self)
        self.network = NetworkPlugins(self, self._post_ready, self._wake_pods)
        self.kubelet.network_blocks = self.network.blocks
        self.prober = Prober(self)
        self.kubelet.container_started = self.prober.container_started
        self.kubelet.pod_events = self._records_pod_events  # a method: undo pickles it
        self.scheduler.pod_events = self._records_pod_events
        # What happened over time (rollouts, evictions, outages), for process checks.
        self.timeline = Timeline()
        self._register()
        self._wire_informers()
        self.store.listeners.append(self._dispatch)
        # The informers do nothing with an Event created or updated (only removed), so a
        # recorded Event needs no dict until something reads it (sim/eventstore.py).
        self.store.event_blind.append(self._dispatch)
        for ns in SYSTEM_NAMESPACES:
            self.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        for pc in system_priority_classes():  # every API server creates these at start-up
            self.api.create_builtin(pc)
        self.settle()

    # --- wiring ---------------------------------------------------------------------

    def _register(self) -> None:
        e = self.engine
        e.register("daemonset", self.daemonsets.sync)
        e.register("daemonset-node", self.daemonsets.wake_node)
        e.register("scheduler", self.scheduler.schedule)
        e.register("kubelet", self.kubelet.sync_pod, bare=True)  # (pod keys: less memory)
        # (So the kubelet queues its pod keys through the engine's methods for them.)
        self.kubelet.queue_pod = e.enqueue_bare
        self.kubelet.wake_pod_at = e.enqueue_bare_at
        e.register("kubelet-backoff", self.kubelet.show_backoff)
        e.register("node-ready", self._node_ready)
        e.register("nodelifecycle", self.nodelifecycle.sync)
        e.register("tainteviction", self.tainteviction.sync)
        e.register("gc", self.gc.sync)
        e.register("podgc", self.gc.pod_gc)
        e.register("podgc-terminating", self.gc.gc_terminating)
        e.register("deployment", self.deployments.sync_deployment)
        e.register("replicaset", self.deployments.sync_replicaset)
        e.register("network", self.network.sync)
        e.register("prober", self.prober.sync)

    def _dispatch(self, kind: str, old: Obj | None, new: Obj | None) -> None:
        """The informers: tell each controller about the change it watches."""
        if kind == "Pod":  # most writes (the table's entry, asked first)
            self._on_pod(old, new)  # (which tells the garbage collector too)
            return
        if kind == "DaemonSet":  # most of the others: the controller's status writes
            # _on_daemonset, inline (see there).
            if not (new is None or ((old is None or old is new)
                                    and not self.timeline.rollouts)):
                self.timeline.observe_daemonset(old, new, self.clock)
            self.daemonsets.on_daemonset(old, new)
            if new is None or new["metadata"].get("deletionTimestamp"):
                self.gc.on_any(kind, old, new)
            return
        informer = self._informers.get(kind)
        if informer is not None:
            informer(old, new)
        # The garbage collector acts on deletions, objects being deleted and Nodes
        # (out-of-service); the other writes (most of them pod status and events) tell
        # it nothing.
        if new is None or kind == "Node" or new["metadata"].get("deletionTimestamp"):
            self.gc.on_any(kind, old, new)

    def _wire_informers(self) -> None:
        """Which controllers watch which kind, in the order they hear of a change (a
        table: most writes are pod status and events, and an event has no informer)."""
        ds, deploy = self.daemonsets, self.deployments
        self._informers: dict[str, Callable[[Obj | None, Obj | None], None]] = {
            "Pod": self._on_pod, "Node": self._on_node, "DaemonSet": self._on_daemonset,
            "ControllerRevision": ds.on_revision, "Deployment": deploy.on_deployment,
            "ReplicaSet": deploy.on_replicaset}
        self._pod_informers = (ds.on_pod, self.scheduler.on_pod, self.kubelet.on_pod,
                               self.tainteviction.on_pod, deploy.on_pod, self.network.on_pod)
        # For each set of concerned informers (sim/informers.py), those of them to tell,
        # in the order above: built once, so a write only looks its tuple up.
        self._pod_informer_sets = tuple(
            tuple(on_pod for bit, on_pod in zip(POD_INFORMER_BITS, self._pod_informers,
                                                strict=True) if concerned & bit)
            for concerned in range(0, 2 * POD_INFORMER_BITS[-1], 2))

    def _on_pod(self, old: Obj | None, new: Obj | None) -> None:
        # Only the informers the write may concern (sim/informers.py): most writes are
        # status updates in place that only the DaemonSet controller needs to see.
        # (The kubelet's work and taint eviction's checked nodes: on the pod records.)
        if old is new and new is not None:
            # A write in place (three pod writes in four): one look at the pod and its
            # record for every informer (sim/informers.py: pod_written_in_place).
            pod_written_in_place(self, new)
            return
        creating = self.daemonsets._creating
        if (old is None and creating is not None and creating[0] is new
                and not new["spec"].get("nodeName") and "annotations" not in new["metadata"]):
            # The DaemonSet controller's own create (daemonset._create_pods): a new pod,
            # pending, unbound, without annotations, its controller a DaemonSet. It
            # concerns the controller and the scheduler alone (concerned_informers'
            # answer; tests/sim/test_sim_created_pods.py).
            self.daemonsets.on_pod(None, new)
            self.scheduler.on_pod(None, new)
            return
        concerned = concerned_informers(old, new, self.store.pod_records, None)
        timeline = concerned & TIMELINE
        if timeline:
            self.timeline.observe_pod(old, new, self.clock)
        for on_pod in self._pod_informer_sets[concerned >> 1]:
            on_pod(old, new)
        # The garbage collector, last, as for any kind: a pod removed or being deleted.
        # Both concern the timeline too, so a write that does not is neither (most).
        if timeline and (new is None or new["metadata"].get("deletionTimestamp")):
            self.gc.on_any("Pod", old, new)

    def _on_node(self, old: Obj | None, new: Obj | None) -> None:
        self.timeline.observe("Node", old, new, self.clock.now())
        if old is None and new is not None:
            self._node_registered(new)
        elif new is None and old is not None:
            self.kubelet.node_removed(old["metadata"]["name"])
        self.daemonsets.on_node(old, new)
        self.scheduler.on_node(old, new)
        self.nodelifecycle.on_node(old, new)
        self.tainteviction.on_node(old, new)

    def _on_daemonset(self, old: Obj | None, new: Obj | None) -> None:
        timeline = self.timeline
        # Timeline.observe_daemonset's own first test, asked here: most DaemonSet writes
        # are status writes while no rollout was ever recorded, which it skips.
        if not (new is None or ((old is None or old is new) and not timeline.rollouts)):
            timeline.observe_daemonset(old, new, self.clock)
        self.daemonsets.on_daemonset(old, new)

    def _records_pod_events(self) -> bool:
        return self.record_pod_events

    def enqueue(self, queue: str, key: Hashable) -> None:
        """(Replaced in __init__ by the engine's own method, which this is.)"""
        self.engine.enqueue(queue, key)

    def enqueue_at(self, queue: str, key: Hashable, when: float) -> None:
        """(Replaced in __init__ by the engine's own method, which this is.)"""
        self.engine.enqueue_at(queue, key, when)

    # (sim/recorder.py: this class's method, written there to keep this module short)
    record_event = recorder.record_event
    record_events = recorder.record_events


    # --- time -----------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def settle(self) -> None:
        """Run every controller until quiet at the current instant (live: catch up first)."""
        engine = self.engine
        handled = engine.handled
        if self.clock.mode == "live":
            engine.run_until(max(self.clock.target(), self.clock.now()))
        else:
            engine.run_queue()
        if engine.handled - handled < BIG_SETTLE_ITEMS or not gc.isenabled():
            self.expire_events()
            self.events.catch_up()
            return
        # After a big instant (a DaemonSet's 5,000 pods) the collector waits until the
        # recorders' caches are up to date too: catch_up allocates thousands of
        # long-lived, acyclic entries, and each young collection they set off would walk
        # the objects that instant made again (0.35 s of a 5,000-node settle). Then the
        # two young generations go to the oldest at once, where those objects were
        # going either way, without a walk (promote_young_objects).
        gc.disable()
        try:
            self.expire_events()
            self.events.catch_up()
        finally:
            gc.enable()
        if gc.get_count()[0] > YOUNG_OBJECTS_TO_PROMOTE:
            promote_young_objects()

    def expire_events(self) -> None:
        """Drop the Events past the API server's --event-ttl (1h after their last write),
        as etcd's lease does, and what the recorders remember about objects now gone."""
        now = self.clock.now()
        if now < self._events_expire_at:
            return
        store = self.store
        gone, self._events_expire_at = expired_events(store.event_entries(), now,
                                                      written=entry_last_write)
        # When only the informers hear of a removal and none is for Events, all that a
        # recorder's Event (no ownerReferences) tells them is its namespace (for the
        # garbage collector), and once per namespace does it: nothing runs meanwhile and
        # queued work is queued once. So records go without a dict each (tests/sim/
        # test_sim_event_expiry_quiet.py holds this to the general path).
        quiet = store.listeners == [self._dispatch] and "Event" not in self._informers
        told: set[str] = set()
        for event in gone:
            if not quiet or not is_record(event):
                store.remove_event(event)
                continue
            namespace = store.drop_event_record(event)  # type: ignore[arg-type]
            if namespace is not None and namespace not in told:
                told.add(namespace)
                self._dispatch("Event", {"apiVersion": "v1", "kind": "Event",
                                         "metadata": {"namespace": namespace}}, None)
        if now - self._pruned_at < PRUNE_INTERVAL_SECONDS:
            return
        self._pruned_at = now
        self.events.prune(now, lambda uid: self.store.by_uid(uid) is not None,
                          lambda ns, name: self.store.event_entry(ns, name) is not None)
        # A reporter on a node that is gone writes no more events; its tuple stays shared
        # by the events that still name it.
        for reporter in list(self._event_reporters):
            if reporter[1] and self.store.get("Node", "", reporter[1]) is None:
                del self._event_reporters[reporter]

    def advance(self, seconds: float | None = None) -> float:
        """Let virtual time pass; without a duration, until nothing more changes (bounded)."""
        self.settle()
        if seconds is None:
            used = self.engine.run_until_idle(SETTLE_LIMIT_SECONDS)
        else:
            if seconds < 0:
                raise CommandError("error: a duration must not be negative")
            start = self.clock.now()
            self.engine.run_until(start + seconds)
            used = seconds
        self.expire_events()
        self.clock.rebase()
        return used

    def next_change(self) -> float | None:
        return self.engine.next_timer()

    # --- reads ----------------------------------------------------------------------

    def get(self, kind: str, namespace: str, name: str) -> Obj:
        self.settle()
        return clone(self.api.get(kind, namespace, name))

    def find(self, kind: str, namespace: str, name: str) -> Obj | None:
        """Like get, but None instead of NotFound; returns the live object (read only)."""
        info = kind_info(kind)
        return self.store.get(kind, namespace if info.namespaced else "", name)

    # Annotations below this method say builtins.list: in the class body `list` is it.
    def list(self, kind: str, namespace: str | None = None,
             selector: str | LabelSelector | None = None) -> list[Obj]:
        """Objects of a kind (namespace None = all), optionally filtered by label selector."""
        self.settle()
        info = kind_info(kind)
        items = self.store.list(kind, namespace if info.namespaced else None)
        if selector is not None:
            sel = parse_selector(selector) if isinstance(selector, str) else selector
            items = [o for o in items if sel.matches(o["metadata"].get("labels") or {})]
        return [clone(o) for o in items]

    def list_live(self, kind: str, namespace: str | None = None) -> builtins.list[Obj]:
        """The stored objects themselves, for read-only renderers that must be fast."""
        self.settle()
        info = kind_info(kind)
        return self.store.list(kind, namespace if info.namespaced else None)

    # --- writes ---------------------------------------------------------------------

    def create(self, obj: Obj, *, dry_run: bool = False) -> Obj:
        self.settle()
        if dry_run:
            return self.api.prepare_create(obj)
        stored = self.api.create(obj)
        self.settle()
        return clone(stored)

    def update(self, obj: Obj, *, dry_run: bool = False) -> Obj:
        self.settle()
        if dry_run:
            return self.api.prepare_update(obj)[1]
        stored = self.api.update(obj)
        self.settle()
        return clone(stored)

    def delete(self, kind: str, namespace: str, name: str, *, propagation: str = "Background",
               grace_seconds: int | None = None, dry_run: bool = False) -> Obj:
        self.settle()
        if dry_run:
            return clone(self.api.get(kind, namespace, name))
        obj = clone(self.api.get(kind, namespace, name))
        self.api.delete(kind, namespace, name, propagation=propagation,
                        grace_seconds=grace_seconds)
        self.settle()
        return obj

    # --- nodes: what happens outside kubectl's reach ---------------------------------

    def add_node(self, name: str, *, labels: dict[str, str] | None = None,
                 taints: builtins.list[Obj] | None = None, roles: builtins.list[str] | None = None,
                 capacity: dict[str, str] | None = None, ready: bool = False,
                 network: bool = True) -> None:
        """A machine joins: its kubelet registers the Node, Ready after nodeReadySeconds.

        With ready=True the node is already up (for the nodes a cluster starts with).
        With network=False it has no pod network until a CNI agent's pod runs there
        (see controller/network.py): NotReady, NetworkUnavailable=True.
        """
        self.settle()
        if self.store.get("Node", "", name) is not None:
            raise AlreadyExists(f'nodes "{name}" already exists')
        node = make_node(name, self._node_index, labels=labels, taints=taints, roles=roles,
                         capacity=capacity)
        self._node_index += 1
        now = to_rfc3339(self.clock.now())
        node["status"]["conditions"] = ready_conditions("True" if ready and network else "False",
                                                        now)
        if not network:
            node["status"]["conditions"].insert(0, no_route_condition(now))
            self._cni_not_ready(node["status"]["conditions"])
        # Nothing is handed back: no caller needed the copy, and making it was a tenth
        # of what a node joining a 50,000-pod cluster costs (`find` reads the Node).
        self.api.create(node, handed_over=True)
        self.settle()

    def _node_registered(self, node: Obj) -> None:
        """A Node object appeared (node add or kubectl create): start its kubelet."""
        name = node["metadata"]["name"]
        self.kubelet.node_started(name)
        node.setdefault("spec", {})  # a `kind: Node` manifest may omit spec
        status = node.setdefault("status", {})
        if not status.get("conditions"):
            status["conditions"] = ready_conditions("False", to_rfc3339(self.clock.now()))
            template = make_node(name, self._node_index)
            self._node_index += 1
            for field in ("addresses", "allocatable", "capacity", "nodeInfo", "daemonEndpoints"):
                status.setdefault(field, template["status"][field])
            node["spec"].setdefault("podCIDR", template["spec"]["podCIDR"])
        if not is_node_ready(node):
            # TaintNodesByCondition: a new node starts with not-ready:NoSchedule.
            taints = node["spec"].setdefault("taints", [])
            if not any(t.get("key") == "node.kubernetes.io/not-ready" for t in taints):
                taints.append({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule"})
            self.engine.enqueue_at("node-ready", name,
                                   self.clock.now() + self.timing["nodeReadySeconds"])

    def _node_ready(self, name: str) -> None:
        node = self.store.get("Node", "", name)
        if node is None or not self.kubelet.is_alive(name):
            return
        self._post_ready(node)

    @staticmethod
    def _cni_not_ready(conditions: builtins.list[Obj]) -> None:
        for i, cond in enumerate(conditions):
            if cond.get("type") == "Ready":
                conditions[i] = {**cond, "status": "False", "reason": "KubeletNotReady",
                                 "message": CNI_NOT_READY}

    def _wake_pods(self, node_name: str) -> None:
        """The node's network is up: its kubelet looks at the pods that waited for it."""
        for pod in self.store.pods_on_node(node_name):
            self.engine.enqueue("kubelet", key_of(pod))

    def _post_ready(self, node: Obj) -> None:
        now = to_rfc3339(self.clock.now())
        if waits_for_network(node):
            # The runtime reports no network: the kubelet posts NotReady with its reason.
            conditions = kubelet_posted_conditions(node, "False", now)
            self._cni_not_ready(conditions)
            node["status"]["conditions"] = conditions
            self.store.touch(node)
            return
        node["status"]["conditions"] = kubelet_posted_conditions(node, "True", now)
        self.store.touch(node)
        self.record_event(node, "Normal", "NodeReady",
                          f"Node {node['metadata']['name']} status is now: NodeReady",
                          component="kubelet", host=node["metadata"]["name"])

    def _node(self, name: str) -> Obj:
        node = self.store.get("Node", "", name)
        if node is None:
            raise NotFound(f'nodes "{name}" not found')
        return node

    def remove_node(self, name: str) -> None:
        """The machine is gone: the Node is deleted and pod GC removes its pods."""
        self.settle()
        node = self._node(name)
        self.api.finish_deletion(node)
        self.settle()

    def fail_node(self, name: str) -> None:
        """The kubelet stops reporting; after the grace period the node turns NotReady."""
        self.settle()
        self._node(name)
        self.kubelet.node_stopped(name)
        self.nodelifecycle.kubelet_stopped(name)
        self.settle()

    def recover_node(self, name: str) -> None:
        """The kubelet reports again: Ready, taints lifted, pods carry on."""
        self.settle()
        node = self._node(name)
        self.nodelifecycle.kubelet_resumed(name)
        self.kubelet.node_started(name)
        if not is_node_ready(node):
            self._post_ready(node)
        now = self.clock.now()
        for pod in self.store.pods_on_node(name):
            self.kubelet.resync_ready(pod, now)
        self.settle()

    def node_is_up(self, name: str) -> bool:
        return self.kubelet.is_alive(name)

    # --- convenience for tests and lessons ------------------------------------------

    def pods_of(self, ds_name: str, namespace: str = "default") -> builtins.list[Obj]:
        """Live (stored) pods controlled by a DaemonSet, sorted by node then name."""
        ds = self.store.get("DaemonSet", namespace, ds_name)
        if ds is None:
            return []
        pods = []
        for keys in self.store.pods_of_owner(ds["metadata"]["uid"]).values():
            pods += [p for p in (self.store.get(*k) for k in keys) if p is not None]
        return sorted(pods, key=lambda p: (p["spec"].get("nodeName", ""), key_of(p)))

