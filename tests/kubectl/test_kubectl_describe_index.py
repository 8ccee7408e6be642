"""`describe` reads events and pods through indexes (issue 19); they must show exactly
what a scan over every event and pod shows, after every kind of change."""

from __future__ import annotations

from dstutor.kubectl.commands._index import events_involving, pods_controlled_by, pods_on_node
from dstutor.kubectl.dispatch import run
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster


def _daemonset(name: str) -> Obj:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": name,
                                                           "image": f"{name}:1"}]}}}}


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
