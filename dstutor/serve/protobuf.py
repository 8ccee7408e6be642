"""The protobuf bodies kubectl's typed clients send (create namespace, create deployment,
and the Pods of `kubectl debug node/N` and `kubectl debug POD --copy-to`).

client-go writes built-in types as Kubernetes protobuf (`k8s\\0` + runtime.Unknown) and
does not fall back to JSON on 415, so the server reads the few messages those commands
send. Go's generated code writes every non-pointer field, zero values too; JSON omits
them (omitempty), so zero values are dropped unless the Go field is a pointer.
"""

from __future__ import annotations

from typing import Any

MAGIC = b"k8s\x00"

# message -> field number -> (json name, type, keep zero); a type is "string", "int",
# "bool", "map" (string->string), "qmap" (string->Quantity), "rstring" (repeated string),
# another message's name, "*Name" for a repeated message, or "^Name" for an embedded Go
# struct whose fields JSON writes inline (Volume's VolumeSource). "keep zero" marks Go
# pointers: present means set, so an empty message is `{}` and false is written.
F = tuple[str, str, bool]
SCHEMAS: dict[str, dict[int, F]] = {
    "Unknown": {1: ("typeMeta", "TypeMeta", False), 2: ("raw", "bytes", False),
                3: ("contentEncoding", "string", False), 4: ("contentType", "string", False)},
    "TypeMeta": {1: ("apiVersion", "string", False), 2: ("kind", "string", False)},
    "ObjectMeta": {1: ("name", "string", False), 2: ("generateName", "string", False),
                   3: ("namespace", "string", False), 11: ("labels", "map", False),
                   12: ("annotations", "map", False), 14: ("finalizers", "rstring", False)},
    "Namespace": {1: ("metadata", "ObjectMeta", False), 2: ("spec", "NamespaceSpec", False)},
    "NamespaceSpec": {1: ("finalizers", "rstring", False)},
    "Deployment": {1: ("metadata", "ObjectMeta", False), 2: ("spec", "DeploymentSpec", False)},
    "DeploymentSpec": {1: ("replicas", "int", True), 2: ("selector", "LabelSelector", False),
                       3: ("template", "PodTemplateSpec", False),
                       4: ("strategy", "DeploymentStrategy", False),
                       5: ("minReadySeconds", "int", False),
                       6: ("revisionHistoryLimit", "int", True), 7: ("paused", "bool", False),
                       9: ("progressDeadlineSeconds", "int", True)},
    "LabelSelector": {1: ("matchLabels", "map", False),
                      2: ("matchExpressions", "*LabelSelectorRequirement", False)},
    "LabelSelectorRequirement": {1: ("key", "string", False), 2: ("operator", "string", False),
                                 3: ("values", "rstring", False)},
    "DeploymentStrategy": {1: ("type", "string", False),
                           2: ("rollingUpdate", "RollingUpdateDeployment", False)},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "IntOrString", False),
                                2: ("maxSurge", "IntOrString", False)},
    "IntOrString": {1: ("type", "int", True), 2: ("intVal", "int", True),
                    3: ("strVal", "string", True)},
    "PodTemplateSpec": {1: ("metadata", "ObjectMeta", False), 2: ("spec", "PodSpec", False)},
    "PodSpec": {2: ("containers", "*Container", False), 3: ("restartPolicy", "string", False),
                4: ("terminationGracePeriodSeconds", "int", True),
                6: ("dnsPolicy", "string", False), 7: ("nodeSelector", "map", False),
                8: ("serviceAccountName", "string", False), 10: ("nodeName", "string", False),
                11: ("hostNetwork", "bool", False), 19: ("schedulerName", "string", False),
                20: ("initContainers", "*Container", False),
                22: ("tolerations", "*Toleration", False),
                24: ("priorityClassName", "string", False),
                1: ("volumes", "*Volume", False), 9: ("serviceAccount", "string", False),
                12: ("hostPID", "bool", False), 13: ("hostIPC", "bool", False),
                14: ("securityContext", "PodSecurityContext", True),
                21: ("automountServiceAccountToken", "bool", True),
                25: ("priority", "int", True), 27: ("shareProcessNamespace", "bool", True),
                30: ("enableServiceLinks", "bool", True)},
    "Pod": {1: ("metadata", "ObjectMeta", False), 2: ("spec", "PodSpec", False)},
    "Volume": {1: ("name", "string", False), 2: ("volumeSource", "^VolumeSource", False)},
    "VolumeSource": {1: ("hostPath", "HostPathVolumeSource", True),
                     2: ("emptyDir", "EmptyDirVolumeSource", True)},
    "HostPathVolumeSource": {1: ("path", "string", False), 2: ("type", "string", True)},
    "EmptyDirVolumeSource": {1: ("medium", "string", False)},
    "VolumeMount": {1: ("name", "string", False), 2: ("readOnly", "bool", False),
                    3: ("mountPath", "string", False), 4: ("subPath", "string", False),
                    5: ("mountPropagation", "string", True),
                    6: ("subPathExpr", "string", False)},
    "SecurityContext": {1: ("capabilities", "Capabilities", True),
                        2: ("privileged", "bool", True), 4: ("runAsUser", "int", True),
                        5: ("runAsNonRoot", "bool", True),
                        6: ("readOnlyRootFilesystem", "bool", True),
                        7: ("allowPrivilegeEscalation", "bool", True),
                        8: ("runAsGroup", "int", True)},
    "Capabilities": {1: ("add", "rstring", False), 2: ("drop", "rstring", False)},
    "PodSecurityContext": {2: ("runAsUser", "int", True), 3: ("runAsNonRoot", "bool", True),
                           5: ("fsGroup", "int", True), 6: ("runAsGroup", "int", True)},
    "Container": {1: ("name", "string", False), 2: ("image", "string", False),
                  3: ("command", "rstring", False), 4: ("args", "rstring", False),
                  5: ("workingDir", "string", False), 6: ("ports", "*ContainerPort", False),
                  7: ("env", "*EnvVar", False), 8: ("resources", "ResourceRequirements", False),
                  13: ("terminationMessagePath", "string", False),
                  14: ("imagePullPolicy", "string", False),
                  20: ("terminationMessagePolicy", "string", False),
                  9: ("volumeMounts", "*VolumeMount", False),
                  15: ("securityContext", "SecurityContext", True),
                  16: ("stdin", "bool", False), 17: ("stdinOnce", "bool", False),
                  18: ("tty", "bool", False)},
    "ContainerPort": {1: ("name", "string", False), 2: ("hostPort", "int", False),
                      3: ("containerPort", "int", True), 4: ("protocol", "string", False)},
    "EnvVar": {1: ("name", "string", True), 2: ("value", "string", False)},
    "ResourceRequirements": {1: ("limits", "qmap", False), 2: ("requests", "qmap", False)},
    "Toleration": {1: ("key", "string", False), 2: ("operator", "string", False),
                   3: ("value", "string", False), 4: ("effect", "string", False),
                   5: ("tolerationSeconds", "int", True)},
}
KINDS = {"Namespace", "Deployment", "Pod"}


