"""pod_signature keeps the Ready answer of the last conditions list it read (pods that
changed alike share one list, and lists are replaced, never edited in place): any
sequence of pods, sharing lists or not, gets the signature read afresh."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.controller.pod_signature import pod_signature

LISTS: list[Any] = [
    None, [],
    [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:03Z"}],
    [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-01-01T00:00:04Z"}],
    [{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "False"}],
    [{"type": "Ready", "status": "True"}],
    [{"type": "PodScheduled", "status": "True"}],
]
REFS = [{"kind": "DaemonSet", "name": "d", "uid": "u", "controller": True}]


def _reference(pod: dict[str, Any], with_node: bool) -> tuple[object, ...]:
    meta, status = pod["metadata"], pod.get("status") or {}
    phase = status.get("phase")
    ready = None
    for cond in status.get("conditions") or ():
        if cond.get("type") == "Ready":
            if cond.get("status") == "True":
                ready = cond.get("lastTransitionTime") or ""
            break
    refs = meta.get("ownerReferences")
    return (phase if phase in ("Failed", "Succeeded") else None,
            pod["spec"].get("nodeName") if with_node else None, meta.get("deletionTimestamp"),
            ready, id(refs), len(refs) if refs else 0, meta.get("labels"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(LISTS) - 1), st.booleans(),
                          st.sampled_from(["Running", "Pending", "Failed"]), st.booleans()),
                min_size=1, max_size=25))
def test_signatures_are_read_afresh(steps: list[tuple[int, bool, str, bool]]) -> None:
    for index, copy, phase, with_node in steps:
        conditions = LISTS[index]
        if copy and conditions is not None:
            conditions = [dict(c) for c in conditions]  # an equal list of its own
        status: dict[str, Any] = {"phase": phase}
        if conditions is not None:
            status["conditions"] = conditions
        pod = {"metadata": {"name": "p", "ownerReferences": REFS}, "spec": {"nodeName": "n"},
               "status": status}
        assert pod_signature(pod, with_node) == _reference(pod, with_node)
