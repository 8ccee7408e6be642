"""Pods carry metadata.generation and the kubelet reports status.observedGeneration, as
v1.37 does (KEP-5067, PodObservedGenerationTracking, on by default since v1.34)."""

from __future__ import annotations

from dstutor.sim.cluster import Cluster

POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
       "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}


def _conditions(pod: dict) -> dict[str, int | None]:
    return {c["type"]: c.get("observedGeneration") for c in pod["status"]["conditions"]}


def test_pod_generation_and_observed_generation() -> None:
    cluster = Cluster()
    cluster.add_node("n1", ready=True)
    created = cluster.create(POD)
    assert created["metadata"]["generation"] == 1
    cluster.advance(10)
    pod = cluster.get("Pod", "default", "p")
    assert pod["status"]["observedGeneration"] == 1
    assert _conditions(pod) == {"PodReadyToStartContainers": 1, "Initialized": 1, "Ready": 1,
                                "ContainersReady": 1, "PodScheduled": 1}
    # A spec update bumps the generation; the kubelet's next sync reports it (the
    # scheduler's PodScheduled condition keeps the generation it saw).
    pod["spec"]["activeDeadlineSeconds"] = 600
    assert cluster.update(pod)["metadata"]["generation"] == 2
    cluster.advance(1)
    pod = cluster.get("Pod", "default", "p")
    assert pod["status"]["observedGeneration"] == 2
    assert _conditions(pod) == {"PodReadyToStartContainers": 2, "Initialized": 2, "Ready": 2,
                                "ContainersReady": 2, "PodScheduled": 1}
    # A status-only write (the kubelet's) does not bump it.
    cluster.advance(60)
    assert cluster.get("Pod", "default", "p")["metadata"]["generation"] == 2


def test_controller_made_pods_have_generation_one() -> None:
    cluster = Cluster()
    cluster.add_node("n1", ready=True)
    cluster.create({"apiVersion": "apps/v1", "kind": "DaemonSet",
                    "metadata": {"name": "d", "namespace": "default"},
                    "spec": {"selector": {"matchLabels": {"a": "b"}},
                             "template": {"metadata": {"labels": {"a": "b"}},
                                          "spec": POD["spec"]}}})
    cluster.advance(10)
    [pod] = cluster.list("Pod", "default")
    assert pod["metadata"]["generation"] == 1
    assert pod["status"]["observedGeneration"] == 1
