"""`kubectl describe deployment` (upstream describeDeployment), with the ReplicaSets it
names: the new one (its template is the Deployment's, pod-template-hash aside) and the
old ones."""

from __future__ import annotations

from collections.abc import Iterable

from dstutor.model.objects import canonical_json, clone
from dstutor.render.describe_common import (
    DescribeWriter,
    Obj,
    describe_events,
    meta,
    print_annotations,
    print_labels,
    print_workload_conditions,
    selector_text,
)
from dstutor.render.describe_pod import describe_pod_template
from dstutor.render.humanize import rfc1123z

__all__ = ["describe_deployment", "split_replicasets"]
HASH_LABEL = "pod-template-hash"


def _without_hash(template: Obj) -> str:
    copy = clone(template)
    labels = (copy.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return canonical_json(copy)


def split_replicasets(deploy: Obj, replicasets: Iterable[Obj]) -> tuple[list[Obj], Obj | None]:
    """deploymentutil.GetAllReplicaSets for describe: (the old ones, scaled to zero or not,
    the new one) among the ReplicaSets the Deployment controls."""
    uid = meta(deploy).get("uid")
    owned = [rs for rs in replicasets if any(
        r.get("controller") and r.get("uid") == uid for r in meta(rs).get("ownerReferences") or [])]
    # The API lists by name; FindNewReplicaSet takes the oldest with the same template.
    owned.sort(key=lambda rs: meta(rs).get("name", ""))
    wanted = _without_hash((deploy.get("spec") or {}).get("template") or {})
    by_age = sorted(owned, key=lambda rs: (meta(rs).get("creationTimestamp", ""),
                                           meta(rs).get("name", "")))
    new = next((rs for rs in by_age
                if _without_hash((rs.get("spec") or {}).get("template") or {}) == wanted), None)
    return [rs for rs in owned if rs is not new], new


def _by_labels(replicasets: list[Obj]) -> str:
    text = ", ".join(f"{meta(rs).get('name', '')} ({(rs.get('status') or {}).get('replicas', 0)}/"
                     f"{(rs.get('spec') or {}).get('replicas', 1)} replicas created)"
                     for rs in replicasets)
    return text or "<none>"


def describe_deployment(deploy: Obj, replicasets: Iterable[Obj], events: list[Obj] | None,
                        now: float) -> str:
    w = DescribeWriter()
    m, spec, status = meta(deploy), deploy.get("spec") or {}, deploy.get("status") or {}
    selector = selector_text(spec)
    w.write(0, f"Name:\t{m.get('name', '')}\n")
    w.write(0, f"Namespace:\t{m.get('namespace', '')}\n")
    w.write(0, f"CreationTimestamp:\t{rfc1123z(m.get('creationTimestamp'))}\n")
    print_labels(w, "Labels", m.get("labels"))
    print_annotations(w, "Annotations", m.get("annotations"))
    w.write(0, f"Selector:\t{selector}\n")
    w.write(0, f"Replicas:\t{spec.get('replicas', 1)} desired | "
               f"{status.get('updatedReplicas', 0)} updated | {status.get('replicas', 0)} total | "
               f"{status.get('availableReplicas', 0)} available | "
               f"{status.get('unavailableReplicas', 0)} unavailable\n")
    strategy = spec.get("strategy") or {}
    w.write(0, f"StrategyType:\t{strategy.get('type', '')}\n")
    w.write(0, f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}\n")
    rolling = strategy.get("rollingUpdate")
    if rolling is not None:
        w.write(0, f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', '')} max unavailable, "
                   f"{rolling.get('maxSurge', '')} max surge\n")
    describe_pod_template(w, spec.get("template") or {})
    print_workload_conditions(w, status)
    old, new = split_replicasets(deploy, replicasets)
    if old or new is not None:
        w.write(0, f"OldReplicaSets:\t{_by_labels(old)}\n")
        w.write(0, f"NewReplicaSet:\t{_by_labels([new] if new is not None else [])}\n")
    if events is not None:
        describe_events(w, events, now)
    return w.text()
