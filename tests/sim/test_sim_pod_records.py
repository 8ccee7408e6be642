"""One record per stored pod (controller/pod_record.py) instead of a table per controller
keyed by pod key: the store's index entry, the kubelet's work, taint eviction's checked
nodes and the DaemonSet controller's signatures. The records must hold exactly what the
tables held:

- a controller's value for a pod stays through puts and touches of that pod (whatever
  its owner or node becomes) and goes when the pod is removed, as each controller's
  removal handler dropped its entry; a pod that is not stored has no value;
- the answer Cluster._on_pod gets from the records (concerned_informers) is the one the
  two plain tables give, for every pod write of the write_trace scenarios;
- copies (undo pickles and deep-copies the cluster) keep every value but the signature,
  a cache of id()s that a copy could not match anyway; a snapshot's kubelet work goes
  onto the records of the pods it names.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller.kubelet_work import PodWork
from dstutor.controller.pod_record import PodField, PodRecord, signatures_by_namespace
from dstutor.model.objects import Obj, key_of
from dstutor.sim import cluster as cluster_module
from dstutor.sim.cluster import Cluster
from dstutor.sim.informers import concerned_informers
from dstutor.sim.store import Store
from tests.sim.test_sim_memory_tables import _agent_cluster, retarget
from tests.sim.write_trace import SCENARIOS

FIELDS = ("work", "checked", "signature")
REFS = {"o": [{"kind": "DaemonSet", "name": "o", "uid": "o", "controller": True}],
        "p": [{"kind": "DaemonSet", "name": "p", "uid": "p", "controller": True}],
        "none": None}


def _pod(i: int, node: str, refs: str, uid: str) -> Obj:
    pod: Obj = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"namespace": "default", "name": f"p{i}", "uid": uid},
                "spec": {"nodeName": node}, "status": {}}
    if REFS[refs] is not None:
        pod["metadata"]["ownerReferences"] = REFS[refs]
    return pod


class OldTables:
    """The per-controller tables as they were: a controller wrote its entry for a stored
    pod it was told of, and its removal handler popped it."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[tuple[str, str, str], Any]] = {f: {} for f in FIELDS}

    def set(self, field: str, key: tuple[str, str, str], value: Any) -> None:
        self.tables[field][key] = value

    def removed(self, key: tuple[str, str, str]) -> None:
        for table in self.tables.values():
            table.pop(key, None)


ops = st.lists(st.tuples(st.sampled_from(["put", "touch", "remove", "set", "set"]),
                         st.integers(0, 3), st.sampled_from(sorted(REFS)),
                         st.sampled_from(["n1", "n2", ""]), st.sampled_from(FIELDS),
                         st.integers(0, 2)), max_size=40)


def _owner_index(store: Store) -> dict[str, dict[str, tuple[Any, ...]]]:
    """Store.pods_of_owner for every owner, each node's keys read as a tuple."""
    return {owner: {node: tuple(keys) for node, keys in store.pods_of_owner(owner).items()}
            for owner in ("o", "p")}


@settings(max_examples=300, deadline=None)
@given(ops)
def test_records_hold_what_the_per_controller_tables_held(
        script: list[tuple[str, int, str, str, str, int]]) -> None:
    """... and the owner index reads as the tuples of keys it held, in their order (a
    pod's key joins the end of its new owner and node's, and leaves the old ones)."""
    store, old = Store(), OldTables()
    stored: dict[Any, Obj] = {}  # the pods stored, as the script put and removed them
    index: dict[str, dict[str, list[Any]]] = {"o": {}, "p": {}}
    where: dict[Any, tuple[str, str]] = {}  # key -> (owner, node) as last indexed
    for step, (op, i, refs, node, field, value) in enumerate(script):
        key = ("Pod", "default", f"p{i}")
        pod = store.get(*key)
        if op == "remove":
            if pod is not None:
                store.remove(pod)
                old.removed(key)
                del stored[key]
        elif op == "put" or (op == "touch" and pod is None):
            # A new pod, or a replacement under the same name (another uid): the tables
            # kept their entries for the key, as the records do.
            stored[key] = _pod(i, node, refs, f"uid-{i}-{step}")
            store.put(stored[key])
        elif op == "touch":
            retarget(store, pod, REFS[refs], node)
        elif pod is not None:  # set: a controller writes its value for a stored pod
            written: Any = (f"n{value}" if field == "checked"
                            else (value, "sig") if field == "signature" else PodWork("active"))
            setattr(store.pod_records[key], field, written)
            old.set(field, key, written)
        now = store.pod_owner_and_node(key) if store.get(*key) is not None else None
        if where.get(key) != now:
            if key in where and where[key][0]:
                owner_was, node_was = where[key]
                index[owner_was][node_was].remove(key)
                if not index[owner_was][node_was]:
                    del index[owner_was][node_was]
            where.pop(key, None)
            if now is not None:
                where[key] = now
                if now[0]:
                    index[now[0]].setdefault(now[1], []).append(key)
        assert _owner_index(store) == {o: {n: tuple(ks) for n, ks in nodes.items()}
                                       for o, nodes in index.items()}
        for owner in ("o", "p"):  # a pod alone on its node: held as its record
            for keys in store.pods_of_owner(owner).values():
                assert (type(keys) is PodRecord) == (len(keys) == 1)
        assert set(store.pod_records) == set(stored) == {
            key_of(p) for p in store.list("Pod")} == set(store._by_kind["Pod"])
        assert all(store.get(*k) is pod for k, pod in stored.items())
        for k, record in store.pod_records.items():
            # The record holds the stored pod, and the key the indexes hold is the
            # store's own tuple, not an equal copy. (The record holds no key: its `key`
            # is an equal tuple; stored_pod_key finds the store's.)
            assert record.key == k and record.pod is store.get(*k) is store._by_kind["Pod"][k]
            assert store.stored_pod_key(("Pod", k[1], k[2])) is k
            assert store.stored_key(record, ("Pod", k[1], k[2])) is k
            if record.node:
                assert any(x is k for x in store.pod_keys_on_node(record.node))
        for f in FIELDS:
            assert dict(PodField(store.pod_records, f)) == old.tables[f], f


