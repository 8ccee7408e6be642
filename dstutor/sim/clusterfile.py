"""Cluster files (`kind: Cluster`) and the default cluster a shell starts with."""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dstutor import yamlio
from dstutor.errors import DstutorError
from dstutor.model.kinds import KINDS
from dstutor.model.objects import Obj
from dstutor.sim import kubeadm
from dstutor.sim.buildcache import BuildCache, build_key
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import DEFAULT_TIMING, Cluster

CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
NODE_KEYS = {"name", "roles", "labels", "taints", "capacity", "network"}
TOP_KEYS = {"apiVersion", "kind", "metadata", "nodes", "registry", "timing", "manifests",
            "metricsServer", "kubeadm"}


class ClusterFileError(DstutorError):
    """A cluster file that cannot be used."""


@dataclass
class NodeSpec:
    name: str
    roles: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    taints: list[Obj] = field(default_factory=list)
    capacity: dict[str, str] = field(default_factory=dict)
    # False: no pod network until a CNI agent's pod runs there (controller/network.py).
    network: bool = True


@dataclass
class ClusterSpec:
    name: str = "dstutor"
    nodes: list[NodeSpec] = field(default_factory=list)
    missing_images: list[str] = field(default_factory=list)
    crashing_images: list[str] = field(default_factory=list)
    timing: dict[str, float] = field(default_factory=dict)
    manifests: list[Obj] = field(default_factory=list)
    kube_proxy: bool = False
    # Whether metrics-server runs (so `kubectl top` answers); the default cluster has it.
    metrics_server: bool = True
    # kubeadm's kube-system: static control-plane pods on control-plane nodes, CoreDNS.
    kubeadm: bool = False


def kube_proxy_daemonset() -> Obj:
    """kube-proxy as kubeadm installs it: tolerates every taint, runs on every node."""
    labels = {"k8s-app": "kube-proxy"}
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "kube-proxy", "namespace": "kube-system", "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [{
                        "name": "kube-proxy", "image": "registry.k8s.io/kube-proxy:v1.37.1",
                        "command": ["/usr/local/bin/kube-proxy",
                                    "--config=/var/lib/kube-proxy/config.conf",
                                    "--hostname-override=$(NODE_NAME)"],
                        "securityContext": {"privileged": True},
                    }],
                    "hostNetwork": True,
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "priorityClassName": "system-node-critical",
                    "serviceAccountName": "kube-proxy",
                    "tolerations": [{"operator": "Exists"}],
                },
            },
            "updateStrategy": {"type": "RollingUpdate",
                               "rollingUpdate": {"maxUnavailable": 1}},
        },
    }


def default_spec(workers: int = 3) -> ClusterSpec:
    if workers < 0 or workers > 5000:
        raise ClusterFileError("error: --nodes must be between 0 and 5000")
    nodes = [NodeSpec("control-plane", roles=["control-plane"], taints=[CONTROL_PLANE_TAINT])]
    nodes += [NodeSpec(f"worker-{i}") for i in range(1, workers + 1)]
    return ClusterSpec(name="dstutor", nodes=nodes, kube_proxy=True, kubeadm=True)


def _fail(path: str, message: str) -> ClusterFileError:
    return ClusterFileError(f"error: {path}: {message}")


