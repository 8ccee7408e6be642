from __future__ import annotations

from typing import Any

import pytest

from dstutor.model.defaults import apply_defaults, image_pull_policy_for

Obj = dict[str, Any]


def _ds(spec_extra: dict[str, Any] | None = None) -> Obj:
    spec: dict[str, Any] = {
        "selector": {"matchLabels": {"app": "x"}},
        "template": {"metadata": {"labels": {"app": "x"}},
                     "spec": {"containers": [{"name": "c", "image": "fluentd:v1"}]}},
    }
    spec.update(spec_extra or {})
    return {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "x"}, "spec": spec}


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        ("nginx", "Always"),
        ("nginx:latest", "Always"),
        ("nginx:1.27", "IfNotPresent"),
        ("registry:5000/nginx", "Always"),
        ("registry:5000/nginx:1.0", "IfNotPresent"),
        ("nginx@sha256:abcd", "IfNotPresent"),
        ("nginx:latest@sha256:abcd", "Always"),
        ("", "Always"),
    ],
)
def test_image_pull_policy(image: str, policy: str) -> None:
    assert image_pull_policy_for(image) == policy


@pytest.mark.parametrize(
    ("strategy", "expected"),
    [
        (None, {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
        ({}, {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
        ({"rollingUpdate": {"maxSurge": 1}},
         {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}),
        ({"rollingUpdate": {"maxUnavailable": "25%"}},
         {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 0}}),
        ({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 2}},
         {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 2}}),
        ({"type": "OnDelete"}, {"type": "OnDelete"}),
        ({"type": "OnDelete", "rollingUpdate": {"maxSurge": 3}}, {"type": "OnDelete", "rollingUpdate": {"maxSurge": 3}}),
    ],
)
def test_daemonset_update_strategy(strategy: dict | None, expected: dict) -> None:
    obj = _ds({} if strategy is None else {"updateStrategy": strategy})
    apply_defaults(obj)
    assert obj["spec"]["updateStrategy"] == expected


def test_daemonset_history_limit_and_template() -> None:
    obj = _ds()
    apply_defaults(obj)
    spec = obj["spec"]
    assert spec["revisionHistoryLimit"] == 10
    assert "minReadySeconds" not in spec
    pod_spec = spec["template"]["spec"]
    assert pod_spec["restartPolicy"] == "Always"
    assert pod_spec["dnsPolicy"] == "ClusterFirst"
    assert pod_spec["schedulerName"] == "default-scheduler"
    assert pod_spec["terminationGracePeriodSeconds"] == 30
    assert pod_spec["securityContext"] == {}
    # Templates do not get the Pod-only enableServiceLinks default.
    assert "enableServiceLinks" not in pod_spec
    ctr = pod_spec["containers"][0]
    assert ctr["imagePullPolicy"] == "IfNotPresent"
    assert ctr["terminationMessagePath"] == "/dev/termination-log"
    assert ctr["terminationMessagePolicy"] == "File"
    assert ctr["resources"] == {}  # the API server stores an empty block


def test_existing_values_are_kept() -> None:
    obj = _ds({"revisionHistoryLimit": 0})
    tspec = obj["spec"]["template"]["spec"]
    tspec.update(restartPolicy="Never", terminationGracePeriodSeconds=0, dnsPolicy="Default")
    tspec["containers"][0].update(imagePullPolicy="Never", terminationMessagePolicy="FallbackToLogsOnError")
    apply_defaults(obj)
    assert obj["spec"]["revisionHistoryLimit"] == 0
    assert tspec["restartPolicy"] == "Never"
    assert tspec["terminationGracePeriodSeconds"] == 0
    assert tspec["dnsPolicy"] == "Default"
    assert tspec["containers"][0]["imagePullPolicy"] == "Never"
    assert tspec["containers"][0]["terminationMessagePolicy"] == "FallbackToLogsOnError"


def test_pod_defaults() -> None:
    pod: Obj = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                "spec": {"containers": [{"name": "c", "image": "nginx",
                                         "ports": [{"containerPort": 80}],
                                         "resources": {"limits": {"cpu": "1"}, "requests": {"memory": "1Mi"}},
                                         "readinessProbe": {"httpGet": {"port": 80}}}],
                         "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}},
                                     {"name": "cfg", "configMap": {"name": "c"}},
                                     {"name": "scratch"}]}}
    apply_defaults(pod)
    spec = pod["spec"]
    assert spec["enableServiceLinks"] is True
    assert spec["restartPolicy"] == "Always"
    ctr = spec["containers"][0]
    assert ctr["imagePullPolicy"] == "Always"
    assert ctr["ports"][0]["protocol"] == "TCP"
    assert ctr["resources"]["requests"] == {"memory": "1Mi", "cpu": "1"}
    assert ctr["readinessProbe"] == {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"},
                                     "timeoutSeconds": 1, "periodSeconds": 10,
                                     "successThreshold": 1, "failureThreshold": 3}
    assert spec["volumes"][0]["hostPath"] == {"path": "/var/log", "type": ""}
    assert spec["volumes"][1]["configMap"]["defaultMode"] == 420
    assert spec["volumes"][2] == {"name": "scratch", "emptyDir": {}}
    assert "status" not in pod


def test_deployment_defaults() -> None:
    obj = _ds()
    obj["kind"] = "Deployment"
    apply_defaults(obj)
    spec = obj["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate",
                                "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    assert spec["template"]["spec"]["restartPolicy"] == "Always"


def test_deployment_recreate_gets_no_rolling_block() -> None:
    obj = _ds({"replicas": 0, "strategy": {"type": "Recreate"}})
    obj["kind"] = "Deployment"
    apply_defaults(obj)
    assert obj["spec"]["strategy"] == {"type": "Recreate"}
    assert obj["spec"]["replicas"] == 0


def test_namespace_defaults() -> None:
    ns: Obj = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "logging"}}
    apply_defaults(ns)
    assert ns["spec"] == {"finalizers": ["kubernetes"]}
    assert ns["metadata"]["labels"] == {"kubernetes.io/metadata.name": "logging"}
    assert ns["status"] == {"phase": "Active"}


def test_node_and_unknown_kinds_untouched() -> None:
    node: Obj = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}
    apply_defaults(node)
    assert node == {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"}}
    other: Obj = {"kind": "ConfigMap", "metadata": {"name": "c"}}
    apply_defaults(other)
    assert other == {"kind": "ConfigMap", "metadata": {"name": "c"}}


def test_defaulting_is_idempotent() -> None:
    obj = _ds()
    apply_defaults(obj)
    snapshot = repr(obj)
    apply_defaults(obj)
    assert repr(obj) == snapshot


def test_pod_host_network_ports_default_host_port() -> None:
    pod: Obj = {"kind": "Pod", "metadata": {"name": "p"},
                "spec": {"hostNetwork": True,
                         "containers": [{"name": "c", "image": "x", "ports": [{"containerPort": 9100}]}]}}
    apply_defaults(pod)
    assert pod["spec"]["containers"][0]["ports"][0] == {"containerPort": 9100, "protocol": "TCP", "hostPort": 9100}
    template = _ds()
    tspec = template["spec"]["template"]["spec"]
    tspec["hostNetwork"] = True
    tspec["containers"][0]["ports"] = [{"containerPort": 9100}]
    apply_defaults(template)
    assert "hostPort" not in tspec["containers"][0]["ports"][0]
