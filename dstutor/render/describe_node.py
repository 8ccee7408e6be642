"""`kubectl describe node`: conditions, capacity, system info and the pods it runs."""

from __future__ import annotations

import math
from typing import Any

from dstutor.model.quantity import Quantity, quantity_or_zero
from dstutor.render.columns import node_roles
from dstutor.render.describe_common import (
    DescribeWriter,
    Obj,
    describe_events,
    meta,
    print_annotations,
    print_labels,
    print_taints,
)
from dstutor.render.humanize import age, rfc1123z

_STANDARD = ("cpu", "memory", "ephemeral-storage")
_MIN_INT64 = -(2**63)


def _go_int64(value: float) -> int:
    """Go's int64(f) on amd64: NaN, infinities and overflow all give MinInt64."""
    if math.isnan(value) or math.isinf(value) or not -(2**63) <= value < 2**63:
        return _MIN_INT64
    return int(value)


def _percent(part: int, whole: int) -> int:
    if whole == 0:
        return _go_int64(math.nan if part == 0 else math.copysign(math.inf, part))
    return _go_int64(float(part) / float(whole) * 100)


def _add_into(total: dict[str, Quantity], items: dict[str, Quantity]) -> None:
    for name, quantity in items.items():
        total[name] = total[name] + quantity if name in total else quantity


def _max_into(total: dict[str, Quantity], items: dict[str, Quantity]) -> None:
    for name, quantity in items.items():
        if name not in total or quantity.value > total[name].value:
            total[name] = quantity


def pod_resources(pod: Obj, field: str) -> dict[str, Quantity]:
    """resourcehelper.PodRequests / PodLimits: containers summed, init containers as a floor."""
    spec = pod.get("spec") or {}
    pod_level = (spec.get("resources") or {}).get(field)
    if pod_level:
        return {k: quantity_or_zero(v) for k, v in pod_level.items()}

    def of(container: Obj) -> dict[str, Quantity]:
        values = (container.get("resources") or {}).get(field) or {}
        return {k: quantity_or_zero(v) for k, v in values.items()}

    total: dict[str, Quantity] = {}
    for container in spec.get("containers") or []:
        _add_into(total, of(container))
    sidecars: dict[str, Quantity] = {}
    init_floor: dict[str, Quantity] = {}
    for container in spec.get("initContainers") or []:
        own = of(container)
        if container.get("restartPolicy") == "Always":
            _add_into(total, own)
            _add_into(sidecars, own)
            candidate = dict(sidecars)
        else:
            candidate = dict(own)
            _add_into(candidate, sidecars)
        _max_into(init_floor, candidate)
    _max_into(total, init_floor)
    overhead = spec.get("overhead") or {}
    _add_into(total, {k: quantity_or_zero(v) for k, v in overhead.items()})
    return total


def _describe_lease(w: DescribeWriter, node: Obj, lease: Obj | None) -> None:
    if lease is None:
        # Without a Lease object, show what a healthy kubelet's lease would hold.
        ready: Obj = next((c for c in (node.get("status") or {}).get("conditions") or []
                           if c.get("type") == "Ready"), {})
        lease = {"spec": {"holderIdentity": meta(node).get("name", ""),
                          "renewTime": ready.get("lastHeartbeatTime")}}
    spec = lease.get("spec") or {}
    w.write(0, "Lease:\n")
    holder = spec.get("holderIdentity")
    w.write(1, f"HolderIdentity:\t{'<unset>' if holder is None else holder}\n")
    for key, title in (("acquireTime", "AcquireTime"), ("renewTime", "RenewTime")):
        value = spec.get(key)
        w.write(1, f"{title}:\t{rfc1123z(value) if value else '<unset>'}\n")


def _allocated(w: DescribeWriter, pods: list[Obj], allocatable: dict[str, Quantity]) -> None:
    w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
               "overcommitted.)\n")
    w.write(1, "Resource\tRequests\tLimits\n")
    w.write(1, "--------\t--------\t------\n")
    requests: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}
    for pod in pods:
        _add_into(requests, pod_resources(pod, "requests"))
        _add_into(limits, pod_resources(pod, "limits"))
    zero = Quantity()
    for name in _STANDARD:
        req, lim = requests.get(name, zero), limits.get(name, zero)
        whole = allocatable.get(name, zero)
        if name == "cpu":
            parts = (req.milli_value(), lim.milli_value(), whole.milli_value())
        else:
            parts = (req.int_value(), lim.int_value(), whole.int_value())
        pct_req = _percent(parts[0], parts[2]) if parts[2] else 0
        pct_lim = _percent(parts[1], parts[2]) if parts[2] else 0
        w.write(1, f"{name}\t{req} ({pct_req}%)\t{lim} ({pct_lim}%)\n")
    huge = sorted(n for n in allocatable if n.startswith("hugepages-"))
    extended = sorted(n for n in allocatable if n not in _STANDARD and n != "pods"
                      and not n.startswith("hugepages-"))
    for name in huge:
        req, lim = requests.get(name, zero), limits.get(name, zero)
        size = allocatable[name].int_value()
        pct_req = _percent(req.int_value(), size) if size else 0
        pct_lim = _percent(lim.int_value(), size) if size else 0
        w.write(1, f"{name}\t{req} ({pct_req}%)\t{lim} ({pct_lim}%)\n")
    for name in extended:
        w.write(1, f"{name}\t{requests.get(name, zero)}\t{limits.get(name, zero)}\n")


