"""Memory the store and the engine save at 50,000 pods without any reader seeing it:

- the store finds pods by uid through a table it builds at the first lookup that needs
  it (and keeps from then on), not one it fills at every pod's creation: by_uid answers
  exactly as the table of every put did, before and after that table exists;
- the engine's timers at one instant hold that instant's float, not one float each,
  where the two are the very same value (an int or a -0.0 keeps its own: a snapshot
  writes what a timer holds);
- hostIPs entries are key-sharing dicts, shared per node and guarded;
- a pod's index entry keeps no ownerReferences list of its own;
- the kubelet's queue holds pod keys bare, not in a (queue, key) tuple each.
"""

from __future__ import annotations

import copy
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller import shared
from dstutor.model import sharedguard
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.engine import Engine
from dstutor.sim.store import Store


def _obj(kind: str, name: str, uid: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": kind,
            "metadata": {"namespace": "default", "name": name, "uid": uid},
            "spec": {}, "status": {}}


class EveryPut:
    """by_uid as it was: one table, written at every put, popped at every remove."""

    def __init__(self) -> None:
        self.by_uid: dict[str, Any] = {}

    def put(self, obj: dict[str, Any]) -> None:
        self.by_uid[obj["metadata"]["uid"]] = obj

    def remove(self, obj: dict[str, Any]) -> None:
        self.by_uid.pop(obj["metadata"]["uid"], None)


# An operation: put (a new object, or a replacement under the same name with the same or
# another uid), remove, or look a uid up (which may build the pod table), on pods and on
# one other kind.
ops = st.lists(st.tuples(st.sampled_from(["put", "put", "remove", "lookup"]),
                         st.sampled_from(["Pod", "Pod", "ConfigMap"]),
                         st.integers(0, 3), st.integers(0, 5)), max_size=40)


@settings(max_examples=300, deadline=None)
@given(ops)
def test_by_uid_answers_as_the_table_of_every_put(script: list[tuple[str, str, int, int]]
                                                  ) -> None:
    store, ref = Store(), EveryPut()
    uids = [f"{kind}-{name}-{uid}" for kind in ("Pod", "ConfigMap") for name in range(4)
            for uid in range(3)] + ["nobody"]
    for op, kind, name, uid in script:
        if op == "put":
            # Distinct objects never share a uid (the API server makes them): the uid
            # follows the kind and name; a replacement may take another one.
            obj = _obj(kind, f"{kind.lower()}-{name}", f"{kind}-{name}-{uid % 3}")
            store.put(obj)
            ref.put(obj)
        elif op == "remove":
            found = store.get(kind, "default", f"{kind.lower()}-{name}")
            if found is not None:
                store.remove(found)
                ref.remove(found)
        else:
            for u in uids:
                assert store.by_uid(u) is ref.by_uid.get(u), u
    for u in uids:
        assert store.by_uid(u) is ref.by_uid.get(u), u


def _agent_cluster(nodes: int) -> Cluster:
    """`nodes` ready nodes and an `agent` DaemonSet just created (not yet settled)."""
    cluster = Cluster(record_pod_events=False)
    for i in range(nodes):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet",
                    "metadata": {"name": "agent", "namespace": "default"},
                    "spec": {"selector": {"matchLabels": {"app": "agent"}},
                             "template": {"metadata": {"labels": {"app": "agent"}},
                                          "spec": {"containers": [
                                              {"name": "a", "image": "agent:1"}]}}}})
    return cluster


def test_pods_are_not_in_the_owner_table_until_asked() -> None:
    cluster = _agent_cluster(3)
    cluster.advance()
    store = cluster.store
    pods = store.list("Pod")
    assert len(pods) == 3
    # The settle looked owners up (the DaemonSet), never a pod: no pod table yet.
    assert store._pod_uids is None
    assert all(p["metadata"]["uid"] not in store._by_uid for p in pods)
    ds = store.get("DaemonSet", "default", "agent")
    assert ds is not None and store.by_uid(ds["metadata"]["uid"]) is ds
    assert store._pod_uids is None
    # The first pod lookup builds it; from then on it follows creates and deletes.
    assert store.by_uid(pods[0]["metadata"]["uid"]) is pods[0]
    built: Any = store._pod_uids  # (mypy narrowed it to None above)
    assert built is not None and len(built) == 3
    cluster.delete("Pod", "default", pods[0]["metadata"]["name"])
    cluster.advance()
    assert store.by_uid(pods[0]["metadata"]["uid"]) is None
    again = store.list("Pod")
    assert len(again) == 3
    for pod in again:
        assert store.by_uid(pod["metadata"]["uid"]) is pod
    # A replacement under the same name and uid is what by_uid finds.
    replacement = copy.deepcopy(again[1])
    store.put(replacement)
    assert store.by_uid(replacement["metadata"]["uid"]) is replacement


