"""Resource types: kubectl's spellings, display forms, categories and field selectors."""

from __future__ import annotations

import pytest

from dstutor.errors import CommandError
from dstutor.kubectl.registry import (
    KUBECTL_COMMANDS,
    FlagSpec,
    FlagType,
    flag_names,
    get_verb,
    help_text,
    iter_verbs,
    parse_go_duration,
    parse_go_int,
)
from dstutor.kubectl.resources import (
    RESOURCE_TYPES,
    FieldRequirement,
    ResourceType,
    parse_field_selector,
    resolve_resource,
    resolve_resources,
    resource_for_kind,
    unsupported_field_labels,
)


def test_kubectl_resources_daemonset_entry() -> None:
    assert resolve_resource("ds") == ResourceType(
        kind="DaemonSet", plural="daemonsets", singular="daemonset", group="apps",
        version="v1", namespaced=True, short_names=("ds",), categories=("all",),
        field_labels=("metadata.name", "metadata.namespace"))


@pytest.mark.parametrize(("typed", "kind"), [
    ("ds", "DaemonSet"), ("daemonset", "DaemonSet"), ("daemonsets", "DaemonSet"),
    ("daemonsets.apps", "DaemonSet"), ("daemonset.apps", "DaemonSet"),
    ("ds.apps", "DaemonSet"), ("ds.v1.apps", "DaemonSet"), ("daemonsets.v1.apps", "DaemonSet"),
    ("DaemonSet", "DaemonSet"), ("Daemonsets", "DaemonSet"), ("DaemonSet.apps", "DaemonSet"),
    ("daemonsets.app", "DaemonSet"), ("daemonsets.", "DaemonSet"),
    ("po", "Pod"), ("pod", "Pod"), ("pods", "Pod"), ("Pods", "Pod"), ("pods.", "Pod"),
    ("pod.v1.", "Pod"), ("Pod.v1.", "Pod"),
    ("no", "Node"), ("node", "Node"), ("nodes", "Node"), ("Node", "Node"),
    ("nodes.v1.", "Node"),
    ("ns", "Namespace"), ("namespace", "Namespace"), ("namespaces", "Namespace"),
    ("ev", "Event"), ("event", "Event"), ("events", "Event"), ("events.v1.", "Event"),
    ("controllerrevision", "ControllerRevision"), ("controllerrevisions", "ControllerRevision"),
    ("controllerrevisions.apps", "ControllerRevision"),
    ("ControllerRevision", "ControllerRevision"),
    ("deploy", "Deployment"), ("deployment", "Deployment"), ("deployments", "Deployment"),
    ("deployments.apps", "Deployment"),
    ("rs", "ReplicaSet"), ("replicaset", "ReplicaSet"), ("replicasets.apps", "ReplicaSet"),
])
def test_kubectl_resources_resolves_spellings(typed: str, kind: str) -> None:
    assert resolve_resource(typed).kind == kind


@pytest.mark.parametrize(("typed", "message"), [
    ("foo", 'error: the server doesn\'t have a resource type "foo"'),
    ("DS", 'error: the server doesn\'t have a resource type "DS"'),
    ("Ds", 'error: the server doesn\'t have a resource type "Ds"'),
    ("PO", 'error: the server doesn\'t have a resource type "PO"'),
    ("all", 'error: the server doesn\'t have a resource type "all"'),
    ("", 'error: the server doesn\'t have a resource type ""'),
    ("daemonsets.extensions",
     'error: the server doesn\'t have a resource type "daemonsets" in group "extensions"'),
    ("daemonsets.APPS",
     'error: the server doesn\'t have a resource type "daemonsets" in group "APPS"'),
    ("daemonsets.pps",
     'error: the server doesn\'t have a resource type "daemonsets" in group "pps"'),
    ("daemonsets.v1", 'error: the server doesn\'t have a resource type "daemonsets" in group "v1"'),
    ("daemonsets.v2.apps",
     'error: the server doesn\'t have a resource type "daemonsets" in group "v2.apps"'),
    ("daemonset.apps.v1",
     'error: the server doesn\'t have a resource type "daemonset" in group "apps.v1"'),
    ("pods.v1", 'error: the server doesn\'t have a resource type "pods" in group "v1"'),
    ("pods.core", 'error: the server doesn\'t have a resource type "pods" in group "core"'),
    ("pods.v1.a", 'error: the server doesn\'t have a resource type "pods" in group "v1.a"'),
    ("all.apps", 'error: the server doesn\'t have a resource type "all" in group "apps"'),
    ("x.y.z", 'error: the server doesn\'t have a resource type "x" in group "y.z"'),
    ("services", 'error: the server doesn\'t have a resource type "services"'),
])
def test_kubectl_resources_unknown_types(typed: str, message: str) -> None:
    with pytest.raises(CommandError) as info:
        resolve_resource(typed)
    assert str(info.value) == message


