"""The API server's typed decoding: exact messages for a table of learners' YAML slips."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from dstutor import yamlio
from dstutor.model import decode as d

DS = """
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
  labels: {app: agent}
spec:
  selector:
    matchLabels: {app: agent}
  updateStrategy:
    type: RollingUpdate
    rollingUpdate: {maxUnavailable: 1}
  template:
    metadata:
      labels: {app: agent}
    spec:
      tolerations:
      - {key: k, operator: Exists, effect: NoSchedule}
      containers:
      - name: agent
        image: busybox:1.37
        ports: [{containerPort: 9100}]
        resources: {limits: {cpu: 100m, memory: 64Mi}}
"""
POD = """
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: busybox:1.37}]
"""
NODE = """
apiVersion: v1
kind: Node
metadata: {name: n1}
spec: {taints: [{key: k, effect: NoSchedule}]}
"""
DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 25%}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: nginx}]
"""
BASES = {"DaemonSet": DS, "Pod": POD, "Node": NODE, "Deployment": DEPLOY}

CT = "spec.template.spec.containers"
UNMARSHAL = "json: cannot unmarshal"


def _doc(kind: str, yaml_patch: dict[str, str]) -> dict[str, Any]:
    """The kind's base manifest with each dotted path set to a YAML-written value."""
    obj = yamlio.load_one(BASES[kind], "base")
    for path, text in yaml_patch.items():
        value = yamlio.load_one(f"v: {text}", "value")["v"] if text != "~" else None
        target: Any = obj
        parts = [int(p) if p.isdigit() else p for p in path.split(".")]
        for part in parts[:-1]:
            target = target[part]
        if text == "DELETE":
            del target[parts[-1]]
        else:
            target[parts[-1]] = value
    return obj