def test_timers_at_one_instant_hold_one_float() -> None:
    clock = Clock(start=100.0)
    engine = Engine(clock)
    engine.register("q", lambda key: None)
    for key in range(5):
        engine.enqueue_at("q", key, clock.now() + float("2.5"))  # equal, distinct floats
    held = list(engine._timer_due.values())
    assert held == [102.5] * 5
    assert all(when is held[0] for when in held)


def test_a_timer_keeps_its_own_value_where_the_instant_s_differs_in_kind() -> None:
    clock = Clock(start=-10.0)
    engine = Engine(clock)
    engine.register("q", lambda key: None)
    engine.enqueue_at("q", "float", 110.0)
    engine.enqueue_at("q", "int", 110)  # an int stays an int (a snapshot writes 110)
    engine.enqueue_at("q", "zero", 0.0)
    engine.enqueue_at("q", "minus-zero", -0.0)  # writes -0.0, not 0.0
    due = engine._timer_due
    assert type(due[("q", "int")]) is int
    assert str(due[("q", "minus-zero")]) == "-0.0"
    assert str(due[("q", "zero")]) == "0.0"
    fired: list[str] = []
    engine.register("q", fired.append)
    engine.run_until(200.0)
    assert fired == ["zero", "minus-zero", "float", "int"]


def test_host_ips_entries_are_shared_and_guarded() -> None:
    assert sharedguard.active()  # tests/conftest.py turns the guard on
    first, again = shared.ip_list("172.18.0.2"), shared.ip_list("172.18.0.2")
    assert first is again and first == [{"ip": "172.18.0.2"}]
    first[0]["ip"] = "10.0.0.1"  # what a writer must never do: the guard names it
    try:
        assert any("172.18.0.2" in change for change in sharedguard.mutated())
    finally:
        first[0]["ip"] = "172.18.0.2"
    assert not sharedguard.mutated()


def _indexes(store: Store) -> tuple[Any, ...]:
    keys = [("Pod", "default", f"p{i}") for i in range(4)]
    return ({k: store.pod_owner_and_node(k) for k in keys},
            # (in the order of writes, which a fresh store does not replay)
            {owner: {node: sorted(keys) for node, keys in store.pods_of_owner(owner).items()}
             for owner in ("o", "p", "")},
            {node: sorted(store.orphan_pod_keys_on_node(node)) for node in ("n1", "n2", "")},
            {node: sorted(store.pod_keys_on_node(node)) for node in ("n1", "n2")})


def _pod(name: str, node: str, refs: Any) -> dict[str, Any]:
    pod = _obj("Pod", name, f"uid-{name}")
    pod["spec"]["nodeName"] = node
    if refs is not None:
        pod["metadata"]["ownerReferences"] = refs
    return pod


def _refs(owner: str, controller: bool = True) -> list[dict[str, Any]]:
    return [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": owner, "uid": owner,
             "controller": controller}]


REFS = {"o": _refs("o"), "p": _refs("p"), "o-not-controller": _refs("o", False),
        "none": None}


def retarget(store: Store, pod: dict[str, Any], refs: Any, node: str) -> None:
    """A controller's in-place change of a stored pod's owner (None: none) and node, told
    to the store."""
    if refs is None:
        pod["metadata"].pop("ownerReferences", None)
    else:
        pod["metadata"]["ownerReferences"] = refs
    pod["spec"]["nodeName"] = node
    store.touch(pod)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(sorted(REFS)),
                          st.sampled_from(["n1", "n2", ""]),
                          st.sampled_from(["touch", "put", "remove"])), max_size=30))