@pytest.mark.parametrize(("typed", "display", "singular", "api_version", "ref"), [
    ("ds", "daemonsets.apps", "daemonset.apps", "apps/v1", "daemonset.apps/fluentd"),
    ("po", "pods", "pod", "v1", "pod/fluentd"),
    ("no", "nodes", "node", "v1", "node/fluentd"),
    ("controllerrevisions", "controllerrevisions.apps", "controllerrevision.apps", "apps/v1",
     "controllerrevision.apps/fluentd"),
    ("deploy", "deployments.apps", "deployment.apps", "apps/v1", "deployment.apps/fluentd"),
    ("ev", "events", "event", "v1", "event/fluentd"),
])
def test_kubectl_resources_display_forms(typed: str, display: str, singular: str,
                                         api_version: str, ref: str) -> None:
    rt = resolve_resource(typed)
    assert rt.display == display
    assert rt.singular_display == singular
    assert rt.api_version == api_version
    assert rt.object_ref("fluentd") == ref


@pytest.mark.parametrize(("arg", "kinds"), [
    ("all", ["Pod", "DaemonSet", "Deployment", "ReplicaSet"]),
    ("ds,po", ["DaemonSet", "Pod"]),
    ("ds,daemonsets,ds", ["DaemonSet"]),
    ("all,ds", ["Pod", "DaemonSet", "Deployment", "ReplicaSet"]),
    ("nodes,all", ["Node", "Pod", "DaemonSet", "Deployment", "ReplicaSet"]),
])
def test_kubectl_resources_comma_lists_and_all(arg: str, kinds: list[str]) -> None:
    assert [rt.kind for rt in resolve_resources(arg)] == kinds


@pytest.mark.parametrize("arg", ["ds,foo", "ds,", ",ds"])
def test_kubectl_resources_comma_list_errors(arg: str) -> None:
    with pytest.raises(CommandError):
        resolve_resources(arg)


def test_kubectl_resources_scope_and_kinds() -> None:
    scope = {rt.kind: rt.namespaced for rt in RESOURCE_TYPES}
    assert scope == {"Event": True, "Namespace": False, "Node": False, "Pod": True,
                     "ControllerRevision": True, "DaemonSet": True, "Deployment": True,
                     "ReplicaSet": True, "PriorityClass": False}
    assert resource_for_kind("Node").plural == "nodes"
    pc = resource_for_kind("PriorityClass")
    assert (pc.display, pc.short_names, pc.api_version) == (
        "priorityclasses.scheduling.k8s.io", ("pc",), "scheduling.k8s.io/v1")


@pytest.mark.parametrize(("text", "terms"), [
    ("spec.nodeName=worker-1", [("spec.nodeName", "worker-1", False)]),
    ("spec.nodeName==worker-1", [("spec.nodeName", "worker-1", False)]),
    ("status.phase!=Failed,status.phase!=Succeeded",
     [("status.phase", "Failed", True), ("status.phase", "Succeeded", True)]),
    ("metadata.name=", [("metadata.name", "", False)]),
    ("involvedObject.name=a\\,b", [("involvedObject.name", "a,b", False)]),
    ("", []),
])
def test_kubectl_resources_field_selector(text: str, terms: list[tuple[str, str, bool]]) -> None:
    parsed = parse_field_selector(text)
    assert [(t.field, t.value, t.negated) for t in parsed] == terms


def test_kubectl_resources_field_selector_errors_and_support() -> None:
    with pytest.raises(ValueError, match="invalid selector: 'foo'; can't understand 'foo'"):
        parse_field_selector("foo")
    pods = resolve_resource("pods")
    terms = parse_field_selector("spec.nodeName=a,spec.foo=b,metadata.name=c")
    assert unsupported_field_labels(pods, terms) == ["spec.foo"]
    assert unsupported_field_labels(resolve_resource("no"), terms) == ["spec.nodeName",
                                                                       "spec.foo"]
    assert str(FieldRequirement("status.phase", "Failed", negated=True)) == \
        "status.phase!=Failed"


