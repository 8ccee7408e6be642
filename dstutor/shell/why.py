"""`why`: every gate that decides whether a DaemonSet's pod runs on a node, in plain words.

The DaemonSet controller's own gates come from node_should_run_daemon_pod(explain=True)
(template nodeName, nodeSelector/affinity, taints against tolerations). The controller
ignores cordoning, node readiness and resources; those belong to the scheduler, the
node lifecycle controller and the kubelet, so they are added here from node state.
"""

from __future__ import annotations

import textwrap

from dstutor.controller.network import waits_for_network
from dstutor.controller.placement import daemon_pod_spec, node_should_run_daemon_pod
from dstutor.controller.scheduler import (
    filter_node,
    host_ports,
    pod_requests,
    resource_amount,
)
from dstutor.errors import DstutorError
from dstutor.model.objects import (
    Obj,
    controller_ref,
    is_node_ready,
    is_pod_ready,
    is_terminating,
    node_condition,
    target_node_name,
)
from dstutor.model.podaffinity import interpod_failure, required_terms, uses_pod_affinity
from dstutor.model.priority import pod_priority
from dstutor.model.selectors import node_selector_requirement_matches
from dstutor.render.podstatus import pod_status_and_counts
from dstutor.sim.cluster import Cluster

YES, NO = "✓", "✗"
GATE_LABELS = {"nodeName": "template nodeName", "nodeAffinity": "node selector/affinity",
               "taint": "taint"}
NOT_FOUND_ERR = ('error: no pod, node or DaemonSet named "{name}" (try `kubectl get nodes` '
                 'or `kubectl get pods -A`)')


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _ds_label(ds: Obj) -> str:
    return f"{ds['metadata']['namespace']}/{ds['metadata']['name']}"


# A quantity past a float's range ("1e400") is valid to the server; say it in words.
_HUGE = "more than 1e308"


def _fmt_cpu(millis: int) -> str:
    """Millicores (the scheduler's unit) as a learner writes them: 500m, 2, 1.5."""
    try:
        return f"{millis / 1000:g}" if millis >= 1000 else f"{millis}m"
    except OverflowError:
        return _HUGE


def _fmt_mem(value: int) -> str:
    try:
        for unit, size in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
            if value >= size:
                return f"{value / size:.3g}{unit}"
        return f"{value:g}"
    except OverflowError:
        return _HUGE


def _resource_line(cluster: Cluster, ds: Obj, node: Obj, spec: Obj) -> tuple[bool, str]:
    """Would the scheduler find room for this DaemonSet's pod on the node?"""
    node_name = node["metadata"]["name"]
    ds_uid = ds["metadata"].get("uid")
    others = [p for p in cluster.store.pods_on_node(node_name)
              if (controller_ref(p) or {}).get("uid") != ds_uid]
    # Resource fit only: the gates above already covered affinity and taints, and the
    # host-ports line covers NodePorts.
    probe_node = {**node, "spec": {**node.get("spec", {}), "unschedulable": False,
                                   "taints": []}}
    probe = {"spec": {k: v for k, v in spec.items() if k not in ("affinity", "nodeSelector")}}
    probe["spec"]["containers"] = [{k: v for k, v in c.items() if k != "ports"}
                                   for c in spec.get("containers") or []]
    reason = filter_node(probe, probe_node, others)
    wanted = pod_requests(probe)
    asked = []
    if wanted["cpu"]:
        asked.append(f"cpu {_fmt_cpu(wanted['cpu'])}")
    if wanted["memory"]:
        asked.append(f"memory {_fmt_mem(wanted['memory'])}")
    allocatable = node.get("status", {}).get("allocatable") or {}
    if reason is None:
        what = f"requests {', '.join(asked)}" if asked else "no resource requests"
        return True, f"resources: fits ({what}; {len(others)} other pod(s) on the node)"
    free = ""
    if reason.startswith("Insufficient "):
        res = reason.split()[-1]
        used = sum(pod_requests(p)[res] for p in others)
        total = resource_amount(res, allocatable.get(res, "0"))
        fmt = _fmt_cpu if res == "cpu" else _fmt_mem
        free = f": the pod requests {fmt(wanted[res])}, only {fmt(max(total - used, 0))} free"
    return False, (f"resources: {reason}{free} -> {_preemption_words(cluster, spec, others)}")


