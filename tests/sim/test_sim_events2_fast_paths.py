"""Issue 19, events2: the shortcuts that make pod events cheaper during a settle, each held
to the general path it stands for.

- EventCorrelator.observe_new(key, now, name) remembers a fresh event under `name` itself:
  it decides and caches as observe_new(key, now) followed by named(key, now, name), and
  so as upstream's steps (the fresh path's operation sequences, played through both).
- Cluster.record_event's fresh path (a pod event's name made before the correlator
  decides, another object's after it; the short-form record stored through
  Store.put_event's defaults) leaves what its general path leaves with every event
  decided by the correlator's general steps: the same visible states in every
  write_trace scenario (their recorded digests), and at the end the same stored Events,
  key for key, the same correlator caches, event sequence and name generator state.
- Cluster.record_events (events in a row about one object from one reporter) records
  what record_event for each of them records.
- The kubelet's one-container step with pod events (kubelet_step.pulled_plainly,
  started_plainly: the finished pull with its Pulled event, the plain start with its
  events) ends where the general step ends, events included.
- The kubelet's cached texts (controller/kubelet_events.py) are the texts it formatted.
"""

from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path
from typing import Any

import orjson
import pytest
import test_sim_event_fast_path as fast_path
import test_sim_event_fresh_path as fresh_path
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller import kubelet_events, kubelet_step
from dstutor.controller.images import image_ref, image_size
from dstutor.controller.kubelet import Kubelet
from dstutor.controller.pod_record import PodRecord
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster
from dstutor.sim.events import EventCorrelator
from dstutor.sim.eventstore import event_dict, is_record
from tests.sim import test_sim_join6_fast_paths as join6
from tests.sim import write_trace
from tests.sim.write_trace import SCENARIOS

RECORDED = json.loads((Path(__file__).parent / "write_trace_digests.json").read_text())
WITH_POD_EVENTS = ("fleet-pod-events", "kubeadm", "workloads")


# --- the correlator: a fresh event remembered under the name it is given ----------------

class NamedInlinePair(fresh_path.Pair):
    """The product as record_event uses it now: the name given to observe_new."""

    def observe(self, key: tuple[str, ...], name: str) -> Any:
        observed = self.fast.observe_new(key, self.now, name)
        if observed is True:
            return (key, key[9], False, 1, self.now, "")
        return fast_path.answer(observed, name)


class TwoWayPair(fresh_path.Pair):
    """The name given to observe_new, against observe_new and then named, step by step:
    the same answers, and the same pending entries and caches after each event."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.fast = EventCorrelator()
        self.named = EventCorrelator()
        for correlator in (self.fast, self.named):
            for lru in (correlator._aggregates, correlator._observed, correlator._spam):
                lru.size = size

    def observe(self, key: tuple[str, ...], name: str) -> Any:
        inline = self.fast.observe_new(key, self.now, name)
        observed = self.named.observe_new(key, self.now)
        if observed is True:
            self.named.named(key, self.now, name)
        if inline is True:
            assert observed is True
            got: Any = (key, key[9], False, 1, self.now, "")
        else:
            got = fast_path.answer(inline, name)  # (names a new event: as record_event)
            assert fast_path.answer(observed, name) == got
        assert _state(self.fast) == _state(self.named)
        return got

    def prune(self, gone: int) -> None:
        super().prune(gone)
        self.named.prune(self.now, lambda uid: int(uid.split("-")[1]) >= gone,
                         lambda ns, name: False)

    def adopt(self, obj: int, count: int) -> None:
        super().adopt(obj, count)
        key = fresh_path._key(obj, 0, 0, 0)
        self.named.adopt({"metadata": {"name": f"adopted-{obj}"}, "count": count,
                          "involvedObject": {"kind": key[2], "namespace": key[3],
                                             "name": key[4], "uid": key[5],
                                             "apiVersion": key[6]},
                          "source": {"component": key[0], "host": key[1]},
                          "type": key[7], "reason": key[8], "message": key[9]}, self.now)

    def compare(self) -> None:
        super().compare()
        assert self.named.export() == self.general.export()


def _state(correlator: EventCorrelator) -> Any:
    """The correlator's pending entries, run and caches (a copy's export: looking must not
    change the original's path)."""
    pending = [(key, now, seen if isinstance(seen, str) else (seen.count, seen.first,
                                                                 seen.name))
               for key, now, seen in correlator._pending]
    run = correlator._run
    return (pending, None if run is None else (run[0], run[1].tokens, run[1].last, run[2],
                                              run[3]),
            correlator._trusted, correlator._retry, copy.deepcopy(correlator).export())


