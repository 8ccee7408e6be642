"""Tables: the tabwriter, ages and the `get` samples of kubectl-output.md (byte-exact)."""

from __future__ import annotations

import random

import pytest
from render_builders import (
    NOW,
    ago,
    make_daemonset,
    make_event,
    make_node,
    make_pod,
    make_revision,
    owner,
)

from dstutor.model.timefmt import parse_rfc3339
from dstutor.render.columns import build_table, table_for
from dstutor.render.humanize import age, human_duration, rfc1123z
from dstutor.render.table import (
    _format_table_general,
    format_table,
    sanitize_cell,
    tabwrite,
)

# --- humanize ----------------------------------------------------------------


@pytest.mark.parametrize(("seconds", "text"), [
    (-3, "<invalid>"), (-2, "<invalid>"), (-1.5, "0s"), (-1, "0s"), (-0.5, "0s"),
    (0, "0s"), (59, "59s"), (119, "119s"), (119.9, "119s"), (120, "2m"), (125, "2m5s"),
    (599, "9m59s"), (600, "10m"), (7080, "118m"), (179 * 60 + 59, "179m"), (3 * 3600, "3h"),
    (7 * 3600 + 59 * 60, "7h59m"), (8 * 3600, "8h"), (47 * 3600 + 3599, "47h"),
    (48 * 3600, "2d"), (3 * 86400 + 5 * 3600, "3d5h"), (7 * 86400 + 23 * 3600, "7d23h"),
    (8 * 86400, "8d"), (729 * 86400, "729d"), (730 * 86400, "2y"),
    (3 * 365 * 86400 + 12 * 86400, "3y12d"), (8 * 365 * 86400, "8y"), (20 * 365 * 86400, "20y"),
])
def test_render_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


def test_render_age_of_missing_timestamp_is_unknown() -> None:
    assert age(None, NOW) == "<unknown>"
    assert age("", NOW) == "<unknown>"
    assert age(ago(61), NOW) == "61s"


def test_render_rfc1123z() -> None:
    assert rfc1123z("2026-11-25T12:01:02Z") == "Wed, 25 Nov 2026 12:01:02 +0000"
    assert rfc1123z("2026-11-22T09:03:51Z") == "Sun, 22 Nov 2026 09:03:51 +0000"


# --- tabwriter ---------------------------------------------------------------


def test_render_tabwrite_blocks_are_aligned_separately() -> None:
    text = "Name:\tfluentd\nLabels:\tapp=x\nPod Template:\n  Labels:\tapp=x\nEvents:\t<none>\n"
    assert tabwrite(text) == (
        "Name:    fluentd\nLabels:  app=x\nPod Template:\n  Labels:  app=x\nEvents:    <none>\n")


def test_render_tabwrite_empty_cells_are_padded_and_last_cell_is_not() -> None:
    assert tabwrite("a\t\tb\nccc\t\td\n") == "a      b\nccc    d\n"
    assert tabwrite("Image ID:\t\nPort:\t<none>\n") == "Image ID:  \nPort:      <none>\n"


def test_render_format_table_pads_to_six_and_three() -> None:
    out = format_table(["NAME", "X"], [["a", "1"], ["bbbbbbb", "22"]])
    assert out == "NAME      X\na         1\nbbbbbbb   22\n"


def test_render_format_table_empty_is_empty_string() -> None:
    assert format_table(["NAME"], []) == ""
    assert table_for("Pod", [], NOW) == ""


def test_render_format_table_no_headers_keeps_alignment() -> None:
    out = format_table(["NAME", "X"], [["a", "1"], ["bbbbbbb", "22"]], no_headers=True)
    assert out == "a         1\nbbbbbbb   22\n"


def test_render_cells_are_cut_at_line_breaks_and_escaped() -> None:
    assert sanitize_cell("two\nlines") == "two..."
    assert sanitize_cell("a\x1bb") == "a^[b"
    assert sanitize_cell("cr\rhere") == "cr..."


def test_render_multibyte_cells_widen_the_header_like_kubectl() -> None:
    # kubectl pads the header to the longest cell in bytes; the tabwriter counts runes.
    out = format_table(["NAME", "AGE"], [["ééé", "5m"]])
    assert out == "NAME     AGE\nééé      5m\n"