def _str_map(value: Any, path: str, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(path, f"{where} must be a mapping")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def parse_cluster_file(path: str | Path,
                       read: Callable[[str | Path], str] = yamlio.read_file) -> ClusterSpec:
    """A `kind: Cluster` file; `read` reads it and its manifests (lessons confine it)."""
    text = read(path)
    data = yamlio.load_one(text, str(path))
    where = str(path)
    if not isinstance(data, dict):
        raise _fail(where, "a cluster file must be a mapping with kind: Cluster")
    if data.get("kind") != "Cluster":
        raise _fail(where, f"kind must be Cluster, not {data.get('kind')!r}")
    if data.get("apiVersion", "dstutor/v1") != "dstutor/v1":
        raise _fail(where, f"unsupported apiVersion {data.get('apiVersion')!r} "
                    "(supported: dstutor/v1)")
    unknown = set(data) - TOP_KEYS
    if unknown:
        raise _fail(where, f"unknown field {sorted(unknown)[0]!r} "
                    f"(known: {', '.join(sorted(TOP_KEYS))})")
    spec = ClusterSpec(name=str((data.get("metadata") or {}).get("name", "dstutor")))
    seen: set[str] = set()
    checked: set[str] = set()  # node shapes the API server's decoder has accepted
    for i, raw in enumerate(data.get("nodes") or []):
        if not isinstance(raw, dict) or not raw.get("name"):
            raise _fail(where, f"nodes[{i}] needs a name")
        bad = set(raw) - NODE_KEYS
        if bad:
            raise _fail(where, f"nodes[{i}]: unknown field {sorted(bad)[0]!r} "
                        f"(known: {', '.join(sorted(NODE_KEYS))})")
        name = str(raw["name"])
        network = raw.get("network", True)
        if not isinstance(network, bool):
            raise _fail(where, f"nodes[{i}].network must be true or false")
        if name in seen:
            raise _fail(where, f"nodes[{i}]: duplicate node name {name!r}")
        seen.add(name)
        taints = raw.get("taints") or []
        if not isinstance(taints, list) or not all(
                isinstance(t, dict) and t.get("key") and t.get("effect") for t in taints):
            raise _fail(where, f"nodes[{i}]: each taint needs a key and an effect")
        shape = _node_shape(raw)
        if shape is None or shape not in checked:
            _check_node(raw, i, where, text)
            if shape is not None:
                checked.add(shape)
        spec.nodes.append(NodeSpec(name, roles=[str(r) for r in raw.get("roles") or []],
                                   labels=_str_map(raw.get("labels"), where, f"nodes[{i}].labels"),
                                   taints=[dict(t) for t in taints],
                                   capacity=_str_map(raw.get("capacity"), where,
                                                     f"nodes[{i}].capacity"),
                                   network=network))
    system = data.get("kubeadm", False)
    if not isinstance(system, bool):
        raise _fail(where, "kubeadm must be true or false")
    # kubeadm: true gives the file's cluster the kube-system a kubeadm cluster has.
    spec.kube_proxy = spec.kubeadm = system
    registry = data.get("registry") or {}
    if not isinstance(registry, dict):
        raise _fail(where, "registry must be a mapping with missing and crashing lists")
    spec.missing_images = [str(x) for x in registry.get("missing") or []]
    spec.crashing_images = [str(x) for x in registry.get("crashing") or []]
    timing = data.get("timing") or {}
    if not isinstance(timing, dict):
        raise _fail(where, "timing must be a mapping")
    for key, value in timing.items():
        if key not in DEFAULT_TIMING:
            raise _fail(where, f"unknown timing {key!r} (known: {', '.join(sorted(DEFAULT_TIMING))})")
        if not isinstance(value, int | float) or value < 0:
            raise _fail(where, f"timing {key} must be a non-negative number of seconds")
        spec.timing[key] = float(value)
    metrics = data.get("metricsServer", True)
    if not isinstance(metrics, bool):
        raise _fail(where, "metricsServer must be true or false")
    spec.metrics_server = metrics
    base = Path(path).parent
    for ref in data.get("manifests") or []:
        manifest_path = base / str(ref)
        spec.manifests += load_manifests(read(manifest_path), str(manifest_path))
    return spec


# Where a cluster file's node fields end up in the Node object the kubelet registers.
_NODE_FIELDS: dict[tuple[str | int, ...], str] = {("metadata", "name"): "name", ("metadata", "labels"): "labels",
                ("spec", "taints"): "taints", ("status", "capacity"): "capacity"}


def _node_shape(raw: dict[str, Any]) -> str | None:
    """What _check_node's verdict on a node depends on, as text: every field but the name,
    which the decoder checks only for being a string (and json_unsupported for surrogates,
    which an ASCII name cannot hold). A fleet's nodes mostly share a few shapes, so a
    5,000-node file is decoded a handful of times, not 5,000. repr() tells YAML's values
    apart by type (1, 1.0, "1", true). None: check this node in full."""
    name = raw.get("name")
    if not isinstance(name, str) or not name.isascii():
        return None
    return repr([(k, v) for k, v in raw.items() if k != "name"])


def _check_node(raw: dict[str, Any], i: int, where: str, text: str) -> None:
    """A node's labels, taints and capacity, decoded as the API server decodes the Node
    they become: `labels: {gpu: true}` is refused with the server's words, the line and
    the tutor's line, not stored as gpu=True."""
    from dstutor.model import decode as server_decode
    from dstutor.model.yamltraps import trap_hint

    roles = raw.get("roles") or []
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise _fail(where, f"nodes[{i}].roles must be a list of names (strings)")
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": raw["name"], "labels": raw.get("labels") or {}},
            "spec": {"taints": raw.get("taints") or []},
            "status": {"capacity": raw.get("capacity") or {}}}
    unsupported = server_decode.json_unsupported([node], text)
    if unsupported:
        raise _fail(where, f"nodes[{i}]: error converting YAML to JSON: {unsupported}")
    refused = server_decode.refusal("Node", "v1", node)
    if refused is None:
        return
    message, at, result = refused
    field_name = _NODE_FIELDS.get(tuple(at[:2]))
    path = ("nodes", i, field_name, *at[2:]) if field_name else ("nodes", i)
    lines = yamlio.document_lines(text, where)
    line = server_decode.line_of(lines[0], path) if lines else None
    exc = _fail(f"{where}:{line}" if line else where, message)
    exc.hint = trap_hint(result.where, result.value, result.expected, text)
    raise exc


