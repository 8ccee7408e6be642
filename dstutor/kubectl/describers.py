"""`kubectl describe` layouts (describe.go) for DaemonSet, Pod, ControllerRevision, templates.

Lines are written with tabs exactly as upstream's PrefixWriter does, then laid out by
the same tabwriter settings (minwidth 0, padding 2); Node lives in describe_node.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from dstutor.model.objects import LAST_APPLIED_ANNOTATION, Obj, controller_ref
from dstutor.model.selectors import format_label_selector
from dstutor.model.timefmt import parse_rfc3339
from dstutor.render.humanize import human_duration, rfc1123z
from dstutor.render.table import tabwrite

MAX_ANNOTATION_LEN = 140
_SKIP_ANNOTATIONS = {LAST_APPLIED_ANNOTATION}
NONE = "<none>"


class Writer:
    """describe.PrefixWriter: collects text; `level` adds two spaces per level."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, level: int, text: str) -> None:
        self.parts.append("  " * level + text)

    def text(self) -> str:
        return "".join(self.parts)


def tabbed(fill: Callable[[Writer], None]) -> str:
    """describe.tabbedString: run the describer and align its output."""
    w = Writer()
    fill(w)
    raw = w.text()
    # Events are flushed as their own block; a line with no tab already ends a block.
    body = raw[:-1] if raw.endswith("\n") else raw
    return tabwrite(body, min_width=0, padding=2) + ("\n" if raw.endswith("\n") else "")


def since(timestamp: str | None, now: float) -> str:
    if not timestamp:
        return "<unknown>"
    return human_duration(now - parse_rfc3339(timestamp))


def labels_multiline(w: Writer, title: str, labels: dict[str, str] | None) -> None:
    w.write(0, f"{title}:\t")
    if not labels:
        w.write(0, NONE + "\n")
        return
    for i, key in enumerate(sorted(labels)):
        if i:
            w.write(0, "\t")
        w.write(0, f"{key}={labels[key]}\n")


def _shorten(text: str, limit: int) -> str:
    return text[:limit] + "..." if len(text) > limit else text


def annotations_multiline(w: Writer, title: str, annotations: dict[str, str] | None) -> None:
    w.write(0, f"{title}:\t")
    keys = sorted(k for k in (annotations or {}) if k not in _SKIP_ANNOTATIONS)
    if not keys:
        w.write(0, NONE + "\n")
        return
    assert annotations is not None
    for i, key in enumerate(keys):
        if i:
            w.write(0, "\t")
        value = annotations[key].removesuffix("\n")
        if len(value) + len(key) + 2 > MAX_ANNOTATION_LEN or "\n" in value:
            w.write(0, f"{key}:\n")
            for line in value.split("\n"):
                w.write(0, f"\t  {_shorten(line, MAX_ANNOTATION_LEN - 2)}\n")
        else:
            w.write(0, f"{key}: {value}\n")


def toleration_text(t: Obj) -> str:
    text = str(t.get("key", ""))
    if t.get("value"):
        text += f"={t['value']}"
    if t.get("effect"):
        text += f":{t['effect']}"
    if t.get("operator") == "Exists" and not t.get("value"):
        text += " op=Exists" if t.get("key") or t.get("effect") else "op=Exists"
    if t.get("tolerationSeconds") is not None:
        text += f" for {t['tolerationSeconds']}s"
    return text


def tolerations_multiline(w: Writer, title: str, tolerations: Sequence[Obj] | None) -> None:
    w.write(0, f"{title}:\t")
    if not tolerations:
        w.write(0, NONE + "\n")
        return
    for i, tol in enumerate(sorted(tolerations, key=lambda t: str(t.get("key", "")))):
        if i:
            w.write(0, "\t")
        w.write(0, toleration_text(tol) + "\n")


def taint_text(t: Obj) -> str:
    value = f"={t['value']}" if t.get("value") else ""
    return f"{t.get('key', '')}{value}:{t.get('effect', '')}"


def taints_multiline(w: Writer, title: str, taints: Sequence[Obj] | None) -> None:
    w.write(0, f"{title}:\t")
    if not taints:
        w.write(0, NONE + "\n")
        return
    ordered = sorted(taints, key=lambda t: f"{t.get('effect', '')},{t.get('key', '')}")
    for i, taint in enumerate(ordered):
        if i:
            w.write(0, "\t")
        w.write(0, taint_text(taint) + "\n")