# Cells that exercise every branch of format_table: multi-byte runes, characters that are
# cut or escaped (or, for a tab, split the cell), integers, the empty cell, and lengths
# around the minimum width.
_PLAIN_PIECES = ("a", "bb", "node-001", "Running", " ", "", "<none>", "x" * 9, "10.244.0.2")
_WIDE_PIECES = ("é", "日本")
_BREAKING_PIECES = ("\t", "\n", "\r", "\x1b", "\f")


def _random_table(rng: random.Random) -> tuple[list[str], list[list[object]], bool]:
    ncols = rng.randint(1, 5)
    header_names = ["NAME", "X", "READY", "NOMINATED NODE", "É"]
    if rng.random() < 0.05:
        header_names.append("A\tB")
    headers = [rng.choice(header_names) for _ in range(ncols)]
    pieces = list(_PLAIN_PIECES)
    if rng.random() < 0.4:
        pieces += _WIDE_PIECES
    breaking = rng.random() < 0.3
    ragged = rng.random() < 0.1
    rows: list[list[object]] = []
    # Up to 250 rows: enough to cross kubectl's 100-row tabwriter flushes.
    for _ in range(rng.choice([1, 2, 5, 99, 100, 101, 250])):
        length = rng.randint(max(0, ncols - 1), ncols + 1) if ragged else ncols
        row: list[object] = []
        for _ in range(length):
            if rng.random() < 0.1:
                row.append(rng.randint(0, 10 ** rng.randint(0, 12)))
                continue
            cell = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 4)))
            if breaking and rng.random() < 0.02:
                cell += rng.choice(_BREAKING_PIECES) + rng.choice(pieces)
            row.append(cell)
        rows.append(row)
    return headers, rows, rng.random() < 0.3


@pytest.mark.parametrize("seed", range(40))
def test_render_format_table_fast_path_matches_general_layout(seed: int) -> None:
    # The grid fast path must lay out every table exactly like the general
    # (flush-by-flush tabwriter) path it short-cuts.
    rng = random.Random(seed)
    for _ in range(50):
        headers, rows, no_headers = _random_table(rng)
        assert format_table(headers, rows, no_headers=no_headers) == _format_table_general(
            headers, rows, no_headers=no_headers), (headers, rows, no_headers)


# --- samples from kubectl-output.md --------------------------------------------

NODES_SAMPLE = """\
NAME            STATUS                     ROLES           AGE    VERSION
control-plane   Ready                      control-plane   3d5h   v1.37.1
worker-1        Ready,SchedulingDisabled   <none>          3d5h   v1.37.1
"""


def test_render_sample_get_nodes() -> None:
    created = ago(3 * 86400 + 5 * 3600 + 100)
    nodes = [
        make_node("control-plane", created=created,
                  labels={"node-role.kubernetes.io/control-plane": ""}),
        make_node("worker-1", created=created, unschedulable=True),
    ]
    assert table_for("Node", nodes, NOW) == NODES_SAMPLE


DS_WIDE_SAMPLE = """\
NAME      DESIRED   CURRENT   READY   UP-TO-DATE   AVAILABLE   NODE SELECTOR   AGE    CONTAINERS   IMAGES          SELECTOR
fluentd   2         2         2       2            2           <none>          120m   fluentd      fluentd:v1.16   app=fluentd
"""


def test_render_sample_get_daemonset_wide() -> None:
    assert table_for("DaemonSet", [make_daemonset(created=ago(7200))], NOW, wide=True) \
        == DS_WIDE_SAMPLE


CR_SAMPLE = """\
NAME                CONTROLLER               REVISION   AGE
fluentd-6d8f7c9b5   daemonset.apps/fluentd   1          120m
fluentd-7c9b5d8f6   daemonset.apps/fluentd   2          0s
"""


def test_render_sample_get_controllerrevisions() -> None:
    ds = make_daemonset()
    revs = [make_revision(ds, "fluentd-6d8f7c9b5", 1, ago(7200)),
            make_revision(ds, "fluentd-7c9b5d8f6", 2, ago(0))]
    assert table_for("ControllerRevision", revs, NOW) == CR_SAMPLE


EVENTS_WIDE_SAMPLE = """\
LAST SEEN   TYPE     REASON             OBJECT              SUBOBJECT   SOURCE                 MESSAGE                      FIRST SEEN   COUNT   NAME
118m        Normal   SuccessfulCreate   daemonset/fluentd               daemonset-controller   Created pod: fluentd-ax0k9   118m         1       fluentd.17a
"""


def test_render_sample_get_events_wide() -> None:
    event = make_event("fluentd.17a", first=ago(7080))
    assert table_for("Event", [event], NOW, wide=True) == EVENTS_WIDE_SAMPLE


