"""Shortcuts of issue 19's eighth join round (join8) against the general paths they
stand for: the kubelet's finished pull and quiet start without a private copy of the
container's record, its one-container admission, first statuses and start status,
set_conditions' last answer, the scheduler's Scheduled message without pod events, and
the store's reads and index by subscript. Over every write_trace scenario (whose visible
states test_sim_write_trace checks), and tables or hypothesis where a scenario reaches
too few cases."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller import kubelet_status, kubelet_step
from dstutor.controller.kubelet import NO_LAST_CONDITIONS, Kubelet
from dstutor.controller.kubelet_work import (
    ContainerWork,
    PodWork,
    pulled_one,
    shared_one,
    shared_record,
)
from dstutor.controller.pod_record import PodRecord
from dstutor.controller.shared import waiting
from dstutor.model.objects import Obj
from dstutor.model.shapes import CONTAINER_STATUS
from dstutor.sim.cluster import Cluster
from dstutor.sim.store import Store
from tests.sim import test_sim_join6_fast_paths as join6
from tests.sim.write_trace import SCENARIOS

NOW = 1_767_225_600.0


# --- the kubelet's one-container step: a finished pull, a quiet start ---------------

@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(join6.STEP_SCENARIOS))
def test_quiet_pull_and_start_are_the_general_step(name: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """At every step of a pod of one container holding a shared record, step_one (which
    now takes a finished pull and a quiet start without a copy of the container's
    record) ends where the general step (Kubelet._step on a twin cluster) does: join6's
    comparison, here counting the steps that took the new shortcuts."""
    taken = {"pulled": 0, "started": 0}
    real_pulled, real_started = kubelet_step.pulled_quietly, kubelet_step.started_quietly

    def pulled(kubelet: Kubelet, pod: Obj, c: Obj) -> bool:
        answer = real_pulled(kubelet, pod, c)
        taken["pulled"] += answer
        return answer

    def started(kubelet: Kubelet, pod: Obj, c: Obj) -> Obj | None:
        answer = real_started(kubelet, pod, c)
        taken["started"] += answer is not None
        return answer

    monkeypatch.setattr(kubelet_step, "pulled_quietly", pulled)
    monkeypatch.setattr(kubelet_step, "started_quietly", started)
    join6.test_one_container_step_is_the_general_step(name, monkeypatch)
    # Without pod events, the shortcuts' case (the probed agents never start quietly:
    # their probe delays readiness).
    if name == "fleet-no-pod-events":
        assert taken["pulled"] >= 8 and taken["started"] >= 3, taken
    elif name == "probed":
        assert taken["pulled"] >= 3 and taken["started"] == 0, taken


_TIME = st.one_of(st.floats(0, 1e10), st.integers(0, 10**10))


@settings(max_examples=300, deadline=None)
@given(stage=st.sampled_from(["active", "steady"]), work_due=_TIME, backoff=_TIME,
       ready_at=st.one_of(st.none(), _TIME), shown=st.booleans(),
       error=st.sampled_from(["", "ErrImagePull"]), due=_TIME)
def test_pulled_one_is_shared_one_of_the_copy(stage: str, work_due: float, backoff: float,
                                              ready_at: float | None, shown: bool,
                                              error: str, due: float) -> None:
    """pulled_one(work, name, cw, due) is shared_one of the copy of `cw` a finished pull
    leaves (starting, due then, fresh): the very shared record, or, where a time is no
    float, an equal record of its own."""
    cw = ContainerWork("pulling", 5.0, backoff, ready_at, False, shown, error)
    work = shared_record((stage, work_due, "c", *(getattr(cw, f) for f in (
        "stage", "due", "backoff", "ready_at", "fresh", "shown", "error"))))
    got = pulled_one(work, "c", cw, due)
    want = shared_one(work, "c", ContainerWork("starting", due, backoff, ready_at, True,
                                               shown, error))
    assert got == want
    if all(type(t) is float for t in (work.due, backoff, due)) and (
            ready_at is None or type(ready_at) is float):
        assert got is want  # the one shared record


def _quiet_kubelet(pod_events: bool = False) -> Kubelet:
    cluster = Cluster(record_pod_events=pod_events, missing_images=["gone:1"],
                      crashing_images=["crash:1"])
    return cluster.kubelet


def _pod_with(c: Obj, state: Obj | None) -> Obj:
    statuses = [] if state is None else [{"name": c["name"], "state": state}]
    return {"metadata": {"name": "p"}, "spec": {"containers": [c]},
            "status": {"containerStatuses": statuses}}


@pytest.mark.parametrize(("image", "state", "pod_events", "quiet"), [
    ("agent:1", waiting("ContainerCreating"), False, True),
    ("agent:1", {"running": {}}, False, True),
    ("agent:1", waiting("ErrImagePull"), False, False),  # the pull's end writes status
    ("agent:1", waiting("ImagePullBackOff"), False, False),
    ("gone:1", waiting("ContainerCreating"), False, False),  # it never pulls
    ("agent:1", waiting("ContainerCreating"), True, False),  # a Pulled event
    ("agent:1", None, False, False),  # no status: _advance raises for it
])
def test_pulled_quietly_table(image: str, state: Obj | None, pod_events: bool,
                              quiet: bool) -> None:
    c = {"name": "a", "image": image}
    assert kubelet_step.pulled_quietly(_quiet_kubelet(pod_events), _pod_with(c, state),
                                       c) is quiet


@pytest.mark.parametrize(("container", "pod_events", "quiet"), [
    ({"name": "a", "image": "agent:1"}, False, True),
    ({"name": "a", "image": "crash:1"}, False, False),  # it exits at once
    ({"name": "a", "image": "agent:1", "readinessProbe": {"exec": {}}}, False, False),
    ({"name": "a", "image": "agent:1"}, True, False),  # Created, Started events
])
def test_started_quietly_table(container: Obj, pod_events: bool, quiet: bool) -> None:
    pod = _pod_with(container, waiting("ContainerCreating"))
    got = kubelet_step.started_quietly(_quiet_kubelet(pod_events), pod, container)
    assert (got is pod["status"]["containerStatuses"][0]) if quiet else got is None
    assert kubelet_step.started_quietly(_quiet_kubelet(), _pod_with(container, None),
                                        container) is None


# --- the kubelet's admission: its record, its first statuses ----------------------

@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_admission_record_is_the_loops(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """_admit's record and wake-up for a pod of one container are what its loop over the
    containers makes of _begin_stage's answers (the loop's signature, shared_record of
    it; the earliest due time, if later than now): at every admission."""
    real_admit, real_begin = Kubelet._admit, Kubelet._begin_stage
    begun: list[tuple[Obj, tuple[str, float]]] = []
    checked = [0]

    def begin(self: Kubelet, pod: Obj, c: Obj, node_name: str, now: float
              ) -> tuple[str, float]:
        answer = real_begin(self, pod, c, node_name, now)
        begun.append((c, answer))
        return answer

    def admit(self: Kubelet, pod: Obj, record: PodRecord, node_name: str,
              node: Obj | None, now: float) -> float | None:
        begun.clear()
        wake = real_admit(self, pod, record, node_name, node, now)
        signature: list[Any] = ["active", 0.0]
        earliest = None
        for c, (stage, due) in begun:
            signature += (c["name"], stage, due, 0.0, None, False, True, "")
            if earliest is None or due < earliest:
                earliest = due
        assert record.work is shared_record(tuple(signature))
        assert wake == (earliest if earliest is not None and earliest > now else None)
        checked[0] += len(begun) == 1
        return wake

    monkeypatch.setattr(Kubelet, "_begin_stage", begin)
    monkeypatch.setattr(Kubelet, "_admit", admit)
    SCENARIOS[name]()
    assert checked[0] >= 3


def _statuses_by_the_loop(pod: Obj, state: Obj, ready: bool) -> None:
    """Kubelet._set_container_states' loop, as it was before join8 (the general path)."""
    status = pod["status"]
    generation = int(pod["metadata"].get("generation") or 0)
    if generation:
        status["observedGeneration"] = generation
    previous = status.get("containerStatuses")
    old = {cs["name"]: cs for cs in previous} if previous else {}
    containers = pod["spec"].get("containers") or []
    statuses: list[Obj] = []
    for c in containers:
        prev = old.get(c["name"], {})
        cs = CONTAINER_STATUS.new()
        cs["name"] = c["name"]
        cs["image"] = c.get("image", "")
        cs["imageID"] = ""
        cs["ready"] = ready
        cs["restartCount"] = prev.get("restartCount", 0)
        cs["started"] = False
        cs["state"] = state
        cs["lastState"] = prev.get("lastState", {})
        statuses.append(cs)
    status["containerStatuses"] = statuses


