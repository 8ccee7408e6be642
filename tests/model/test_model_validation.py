from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from dstutor.model.defaults import apply_defaults
from dstutor.model.validation import validate

Obj = dict[str, Any]

PERCENT_MSG = (
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or "
    "'93%', regex used for validation is '[0-9]+%')"
)
SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
RU = "spec.updateStrategy.rollingUpdate"


def daemonset() -> Obj:
    return {
        "apiVersion": "apps/v1", "kind": "DaemonSet",
        "metadata": {"name": "fluentd", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "fluentd"}},
            "template": {
                "metadata": {"labels": {"app": "fluentd"}},
                "spec": {"containers": [{"name": "fluentd", "image": "fluentd:v1"}]},
            },
        },
    }


def deployment() -> Obj:
    obj = daemonset()
    obj["kind"] = "Deployment"
    obj["metadata"]["name"] = "web"
    return obj


def pod() -> Obj:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}


def causes(obj: Obj, mutate: Callable[[Obj], None], old: Obj | None = None) -> list[str]:
    mutate(obj)
    apply_defaults(obj)
    return validate(obj, old)


def tspec(o: Obj) -> Obj:
    return o["spec"]["template"]["spec"]


def strategy(**rolling: Any) -> Callable[[Obj], None]:
    return lambda o: o["spec"].update(updateStrategy={"rollingUpdate": rolling})