@pytest.mark.usefixtures("no_digest")  # played for the writes; no digest is read
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_on_pod_reads_the_records_as_the_two_tables(name: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """For every pod write: the informers concerned by the records' answer are those the
    plain tables (copies of Kubelet.work and TaintEvictionController.checked) name."""
    compared = [0]
    real = concerned_informers

    def both(old: Obj | None, new: Obj | None, records: Any, checked: Any) -> int:
        assert checked is None  # the cluster asks with the records alone
        cluster = clusters[-1]
        answer = real(old, new, records, checked)
        tables = real(old, new, dict(cluster.kubelet.work), dict(cluster.tainteviction.checked))
        assert answer == tables, (old is new, new)
        compared[0] += 1
        return answer

    clusters: list[Cluster] = []
    init = Cluster.__init__

    def tracking(self: Cluster, *args: Any, **kwargs: Any) -> None:
        clusters.append(self)
        init(self, *args, **kwargs)

    monkeypatch.setattr(Cluster, "__init__", tracking)
    monkeypatch.setattr(cluster_module, "concerned_informers", both)
    SCENARIOS[name]()
    assert compared[0] > 10
    for cluster in clusters:  # every value belongs to a stored pod
        stored = {key_of(p) for p in cluster.store.list("Pod")}
        assert set(cluster.kubelet.work) <= stored
        assert set(cluster.tainteviction.checked) <= stored


def _settled() -> Cluster:
    cluster = _agent_cluster(3)
    cluster.advance(30.0)
    return cluster


def test_every_pod_has_its_values_on_its_record() -> None:
    cluster = _settled()
    records = cluster.store.pod_records
    assert len(records) == 3
    for record in records.values():
        assert record.work is not None and record.checked == record.node != ""
        assert record.signature is not None
    signatures = cluster.daemonsets._signatures
    assert signatures == signatures_by_namespace(records)
    assert sorted(signatures["default"]) == sorted(k[2] for k in records)


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_copies_keep_every_value_but_the_signature(how: str) -> None:
    cluster = _settled()
    copied = (pickle.loads(pickle.dumps(cluster)) if how == "pickle"
              else copy.deepcopy(cluster))
    mine, theirs = cluster.store.pod_records, copied.store.pod_records
    assert list(mine) == list(theirs)
    for key, record in mine.items():
        other = theirs[key]
        assert type(other) is PodRecord
        assert (other.owner, other.node, other.key, other.checked) == (
            record.owner, record.node, record.key, record.checked)
        assert other.pod == record.pod and other.pod is copied.store.get(*key)
        assert other.work == record.work and other.signature is None
        # The copy's key is its store's own tuple too.
        assert copied.store.stored_pod_key(key) is next(
            k for k in copied.store._by_kind["Pod"] if k == key)
    assert dict(copied.kubelet.work) == dict(cluster.kubelet.work)


def test_assigning_the_kubelet_work_sets_the_records_of_stored_pods() -> None:
    cluster = _settled()
    keys = list(cluster.store.pod_records)
    work = PodWork("killing", 5.0)
    cluster.kubelet.work = {keys[0]: work, ("Pod", "default", "gone"): PodWork("steady")}
    assert dict(cluster.kubelet.work) == {keys[0]: work}
    assert cluster.store.pod_records[keys[1]].work is None


def test_the_field_mapping_reads_and_writes_one_attribute() -> None:
    store = Store()
    store.put(_pod(0, "n1", "o", "u0"))
    store.put(_pod(1, "n1", "o", "u1"))
    checked = PodField(store.pod_records, "checked")
    key = ("Pod", "default", "p0")
    assert len(checked) == 0 and key not in checked and checked.get(key, "x") == "x"
    checked[key] = "n1"
    assert dict(checked) == {key: "n1"} and checked[key] == "n1" and key in checked
    with pytest.raises(KeyError):
        checked[("Pod", "default", "p1")]
    with pytest.raises(KeyError):  # a pod that is not stored has no record to hold it
        checked[("Pod", "default", "nope")] = "n1"
    with pytest.raises(ValueError):
        checked[key] = None
    assert checked.pop(key) == "n1" and checked.pop(key, None) is None
    assert store.pod_records[key].checked is None


def test_a_record_reads_as_the_tuple_of_its_key() -> None:
    key = ("Pod", "ns", "p")
    # (The record's key is made from its pod: equal to the store's tuple, not it.)
    record = PodRecord({"metadata": {"namespace": "ns", "name": "p"}}, "o", "n")
    one = (key,)
    assert len(record) == 1 and bool(record) and list(record) == [key]
    assert record[0] == key and record[-1] == key and tuple(record[0:1]) == one
    assert key in record and ("Pod", "ns", "q") not in record
    assert (*record, 1) == (key, 1) and sorted(record) == [key]
    assert record.index(key) == 0 and record.count(key) == 1
    with pytest.raises(IndexError):
        record[1]
    assert record != one  # equality stays identity
