"""Which nodes should run a daemon pod: upstream NodeShouldRunDaemonPod and friends."""

from __future__ import annotations

from dataclasses import dataclass

from dstutor.model.defaults import default_pod_only_fields
from dstutor.model.objects import Obj, clone
from dstutor.model.selectors import pod_matches_node_affinity
from dstutor.model.taints import taint_to_string, toleration_tolerates_taint

NO_SCHEDULE = "NoSchedule"
NO_EXECUTE = "NoExecute"


def _exists(key: str, effect: str) -> Obj:
    return {"key": key, "operator": "Exists", "effect": effect}


# util.AddOrUpdateDaemonPodTolerations, in upstream order. No tolerationSeconds: a
# daemon pod tolerates NotReady/unreachable forever, so it is never evicted for them.
DAEMON_TOLERATIONS: tuple[Obj, ...] = (
    _exists("node.kubernetes.io/not-ready", NO_EXECUTE),
    _exists("node.kubernetes.io/unreachable", NO_EXECUTE),
    _exists("node.kubernetes.io/disk-pressure", NO_SCHEDULE),
    _exists("node.kubernetes.io/memory-pressure", NO_SCHEDULE),
    _exists("node.kubernetes.io/pid-pressure", NO_SCHEDULE),
    _exists("node.kubernetes.io/unschedulable", NO_SCHEDULE),
)
HOST_NETWORK_TOLERATION = _exists("node.kubernetes.io/network-unavailable", NO_SCHEDULE)


def _same_toleration(a: Obj, b: Obj) -> bool:
    fields = ("key", "operator", "value", "effect")
    return all((a.get(f) or "") == (b.get(f) or "") for f in fields)


def add_or_update_daemon_pod_tolerations(spec: Obj) -> None:
    """Append the controller's tolerations; every one equal in key/operator/value/effect
    is replaced.

    As upstream AddOrUpdateTolerationInPodSpec: each match is overwritten and duplicates
    are kept, not collapsed. Its "already equal, change nothing" early return never
    fires (it compares a *Toleration with a Toleration, which Semantic.DeepEqual
    always finds unequal), so an exact match elsewhere does not spare the others.
    """
    tolerations: list[Obj] = spec.get("tolerations") or []
    wanted = list(DAEMON_TOLERATIONS)
    if spec.get("hostNetwork"):
        wanted.append(HOST_NETWORK_TOLERATION)
    for tol in wanted:
        replaced = False
        for i, existing in enumerate(tolerations):
            if _same_toleration(existing, tol):
                tolerations[i] = dict(tol)
                replaced = True
        if not replaced:
            tolerations.append(dict(tol))
    spec["tolerations"] = tolerations


def daemon_pod_spec(ds: Obj) -> Obj:
    """The pod spec every pod of the DaemonSet's current revision is stored with.

    NewPod adds the tolerations; then, since the controller's pods go through the API
    server, SetDefaults_Pod fills the Pod-only fields (requests from limits,
    enableServiceLinks, hostNetwork hostPorts) that the template never gets. Doing it
    here, once per revision, keeps that work out of each pod's create.
    """
    spec = clone(ds["spec"]["template"].get("spec", {}))
    add_or_update_daemon_pod_tolerations(spec)
    default_pod_only_fields(spec)
    return spec


def is_daemon_toleration(tol: Obj) -> bool:
    """Whether a toleration is one the controller adds (for explanations)."""
    return any(_same_toleration(tol, t) for t in (*DAEMON_TOLERATIONS, HOST_NETWORK_TOLERATION))