# -- the verb registry ------------------------------------------------------------------

EXPECTED_VERBS = ["create", "run", "set", "explain", "get", "edit", "delete", "rollout", "scale",
                  "top", "cordon", "uncordon", "drain", "taint", "describe", "logs", "events",
                  "apply", "patch", "replace", "label", "annotate", "version", "api-resources"]


def test_kubectl_registry_verbs_in_kubectl_order() -> None:
    assert [v.path for v in iter_verbs()] == EXPECTED_VERBS
    assert all(v.path in KUBECTL_COMMANDS for v in iter_verbs())


@pytest.mark.parametrize("path", [
    "rollout status", "rollout history", "rollout undo", "rollout restart", "rollout pause",
    "rollout resume", "set image", "create namespace", "create deployment", "top node",
    "top pod",
])
def test_kubectl_registry_subcommands(path: str) -> None:
    spec = get_verb(path)
    assert spec is not None and spec.path == path
    assert spec.summary and spec.usage.startswith(f"kubectl {path}")


def test_kubectl_registry_flag_names_for_completion() -> None:
    names = flag_names("get")
    for expected in ("-o", "--output", "-l", "--selector", "-A", "--all-namespaces", "-w",
                     "--show-labels", "-L", "--no-headers", "-n", "--namespace", "-h"):
        assert expected in names
    assert "--cascade" in flag_names("delete")
    assert "--ignore-daemonsets" in flag_names("drain")
    assert "--to-revision" in flag_names("rollout undo")
    assert "-o" not in flag_names("describe")
    for expected in ("-c", "--all-containers", "--tail", "--since", "-p", "-f"):
        assert expected in flag_names("logs")
    assert "--for" in flag_names("events") and "--containers" in flag_names("top pod")
    with pytest.raises(KeyError):
        flag_names("exec")


@pytest.mark.parametrize(("flag", "text", "value"), [
    (FlagSpec("x", FlagType.BOOL), "true", True),
    (FlagSpec("x", FlagType.BOOL), "F", False),
    (FlagSpec("x", FlagType.INT), "42", 42),
    (FlagSpec("x", FlagType.INT), "-1", -1),
    (FlagSpec("x", FlagType.INT), "0x10", 16),
    (FlagSpec("x", FlagType.INT), "010", 8),
    (FlagSpec("x", FlagType.DURATION), "1m30s", 90.0),
    (FlagSpec("x", FlagType.DURATION), "500ms", 0.5),
    (FlagSpec("x", FlagType.DURATION), "0", 0.0),
    (FlagSpec("x", FlagType.DURATION), "1.5h", 5400.0),
    (FlagSpec("x", FlagType.LIST), "a,b", ("a", "b")),
    (FlagSpec("x", FlagType.STR), "", ""),
])
def test_kubectl_registry_converts_values_like_go(flag: FlagSpec, text: str,
                                                  value: object) -> None:
    assert flag.convert(text) == value


@pytest.mark.parametrize(("text", "message"), [
    ("abc", 'time: invalid duration "abc"'),
    ("1", 'time: missing unit in duration "1"'),
    ("1x", 'time: unknown unit "x" in duration "1x"'),
    ("", 'time: invalid duration ""'),
])
def test_kubectl_registry_duration_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_go_duration(text)
    assert str(info.value) == message


def test_kubectl_registry_int_errors() -> None:
    with pytest.raises(ValueError, match='strconv.ParseInt: parsing "1.5": invalid syntax'):
        parse_go_int("1.5")
    with pytest.raises(ValueError, match="value out of range"):
        parse_go_int(str(2**63))


def test_kubectl_registry_help_text() -> None:
    root = help_text()
    assert "get             Display one or many resources" in root
    assert "logs            Print the logs for a container in a pod" in root
    assert "exec" not in root
    status = help_text("rollout status")
    assert "kubectl rollout status (TYPE NAME | TYPE/NAME)" in status
    assert "--timeout" in status
    assert "Available Commands:" in help_text("rollout")
