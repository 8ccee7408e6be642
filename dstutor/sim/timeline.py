"""What happened in the cluster over time, for checks that grade the process, not the end.

A real cluster forgets: after a rollout only the end state is left. Lessons and exercises
need to ask "were two nodes without a log agent at once?", so the simulator keeps a small
record, fed by the store's writes (the same informer path the controllers use):

- each rollout of each DaemonSet (a template change after creation): its template
  generation, image, start and end, and the most daemon pods unavailable at once
  (the DaemonSet status' numberUnavailable, as `kubectl get ds` shows it);
- pods evicted (a DisruptionTarget condition: taint manager, pod GC, eviction API);
- nodes that went NotReady, and when.

Plain data only, so `undo` (pickled in memory) and `save`/`load` (JSON) keep it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from dstutor.model.objects import TEMPLATE_GENERATION_ANNOTATION, Obj


class _Clock(Protocol):
    def now(self) -> float: ...


# Enough for any lesson; an endless loop of rollouts must not grow memory without bound.
MAX_ENTRIES = 500


@dataclass
class Rollout:
    """One template change of a DaemonSet and how it went."""

    namespace: str
    daemonset: str
    uid: str
    generation: int  # the template generation (deprecated.daemonset.template.generation)
    image: str
    started: float
    finished: float | None = None
    max_unavailable: int = 0
    desired: int = 0


@dataclass
class Eviction:
    namespace: str
    pod: str
    node: str
    reason: str
    t: float


@dataclass
class NodeOutage:
    node: str
    t: float


@dataclass
class Timeline:
    rollouts: list[Rollout] = field(default_factory=list)
    evictions: list[Eviction] = field(default_factory=list)
    not_ready: list[NodeOutage] = field(default_factory=list)
    down: list[str] = field(default_factory=list)  # nodes NotReady right now

    # --- recording (called from the cluster's informer dispatch) -------------------------

    def observe(self, kind: str, old: Obj | None, new: Obj | None, now: float) -> None:
        if kind == "DaemonSet" and new is not None:
            self._daemonset(old, new, now)
        elif kind == "Pod":
            # Only a pod on its way out can have been evicted: the cheap test first, as
            # every pod status write passes here.
            pod = new if new is not None else old
            if pod is not None and (new is None or pod["metadata"].get("deletionTimestamp")
                                    or (pod.get("status") or {}).get("phase") == "Failed"):
                self._pod(old, pod, now)
        elif kind == "Node" and new is not None:
            # Conditions change in place (old is new), so the timeline keeps its own view.
            name, ready = new["metadata"]["name"], _ready(new)
            if ready is False and name not in self.down:
                self.down.append(name)
                _append(self.not_ready, NodeOutage(name, now))
            elif ready and name in self.down:
                self.down.remove(name)

    def observe_pod(self, old: Obj | None, new: Obj | None, clock: _Clock) -> None:
        """observe("Pod", ...), asking the clock only for a pod on its way out (every pod
        status write passes here)."""
        pod = new if new is not None else old
        if pod is not None and (new is None or pod["metadata"].get("deletionTimestamp")
                                or (pod.get("status") or {}).get("phase") == "Failed"):
            self._pod(old, pod, clock.now())

    def observe_daemonset(self, old: Obj | None, new: Obj | None, clock: _Clock) -> None:
        """observe("DaemonSet", ...), without asking the clock or looking for a rollout
        while none was ever recorded and the write changes no template (a status write,
        old is new: most DaemonSet writes)."""
        if new is None or ((old is None or old is new) and not self.rollouts):
            return
        self._daemonset(old, new, clock.now())

    def _daemonset(self, old: Obj | None, new: Obj, now: float) -> None:
        meta = new["metadata"]
        current = self.current(meta["namespace"], meta["name"], meta.get("uid", ""))
        if current is None and (old is None or old is new):
            return  # no rollout under way, and no template change (most: status writes)
        generation = _template_generation(new)
        if old is not None and current is None and generation > 1 and (
                _template_generation(old) < generation):
            current = Rollout(meta["namespace"], meta["name"], meta.get("uid", ""), generation,
                              _image(new), now)
            _append(self.rollouts, current)
        elif (current is not None and generation > current.generation):
            # A new template while one rollout is under way: the old one ends unfinished.
            current.finished = now
            current = Rollout(meta["namespace"], meta["name"], meta.get("uid", ""), generation,
                              _image(new), now)
            _append(self.rollouts, current)
        if current is None:
            return
        status = new.get("status") or {}
        desired = int(status.get("desiredNumberScheduled") or 0)
        unavailable = int(status.get("numberUnavailable") or 0)
        current.max_unavailable = max(current.max_unavailable, unavailable)
        current.desired = desired
        if (int(status.get("observedGeneration") or 0) >= int(meta.get("generation") or 0)
                and int(status.get("updatedNumberScheduled") or 0) >= desired
                and int(status.get("numberAvailable") or 0) >= desired):
            current.finished = now

    def _pod(self, old: Obj | None, new: Obj, now: float) -> None:
        reason = _disruption(new)
        if not reason or (old is not None and old is not new and _disruption(old)):
            return
        meta = new["metadata"]
        # A condition set in place reaches us as old is new, perhaps more than once.
        if not any(e.pod == meta["name"] and e.namespace == meta.get("namespace", "")
                   for e in self.evictions[-50:]):
            _append(self.evictions, Eviction(meta.get("namespace", ""), meta["name"],
                                             new["spec"].get("nodeName") or "", reason, now))

    def record_eviction(self, namespace: str, pod: str, node: str, reason: str,
                        now: float) -> None:
        """An eviction the store cannot see as a condition (kubectl drain's Eviction API)."""
        _append(self.evictions, Eviction(namespace, pod, node, reason, now))

    # --- questions ---------------------------------------------------------------------

    def current(self, namespace: str, name: str, uid: str) -> Rollout | None:
        for r in reversed(self.rollouts):
            if r.namespace == namespace and r.daemonset == name and r.uid == uid:
                return r if r.finished is None else None
        return None

    def rollouts_of(self, namespace: str, name: str, since: float = 0.0) -> list[Rollout]:
        return [r for r in self.rollouts if r.namespace == namespace and r.daemonset == name
                and r.started >= since]

    # --- plain data for save/load ------------------------------------------------------

    def export(self) -> dict[str, Any]:
        return {"rollouts": [asdict(r) for r in self.rollouts],
                "evictions": [asdict(e) for e in self.evictions],
                "notReady": [asdict(n) for n in self.not_ready], "down": list(self.down)}

    @classmethod
    def restore(cls, data: Any) -> Timeline:
        """From export's data; raises TypeError/ValueError/KeyError on anything else."""
        if not isinstance(data, dict):
            raise TypeError("the timeline is not a mapping")

        def rows(name: str, make: Any) -> list[Any]:
            items = data.get(name) or []
            if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
                raise TypeError(f"timeline {name} is not a list of mappings")
            return [make(**i) for i in items[-MAX_ENTRIES:]]

        t = cls(rows("rollouts", Rollout), rows("evictions", Eviction),
                rows("notReady", NodeOutage), [str(n) for n in data.get("down") or []])
        for r in t.rollouts:  # numbers must be numbers, or a check would crash later
            r.generation, r.max_unavailable, r.desired = (int(r.generation),
                                                          int(r.max_unavailable), int(r.desired))
            r.started = float(r.started)
        return t


def _append(items: list[Any], item: Any) -> None:
    items.append(item)
    if len(items) > MAX_ENTRIES:
        del items[0]


def _template_generation(ds: Obj) -> int:
    value = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION_ANNOTATION)
    try:
        return int(value) if value is not None else 0
    except (TypeError, ValueError):
        return 0


def _image(ds: Obj) -> str:
    containers = ((ds.get("spec") or {}).get("template") or {}).get("spec", {}).get(
        "containers") or [{}]
    return ", ".join(str(c.get("image", "")) for c in containers)


def _ready(node: Obj | None) -> bool | None:
    if node is None:
        return None
    for c in (node.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return None


def _disruption(pod: Obj) -> str:
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "DisruptionTarget" and c.get("status") == "True":
            return str(c.get("reason") or "")
    return ""