@dataclass(frozen=True)
class Gate:
    """One check the placement predicate made, in words a learner can follow."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Placement:
    should_run: bool
    should_continue_running: bool
    gates: tuple[Gate, ...] = ()


RUN = Placement(True, True)
NEVER = Placement(False, False)


def node_should_run_daemon_pod(node: Obj, ds: Obj, pod_spec: Obj | None = None, *,
                               explain: bool = False) -> Placement:
    """Upstream NodeShouldRunDaemonPod: (should_run, should_continue_running).

    Only the template nodeName, nodeSelector/required node affinity and NoSchedule or
    NoExecute taints count. Resources, cordoning and node conditions do not: those
    are the scheduler's and the node lifecycle controller's business.
    """
    spec = pod_spec if pod_spec is not None else daemon_pod_spec(ds)
    node_name = node["metadata"]["name"]
    gates: list[Gate] = []

    wanted_name = spec.get("nodeName")
    if wanted_name and wanted_name != node_name:
        if not explain:
            return NEVER
        gates.append(Gate("nodeName", False,
                          f"the pod template sets nodeName: {wanted_name}, another node"))
        return Placement(False, False, tuple(gates))
    if explain and wanted_name:
        gates.append(Gate("nodeName", True, f"the pod template sets nodeName: {node_name}"))

    # (A spec with neither a nodeSelector nor an affinity matches every node: most
    # DaemonSets' templates, whose placement each new node asks for.)
    if ("nodeSelector" in spec or "affinity" in spec) and not pod_matches_node_affinity(
            spec, node):
        if not explain:
            return NEVER
        gates.append(Gate("nodeAffinity", False, _affinity_detail(spec, node)))
        return Placement(False, False, tuple(gates))
    if explain:
        gates.append(Gate("nodeAffinity", True, _affinity_detail(spec, node)))

    tolerations = spec.get("tolerations") or []
    should_run = should_continue = True
    for taint in node.get("spec", {}).get("taints") or ():  # node_taints(node), inline
        effect = taint.get("effect")
        if effect not in (NO_SCHEDULE, NO_EXECUTE):
            if explain:
                gates.append(Gate("taint", True, f"taint {taint_to_string(taint)} is ignored: "
                                  "only NoSchedule and NoExecute taints count"))
            continue
        matching = next((t for t in tolerations if toleration_tolerates_taint(t, taint)), None)
        if matching is not None:
            if explain:
                who = ("added by the DaemonSet controller" if is_daemon_toleration(matching)
                       else "from the pod template")
                gates.append(Gate("taint", True, f"taint {taint_to_string(taint)} is tolerated "
                                  f"(toleration {_toleration_text(matching)}, {who})"))
            continue
        should_run = False
        if effect == NO_EXECUTE:
            should_continue = False
        if explain:
            consequence = ("no new pod, and a running pod is evicted" if effect == NO_EXECUTE
                           else "no new pod, but a running pod may stay")
            gates.append(Gate("taint", False, f"taint {taint_to_string(taint)} is not "
                              f"tolerated: {consequence}"))
    if not explain:
        if should_run:
            return RUN
        return Placement(False, should_continue)
    return Placement(should_run, should_continue, tuple(gates))


def _toleration_text(tol: Obj) -> str:
    key = tol.get("key") or "<any key>"
    op = tol.get("operator") or "Equal"
    text = f"{key} {op}"
    if op == "Equal":
        text += f" {tol.get('value', '')}"
    text += f":{tol.get('effect') or '<any effect>'}"
    if tol.get("tolerationSeconds") is not None:
        text += f" for {tol['tolerationSeconds']}s"
    return text


def _affinity_detail(spec: Obj, node: Obj) -> str:
    selector = spec.get("nodeSelector") or {}
    required = (spec.get("affinity") or {}).get("nodeAffinity", {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution")
    if not selector and not required:
        return "no nodeSelector and no required node affinity: every node qualifies"
    node_labels = node.get("metadata", {}).get("labels") or {}
    parts = []
    for key, value in sorted(selector.items()):
        have = node_labels.get(key)
        state = "matches" if have == value else (
            f"node has {key}={have}" if have is not None else f"node has no label {key}")
        parts.append(f"nodeSelector {key}={value}: {state}")
    if required:
        parts.append("required node affinity: " + (
            "matches" if pod_matches_node_affinity({"affinity": spec.get("affinity")}, node)
            else "does not match"))
    return "; ".join(parts)
