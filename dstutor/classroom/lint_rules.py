"""The lint rules: each one a best practice from the source material, said as a check.

A check takes a `Document` and yields findings. The rule text (why, fix) is data so the
same words show in the terminal, in `-o json` and in the docs.
"""

from __future__ import annotations

import math
import posixpath
from collections.abc import Callable, Iterator
from typing import Any

from dstutor.classroom.lint import Document, FieldPath, Finding, NodeInfo, Rule
from dstutor.model.selectors import pod_matches_node_affinity
from dstutor.model.taints import taint_to_string, tolerations_tolerate_taint

RULES: dict[str, Rule] = {r.id: r for r in [
    Rule("resources-missing", "warning", "container without resource requests/limits",
         "A DaemonSet pod cannot move to another node. Without requests the scheduler "
         "reserves nothing for it, so on a busy node it is BestEffort and the first to be "
         "evicted or OOM-killed; without a memory limit a leaking agent starves every "
         "workload on every node at the same time.",
         "Set resources.requests.cpu, resources.requests.memory and "
         "resources.limits.memory on every container, e.g. requests {cpu: 50m, memory: 64Mi}"
         " and limits {memory: 128Mi}."),
    Rule("hostpath-sensitive", "error", "hostPath to a broad or sensitive host path",
         "The pod sees (or controls) the node itself: `/` and `/etc` hold kubelet "
         "credentials and system configuration, and a container runtime socket is root on "
         "the node - readOnly does not help, the socket's API still answers. A DaemonSet "
         "puts this on every node.",
         "Mount only the directory the agent needs (e.g. /var/log, /sys, /proc read-only) "
         "and never a runtime socket; use the Kubernetes API for what the socket was for."),
    Rule("hostpath-writable", "warning", "hostPath mounted writable",
         "Log and metrics agents only read the node's files. A writable hostPath lets a "
         "buggy or compromised agent change them - on every node at once.",
         "Add readOnly: true to the volumeMount, and mount the narrowest directory."),
    Rule("update-strategy-implicit", "info", "no explicit maxUnavailable",
         "Without spec.updateStrategy the rollout relies on the default (RollingUpdate, "
         "maxUnavailable: 1). Stating it documents how many nodes may lose the agent at "
         "once and keeps a later edit from silently changing it.",
         "Add updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 1}}."),
    Rule("update-on-delete", "info", "OnDelete update strategy",
         "With OnDelete a new template reaches a node only when someone deletes the old pod "
         "there: `kubectl apply` alone changes nothing and nodes drift apart.",
         "Use type: RollingUpdate with maxUnavailable: 1 unless you roll out by hand."),
    Rule("max-unavailable-too-high", "warning", "maxUnavailable takes down too many nodes",
         "During a rollout every unavailable pod is a node without its agent (no logs, no "
         "metrics). A large maxUnavailable - or one that is broken in the new version - "
         "takes that many nodes dark at once.",
         "Use maxUnavailable: 1 (or a small percentage on very large clusters)."),
    Rule("surge-with-host-port", "error", "maxSurge with host ports",
         "maxSurge starts the new pod next to the old one on the same node. With "
         "hostNetwork or a hostPort both pods want the same node port, so the new pod "
         "never starts and the rollout stalls.",
         "Set maxSurge: 0 and use maxUnavailable: 1 for DaemonSets that bind host ports."),
    Rule("selector-mismatch", "error", "selector does not match the template labels",
         "The API server rejects a DaemonSet whose selector does not select its own pod "
         "template: `selector` does not match template `labels`.",
         "Make spec.selector.matchLabels a subset of spec.template.metadata.labels."),
    Rule("selector-generic", "warning", "selector labels too generic",
         "The controller adopts every pod in the namespace whose labels match and "
         "`kubectl get pods -l` shows them all; a generic selector such as app=agent "
         "collides with other workloads. The selector is immutable: fixing it later means "
         "deleting and recreating the DaemonSet.",
         "Select on a label unique to this agent, e.g. app.kubernetes.io/name: node-logger."),
    Rule("tolerations-missing", "warning", "tainted nodes not tolerated",
         "A node agent usually has to run on every node, but a pod without a matching "
         "toleration never lands on a node tainted NoSchedule and is evicted by NoExecute: "
         "those nodes silently go without logs or metrics.",
         "Add a toleration for each taint the agent must ignore, e.g. {key: dedicated, "
         "operator: Exists} (no effect: covers NoSchedule and NoExecute), or {operator: "
         "Exists} for a system agent that must run everywhere."),
    Rule("image-latest", "warning", "image without a fixed tag",
         "`latest` (or no tag, which means latest) changes under you: nodes that pull at "
         "different times run different versions, and a rollout has nothing to roll back to.",
         "Pin a version tag such as filebeat:8.10.0 (or a digest)."),
    Rule("host-network-unneeded", "warning", "hostNetwork without a port to serve",
         "hostNetwork puts the pod in the node's network namespace: it sees all node "
         "traffic, can bind any node port and is not isolated by NetworkPolicies. An agent "
         "that serves no port on the node does not need it.",
         "Remove hostNetwork: true, or declare the containerPort the agent serves on the "
         "node (as node-exporter does with 9100)."),
    Rule("namespace-default", "info", "DaemonSet in the default namespace",
         "Node agents belong in kube-system or a dedicated namespace (monitoring, logging), "
         "apart from applications, so access and quotas can be set for them.",
         "Set metadata.namespace, e.g. kube-system or monitoring."),
]}