class ProtobufError(ValueError):
    pass


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _fields(data: bytes) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) in order; value is an int or bytes."""
    out: list[tuple[int, int, Any]] = []
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        value: int | bytes
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ProtobufError("truncated field")
            value, pos = data[pos:pos + length], pos + length
        elif wire == 1:
            value, pos = data[pos:pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos:pos + 4], pos + 4
        else:
            raise ProtobufError(f"unsupported wire type {wire}")
        out.append((number, wire, value))
    return out


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _message(data: bytes, schema: str) -> dict[str, Any]:
    spec = SCHEMAS[schema]
    out: dict[str, Any] = {}
    for number, wire, value in _fields(data):
        if number not in spec:
            continue
        name, kind, keep = spec[number]
        if (wire == 0) != (kind in ("int", "bool")) or wire not in (0, 2):
            raise ProtobufError(f"field {name} has wire type {wire}")
        if kind == "string" or kind == "rstring":
            text = bytes(value).decode("utf-8")
            if kind == "rstring":
                out.setdefault(name, []).append(text)
            elif text or keep:
                out[name] = text
        elif kind == "bytes":
            out[name] = bytes(value)
        elif kind in ("int", "bool"):
            number_value = _signed(int(value))
            if number_value or keep:
                out[name] = bool(number_value) if kind == "bool" else number_value
        elif kind in ("map", "qmap"):
            entry = {n: v for n, w, v in _fields(bytes(value)) if w == 2}
            key = bytes(entry.get(1, b"")).decode("utf-8")
            raw = bytes(entry.get(2, b""))
            if kind == "qmap":
                raw = next((bytes(v) for n, w, v in _fields(raw) if n == 1 and w == 2), b"")
            out.setdefault(name, {})[key] = raw.decode("utf-8")
        elif kind.startswith("*"):
            out.setdefault(name, []).append(_message(bytes(value), kind[1:]))
        elif kind.startswith("^"):
            out.update(_message(bytes(value), kind[1:]))
        else:
            sub = _message(bytes(value), kind)
            if kind == "IntOrString":
                out[name] = sub.get("strVal", "") if sub.get("type") == 1 else sub.get(
                    "intVal", 0)
            elif sub or keep:
                out[name] = sub
    return out


def decode(body: bytes) -> dict[str, Any]:
    """A JSON-shaped object from a protobuf request body; ProtobufError if unreadable."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing the k8s protobuf prefix")
    try:
        unknown = _message(body[len(MAGIC):], "Unknown")
        meta = unknown.get("typeMeta") or {}
        kind = meta.get("kind", "")
        if kind not in KINDS:
            raise ProtobufError(f"protobuf bodies of kind {kind or '(none)'} are not read here")
        obj = _message(unknown.get("raw", b""), kind)
    except (UnicodeDecodeError, IndexError, RecursionError) as exc:
        raise ProtobufError(str(exc)) from None
    return {"apiVersion": meta.get("apiVersion", ""), "kind": kind, **obj}