_CONTAINER = st.fixed_dictionaries({"name": st.sampled_from(["a", "b"])},
                                   optional={"image": st.sampled_from(["agent:1", ""])})


@settings(max_examples=200, deadline=None)
@given(containers=st.lists(_CONTAINER, max_size=3, unique_by=lambda c: c["name"]),
       previous=st.one_of(st.none(), st.just([]), st.lists(st.fixed_dictionaries(
           {"name": st.sampled_from(["a", "b"]), "restartCount": st.integers(0, 3),
            "lastState": st.just({"terminated": {"exitCode": 1}})}), max_size=2)),
       generation=st.integers(0, 3), ready=st.booleans(),
       status_keys=st.permutations(["phase", "containerStatuses", "podIP"]))
def test_first_statuses_are_the_loops(containers: list[Obj], previous: list[Obj] | None,
                                      generation: int, ready: bool,
                                      status_keys: list[str]) -> None:
    """_set_container_states writes what the loop wrote, key for key and in the same
    order (the status's keys too), whether it takes the one-container way or not."""
    def pod() -> Obj:
        status: Obj = {}
        for key in status_keys:
            status[key] = {"phase": "Pending", "containerStatuses": previous,
                           "podIP": "10.0.0.2"}[key]
        if previous is None:
            del status["containerStatuses"]
        return {"metadata": {"name": "p", "generation": generation},
                "spec": {"containers": containers}, "status": status}

    state = waiting("ContainerCreating")
    fast, general = pod(), pod()
    kubelet_status.set_container_states(None, fast, state, ready)  # type: ignore[arg-type]
    _statuses_by_the_loop(general, state, ready)
    assert json.dumps(fast) == json.dumps(general)