def _node_pods(w: DescribeWriter, node: Obj, pods: list[Obj], now: float) -> None:
    status = node.get("status") or {}
    source = status.get("allocatable") or status.get("capacity") or {}
    allocatable = {k: quantity_or_zero(v) for k, v in source.items()}
    zero = Quantity()
    cpu, memory = allocatable.get("cpu", zero), allocatable.get("memory", zero)
    w.write(0, f"Non-terminated Pods:\t({len(pods)} in total)\n")
    w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits"
               "\tAge\n")
    w.write(1, "---------\t----\t\t------------\t----------\t---------------\t-------------"
               "\t---\n")
    for pod in pods:
        req, lim = pod_resources(pod, "requests"), pod_resources(pod, "limits")
        cpu_req, cpu_lim = req.get("cpu", zero), lim.get("cpu", zero)
        mem_req, mem_lim = req.get("memory", zero), lim.get("memory", zero)
        cells = [
            f"{cpu_req} ({_percent(cpu_req.milli_value(), cpu.milli_value())}%)",
            f"{cpu_lim} ({_percent(cpu_lim.milli_value(), cpu.milli_value())}%)",
            f"{mem_req} ({_percent(mem_req.int_value(), memory.int_value())}%)",
            f"{mem_lim} ({_percent(mem_lim.int_value(), memory.int_value())}%)",
        ]
        m = meta(pod)
        w.write(1, f"{m.get('namespace', '')}\t{m.get('name', '')}\t\t" + "\t".join(cells)
                   + f"\t{age(m.get('creationTimestamp'), now)}\n")
    _allocated(w, pods, allocatable)


def describe_node(node: Obj, pods: list[Obj], events: list[Obj] | None, now: float, *,
                  lease: Obj | None = None) -> str:
    """`kubectl describe node`.

    `pods` may be every pod: those bound to the node and not Succeeded/Failed are kept,
    in the order given. Without a `lease`, one renewed at the Ready heartbeat is shown.
    """
    w = DescribeWriter()
    m, spec, status = meta(node), node.get("spec") or {}, node.get("status") or {}
    w.write(0, f"Name:\t{m.get('name', '')}\n")
    w.write(0, f"Roles:\t{','.join(node_roles(node)) or '<none>'}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    w.write(0, f"CreationTimestamp:\t{rfc1123z(m.get('creationTimestamp'))}\n")
    print_taints(w, "Taints", spec.get("taints"))
    w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
    _describe_lease(w, node, lease)
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason"
                   "\tMessage\n")
        w.write(1, "----\t------\t-----------------\t------------------\t------\t-------\n")
        for c in conditions:
            w.write(1, f"{c.get('type', '')} \t{c.get('status', '')} \t"
                       f"{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                       f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t"
                       f"{c.get('message', '')}\n")
    w.write(0, "Addresses:\n")
    for address in status.get("addresses") or []:
        w.write(1, f"{address.get('type', '')}:\t{address.get('address', '')}\n")
    for key, title in (("capacity", "Capacity"), ("allocatable", "Allocatable")):
        resources: dict[str, Any] = status.get(key) or {}
        if resources:
            w.write(0, f"{title}:\n")
            for name in sorted(resources):
                w.write(0, f"  {name}:\t{quantity_or_zero(resources[name])}\n")
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:\n")
    for key, title in (("machineID", "Machine ID"), ("systemUUID", "System UUID"),
                       ("bootID", "Boot ID"), ("kernelVersion", "Kernel Version"),
                       ("osImage", "OS Image"), ("operatingSystem", "Operating System"),
                       ("architecture", "Architecture"),
                       ("containerRuntimeVersion", "Container Runtime Version"),
                       ("kubeletVersion", "Kubelet Version")):
        w.write(0, f"  {title}:\t{info.get(key, '')}\n")
    if spec.get("podCIDR"):
        w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
    if spec.get("podCIDRs"):
        w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
    if spec.get("providerID"):
        w.write(0, f"ProviderID:\t{spec['providerID']}\n")
    on_node = [p for p in pods if (p.get("spec") or {}).get("nodeName") == m.get("name")
               and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    _node_pods(w, node, on_node, now)
    if events is not None:
        describe_events(w, events, now)
    return w.text()