def load_manifests(text: str, source: str) -> list[Obj]:
    """The objects of a manifest file, each decoded as the API server decodes a create.

    A refusal names `file:line`, as `lesson check` does, with the server's message and,
    for a YAML trap, the tutor's line.
    """
    # Imported here: the decoder is needed only when manifests arrive, not at start-up.
    from dstutor.model import decode as server_decode
    from dstutor.model.yamltraps import trap_hint

    docs = yamlio.load_documents(text, source)
    unsupported = server_decode.json_unsupported(docs, text)
    if unsupported:
        raise _fail(source, f"error converting YAML to JSON: {unsupported}")
    lines = yamlio.document_lines(text, source)
    out: list[Obj] = []
    for doc, doc_lines in zip(docs, lines, strict=False):
        if not isinstance(doc, dict):
            raise _fail(source, "a manifest must be a mapping")
        info = KINDS.get(str(doc.get("kind", "")))
        if info is None:
            out.append(doc)  # the API server's create names the unknown kind
            continue
        refused = server_decode.refusal(info.kind, info.api_version.rsplit("/", 1)[-1], doc)
        if refused is None:
            out.append(server_decode.decode(info.kind, doc).obj)
            continue
        message, where, result = refused
        line = server_decode.line_of(doc_lines, where)
        exc = _fail(f"{source}:{line}" if line else source, message)
        exc.hint = trap_hint(result.where, result.value, result.expected, text)
        raise exc
    return out


def build_cluster(spec: ClusterSpec, *, seed: int = 0, clock: Clock | None = None,
                  extra_manifests: list[Obj] | None = None,
                  cache: BuildCache | None = None) -> Cluster:
    """A cluster in the state the spec describes, settled: nodes Ready, pods Running.

    Built on a stopped clock, even a live one (which follows wall time again from the
    end of the build): the same spec and seed give the same cluster however long the
    build takes, which lets the shell build it again instead of copying it (undo), and
    keep a big one on disk for its next start (`cache`, sim/buildcache.py; a kept
    cluster is loaded onto `clock`, moved to where the build left it).
    """
    clock = clock or Clock()
    live = clock.mode == "live"
    clock.mode = "manual"
    if cache is not None and _pods_estimate(spec, extra_manifests) < cache.min_pods:
        cache = None  # small: building it is quicker than the key's digest of the code
    key = None if cache is None else build_key(
        ("build_cluster", spec, seed, clock.now(), clock.speed, extra_manifests))
    paused = gc.isenabled()
    # A build allocates millions of long-lived objects and frees almost none: the cyclic
    # collector would walk the growing heap again and again (the engine pauses it too).
    gc.disable()
    try:
        cluster = None if cache is None or key is None else cache.load(key, clock)
        if cluster is None:
            cluster = _build(spec, seed, clock, extra_manifests)
            if cache is not None and key is not None:
                cache.store(key, cluster)
    finally:
        if paused:
            gc.enable()
        if live:
            clock.mode = "live"
            clock.rebase()
    return cluster


def _pods_estimate(spec: ClusterSpec, extra_manifests: list[Obj] | None) -> int:
    """About how many pods a settled build holds, from the spec alone: each DaemonSet's
    on every node (kube-proxy's included) or, with none, one per node. Only whether to
    look in the cache depends on it; what is kept depends on the pods built."""
    daemonsets = sum(1 for m in [*spec.manifests, *(extra_manifests or [])]
                     if m.get("kind") == "DaemonSet") + spec.kube_proxy
    return len(spec.nodes) * max(1, daemonsets)


def _build(spec: ClusterSpec, seed: int, clock: Clock,
           extra_manifests: list[Obj] | None) -> Cluster:
    cluster = Cluster(seed=seed, clock=clock, timing=spec.timing,
                      missing_images=spec.missing_images, crashing_images=spec.crashing_images)
    cluster.metrics_server = spec.metrics_server
    coredns = spec.kubeadm
    for node in spec.nodes:
        cluster.add_node(node.name, labels=node.labels, taints=node.taints,
                         roles=node.roles, capacity=node.capacity, ready=True,
                         network=node.network)
        if spec.kubeadm and "control-plane" in node.roles:
            stored = cluster.find("Node", "", node.name)
            assert stored is not None
            _kubeadm_control_plane(cluster, stored, coredns=coredns)
            coredns = False
    manifests = ([kube_proxy_daemonset()] if spec.kube_proxy else []) + spec.manifests + list(
        extra_manifests or [])
    # Namespaces first, as an administrator would create them before their contents.
    manifests.sort(key=lambda m: m.get("kind") != "Namespace")
    for manifest in manifests:
        cluster.create(manifest)
    cluster.advance()
    return cluster


def _kubeadm_control_plane(cluster: Cluster, node: Obj, *, coredns: bool) -> None:
    """What `kubeadm init` (or `join --control-plane`) leaves on a control-plane node: its
    images pre-pulled, the kubelet's mirror pods for the static control plane, and on the
    first such node the CoreDNS Deployment, scheduled while no worker has joined yet."""
    cluster.kubelet.nodes[node["metadata"]["name"]].pulled(*kubeadm.static_pod_images())
    for pod in kubeadm.mirror_pods(node, cluster.now()):
        cluster.create(pod)
    if coredns:
        cluster.create(kubeadm.coredns_deployment())


def default_cluster(*, workers: int = 3, seed: int = 0, clock: Clock | None = None) -> Cluster:
    return build_cluster(default_spec(workers), seed=seed, clock=clock)