def _preemption_words(cluster: Cluster, spec: Obj, others: list[Obj]) -> str:
    """What preemption could do about a node without room for the daemon pod."""
    name = spec.get("priorityClassName") or ""
    pc = cluster.store.get("PriorityClass", "", name) if name else None
    mine = int((pc or {}).get("value") or 0)
    if spec.get("preemptionPolicy") == "Never" or (pc or {}).get("preemptionPolicy") == "Never":
        return "the scheduler leaves the pod Pending (preemptionPolicy Never)"
    lower = [p for p in others if pod_priority(p) < mine and not is_terminating(p)]
    if lower:
        return (f"the scheduler may preempt lower-priority pods here ({len(lower)} with a "
                f"priority below {mine})")
    return (f"the scheduler leaves the pod Pending: no pod here has a priority below "
            f"{mine}, so preemption cannot help")


def _ports_text(ports: list[tuple[str, str, int]]) -> str:
    return ", ".join(f"{port}/{proto}" + ("" if ip == "0.0.0.0" else f" on {ip}")
                     for proto, ip, port in ports)


def _host_ports_line(cluster: Cluster, ds: Obj, node: Obj, spec: Obj) -> tuple[bool, str]:
    """The scheduler's NodePorts filter: a host port is one per node, so a second pod that
    asks for it (another workload's, or this DaemonSet's own surge pod while the old one
    still runs) stays Pending."""
    wanted = host_ports({"spec": spec})
    if not wanted:
        return True, "host ports: the pod asks for none"
    node_name = node["metadata"]["name"]
    ds_uid = ds["metadata"].get("uid")
    holders: list[tuple[Obj, list[tuple[str, str, int]]]] = []
    for pod in cluster.store.pods_on_node(node_name):
        if (pod["spec"].get("nodeName") != node_name
                or pod.get("status", {}).get("phase") in ("Succeeded", "Failed")):
            continue
        clash = [(proto, ip, port) for proto, ip, port in host_ports(pod)
                 if any(proto == wp and port == wport and (ip == wip or "0.0.0.0" in (ip, wip))
                        for wp, wip, wport in wanted)]
        if clash:
            holders.append((pod, clash))
    foreign = [(p, c) for p, c in holders if (controller_ref(p) or {}).get("uid") != ds_uid]
    waiting = [p for p in _pods_here(cluster, ds, node_name)
               if not p["spec"].get("nodeName") and not is_terminating(p)]
    asks = f"host ports: the pod asks for {_ports_text(wanted)}"
    if foreign:
        pod, clash = foreign[0]
        return False, (f"{asks}; pod {pod['metadata']['namespace']}/{pod['metadata']['name']} "
                       f"holds {_ports_text(clash)} (NodePorts) -> the scheduler leaves the "
                       "pod Pending")
    if holders and waiting:
        pod = holders[0][0]
        return False, (f"{asks}; this DaemonSet's old pod {pod['metadata']['name']} still "
                       f"holds {_ports_text(holders[0][1])}, so the new pod cannot be "
                       "scheduled beside it (NodePorts) and the rollout is stuck here: with "
                       "host ports use maxUnavailable, not maxSurge")
    if holders:
        return True, f"{asks}; held by this DaemonSet's own pod {holders[0][0]['metadata']['name']}"
    return True, f"{asks}; free on this node"


def _expression_text(expr: Obj, node: Obj) -> str:
    key, op = expr.get("key", ""), expr.get("operator", "")
    values = expr.get("values") or []
    wanted = f"{key} {op}" + (f" [{', '.join(map(str, values))}]" if values else "")
    labels = node["metadata"].get("labels") or {}
    have = f"node has {key}={labels[key]}" if key in labels else f"node has no label {key}"
    passed = node_selector_requirement_matches(expr, labels)
    return f"{YES if passed else NO} {wanted} ({have})"


def _field_text(field: Obj, node: Obj) -> str:
    name = node["metadata"]["name"]
    values = field.get("values") or []
    op = field.get("operator", "")
    passed = (name in values) if op == "In" else (name not in values) if op == "NotIn" else False
    return f"{YES if passed else NO} {field.get('key')} {op} [{', '.join(values)}]"


def _affinity_lines(spec: Obj, node: Obj) -> list[str]:
    """Each required node-affinity term and expression: which ones this node meets."""
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        return []
    lines = ["      required node affinity (one term must match in full):"]
    for i, term in enumerate(terms, start=1):
        parts = [_expression_text(e, node) for e in term.get("matchExpressions") or []]
        parts += [_field_text(f, node) for f in term.get("matchFields") or []]
        lines.append(f"        term {i}: " + ("; ".join(parts) or "empty (matches nothing)"))
    return lines