# --- set_conditions: its last answer, the unready message ---------------------------

@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_last_conditions_answer_is_the_memos(name: str,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """At every set_conditions call, the conditions list its last answer gives is the very
    list the memo (the general path, asked first with the last answer forgotten) gives,
    and the rest of the status is the same."""
    real = Kubelet._set_conditions
    hits = [0]

    def checking(self: Kubelet, pod: Obj, **kwargs: Any) -> None:
        twin = {**pod, "status": dict(pod["status"])}
        kept = self._last_conditions
        self._last_conditions = NO_LAST_CONDITIONS
        real(self, twin, **kwargs)
        self._last_conditions = kept
        hits[0] += pod["status"].get("conditions") is kept[0] and kept[1][:1] == (
            kwargs["now"],)
        real(self, pod, **kwargs)
        assert pod["status"]["conditions"] is twin["status"]["conditions"]
        assert json.dumps(pod["status"]) == json.dumps(twin["status"])

    monkeypatch.setattr(Kubelet, "_set_conditions", checking)
    SCENARIOS[name]()
    assert hits[0] >= 3


def _bare_kubelet() -> Kubelet:
    kubelet = Kubelet.__new__(Kubelet)
    kubelet._conditions_memo = {}
    kubelet._last_conditions = NO_LAST_CONDITIONS
    return kubelet


_CONDITION_LISTS = [[], [{"type": "PodScheduled", "status": "True"}],
                    [{"type": "Ready", "status": "False", "lastTransitionTime": "t"}]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.sampled_from([NOW, NOW + 1]),
                          st.booleans(), st.integers(0, 2), st.booleans(),
                          st.lists(st.booleans(), min_size=1, max_size=3)),
                min_size=1, max_size=12))
def test_set_conditions_answers_as_the_memo_alone(calls: list[tuple[Any, ...]]) -> None:
    """Any run of set_conditions calls (conditions lists shared between calls, times,
    readiness, generations, containers' readiness): each answer is the list a kubelet
    without the last answer (its memo alone) gives, up to identity, and the lists the
    two hand out coincide as the other's do (the same list twice, or two lists)."""
    fast, general = _bare_kubelet(), _bare_kubelet()
    given_fast: list[object] = []
    given_general: list[object] = []
    for which, now, ready, generation, initialized, readiness in calls:
        statuses = [{"name": f"c{i}", "ready": r} for i, r in enumerate(readiness)]
        pods = [{"metadata": {"generation": generation},
                 "status": {"conditions": _CONDITION_LISTS[which],
                            "containerStatuses": statuses}} for _ in (0, 1)]
        kubelet_status.set_conditions(fast, pods[0], ready=ready, now=now,
                                      initialized=initialized)
        kubelet_status.set_conditions(general, pods[1], ready=ready, now=now,
                                      initialized=initialized)
        general._last_conditions = NO_LAST_CONDITIONS
        assert pods[0]["status"] == pods[1]["status"]
        given_fast.append(pods[0]["status"]["conditions"])
        given_general.append(pods[1]["status"]["conditions"])
    assert ([[a is b for b in given_fast] for a in given_fast]
            == [[a is b for b in given_general] for a in given_general])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c c"]), st.booleans()), max_size=3))