def test_pod_indexes_follow_owner_changes_as_a_fresh_store_sees_them(
        script: list[tuple[int, str, str, str]]) -> None:
    """Pods of one owner share their ownerReferences list; a touch of a pod whose list
    was replaced (another controller, none) or whose node moved indexes it as a store
    that is handed the same pods afresh does."""
    store = Store()
    for i in range(4):
        store.put(_pod(f"p{i}", "n1", REFS["o"]))
    for i, refs, node, op in script:
        pod = store.get("Pod", "default", f"p{i}")
        if op == "remove":
            if pod is not None:
                store.remove(pod)
            continue
        if pod is None or op == "put":
            store.put(_pod(f"p{i}", node, REFS[refs]))
            continue
        retarget(store, pod, REFS[refs], node)
    fresh = Store()
    for pod in store.list("Pod"):
        fresh.put(copy.copy(pod))
    assert _indexes(store) == _indexes(fresh)


class Pair(NamedTuple):
    queue: str
    key: int


# Keys that may meet: a bare queue's key that is itself a pair equal to another queue's
# (queue, key) item, a named pair, tuples of other lengths, plain values.
KEYS = [("b", 1), Pair("b", 1), ("Pod", "ns", "p"), ("x",), "b", 1, ("b", 1, 2)]
ENGINE_OPS = st.lists(st.one_of(
    st.tuples(st.just("at"), st.sampled_from("abc"), st.integers(0, len(KEYS) - 1),
              st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0])),
    st.tuples(st.just("now"), st.sampled_from("abc"), st.integers(0, len(KEYS) - 1),
              st.just(0.0)),
    st.tuples(st.just("advance"), st.just(""), st.just(0), st.sampled_from([0.5, 1.0, 5.0]))),
    max_size=60)


@settings(max_examples=300, deadline=None)
@given(ENGINE_OPS)
def test_a_bare_queue_runs_as_a_queue_of_pairs(script: list[tuple[str, str, int, float]]
                                               ) -> None:
    """The kubelet's queue holds its keys bare (no (queue, key) tuple each): an engine
    with "a" bare runs the same handlers on the same keys at the same instants, and holds
    the same timers in the same order, as one without, whatever the keys look like."""
    runs: dict[bool, list[tuple[float, str, object]]] = {True: [], False: []}
    engines: dict[bool, Engine] = {}
    for bare in (True, False):
        clock = Clock(start=0.0)
        engine = engines[bare] = Engine(clock)
        for queue in "abc":
            def handler(key: object, q: str = queue, c: Clock = clock, e: Engine = engine,
                        ran: list[tuple[float, str, object]] = runs[bare]) -> None:
                ran.append((c.now(), q, key))
                if q == "a" and key == 1 and c.now() < 3.0:  # a handler re-arming itself
                    e.enqueue_at("a", 1, c.now() + 1.0)
                    e.enqueue("b", ("b", 1))
            engine.register(queue, handler, bare=bare and queue == "a")
    for op, queue, key, delay in script:
        for engine in engines.values():
            if op == "at":
                engine.enqueue_at(queue, KEYS[key], engine.clock.now() + delay)
            elif op == "now":
                engine.enqueue(queue, KEYS[key])
            else:
                engine.run_until(engine.clock.now() + delay)
        with_bare, plain = engines[True], engines[False]
        # (what snapshots listed before timers(): the table of (queue, key) items)
        items: Any = plain._timer_due.items()
        assert plain.timers() == [(q, k, due) for (q, k), due in items]
        assert with_bare.timers() == plain.timers()
        assert [(q, k, type(k)) for q, k, _ in with_bare.timers()] == [
            (q, k, type(k)) for q, k, _ in plain.timers()]
        assert with_bare.next_timer() == plain.next_timer()
        assert runs[True] == runs[False]
        assert [type(k) for _, _, k in runs[True]] == [type(k) for _, _, k in runs[False]]
    for engine in engines.values():
        engine.run_until_idle(100.0)
    assert runs[True] == runs[False]
    assert engines[True]._queued == set() and engines[True]._timer_due == {}


def test_the_kubelet_queue_holds_pod_keys_bare() -> None:
    cluster = _agent_cluster(1)
    cluster.settle()
    engine = cluster.engine
    (key,) = cluster.store.pod_keys_on_node("node-0")
    assert key in engine._timer_due  # the pod's own key, not ("kubelet", key)
    assert [(q, k) for q, k, _ in engine.timers() if q == "kubelet"] == [("kubelet", key)]
    with pytest.raises(ValueError, match="already the bare queue"):
        engine.register("scheduler", lambda key: None, bare=True)