def _node_state_lines(cluster: Cluster, node: Obj) -> list[tuple[bool, str]]:
    name = node["metadata"]["name"]
    lines: list[tuple[bool, str]] = []
    if node.get("spec", {}).get("unschedulable"):
        lines.append((True, "cordoned (unschedulable): DaemonSet pods tolerate "
                      "node.kubernetes.io/unschedulable automatically, so cordoning does "
                      "not keep them away"))
    else:
        lines.append((True, "not cordoned"))
    alive = cluster.node_is_up(name)
    ready = node_condition(node, "Ready") or {}
    status = ready.get("status", "Unknown")
    if is_node_ready(node) and alive:
        lines.append((True, "Ready: the kubelet is reporting and starts pods bound here"))
    elif is_node_ready(node):
        grace = cluster.timing["nodeMonitorGracePeriodSeconds"]
        lines.append((False, "the kubelet stopped reporting: pods bound here do not start; "
                      f"the node turns NotReady after {grace:g}s"))
    elif alive and waits_for_network(node):
        lines.append((False, f"NotReady (Ready={status}): no pod network yet (cni plugin not "
                      "initialized); until a CNI agent runs here only pods that tolerate "
                      "not-ready:NoSchedule and use hostNetwork can start"))
    elif alive:
        lines.append((False, f"NotReady (Ready={status}): the node is still starting; "
                      "until it is Ready its not-ready:NoSchedule taint keeps new pods off"))
    else:
        lines.append((False, f"NotReady (Ready={status}): the kubelet is not reporting, so "
                      "pods bound here do not start; DaemonSet pods tolerate the not-ready and "
                      "unreachable NoExecute taints, so running ones are not evicted"))
    return lines


def _pods_here(cluster: Cluster, ds: Obj, node_name: str) -> list[Obj]:
    ds_uid = ds["metadata"].get("uid")
    return [p for p in cluster.store.pods_on_node(node_name)
            if (controller_ref(p) or {}).get("uid") == ds_uid]


def _wrap(line: str, width: int) -> str:
    """Fold a long line under its own indentation, past the ✓/✗ marker."""
    text = line.lstrip()
    indent = " " * (len(line) - len(text))
    hang = indent + "  "
    return textwrap.fill(text, width=max(width, 40), initial_indent=indent,
                         subsequent_indent=hang, break_long_words=False,
                         break_on_hyphens=False)


def _interpod_line(cluster: Cluster, ds: Obj, node: Obj, spec: Obj) -> tuple[bool, str] | None:
    """The scheduler's InterPodAffinity filter for this DaemonSet's pod on the node, when
    the template or a running pod has required pod (anti-)affinity; else None."""
    probe = {"metadata": {"namespace": ds["metadata"]["namespace"],
                          "labels": (ds["spec"]["template"].get("metadata") or {}).get(
                              "labels") or {}},
             "spec": spec}
    if not uses_pod_affinity(probe) and not cluster.scheduler.anti_affinity:
        return None
    node_name = node["metadata"]["name"]
    ds_uid = ds["metadata"].get("uid")
    placed = [(p, cluster.store.get("Node", "", p["spec"]["nodeName"]))
              for p in cluster.store.list("Pod") if p["spec"].get("nodeName")
              and not (p["spec"]["nodeName"] == node_name
                       and (controller_ref(p) or {}).get("uid") == ds_uid)]
    ns_labels = {n["metadata"]["name"]: n["metadata"].get("labels") or {}
                 for n in cluster.store.list("Namespace")}
    failure = interpod_failure(probe, node, placed, ns_labels)
    if failure:
        return False, f"pod affinity: {failure} -> the scheduler leaves the pod Pending"
    keys = {t.get("topologyKey") for t in required_terms(probe, "podAntiAffinity")}
    if keys == {"kubernetes.io/hostname"}:
        return True, ("pod anti-affinity: met; per kubernetes.io/hostname it can never "
                      "bite, a DaemonSet has one pod per node anyway")
    return True, "pod affinity: met"