# (id, kind, {path: YAML value}, the server's message after "cannot be handled as a Kind: ")
CASES: list[tuple[str, str, dict[str, str], str]] = [
    ("label-int", "DaemonSet", {"spec.template.metadata.labels.ver": "2"},
     f"{UNMARSHAL} number into Go struct field ObjectMeta.spec.template.metadata.labels of "
     "type string"),
    ("label-float-1.10", "DaemonSet", {"metadata.labels.version": "1.10"},
     f"{UNMARSHAL} number into Go struct field ObjectMeta.metadata.labels of type string"),
    ("label-bool", "DaemonSet", {"spec.template.metadata.labels.gpu": "true"},
     f"{UNMARSHAL} bool into Go struct field ObjectMeta.spec.template.metadata.labels of "
     "type string"),
    ("nodeselector-bool", "DaemonSet", {"spec.template.spec.nodeSelector": "{gpu: true}"},
     f"{UNMARSHAL} bool into Go struct field PodSpec.spec.template.spec.nodeSelector of "
     "type string"),
    ("nodeselector-yes", "DaemonSet", {"spec.template.spec.nodeSelector": "{ssd: yes}"},
     f"{UNMARSHAL} bool into Go struct field PodSpec.spec.template.spec.nodeSelector of "
     "type string"),
    ("nodeselector-on", "DaemonSet", {"spec.template.spec.nodeSelector": "{ssd: on}"},
     f"{UNMARSHAL} bool into Go struct field PodSpec.spec.template.spec.nodeSelector of "
     "type string"),
    ("nodeselector-list", "DaemonSet", {"spec.template.spec.nodeSelector": "[gpu]"},
     f"{UNMARSHAL} array into Go struct field PodSpec.spec.template.spec.nodeSelector of "
     "type map[string]string"),
    ("container-port-string", "DaemonSet", {f"{CT}.0.ports.0.containerPort": '"9100"'},
     f"{UNMARSHAL} string into Go struct field ContainerPort.{CT}.ports.containerPort of "
     "type int32"),
    ("container-port-float", "DaemonSet", {f"{CT}.0.ports.0.containerPort": "80.5"},
     f"{UNMARSHAL} number 80.5 into Go struct field ContainerPort.{CT}.ports.containerPort "
     "of type int32"),
    ("container-port-int64-range", "DaemonSet", {f"{CT}.0.ports.0.containerPort": "4294967296"},
     f"{UNMARSHAL} number 4294967296 into Go struct field ContainerPort.{CT}.ports."
     "containerPort of type int32"),
    ("labels-list", "DaemonSet", {"spec.template.metadata.labels": "[app, agent]"},
     f"{UNMARSHAL} array into Go struct field ObjectMeta.spec.template.metadata.labels of "
     "type map[string]string"),
    ("labels-string", "DaemonSet", {"metadata.labels": "app=agent"},
     f"{UNMARSHAL} string into Go struct field ObjectMeta.metadata.labels of type "
     "map[string]string"),
    ("containers-map", "DaemonSet", {"spec.template.spec.containers": "{name: c, image: i}"},
     f"{UNMARSHAL} object into Go struct field PodSpec.{CT} of type []v1.Container"),
    ("container-string", "DaemonSet", {f"{CT}.0": "nginx"},
     f"{UNMARSHAL} string into Go struct field PodSpec.{CT} of type v1.Container"),
    ("revision-history-string", "DaemonSet", {"spec.revisionHistoryLimit": '"10"'},
     f"{UNMARSHAL} string into Go struct field DaemonSetSpec.spec.revisionHistoryLimit of "
     "type int32"),
    ("min-ready-huge", "DaemonSet", {"spec.minReadySeconds": "1" + "0" * 50},
     f"{UNMARSHAL} number 1e+50 into Go struct field DaemonSetSpec.spec.minReadySeconds of "
     "type int32"),
    ("min-ready-integral-float-ok", "DaemonSet", {"spec.minReadySeconds": "5.0"}, ""),
    ("grace-2^63", "DaemonSet", {"spec.template.spec.terminationGracePeriodSeconds":
                                 str(2**63)},
     f"{UNMARSHAL} number 9223372036854775808 into Go struct field PodSpec.spec.template."
     "spec.terminationGracePeriodSeconds of type int64"),
    ("grace-2^64", "DaemonSet", {"spec.template.spec.terminationGracePeriodSeconds":
                                 str(2**64)},
     f"{UNMARSHAL} number 18446744073709552000 into Go struct field PodSpec.spec.template."
     "spec.terminationGracePeriodSeconds of type int64"),
    ("grace-max-int64-ok", "DaemonSet", {"spec.template.spec.terminationGracePeriodSeconds":
                                         str(2**63 - 1)}, ""),
    ("readiness-probe-bool", "DaemonSet", {f"{CT}.0.readinessProbe": "true"},
     f"{UNMARSHAL} bool into Go struct field Container.{CT}.readinessProbe of type v1.Probe"),
    ("probe-inline-handler", "DaemonSet", {f"{CT}.0.livenessProbe": "{httpGet: /healthz}"},
     f"{UNMARSHAL} string into Go struct field Probe.{CT}.livenessProbe.ProbeHandler.httpGet "
     "of type v1.HTTPGetAction"),
    ("probe-port-bool", "DaemonSet",
     {f"{CT}.0.livenessProbe": "{httpGet: {path: /, port: true}}"},
     f"{UNMARSHAL} bool into Go struct field HTTPGetAction.{CT}.livenessProbe.ProbeHandler."
     "httpGet.port of type int32"),
    ("probe-period-string", "DaemonSet", {f"{CT}.0.livenessProbe": "{periodSeconds: ten}"},
     f"{UNMARSHAL} string into Go struct field Probe.{CT}.livenessProbe.periodSeconds of "
     "type int32"),
    ("image-number", "DaemonSet", {f"{CT}.0.image": "1.37"},
     f"{UNMARSHAL} number into Go struct field Container.{CT}.image of type string"),
    ("image-pull-policy-bool", "DaemonSet", {f"{CT}.0.imagePullPolicy": "no"},
     f"{UNMARSHAL} bool into Go struct field Container.{CT}.imagePullPolicy of type "
     "v1.PullPolicy"),
    ("command-string", "DaemonSet", {f"{CT}.0.command": "sleep 3600"},
     f"{UNMARSHAL} string into Go struct field Container.{CT}.command of type []string"),
    ("args-number-item", "DaemonSet", {f"{CT}.0.args": "[sleep, 3600]"},
     f"{UNMARSHAL} number into Go struct field Container.{CT}.args of type string"),
    ("env-value-number", "DaemonSet", {f"{CT}.0.env": "[{name: PORT, value: 8080}]"},
     f"{UNMARSHAL} number into Go struct field EnvVar.{CT}.env.value of type string"),
    ("cpu-bool", "DaemonSet", {f"{CT}.0.resources.limits.cpu": "true"},
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?"
     "[0-9]*)$'"),
    ("cpu-word", "DaemonSet", {f"{CT}.0.resources.limits.cpu": "half"},
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?"
     "[0-9]*)$'"),
    ("memory-bad-suffix", "DaemonSet", {f"{CT}.0.resources.limits.memory": "64KM"},
     "unable to parse quantity's suffix"),
    ("cpu-number-ok", "DaemonSet", {f"{CT}.0.resources.limits.cpu": "1.5"}, ""),
    ("resources-list", "DaemonSet", {f"{CT}.0.resources.limits": "[cpu]"},
     f"{UNMARSHAL} array into Go struct field ResourceRequirements.{CT}.resources.limits of "
     "type v1.ResourceList"),
    ("max-unavailable-bool", "DaemonSet", {"spec.updateStrategy.rollingUpdate.maxUnavailable":
                                           "true"},
     f"{UNMARSHAL} bool into Go struct field RollingUpdateDaemonSet.spec.updateStrategy."
     "rollingUpdate.maxUnavailable of type int32"),
    ("max-unavailable-float", "DaemonSet",
     {"spec.updateStrategy.rollingUpdate.maxUnavailable": "0.5"},
     f"{UNMARSHAL} number 0.5 into Go struct field RollingUpdateDaemonSet.spec.updateStrategy."
     "rollingUpdate.maxUnavailable of type int32"),
    ("max-surge-list", "DaemonSet", {"spec.updateStrategy.rollingUpdate.maxSurge": "[1]"},
     f"{UNMARSHAL} array into Go struct field RollingUpdateDaemonSet.spec.updateStrategy."
     "rollingUpdate.maxSurge of type int32"),
    ("max-unavailable-percent-ok", "DaemonSet",
     {"spec.updateStrategy.rollingUpdate.maxUnavailable": "10%"}, ""),
    ("update-strategy-string", "DaemonSet", {"spec.updateStrategy": "OnDelete"},
     f"{UNMARSHAL} string into Go struct field DaemonSetSpec.spec.updateStrategy of type "
     "v1.DaemonSetUpdateStrategy"),
    ("selector-string", "DaemonSet", {"spec.selector": "app=agent"},
     f"{UNMARSHAL} string into Go struct field DaemonSetSpec.spec.selector of type "
     "v1.LabelSelector"),
    ("toleration-seconds-string", "DaemonSet",
     {"spec.template.spec.tolerations.0.tolerationSeconds": '"300"'},
     f"{UNMARSHAL} string into Go struct field Toleration.spec.template.spec.tolerations."
     "tolerationSeconds of type int64"),
    ("tolerations-map", "DaemonSet", {"spec.template.spec.tolerations": "{key: k}"},
     f"{UNMARSHAL} object into Go struct field PodSpec.spec.template.spec.tolerations of "
     "type []v1.Toleration"),
    ("host-network-string", "DaemonSet", {"spec.template.spec.hostNetwork": '"true"'},
     f"{UNMARSHAL} string into Go struct field PodSpec.spec.template.spec.hostNetwork of "
     "type bool"),
    ("metadata-list", "DaemonSet", {"metadata": "[name]"},
     f"{UNMARSHAL} array into Go struct field DaemonSet.metadata of type v1.ObjectMeta"),
    ("name-number", "Pod", {"metadata.name": "1"},
     f"{UNMARSHAL} number into Go struct field ObjectMeta.metadata.name of type string"),
    ("creation-timestamp-bad", "Pod", {"metadata.creationTimestamp": "yesterday"},
     'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as '
     '"2006"'),
    ("creation-timestamp-number", "Pod", {"metadata.creationTimestamp": "5"},
     f"{UNMARSHAL} number into Go struct field ObjectMeta.metadata.creationTimestamp of type "
     "string"),
    ("creation-timestamp-null-ok", "Pod", {"metadata.creationTimestamp": "~"}, ""),
    ("pod-restart-policy-bool", "Pod", {"spec.restartPolicy": "yes"},
     f"{UNMARSHAL} bool into Go struct field PodSpec.spec.restartPolicy of type "
     "v1.RestartPolicy"),
    ("node-unschedulable-string", "Node", {"spec.unschedulable": "'yes'"},
     f"{UNMARSHAL} string into Go struct field NodeSpec.spec.unschedulable of type bool"),
    ("node-taint-effect-number", "Node", {"spec.taints.0.effect": "1"},
     f"{UNMARSHAL} number into Go struct field Taint.spec.taints.effect of type "
     "v1.TaintEffect"),
    ("node-capacity-bad", "Node", {"spec": "{}", "status": "{capacity: {pods: lots}}"},
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?"
     "[0-9]*)$'"),
    ("deploy-replicas-string", "Deployment", {"spec.replicas": '"2"'},
     f"{UNMARSHAL} string into Go struct field DeploymentSpec.spec.replicas of type int32"),
    ("deploy-max-surge-bool", "Deployment", {"spec.strategy.rollingUpdate.maxSurge": "true"},
     f"{UNMARSHAL} bool into Go struct field RollingUpdateDeployment.spec.strategy."
     "rollingUpdate.maxSurge of type int32"),
    ("deploy-paused-string", "Deployment", {"spec.paused": "'no'"},
     f"{UNMARSHAL} string into Go struct field DeploymentSpec.spec.paused of type bool"),
    # The first error in the order kubectl's JSON has (sorted keys) is the one reported.
    ("first-in-sorted-order", "DaemonSet", {"spec.revisionHistoryLimit": '"10"',
                                            "spec.minReadySeconds": '"5"'},
     f"{UNMARSHAL} string into Go struct field DaemonSetSpec.spec.minReadySeconds of type "
     "int32"),
    # An UnmarshalJSON error stops decoding at once and wins over a saved type error.
    ("quantity-beats-earlier-type-error", "DaemonSet",
     {"metadata.labels.ver": "2", f"{CT}.0.resources.limits.cpu": "x"},
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?"
     "[0-9]*)$'"),
    # Strict decoding: unknown fields in every subtree, with list indices, sorted order.
    ("unknown-in-probe", "DaemonSet", {f"{CT}.0.livenessProbe": "{foo: 1, exec: {command: [x]}}"},
     f'strict decoding error: unknown field "{CT}[0].livenessProbe.foo"'),
    ("unknown-in-volume-source", "DaemonSet",
     {"spec.template.spec.volumes": "[{name: v, hostPath: {path: /, kind: Dir}}]"},
     'strict decoding error: unknown field "spec.template.spec.volumes[0].hostPath.kind"'),
    ("unknown-in-affinity", "DaemonSet",
     {"spec.template.spec.affinity": "{nodeAffinity: {required: {}}}"},
     'strict decoding error: unknown field "spec.template.spec.affinity.nodeAffinity.required"'),
    ("unknown-case-sensitive", "DaemonSet", {"spec.template.metadata.Labels": "{a: b}"},
     'strict decoding error: unknown field "spec.template.metadata.Labels"'),
    ("unknown-two-sorted", "DaemonSet", {"spec.replicas": "2", "spec.paused": "true"},
     'strict decoding error: unknown field "spec.paused", unknown field "spec.replicas"'),
    ("type-error-beats-unknown", "DaemonSet", {"spec.replicas": "2",
                                               "spec.minReadySeconds": "x"},
     f"{UNMARSHAL} string into Go struct field DaemonSetSpec.spec.minReadySeconds of type "
     "int32"),
    ("null-fields-ok", "DaemonSet", {"spec.template.spec.nodeSelector": "~",
                                     "metadata.labels.app": "~"}, ""),
]


