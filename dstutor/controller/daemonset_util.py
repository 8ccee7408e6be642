"""Pure helpers from upstream util/daemonset_util.go: update test, surge and unavailable counts."""

from __future__ import annotations

import math

from dstutor.model.objects import (
    DAEMONSET_UNIQUE_LABEL,
    TEMPLATE_GENERATION_ANNOTATION,
    TEMPLATE_GENERATION_LABEL,
    Obj,
    labels,
)
from dstutor.model.shapes import DictShape

COMPONENT = "daemonset-controller"  # the events' reporting component


def template_generation(ds: Obj) -> str | None:
    return (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)


def is_pod_updated(pod: Obj, hash_: str, generation: str | None) -> bool:
    """IsPodUpdated: the pod carries the current hash OR the current template generation."""
    pod_labels = labels(pod)
    if generation is not None and pod_labels.get(TEMPLATE_GENERATION_LABEL) == generation:
        return True
    return bool(hash_) and pod_labels.get(DAEMONSET_UNIQUE_LABEL) == hash_


def scaled_value(value: int | str | None, total: int) -> int:
    """intstr.GetScaledValueFromIntOrPercent with roundUp=true (DaemonSets round up)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    text = str(value)
    if text.endswith("%"):
        return math.ceil(int(text[:-1]) * total / 100)
    return int(text)


def _rolling(ds: Obj) -> Obj | None:
    strategy = ds["spec"].get("updateStrategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return None
    return strategy.get("rollingUpdate")


def surge_count(ds: Obj, number_to_schedule: int) -> int:
    r = _rolling(ds)
    return 0 if r is None else scaled_value(r.get("maxSurge"), number_to_schedule)


def unavailable_count(ds: Obj, number_to_schedule: int) -> int:
    r = _rolling(ds)
    return 0 if r is None else scaled_value(r.get("maxUnavailable"), number_to_schedule)


def allows_surge(ds: Obj) -> bool:
    return surge_count(ds, 1) != 0


def is_rolling_update(ds: Obj) -> bool:
    strategy = ds["spec"].get("updateStrategy") or {}
    return strategy.get("type", "RollingUpdate") == "RollingUpdate"


def pod_sort_key(pod: Obj) -> tuple[int, str, str]:
    """podByCreationTimestampAndPhase: scheduled first, then oldest, then by name."""
    scheduled = 0 if pod.get("spec", {}).get("nodeName") else 1
    return (scheduled, pod["metadata"].get("creationTimestamp", ""), pod["metadata"]["name"])


_REQUIREMENT = DictShape(("key", "operator", "values"))
_TERM = DictShape(("matchFields",))
_NODE_SELECTOR = DictShape(("nodeSelectorTerms",))


def node_name_affinity(node_name: str) -> Obj:
    """ReplaceDaemonSetPodNodeNameNodeAffinity: exactly one term pinning the node (its
    dicts key-sharing ones, model/shapes.py: a daemon pod holds one set per node)."""
    requirement = _REQUIREMENT.build("metadata.name", "In", [node_name])
    return _NODE_SELECTOR.build([_TERM.build([requirement])])


class Backoff:
    """flowcontrol.Backoff: per-key exponential delays (1 s doubling to 15 min)."""

    def __init__(self, initial: float = 1.0, maximum: float = 900.0) -> None:
        self.initial, self.maximum = initial, maximum
        self._entries: dict[str, tuple[float, float]] = {}  # key -> (delay, last update)

    def is_in_backoff_since_update(self, key: str, now: float) -> bool:
        entry = self._entries.get(key)
        return entry is not None and now - entry[1] < entry[0]

    def next(self, key: str, now: float) -> None:
        entry = self._entries.get(key)
        if entry is None or now - entry[1] > 2 * self.maximum:
            self._entries[key] = (self.initial, now)
        else:
            self._entries[key] = (min(entry[0] * 2, self.maximum), now)

    def get(self, key: str) -> float:
        entry = self._entries.get(key)
        return entry[0] if entry else 0.0

    def due(self, key: str) -> float:
        delay, last = self._entries[key]
        return last + delay
