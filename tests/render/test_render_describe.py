"""describe: the samples of kubectl-output.md §5 (byte-exact) and the layout rules."""

from __future__ import annotations

from pathlib import Path

from render_builders import NOW, ago, make_daemonset, make_event, make_node, make_pod, owner

from dstutor.render.describe import (
    describe_controllerrevision,
    describe_daemonset,
    describe_node,
    describe_pod,
    smart_label,
)
from dstutor.render.describe_common import DescribeWriter, describe_events, print_annotations

GOLDEN = Path(__file__).parent / "golden"


def golden(name: str) -> str:
    """Samples copied byte-for-byte from kubectl-output.md (trailing spaces included)."""
    return (GOLDEN / name).read_text(encoding="utf-8")


DS_SAMPLE = golden("describe_daemonset.txt")

POD_SAMPLE = golden("describe_pod.txt")

# The node sample is trimmed in the reference: the RenewTime value and the
# Allocatable block are elided there, and are elided here the same way.
NODE_SAMPLE = golden("describe_node_trimmed.txt")

DS = make_daemonset(created=ago(7200))
DS_POD_LABELS = {"app": "fluentd", "controller-revision-hash": "6d8f7c9b5",
                 "pod-template-generation": "1"}


def _sample_pod() -> dict:
    pod = make_pod("fluentd-ax0k9", owner_ref=owner(DS), labels=DS_POD_LABELS)
    pod["status"]["startTime"] = "2026-11-25T12:01:02Z"
    pod["status"]["containerStatuses"][0]["state"] = {
        "running": {"startedAt": "2026-11-25T12:02:42Z"}}
    return pod


def test_render_sample_describe_daemonset() -> None:
    pods = [make_pod("fluentd-ax0k9", owner_ref=owner(DS), labels=DS_POD_LABELS),
            make_pod("fluentd-bx1k9", node="worker-2", owner_ref=owner(DS), labels=DS_POD_LABELS),
            make_pod("stray-1", labels=DS_POD_LABELS),  # not controlled by this DaemonSet
            make_pod("web", labels={"app": "web"}, owner_ref=owner(DS))]  # selector mismatch
    events = [make_event("fluentd.17a", first=ago(7080))]
    assert describe_daemonset(DS, pods, events, NOW) == DS_SAMPLE


def test_render_sample_describe_pod() -> None:
    assert describe_pod(_sample_pod(), [], NOW) == POD_SAMPLE


def test_render_sample_describe_node_trimmed_like_the_reference() -> None:
    node = make_node("worker-1", taints=[{"key": "c", "value": "3", "effect": "PreferNoSchedule"},
                                         {"key": "b", "effect": "NoExecute"}])
    other = make_pod("elsewhere-1", node="worker-2")
    finished = make_pod("done-1", phase="Succeeded")
    out = describe_node(node, [_sample_pod(), other, finished], [], NOW)
    lines = out.splitlines(keepends=True)
    renew = next(i for i, line in enumerate(lines) if "RenewTime:" in line)
    lines[renew] = lines[renew][:lines[renew].index("2026") + 4] + " ...\n"
    start = lines.index("Allocatable:\n") + 1
    end = lines.index("System Info:\n")
    lines[start:end] = ["  (same shape)\n"]
    assert "".join(lines) == NODE_SAMPLE


def test_render_events_ages_and_sources() -> None:
    w = DescribeWriter()
    repeated = make_event("e1", first=ago(600), last=ago(180), count=5, component="",
                          field_path="spec.containers{fluentd}", message=" pulled ")
    repeated["reportingController"] = "kubelet"
    series = make_event("e2", first=ago(900), last=ago(899))
    series["series"] = {"count": 7, "lastObservedTime": "2026-11-25T13:58:00.500000Z"}
    describe_events(w, [series, repeated], NOW)
    assert w.text() == (
        "Events:\n"
        "  Type    Reason            Age                 From                  Message\n"
        "  ----    ------            ----                ----                  -------\n"
        "  Normal  SuccessfulCreate  119s (x7 over 15m)  daemonset-controller  Created pod: "
        "fluentd-ax0k9\n"
        "  Normal  SuccessfulCreate  3m (x5 over 10m)    kubelet               "
        "spec.containers{fluentd}: pulled\n")


def test_render_annotations_hide_last_applied_and_wrap_long_values() -> None:
    w = DescribeWriter()
    print_annotations(w, "Annotations", {
        "kubectl.kubernetes.io/last-applied-configuration": "{}", "b": "two\nlines\n",
        "a": "x" * 139, "c": "short"})
    assert w.text() == (
        "Annotations:  a:\n"
        "                " + "x" * 138 + "...\n"
        "              b:\n"
        "                two\n"
        "                lines\n"
        "              c: short\n")


def test_render_smart_labels() -> None:
    assert [smart_label(f) for f in ("apiVersion", "ownerReferences", "uid", "podCIDRs",
                                     "$patch", "kubernetes.io/os", "dnsPolicy", "revision")] \
        == ["API Version", "Owner References", "UID", "Pod CIDRs", "$patch", "kubernetes.io/os",
            "Dns Policy", "Revision"]


def test_render_describe_controllerrevision_generic_layout() -> None:
    from render_builders import make_revision

    out = describe_controllerrevision(make_revision(DS, "fluentd-6d8f7c9b5", 1, ago(60)), NOW)
    assert out.startswith("Name:         fluentd-6d8f7c9b5\nNamespace:    default\n")
    assert "      $patch:  replace\n" in out and out.endswith("Events:                    <none>\n")
