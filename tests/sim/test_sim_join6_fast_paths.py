"""Shortcuts of issue 19's sixth join round (join6) against the general paths they skip,
over every write_trace scenario (whose visible states test_sim_write_trace checks), and
tables where a scenario reaches too few cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller.daemonset import DaemonSetsController
from dstutor.controller.gc import GarbageCollector
from dstutor.controller.kubelet import Kubelet
from dstutor.controller.pod_record import PodRecord
from dstutor.controller.pods import daemon_pods_on
from dstutor.controller.scheduler import Scheduler
from dstutor.model.objects import Obj, is_terminating, target_node_name
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.engine import Engine
from tests.sim import write_trace
from tests.sim.write_trace import SCENARIOS

RECORDED = json.loads((Path(__file__).parent / "write_trace_digests.json").read_text())


@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_admission_wake_is_the_one_step_would_set(name: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """sync_pod skips _step after admitting a pod whose containers are all due later:
    for every such admission, _step (the general path) run then changes nothing (the
    pod's resourceVersion, status and progress record stay) and sets exactly the kubelet
    wake-up _admit's answer names."""
    real_admit = Kubelet._admit
    taken = [0]

    def checking(self: Kubelet, pod: Obj, record: PodRecord, node_name: str,
                 node: Obj | None, now: float) -> float | None:
        wake = real_admit(self, pod, record, node_name, node, now)
        if wake is None:
            return None
        engine = self.ctx.engine  # type: ignore[attr-defined]
        key = record.key
        assert key not in engine._timer_due
        before = (pod["metadata"]["resourceVersion"], json.dumps(pod["status"]),
                  record.work, list(engine._queue))
        self._step(pod, key, node_name, record.work, now, record)
        assert (pod["metadata"]["resourceVersion"], json.dumps(pod["status"]),
                record.work, list(engine._queue)) == before
        assert engine._timer_due[key] == wake
        taken[0] += 1
        return wake

    monkeypatch.setattr(Kubelet, "_admit", checking)
    SCENARIOS[name]()
    assert taken[0] >= 3


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_general_paths_show_the_recorded_states(name: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """With the admission wake-up left to _step, a new first conditions list per bound
    pod, every pinned pod scheduled through the filter loop and the kubelet's pod keys
    queued as any queue's keys (the general paths),
    every scenario still shows the recorded states (so do the shortcuts:
    test_sim_write_trace)."""
    real_admit = Kubelet._admit
    real_condition = Scheduler._set_scheduled_condition
    real_schedule = Scheduler.schedule
    real_room = Scheduler._room_is_certain
    shortcut = [False]

    def admit_then_step(self: Kubelet, pod: Obj, record: PodRecord, node_name: str,
                        node: Obj | None, now: float) -> float | None:
        real_admit(self, pod, record, node_name, node, now)
        return None  # sync_pod goes on to _step

    def own_list(self: Scheduler, pod: Obj, *args: Any) -> None:
        self._first_conditions = (None, [])
        real_condition(self, pod, *args)

    def schedule(self: Scheduler, key: tuple[str, str, str]) -> None:
        shortcut[0] = True
        real_schedule(self, key)

    def room(self: Scheduler, *args: Any) -> bool:
        if shortcut[0]:  # the pinned pod's shortcut: not taken, the loop decides
            shortcut[0] = False
            return False
        return real_room(self, *args)

    monkeypatch.setattr(Kubelet, "_admit", admit_then_step)
    monkeypatch.setattr(Scheduler, "_set_scheduled_condition", own_list)
    monkeypatch.setattr(Scheduler, "schedule", schedule)
    monkeypatch.setattr(Scheduler, "_room_is_certain", room)
    # The kubelet's pod keys queued through enqueue and enqueue_at, as any queue's.
    monkeypatch.setattr(Engine, "enqueue_bare",
                        lambda self, key: Engine.enqueue(self, self._bare, key))
    monkeypatch.setattr(Engine, "enqueue_bare_at",
                        lambda self, key, when: Engine.enqueue_at(self, self._bare, key, when))
    recorder = SCENARIOS[name]()
    assert recorder.steps == RECORDED[name]["steps"]
    assert recorder.hash.hexdigest() == RECORDED[name]["digest"]


def test_pods_bound_alike_share_their_first_conditions_list() -> None:
    """The pods a DaemonSet makes at one instant are bound with one conditions list,
    and the kubelet's admission finds its memo for them: they keep sharing one."""
    cluster = Cluster(record_pod_events=False)
    for i in range(4):
        cluster.add_node(f"n{i}", ready=True)
    scheduled: list[int] = []

    def bound(kind: str, old: Obj | None, new: Obj | None) -> None:
        if kind == "Pod" and new is not None and new["spec"].get("nodeName") and len(
                new["status"].get("conditions") or ()) == 1:
            scheduled.append(id(new["status"]["conditions"]))

    cluster.store.listeners.append(bound)
    cluster.create(write_trace._ds("agent", [{"name": "a", "image": "agent:1"}]))
    cluster.settle()
    assert len(scheduled) == 4 and len(set(scheduled)) == 1
    pods = [p for p in cluster.store.list("Pod")]
    assert len({id(p["status"]["conditions"]) for p in pods}) == 1
    assert [c["type"] for c in pods[0]["status"]["conditions"]] == [
        "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
        "PodScheduled"]


@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scheduler_target_node_is_the_pods_own(name: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler takes a pod's target node from its store record: whenever it
    schedules a pod, that is target_node_name of the pod as it is then."""
    real = Scheduler.schedule
    asked = [0]

    def checking(self: Scheduler, key: tuple[str, str, str]) -> None:
        record = self.ctx.store.pod_records.get(key)
        if record is not None and not record.pod["spec"].get("nodeName"):
            assert record.node == target_node_name(record.pod), key
            asked[0] += 1
        real(self, key)

    monkeypatch.setattr(Scheduler, "schedule", checking)
    SCENARIOS[name]()
    assert asked[0] >= 5


def _daemon_pods_on_general(cluster: Cluster, ds: Obj, node_name: str,
                            include_deleted_terminal: bool) -> list[Obj]:
    """daemon_pods_on through store.get for every key (its answer before join6)."""
    store = cluster.store
    keys = store.pods_of_owner(ds["metadata"]["uid"]).get(node_name)
    pods = [p for p in (store.get(*k) for k in keys or ()) if p is not None and (
        include_deleted_terminal or not (is_terminating(p) and p["status"].get("phase") in (
            "Failed", "Succeeded")))]
    return sorted(pods, key=lambda p: (p["metadata"]["creationTimestamp"],
                                       p["metadata"]["name"])) if len(pods) > 1 else pods


@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_nodes_one_pod_read_from_its_record(name: str,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """daemon_pods_on and ClaimPods read a node's one pod from the record the owner index
    holds: after every DaemonSet sync, for every node, daemon_pods_on answers what
    store.get of each indexed key gives, and each record the index holds is the stored
    pod's own."""
    real = DaemonSetsController.sync
    compared = [0]

    def checking(self: DaemonSetsController, key: tuple[str, str]) -> None:
        real(self, key)
        store = self.ctx.store
        cluster: Cluster = self.ctx  # type: ignore[assignment]
        ds = store.get("DaemonSet", *key)
        if ds is None:
            return
        for node_name, keys in store.pods_of_owner(ds["metadata"]["uid"]).items():
            if type(keys) is PodRecord:
                assert store.get(*keys.key) is keys.pod
                compared[0] += 1
            for deleted in (False, True):
                got = daemon_pods_on(store, ds, node_name, include_deleted_terminal=deleted)
                assert [id(p) for p in got] == [id(p) for p in _daemon_pods_on_general(
                    cluster, ds, node_name, deleted)]

    monkeypatch.setattr(DaemonSetsController, "sync", checking)
    SCENARIOS[name]()
    assert compared[0] >= 10


@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_pod_writes_tell_the_collector_as_before(name: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Cluster._on_pod tells the garbage collector of a pod write only under the TIMELINE
    bit: it hears of exactly the pod writes it heard of before (a removal or a pod being
    deleted), after the pod informers."""
    heard: list[tuple[int, int]] = []
    expected: list[tuple[int, int]] = []
    real_on_any = GarbageCollector.on_any
    real_on_pod = Cluster._on_pod

    def on_any(self: GarbageCollector, kind: str, old: Obj | None, new: Obj | None) -> None:
        if kind == "Pod":
            heard.append((id(old), id(new)))
        real_on_any(self, kind, old, new)

    def on_pod(self: Cluster, old: Obj | None, new: Obj | None) -> None:
        real_on_pod(self, old, new)
        if new is None or new["metadata"].get("deletionTimestamp"):
            expected.append((id(old), id(new)))
        assert heard == expected

    monkeypatch.setattr(GarbageCollector, "on_any", on_any)
    monkeypatch.setattr(Cluster, "_on_pod", on_pod)
    SCENARIOS[name]()
    if name != "kubeadm":
        assert len(expected) >= 3


@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_own_status_writes_wake_as_the_general_test(name: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """on_daemonset looks at revisionHistoryLimit only when the DaemonSet has old
    revisions: for every DaemonSet write, it queues a sync exactly when the general test
    (the limit read every time) says the write may leave work."""
    real = DaemonSetsController.on_daemonset
    checked = [0]

    def checking(self: DaemonSetsController, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            real(self, old, new)
            return
        state = self.states.get(new["metadata"]["uid"])
        quiet = (old is new and state is not None
                 and self._writing_status == new["metadata"]["uid"]
                 and not (state.dirty or state.full or state.old_nodes or state.create_failed)
                 and state.old_revision_count <= int(new["spec"].get("revisionHistoryLimit",
                                                                    10)))
        cluster: Cluster = self.ctx  # type: ignore[assignment]
        enqueue = cluster.enqueue
        queued: list[tuple[str, Any]] = []
        cluster.enqueue = lambda queue, key: queued.append((queue, key))  # type: ignore
        try:
            real(self, old, new)
        finally:
            cluster.enqueue = enqueue  # type: ignore[method-assign]
        assert queued == ([] if quiet else [("daemonset", (new["metadata"]["namespace"],
                                                          new["metadata"]["name"]))])
        for queue, key in queued:
            enqueue(queue, key)
        checked[0] += quiet

    monkeypatch.setattr(DaemonSetsController, "on_daemonset", checking)
    SCENARIOS[name]()
    if name.startswith("fleet"):
        assert checked[0] >= 5


def test_old_revisions_beyond_the_limit_go_once_their_pods_do() -> None:
    """revisionHistoryLimit 0: once a rollout replaced every pod, the syncs that follow
    (not full ones) clean the old revision up, as the general test has them do."""
    cluster = Cluster(record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"n{i}", ready=True)
    ds = write_trace._ds("agent", [{"name": "a", "image": "agent:1"}])
    ds["spec"]["revisionHistoryLimit"] = 0
    cluster.create(ds)
    cluster.advance()
    live = cluster.get("DaemonSet", "default", "agent")
    live["spec"]["template"]["spec"]["containers"][0]["image"] = "agent:2"
    cluster.update(live)
    cluster.advance()
    images = {p["spec"]["containers"][0]["image"] for p in cluster.store.list("Pod")}
    assert images == {"agent:2"}
    assert len(cluster.store.list("ControllerRevision")) == 1


@pytest.mark.parametrize(("old_revisions", "limit"), [
    (0, 0), (0, 1), (0, None), (1, 0), (1, 1), (2, 1), (3, 10), (11, 10), (11, None)])
def test_own_status_write_with_old_revisions(old_revisions: int, limit: int | None) -> None:
    """A status write that ends a sync which left nothing else to do queues another sync
    exactly when the old revisions are more than revisionHistoryLimit (default 10), as
    the general test says: the table covers the counts the scenarios never reach."""
    cluster = Cluster(record_pod_events=False)
    cluster.add_node("n0", ready=True)
    ds = write_trace._ds("agent", [{"name": "a", "image": "agent:1"}])
    if limit is not None:
        ds["spec"]["revisionHistoryLimit"] = limit
    cluster.create(ds)
    cluster.advance()
    controller = cluster.daemonsets
    stored = cluster.store.get("DaemonSet", "default", "agent")
    assert stored is not None
    state = controller.states[stored["metadata"]["uid"]]
    assert not (state.dirty or state.full or state.old_nodes or state.create_failed)
    state.old_revision_count = old_revisions
    queued: list[tuple[str, Any]] = []
    cluster.enqueue = lambda queue, key: queued.append((queue, key))  # type: ignore
    controller._writing_status = stored["metadata"]["uid"]
    controller.on_daemonset(stored, stored)
    too_many = old_revisions > (10 if limit is None else limit)
    assert queued == ([("daemonset", ("default", "agent"))] if too_many else [])


def _one_pod_cluster() -> tuple[Cluster, Obj, Obj]:
    """One node, one DaemonSet, settled: its one pod on n0."""
    cluster = Cluster(record_pod_events=False)
    cluster.add_node("n0", ready=True)
    cluster.create(write_trace._ds("agent", [{"name": "a", "image": "agent:1"}]))
    cluster.advance()
    ds = cluster.store.get("DaemonSet", "default", "agent")
    assert ds is not None
    (pod,) = cluster.store.list("Pod")
    return cluster, ds, pod


def test_a_nodes_one_pod_being_deleted_and_finished() -> None:
    """daemon_pods_on leaves out a node's one pod once it is finished and being deleted
    (unless asked for it), read from its record as through store.get."""
    cluster, ds, pod = _one_pod_cluster()
    assert type(cluster.store.pods_of_owner(ds["metadata"]["uid"])["n0"]) is PodRecord
    answers = []
    for phase, deleting in (("Running", False), ("Failed", False), ("Running", True),
                            ("Failed", True), ("Succeeded", True)):
        pod["status"]["phase"] = phase
        if deleting:
            pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
        for include in (False, True):
            got = daemon_pods_on(cluster.store, ds, "n0", include_deleted_terminal=include)
            assert got == _daemon_pods_on_general(cluster, ds, "n0", include)
            answers.append(len(got))
    assert answers == [1, 1, 1, 1, 1, 1, 0, 1, 0, 1]


def _edit_node(cluster: Cluster, name: str, change: Any) -> None:
    node = cluster.get("Node", "", name)
    change(node)
    cluster.update(node)


def _no_pod_room(cluster: Cluster, name: str) -> None:
    """The node's kubelet reports room for no pod (a status write, as the kubelet's)."""
    node = cluster.store.get("Node", "", name)
    assert node is not None
    node["status"] = {**node["status"], "allocatable": {**node["status"]["allocatable"],
                                                        "pods": "0"}}
    cluster.store.touch(node)


PINNED_SETUPS: dict[str, Any] = {
    "fits": lambda c: None,
    "tainted": lambda c: _edit_node(c, "n0", lambda n: n["spec"].__setitem__(
        "taints", [{"key": "k", "value": "v", "effect": "NoSchedule"}])),
    "unschedulable": lambda c: _edit_node(c, "n0", lambda n: n["spec"].__setitem__(
        "unschedulable", True)),
    "labels-mismatch": lambda c: None,  # (the pod asks for a label n0 lacks)
    "full": lambda c: _no_pod_room(c, "n0"),
    "too-big": lambda c: None,  # (the pod asks for more cpu than n0 has)
    "missing-node": lambda c: None,  # (the pod is pinned to a node that does not exist)
}


def _pinned_pod_outcome(setup: str, general: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    if general:
        real_schedule, real_room = Scheduler.schedule, Scheduler._room_is_certain
        shortcut = [False]

        def schedule(self: Scheduler, key: tuple[str, str, str]) -> None:
            shortcut[0] = True
            real_schedule(self, key)

        def room(self: Scheduler, *args: Any) -> bool:
            if shortcut[0]:
                shortcut[0] = False
                return False
            return real_room(self, *args)

        monkeypatch.setattr(Scheduler, "schedule", schedule)
        monkeypatch.setattr(Scheduler, "_room_is_certain", room)
    cluster = Cluster(seed=3)
    for name in ("n0", "n1"):
        cluster.add_node(name, ready=True)
    PINNED_SETUPS[setup](cluster)
    target = "n9" if setup == "missing-node" else "n0"
    container: Obj = {"name": "c", "image": "busybox:1"}
    if setup == "too-big":
        container["resources"] = {"requests": {"cpu": "500"}}
    spec: Obj = {"containers": [container], "affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchFields": [{"key": "metadata.name", "operator": "In",
                              "values": [target]}]}]}}}}
    if setup == "labels-mismatch":
        spec["nodeSelector"] = {"disk": "ssd"}
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "pinned", "namespace": "default"}, "spec": spec})
    cluster.advance(5)
    monkeypatch.undo()
    return json.dumps([cluster.list_live(kind) for kind in ("Pod", "Event")], default=str)


@pytest.mark.parametrize("setup", sorted(PINNED_SETUPS))
def test_pinned_pod_shortcut_schedules_as_the_filter_loop(
        setup: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler binds a pod pinned to one node straight away when that node passes
    the node filters and has room for certain; else the general loop decides: for a
    pod that fits and for each way it may not, the pods and events are what the loop
    alone makes of them."""
    fast = _pinned_pod_outcome(setup, False, monkeypatch)
    assert fast == _pinned_pod_outcome(setup, True, monkeypatch)
    assert ('"nodeName": "n0"' in fast) == (setup == "fits")


def _progress_of(work: Any) -> Any:
    return (work.stage, work.due, {name: (cw.stage, cw.due, cw.backoff, cw.ready_at, cw.fresh,
                                          cw.shown, cw.error)
                                   for name, cw in work.containers.items()})


def _kubelet_view(cluster: Cluster, key: tuple[str, str, str]) -> Any:
    pod = cluster.store.get(*key)
    engine = cluster.engine
    return (json.dumps(pod, sort_keys=True, default=str),
            _progress_of(cluster.store.pod_records[key].work),
            engine._timer_due.get(key), list(engine._queue),
            {name: agent.images for name, agent in cluster.kubelet.nodes.items()},
            cluster.store.resource_version(), len(cluster.store.list("Event")))


def _probed_agents() -> None:
    """Pods of one container with a readiness probe (ready some seconds after they
    start: the step that marks them ready), on three nodes, one joining later."""
    cluster = Cluster(record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"n{i}", ready=True)
    cluster.create(write_trace._ds("probed", [{
        "name": "a", "image": "agent:1", "readinessProbe": write_trace._probe()}]))
    cluster.advance(30)
    cluster.add_node("n3", ready=True)
    cluster.advance(30)
    assert all(p["status"]["containerStatuses"][0]["ready"] for p in cluster.store.list("Pod"))


STEP_SCENARIOS: dict[str, Any] = {**SCENARIOS, "probed": _probed_agents}


@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(STEP_SCENARIOS))
def test_one_container_step_is_the_general_step(name: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """kubelet_step.step_one steps a pod of one container holding a shared record: at
    every such step, a copy of the cluster whose pod holds a private copy of that record
    (so its _step takes the general loop) ends in the same pod, progress, timers, node
    images, resourceVersion and events."""
    import pickle

    from dstutor.controller import kubelet as kubelet_module
    from dstutor.controller import kubelet_step
    from dstutor.controller.kubelet_work import own_work

    real = kubelet_step.step_one
    taken = [0]

    def checking(kubelet: Kubelet, pod: Obj, key: Any, node_name: str, work: Any, c: Obj,
                 cw: Any, now: float, record: PodRecord) -> None:
        cluster: Cluster = kubelet.ctx  # type: ignore[assignment]
        twin: Cluster = pickle.loads(pickle.dumps(cluster))
        # (A copy's records start without the DaemonSet controller's signatures, which
        # hold ids: give them the originals', with the copy's ids.)
        for pod_key, twin_record in twin.store.pod_records.items():
            kept = cluster.store.pod_records[pod_key]
            sig, meta = kept.signature, kept.pod["metadata"]
            if sig is not None:
                twin_meta = twin_record.pod["metadata"]
                refs = meta.get("ownerReferences")
                twin_record.signature = (
                    *sig[:4], id(twin_meta.get("ownerReferences")) if sig[4] == id(refs)
                    else sig[4], sig[5],
                    twin_meta.get("labels") if sig[6] is meta.get("labels") else sig[6])
        twin_record = twin.store.pod_records[key]
        twin_record.work = own_work(twin_record.work)
        twin.kubelet._step(twin_record.pod, key, node_name, twin_record.work, now,
                           twin_record)
        real(kubelet, pod, key, node_name, work, c, cw, now, record)
        assert _kubelet_view(cluster, key) == _kubelet_view(twin, key)
        taken[0] += 1

    monkeypatch.setattr(kubelet_module, "step_one", checking)
    STEP_SCENARIOS[name]()
    assert taken[0] >= 8


_LABEL = st.sampled_from(["a", "b", "zone"])
_TAINT = st.fixed_dictionaries({"key": _LABEL, "effect": st.sampled_from(
    ["NoSchedule", "NoExecute", "PreferNoSchedule"])}, optional={"value": _LABEL})
_TOLERATION = st.fixed_dictionaries({}, optional={
    "key": _LABEL, "operator": st.sampled_from(["Exists", "Equal"]), "value": _LABEL,
    "effect": st.sampled_from(["NoSchedule", "NoExecute"])})
_TERM = st.fixed_dictionaries({"matchExpressions": st.lists(st.fixed_dictionaries({
    "key": _LABEL, "operator": st.sampled_from(["In", "NotIn", "Exists"]),
    "values": st.lists(_LABEL, max_size=2)}), max_size=2)})
_REQUIRED = st.lists(_TERM, max_size=2).map(lambda terms: {"nodeAffinity": {
    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}})
_SPEC = st.fixed_dictionaries(
    {"containers": st.just([{"name": "c", "image": "i"}])},
    optional={"nodeSelector": st.dictionaries(_LABEL, _LABEL, max_size=2),
              "affinity": st.one_of(st.just({}), _REQUIRED),
              "tolerations": st.lists(_TOLERATION, max_size=2)})
_NODE = st.builds(lambda labels, taints: {
    "metadata": {"name": "n0", "labels": labels}, "spec": {"taints": taints} if taints else {}},
    st.dictionaries(_LABEL, _LABEL, max_size=3), st.lists(_TAINT, max_size=2))


@settings(max_examples=150, deadline=None)
@given(spec=_SPEC, node=_NODE)
def test_placement_without_selector_or_affinity_is_the_general_one(spec: Obj,
                                                                    node: Obj) -> None:
    """node_should_run_daemon_pod skips the node affinity match for a spec with neither a
    nodeSelector nor an affinity: for any spec and node, it answers as when it asks the
    match (an empty nodeSelector, which selects every node, sends it there), and as its
    explained answer."""
    from dstutor.controller.placement import node_should_run_daemon_pod

    ds: Obj = {"metadata": {"name": "d", "namespace": "default"}, "spec": {}}
    got = node_should_run_daemon_pod(node, ds, spec)
    asking = node_should_run_daemon_pod(node, ds, {**spec,
                                                   "nodeSelector": spec.get("nodeSelector")
                                                   or {}})
    explained = node_should_run_daemon_pod(node, ds, spec, explain=True)
    assert (got.should_run, got.should_continue_running) == (
        asking.should_run, asking.should_continue_running) == (
        explained.should_run, explained.should_continue_running)


@pytest.mark.parametrize(("phase", "deleting", "after"), [
    ("Running", False, 1), ("Running", True, 1), ("Failed", False, 0), ("Failed", True, 2),
    ("Succeeded", True, 2)])
def test_manage_reads_a_nodes_one_pod_as_daemon_pods_on(phase: str, deleting: bool,
                                                        after: int) -> None:
    """manage() reads a node's one live pod from its record, and leaves any other to
    daemon_pods_on, as the general path (main before join6 makes these very pods): a
    failed pod is deleted, a finished pod being deleted gets a replacement at once (it is
    no longer counted), a running one stays."""
    cluster, ds, pod = _one_pod_cluster()
    pod["status"]["phase"] = phase
    if deleting:
        pod["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    cluster.daemonsets.mark_dirty(ds, "n0")
    cluster.daemonsets.sync(("default", "agent"))
    pods = cluster.store.list("Pod")
    assert len(pods) == after
    assert (pod in pods) == (after != 0)


_POD_KEY = st.tuples(st.just("Pod"), st.sampled_from(["default", "kube-system"]),
                     st.sampled_from(["a", "b", "c"]))
# (Floats made afresh, as `now + delay` makes them: a timer keeps its instant's first.)
_WHEN = st.one_of(st.sampled_from(["0.0", "1.0", "2.0", "2.5", "3.0"]).map(float),
                  st.integers(0, 3))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["now", "at", "other", "tick"]), _POD_KEY, _WHEN),
                max_size=25))