@settings(max_examples=300, deadline=None)
@given(ops=st.lists(fresh_path.op, max_size=120), size=st.sampled_from([1, 2, 3, 8, 40]))
def test_a_name_given_decides_and_caches_as_upstreams_steps(ops: list[tuple[Any, ...]],
                                                            size: int,
                                                            ) -> None:
    original = fresh_path.Pair
    try:
        fresh_path.Pair = NamedInlinePair  # type: ignore[misc]
        assert isinstance(fresh_path._play(ops, size), NamedInlinePair)
        fresh_path.Pair = TwoWayPair  # type: ignore[misc]
        assert isinstance(fresh_path._play(ops, size), TwoWayPair)
    finally:
        fresh_path.Pair = original  # type: ignore[misc]


@pytest.mark.parametrize(("ops", "size"), [(fresh_path._fleet(50), 8),
                                           (fresh_path._fleet(50, every=7), 8)])
def test_fleets_take_the_named_inline_path(ops: list[tuple[Any, ...]], size: int,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Most of a fleet's events are remembered by observe_new itself (nobody calls
    named), and the two ways agree at every step."""
    named: list[str] = []
    original = EventCorrelator.named

    def counted(self: EventCorrelator, key: tuple[str, ...], now: float, name: str) -> None:
        named.append(name)
        original(self, key, now, name)

    monkeypatch.setattr(EventCorrelator, "named", counted)
    monkeypatch.setattr(fresh_path, "Pair", TwoWayPair)
    pair = fresh_path._play(ops, size)
    events = sum(1 for step in ops if step[0] == "event")
    # Only the twin calls named, and it does for most events: the product took the fresh
    # path as often, without it.
    assert len(named) > events / 2
    assert isinstance(pair, TwoWayPair)


# --- record_event's fresh path against its general path, in the write_trace scenarios ---

def _general_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every event decided by the correlator's general steps (EventCorrelator._observe),
    so record_event never takes its fresh path."""
    def general(self: EventCorrelator, key: tuple[str, ...], now: float,
                name: str | None = None) -> Any:
        return self._observe(key, now)

    monkeypatch.setattr(EventCorrelator, "observe_new", general)


def _end_state(cluster: Cluster) -> Any:
    events = [event_dict(e) if is_record(e) else e  # type: ignore[arg-type]
              for e in cluster.store.event_entries()]
    # (orjson: json.dumps's values, several times faster; every step of three
    # scenarios, twice, takes one.)
    return (orjson.dumps(events, default=str), cluster._event_seq,
            cluster.names._rng.getstate(), copy.deepcopy(cluster.events).export(),
            cluster.store.resource_version())