# --- containers, volumes, templates -----------------------------------------------------


def _ports(ports: Sequence[Obj], field: str) -> str:
    return ", ".join(f"{p.get(field, 0)}/{p.get('protocol', 'TCP')}" for p in ports)


def _probe(probe: Obj) -> str:
    if "httpGet" in probe:
        get = probe["httpGet"]
        kind = f"http-get {str(get.get('scheme', 'HTTP')).lower()}://{get.get('host', '')}:" \
               f"{get.get('port', '')}{get.get('path', '')}"
    elif "tcpSocket" in probe:
        kind = f"tcp-socket {probe['tcpSocket'].get('host', '')}:{probe['tcpSocket'].get('port')}"
    elif "exec" in probe:
        kind = "exec " + str(probe["exec"].get("command", []))
    else:
        kind = "unknown"
    return (f"{kind} delay={probe.get('initialDelaySeconds', 0)}s "
            f"timeout={probe.get('timeoutSeconds', 1)}s period={probe.get('periodSeconds', 10)}s "
            f"#success={probe.get('successThreshold', 1)} "
            f"#failure={probe.get('failureThreshold', 3)}")


def _state(w: Writer, title: str, state: Obj) -> None:
    if "running" in state:
        w.write(2, f"{title}:\tRunning\n")
        w.write(3, f"Started:\t{rfc1123z(state['running'].get('startedAt'))}\n")
    elif "terminated" in state:
        term = state["terminated"]
        w.write(2, f"{title}:\tTerminated\n")
        if term.get("reason"):
            w.write(3, f"Reason:\t{term['reason']}\n")
        if term.get("message"):
            w.write(3, f"Message:\t{term['message']}\n")
        w.write(3, f"Exit Code:\t{term.get('exitCode', 0)}\n")
        if term.get("signal"):
            w.write(3, f"Signal:\t{term['signal']}\n")
        w.write(3, f"Started:\t{rfc1123z(term.get('startedAt'))}\n")
        w.write(3, f"Finished:\t{rfc1123z(term.get('finishedAt'))}\n")
    else:
        w.write(2, f"{title}:\tWaiting\n")
        reason = (state.get("waiting") or {}).get("reason")
        if reason:
            w.write(3, f"Reason:\t{reason}\n")


def _env_value(env: Obj) -> str:
    if "value" in env:
        return str(env["value"])
    source = env.get("valueFrom") or {}
    if "fieldRef" in source:
        ref = source["fieldRef"]
        return f" ({ref.get('apiVersion', 'v1')}:{ref.get('fieldPath', '')})"
    if "resourceFieldRef" in source:
        return f" ({source['resourceFieldRef'].get('resource', '')})"
    return ""


def describe_containers(w: Writer, label: str, containers: Sequence[Obj],
                        statuses: dict[str, Obj] | None, space: str) -> None:
    w.write(0, f"{space}{label}:\n")
    for c in containers:
        status = (statuses or {}).get(c.get("name", ""))
        w.write(1, f"{' ' if space else ''}{c.get('name', '')}:\n")
        if status is not None:
            w.write(2, f"Container ID:\t{status.get('containerID', '')}\n")
        w.write(2, f"Image:\t{c.get('image', '')}\n")
        if status is not None:
            w.write(2, f"Image ID:\t{status.get('imageID', '')}\n")
        ports = c.get("ports") or []
        text = _ports(ports, "containerPort")
        w.write(2, f"{'Ports' if ',' in text else 'Port'}:\t{text or NONE}\n")
        text = _ports(ports, "hostPort")
        w.write(2, f"{'Host Ports' if ',' in text else 'Host Port'}:\t{text or NONE}\n")
        for key, title in (("command", "Command"), ("args", "Args")):
            if c.get(key):
                w.write(2, f"{title}:\n")
                for item in c[key]:
                    for line in str(item).split("\n"):
                        w.write(3, f"{line}\n")
        if status is not None:
            _state(w, "State", status.get("state") or {})
            last = status.get("lastState") or {}
            if "terminated" in last:
                _state(w, "Last State", last)
            w.write(2, f"Ready:\t{'True' if status.get('ready') else 'False'}\n")
            w.write(2, f"Restart Count:\t{status.get('restartCount', 0)}\n")
        resources = c.get("resources") or {}
        for key, title in (("limits", "Limits"), ("requests", "Requests")):
            if resources.get(key):
                w.write(2, f"{title}:\n")
                for name in sorted(resources[key]):
                    w.write(3, f"{name}:\t{resources[key][name]}\n")
        for key, title in (("livenessProbe", "Liveness"), ("readinessProbe", "Readiness"),
                           ("startupProbe", "Startup")):
            if c.get(key):
                w.write(2, f"{title}:\t{_probe(c[key])}\n")
        envs = c.get("env") or []
        if not envs:
            w.write(2, f"Environment:\t{NONE}\n")
        else:
            w.write(2, "Environment:\n")
            for env in envs:
                w.write(3, f"{env.get('name', '')}:\t{_env_value(env)}\n")
        mounts = sorted(c.get("volumeMounts") or [], key=lambda m: str(m.get("mountPath", "")))
        if not mounts:
            w.write(2, f"Mounts:\t{NONE}\n")
        else:
            w.write(2, "Mounts:\n")
            for m in mounts:
                flags = ["ro" if m.get("readOnly") else "rw"]
                if m.get("subPath"):
                    flags.append(f'path="{m["subPath"]}"')
                w.write(3, f"{m.get('mountPath', '')} from {m.get('name', '')} "
                           f"({','.join(flags)})\n")


