"""Describe sections for containers, volumes and pod templates (shared by pods and workloads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dstutor.model.quantity import quantity_or_zero
from dstutor.model.selectors import format_label_selector
from dstutor.render._gofmt import quote
from dstutor.render._gosort import go_sort
from dstutor.render.describe_common import (
    DescribeWriter,
    Obj,
    print_annotations,
    print_labels,
    print_tolerations,
)
from dstutor.render.humanize import rfc1123z

EnvResolver = Callable[[Obj], str]


def _bool(value: Any) -> str:
    return "True" if value else "False"


def _gobool(value: Any) -> str:
    return "true" if value else "false"


def _port_list(ports: list[Obj], field: str) -> str:
    items = []
    for port in ports:
        text = f"{port.get(field, 0)}/{port.get('protocol', '')}"
        items.append(f"{text} ({port['name']})" if port.get("name") else text)
    return ", ".join(items)


def _intstr(value: Any) -> str:
    return "" if value is None else str(value)


def describe_probe(probe: Obj) -> str:
    """DescribeProbe: the action followed by delay/timeout/period/thresholds."""
    attrs = (f"delay={probe.get('initialDelaySeconds', 0)}s "
             f"timeout={probe.get('timeoutSeconds', 0)}s period={probe.get('periodSeconds', 0)}s "
             f"successThreshold={probe.get('successThreshold', 0)} "
             f"failureThreshold={probe.get('failureThreshold', 0)}")
    if probe.get("exec") is not None:
        return f"exec [{' '.join((probe['exec'] or {}).get('command') or [])}] {attrs}"
    if probe.get("httpGet") is not None:
        http = probe["httpGet"] or {}
        host, port = http.get("host", ""), _intstr(http.get("port"))
        if port:
            host = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        scheme = str(http.get("scheme", "")).lower()
        prefix = f"{scheme}:" if scheme else ""
        return f"http-get {prefix}//{host}{http.get('path', '')} {attrs}"
    if probe.get("tcpSocket") is not None:
        tcp = probe["tcpSocket"] or {}
        return f"tcp-socket {tcp.get('host', '')}:{_intstr(tcp.get('port'))} {attrs}"
    if probe.get("grpc") is not None:
        grpc = probe["grpc"] or {}
        return f"grpc <pod>:{grpc.get('port', 0)} {grpc.get('service', '')} {attrs}"
    return f"unknown {attrs}"


def describe_resources(w: DescribeWriter, resources: Obj | None, level: int) -> None:
    for title in ("limits", "requests"):
        values = (resources or {}).get(title) or {}
        if values:
            w.write(level, f"{title.capitalize()}:\n")
        for name in sorted(values):
            w.write(level + 1, f"{name}:\t{quantity_or_zero(values[name])}\n")


def _describe_state(w: DescribeWriter, title: str, state: Obj) -> None:
    if state.get("running") is not None:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z((state['running'] or {}).get('startedAt'))}\n")
    elif state.get("waiting") is not None:
        w.write(2, f"{title}:\tWaiting\n")
        if (state["waiting"] or {}).get("reason"):
            w.write(3, f"Reason:\t{state['waiting']['reason']}\n")
    elif state.get("terminated") is not None:
        term = state["terminated"] or {}
        w.write(2, f"{title}:\tTerminated\n")
        if term.get("reason"):
            w.write(3, f"Reason:\t{term['reason']}\n")
        if term.get("message"):
            w.write(3, f"Message:\t{term['message']}\n")
        w.write(3, f"Exit Code:\t{term.get('exitCode', 0)}\n")
        if term.get("signal", 0) > 0:
            w.write(3, f"Signal:\t{term['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(term.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(term.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")


def _resource_value(ref: Obj, container: Obj) -> str:
    """ExtractContainerResourceValue for env vars backed by resourceFieldRef."""
    kind, _, name = str(ref.get("resource", "")).partition(".")
    values = (container.get("resources") or {}).get(kind) or {}
    quantity = quantity_or_zero(values.get(name, "0"))
    divisor = quantity_or_zero(ref.get("divisor") or "1")
    if divisor.value == 0:
        return ""
    if name == "cpu":
        return str(-(-quantity.milli_value() // max(divisor.milli_value(), 1)))
    return str(-(-quantity.int_value() // max(divisor.int_value(), 1)))


def _describe_env(w: DescribeWriter, container: Obj, resolve: EnvResolver | None) -> None:
    env = container.get("env") or []
    w.write(2, "Environment:" + ("" if env else "\t<none>") + "\n")
    for e in env:
        name, source = e.get("name", ""), e.get("valueFrom")
        if source is None:
            for i, line in enumerate(str(e.get("value", "")).split("\n")):
                w.write(3, f"{name}:\t{line}\n" if i == 0 else f"\t{line}\n")
        elif source.get("fieldRef") is not None:
            ref = source["fieldRef"]
            value = resolve(ref) if resolve is not None else ""
            w.write(3, f"{name}:\t{value} ({ref.get('apiVersion', '')}:{ref.get('fieldPath', '')})\n")
        elif source.get("resourceFieldRef") is not None:
            ref = source["resourceFieldRef"]
            value = _resource_value(ref, container)
            if value == "0" and ref.get("resource") in ("limits.cpu", "limits.memory"):
                value = "node allocatable"
            w.write(3, f"{name}:\t{value} ({ref.get('resource', '')})\n")
        elif source.get("secretKeyRef") is not None:
            ref = source["secretKeyRef"]
            w.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' in secret "
                       f"'{ref.get('name', '')}'>\tOptional: {_gobool(ref.get('optional'))}\n")
        elif source.get("configMapKeyRef") is not None:
            ref = source["configMapKeyRef"]
            w.write(3, f"{name}:\t<set to the key '{ref.get('key', '')}' of config map "
                       f"'{ref.get('name', '')}'>\tOptional: {_gobool(ref.get('optional'))}\n")


def _describe_env_from(w: DescribeWriter, container: Obj) -> None:
    w.write(2, "Environment Variables from:\n")
    for e in container.get("envFrom") or []:
        if e.get("configMapRef") is not None:
            kind, ref = "ConfigMap", e["configMapRef"]
        elif e.get("secretRef") is not None:
            kind, ref = "Secret", e["secretRef"]
        else:
            kind, ref = "", {}
        optional = _gobool(ref.get("optional"))
        if e.get("prefix"):
            kind = f"{kind} with prefix '{e['prefix']}'"
        w.write(3, f"{ref.get('name', '')}\t{kind}\tOptional: {optional}\n")


def _describe_mounts(w: DescribeWriter, container: Obj) -> None:
    mounts = list(container.get("volumeMounts") or [])
    w.write(2, "Mounts:" + ("" if mounts else "\t<none>") + "\n")
    go_sort(mounts, lambda a, b: a.get("mountPath", "") < b.get("mountPath", ""))
    for mount in mounts:
        flags = ["ro" if mount.get("readOnly") else "rw"]
        if mount.get("subPath"):
            flags.append(f"path={quote(mount['subPath'])}")
        w.write(3, f"{mount.get('mountPath', '')} from {mount.get('name', '')} "
                   f"({','.join(flags)})\n")
    devices = list(container.get("volumeDevices") or [])
    if devices:
        w.write(2, "Devices:\n")
        go_sort(devices, lambda a, b: a.get("devicePath", "") < b.get("devicePath", ""))
        for device in devices:
            w.write(3, f"{device.get('devicePath', '')} from {device.get('name', '')}\n")


def describe_containers(w: DescribeWriter, label: str, containers: list[Obj],
                        statuses: list[Obj] | None, resolve: EnvResolver | None,
                        space: str) -> None:
    by_name = {s.get("name"): s for s in statuses or []}
    w.write(0, f"{space}{label}:{'' if containers else ' <none>'}\n")
    for container in containers:
        status = by_name.get(container.get("name"))
        w.write(1, f"{' ' if space else ''}{container.get('name', '')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{container.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = container.get("ports") or []
        for field, title in (("containerPort", "Port"), ("hostPort", "Host Port")):
            text = _port_list(ports, field)
            if "," in text:
                w.write(2, f"{title}s:\t{text}\n")
            else:
                w.write(2, f"{title}:\t{text or '<none>'}\n")
        seccomp = (container.get("securityContext") or {}).get("seccompProfile")
        if seccomp is not None:
            w.write(2, f"SeccompProfile:\t{seccomp.get('type', '')}\n")
            if seccomp.get("type") == "Localhost":
                w.write(3, f"LocalhostProfile:\t{seccomp.get('localhostProfile', '')}\n")
        for key, title in (("command", "Command"), ("args", "Args")):
            if container.get(key):
                w.write(2, f"{title}:\n")
                for item in container[key]:
                    for line in str(item).split("\n"):
                        w.write(3, f"{line}\n")
        if status is not None:
            _describe_state(w, "State", status.get("state") or {})
            last = status.get("lastState") or {}
            if last.get("terminated") is not None:
                _describe_state(w, "Last State", last)
            w.write(2, f"Ready:\t{_bool(status.get('ready'))}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        describe_resources(w, container.get("resources"), 2)
        for key, title in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                           ("startupProbe", "Startup")):
            if container.get(key) is not None:
                w.write(2, f"{title}:\t{describe_probe(container[key] or {})}\n")
        if container.get("envFrom"):
            _describe_env_from(w, container)
        _describe_env(w, container, resolve)
        _describe_mounts(w, container)


_VOLUME_TYPES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("hostPath", "HostPath (bare host directory volume)", [("Path", "path"),
                                                           ("HostPathType", "type")]),
    ("emptyDir", "EmptyDir (a temporary directory that shares a pod's lifetime)",
     [("Medium", "medium"), ("SizeLimit", "sizeLimit")]),
    ("secret", "Secret (a volume populated by a Secret)", [("SecretName", "secretName"),
                                                          ("Optional", "optional")]),
    ("configMap", "ConfigMap (a volume populated by a ConfigMap)", [("Name", "name"),
                                                                   ("Optional", "optional")]),
    ("nfs", "NFS (an NFS mount that lasts the lifetime of a pod)",
     [("Server", "server"), ("Path", "path"), ("ReadOnly", "readOnly")]),
    ("persistentVolumeClaim", "PersistentVolumeClaim (a reference to a PersistentVolumeClaim in "
     "the same namespace)", [("ClaimName", "claimName"), ("ReadOnly", "readOnly")]),
]


def _volume_field(source: Obj, key: str) -> str:
    value = source.get(key)
    if key == "type":
        return "<none>" if value is None else str(value)
    if key == "sizeLimit":
        return str(quantity_or_zero(value)) if quantity_or_zero(value).value > 0 else "<unset>"
    if key in ("optional", "readOnly"):
        return _gobool(value)
    return "" if value is None else str(value)


def describe_volumes(w: DescribeWriter, volumes: list[Obj], space: str) -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t<none>\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for volume in volumes:
        w.write(1, f"{' ' if space else ''}{volume.get('name', '')}:\n")
        known = next((t for t in _VOLUME_TYPES if volume.get(t[0]) is not None), None)
        if known is not None:
            key, title, fields = known
            source = volume[key] or {}
            lines = [f"Type:\t{title}\n"] + [f"    {label}:\t{_volume_field(source, name)}\n"
                                             for label, name in fields]
            w.write(2, "".join(lines))
        elif volume.get("downwardAPI") is not None:
            w.write(2, "Type:\tDownwardAPI (a volume populated by information about the pod)\n"
                       "    Items:\n")
            for item in (volume["downwardAPI"] or {}).get("items") or []:
                for ref_key, attr in (("fieldRef", "fieldPath"), ("resourceFieldRef", "resource")):
                    if item.get(ref_key) is not None:
                        w.write(3, f"{item[ref_key].get(attr, '')} -> {item.get('path', '')}\n")
        elif volume.get("projected") is not None:
            w.write(2, "Type:\tProjected (a volume that contains injected data from multiple "
                       "sources)\n")
            for source in (volume["projected"] or {}).get("sources") or []:
                if source.get("secret") is not None:
                    w.write(2, f"SecretName:\t{source['secret'].get('name', '')}\n    Optional:\t"
                               f"{_gobool(source['secret'].get('optional'))}\n")
                elif source.get("downwardAPI") is not None:
                    w.write(2, "DownwardAPI:\ttrue\n")
                elif source.get("configMap") is not None:
                    w.write(2, f"ConfigMapName:\t{source['configMap'].get('name', '')}\n"
                               f"    Optional:\t{_gobool(source['configMap'].get('optional'))}\n")
                elif source.get("serviceAccountToken") is not None:
                    seconds = source["serviceAccountToken"].get("expirationSeconds", 0)
                    w.write(2, f"TokenExpirationSeconds:\t{seconds}\n")
        else:
            w.write(1, "<unknown>\n")


def describe_topology_spread(w: DescribeWriter, constraints: list[Obj], space: str) -> None:
    if not constraints:
        return
    items = list(constraints)
    go_sort(items, lambda a, b: a.get("topologyKey", "") < b.get("topologyKey", ""))
    w.write(0, f"{space}Topology Spread Constraints:\t")
    for i, tsc in enumerate(items):
        if i:
            w.write(0, space + "\t")
        text = (f"{tsc.get('topologyKey', '')}:{tsc.get('whenUnsatisfiable', '')} when max skew "
                f"{tsc.get('maxSkew', 0)} is exceeded")
        if tsc.get("labelSelector") is not None:
            text += f" for selector {format_label_selector(tsc['labelSelector'])}"
        w.write(0, text + "\n")


def describe_pod_template(w: DescribeWriter, template: Obj | None) -> None:
    """DescribePodTemplate, as DaemonSet (and other workload) describers print it."""
    w.write(0, "Pod Template:\n")
    if template is None:
        w.write(1, "<unset>")
        return
    tmeta = template.get("metadata") or {}
    spec = template.get("spec") or {}
    print_labels(w, "  Labels", tmeta.get("labels"))
    if tmeta.get("annotations"):
        print_annotations(w, "  Annotations", tmeta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, None, "  ")
    describe_volumes(w, spec.get("volumes") or [], "  ")
    describe_topology_spread(w, spec.get("topologySpreadConstraints") or [], "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    print_labels(w, "  Node-Selectors", spec.get("nodeSelector"))
    print_tolerations(w, "  Tolerations", spec.get("tolerations"))