def test_unready_message_is_gos_list(statuses: list[tuple[str, bool]]) -> None:
    """The Ready condition's message names the unready containers as Go's %s of a
    []string, as the join over them did, one container or several."""
    pod = {"metadata": {}, "status": {"containerStatuses": [
        {"name": name, "ready": ready} for name, ready in statuses]}}
    kubelet_status.set_conditions(_bare_kubelet(), pod, ready=False, now=NOW)
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert ready["message"] == "containers with unready status: [{}]".format(
        " ".join(name for name, is_ready in statuses if not is_ready))


# --- the scheduler's Scheduled event -------------------------------------------------

def _join_events(pod_events: bool, general: bool) -> Any:
    cluster = Cluster(record_pod_events=pod_events)
    if general:  # record_event is asked for every binding, and decides itself
        cluster.scheduler.pod_events = lambda: True
    for i in range(2):
        cluster.add_node(f"n{i}", ready=True)
    cluster.create(SCENARIO_DS)
    cluster.advance()
    cluster.add_node("n2", ready=True)
    cluster.advance()
    return (json.dumps(cluster.list("Event"), sort_keys=True),
            cluster.store.resource_version(), cluster.names._rng.getstate())


SCENARIO_DS: Obj = {
    "apiVersion": "apps/v1", "kind": "DaemonSet",
    "metadata": {"name": "agent", "namespace": "default"},
    "spec": {"selector": {"matchLabels": {"app": "agent"}},
             "template": {"metadata": {"labels": {"app": "agent"}},
                          "spec": {"containers": [{"name": "a", "image": "agent:1"}]}}}}


@pytest.mark.parametrize("pod_events", [False, True])
def test_scheduled_event_as_record_event_decides(pod_events: bool) -> None:
    """A binding asks for its Scheduled event only when pod events are recorded: the
    events, resourceVersions and names are those of a scheduler that always asks (and
    record_event drops a pod's event when they are not)."""
    fast = _join_events(pod_events, general=False)
    assert fast == _join_events(pod_events, general=True)
    assert ('"reason": "Scheduled"' in fast[0]) is pod_events


# --- the store: reads and the owner index --------------------------------------------

def _owned_pod(name: str, refs: list[Obj] | None) -> Obj:
    meta: Obj = {"name": name, "namespace": "default", "uid": f"uid-{name}"}
    if refs is not None:
        meta["ownerReferences"] = refs
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"nodeName": "n1"}, "status": {}}


@pytest.mark.parametrize(("refs", "owner"), [
    (None, ""),
    ([], ""),
    ([{"kind": "ConfigMap", "uid": "cm"}], ""),  # no controller: an orphan
    ([{"kind": "ConfigMap", "uid": "cm"},
      {"kind": "DaemonSet", "uid": "ds", "controller": True}], "ds"),
    ([{"kind": "DaemonSet", "uid": "ds", "controller": True},
      {"kind": "ReplicaSet", "uid": "rs", "controller": True}], "ds"),  # the first
    ([{"kind": "DaemonSet", "uid": "ds", "controller": False}], ""),
])
def test_index_takes_the_controller_reference(refs: list[Obj] | None, owner: str) -> None:
    """The store indexes a pod under its controller reference's uid (controller_ref: the
    first with controller true), read from the list it already holds."""
    store = Store()
    pod = _owned_pod("p", refs)
    store.put(pod)
    key = ("Pod", "default", "p")
    assert store.pod_records[key].owner == owner
    assert (store.pods_of_owner(owner).get("n1") is store.pod_records[key]) is bool(owner)
    assert (key in store.orphan_pod_keys_on_node("n1")) is not bool(owner)


def test_reads_of_what_is_not_there() -> None:
    """pods_of_owner of an owner without pods is an empty table (a new one each time, as
    before); get_plain of a kind never stored, or a name not there, is None."""
    store = Store()
    first = store.pods_of_owner("nobody")
    assert first == {} and first is not store.pods_of_owner("nobody")
    assert store.get_plain("Node", "", "n1") is None
    store.put({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1", "uid": "u"},
               "spec": {}, "status": {}})
    assert store.get_plain("Node", "", "n1") is store.get("Node", "", "n1")
    assert store.get_plain("Node", "", "n2") is None


def test_pod_work_classes_are_what_the_shortcuts_make() -> None:
    """(pulled_one's records are the kubelet's own classes: a snapshot saves them.)"""
    work = shared_record(("active", 1.0, "c", "pulling", 2.0, 0.0, None, False, True, ""))
    got = pulled_one(work, "c", work.containers["c"], 3.0)
    assert isinstance(got, PodWork) and got.containers["c"] == ContainerWork(
        "starting", 3.0, 0.0, None, True, True, "")