def describe_volumes(w: Writer, volumes: Sequence[Obj] | None, space: str) -> None:
    if not volumes:
        w.write(0, f"{space}Volumes:\t{NONE}\n")
        return
    w.write(0, f"{space}Volumes:\n")
    for vol in volumes:
        w.write(1, f"{' ' if space else ''}{vol.get('name', '')}:\n")
        if "hostPath" in vol:
            host = vol["hostPath"]
            w.write(2, "Type:\tHostPath (bare host directory volume)\n"
                       f"    Path:\t{host.get('path', '')}\n"
                       f"    HostPathType:\t{host.get('type', NONE) if 'type' in host else NONE}\n")
        elif "emptyDir" in vol:
            empty = vol["emptyDir"] or {}
            w.write(2, "Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n"
                       f"    Medium:\t{empty.get('medium', '')}\n"
                       f"    SizeLimit:\t{empty.get('sizeLimit', '<unset>')}\n")
        elif "configMap" in vol:
            cm = vol["configMap"]
            w.write(2, "Type:\tConfigMap (a volume populated by a ConfigMap)\n"
                       f"    Name:\t{cm.get('name', '')}\n"
                       f"    Optional:\t{str(bool(cm.get('optional'))).lower()}\n")
        elif "secret" in vol:
            sec = vol["secret"]
            w.write(2, "Type:\tSecret (a volume populated by a Secret)\n"
                       f"    SecretName:\t{sec.get('secretName', '')}\n"
                       f"    Optional:\t{str(bool(sec.get('optional'))).lower()}\n")
        else:
            w.write(2, "<unknown>\n")


def describe_pod_template(w: Writer, template: Obj) -> None:
    meta = template.get("metadata") or {}
    spec = template.get("spec") or {}
    w.write(0, "Pod Template:\n")
    labels_multiline(w, "  Labels", meta.get("labels"))
    if meta.get("annotations"):
        annotations_multiline(w, "  Annotations", meta["annotations"])
    if spec.get("serviceAccountName"):
        w.write(1, f"Service Account:\t{spec['serviceAccountName']}\n")
    if spec.get("initContainers"):
        describe_containers(w, "Init Containers", spec["initContainers"], None, "  ")
    describe_containers(w, "Containers", spec.get("containers") or [], None, "  ")
    describe_volumes(w, spec.get("volumes"), "  ")
    if spec.get("priorityClassName"):
        w.write(1, f"Priority Class Name:\t{spec['priorityClassName']}\n")
    labels_multiline(w, "  Node-Selectors", spec.get("nodeSelector"))
    tolerations_multiline(w, "  Tolerations", spec.get("tolerations"))


def pod_template_raw(template: Obj) -> str:
    """The template as `rollout history --revision` prints it: raw tabs, no alignment."""
    w = Writer()
    describe_pod_template(w, template)
    return w.text()


# --- events -----------------------------------------------------------------------------


