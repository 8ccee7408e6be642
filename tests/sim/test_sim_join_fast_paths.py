"""The shortcuts a node join takes (issue 19) agree with the general paths they skip."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller.daemonset import DaemonSetsController
from dstutor.model.objects import clone, controller_ref
from dstutor.model.selectors import selector_from_dict
from dstutor.sim.cluster import Cluster

SELECTORS = [selector_from_dict(s) for s in (
    {"matchLabels": {"app": "a"}},
    {"matchLabels": {"app": "b"}},
    {"matchExpressions": [{"key": "tier", "operator": "Exists"}]},
    {"matchLabels": {"app": "a"}, "matchExpressions": [
        {"key": "tier", "operator": "NotIn", "values": ["web"]}]},
)]
LABEL_SETS = [None, {}, {"app": "a"}, {"app": "b"}, {"app": "a", "tier": "web"},
              {"app": "a", "tier": "db"}]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(SELECTORS) - 1),
                          st.integers(0, len(LABEL_SETS) - 1), st.booleans()),
                min_size=1, max_size=30))
def test_selects_memo_agrees_with_matches(steps: list[tuple[int, int, bool]]) -> None:
    """`_selects` answers what selector.matches does, whether the labels dict is the one
    it saw last (shared by a revision's pods) or a new one (labels replaced)."""
    controller = DaemonSetsController.__new__(DaemonSetsController)
    controller._selects_memo = None
    shared = [None if labels is None else dict(labels) for labels in LABEL_SETS]
    for sel_index, labels_index, fresh in steps:
        selector = SELECTORS[sel_index]
        labels = shared[labels_index]
        if fresh and labels is not None:
            labels = dict(labels)
        pod = {"metadata": {"name": "p", "labels": labels} if labels is not None
               else {"name": "p"}}
        assert controller._selects(selector, pod) == selector.matches(labels)


def _daemonset(name: str, app: str) -> dict:
    labels = {"app": app}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "c", "image": "busybox"}]}}}}


def test_relabelled_pod_is_released_after_joins() -> None:
    """Joins go through the memo with the revision's shared labels; a pod whose labels
    are replaced so that its selector no longer matches is still released."""
    cluster = Cluster(record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create(_daemonset("agent", "a"))
    cluster.create(_daemonset("other", "b"))
    cluster.advance()
    cluster.add_node("node-3", ready=True)
    cluster.advance()
    pods = [p for p in cluster.store.pods_on_node("node-3")
            if p["metadata"]["name"].startswith("agent-")]
    assert len(pods) == 1
    pod = clone(pods[0])
    pod["metadata"]["labels"] = {**pod["metadata"]["labels"], "app": "elsewhere"}
    cluster.api.update(pod)
    cluster.advance()
    released = cluster.store.get("Pod", "default", pod["metadata"]["name"])
    assert released is not None and controller_ref(released) is None
    # The DaemonSet made a new pod for the node, and both DaemonSets stay whole.
    owned = [p for p in cluster.store.pods_on_node("node-3") if controller_ref(p)]
    assert sorted(controller_ref(p)["name"] for p in owned) == ["agent", "other"]
    for ds in cluster.store.list("DaemonSet"):
        assert ds["status"]["numberReady"] == 4
