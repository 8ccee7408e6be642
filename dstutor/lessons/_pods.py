"""The `pods_on_nodes` check: a DaemonSet's pods on exactly these nodes, with the reasons why not.

Missing and extra nodes are explained with the controller's own placement gates, so the
learner reads the rule that decided ("taint dedicated=gpu:NoExecute is not tolerated").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dstutor.controller.placement import node_should_run_daemon_pod
from dstutor.lessons.checkkind import Outcome, World
from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    TEMPLATE_GENERATION_ANNOTATION,
    TEMPLATE_GENERATION_LABEL,
    Obj,
    is_pod_ready,
    target_node_name,
)
from dstutor.model.selectors import parse_selector

# Pod states that will not fix themselves by waiting.
STUCK_STATES = frozenset({"ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff", "Failed",
                          "InvalidImageName", "CreateContainerConfigError"})


def _ns(p: Mapping[str, Any]) -> str:
    return str(p.get("namespace") or "default")


def validate(p: Mapping[str, Any]) -> str:
    if ("nodes" in p) == ("node_selector" in p):
        return "give exactly one of 'nodes' (a list) or 'node_selector' (a label selector)"
    if "nodes" in p and not isinstance(p["nodes"], list):
        return "'nodes' must be a list of node names (may be empty)"
    if "node_selector" in p:
        try:
            parse_selector(str(p["node_selector"]))
        except Exception as exc:  # a lesson typo must become a schema error, not a crash
            return f"'node_selector' does not parse: {exc}"
    return ""


def _node_words(p: Mapping[str, Any]) -> str:
    if "nodes" in p:
        nodes = [str(n) for n in p["nodes"] if n not in (p.get("exclude") or [])]
        return ", ".join(nodes) if nodes else "no node at all"
    words = f"every node matching {p['node_selector']}"
    if p.get("exclude"):
        words += f" except {', '.join(p['exclude'])}"
    return words


def goal(p: Mapping[str, Any]) -> str:
    extra = []
    if p.get("ready"):
        extra.append("each pod Ready")
    if p.get("image"):
        extra.append(f"image {p['image']}")
    if p.get("updated"):
        extra.append("each pod on the current template")
    if p.get("state"):
        extra.append(f"each pod {p['state']}")
    if p.get("node_ip"):
        extra.append("each pod with its node's IP")
    if p.get("subset"):
        extra.append("other nodes not compared")
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"DaemonSet {_ns(p)}/{p['daemonset']} has a pod on exactly: {_node_words(p)}{tail}"


def expected_nodes(world: World, p: Mapping[str, Any]) -> list[str]:
    if "nodes" in p:
        names = [str(n) for n in p["nodes"]]
    else:
        sel = parse_selector(str(p["node_selector"]))
        names = [n["metadata"]["name"] for n in world.cluster.list_live("Node")
                 if sel.matches(n["metadata"].get("labels") or {})]
    exclude = set(p.get("exclude") or [])
    return sorted(n for n in names if n not in exclude)


def pod_state(pod: Obj) -> str:
    """Like the STATUS column: the waiting reason if there is one, else the phase."""
    if pod["metadata"].get("deletionTimestamp"):
        return "Terminating"
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        waiting = (status.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason"):
            return str(waiting["reason"])
    phase = (pod.get("status") or {}).get("phase") or "Pending"
    return "Running" if phase == "Running" and is_pod_ready(pod) else (
        "Running, not Ready" if phase == "Running" else str(phase))


def _failing_gates(node: Obj, ds: Obj) -> str:
    placement = node_should_run_daemon_pod(node, ds, explain=True)
    return "; ".join(g.detail for g in placement.gates if not g.passed)


def _why_missing(world: World, ds: Obj, node_name: str, terminating: set[str]
                 ) -> tuple[str, bool, str]:
    """Why a node lacks its pod, whether waiting would fix it, as a template that
    `_grouped` fills with one or several node names."""
    node = world.cluster.find("Node", "", node_name)
    if node is None:
        return node_name, False, "{node} {is} not a node of this cluster"
    reasons = _failing_gates(node, ds)
    if reasons:
        return node_name, False, "{node} {has} none: " + reasons
    if node_name in terminating:
        return (node_name, True,
                "the {pod} on {node} {is} terminating; the replacement is not there yet")
    return (node_name, True,
            "{node} {has} none yet: the controller should create one (give it time)")


def _grouped(found: list[tuple[str, bool, str]]) -> list[tuple[str, bool]]:
    """One line per reason, naming every node it applies to (not one line per node)."""
    by_reason: dict[tuple[str, bool], list[str]] = {}
    for node, transient, reason in found:
        by_reason.setdefault((reason, transient), []).append(node)
    out = []
    for (reason, transient), nodes in by_reason.items():
        subject = nodes[0] if len(nodes) == 1 else ", ".join(nodes)
        out.append((reason.replace("{node}", subject).replace(
            "{has}", "has" if len(nodes) == 1 else "have").replace(
            "{is}", "is" if len(nodes) == 1 else "are").replace(
            "{pod}", "pod" if len(nodes) == 1 else "pods"), transient))
    return out


def _why_extra(world: World, ds: Obj, node_name: str) -> str:
    node = world.cluster.find("Node", "", node_name)
    if node is None:
        return f"{node_name} still has a pod, though the node is gone"
    placement = node_should_run_daemon_pod(node, ds, explain=True)
    reasons = "; ".join(g.detail for g in placement.gates if not g.passed)
    if placement.should_continue_running and not placement.should_run:
        text = (f"{node_name} still runs one: {reasons} (a running pod is kept; it counts as "
                "misscheduled)")
    elif placement.should_run:
        text = f"{node_name} still runs one: nothing in the DaemonSet keeps it off that node"
    else:
        text = f"{node_name} still runs one: {reasons}"
    return text + "".join(f"; {note}" for note in _notes(node))


def _notes(node: Obj) -> list[str]:
    """Things a learner may have tried on the node that do not move DaemonSet pods."""
    notes = []
    if node["spec"].get("unschedulable"):
        notes.append("cordon does not move DaemonSet pods: they tolerate "
                     "node.kubernetes.io/unschedulable")
    if any(t.get("effect") == "PreferNoSchedule" for t in node["spec"].get("taints") or []):
        notes.append("the DaemonSet controller ignores PreferNoSchedule taints")
    return notes


def _current_hash(world: World, ds: Obj) -> str:
    uid = ds["metadata"].get("uid")
    best, best_rev = "", -1
    for rev in world.cluster.list_live("ControllerRevision", ds["metadata"]["namespace"]):
        owners = rev["metadata"].get("ownerReferences") or []
        if any(o.get("uid") == uid for o in owners) and int(rev.get("revision", 0)) > best_rev:
            best_rev = int(rev.get("revision", 0))
            best = (rev["metadata"].get("labels") or {}).get(DAEMONSET_UNIQUE_LABEL, "")
    return best


def _is_updated(world: World, ds: Obj, pod: Obj, current_hash: str) -> bool:
    """util.IsPodUpdated: same revision hash, or same template generation."""
    labels = pod["metadata"].get("labels") or {}
    generation = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
    return bool((current_hash and labels.get(DAEMONSET_UNIQUE_LABEL) == current_hash)
                or (generation and labels.get(TEMPLATE_GENERATION_LABEL) == generation))


def _revision_images(world: World, ds: Obj) -> dict[str, list[str]]:
    """Per revision hash of the DaemonSet, the container images its template gives the
    pods it makes (the ControllerRevision's template, as the controller stored it)."""
    uid = ds["metadata"].get("uid")
    images: dict[str, list[str]] = {}
    for rev in world.cluster.list_live("ControllerRevision", ds["metadata"]["namespace"]):
        if not any(o.get("uid") == uid for o in rev["metadata"].get("ownerReferences") or []):
            continue
        template = ((rev.get("data") or {}).get("spec") or {}).get("template") or {}
        containers = (template.get("spec") or {}).get("containers") or []
        label = (rev["metadata"].get("labels") or {}).get(DAEMONSET_UNIQUE_LABEL)
        if label:
            images[label] = [str(c.get("image")) for c in containers]
    return images


def _edited_by_hand(pod: Obj, images: list[str], made: dict[str, list[str]]) -> bool:
    """Whether a pod runs other images than its DaemonSet revision gave it: a user set
    them on the pod itself (a pod's image may change in place; the kubelet restarts the
    container), which the DaemonSet neither did nor would do on a new node."""
    revision = (pod["metadata"].get("labels") or {}).get(DAEMONSET_UNIQUE_LABEL)
    expected = made.get(revision) if revision else None
    return expected is not None and expected != images


def _template_image(ds: Obj) -> str:
    containers = ds["spec"]["template"].get("spec", {}).get("containers") or [{}]
    return str(containers[0].get("image", ""))


def _rolling(ds: Obj) -> bool:
    """Whether a RollingUpdate will replace old pods by itself (OnDelete never does)."""
    return (ds["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate") != "OnDelete"


def pods_on_nodes(world: World, p: Mapping[str, Any]) -> Outcome:
    name, ns = str(p["daemonset"]), _ns(p)
    world.cluster.settle()
    ds = world.cluster.find("DaemonSet", ns, name)
    if ds is None:
        return Outcome(False, f"DaemonSet {name} does not exist in namespace {ns} yet",
                       (("nodes", _node_words(p), "<no DaemonSet>"),))
    by_node: dict[str, list[Obj]] = {}
    terminating: set[str] = set()
    for pod in world.cluster.pods_of(name, ns):
        node = pod["spec"].get("nodeName") or target_node_name(pod)
        if pod["metadata"].get("deletionTimestamp"):
            terminating.add(node)
        else:
            by_node.setdefault(node, []).append(pod)
    expected = expected_nodes(world, p)
    have = sorted(by_node)
    missing = [n for n in expected if n not in by_node]
    # subset: the named nodes are checked, pods elsewhere are not this check's business
    extra = [] if p.get("subset") else [n for n in have if n not in expected]
    problems = _grouped([_why_missing(world, ds, n, terminating) for n in missing])
    # A pod on a node it should leave is transient only while it is on its way out.
    problems += [(_why_extra(world, ds, n), False) for n in extra]
    if p.get("ready"):
        waiting: dict[str, list[str]] = {}
        for node in expected:
            for pod in by_node.get(node, []):
                if not is_pod_ready(pod):
                    waiting.setdefault(pod_state(pod), []).append(node)
        for state, nodes in waiting.items():
            which = (f"the pod on {nodes[0]} is" if len(nodes) == 1
                     else f"the pods on {', '.join(nodes)} are")
            problems.append((f"{which} {state}, not Ready yet", state not in STUCK_STATES))
    if p.get("node_ip"):  # hostNetwork: the pod's IP is its node's InternalIP
        for node in expected:
            node_obj = world.cluster.find("Node", "", node)
            addresses = (node_obj or {}).get("status", {}).get("addresses") or []
            internal = next((a.get("address") for a in addresses
                             if a.get("type") == "InternalIP"), None)
            for pod in by_node.get(node, []):
                ip = (pod.get("status") or {}).get("podIP")
                if ip != internal:
                    problems.append((f"the pod on {node} has IP {ip or '<none>'}, not the "
                                     f"node's {internal or '<none>'}", ip is None))
    if p.get("state"):  # e.g. ImagePullBackOff: what a lesson's text says a pod shows
        for node in expected:
            for pod in by_node.get(node, []):
                if pod_state(pod) != p["state"]:
                    problems.append((f"the pod on {node} is {pod_state(pod)}, not "
                                     f"{p['state']}", False))
    if p.get("image"):
        running: dict[str, list[str]] = {}
        by_hand: list[str] = []
        made = _revision_images(world, ds)
        for node in expected:
            for pod in by_node.get(node, []):
                images = [str(c.get("image")) for c in pod["spec"].get("containers") or []]
                if p["image"] not in images:
                    running.setdefault(", ".join(images), []).append(node)
                elif _edited_by_hand(pod, images, made):
                    by_hand.append(node)
        rolling = _template_image(ds) == p["image"]
        wanted = "the image the task asks for" if world.exam else p["image"]
        for images_text, nodes in running.items():
            which = (f"the pod on {nodes[0]} runs" if len(nodes) == 1
                     else f"the pods on {', '.join(nodes)} run")
            problems.append((f"{which} {images_text}, not {wanted}", rolling))
        if by_hand:
            # The image is right, but only because the pod itself was changed: the claim
            # is about what the DaemonSet runs, and its template still says otherwise.
            text = (f"the pod on {by_hand[0]} got its image from a change to the pod "
                    "itself" if len(by_hand) == 1 else
                    f"the pods on {', '.join(by_hand)} got their images from changes to "
                    "the pods themselves")
            problems.append((f"{text}, not from {name}'s template", False))
    if p.get("updated"):
        current = _current_hash(world, ds)
        stale = [n for n in expected for pod in by_node.get(n, [])
                 if not _is_updated(world, ds, pod, current)]
        if stale:
            problems.append((f"{', '.join(stale)} still {'runs' if len(stale) == 1 else 'run'}"
                             " a pod from the old template", _rolling(ds)))
    runs = ", ".join(have) if have else "no node"
    compared = (("nodes", ", ".join(expected) or "<none>", ", ".join(have) or "<none>"),)
    if problems:
        return Outcome(False, f"{name} runs on {runs}; " + "; ".join(t for t, _ in problems),
                       compared, transient=all(w for _, w in problems))
    return Outcome(True, f"{name} runs on {runs}", compared)