@pytest.mark.parametrize("make", [daemonset, deployment, pod])
def test_valid_objects_pass(make: Callable[[], Obj]) -> None:
    assert causes(make(), lambda o: None) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(lambda o: tspec(o).update(restartPolicy="Never"),
                     ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
                     id="restart-never"),
        pytest.param(lambda o: tspec(o).update(restartPolicy="OnFailure"),
                     ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"'],
                     id="restart-onfailure"),
        pytest.param(lambda o: tspec(o).update(activeDeadlineSeconds=60),
                     ["spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in DaemonSet is not Supported"],
                     id="active-deadline"),
        pytest.param(lambda o: o["spec"]["template"]["metadata"].update(labels={"app": "other"}),
                     ['spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`'],
                     id="selector-mismatch"),
        pytest.param(lambda o: o["spec"]["template"]["metadata"].update(labels={"z": "1", "app": "x"}),
                     ['spec.template.metadata.labels: Invalid value: {"app":"x","z":"1"}: `selector` does not match template `labels`'],
                     id="selector-mismatch-sorted-json"),
        pytest.param(lambda o: o["spec"]["template"].pop("metadata"),
                     ["spec.template.metadata.labels: Invalid value: null: `selector` does not match template `labels`"],
                     id="template-without-labels"),
        pytest.param(lambda o: o["spec"].pop("selector"),
                     ['spec.template.metadata.labels: Invalid value: {"app":"fluentd"}: `selector` does not match template `labels`'],
                     id="nil-selector"),
        pytest.param(lambda o: o["spec"].update(selector={}),
                     ["spec.selector: Invalid value: {}: empty selector is invalid for daemonset"],
                     id="empty-selector"),
        pytest.param(lambda o: o["spec"].update(selector={"matchLabels": {}, "matchExpressions": []}),
                     ["spec.selector: Invalid value: {}: empty selector is invalid for daemonset"],
                     id="empty-selector-parts"),
        pytest.param(strategy(maxSurge=1),
                     [f"{RU}.maxSurge: Invalid value: 1: may not be set when maxUnavailable is non-zero"],
                     id="surge-with-default-unavailable"),
        pytest.param(strategy(maxSurge="10%", maxUnavailable="10%"),
                     [f'{RU}.maxSurge: Invalid value: "10%": may not be set when maxUnavailable is non-zero'],
                     id="both-nonzero-percent"),
        pytest.param(strategy(maxSurge=0, maxUnavailable=0),
                     [f"{RU}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"],
                     id="both-zero"),
        pytest.param(strategy(maxSurge="0%", maxUnavailable="0%"),
                     [f"{RU}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"],
                     id="both-zero-percent"),
        pytest.param(strategy(maxUnavailable="150%"),
                     [f'{RU}.maxUnavailable: Invalid value: "150%": must not be greater than 100%'],
                     id="unavailable-over-100"),
        pytest.param(strategy(maxUnavailable=0, maxSurge="200%"),
                     [f'{RU}.maxSurge: Invalid value: "200%": must not be greater than 100%'],
                     id="surge-over-100"),
        pytest.param(strategy(maxUnavailable=-1),
                     [f"{RU}.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"],
                     id="negative-unavailable"),
        pytest.param(strategy(maxUnavailable=0, maxSurge=-2),
                     [f"{RU}.maxSurge: Invalid value: -2: must be greater than or equal to 0"],
                     id="negative-surge"),
        pytest.param(strategy(maxUnavailable="abc"),
                     [f'{RU}.maxUnavailable: Invalid value: "abc": {PERCENT_MSG}',
                      f"{RU}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"],
                     id="malformed-percent"),
        pytest.param(strategy(maxUnavailable="5"),
                     [f'{RU}.maxUnavailable: Invalid value: "5": {PERCENT_MSG}'],
                     id="numeric-string"),
        pytest.param(strategy(maxUnavailable=1.5),
                     [f"{RU}.maxUnavailable: Invalid value: 1.5: must be an integer or percentage (e.g '5%%')",
                      f"{RU}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"],
                     id="float"),
        pytest.param(lambda o: o["spec"].update(updateStrategy={"type": "Rolling"}),
                     ['spec.updateStrategy: Unsupported value: {"Type":"Rolling","RollingUpdate":null}: '
                      'supported values: "RollingUpdate", "OnDelete"'],
                     id="unknown-strategy"),
        pytest.param(lambda o: o["spec"].update(updateStrategy={"type": "OnDelete", "rollingUpdate": {"maxSurge": 5}}),
                     [], id="ondelete-ignores-rolling"),
        pytest.param(lambda o: o["spec"].update(minReadySeconds=-1),
                     ["spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0"],
                     id="negative-min-ready"),
        pytest.param(lambda o: o["spec"].update(revisionHistoryLimit=-1),
                     ["spec.revisionHistoryLimit: Invalid value: -1: must be greater than or equal to 0"],
                     id="negative-history"),
        pytest.param(lambda o: o["spec"].update(revisionHistoryLimit=0), [], id="zero-history-ok"),
        pytest.param(lambda o: o["metadata"].update(name="Fluentd_1"),
                     [f'metadata.name: Invalid value: "Fluentd_1": {SUBDOMAIN_MSG}'],
                     id="bad-name"),
        pytest.param(lambda o: o["metadata"].update(name="a" * 254),
                     [f'metadata.name: Invalid value: "{"a" * 254}": must be no more than 253 bytes'],
                     id="long-name"),
        pytest.param(lambda o: o["metadata"].pop("name"),
                     ["metadata.name: Required value: name or generateName is required"],
                     id="no-name"),
        pytest.param(lambda o: o["metadata"].update(generateName="Bad_"),
                     [f'metadata.generateName: Invalid value: "Bad_": {SUBDOMAIN_MSG}'],
                     id="bad-generate-name"),
        pytest.param(lambda o: o["metadata"].update(labels={"bad key": "x"}),
                     ['metadata.labels: Invalid value: "bad key": name part must consist of alphanumeric '
                      "characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                      "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"],
                     id="bad-label-key"),
        pytest.param(lambda o: tspec(o).update(containers=[]),
                     ["spec.template.spec.containers: Required value"], id="no-containers"),
        pytest.param(lambda o: tspec(o).update(containers=[{"image": "x"}]),
                     ["spec.template.spec.containers[0].name: Required value"], id="container-no-name"),
        pytest.param(lambda o: tspec(o).update(containers=[{"name": "c"}]),
                     ["spec.template.spec.containers[0].image: Required value"], id="container-no-image"),
        pytest.param(lambda o: tspec(o).update(containers=[{"name": "c", "image": "a"}, {"name": "c", "image": "b"}]),
                     ['spec.template.spec.containers[1].name: Duplicate value: "c"'], id="duplicate-container"),
        pytest.param(lambda o: tspec(o).update(tolerations=[{"key": "gpu", "effect": "Bogus", "operator": "Exists"}]),
                     ['spec.template.spec.tolerations[0].effect: Unsupported value: "Bogus": '
                      'supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
                     id="toleration-bad-effect"),
        pytest.param(lambda o: tspec(o).update(tolerations=[{"operator": "Equal", "value": "x"}]),
                     ['spec.template.spec.tolerations[0].operator: Invalid value: "Equal": operator must be '
                      'Exists when `key` is empty, which means "match all values and all keys"'],
                     id="toleration-empty-key-equal"),
        pytest.param(lambda o: tspec(o).update(tolerations=[{"key": "a", "operator": "Exists", "value": "v"}]),
                     ['spec.template.spec.tolerations[0].operator: Invalid value: {"Key":"a","Operator":"Exists",'
                      '"Value":"v","Effect":"","TolerationSeconds":null}: value must be empty when `operator` is '
                      "'Exists'"],
                     id="toleration-exists-with-value"),
        pytest.param(lambda o: tspec(o).update(tolerations=[{"key": "a", "operator": "Exists", "tolerationSeconds": 5}]),
                     ['spec.template.spec.tolerations[0].effect: Invalid value: "": effect must be '
                      "'NoExecute' when `tolerationSeconds` is set"],
                     id="toleration-seconds-without-noexecute"),
        pytest.param(lambda o: tspec(o).update(tolerations=[{"key": "a", "operator": "Like"}]),
                     ['spec.template.spec.tolerations[0].operator: Unsupported value: "Like": '
                      'supported values: "Equal", "Exists"'],
                     id="toleration-bad-operator"),
        pytest.param(lambda o: tspec(o).update(tolerations=[{"operator": "Exists"}]), [], id="toleration-all-ok"),
        pytest.param(lambda o: o["spec"]["selector"].update(
            matchExpressions=[{"key": "tier", "operator": "In"}]),
                     ["spec.selector.matchExpressions[0].values: Required value: must be specified when "
                      "`operator` is 'In' or 'NotIn'"],
                     id="selector-in-without-values"),
        pytest.param(lambda o: o["spec"].update(selector={"matchExpressions": [{"key": "app", "operator": "Near"}]}),
                     ['spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator'],
                     id="selector-bad-operator-skips-match-check"),
        pytest.param(lambda o: tspec(o).update(
            volumes=[{"name": "logs", "hostPath": {"path": "/var/log"}}],
            containers=[{"name": "c", "image": "x", "volumeMounts": [{"name": "varlog", "mountPath": "/var/log"}]}]),
                     ['spec.template.spec.containers[0].volumeMounts[0].name: Not found: "varlog"'],
                     id="mount-unknown-volume"),
        pytest.param(lambda o: tspec(o).update(containers=[{"name": "c", "image": "x", "ports": [{"containerPort": 70000}]}]),
                     ["spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: "
                      "must be between 1 and 65535, inclusive"],
                     id="bad-port"),
        pytest.param(lambda o: tspec(o).update(hostNetwork=True, containers=[
            {"name": "c", "image": "x", "ports": [{"containerPort": 24224, "hostPort": 80}]}]),
                     ["spec.template.spec.containers[0].ports[0].hostPort: Invalid value: 80: "
                      "must match `containerPort` when `hostNetwork` is true"],
                     id="host-network-port-mismatch"),
        pytest.param(lambda o: tspec(o).update(hostNetwork=True, containers=[
            {"name": "c", "image": "x", "ports": [{"containerPort": 24224}]}]),
                     [], id="host-network-template-port-unset"),
        pytest.param(lambda o: tspec(o).update(containers=[{"name": "c", "image": "x", "resources": {
            "requests": {"cpu": "2"}, "limits": {"cpu": "1"}}}]),
                     ['spec.template.spec.containers[0].resources.requests: Invalid value: "2": '
                      "must be less than or equal to cpu limit of 1"],
                     id="requests-over-limits"),
    ],
)
def test_daemonset_validation(mutate: Callable[[Obj], None], expected: list[str]) -> None:
    assert causes(daemonset(), mutate) == expected


