"""Builders and probes for the simulator scenario tests.

The names follow upstream's pkg/controller/daemon/daemon_controller_test.go:

- ``make_daemonset`` is ``newDaemonSet`` (labels ``{name: simple-daemon, type:
  production}``, OnDelete, revisionHistoryLimit 2), with keyword knobs;
- ``make_cluster`` / ``add_nodes`` are ``addNodes`` (nodes ``node-0``...);
- ``add_pods`` is ``addPods``/``addFailedPods``: DS pods written straight into
  the store, carrying the DS's current hash and a controllerRef;
- ``sync_once`` is one ``syncHandler`` call; ``expect_sync`` is
  ``expectSyncDaemonSets`` (creates, deletes, other DS events);
- ``ActionRecorder`` counts what the DaemonSet controller did between two points
  by watching ``cluster.store.listeners`` for its SuccessfulCreate /
  SuccessfulDelete events and for pods as first written.

A "frozen" node has its kubelet stopped (``cluster.kubelet.node_stopped``) while the
Node stays Ready: pods bound there neither progress nor finish terminating, which
plays the part of upstream's fake pod store. Tests then move pods along by hand
(``mark_pods_ready``, ``set_phase``, ``finish_terminations``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dstutor.controller import history_rules
from dstutor.errors import Forbidden
from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    Obj,
    clone,
    controller_ref,
    is_terminating,
    new_controller_ref,
    target_node_name,
)
from dstutor.model.timefmt import to_rfc3339
from dstutor.sim.cluster import Cluster
from dstutor.sim.events import Draft

SIMPLE_DAEMONSET_LABEL = {"name": "simple-daemon", "type": "production"}
SIMPLE_DAEMONSET_LABEL2 = {"name": "simple-daemon", "type": "test"}
SIMPLE_NODE_LABEL = {"color": "blue", "speed": "fast"}
SIMPLE_NODE_LABEL2 = {"color": "red", "speed": "fast"}
NS = "default"
STRATEGIES = ("OnDelete", "RollingUpdate")

NO_SCHEDULE_TAINT = {"key": "dedicated", "value": "user1", "effect": "NoSchedule"}
NO_EXECUTE_TAINT = {"key": "dedicated", "value": "user1", "effect": "NoExecute"}
NO_SCHEDULE_TOLERATION = {"key": "dedicated", "operator": "Equal", "value": "user1",
                          "effect": "NoSchedule"}


# --- builders ---------------------------------------------------------------------------


def make_daemonset(name: str = "foo", *, namespace: str = NS, strategy: str = "OnDelete",
                   max_unavailable: int | str | None = None,
                   max_surge: int | str | None = None, image: str = "foo/bar",
                   labels: dict[str, str] | None = None,
                   selector: dict[str, Any] | None = None,
                   node_selector: dict[str, str] | None = None, node_name: str | None = None,
                   affinity: Obj | None = None, tolerations: list[Obj] | None = None,
                   host_network: bool = False, host_port: int | None = None,
                   requests: dict[str, str] | None = None,
                   min_ready_seconds: int | None = None,
                   revision_history_limit: int | None = 2,
                   annotations: dict[str, str] | None = None) -> Obj:
    """newDaemonSet: a DaemonSet manifest as a user would write it."""
    pod_labels = dict(labels or SIMPLE_DAEMONSET_LABEL)
    container: Obj = {"name": "foo", "image": image}
    if host_port is not None:
        container["ports"] = [{"containerPort": host_port, "hostPort": host_port}]
    if requests:
        container["resources"] = {"requests": dict(requests)}
    pod_spec: Obj = {"containers": [container]}
    if node_selector:
        pod_spec["nodeSelector"] = dict(node_selector)
    if node_name:
        pod_spec["nodeName"] = node_name
    if affinity:
        pod_spec["affinity"] = clone(affinity)
    if tolerations:
        pod_spec["tolerations"] = clone(tolerations)
    if host_network:
        pod_spec["hostNetwork"] = True
    update: Obj = {"type": strategy}
    if strategy == "RollingUpdate":
        rolling: Obj = {}
        if max_unavailable is not None:
            rolling["maxUnavailable"] = max_unavailable
        if max_surge is not None:
            rolling["maxSurge"] = max_surge
            rolling.setdefault("maxUnavailable", 0)
        if rolling:
            update["rollingUpdate"] = rolling
    spec: Obj = {
        "selector": clone(selector) if selector is not None else {"matchLabels": dict(pod_labels)},
        "template": {"metadata": {"labels": pod_labels}, "spec": pod_spec},
        "updateStrategy": update,
    }
    if revision_history_limit is not None:
        spec["revisionHistoryLimit"] = revision_history_limit
    if min_ready_seconds is not None:
        spec["minReadySeconds"] = min_ready_seconds
    meta: Obj = {"name": name, "namespace": namespace}
    if annotations:
        meta["annotations"] = dict(annotations)
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta, "spec": spec}


def make_cluster(nodes: int = 0, *, labels: dict[str, str] | None = None, frozen: bool = False,
                 node_lifecycle: bool = True, taint_eviction: bool = True, seed: int = 0,
                 timing: dict[str, float] | None = None, missing_images: Iterable[str] = (),
                 crashing_images: Iterable[str] = ()) -> Cluster:
    """A cluster with Ready nodes node-0..node-<nodes-1>.

    frozen: stop every kubelet (pods stay where tests put them).
    node_lifecycle / taint_eviction: False switches that controller off, as in
    upstream's DaemonSet unit tests, where only the DaemonSet controller runs.
    """
    cluster = Cluster(seed=seed, timing=timing, missing_images=missing_images,
                      crashing_images=crashing_images)
    if not node_lifecycle:
        disable(cluster, "nodelifecycle")
    if not taint_eviction:
        disable(cluster, "tainteviction")
    add_nodes(cluster, 0, nodes, labels, frozen=frozen)
    return cluster


def disable(cluster: Cluster, queue: str) -> None:
    """Switch one controller off: its work queue is drained without effect."""
    cluster.engine.register(queue, lambda _key: None)


def add_nodes(cluster: Cluster, start: int, count: int, labels: dict[str, str] | None = None,
              *, frozen: bool = False, taints: list[Obj] | None = None,
              capacity: dict[str, str] | None = None) -> list[str]:
    """addNodes: Ready nodes node-<start>..; frozen ones get their kubelet stopped."""
    names = []
    for i in range(start, start + count):
        node_name = f"node-{i}"
        cluster.add_node(node_name, labels=labels, taints=taints, capacity=capacity, ready=True)
        if frozen:
            cluster.kubelet.node_stopped(node_name)
        names.append(node_name)
    return names


def set_node_condition(cluster: Cluster, node_name: str, ctype: str, status: str) -> None:
    """What a kubelet or network plugin would post: one node condition changes."""
    node = cluster.store.get("Node", "", node_name)
    assert node is not None
    old = clone(node)
    conditions = [c for c in node["status"]["conditions"] if c["type"] != ctype]
    conditions.append({"type": ctype, "status": status})
    node["status"]["conditions"] = conditions
    cluster.store.touch(node, old)


def freeze(cluster: Cluster, node_names: Iterable[str] | None = None) -> None:
    """Stop kubelets (all nodes by default) without the node turning NotReady."""
    if node_names is None:
        node_names = [n["metadata"]["name"] for n in cluster.store.list("Node")]
    for node_name in node_names:
        cluster.kubelet.node_stopped(node_name)


def create_ds(cluster: Cluster, manifest: Obj) -> Obj:
    """dsStore.Add: store the DaemonSet through the API without running controllers."""
    return cluster.api.create(manifest)


def live_ds(cluster: Cluster, name: str = "foo", namespace: str = NS) -> Obj:
    ds = cluster.store.get("DaemonSet", namespace, name)
    assert ds is not None, f"daemonset {name} not found"
    return ds


def current_hash(ds: Obj) -> str:
    """The hash the controller computes for the DaemonSet's current template."""
    return history_rules.compute_hash(ds["spec"]["template"], ds.get("status", {}).get(
        "collisionCount"))