def test_bare_queue_methods_are_enqueue_and_enqueue_at(ops: list[Any]) -> None:
    """Engine.enqueue_bare and enqueue_bare_at (the kubelet's pod keys) leave the engine
    as enqueue and enqueue_at of the bare queue do: the queue, its timers (their order,
    instants and the very floats they hold), the next timer, and what runs when time
    passes, whatever came before (other queues' items, time moving on)."""
    runs: list[list[Any]] = [[], []]

    def engine(ran: list[Any]) -> Engine:
        made = Engine(Clock(start=1.0))
        made.register("kubelet", lambda key: ran.append(("kubelet", key)), bare=True)
        made.register("other", lambda key: ran.append(("other", key)))
        return made

    bare, general = engine(runs[0]), engine(runs[1])
    for op, key, when in ops:
        if op == "now":
            bare.enqueue_bare(key)
            general.enqueue("kubelet", key)
        elif op == "at":
            bare.enqueue_bare_at(key, when)
            general.enqueue_at("kubelet", key, when)
        elif op == "other":
            for e in (bare, general):
                e.enqueue_at("other", key, when)
        else:
            for e in (bare, general):
                e.run_until(e.clock.now() + 1)
        assert list(bare._queue) == list(general._queue)
        assert bare.timers() == general.timers()
        assert [id(w) for w in bare._timer_due.values()] == [
            id(w) for w in general._timer_due.values()]
        assert bare.next_timer() == general.next_timer()
    for e in (bare, general):
        e.run_until_idle(10)
    assert runs[0] == runs[1]