def test_invalid_percents_on_both_fields_are_reported_in_upstream_order() -> None:
    # Both malformed-format checks come before both >100% checks, then the pairing rule.
    errs = causes(daemonset(), strategy(maxUnavailable="x", maxSurge="300%"))
    assert errs == [
        f'{RU}.maxUnavailable: Invalid value: "x": {PERCENT_MSG}',
        f'{RU}.maxSurge: Invalid value: "300%": must not be greater than 100%',
    ]
    errs = causes(daemonset(), strategy(maxUnavailable="120%", maxSurge="300%"))
    assert errs == [
        f'{RU}.maxUnavailable: Invalid value: "120%": must not be greater than 100%',
        f'{RU}.maxSurge: Invalid value: "300%": must not be greater than 100%',
        f'{RU}.maxSurge: Invalid value: "300%": may not be set when maxUnavailable is non-zero',
    ]


def test_several_causes_keep_upstream_order() -> None:
    def mutate(o: Obj) -> None:
        o["spec"]["template"]["metadata"]["labels"] = {"app": "x"}
        tspec(o)["restartPolicy"] = "Never"
        o["spec"]["minReadySeconds"] = -5
        o["spec"]["updateStrategy"] = {"rollingUpdate": {"maxUnavailable": 0}}

    assert causes(daemonset(), mutate) == [
        'spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`',
        'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
        "spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0",
        f"{RU}.maxUnavailable: Required value: cannot be 0 when maxSurge is 0",
    ]