@pytest.mark.parametrize(("kind", "patch", "expected"), [pytest.param(*c[1:], id=c[0])
                                                         for c in CASES])
def test_decode_messages(kind: str, patch: dict[str, str], expected: str) -> None:
    result = d.decode(kind, _doc(kind, patch))
    detail = result.error or (d.strict_detail(result.unknown) if result.unknown else "")
    assert detail == expected


def test_table_is_large_enough() -> None:
    assert len(CASES) >= 40


def test_decoded_object_is_the_typed_reencoding() -> None:
    obj = _doc("DaemonSet", {"spec.minReadySeconds": "5.0", "spec.replicas": "3",
                             "metadata.labels.app": "~"})
    result = d.decode("DaemonSet", obj, strict=False)
    assert result.error is None and result.unknown == []
    assert result.obj["spec"]["minReadySeconds"] == 5
    assert isinstance(result.obj["spec"]["minReadySeconds"], int)
    assert "replicas" not in result.obj["spec"]  # an unknown field is dropped
    assert result.obj["metadata"]["labels"] == {"app": ""}  # null -> the zero string


def test_yaml_keys_become_json_strings() -> None:
    obj = _doc("DaemonSet", {"spec.template.spec.nodeSelector": "{7: a, true: b}"})
    result = d.decode("DaemonSet", obj)
    assert result.obj["spec"]["template"]["spec"]["nodeSelector"] == {"7": "a", "true": "b"}


