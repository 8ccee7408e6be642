"""Scenarios whose every visible state is recorded, to prove that a faster engine,
kubelet or store changed nothing a learner can see.

Each scenario drives a cluster through the kubelet's paths (pulls, missing and crashing
images, readiness probes, several containers, mirror pods, a node without network, node
failure and recovery, a rolling update, deletions) in small steps of virtual time. After
every step it takes what any reader sees: every object of every kind as `Cluster.list`
hands it out (key order, resourceVersions, timestamps, event counts; read through
list_live, see Recorder.snap), the timeline and
the instant of the next change. The digest of those states is compared with the one
recorded before the change (`write_trace_digests.json`).

The states are encoded by orjson, which writes the same JSON values as json.dumps about
eight times faster (encoding was most of a digested scenario's CPU, ~12 s of the suite's).
The digests recorded with json.dumps before (a2fcb1b, `write_trace_json_digests.json`)
are still checked, once per scenario: a scenario played through `json_digests()` has a
recorder that also hashes json.dumps's text, and test_sim_write_trace.py checks both
digests in the same run, so the orjson digests pin the very states the json ones pinned.

Run `python -m tests.sim.write_trace` to print the digests (to record them afresh only
when a change is *meant* to be visible, and say why in the commit message).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from dstutor.controller.network import NETWORK_PLUGIN_ANNOTATION
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster

KINDS = ("Node", "Pod", "DaemonSet", "ControllerRevision", "Deployment", "ReplicaSet",
         "Event", "Namespace")


def _ds(name: str, containers: list[dict[str, Any]], *, namespace: str = "default",
        strategy: dict[str, Any] | None = None, annotations: dict[str, str] | None = None,
        tolerate_all: bool = False, min_ready: int = 0) -> dict[str, Any]:
    labels = {"app": name}
    template_meta: dict[str, Any] = {"labels": labels}
    if annotations:
        template_meta["annotations"] = annotations
    spec: dict[str, Any] = {"containers": containers}
    if tolerate_all:
        spec["tolerations"] = [{"operator": "Exists"}]
    ds: dict[str, Any] = {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"selector": {"matchLabels": labels},
                 "template": {"metadata": template_meta, "spec": spec}}}
    if strategy:
        ds["spec"]["updateStrategy"] = strategy
    if min_ready:
        ds["spec"]["minReadySeconds"] = min_ready
    return ds


def _probe() -> dict[str, Any]:
    return {"httpGet": {"path": "/ready", "port": 8080}, "initialDelaySeconds": 2,
            "periodSeconds": 5}


# Store listeners a test adds to every scenario's cluster (after the cluster's own).
EXTRA_LISTENERS: list[Callable[[Cluster, str, Any, Any], None]] = []
# False in tests that play the scenarios for what happens during them and never read
# the digest (tests/sim/conftest.py's `no_digest`): each step still reads everything the
# digest is made of, as any reader would (the reads settle the cluster and turn Event
# records into dicts), but nothing is encoded or hashed, which was half of a scenario's
# CPU. Such a recorder has no hash to read.
DIGESTS = True
# True while json_digests() plays a scenario: its recorder also keeps json_hash.
JSON_DIGESTS = False


class Recorder:
    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster
        self.hash: Any = hashlib.sha256() if DIGESTS else None
        # The json.dumps digest too, for a scenario played through json_digests() (see
        # the module's docstring).
        self.json_hash: Any = hashlib.sha256() if DIGESTS and JSON_DIGESTS else None
        self.steps = 0
        for listener in EXTRA_LISTENERS:
            cluster.store.listeners.append(
                lambda kind, old, new, listener=listener: listener(cluster, kind, old, new))

    def snap(self) -> None:
        c = self.cluster
        # What Cluster.list hands out is list_live's objects cloned (after the same
        # settle): the same JSON without a deep copy of every object at every step,
        # which was over a third of these scenarios' CPU
        # (tests/sim/test_sim_write_trace.py checks that the two agree).
        state = {kind: c.list_live(kind) for kind in KINDS}
        state["timeline"] = [c.timeline.export()]
        state["next"] = [c.next_change()]
        state["now"] = [c.now()]
        if self.hash is not None:
            # default=str as json.dumps had it. orjson refuses (raises on) non-string keys
            # and integers beyond 64 bits, which json would have written; a float NaN
            # it writes as null (no state holds one: they are JSON data).
            self.hash.update(orjson.dumps(state, default=str))
        if self.json_hash is not None:
            self.json_hash.update(json.dumps(state, default=str, check_circular=False).encode())
        self.steps += 1

    def advance(self, seconds: float | None, times: int = 1) -> None:
        for _ in range(times):
            self.cluster.advance(seconds)
            self.snap()


def fleet(pod_events: bool) -> Recorder:
    """Plain DaemonSets on ten nodes: pulls, a missing and a crashing image, probes, two
    containers, a rolling update, node failure and recovery, joins and deletions."""
    c = Cluster(seed=3, missing_images={"ghost:1"}, crashing_images={"crash:1"},
                record_pod_events=pod_events)
    r = Recorder(c)
    for i in range(10):
        c.add_node(f"node-{i}", ready=True)
    r.snap()
    c.create(_ds("agent", [{"name": "agent", "image": "agent:1"}],
                 strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}}))
    c.create(_ds("probed", [{"name": "web", "image": "web:1", "readinessProbe": _probe()},
                            {"name": "side", "image": "side"}],
                 annotations={"dstutor.io/ready-after": "12s"}, min_ready=5))
    c.create(_ds("ghost", [{"name": "g", "image": "ghost:1"}], namespace="kube-system"))
    c.create(_ds("mixed", [{"name": "ok", "image": "ok:2", "imagePullPolicy": "Always"},
                           {"name": "bad", "image": "crash:1"}]))
    r.snap()
    r.advance(1, 25)
    r.advance(30, 4)
    ds = c.get("DaemonSet", "default", "agent")
    ds["spec"]["template"]["spec"]["containers"][0]["image"] = "agent:2"
    c.update(ds)
    r.snap()
    r.advance(1, 20)
    c.fail_node("node-3")
    r.advance(10, 8)
    c.recover_node("node-3")
    r.advance(1, 5)
    c.add_node("late-0")
    r.snap()
    r.advance(1, 8)
    c.delete("Pod", "default", c.pods_of("agent")[0]["metadata"]["name"])
    r.snap()
    r.advance(1, 6)
    c.remove_node("node-5")
    r.advance(1, 3)
    c.delete("DaemonSet", "default", "probed")
    r.advance(1, 6)
    r.advance(None)
    for i in range(3):
        c.add_node(f"join-{i}", ready=True)
        r.snap()
        r.advance(None)
    return r


def kubeadm() -> Recorder:
    """kubeadm's kube-system (mirror pods, CoreDNS, kube-proxy), a CNI agent that brings up
    a node that joined without network, and a deleted mirror pod."""
    c = default_cluster(workers=3, seed=11)
    r = Recorder(c)
    r.snap()
    c.create(_ds("cni", [{"name": "cni", "image": "cni:1"}], namespace="kube-system",
                 annotations={NETWORK_PLUGIN_ANNOTATION: "flannel"}, tolerate_all=True))
    c.add_node("bare-0", network=False)
    r.snap()
    r.advance(1, 12)
    mirror = next(p for p in c.list("Pod", "kube-system")
                  if p["metadata"]["name"].startswith("etcd-"))
    c.delete("Pod", "kube-system", mirror["metadata"]["name"])
    r.snap()
    r.advance(1, 5)
    c.fail_node("bare-0")
    r.advance(20, 6)
    r.advance(None)
    return r


def _deployment(name: str, replicas: int, *, anti_affinity: bool = False) -> dict[str, Any]:
    labels = {"app": name}
    spec: dict[str, Any] = {"containers": [{"name": name, "image": f"{name}:1"}]}
    if anti_affinity:
        spec["affinity"] = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": labels}, "topologyKey": "kubernetes.io/hostname"}]}}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": spec}}}


def workloads() -> Recorder:
    """Deployments (ReplicaSet pods, one with required pod anti-affinity) beside a
    DaemonSet, a NoExecute taint that evicts, scaling and a new template: the pod
    informers other than the DaemonSet controller's at work."""
    c = Cluster(seed=7, record_pod_events=True)
    r = Recorder(c)
    for i in range(4):
        c.add_node(f"w-{i}", ready=True)
    c.create(_ds("agent", [{"name": "agent", "image": "agent:1"}]))
    c.create(_deployment("web", 3, anti_affinity=True))
    c.create(_deployment("api", 2))
    r.snap()
    r.advance(1, 6)
    node = c.get("Node", "", "w-1")
    node["spec"]["taints"] = [{"key": "maintenance", "effect": "NoExecute"}]
    c.update(node)
    r.snap()
    r.advance(1, 6)
    web = c.get("Deployment", "default", "web")
    web["spec"]["replicas"] = 5
    c.update(web)
    api = c.get("Deployment", "default", "api")
    api["spec"]["template"]["spec"]["containers"][0]["image"] = "api:2"
    c.update(api)
    r.snap()
    r.advance(1, 8)
    r.advance(None)
    c.add_node("w-4", ready=True)
    r.snap()
    r.advance(None)
    return r


SCENARIOS: dict[str, Callable[[], Recorder]] = {
    "fleet-pod-events": lambda: fleet(True),
    "fleet-no-pod-events": lambda: fleet(False),
    "kubeadm": kubeadm,
    "workloads": workloads,
}


def digests() -> Iterator[tuple[str, str, int]]:
    for name, scenario in SCENARIOS.items():
        r = scenario()
        yield name, r.hash.hexdigest(), r.steps


def json_digests(scenario: Callable[[], Recorder]) -> Recorder:
    """The scenario played by a recorder that keeps both digests (orjson's in hash,
    json.dumps's in json_hash)."""
    global JSON_DIGESTS
    JSON_DIGESTS = True
    try:
        return scenario()
    finally:
        JSON_DIGESTS = False


if __name__ == "__main__":
    both = {name: json_digests(scenario) for name, scenario in SCENARIOS.items()}
    print(json.dumps({name: {"digest": r.hash.hexdigest(), "steps": r.steps,
                             "json_digest": r.json_hash.hexdigest()}
                      for name, r in both.items()}, indent=1))
