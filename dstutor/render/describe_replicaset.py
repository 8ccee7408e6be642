"""`kubectl describe replicaset` (upstream describeReplicaSet).

Kept apart from describe.py so the DaemonSet describer and this one change independently.
"""

from __future__ import annotations

from collections.abc import Iterable

from dstutor.render.describe import _pod_phase_counts
from dstutor.render.describe_common import (
    DescribeWriter,
    Obj,
    controlled_by,
    describe_events,
    meta,
    print_annotations,
    print_labels,
    print_workload_conditions,
    selector_text,
)
from dstutor.render.describe_pod import describe_pod_template

__all__ = ["describe_replicaset"]


def describe_replicaset(rs: Obj, pods: Iterable[Obj], events: list[Obj] | None,
                        now: float) -> str:
    """`kubectl describe rs`; `pods` may be every pod in the namespace (getPodStatusForController
    keeps those the selector matches and this ReplicaSet controls)."""
    w = DescribeWriter()
    m, spec, status = meta(rs), rs.get("spec") or {}, rs.get("status") or {}
    selector = selector_text(spec)
    w.write(0, f"Name:\t{m.get('name', '')}\n")
    w.write(0, f"Namespace:\t{m.get('namespace', '')}\n")
    w.write(0, f"Selector:\t{selector}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    owner = controlled_by(rs)
    if owner:
        w.write(0, f"Controlled By:\t{owner}\n")
    w.write(0, f"Replicas:\t{status.get('replicas', 0)} current / "
               f"{spec.get('replicas', 1)} desired\n")
    running, waiting, succeeded, failed = _pod_phase_counts(rs, pods)
    w.write(0, f"Pods Status:\t{running} Running / {waiting} Waiting / {succeeded} Succeeded / "
               f"{failed} Failed\n")
    describe_pod_template(w, spec.get("template") or {})
    print_workload_conditions(w, status)
    if events is not None:
        describe_events(w, events, now)
    return w.text()