def update_ds(cluster: Cluster, name: str = "foo", *, image: str | None = None,
              strategy: Obj | None = None, settle: bool = False, **spec: Any) -> Obj:
    """A user update (through validation and the API server) of a stored DaemonSet."""
    ds = clone(live_ds(cluster, name))
    if image is not None:
        ds["spec"]["template"]["spec"]["containers"][0]["image"] = image
    if strategy is not None:
        ds["spec"]["updateStrategy"] = clone(strategy)
    ds["spec"].update(spec)
    if settle:
        return cluster.update(ds)
    return cluster.api.update(ds)


def rolling(max_unavailable: int | str = 1, max_surge: int | str | None = None) -> Obj:
    """An updateStrategy value: newUpdateUnavailable / newUpdateSurge."""
    r: Obj = {"maxUnavailable": max_unavailable}
    if max_surge is not None:
        r = {"maxUnavailable": 0, "maxSurge": max_surge}
    return {"type": "RollingUpdate", "rollingUpdate": r}


def put_pod(cluster: Cluster, node_name: str, labels: dict[str, str], *,
            owner: Obj | None = None, spec: Obj | None = None, prefix: str | None = None,
            phase: str | None = None, ready: bool | None = None,
            ready_since: float | None = None, created: float | None = None,
            deleted: bool = False) -> Obj:
    """newPod + podStore.Add: write a pod straight into the store.

    created/ready_since are absolute virtual times (default: now).
    """
    now = cluster.now()
    meta: Obj = {
        "name": cluster.names.generate(prefix or f"{node_name or 'pod'}-"),
        "namespace": NS, "labels": dict(labels), "uid": cluster.names.uid(),
        "creationTimestamp": to_rfc3339(now if created is None else created),
    }
    if owner is not None:
        meta["ownerReferences"] = [new_controller_ref(owner)]
    if deleted:
        meta["deletionTimestamp"] = to_rfc3339(now + 30)
        meta["deletionGracePeriodSeconds"] = 30
    pod_spec = clone(spec) if spec is not None else {
        "containers": [{"name": "foo", "image": "foo/bar"}]}
    if node_name:
        pod_spec["nodeName"] = node_name
    status: Obj = {"phase": phase or ("Running" if ready is not None else "Pending")}
    if ready is not None:
        since = now if ready_since is None else ready_since
        status["conditions"] = [{"type": "Ready", "status": "True" if ready else "False",
                                 "lastTransitionTime": to_rfc3339(since)}]
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": pod_spec,
           "status": status}
    cluster.store.put(pod)
    return pod


