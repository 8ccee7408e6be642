"""`describe` reads events and pods through indexes (issue 19); they must show exactly
what a scan over every event and pod shows, after every kind of change."""

from __future__ import annotations

from plain_daemonset import plain_daemonset

from dstutor.kubectl.commands._index import events_involving, pods_controlled_by, pods_on_node
from dstutor.kubectl.dispatch import run
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster
from dstutor.sim.eventstore import is_record


def _daemonset(name: str) -> Obj:
    return plain_daemonset(name, f"{name}:1")


def _check(cluster: Cluster) -> None:
    events = cluster.list_live("Event", "default")
    objects = cluster.list_live("Pod") + cluster.list_live("DaemonSet") + \
        cluster.list_live("Node")
    for obj in objects:
        uid = obj["metadata"]["uid"]
        scanned = [e for e in events if (e.get("involvedObject") or {}).get("uid") == uid]
        assert events_involving(cluster, "default", uid) == scanned
    for ds in cluster.list_live("DaemonSet"):
        uid = ds["metadata"]["uid"]
        owned = [p for p in cluster.list_live("Pod", "default")
                 if any(r.get("controller") and r.get("uid") == uid
                        for r in p["metadata"].get("ownerReferences") or [])]
        assert pods_controlled_by(cluster, ds) == owned
    for node in cluster.list_live("Node"):
        name = node["metadata"]["name"]
        assert pods_on_node(cluster, name) == [
            p for p in cluster.list_live("Pod") if p["spec"].get("nodeName") == name]


def test_describe_indexes_match_the_scans_after_every_change() -> None:
    cluster = Cluster(missing_images=["b:2"])
    for name in ("node-1", "node-2", "node-3"):
        cluster.add_node(name, ready=True)
    cluster.create(_daemonset("a"))
    cluster.create(_daemonset("b"))
    steps = ["kubectl get pods", "kubectl set image ds b b=b:2", "kubectl cordon node-2",
             "kubectl delete pod -l app=a --wait=false", "kubectl rollout restart ds a",
             "kubectl label node node-3 x=y", "kubectl delete ds b", "kubectl uncordon node-2"]
    checked = 0
    for line in steps:
        run(cluster, line)
        _check(cluster)
        cluster.advance(7.0)
        _check(cluster)
        checked += 1
    cluster.fail_node("node-1")
    cluster.advance(400.0)
    _check(cluster)
    assert checked == len(steps)
    assert cluster.list_live("Event", "default")



def test_describe_builds_only_the_recorded_events_it_shows() -> None:
    cluster = Cluster()
    for name in ("node-1", "node-2", "node-3"):
        cluster.add_node(name, ready=True)
    cluster.create(_daemonset("a"))
    cluster.advance(30.0)
    store = cluster.store
    pod = cluster.list_live("Pod", "default")[0]
    records = store._event_records
    assert records > 10  # recorded, not yet read
    # Before anything builds the events, the index answers from the records.
    shown = events_involving(cluster, "default", pod["metadata"]["uid"])
    assert [e["reason"] for e in shown] == ["Scheduled", "Pulling", "Pulled", "Created",
                                            "Started"]
    assert store._event_records == records - len(shown)
    scanned = [e for e in cluster.list_live("Event", "default")
               if e["involvedObject"]["uid"] == pod["metadata"]["uid"]]
    assert shown == scanned and all(a is b for a, b in zip(shown, scanned, strict=True))


def _indexed(cluster: Cluster) -> object:
    """The event index describe holds for "default" now (built if it must be)."""
    from dstutor.kubectl.commands import _index

    events_involving(cluster, "default", None)
    return _index._EVENTS_BY_UID["default"][2]


def test_describe_keeps_its_event_index_over_writes_to_other_kinds() -> None:
    cluster = Cluster()
    for name in ("node-1", "node-2"):
        cluster.add_node(name, ready=True)
    cluster.create(_daemonset("a"))
    cluster.advance(30.0)
    index = _indexed(cluster)
    for line in ("kubectl label node node-2 x=y", "kubectl annotate ds a note=1",
                 "kubectl cordon node-1"):
        assert run(cluster, line).exit_code == 0
        assert _indexed(cluster) is index  # no Event was written: the same index
        _check(cluster)
    # A write that records an Event (the rollout's pod deletions and creations): a new one.
    run(cluster, "kubectl rollout restart ds a")
    cluster.advance(30.0)
    assert _indexed(cluster) is not index
    _check(cluster)