def events_for(events: Sequence[Obj], obj: Obj) -> list[Obj]:
    uid = obj["metadata"].get("uid")
    return [e for e in events if (e.get("involvedObject") or {}).get("uid") == uid]


def describe_events(w: Writer, events: Sequence[Obj], now: float) -> None:
    if not events:
        w.write(0, f"Events:\t{NONE}\n")
        return
    w.write(0, "Events:\n  Type\tReason\tAge\tFrom\tMessage\n")
    w.write(1, "----\t------\t----\t----\t-------\n")
    ordered = sorted(events, key=lambda e: parse_rfc3339(e["lastTimestamp"])
                     if e.get("lastTimestamp") else 0.0)
    for e in ordered:
        first = since(e.get("eventTime") or e.get("firstTimestamp"), now)
        count = int(e.get("count") or 0)
        series = e.get("series")
        if series:
            interval = f"{since(series.get('lastObservedTime'), now)} (x{series.get('count')} " \
                       f"over {first})"
        elif count > 1:
            interval = f"{since(e.get('lastTimestamp'), now)} (x{count} over {first})"
        else:
            interval = first
        source = (e.get("source") or {}).get("component") or e.get("reportingController", "")
        w.write(1, f"{e.get('type', '')}\t{e.get('reason', '')}\t{interval}\t{source}\t"
                   f"{str(e.get('message', '')).strip()}\n")


# --- kinds ------------------------------------------------------------------------------


def describe_daemonset(ds: Obj, pods: Sequence[Obj], events: Sequence[Obj] | None,
                       now: float) -> str:
    status = ds.get("status") or {}
    spec = ds.get("spec") or {}
    counts = {"Running": 0, "Pending": 0, "Succeeded": 0, "Failed": 0}
    uid = ds["metadata"].get("uid")
    for pod in pods:
        if (controller_ref(pod) or {}).get("uid") == uid:
            phase = (pod.get("status") or {}).get("phase", "")
            if phase in counts:
                counts[phase] += 1

    def fill(w: Writer) -> None:
        meta = ds["metadata"]
        w.write(0, f"Name:\t{meta['name']}\n")
        w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
        w.write(0, f"Selector:\t{format_label_selector(spec.get('selector')).replace(NONE, '')}\n")
        node_selector = (spec.get("template") or {}).get("spec", {}).get("nodeSelector") or {}
        w.write(0, "Node-Selector:\t" + (",".join(
            f"{k}={node_selector[k]}" for k in sorted(node_selector)) or NONE) + "\n")
        labels_multiline(w, "Labels", meta.get("labels"))
        annotations_multiline(w, "Annotations", meta.get("annotations"))
        for title, field in (("Desired Number of Nodes Scheduled", "desiredNumberScheduled"),
                             ("Current Number of Nodes Scheduled", "currentNumberScheduled"),
                             ("Number of Nodes Scheduled with Up-to-date Pods",
                              "updatedNumberScheduled"),
                             ("Number of Nodes Scheduled with Available Pods", "numberAvailable"),
                             ("Number of Nodes Misscheduled", "numberMisscheduled")):
            w.write(0, f"{title}: {status.get(field, 0)}\n")
        w.write(0, f"Pods Status:\t{counts['Running']} Running / {counts['Pending']} Waiting / "
                   f"{counts['Succeeded']} Succeeded / {counts['Failed']} Failed\n")
        describe_pod_template(w, spec.get("template") or {})
        if events is not None:
            describe_events(w, events, now)

    return tabbed(fill)