def add_pods(cluster: Cluster, node_name: str, labels: dict[str, str], ds: Obj, number: int,
             **kwargs: Any) -> list[Obj]:
    """addPods: DS-owned pods on a node, labelled with the DS's current hash."""
    pod_labels = dict(labels)
    pod_labels[DAEMONSET_UNIQUE_LABEL] = current_hash(ds)
    spec = clone(ds["spec"]["template"]["spec"])
    return [put_pod(cluster, node_name, pod_labels, owner=ds, spec=spec, **kwargs)
            for _ in range(number)]


def add_failed_pods(cluster: Cluster, node_name: str, labels: dict[str, str], ds: Obj,
                    number: int) -> list[Obj]:
    return add_pods(cluster, node_name, labels, ds, number, phase="Failed")


# --- moving pods along by hand ------------------------------------------------------------


def _set_ready_condition(pod: Obj, ready: bool, since: float) -> None:
    status = pod.setdefault("status", {})
    conditions = [c for c in status.get("conditions") or [] if c.get("type") != "Ready"]
    conditions.append({"type": "Ready", "status": "True" if ready else "False",
                       "lastTransitionTime": to_rfc3339(since)})
    status["conditions"] = conditions


def mark_pods_ready(cluster: Cluster, pods: Iterable[Obj] | None = None, *, ready: bool = True,
                    since: float | None = None) -> int:
    """markPodsReady: set the Ready condition (default: every pod that is not yet so)."""
    if pods is None:
        pods = cluster.store.list("Pod")
    when = cluster.now() if since is None else since
    changed = 0
    for pod in list(pods):
        cond = next((c for c in pod["status"].get("conditions") or []
                     if c.get("type") == "Ready"), None)
        if cond is not None and (cond.get("status") == "True") == ready:
            continue
        old = clone(pod)
        if ready:
            pod["status"]["phase"] = "Running"
        _set_ready_condition(pod, ready, when)
        cluster.store.touch(pod, old)
        changed += 1
    return changed


