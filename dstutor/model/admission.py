"""What admission plugins and the pod strategy add to a pod before it is stored."""

from __future__ import annotations

from dstutor.model.objects import Obj
from dstutor.model.priority import resolve_pod_priority

# DefaultTolerationSeconds: ordinary pods leave a NotReady/unreachable node after 5 minutes.
# DaemonSet pods already tolerate both forever, so they are left alone.
DEFAULT_NOT_READY_TOLERATIONS = (
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
     "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute",
     "tolerationSeconds": 300},
)


def add_default_toleration_seconds(spec: Obj) -> None:
    tolerations = spec.setdefault("tolerations", [])
    for default in DEFAULT_NOT_READY_TOLERATIONS:
        if not any((t.get("key") == default["key"] or (not t.get("key") and t.get(
                "operator") == "Exists")) and t.get("effect") in ("NoExecute", None, "")
                for t in tolerations):
            tolerations.append(dict(default))


def qos_class(spec: Obj) -> str:
    """The pod's QoS class as the API server computes it on create."""
    containers = spec.get("containers") or []
    requests_any = False
    limits_all_equal = bool(containers)
    for c in containers:
        res = c.get("resources") or {}
        req, lim = res.get("requests") or {}, res.get("limits") or {}
        requests_any = requests_any or bool(req or lim)
        # Guaranteed needs cpu and memory limits on every container, requests equal to them.
        complete = bool(lim.get("cpu") and lim.get("memory"))
        if not complete or any(req.get(k, lim[k]) != lim[k] for k in ("cpu", "memory")):
            limits_all_equal = False
    if limits_all_equal:
        return "Guaranteed"
    return "Burstable" if requests_any else "BestEffort"


class PriorityAnswers:
    """The Priority admission plugin's answers for one run of creates during which no
    PriorityClass is written (a controller's creates in one sync): the classes are
    listed once, and pods carrying the same priority fields get the same answer, since
    resolve_pod_priority reads nothing else. A refusal is not remembered."""

    def __init__(self, classes: list[Obj]) -> None:
        self.classes = {pc["metadata"]["name"]: pc for pc in classes}
        self._answers: dict[tuple[object, object, object], tuple[str, int, str]] = {}

    def resolve(self, spec: Obj) -> tuple[str, int, str]:
        key = (spec.get("priorityClassName"), spec.get("priority"), spec.get("preemptionPolicy"))
        try:
            answer = self._answers.get(key)
        except TypeError:  # a field that is not a scalar: no answer to share
            return resolve_pod_priority(spec, self.classes)
        if answer is None:
            answer = self._answers[key] = resolve_pod_priority(spec, self.classes)
        return answer