def test_every_kind_of_event_write_moves_the_count_describe_watches() -> None:
    """Each way the store writes an Event counts in writes_of("Event"), and the index
    built after it matches the scan (each store method that changes an Event is here)."""
    cluster = Cluster()
    for name in ("node-1", "node-2"):
        cluster.add_node(name, ready=True)
    cluster.create(_daemonset("a"))
    cluster.advance(30.0)
    store = cluster.store
    pods = cluster.list_live("Pod", "default")
    node = cluster.find("Node", "", "node-1")
    assert node is not None

    def moved(write: object) -> None:
        before = store.writes_of("Event")
        _indexed(cluster)
        assert callable(write)
        write()
        assert store.writes_of("Event") > before, write
        _check(cluster)

    # put_event's record (a new Event: the fresh path) and update_event (the same again)
    moved(lambda: cluster.record_event(pods[0], "Normal", "Probe", "checked",
                                       component="kubelet", host="node-1"))
    moved(lambda: cluster.record_event(pods[0], "Normal", "Probe", "checked",
                                       component="kubelet", host="node-1"))
    event = next(e for e in cluster.list_live("Event", "default")
                 if e["involvedObject"]["uid"] == pods[0]["metadata"]["uid"])
    # put of a dict replacing a stored one, now about the other pod
    moved(lambda: store.put({**event, "involvedObject": {
        **event["involvedObject"], "uid": pods[1]["metadata"]["uid"]}}))
    stored = store.get("Event", "default", event["metadata"]["name"])
    assert stored is not None

    def about_node() -> None:
        stored["involvedObject"] = {"kind": "Node", "name": "node-1",
                                    "uid": node["metadata"]["uid"]}
        store.touch(stored)
    moved(about_node)  # touch of an Event edited in place
    moved(lambda: store.remove(stored))

    def fresh_record(reason: str) -> object:
        """A new Event, kept as a record (_check built the dicts of the others)."""
        cluster.record_event(pods[1], "Normal", reason, "x", component="kubelet",
                             host="node-2")
        return next(e for e in store.event_entries() if is_record(e))

    record = fresh_record("First")
    moved(lambda: store.remove_event(record))  # type: ignore[arg-type]
    record = fresh_record("Second")
    moved(lambda: store.drop_event_record(record))  # type: ignore[arg-type]
    # the same Event again while it is still a record: update_event counts it up
    fresh_record("Third")
    moved(lambda: cluster.record_event(pods[1], "Normal", "Third", "x", component="kubelet",
                                       host="node-2"))
    # and the TTL's expiry, which takes the quiet way (drop_event_record) for records
    moved(lambda: cluster.advance(7200.0))


def test_the_event_index_lists_each_objects_keys_in_the_servers_order() -> None:
    """keys_by_involved_uid reads the table in its own order (insertion: not sorted) and
    sorts each object's keys: records and dicts alike, other namespaces left out."""
    from dstutor.sim.eventindex import keys_by_involved_uid

    def record(name: str, namespace: str, uid: str) -> tuple[object, ...]:
        return (name, 1, "t", ("v1", "Pod", "p", uid, "1", namespace, ""), "R", "m",
                "Normal", ("kubelet", ""), 1)

    items: dict[tuple[str, str], object] = {
        ("default", "p.b"): record("p.b", "default", "u1"),
        ("default", "p.10"): {"involvedObject": {"uid": "u1"}},
        ("default", "p.a"): record("p.a", "default", "u1"),
        ("other", "p.0"): record("p.0", "other", "u1"),
        ("default", "q.1"): record("q.1", "default", "u2"),
        ("default", "x"): {"involvedObject": {}},
        ("default", "y"): {},
    }
    assert keys_by_involved_uid(items, "default") == {
        "u1": [("default", "p.10"), ("default", "p.a"), ("default", "p.b")],
        "u2": [("default", "q.1")],
        None: [("default", "x"), ("default", "y")],
    }
    assert keys_by_involved_uid(items, "other") == {"u1": [("other", "p.0")]}
    assert keys_by_involved_uid(items, "none") == {}


def test_the_index_does_not_keep_a_replaced_cluster_alive() -> None:
    """A cluster undo, load or reset replaces is freed, though describe indexed its
    Events: at 5,000 nodes its store holds hundreds of megabytes."""
    import gc
    import weakref

    from dstutor.shell.session import Session
    from dstutor.sim.clusterfile import default_cluster

    session = Session(default_cluster(workers=2),
                      reset_factory=lambda: default_cluster(workers=2))
    session.handle_line("advance")
    assert session.handle_line("kubectl describe node worker-1").ok
    old = weakref.ref(session.cluster.store)
    assert session.handle_line("reset").ok
    session.undo_stack.clear()  # (the undo entry holds the old cluster, rightly)
    gc.collect()
    assert old() is None
    # and the index still serves the new cluster
    assert "Events:" in session.handle_line("kubectl describe node worker-1").stdout
