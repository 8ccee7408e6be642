"""dedupCurHistories: when several ControllerRevisions match the current template, the
highest-numbered one is kept, the others are deleted, and every owned pod whose hash
differs from the kept one is relabelled to it (an older revision's pod included)."""

from __future__ import annotations

from sim_builders import make_daemonset, update_ds

from dstutor.model.objects import DAEMONSET_UNIQUE_LABEL, clone, controller_ref, uid
from dstutor.sim.cluster import Cluster


def test_a_duplicate_current_revision_is_merged_and_pods_relabelled() -> None:
    cluster = Cluster()
    for name in ("n1", "n2"):
        cluster.add_node(name, ready=True)
    cluster.create(make_daemonset("foo", strategy="OnDelete", image="v1",
                                  labels={"app": "foo"}))
    cluster.advance()
    update_ds(cluster, "foo", image="v2", settle=True)  # OnDelete: the v1 pods stay
    ds = cluster.get("DaemonSet", "default", "foo")
    revisions = {r["revision"]: r for r in cluster.store.list("ControllerRevision")}
    current = revisions[2]
    dup = clone(current)
    dup["metadata"] = {"name": "foo-dup", "namespace": "default",
                       "labels": {**current["metadata"]["labels"], DAEMONSET_UNIQUE_LABEL: "dup"},
                       "ownerReferences": current["metadata"]["ownerReferences"]}
    dup["revision"] = 7
    cluster.create(dup)
    cluster.advance()

    names = sorted(r["metadata"]["name"] for r in cluster.store.list("ControllerRevision")
                   if (controller_ref(r) or {}).get("uid") == uid(ds))
    assert names == sorted([revisions[1]["metadata"]["name"], "foo-dup"])
    pods = cluster.pods_of("foo")
    assert [p["spec"]["containers"][0]["image"] for p in pods] == ["v1", "v1"]
    assert {p["metadata"]["labels"][DAEMONSET_UNIQUE_LABEL] for p in pods} == {"dup"}
    status = cluster.get("DaemonSet", "default", "foo")["status"]
    assert status["updatedNumberScheduled"] == 2  # upstream's quirk: old pods now count