def explain_pair(cluster: Cluster, node: Obj, ds: Obj, *, width: int = 80) -> str:
    """The full explanation for one node and one DaemonSet."""
    node_name = node["metadata"]["name"]
    spec = daemon_pod_spec(ds)
    placement = node_should_run_daemon_pod(node, ds, spec, explain=True)
    lines = [f"DaemonSet {_ds_label(ds)} on node {node_name}:",
             "  the DaemonSet controller asks:"]
    for gate in placement.gates:
        label = GATE_LABELS.get(gate.name, gate.name)
        lines.append(f"    {YES if gate.passed else NO} {label}: {gate.detail}")
        if gate.name == "nodeAffinity":
            lines += _affinity_lines(spec, node)
    if not spec.get("nodeName") and not any(g.name == "nodeName" for g in placement.gates):
        lines.insert(2, f"    {YES} template nodeName: not set")
    reached_taints = all(g.passed for g in placement.gates if g.name != "taint")
    if reached_taints and not any(g.name == "taint" for g in placement.gates):
        lines.append(f"    {YES} taints: the node has none")
    lines.append("  the scheduler and the kubelet add:")
    facts = _node_state_lines(cluster, node)
    if placement.should_run:
        facts.append(_host_ports_line(cluster, ds, node, spec))
        facts.append(_resource_line(cluster, ds, node, spec))
        interpod = _interpod_line(cluster, ds, node, spec)
        if interpod is not None:
            facts.append(interpod)
    for passed, text in facts:
        lines.append(f"    {YES if passed else NO} {text}")
    lines.append(f"  result: should run: {_yes_no(placement.should_run)}, should keep "
                 f"running: {_yes_no(placement.should_continue_running)}")
    pods = _pods_here(cluster, ds, node_name)
    if pods:
        for pod in pods:
            status = pod_status_and_counts(pod)[0]
            lines.append(f"  pod here: {pod['metadata']['name']} {status}"
                         + _unscheduled_note(pod))
    elif placement.should_run:
        lines.append("  pod here: none yet (the controller creates one at its next sync)")
    else:
        lines.append("  pod here: none")
    if not placement.should_run and placement.should_continue_running and pods:
        lines.append("  a running pod may stay (NoSchedule only blocks new pods)")
    return "\n".join(_wrap(line, width) for line in lines)


def _unscheduled_note(pod: Obj) -> str:
    scheduled = next((c for c in pod.get("status", {}).get("conditions") or []
                      if c.get("type") == "PodScheduled"), None)
    if scheduled and scheduled.get("status") == "False":
        return f" (the scheduler says: {scheduled.get('message', '')})"
    return ""


def _find_pod(cluster: Cluster, name: str, namespace: str) -> Obj | None:
    pod = cluster.find("Pod", namespace, name)
    if pod is not None:
        return pod
    matches = [p for p in cluster.store.list("Pod") if p["metadata"]["name"] == name]
    return matches[0] if len(matches) == 1 else None


def _find_daemonsets(cluster: Cluster, name: str, namespace: str) -> list[Obj]:
    ds = cluster.find("DaemonSet", namespace, name)
    if ds is not None:
        return [ds]
    return [d for d in cluster.store.list("DaemonSet") if d["metadata"]["name"] == name]


def _explain_pod(cluster: Cluster, pod: Obj, width: int) -> str:
    meta = pod["metadata"]
    ref = controller_ref(pod)
    status = pod_status_and_counts(pod)[0]
    head = f"pod {meta['namespace']}/{meta['name']}: {status}"
    if is_terminating(pod):
        head += " (it is being deleted)"
    node_name = target_node_name(pod)
    note = _unscheduled_note(pod)
    if note:
        head += "\n" + _wrap(f"  {note.strip(' ()')}", width)
    ds = cluster.store.by_uid(ref["uid"]) if ref and ref.get("kind") == "DaemonSet" else None
    node = cluster.find("Node", "", node_name) if node_name else None
    if ds is None:
        return head + "\n  it has no DaemonSet controlling it, so only the scheduler decides"
    if node is None:
        return head + f"\n  its node {node_name or '(none)'} no longer exists"
    return head + "\n" + explain_pair(cluster, node, ds, width=width)