# --- cell rules ----------------------------------------------------------------


def _status(pod: dict) -> str:
    return build_table("Pod", [pod], NOW)["rows"][0]["cells"][2]


def test_render_pod_status_rules() -> None:
    assert _status(make_pod("p-1", phase="Pending", node=None, ready=False,
                            container_state={})) == "Pending"
    assert _status(make_pod("p-1", phase="Pending", ready=False)) == "ContainerCreating"
    for reason in ("ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff"):
        pod = make_pod("p-1", phase="Running", ready=False,
                       container_state={"waiting": {"reason": reason}})
        assert _status(pod) == reason
    assert _status(make_pod("p-1")) == "Running"
    assert _status(make_pod("p-1", deletion=ago(5))) == "Terminating"
    done = make_pod("p-1", phase="Succeeded", ready=False,
                    container_state={"terminated": {"reason": "Completed", "exitCode": 0}})
    assert _status(done) == "Completed"
    done["metadata"]["deletionTimestamp"] = ago(1)
    assert _status(done) == "Completed"
    lost = make_pod("p-1", deletion=ago(5))
    lost["status"]["reason"] = "NodeLost"
    assert _status(lost) == "Unknown"
    signal = make_pod("p-1", phase="Failed", container_state={"terminated": {"signal": 9}})
    assert _status(signal) == "Signal:9"
    code = make_pod("p-1", phase="Failed", container_state={"terminated": {"exitCode": 2}})
    assert _status(code) == "ExitCode:2"
    gated = make_pod("p-1", phase="Pending", node=None, container_state={})
    gated["status"]["conditions"] = [{"type": "PodScheduled", "status": "False",
                                      "reason": "SchedulingGated"}]
    assert _status(gated) == "SchedulingGated"
    nopahse = make_pod("p-1", container_state={})
    del nopahse["status"]["phase"]
    assert _status(nopahse) == ""


def test_render_pod_status_init_containers_and_sidecars() -> None:
    pod = make_pod("p-1", phase="Pending", ready=False, container_state={
        "waiting": {"reason": "PodInitializing"}})
    pod["spec"]["initContainers"] = [{"name": "init-a", "image": "busybox"},
                                     {"name": "init-b", "image": "busybox"}]
    pod["status"]["initContainerStatuses"] = [
        {"name": "init-a", "state": {"terminated": {"exitCode": 0}}, "restartCount": 0},
        {"name": "init-b", "state": {"running": {}}, "restartCount": 0}]
    assert _status(pod) == "Init:1/2"
    pod["status"]["initContainerStatuses"][1]["state"] = {"waiting": {"reason": "ErrImagePull"}}
    assert _status(pod) == "Init:ErrImagePull"
    pod["status"]["initContainerStatuses"][1]["state"] = {
        "terminated": {"exitCode": 1, "reason": "Error"}}
    assert _status(pod) == "Init:Error"
    pod["status"]["initContainerStatuses"][1]["state"] = {"terminated": {"exitCode": 3}}
    assert _status(pod) == "Init:ExitCode:3"
    sidecar = make_pod("p-1")
    sidecar["spec"]["initContainers"] = [{"name": "log", "image": "x", "restartPolicy": "Always"}]
    sidecar["status"]["initContainerStatuses"] = [
        {"name": "log", "state": {"running": {}}, "started": True, "ready": True,
         "restartCount": 0}]
    assert build_table("Pod", [sidecar], NOW)["rows"][0]["cells"][1:3] == ["2/2", "Running"]


def test_render_pod_completed_with_running_container() -> None:
    pod = make_pod("p-1")
    pod["spec"]["containers"].append({"name": "job", "image": "x"})
    pod["status"]["containerStatuses"].append(
        {"name": "job", "ready": False, "restartCount": 0,
         "state": {"terminated": {"reason": "Completed", "exitCode": 0}}})
    assert _status(pod) == "Running"
    pod["status"]["conditions"] = []
    assert _status(pod) == "NotReady"