# Paths that expose the node itself. Normalised, without a trailing slash.
SENSITIVE_PATHS = {
    "/": "the node's whole filesystem",
    "/etc": "the node's configuration and kubelet credentials",
    "/etc/kubernetes": "the kubelet's credentials",
    "/root": "root's home directory",
    "/boot": "the kernel and boot loader",
    "/dev": "every device of the node",
    "/var/lib/kubelet": "every pod's volumes and secrets",
    "/var/lib/docker": "every container's filesystem",
    "/var/run": "every runtime socket of the node",
    "/run": "every runtime socket of the node",
}
RUNTIME_SOCKETS = ("docker.sock", "containerd.sock", "crio.sock", "dockershim.sock")
GENERIC_VALUES = {"agent", "daemon", "daemonset", "ds", "node", "nodes", "monitoring",
                  "logging", "log", "logs", "metrics", "system", "app", "web", "test", "demo",
                  "backend", "frontend", "default", "true", "worker", "exporter", "collector"}
GENERIC_KEYS = {"tier", "env", "environment", "type", "role"}  # any value is shared widely
# Taints the DaemonSet controller tolerates by itself (it adds these tolerations).
AUTO_TOLERATED = ("node.kubernetes.io/",)

Check = Callable[[Document], Iterator[Finding]]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def check_resources(doc: Document) -> Iterator[Finding]:
    rule = RULES["resources-missing"]
    for path, container in doc.containers():
        res = _dict(container.get("resources"))
        requests, limits = _dict(res.get("requests")), _dict(res.get("limits"))
        missing = [f"requests.{k}" for k in ("cpu", "memory") if k not in requests]
        if "memory" not in limits:
            missing.append("limits.memory")
        if missing:
            where = (*path, "resources") if "resources" in container else path
            what = "sets no resources" if not res else "is missing " + ", ".join(missing)
            yield doc.finding(rule, where, f"container {container.get('name', '?')!r} {what}")


def _mounts(doc: Document, volume: str) -> Iterator[tuple[FieldPath, dict[str, Any]]]:
    for path, container in doc.containers():
        for i, mount in enumerate(container.get("volumeMounts") or []):
            if isinstance(mount, dict) and mount.get("name") == volume:
                yield (*path, "volumeMounts", i), mount


def _sensitive(path: str) -> str | None:
    norm = posixpath.normpath(path) if path else "/"
    norm = "/" if norm in ("/", "//") else norm.rstrip("/")
    if posixpath.basename(norm) in RUNTIME_SOCKETS:
        return "the container runtime's socket (root on the node)"
    return SENSITIVE_PATHS.get(norm)