def explain(cluster: Cluster, targets: list[str], *, namespace: str = "default",
            width: int = 80, counts: bool = False) -> str:
    """`why`, `why NODE`, `why NODE DS`, `why POD`, `why DS`: one paragraph per pair.
    `counts` (a big cluster's): `why` alone gives each DaemonSet's counts instead, and
    `why DS` its counts and the nodes where it is not running and ready."""
    cluster.settle()
    nodes = cluster.store.list("Node")
    all_ds = cluster.store.list("DaemonSet")
    if counts and not targets and nodes and all_ds:
        return _counts(nodes, all_ds, width)
    chosen_nodes, chosen_ds = nodes, all_ds
    if targets:
        kind, _, name = targets[0].rpartition("/")
        kind = kind.lower()
        node = cluster.find("Node", "", name) if kind in ("", "node", "nodes", "no") else None
        pod = _find_pod(cluster, name, namespace) if kind in ("", "pod", "pods", "po") else None
        by_name = (_find_daemonsets(cluster, name, namespace)
                   if kind in ("", "ds", "daemonset", "daemonsets") else [])
        if node is not None:
            chosen_nodes = [node]
        elif pod is not None and len(targets) == 1:
            return _explain_pod(cluster, pod, width) + "\n"
        elif by_name and len(targets) == 1:
            if counts:
                return _unusual_nodes(cluster, nodes, by_name, width)
            chosen_ds = by_name
        else:
            raise DstutorError(NOT_FOUND_ERR.format(name=targets[0]))
        if len(targets) > 1:
            chosen_ds = _find_daemonsets(cluster, targets[1].rpartition("/")[2], namespace)
            if not chosen_ds:
                raise DstutorError(f'error: no DaemonSet named "{targets[1]}" '
                                   "(try `kubectl get ds -A`)")
    if not chosen_ds:
        return "There are no DaemonSets yet, so nothing decides placement.\n"
    if not chosen_nodes:
        return "There are no nodes, so no DaemonSet pod can run anywhere.\n"
    parts = [explain_pair(cluster, node, ds, width=width)
             for ds in chosen_ds for node in chosen_nodes]
    return "\n\n".join(parts) + "\n"


def _counts(nodes: list[Obj], daemonsets: list[Obj], width: int) -> str:
    """`why` alone on a big cluster: each DaemonSet as its controller counts it (its
    status), and how to ask about one pair or all of them."""
    lines = [f"{len(nodes) * len(daemonsets):,} DaemonSet-node pairs ({len(nodes):,} nodes x "
             f"{len(daemonsets):,} DaemonSets): too many to explain one by one here. Each "
             "DaemonSet as its controller counts it (`kubectl get ds -A`):"]
    for ds in daemonsets:
        desired, current, ready, misscheduled = _status_counts(ds)
        lines.append(f"  {_ds_label(ds)}: should run on {desired} nodes; a pod on {current}, "
                     f"ready on {ready}; on {misscheduled} where it should not run")
    lines.append("`why NODE`, `why POD` or `why DAEMONSET` explains them; `why --all` "
                 "explains every pair.")
    return "\n".join(_wrap(line, width) for line in lines) + "\n"


def _status_counts(ds: Obj) -> tuple[str, str, str, str]:
    """A DaemonSet's counts as its status has them (desired, current, ready,
    misscheduled), written with thousands separators."""
    status = ds.get("status") or {}
    return tuple(f"{status.get(field, 0):,}" for field in (  # type: ignore[return-value]
        "desiredNumberScheduled", "currentNumberScheduled", "numberReady",
        "numberMisscheduled"))


# How many of a DaemonSet's unusual nodes `why DS` on a big cluster explains in full.
UNUSUAL_NODES_SHOWN = 20


def _unusual_nodes(cluster: Cluster, nodes: list[Obj], daemonsets: list[Obj],
                   width: int) -> str:
    """`why DS` on a big cluster: the DaemonSet's counts, then the pairs worth reading:
    the nodes where it should not run, or should and has no pod there that is ready."""
    parts = []
    for ds in daemonsets:
        spec = daemon_pod_spec(ds)
        unusual = []
        for node in nodes:
            pods = _pods_here(cluster, ds, node["metadata"]["name"])
            usual = (node_should_run_daemon_pod(node, ds, spec).should_run and pods
                     and all(is_pod_ready(p) and not is_terminating(p) for p in pods))
            if not usual:
                unusual.append(node)
        desired, current, ready, misscheduled = _status_counts(ds)
        head = (f"DaemonSet {_ds_label(ds)} on {len(nodes):,} nodes: should run on {desired}, "
                f"a pod on {current}, ready on {ready}, misscheduled on {misscheduled}. ")
        if not unusual:
            head += "It runs, ready, on every node it should and on no other."
        else:
            which = ("The node" if len(unusual) == 1 else
                     f"The {len(unusual):,} nodes" if len(unusual) <= UNUSUAL_NODES_SHOWN else
                     f"The first {UNUSUAL_NODES_SHOWN} of the {len(unusual):,} nodes")
            head += f"{which} where it should not run or has no ready pod:"
        lines = [_wrap(head, width)]
        lines += [explain_pair(cluster, node, ds, width=width)
                  for node in unusual[:UNUSUAL_NODES_SHOWN]]
        lines.append(_wrap(f"`why --all {ds['metadata']['name']}` explains every node.", width))
        parts.append("\n\n".join(lines))
    return "\n\n".join(parts) + "\n"
