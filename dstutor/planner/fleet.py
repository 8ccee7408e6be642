"""The fleet a rollout starts from: nodes with the old version settled on them.

A generated fleet is N plain worker nodes (`node-0001` ...); a cluster file brings its own
nodes, registry and timing. The old version is the DaemonSet the cluster file already
runs under the manifest's name, or else the manifest's own template with each image one
version back (`previous_image`), so every node must pull the new image, as in a real
upgrade. The settled cluster is kept as pickled bytes: each strategy starts from the same
state without settling it again (the shell's undo copies clusters the same way).
"""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass

from dstutor.model.objects import Obj
from dstutor.planner.inputs import PlanError, PlanInputs
from dstutor.sim.cluster import SYSTEM_NAMESPACES, Cluster
from dstutor.sim.clusterfile import ClusterSpec, build_cluster
from dstutor.sim.thaw import thaw

# How long the old version may take to settle before the plan gives up on it.
SETTLE_LIMIT_SECONDS = 86400.0


@dataclass(frozen=True)
class Fleet:
    frozen: bytes  # the settled cluster, pickled
    namespace: str
    name: str
    template: Obj  # the new template (with --ready-after applied)
    nodes: tuple[str, ...]  # the nodes running the old version, by name
    old_images: tuple[str, ...]
    new_images: tuple[str, ...]
    old_from_cluster: bool  # the old version is the cluster file's live DaemonSet
    node_count: int
    timing: dict[str, float]

    def thaw(self) -> Cluster:
        cluster: Cluster = thaw(self.frozen)
        return cluster


def previous_image(image: str) -> str:
    """The image one version back, made up: `agent:2.0` → `agent:2.0-previous`.

    Any other tag would do; what matters is that it differs, so the new one is pulled."""
    last = image.rsplit("/", 1)[-1]
    if "@" in image:
        return image.split("@", 1)[0] + ":previous"
    if ":" in last:
        return f"{image}-previous"
    return f"{image}:previous"


def with_ready_after(ds: Obj, seconds: float | None) -> Obj:
    """The DaemonSet whose containers turn Ready `seconds` after they start: each gets a
    readinessProbe with that initialDelaySeconds (the kubelet's readiness gate)."""
    out = copy.deepcopy(ds)
    if seconds is None:
        return out
    spec = out.setdefault("spec", {}).setdefault("template", {}).setdefault("spec", {})
    for container in spec.get("containers") or []:
        probe = container.get("readinessProbe")
        if not isinstance(probe, dict):
            probe = container["readinessProbe"] = {"exec": {"command": ["true"]}}
        probe["initialDelaySeconds"] = int(round(seconds))
    return out


def images_of(ds: Obj) -> tuple[str, ...]:
    spec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
    return tuple(str(c.get("image", "")) for c in spec.get("containers") or [])


def _old_version(new: Obj) -> Obj:
    old = copy.deepcopy(new)
    for container in old["spec"]["template"]["spec"].get("containers") or []:
        container["image"] = previous_image(str(container.get("image", "")))
    return old


def _settle(cluster: Cluster) -> None:
    """Let time run until nothing more is waiting (bounded: a crash loop never ends)."""
    start = cluster.now()
    while (due := cluster.next_change()) is not None and due - start < SETTLE_LIMIT_SECONDS:
        # advance() alone stops short of a timer beyond its own ten-minute window (a
        # two-hour image pull): go to that timer, or the loop would never move.
        cluster.advance(due - cluster.now() if due - cluster.now() > 60 else None)


def generated_cluster(nodes: int, timing: dict[str, float], seed: int) -> Cluster:
    cluster = Cluster(seed=seed, timing=timing, record_pod_events=False)
    width = max(4, len(str(nodes)))
    for i in range(1, nodes + 1):
        cluster.add_node(f"node-{i:0{width}d}", ready=True)
    return cluster


def build_fleet(ds: Obj, inputs: PlanInputs, spec: ClusterSpec | None = None) -> Fleet:
    """Nodes with the old version running everywhere it should, ready for the new one."""
    new = with_ready_after(ds, inputs.ready_after)
    meta = new.setdefault("metadata", {})
    namespace = str(meta.get("namespace") or "default")
    meta["namespace"] = namespace
    name = str(meta["name"])
    timing = dict(spec.timing) if spec is not None else {}
    if inputs.image_pull is not None:
        timing["imagePullSeconds"] = inputs.image_pull
    if spec is not None:
        spec = copy.copy(spec)
        spec.timing = timing
        cluster = build_cluster(spec, seed=inputs.seed)
        cluster.record_pod_events = False  # nobody reads them; they cost a third of the time
    else:
        cluster = generated_cluster(int(inputs.nodes or 0), timing, inputs.seed)
    if namespace not in SYSTEM_NAMESPACES and cluster.find("Namespace", "", namespace) is None:
        cluster.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}})
    from_cluster = cluster.find("DaemonSet", namespace, name) is not None
    if not from_cluster:
        cluster.create(_old_version(new))
    _settle(cluster)
    live = cluster.find("DaemonSet", namespace, name)
    if live is None:  # deleted by something in the cluster file (a finalizer, a GC)
        raise PlanError(f'error: daemonset "{name}" did not survive the fleet\'s start')
    nodes = tuple(sorted({p["spec"]["nodeName"] for p in cluster.pods_of(name, namespace)
                          if p["spec"].get("nodeName")}))
    node_count = len(cluster.store.list("Node"))
    frozen = pickle.dumps(cluster, pickle.HIGHEST_PROTOCOL)
    return Fleet(frozen, namespace, name, new["spec"]["template"], nodes, images_of(live),
                 images_of(new), from_cluster, node_count, dict(cluster.timing))