@pytest.mark.parametrize(("value", "text"), [
    (1.0, "1"), (0.5, "0.5"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
    (1.5e-7, "1.5e-7"), (-2.5, "-2.5"), (2**63, "9223372036854775808"),
    (2**64, "18446744073709552000"), (10**50, "1e+50"), (1e-300, "1e-300"),
])
def test_number_literal_as_go_marshals_it(value: float, text: str) -> None:
    assert d.number_literal(value) == text


@pytest.mark.parametrize(("value", "message"), [
    (float("nan"), "json: unsupported value: NaN"),
    (float("inf"), "json: unsupported value: +Inf"),
    (float("-inf"), "json: unsupported value: -Inf"),
    (1.5, None),
])
def test_json_unsupported(value: float, message: str | None) -> None:
    assert d.json_unsupported({"a": [{"b": value}]}) == message


@pytest.mark.parametrize(("text", "problem"), [
    ("2026-01-02T03:04:05Z", None),
    ("2026-01-02T03:04:05.123+02:00", None),
    ("2026-01-02", 'cannot parse "" as "T"'),
    ("2026-13-02T03:04:05Z", "month out of range"),
    ("26-01-02T03:04:05Z", 'cannot parse "26-01-02T03:04:05Z" as "2006"'),
    ("2026-01-02T03:04:05", 'cannot parse "" as "Z07:00"'),
])
def test_rfc3339(text: str, problem: str | None) -> None:
    assert d.parse_rfc3339(text) == problem


def test_every_served_kind_has_a_schema() -> None:
    from dstutor.model.kinds import KINDS

    assert sorted(KINDS) == sorted(d.schema()["kinds"])


def test_field_exists() -> None:
    assert d.field_exists("DaemonSet", ["spec", "template", "spec", "containers", "livenessProbe",
                                        "httpGet", "port"])
    assert not d.field_exists("DaemonSet", ["spec", "replicas"])
    assert not d.field_exists("Lease", ["spec"])


def test_decode_does_not_change_its_input() -> None:
    obj = _doc("DaemonSet", {"spec.replicas": "2"})
    before = copy.deepcopy(obj)
    d.decode("DaemonSet", obj, strict=False)
    assert json.dumps(obj, sort_keys=True) == json.dumps(before, sort_keys=True)