def check_host_paths(doc: Document) -> Iterator[Finding]:
    for i, volume in enumerate(doc.pod_spec.get("volumes") or []):
        host = _dict(_dict(volume).get("hostPath"))
        if not host:
            continue
        host_path = str(host.get("path", ""))
        vpath: FieldPath = ("spec", "template", "spec", "volumes", i, "hostPath", "path")
        mounts = list(_mounts(doc, str(volume.get("name"))))
        writable = [(p, m) for p, m in mounts if m.get("readOnly") is not True]
        exposed = _sensitive(host_path)
        if exposed:
            mode = "writable" if writable else "read-only"
            yield doc.finding(RULES["hostpath-sensitive"], vpath,
                              f"hostPath {host_path!r} ({mode}) exposes {exposed}")
            continue
        for mpath, mount in writable:
            yield doc.finding(RULES["hostpath-writable"], mpath,
                              f"hostPath {host_path!r} is mounted writable at "
                              f"{mount.get('mountPath', '?')!r}")


def _percent_or_int(value: Any) -> tuple[int, bool] | None:
    """(number, is_percent) for an IntOrString, None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value, False
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        return int(value[:-1]), True
    return None


def eligible_nodes(doc: Document) -> list[NodeInfo]:
    """Nodes the DaemonSet's pods may run on: selector and affinity match, taints tolerated."""
    pod_spec = doc.pod_spec
    tolerations = [t for t in pod_spec.get("tolerations") or [] if isinstance(t, dict)]
    return [n for n in doc.nodes if pod_matches_node_affinity(pod_spec, n.as_object())
            and not _untolerated(n, tolerations)]


def _untolerated(node: NodeInfo, tolerations: list[dict[str, Any]]) -> list[str]:
    return [taint_to_string(t) for t in node.taints
            if t.get("effect") in ("NoSchedule", "NoExecute")
            and not str(t.get("key", "")).startswith(AUTO_TOLERATED)
            and not tolerations_tolerate_taint(tolerations, t)]


def _host_ports(doc: Document) -> bool:
    if doc.pod_spec.get("hostNetwork") is True:
        return any(c.get("ports") for _, c in doc.containers())
    return any(_dict(p).get("hostPort") for _, c in doc.containers()
               for p in c.get("ports") or [])


def check_update_strategy(doc: Document) -> Iterator[Finding]:
    strategy = _dict(doc.spec.get("updateStrategy"))
    spath: FieldPath = ("spec", "updateStrategy")
    if strategy.get("type") == "OnDelete":
        yield doc.finding(RULES["update-on-delete"], (*spath, "type"),
                          "updateStrategy is OnDelete: pods change only when deleted by hand")
        return
    rolling = _dict(strategy.get("rollingUpdate"))
    rpath: FieldPath = (*spath, "rollingUpdate")
    if "maxUnavailable" not in rolling:
        yield doc.finding(RULES["update-strategy-implicit"], rpath if rolling else spath,
                          "maxUnavailable is not set (the default is 1)")
    surge = _percent_or_int(rolling.get("maxSurge", 0))
    surging = surge is not None and surge[0] > 0
    if surging and _host_ports(doc):
        yield doc.finding(RULES["surge-with-host-port"], (*rpath, "maxSurge"),
                          f"maxSurge {rolling.get('maxSurge')!r} with host ports: the new pod "
                          "cannot start next to the old one")
    if "maxUnavailable" not in rolling:
        return
    parsed = _percent_or_int(rolling["maxUnavailable"])
    if parsed is None:
        return
    amount, percent = parsed
    upath: FieldPath = (*rpath, "maxUnavailable")
    rule = RULES["max-unavailable-too-high"]
    nodes = len(eligible_nodes(doc))
    # Upstream rounds a percentage up against the number of nodes that should run the pod.
    down = math.ceil(amount * nodes / 100) if percent else amount
    shown = rolling["maxUnavailable"]
    if amount == 0 and not surging:
        yield doc.finding(rule, upath, "maxUnavailable 0 with maxSurge 0: the API server "
                          "rejects this (one of them must be positive)", severity="error")
    elif (percent and amount >= 50) or (nodes > 1 and down >= nodes):
        yield doc.finding(rule, upath, f"maxUnavailable {shown!r} lets {down} of {nodes} "
                          f"eligible nodes in {doc.cluster_name} lose the agent at once",
                          severity="error")
    elif (percent and amount > 25) or (not percent and amount > 1):
        yield doc.finding(rule, upath, f"maxUnavailable {shown!r} takes down {down} of "
                          f"{nodes} eligible nodes in {doc.cluster_name} at once")


