"""The object checks: an object exists or is gone, a field through a JSONPath, a
DaemonSet's status counters, its pods on nodes, pods matching a selector, a quiz answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dstutor.errors import DstutorError
from dstutor.lessons import _pods
from dstutor.lessons.checkkind import CheckKind, Outcome, World, find_object, register
from dstutor.model.kinds import CLUSTER_SCOPED
from dstutor.model.objects import Obj
from dstutor.model.selectors import parse_selector

KINDS = ("DaemonSet", "Deployment", "Pod", "Node", "Namespace", "ControllerRevision")
STATUS_FIELDS = {
    "desired": "desiredNumberScheduled", "current": "currentNumberScheduled",
    "ready": "numberReady", "updated": "updatedNumberScheduled",
    "available": "numberAvailable", "misscheduled": "numberMisscheduled",
    "unavailable": "numberUnavailable",
}


def _ns(p: Mapping[str, Any]) -> str:
    return str(p.get("namespace") or "default")


def _ref(p: Mapping[str, Any]) -> str:
    kind = str(p["type"])
    if kind in CLUSTER_SCOPED:
        return f"{kind} {p['name']}"
    return f"{kind} {_ns(p)}/{p['name']}"


def _valid_kind(p: Mapping[str, Any]) -> str:
    if p.get("type") not in KINDS:
        return f"type {p.get('type')!r} is not one of {', '.join(KINDS)}"
    return ""


# --- object exists / absent ---------------------------------------------------------

def _exists(world: World, p: Mapping[str, Any]) -> Outcome:
    obj = find_object(world, p["type"], _ns(p), p["name"])
    if obj is None:
        return Outcome(False, f"{_ref(p)} does not exist yet", (("exists", "yes", "no"),))
    if obj["metadata"].get("deletionTimestamp"):
        return Outcome(False, f"{_ref(p)} is being deleted", (("exists", "yes", "terminating"),))
    return Outcome(True, f"{_ref(p)} exists")


def _absent(world: World, p: Mapping[str, Any]) -> Outcome:
    obj = find_object(world, p["type"], _ns(p), p["name"])
    if obj is None:
        return Outcome(True, f"{_ref(p)} is gone")
    return Outcome(False, f"{_ref(p)} still exists", (("exists", "no", "yes"),))


register(CheckKind("object_exists", _exists, lambda p: f"{_ref(p)} exists",
                   "its contents", ("type", "name"), ("namespace",), _valid_kind))
register(CheckKind("object_absent", _absent, lambda p: f"{_ref(p)} does not exist",
                   "other objects, including its pods", ("type", "name"), ("namespace",),
                   _valid_kind))


# --- a field compared through a JSONPath --------------------------------------------

def _field_value(obj: Obj, path: str) -> str:
    from dstutor.render.jsonpath import jsonpath

    template = path if path.startswith("{") else "{" + path + "}"
    return jsonpath(template, obj)


def _field(world: World, p: Mapping[str, Any]) -> Outcome:
    obj = find_object(world, p["type"], _ns(p), p["name"])
    if obj is None:
        return Outcome(False, f"{_ref(p)} does not exist, so {p['path']} cannot be compared")
    try:
        value = _field_value(obj, p["path"])
    except DstutorError:
        value = ""  # kubectl errors on a missing field; for a compare it is just "not set"
    shown = value if value != "" else "<not set>"
    if p.get("absent"):
        if value == "":
            return Outcome(True, f"{p['path']} of {_ref(p)} is not set")
        return Outcome(False, f"{p['path']} of {_ref(p)} is {shown}, but should not be set",
                       ((p["path"], "<not set>", shown),))
    wanted = [str(v) for v in (p["one_of"] if "one_of" in p else [p.get("equals")])]
    if value in wanted:
        return Outcome(True, f"{p['path']} of {_ref(p)} is {shown}")
    want = " or ".join(w if w != "" else "<not set>" for w in wanted)
    if world.exam:
        return Outcome(False, f"{p['path']} of {_ref(p)} is {shown}, which is not what the "
                       "task asks for")
    return Outcome(False, f"{p['path']} of {_ref(p)} is {shown}, expected {want}",
                   ((p["path"], want, shown),))


def _field_goal(p: Mapping[str, Any]) -> str:
    if p.get("absent"):
        return f"{_ref(p)}: {p['path']} is not set"
    wanted = p["one_of"] if "one_of" in p else [p.get("equals")]
    return f"{_ref(p)}: {p['path']} = {' or '.join(str(w) or '<not set>' for w in wanted)}"


def _field_validate(p: Mapping[str, Any]) -> str:
    bad = _valid_kind(p)
    if bad:
        return bad
    given = [k for k in ("equals", "one_of", "absent") if k in p]
    if len(given) != 1:
        return "give exactly one of 'equals', 'one_of' or 'absent'"
    if "one_of" in p and not isinstance(p["one_of"], list):
        return "'one_of' must be a list"
    return ""


register(CheckKind("field_equals", _field, _field_goal, "every other field of the object",
                   ("type", "name", "path"), ("namespace", "equals", "one_of", "absent"),
                   _field_validate))


# --- DaemonSet pods on exactly these nodes ------------------------------------------

register(CheckKind(
    "pods_on_nodes", _pods.pods_on_nodes, _pods.goal,
    "pod names, restarts and other DaemonSets' pods; terminating pods count as gone",
    ("daemonset",), ("namespace", "nodes", "node_selector", "exclude", "ready", "image",
                     "updated", "state", "subset", "node_ip"), _pods.validate))


# --- DaemonSet status -------------------------------------------------------------

def _status(world: World, p: Mapping[str, Any]) -> Outcome:
    ds = find_object(world, "DaemonSet", _ns(p), p["daemonset"])
    where = f"DaemonSet {_ns(p)}/{p['daemonset']}"
    if ds is None:
        return Outcome(False, f"{where} does not exist")
    status = ds.get("status") or {}
    compared, wrong = [], []
    for short, fieldname in STATUS_FIELDS.items():
        if short in p:
            have = int(status.get(fieldname) or 0)
            compared.append((fieldname, str(p[short]), str(have)))
            if have != int(p[short]):
                wrong.append(f"{fieldname} is {have}, expected {p[short]}")
    if p.get("rolled_out"):
        desired = int(status.get("desiredNumberScheduled") or 0)
        updated = int(status.get("updatedNumberScheduled") or 0)
        available = int(status.get("numberAvailable") or 0)
        observed = int(status.get("observedGeneration") or 0)
        compared.append(("rollout", "complete",
                         f"{updated}/{desired} updated, {available}/{desired} available"))
        if observed < int(ds["metadata"].get("generation") or 0):
            wrong.append("the controller has not seen the latest spec yet")
        elif updated < desired:
            wrong.append(f"the rollout is not finished: {updated} of {desired} pods updated")
        elif available < desired:
            wrong.append(f"the rollout is not finished: {available} of {desired} updated "
                         "pods are available")
    if wrong:
        # Only an unfinished rollout fixes itself by waiting, and only while no pod is
        # stuck (a missing image never pulls).
        stuck = any(_pods.pod_state(pod) in _pods.STUCK_STATES
                    for pod in world.cluster.pods_of(p["daemonset"], _ns(p)))
        waiting = all(w.startswith(("the rollout", "the controller")) for w in wrong)
        return Outcome(False, f"{where}: " + "; ".join(wrong), tuple(compared),
                       transient=waiting and not stuck)
    return Outcome(True, f"{where} status is as expected", tuple(compared))


def _status_goal(p: Mapping[str, Any]) -> str:
    parts = [f"{STATUS_FIELDS[k]}={p[k]}" for k in STATUS_FIELDS if k in p]
    if p.get("rolled_out"):
        parts.append("rollout complete")
    return f"DaemonSet {_ns(p)}/{p['daemonset']} status: {', '.join(parts)}"


def _status_validate(p: Mapping[str, Any]) -> str:
    if not any(k in p for k in (*STATUS_FIELDS, "rolled_out")):
        return f"name at least one of {', '.join([*STATUS_FIELDS, 'rolled_out'])}"
    return ""


register(CheckKind("daemonset_status", _status, _status_goal,
                   "status fields not named, and the pods themselves",
                   ("daemonset",), ("namespace", "rolled_out", *STATUS_FIELDS),
                   _status_validate))


# --- quiz -------------------------------------------------------------------------

def _quiz(world: World, p: Mapping[str, Any]) -> Outcome:
    if world.quiz_answer is None:
        return Outcome(False, "answer the question: type `answer` and a letter, e.g. `answer a`")
    if world.quiz_answer == world.quiz_correct:
        return Outcome(True, "right answer")
    return Outcome(False, f"`{world.quiz_answer}` is not the right answer; try another letter")


register(CheckKind("quiz_answered", _quiz, lambda p: "the quiz is answered correctly",
                   "how many tries it took"))


# --- pods matching a label selector (orphans, Deployments) --------------------------

def _pods_matching(world: World, p: Mapping[str, Any]) -> Outcome:
    sel = parse_selector(str(p["selector"]))
    pods = [x for x in world.cluster.list_live("Pod", _ns(p))
            if sel.matches(x["metadata"].get("labels") or {})
            and not x["metadata"].get("deletionTimestamp")]
    where = f"pods in {_ns(p)} matching {p['selector']}"
    problems, compared = [], []
    if "count" in p:
        compared.append(("count", str(p["count"]), str(len(pods))))
        if len(pods) != int(p["count"]):
            problems.append(f"there are {len(pods)} {where}, expected {p['count']}")
    if "owned" in p:
        owned = [x for x in pods if any(r.get("controller")
                                        for r in x["metadata"].get("ownerReferences") or [])]
        if p["owned"] and len(owned) != len(pods):
            problems.append(f"{len(pods) - len(owned)} of them have no owner")
        if not p["owned"] and owned:
            names = ", ".join(x["metadata"]["name"] for x in owned)
            problems.append(f"{names} still {'has' if len(owned) == 1 else 'have'} an owner")
    if problems:
        return Outcome(False, "; ".join(problems), tuple(compared))
    return Outcome(True, f"{len(pods)} {where}, as expected", tuple(compared))


def _pods_matching_goal(p: Mapping[str, Any]) -> str:
    parts = [f"{p['count']} running" if "count" in p else "running"]
    if "owned" in p:
        parts.append("owned by a controller" if p["owned"] else "with no owner")
    return f"pods in {_ns(p)} matching {p['selector']}: {', '.join(parts)}"


register(CheckKind("pods_matching", _pods_matching, _pods_matching_goal,
                   "which nodes they are on and their phase; terminating pods do not count",
                   ("selector",), ("namespace", "count", "owned"),
                   lambda p: "" if ("count" in p or "owned" in p) else
                   "give 'count' and/or 'owned'"))