def set_phase(cluster: Cluster, pod: Obj, phase: str) -> None:
    old = clone(pod)
    pod["status"]["phase"] = phase
    if phase in ("Failed", "Succeeded"):
        _set_ready_condition(pod, False, cluster.now())
    cluster.store.touch(pod, old)


def finish_terminations(cluster: Cluster) -> int:
    """The kubelets' part of deletion: terminating pods disappear from the API."""
    doomed = [p for p in cluster.store.list("Pod") if is_terminating(p)]
    for pod in doomed:
        cluster.api.finish_deletion(pod)
    return len(doomed)


def daemon_pods(cluster: Cluster, name: str = "foo", *, live_only: bool = False) -> list[Obj]:
    pods = cluster.pods_of(name, NS)
    return [p for p in pods if not is_terminating(p)] if live_only else pods


def pods_by_node(cluster: Cluster, name: str = "foo") -> dict[str, list[Obj]]:
    result: dict[str, list[Obj]] = {}
    for pod in daemon_pods(cluster, name):
        result.setdefault(target_node_name(pod), []).append(pod)
    return result


def status(cluster: Cluster, name: str = "foo") -> Obj:
    return dict(live_ds(cluster, name).get("status") or {})


# --- counting controller actions -------------------------------------------------------


@dataclass
class Actions:
    """What the DaemonSet controller did between two points."""

    created: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    events: list[tuple[str, str, str]] = field(default_factory=list)  # (type, reason, message)
    pods_as_created: list[Obj] = field(default_factory=list)

    @property
    def counts(self) -> tuple[int, int, int]:
        """(creates, deletes, other events), as expectSyncDaemonSets checks them."""
        return len(self.created), len(self.deleted), len(self.events)

    def reasons(self) -> list[str]:
        return [reason for _, reason, _ in self.events]


class ActionRecorder:
    """Counts a DaemonSet's SuccessfulCreate/SuccessfulDelete and other events as recorded
    (an event watcher sees them before the correlator merges or drops any), and the pods
    it creates as first written to the store."""

    def __init__(self, cluster: Cluster, ds_name: str | None = None) -> None:
        self.cluster = cluster
        self.ds_name = ds_name
        self.actions = Actions()
        cluster.store.listeners.append(self._listen)
        cluster.event_watchers.append(self._watch)

    def close(self) -> None:
        if self._listen in self.cluster.store.listeners:
            self.cluster.store.listeners.remove(self._listen)
        if self._watch in self.cluster.event_watchers:
            self.cluster.event_watchers.remove(self._watch)

    def _listen(self, kind: str, old: Obj | None, new: Obj | None) -> None:
        if kind == "Pod" and old is None and new is not None:
            ref = controller_ref(new)
            if ref is not None and ref.get("kind") == "DaemonSet" and (
                    self.ds_name is None or ref.get("name") == self.ds_name):
                self.actions.pods_as_created.append(clone(new))

    def _watch(self, event: Draft) -> None:
        if event.kind != "DaemonSet":
            return
        if self.ds_name is not None and event.name != self.ds_name:
            return
        if event.reason == "SuccessfulCreate":
            self.actions.created.append(event.message.removeprefix("Created pod: "))
        elif event.reason == "SuccessfulDelete":
            self.actions.deleted.append(event.message.removeprefix("Deleted pod: "))
        else:
            self.actions.events.append((event.type, event.reason, event.message))

    def take(self) -> Actions:
        """The actions since the last take; starts counting afresh."""
        actions, self.actions = self.actions, Actions()
        return actions


