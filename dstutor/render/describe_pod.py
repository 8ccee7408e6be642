"""`kubectl describe pod`."""

from __future__ import annotations

import re

from dstutor.model.quantity import Quantity, quantity_or_zero
from dstutor.render._gofmt import quote
from dstutor.render.describe_common import (
    DescribeWriter,
    Obj,
    controlled_by,
    describe_events,
    meta,
    print_annotations,
    print_labels,
    print_tolerations,
)
from dstutor.render.describe_containers import (
    EnvResolver,
    describe_containers,
    describe_pod_template,
    describe_resources,
    describe_topology_spread,
    describe_volumes,
)
from dstutor.render.humanize import age, rfc1123z

__all__ = ["describe_pod", "describe_pod_template", "pod_qos_class"]


# --- pods ----------------------------------------------------------------------

_SUBSCRIPT = re.compile(r"metadata\.(labels|annotations)\['(.*)'\]")


def _format_map(values: dict[str, str]) -> str:
    return "\n".join(f"{k}={quote(values[k])}" for k in sorted(values))


def _field_resolver(pod: Obj) -> EnvResolver:
    """EnvValueRetriever: kubectl only resolves metadata fields; anything else shows ""."""

    def resolve(ref: Obj) -> str:
        path = str(ref.get("fieldPath", ""))
        m = meta(pod)
        sub = _SUBSCRIPT.fullmatch(path)
        if sub:
            return str((m.get(sub[1]) or {}).get(sub[2], ""))
        if path in ("metadata.labels", "metadata.annotations"):
            return _format_map(m.get(path.split(".")[1]) or {})
        if path in ("metadata.name", "metadata.namespace", "metadata.uid"):
            return str(m.get(path.split(".")[1], ""))
        return ""

    return resolve


def _qos_total(pod: Obj, field: str) -> dict[str, Quantity]:
    total: dict[str, Quantity] = {}
    spec = pod.get("spec") or {}
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        for name, raw in ((container.get("resources") or {}).get(field) or {}).items():
            quantity = quantity_or_zero(raw)
            if name in ("cpu", "memory") and quantity.value > 0:
                total[name] = total[name] + quantity if name in total else quantity
    return total


def pod_qos_class(pod: Obj) -> str:
    """qos.GetPodQOS: the status field when set, otherwise computed from the containers."""
    status_class = (pod.get("status") or {}).get("qosClass")
    if status_class:
        return str(status_class)
    requests, limits = _qos_total(pod, "requests"), _qos_total(pod, "limits")
    if not requests and not limits:
        return "BestEffort"
    spec = pod.get("spec") or {}
    guaranteed = all(
        {"cpu", "memory"} <= {n for n, q in ((c.get("resources") or {}).get("limits") or {}).items()
                              if quantity_or_zero(q).value > 0}
        for c in (spec.get("containers") or []) + (spec.get("initContainers") or []))
    if guaranteed and all(name in limits and limits[name].value == q.value
                          for name, q in requests.items()) and len(requests) == len(limits):
        return "Guaranteed"
    return "Burstable"


def describe_pod(pod: Obj, events: list[Obj] | None, now: float) -> str:
    """`kubectl describe pod`; pass the pod's events (None omits the Events section)."""
    w = DescribeWriter()
    m, spec, status = meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    w.write(0, f"Name:\t{m.get('name', '')}\n")
    w.write(0, f"Namespace:\t{m.get('namespace', '')}\n")
    if spec.get("priority") is not None:
        w.write(0, f"Priority:\t{spec['priority']}\n")
    for key, title in (("priorityClassName", "Priority Class Name"),
                       ("runtimeClassName", "Runtime Class Name"),
                       ("serviceAccountName", "Service Account")):
        if spec.get(key):
            w.write(0, f"{title}:\t{spec[key]}\n")
    node = spec.get("nodeName")
    w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else "Node:\t<none>\n")
    if status.get("startTime"):
        w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    if m.get("deletionTimestamp") and status.get("phase") not in ("Failed", "Succeeded"):
        w.write(0, f"Status:\tTerminating (lasts {age(m['deletionTimestamp'], now)})\n")
        w.write(0, f"Termination Grace Period:\t{m.get('deletionGracePeriodSeconds', 0)}s\n")
    else:
        w.write(0, f"Status:\t{status.get('phase', '')}\n")
    for key in ("reason", "message"):
        if status.get(key):
            w.write(0, f"{key.capitalize()}:\t{status[key]}\n")
    seccomp = (spec.get("securityContext") or {}).get("seccompProfile")
    if seccomp is not None:
        w.write(0, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
        if seccomp.get("type") == "Localhost":
            w.write(0, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
    w.write(0, f"IP:\t{status.get('podIP', '')}\n")
    ips = status.get("podIPs") or []
    if not ips:
        w.write(0, "IPs:\t<none>\n")
    else:
        w.write(0, "IPs:\n")
        for ip in ips:
            w.write(1, f"IP:\t{ip.get('ip', '')}\n")
    if controlled_by(pod):
        w.write(0, f"Controlled By:\t{controlled_by(pod)}\n")
    if status.get("nominatedNodeName"):
        w.write(0, f"NominatedNodeName:\t{status['nominatedNodeName']}\n")
    if spec.get("resources") is not None:
        w.write(0, "Resources:\n")
        describe_resources(w, spec["resources"], 1)
    resolve = _field_resolver(pod)
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"],
                            status.get("initContainerStatuses"), resolve, "")
    describe_containers(w, "Containers", spec.get("containers") or [],
                        status.get("containerStatuses"), resolve, "")
    if spec.get("ephemeralContainers"):
        describe_containers(w, "Ephemeral Containers", spec["ephemeralContainers"],
                            status.get("ephemeralContainerStatuses"), resolve, "")
    conditions = status.get("conditions") or []
    if spec.get("readinessGates"):
        w.write(0, "Readiness Gates:\n  Type\tStatus\n")
        for gate in spec["readinessGates"]:
            found = next((c for c in conditions if c.get("type") == gate.get("conditionType")),
                         None)
            shown = found.get("status", "") if found is not None else "<none>"
            w.write(1, f"{gate.get('conditionType', '')} \t{shown} \n")
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\n")
        for cond in conditions:
            w.write(1, f"{cond.get('type', '')} \t{cond.get('status', '')} \n")
    describe_volumes(w, spec.get("volumes") or [], "")
    w.write(0, f"QoS Class:\t{pod_qos_class(pod)}\n")
    print_labels(w, "Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "Tolerations", spec.get("tolerations"))
    describe_topology_spread(w, spec.get("topologySpreadConstraints") or [], "")
    if events is not None:
        describe_events(w, events, now)
    return w.text()