def test_render_pod_restarts_and_wide_columns() -> None:
    finished = ago(303)
    pod = make_pod("fluentd-ax0k9", restarts=2,
                   last_terminated={"exitCode": 1, "finishedAt": finished}, owner_ref=None)
    cells = build_table("Pod", [pod], NOW)["rows"][0]["cells"]
    assert cells == ["fluentd-ax0k9", "1/1", "Running", "2 (5m3s ago)", "118m", "10.244.1.5",
                     "worker-1", "<none>", "<none>"]
    pod["status"]["containerStatuses"][0]["lastState"] = {}
    assert build_table("Pod", [pod], NOW)["rows"][0]["cells"][3] == "2"
    pod["spec"]["readinessGates"] = [{"conditionType": "Ready"}, {"conditionType": "x/y"}]
    assert build_table("Pod", [pod], NOW)["rows"][0]["cells"][8] == "1/2"
    bare = make_pod("p-1", node=None, pod_ip=None, phase="Pending", ready=False)
    assert build_table("Pod", [bare], NOW)["rows"][0]["cells"][5:7] == ["<none>", "<none>"]


def test_render_node_cells() -> None:
    node = make_node("w", ready="False", labels={
        "node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/": "x",
        "kubernetes.io/role": "infra", "node-role.kubernetes.io/infra": "true"},
        extra_addresses=[{"type": "ExternalIP", "address": "1.2.3.4"}])
    node["status"]["nodeInfo"]["osImage"] = ""
    cells = build_table("Node", [node], parse_rfc3339("2026-11-22T09:04:51Z"))["rows"][0]["cells"]
    assert cells == ["w", "NotReady", "infra,worker", "60s", "v1.37.1", "172.18.0.3", "1.2.3.4",
                     "<unknown>", "6.8.0", "containerd://2.1.0"]
    assert build_table("Node", [make_node("n", ready=None)], NOW)["rows"][0]["cells"][1] \
        == "Unknown"


def test_render_daemonset_cells_missing_status_and_selectors() -> None:
    ds = make_daemonset(status={}, node_selector={"b": "2", "a": "1"})
    ds["spec"]["selector"] = {"matchLabels": {"app": "x"}, "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["b", "a"]},
        {"key": "gone", "operator": "DoesNotExist"}]}
    cells = build_table("DaemonSet", [ds], NOW)["rows"][0]["cells"]
    assert cells[1:7] == [0, 0, 0, 0, 0, "a=1,b=2"]
    assert cells[-1] == "app=x,!gone,tier in (a,b)"


def test_render_event_cells_series_and_fallbacks() -> None:
    event = make_event("e1", kind="Pod", obj_name="", message="  pulled  ",
                       field_path="spec.containers{x}", host="worker-1")
    event["series"] = {"count": 5, "lastObservedTime": ago(30)}
    cells = build_table("Event", [event], NOW)["rows"][0]["cells"]
    assert cells == ["30s", "Normal", "SuccessfulCreate", "pod", "spec.containers{x}",
                     "daemonset-controller, worker-1", "pulled", "118m", 5, "e1"]
    new_api = make_event("e2")
    del new_api["firstTimestamp"], new_api["lastTimestamp"], new_api["source"], new_api["count"]
    new_api["eventTime"] = "2026-11-25T13:59:00.123456Z"
    new_api["reportingController"] = "kubelet"
    cells = build_table("Event", [new_api], NOW)["rows"][0]["cells"]
    assert cells[0] == "59s" and cells[5] == "kubelet" and cells[7] == "59s" and cells[8] == 1


def test_render_table_decorations() -> None:
    ds = make_daemonset()
    pod = make_pod("fluentd-ax0k9", owner_ref=owner(ds), labels={
        "app": "fluentd", "kubernetes.io/os": "linux"})
    out = table_for("Pod", [pod], NOW, all_namespaces=True, show_labels=True,
                    label_columns=["kubernetes.io/os", "missing"], with_kind_prefix=True)
    assert out == (
        "NAMESPACE   NAME                READY   STATUS    RESTARTS   AGE    OS      MISSING"
        "   LABELS\n"
        "default     pod/fluentd-ax0k9   1/1     Running   0          118m   linux             "
        "app=fluentd,kubernetes.io/os=linux\n")
    # Nodes are cluster-scoped: -A adds no NAMESPACE column.
    assert table_for("Node", [make_node("n")], NOW, all_namespaces=True).startswith("NAME ")
    assert table_for("DaemonSet", [ds], NOW, with_kind_prefix=True).splitlines()[1].startswith(
        "daemonset.apps/fluentd   ")


def test_render_unknown_kind_falls_back_to_name_and_age() -> None:
    obj = {"kind": "ConfigMap", "metadata": {"name": "cm", "creationTimestamp": ago(60)}}
    assert table_for("ConfigMap", [obj], NOW) == "NAME   AGE\ncm     60s\n"