def describe_pod(pod: Obj, events: Sequence[Obj] | None, now: float) -> str:
    meta, spec, status = pod["metadata"], pod.get("spec") or {}, pod.get("status") or {}

    def fill(w: Writer) -> None:
        w.write(0, f"Name:\t{meta['name']}\n")
        w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
        if spec.get("priority") is not None:
            w.write(0, f"Priority:\t{spec['priority']}\n")
        if spec.get("priorityClassName"):
            w.write(0, f"Priority Class Name:\t{spec['priorityClassName']}\n")
        if spec.get("serviceAccountName"):
            w.write(0, f"Service Account:\t{spec['serviceAccountName']}\n")
        node = spec.get("nodeName")
        w.write(0, f"Node:\t{node}/{status.get('hostIP', '')}\n" if node else f"Node:\t{NONE}\n")
        if status.get("startTime"):
            w.write(0, f"Start Time:\t{rfc1123z(status['startTime'])}\n")
        labels_multiline(w, "Labels", meta.get("labels"))
        annotations_multiline(w, "Annotations", meta.get("annotations"))
        phase = status.get("phase", "")
        if meta.get("deletionTimestamp") and phase not in ("Failed", "Succeeded"):
            w.write(0, f"Status:\tTerminating (lasts {since(meta['deletionTimestamp'], now)})\n")
            w.write(0, f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 0)}s\n")
        else:
            w.write(0, f"Status:\t{phase}\n")
        for key in ("reason", "message"):
            if status.get(key):
                w.write(0, f"{key.title()}:\t{status[key]}\n")
        w.write(0, f"IP:\t{status.get('podIP', '')}\n")
        ips = status.get("podIPs") or []
        if not ips:
            w.write(0, f"IPs:\t{NONE}\n")
        else:
            w.write(0, "IPs:\n")
            for ip in ips:
                w.write(1, f"IP:\t{ip.get('ip', '')}\n")
        ref = controller_ref(pod)
        if ref:
            w.write(0, f"Controlled By:\t{ref.get('kind')}/{ref.get('name')}\n")
        statuses = {s.get("name", ""): s for s in status.get("containerStatuses") or []}
        init = {s.get("name", ""): s for s in status.get("initContainerStatuses") or []}
        if spec.get("initContainers"):
            describe_containers(w, "Init Containers", spec["initContainers"], init, "")
        describe_containers(w, "Containers", spec.get("containers") or [], statuses, "")
        if status.get("conditions"):
            w.write(0, "Conditions:\n  Type\tStatus\n")
            for cond in status["conditions"]:
                w.write(1, f"{cond.get('type')} \t{cond.get('status')} \n")
        describe_volumes(w, spec.get("volumes"), "")
        w.write(0, f"QoS Class:\t{status.get('qosClass', 'BestEffort')}\n")
        labels_multiline(w, "Node-Selectors", spec.get("nodeSelector"))
        tolerations_multiline(w, "Tolerations", spec.get("tolerations"))
        if events is not None:
            describe_events(w, events, now)

    return tabbed(fill)


_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
_ACRONYMS = {"API", "URL", "UID", "OSB", "GUID"}


def smart_label(field: str) -> str:
    """describe.smartLabelFor: `creationTimestamp` -> `Creation Timestamp`, `uid` -> `UID`."""
    if any(not (ch.isalpha() or ch == "-") for ch in field):
        return field
    parts = _CAMEL.findall(field) or [field]
    return " ".join(p.upper() if p.upper() in _ACRONYMS else p[:1].upper() + p[1:]
                    for p in parts)


def _go_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unstructured(w: Writer, level: int, content: Obj, prefix: str, skip: set[str]) -> None:
    for field in sorted(content):
        value = content[field]
        path = f"{prefix}.{field}"
        if path in skip:
            continue
        if isinstance(value, dict):
            w.write(level, f"{smart_label(field)}:\n")
            _unstructured(w, level + 1, value, path, skip)
        elif isinstance(value, list):
            w.write(level, f"{smart_label(field)}:\n")
            for child in value:
                if isinstance(child, dict):
                    _unstructured(w, level + 1, child, path, skip)
                else:
                    w.write(level + 1, f"{_go_value(child)}\n")
        else:
            w.write(level, f"{smart_label(field)}:\t{_go_value(value)}\n")


def describe_generic(obj: Obj, events: Sequence[Obj] | None, now: float) -> str:
    """The generic describer kubectl uses for kinds without their own (ControllerRevision)."""
    meta = obj["metadata"]
    skip = {".metadata.managedFields", ".metadata.name", ".metadata.namespace",
            ".metadata.labels", ".metadata.annotations"}

    def fill(w: Writer) -> None:
        w.write(0, f"Name:\t{meta['name']}\n")
        w.write(0, f"Namespace:\t{meta.get('namespace', '')}\n")
        labels_multiline(w, "Labels", meta.get("labels"))
        annotations_multiline(w, "Annotations", meta.get("annotations"))
        _unstructured(w, 0, obj, "", skip)
        if events is not None:
            describe_events(w, events, now)

    return tabbed(fill)