def check_controller_refs(actions: Actions) -> None:
    """validateSyncDaemonSets: every created pod carries a correct controllerRef."""
    assert len(actions.pods_as_created) == len(actions.created)
    for pod in actions.pods_as_created:
        ref = controller_ref(pod)
        assert ref is not None
        assert ref["apiVersion"] == "apps/v1"
        assert ref["kind"] == "DaemonSet"
        assert ref["controller"] is True
        assert ref["blockOwnerDeletion"] is True


def sync_once(cluster: Cluster, name: str = "foo", namespace: str = NS) -> Actions:
    """One syncDaemonSet pass (manager.syncHandler), nothing else runs."""
    recorder = ActionRecorder(cluster, name)
    try:
        cluster.daemonsets.sync((namespace, name))
    finally:
        recorder.close()
    return recorder.take()


def expect_sync(cluster: Cluster, creates: int, deletes: int, events: int = 0,
                name: str = "foo", namespace: str = NS) -> Actions:
    """expectSyncDaemonSets: one sync gives exactly these creates, deletes and events."""
    actions = sync_once(cluster, name, namespace)
    assert actions.counts == (creates, deletes, events), actions
    check_controller_refs(actions)
    return actions


def settle_actions(cluster: Cluster, name: str = "foo") -> Actions:
    """Run every controller until quiet at this instant; what the DS controller did."""
    recorder = ActionRecorder(cluster, name)
    try:
        cluster.settle()
    finally:
        recorder.close()
    return recorder.take()


def expect_round(cluster: Cluster, creates: int, deletes: int, name: str = "foo") -> Actions:
    """Settle, then check the round's creates and deletes; a further sync does nothing."""
    actions = settle_actions(cluster, name)
    assert (len(actions.created), len(actions.deleted)) == (creates, deletes), actions
    check_controller_refs(actions)
    assert sync_once(cluster, name).counts == (0, 0, 0)
    return actions


class PodCreateQuota:
    """FakePodControl.CreateLimit: the API server accepts only `limit` pod creates.

    Wraps ``cluster.api.create_trusted`` (the controllers' create path); further pod
    creates fail as a ResourceQuota admission error would. ``limit=None`` lifts it.
    """

    def __init__(self, cluster: Cluster, limit: int | None) -> None:
        self.limit = limit
        self.attempts = 0
        self.accepted = 0
        self._create = cluster.api.create_trusted
        cluster.api.create_trusted = self  # type: ignore[method-assign]

    def __call__(self, obj: Obj, **options: Any) -> Obj:
        if obj["kind"] == "Pod":
            self.attempts += 1
            if self.limit is not None and self.accepted >= self.limit:
                raise Forbidden(
                    f'pods "{obj["metadata"].get("generateName", "")}" is forbidden: exceeded '
                    f"quota: pods, requested: pods=1, used: pods={self.accepted}, "
                    f"limited: pods={self.limit}")
            self.accepted += 1
        return self._create(obj, **options)


def priority_class(name: str, value: int, *, default: bool = False,
                   policy: str | None = None) -> Obj:
    pc: Obj = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
               "metadata": {"name": name}, "value": value}
    if default:
        pc["globalDefault"] = True
    if policy:
        pc["preemptionPolicy"] = policy
    return pc