def check_selector(doc: Document) -> Iterator[Finding]:
    selector = _dict(doc.spec.get("selector"))
    match = {str(k): str(v) for k, v in _dict(selector.get("matchLabels")).items()}
    template_meta = _dict(_dict(doc.spec.get("template")).get("metadata"))
    labels = {str(k): str(v) for k, v in _dict(template_meta.get("labels")).items()}
    spath: FieldPath = ("spec", "selector", "matchLabels")
    wrong = {k: v for k, v in match.items() if labels.get(k) != v}
    if wrong:
        pairs = ", ".join(f"{k}={v}" for k, v in wrong.items())
        yield doc.finding(RULES["selector-mismatch"], spath,
                          f"selector {pairs} is not among the template's labels")
    expressions = [e for e in selector.get("matchExpressions") or [] if isinstance(e, dict)]
    specific = [k for k, v in match.items()
                if k not in GENERIC_KEYS and v.lower() not in GENERIC_VALUES]
    specific_expr = [e for e in expressions if e.get("operator") == "In"
                     and len(e.get("values") or []) == 1]
    if not specific and not specific_expr:
        shown = ", ".join(f"{k}={v}" for k, v in match.items()) or "(no labels)"
        where = spath if match else ("spec", "selector")
        yield doc.finding(RULES["selector-generic"], where,
                          f"selector {shown} could match other workloads' pods")


def check_tolerations(doc: Document) -> Iterator[Finding]:
    pod_spec = doc.pod_spec
    tolerations = [t for t in pod_spec.get("tolerations") or [] if isinstance(t, dict)]
    missed = []
    for node in doc.nodes:
        if not pod_matches_node_affinity(pod_spec, node.as_object()):
            continue  # selected away on purpose: not a coverage gap
        taints = _untolerated(node, tolerations)
        if taints:
            missed.append(f"{node.name} ({', '.join(taints)})")
    if missed:
        where: FieldPath = ("spec", "template", "spec")
        if "tolerations" in pod_spec:
            where = (*where, "tolerations")
        lead = "no tolerations" if not tolerations else "tolerations do not cover"
        yield doc.finding(RULES["tolerations-missing"], where,
                          f"{lead}: in {doc.cluster_name} no pod will run on "
                          + "; ".join(missed))


def image_tag(image: str) -> str | None:
    """The tag of an image reference; None when it has none. Digests count as a tag."""
    if "@" in image:
        return image.split("@", 1)[1]
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def check_images(doc: Document) -> Iterator[Finding]:
    for path, container in doc.containers():
        image = str(container.get("image", ""))
        tag = image_tag(image)
        if image and tag in (None, "latest"):
            detail = "has no tag (means latest)" if tag is None else "uses the latest tag"
            yield doc.finding(RULES["image-latest"], (*path, "image"),
                              f"image {image!r} {detail}")


def check_host_network(doc: Document) -> Iterator[Finding]:
    if doc.pod_spec.get("hostNetwork") is not True:
        return
    if not any(c.get("ports") for _, c in doc.containers()):
        yield doc.finding(RULES["host-network-unneeded"],
                          ("spec", "template", "spec", "hostNetwork"),
                          "hostNetwork: true but no container declares a port")


def check_namespace(doc: Document) -> Iterator[Finding]:
    if doc.namespace == "default":
        meta = ("metadata", "namespace") if "namespace" in _dict(doc.data.get("metadata")) \
            else ("metadata",)
        yield doc.finding(RULES["namespace-default"], meta,
                          f"DaemonSet {doc.name!r} runs in the default namespace")


CHECKS: tuple[Check, ...] = (check_resources, check_host_paths, check_update_strategy,
                             check_selector, check_tolerations, check_images,
                             check_host_network, check_namespace)