@pytest.mark.parametrize("name", WITH_POD_EVENTS)
def test_the_fresh_path_leaves_what_the_general_path_leaves(name: str,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    fresh_taken: list[int] = []
    real = EventCorrelator.observe_new

    def counting(self: EventCorrelator, key: tuple[str, ...], now: float,
                 name: str | None = None) -> Any:
        got = real(self, key, now, name)
        fresh_taken.append(got is True)
        return got

    monkeypatch.setattr(EventCorrelator, "observe_new", counting)
    fresh = SCENARIOS[name]()
    assert fresh.hash.hexdigest() == RECORDED[name]["digest"]
    # (Small clusters: a fresh path for the first event of each object and source.)
    assert 20 <= sum(fresh_taken) < len(fresh_taken), (sum(fresh_taken), len(fresh_taken))
    _general_only(monkeypatch)
    general = SCENARIOS[name]()
    assert general.hash.hexdigest() == RECORDED[name]["digest"]
    assert general.steps == fresh.steps
    assert _end_state(fresh.cluster) == _end_state(general.cluster)


# --- record_events: one call for events in a row, as record_event for each ------------

_OBJECTS = [
    {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": f"p{i}", "namespace": "default", "uid": f"uid-{i}", "resourceVersion": "5"}}
    for i in range(3)] + [
    {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "static-n0", "namespace": "kube-system", "uid": "mirror-uid",
        "resourceVersion": "7", "annotations": {"kubernetes.io/config.mirror": "static"}}},
    {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {
        "name": "ds", "namespace": "default", "uid": "ds-uid", "resourceVersion": "9"}},
]
_EVENT = st.tuples(st.sampled_from(["Normal", "Warning"]),
                   st.sampled_from(["Pulled", "Created", "Started", "BackOff"]),
                   st.sampled_from(["a", "b", "Container created", "m3"]))
_OP = st.one_of(
    st.tuples(st.just("batch"), st.integers(0, len(_OBJECTS) - 1), st.integers(0, 2),
              st.sampled_from(["", "spec.containers{a}"]),
              st.lists(_EVENT, min_size=1, max_size=4)),
    st.tuples(st.just("gap"), st.sampled_from([0.0, 1.0, 301.0, 700.0, 3601.0])),
    st.tuples(st.just("touch"), st.integers(0, len(_OBJECTS) - 1)),
    st.tuples(st.just("read")),
)
_REPORTERS = (("kubelet", "n0"), ("kubelet", "n1"), ("default-scheduler", ""))


def _recorders(pod_events: bool, texts_limit: int) -> tuple[list[Cluster], list[list[Any]]]:
    clusters = [Cluster(seed=5, record_pod_events=pod_events) for _ in range(2)]
    drafts: list[list[Any]] = [[], []]
    for cluster, seen in zip(clusters, drafts, strict=True):
        cluster._event_texts_limit = texts_limit
        cluster.event_watchers.append(seen.append)
    return clusters, drafts


@settings(max_examples=200, deadline=None)
@given(ops=st.lists(_OP, max_size=40), pod_events=st.booleans(),
       texts_limit=st.sampled_from([0, 2, 4096]), size=st.sampled_from([1, 3, 4096]))
def test_record_events_is_record_event_for_each(ops: list[tuple[Any, ...]], pod_events: bool,
                                                texts_limit: int, size: int) -> None:
    """Whatever the events (new, repeated, aggregated, dropped by the spam filter, after
    their TTL), objects (a mirror pod, a DaemonSet) and reads in between: the same
    drafts to the watchers, the same stored Events, caches, sequence and names."""
    (batched, single), drafts = _recorders(pod_events, texts_limit)
    for cluster in (batched, single):
        for lru in (cluster.events._aggregates, cluster.events._observed,
                    cluster.events._spam):
            lru.size = size
    objects = [copy.deepcopy(_OBJECTS), copy.deepcopy(_OBJECTS)]
    for op in ops:
        if op[0] == "batch":
            _, at, reporter, path, events = op
            component, host = _REPORTERS[reporter]
            batched.record_events(objects[0][at], tuple(events), component=component,
                                  host=host, field_path=path)
            for etype, reason, message in events:
                single.record_event(objects[1][at], etype, reason, message,
                                    component=component, host=host, field_path=path)
        elif op[0] == "gap":
            for cluster in (batched, single):
                cluster.advance(op[1])
        elif op[0] == "touch":
            for objs in objects:
                meta = objs[op[1]]["metadata"]
                meta["resourceVersion"] = str(int(meta["resourceVersion"]) + 1)
        else:
            assert batched.list("Event") == single.list("Event")
    assert drafts[0] == drafts[1]
    assert _end_state(batched) == _end_state(single)


def test_record_events_shares_as_record_event_does() -> None:
    """The records of a batch share their texts, involvedObject and source as
    record_event's do (one object each), and a fleet's start takes the batch."""
    batched, single = (Cluster(record_pod_events=True) for _ in range(2))
    pod = copy.deepcopy(_OBJECTS[0])
    events = (("Normal", "Created", "Container created"),
              ("Normal", "Started", "Container started"))
    batched.record_events(pod, events, component="kubelet", host="n0",
                          field_path="spec.containers{a}")
    for etype, reason, message in events:
        single.record_event(pod, etype, reason, message, component="kubelet", host="n0",
                            field_path="spec.containers{a}")
    got: list[Any] = batched.store.event_entries()
    want: list[Any] = single.store.event_entries()
    assert all(is_record(e) for e in got + want)
    assert got == want  # (the same seed: the same names and uids)
    assert got[0][3] is got[1][3] and got[0][7] is got[1][7]
    assert got[0][5] is want[0][5] and got[1][5] is want[1][5]  # the messages' copies
    # A batch keeps the copies of its texts that earlier events kept, as record_event does.
    path, message = "".join(["spec.", "containers{a}"]), "".join(["Container ", "created"])
    assert path is not got[0][3][6] and message is not got[0][5]
    batched.record_events(copy.deepcopy(_OBJECTS[1]), (("Normal", "Created", message),),
                          component="kubelet", host="n0", field_path=path)
    last: Any = batched.store.event_entries()[-1]
    assert last[3][6] is got[0][3][6] and last[5] is got[0][5]


# --- the kubelet's one-container step with pod events ---------------------------------

@pytest.mark.usefixtures("no_digest")
@pytest.mark.parametrize("name", WITH_POD_EVENTS)
def test_plain_pull_and_start_are_the_general_step(name: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """At every step of a pod of one container holding a shared record, step_one (which
    with pod events takes a finished pull and a plain start without the general step)
    ends where the general step (Kubelet._step on a twin cluster) does: join6's
    comparison, plus every stored Event (as a reader sees it), the correlator's caches,
    the event sequence and the name generator, counting the shortcuts taken."""
    taken = {"pulled_plainly": 0, "started_plainly": 0}
    reals = {shortcut: getattr(kubelet_step, shortcut) for shortcut in taken}
    for shortcut in taken:  # each counts the steps it answers yes for
        def counted(kubelet: Kubelet, pod: Obj, c: Obj, shortcut: str = shortcut) -> Any:
            answer = reals[shortcut](kubelet, pod, c)
            taken[shortcut] += answer is not None and answer is not False
            return answer

        monkeypatch.setattr(kubelet_step, shortcut, counted)
    view = join6._kubelet_view

    def with_events(cluster: Cluster, key: tuple[str, str, str]) -> Any:
        return (view(cluster, key), _end_state(cluster))

    monkeypatch.setattr(join6, "_kubelet_view", with_events)
    join6.test_one_container_step_is_the_general_step(name, monkeypatch)
    assert taken["pulled_plainly"] >= 3 and taken["started_plainly"] >= 3, taken


def test_the_plain_shortcuts_ask_for_pod_events() -> None:
    """pulled_plainly and started_plainly answer only with pod events (without them the
    quiet shortcuts answer), and agree with the quiet ones otherwise."""
    pods = {True: Cluster(record_pod_events=True).kubelet,
            False: Cluster(record_pod_events=False).kubelet}
    c = {"name": "a", "image": "agent:1"}
    pod = {"metadata": {"name": "p"}, "spec": {"containers": [c]},
           "status": {"containerStatuses": [{"name": "a", "state": {"waiting": {
               "reason": "ContainerCreating"}}}]}}
    for events, kubelet in pods.items():
        assert kubelet_step.pulled_plainly(kubelet, pod, c) is events
        assert kubelet_step.pulled_quietly(kubelet, pod, c) is not events
        assert (kubelet_step.started_plainly(kubelet, pod, c) is not None) is events
        assert (kubelet_step.started_quietly(kubelet, pod, c) is not None) is not events


# --- the kubelet's cached texts --------------------------------------------------------

@pytest.mark.parametrize("image", ["agent:1", "nginx", "registry.local:5000/team/app",
                                   "busybox@sha256:" + "a" * 64, ""])
@pytest.mark.parametrize("seconds", [2.0, 2.5, 0.0, 120.0])
def test_cached_texts_are_the_formatted_ones(image: str, seconds: float) -> None:
    for _ in range(2):  # made, then cached
        assert kubelet_events.pulling_message(image) == f'Pulling image "{image_ref(image)}"'
        assert kubelet_events.pulled_message(image, seconds) == (
            f'Successfully pulled image "{image_ref(image)}" in '
            f"{seconds:g}s ({seconds:g}s including waiting). "
            f"Image size: {image_size(image)} bytes.")
        assert kubelet_events.present_message(image) == (
            f'Container image "{image_ref(image)}" already present on machine and '
            "can be accessed by the pod")
        assert kubelet_events.field_path(image or "c") == f"spec.containers{{{image or 'c'}}}"


def test_a_pickled_kubelet_still_records_its_texts() -> None:
    """The caches are the module's, not the kubelet's: a copy (undo, snapshots) records
    the same events."""
    cluster = Cluster(record_pod_events=True)
    cluster.add_node("n0", ready=True)
    copy_ = pickle.loads(pickle.dumps(cluster))
    for c in (cluster, copy_):
        c.create(write_trace._ds("d", [{"name": "a", "image": "agent:1"}]))
        c.advance(30)
    assert _end_state(cluster) == _end_state(copy_)
    assert {e["reason"] for e in cluster.list("Event")} >= {"Pulled", "Created", "Started"}


_ = PodRecord  # (types the wrappers above take through join6)