def test_selector_is_immutable_on_update() -> None:
    old = daemonset()
    apply_defaults(old)

    def mutate(o: Obj) -> None:
        o["spec"]["selector"] = {"matchLabels": {"app": "fluentd", "tier": "logs"}}
        o["spec"]["template"]["metadata"]["labels"]["tier"] = "logs"

    assert causes(daemonset(), mutate, old) == [
        'spec.selector: Invalid value: {"matchLabels":{"app":"fluentd","tier":"logs"}}: field is immutable'
    ]
    # An unchanged selector with other edits is fine.
    assert causes(daemonset(), lambda o: tspec(o).update(hostNetwork=True), old) == []
    # The immutability check does not apply on create.
    assert causes(daemonset(), mutate) == []


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(lambda o: o["spec"].update(replicas=-1),
                     ["spec.replicas: Invalid value: -1: must be greater than or equal to 0"], id="negative-replicas"),
        pytest.param(lambda o: o["spec"].pop("selector"),
                     ["spec.selector: Required value",
                      'spec.template.metadata.labels: Invalid value: {"app":"fluentd"}: `selector` does not match template `labels`'],
                     id="missing-selector"),
        pytest.param(lambda o: o["spec"].update(selector={}),
                     ["spec.selector: Invalid value: {}: empty selector is invalid for deployment"], id="empty-selector"),
        pytest.param(lambda o: o["spec"].update(selector={"matchExpressions": [{"key": "a", "operator": "Near"}]}),
                     ['spec.selector.matchExpressions[0].operator: Invalid value: "Near": not a valid selector operator',
                      'spec.selector: Invalid value: {"matchExpressions":[{"key":"a","operator":"Near"}]}: '
                      "invalid label selector"],
                     id="unconvertible-selector"),
        pytest.param(lambda o: o["spec"]["template"]["metadata"].update(labels={"app": "x"}),
                     ['spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`'],
                     id="mismatch"),
        pytest.param(lambda o: tspec(o).update(restartPolicy="Never"),
                     ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
                     id="restart-never"),
        pytest.param(lambda o: o["spec"].update(strategy={"rollingUpdate": {"maxUnavailable": 0, "maxSurge": 0}}),
                     ["spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0"],
                     id="both-zero"),
        pytest.param(lambda o: o["spec"].update(strategy={"type": "Recreate", "rollingUpdate": {}}),
                     ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
                     id="recreate-with-rolling"),
        pytest.param(lambda o: o["spec"].update(progressDeadlineSeconds=5, minReadySeconds=10),
                     ["spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds"],
                     id="deadline-below-min-ready"),
    ],
)
def test_deployment_validation(mutate: Callable[[Obj], None], expected: list[str]) -> None:
    assert causes(deployment(), mutate) == expected


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        pytest.param(lambda o: o["spec"].update(restartPolicy="Sometimes"),
                     ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
                     id="bad-restart"),
        pytest.param(lambda o: o["spec"].update(restartPolicy="Never"), [], id="never-ok-for-pods"),
        pytest.param(lambda o: o["spec"].update(activeDeadlineSeconds=0),
                     ["spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"],
                     id="deadline-zero"),
        pytest.param(lambda o: o["spec"].update(containers=[]), ["spec.containers: Required value"], id="no-containers"),
        pytest.param(lambda o: o["spec"].update(hostNetwork=True, containers=[
            {"name": "c", "image": "x", "ports": [{"containerPort": 8080}]}]), [], id="host-port-defaulted"),
        pytest.param(lambda o: o["spec"]["containers"][0].update(name="Web"),
                     ['spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of '
                      "lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
                      "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"],
                     id="bad-container-name"),
        pytest.param(lambda o: o["spec"]["containers"][0].update(imagePullPolicy="Sometimes"),
                     ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: '
                      '"Always", "IfNotPresent", "Never"'],
                     id="bad-pull-policy"),
    ],
)
def test_pod_validation(mutate: Callable[[Obj], None], expected: list[str]) -> None:
    assert causes(pod(), mutate) == expected


@pytest.mark.parametrize(
    ("taints", "expected"),
    [
        ([{"key": "gpu", "effect": "NoSchedule"}], []),
        ([{"key": "gpu", "effect": "Bogus"}],
         ['spec.taints[0].effect: Unsupported value: "Bogus": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']),
        ([{"key": "gpu"}], ["spec.taints[0].effect: Required value"]),
        ([{"key": "gpu", "effect": "NoSchedule"}, {"key": "gpu", "value": "x", "effect": "NoSchedule"}],
         ['spec.taints[1]: Duplicate value: {"Key":"gpu","Value":"x","Effect":"NoSchedule","TimeAdded":null}: '
          "taints must be unique by key and effect pair"]),
        ([{"key": "gpu", "effect": "NoSchedule"}, {"key": "gpu", "effect": "NoExecute"}], []),
    ],
)
def test_node_taints(taints: list[dict], expected: list[str]) -> None:
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-1"}, "spec": {"taints": taints}}
    assert validate(copy.deepcopy(node)) == expected


def test_namespace_names_are_dns_labels() -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}}
    apply_defaults(ns)
    assert validate(ns) == ['metadata.name: Invalid value: "a.b": must not contain dots']
