"""`kubectl describe node` (describe.go describeNode and describeNodeResource)."""

from __future__ import annotations

from collections.abc import Sequence

from dstutor.kubectl.describers import (
    NONE,
    Writer,
    annotations_multiline,
    describe_events,
    labels_multiline,
    since,
    tabbed,
    taints_multiline,
)
from dstutor.model.objects import Obj
from dstutor.model.quantity import parse_quantity
from dstutor.render.columns import node_roles
from dstutor.render.humanize import rfc1123z

_BINARY = (("Ei", 2**60), ("Pi", 2**50), ("Ti", 2**40), ("Gi", 2**30), ("Mi", 2**20),
           ("Ki", 2**10))


def format_quantity(value: float, resource: str) -> str:
    """resource.Quantity.String() for the sums describe prints (cpu in m, bytes binary)."""
    if value == 0:
        return "0"
    if resource == "cpu":
        milli = round(value * 1000)
        return str(milli // 1000) if milli % 1000 == 0 else f"{milli}m"
    whole = round(value)
    for suffix, size in _BINARY:
        if whole % size == 0:
            return f"{whole // size}{suffix}"
    return str(whole)


def _container_sum(pod: Obj, kind: str) -> dict[str, float]:
    """resourcehelper.PodRequestsAndLimits, simplified: sum of the regular containers."""
    totals: dict[str, float] = {}
    spec = pod.get("spec") or {}
    for container in spec.get("containers") or []:
        for name, qty in ((container.get("resources") or {}).get(kind) or {}).items():
            try:
                totals[name] = totals.get(name, 0.0) + parse_quantity(qty)
            except Exception:  # noqa: BLE001 - stored objects passed validation
                continue
    if kind == "requests":
        # A limit without a request defaults the request to the limit.
        for name, qty in _container_sum_limits_only(spec).items():
            totals.setdefault(name, qty)
    return totals


def _container_sum_limits_only(spec: Obj) -> dict[str, float]:
    totals: dict[str, float] = {}
    for container in spec.get("containers") or []:
        res = container.get("resources") or {}
        for name, qty in (res.get("limits") or {}).items():
            if name not in (res.get("requests") or {}):
                totals[name] = totals.get(name, 0.0) + parse_quantity(qty)
    return totals


def _percent(value: float, allocatable: dict[str, str], resource: str) -> int:
    try:
        total = parse_quantity(allocatable.get(resource, "0"))
    except Exception:  # noqa: BLE001
        return 0
    return int(value / total * 100) if total else 0


def _cell(value: float, allocatable: dict[str, str], resource: str) -> str:
    return f"{format_quantity(value, resource)} ({_percent(value, allocatable, resource)}%)"


def describe_node(node: Obj, pods: Sequence[Obj], events: Sequence[Obj] | None, now: float,
                  *, alive: bool = True) -> str:
    meta, spec, status = node["metadata"], node.get("spec") or {}, node.get("status") or {}
    running = [p for p in pods if (p.get("status") or {}).get("phase") not in
               ("Succeeded", "Failed")]

    def fill(w: Writer) -> None:
        w.write(0, f"Name:\t{meta['name']}\n")
        w.write(0, f"Roles:\t{','.join(node_roles(node)) or NONE}\n")
        labels_multiline(w, "Labels", meta.get("labels"))
        annotations_multiline(w, "Annotations", meta.get("annotations"))
        w.write(0, f"CreationTimestamp:\t{rfc1123z(meta.get('creationTimestamp'))}\n")
        taints_multiline(w, "Taints", spec.get("taints"))
        w.write(0, f"Unschedulable:\t{'true' if spec.get('unschedulable') else 'false'}\n")
        conditions = status.get("conditions") or []
        ready = next((c for c in conditions if c.get("type") == "Ready"), {})
        w.write(0, "Lease:\n")
        w.write(1, f"HolderIdentity:\t{meta['name']}\n")
        w.write(1, "AcquireTime:\t<unset>\n")
        w.write(1, f"RenewTime:\t{rfc1123z(ready.get('lastHeartbeatTime'))}\n")
        if conditions:
            w.write(0, "Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\t"
                       "Reason\tMessage\n")
            w.write(0, "  ----\t------\t-----------------\t------------------\t------\t"
                       "-------\n")
            for c in conditions:
                w.write(1, f"{c.get('type')} \t{c.get('status')} \t"
                           f"{rfc1123z(c.get('lastHeartbeatTime'))} \t"
                           f"{rfc1123z(c.get('lastTransitionTime'))} \t{c.get('reason', '')} \t"
                           f"{c.get('message', '')}\n")
        if status.get("addresses"):
            w.write(0, "Addresses:\n")
            for addr in status["addresses"]:
                w.write(1, f"{addr.get('type')}:\t{addr.get('address')}\n")
        for title, field in (("Capacity", "capacity"), ("Allocatable", "allocatable")):
            if status.get(field):
                w.write(0, f"{title}:\n")
                for name in sorted(status[field]):
                    w.write(0, f"  {name}:\t{status[field][name]}\n")
        info = status.get("nodeInfo") or {}
        w.write(0, "System Info:\n")
        for title, field in (("Machine ID", "machineID"), ("System UUID", "systemUUID"),
                             ("Boot ID", "bootID"), ("Kernel Version", "kernelVersion"),
                             ("OS Image", "osImage"), ("Operating System", "operatingSystem"),
                             ("Architecture", "architecture"),
                             ("Container Runtime Version", "containerRuntimeVersion"),
                             ("Kubelet Version", "kubeletVersion")):
            w.write(0, f"  {title}:\t{info.get(field, '')}\n")
        if spec.get("podCIDR"):
            w.write(0, f"PodCIDR:\t{spec['podCIDR']}\n")
        if spec.get("podCIDRs"):
            w.write(0, f"PodCIDRs:\t{','.join(spec['podCIDRs'])}\n")
        if spec.get("providerID"):
            w.write(0, f"ProviderID:\t{spec['providerID']}\n")
        allocatable = status.get("allocatable") or status.get("capacity") or {}
        w.write(0, f"Non-terminated Pods:\t({len(running)} in total)\n")
        w.write(1, "Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\t"
                   "Memory Limits\tAge\n")
        w.write(1, "---------\t----\t\t------------\t----------\t---------------\t"
                   "-------------\t---\n")
        total_req: dict[str, float] = {}
        total_lim: dict[str, float] = {}
        for pod in running:
            req, lim = _container_sum(pod, "requests"), _container_sum(pod, "limits")
            for name, value in req.items():
                total_req[name] = total_req.get(name, 0.0) + value
            for name, value in lim.items():
                total_lim[name] = total_lim.get(name, 0.0) + value
            pmeta = pod["metadata"]
            w.write(1, f"{pmeta.get('namespace', '')}\t{pmeta['name']}\t\t"
                       f"{_cell(req.get('cpu', 0.0), allocatable, 'cpu')}\t"
                       f"{_cell(lim.get('cpu', 0.0), allocatable, 'cpu')}\t"
                       f"{_cell(req.get('memory', 0.0), allocatable, 'memory')}\t"
                       f"{_cell(lim.get('memory', 0.0), allocatable, 'memory')}\t"
                       f"{since(pmeta.get('creationTimestamp'), now)}\n")
        w.write(0, "Allocated resources:\n  (Total limits may be over 100 percent, i.e., "
                   "overcommitted.)\n")
        w.write(1, "Resource\tRequests\tLimits\n")
        w.write(1, "--------\t--------\t------\n")
        names = ["cpu", "memory", "ephemeral-storage"]
        names += sorted(n for n in allocatable if n.startswith("hugepages-"))
        for name in names:
            w.write(1, f"{name}\t{_cell(total_req.get(name, 0.0), allocatable, name)}\t"
                       f"{_cell(total_lim.get(name, 0.0), allocatable, name)}\n")
        if events is not None:
            describe_events(w, events, now)

    return tabbed(fill)
