"""`kubectl label`, `taint`, `cordon`, `uncordon` and `drain`."""

from __future__ import annotations

from dstutor.errors import DstutorError, NotFound
from dstutor.kubectl.commands._base import (
    Env,
    OutputBuffer,
    error,
    flag_bool,
    flag_int,
    list_objects,
    resolve_targets,
)
from dstutor.kubectl.commands._printing import dry_run_suffix, report_object
from dstutor.kubectl.commands.delete import wait_gone
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.kubectl.resources import resource_for_kind
from dstutor.model.objects import Obj, clone, controller_ref

DS_FATAL = "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
DS_WARNING = "ignoring DaemonSet-managed Pods"
LOCAL_FATAL = "cannot delete Pods with local storage (use --delete-emptydir-data to override)"
LOCAL_WARNING = "deleting Pods with local storage"
UNMANAGED_FATAL = "cannot delete Pods that declare no controller (use --force to override)"
UNMANAGED_WARNING = "deleting Pods that declare no controller"
DS_NOT_FOUND_WARNING = "daemonset for pod not found"


def _save(env: Env, cmd: KubectlCommand, out: OutputBuffer, obj: Obj) -> Obj:
    if cmd.dry_run != "none":
        return obj
    out.changed = True
    return env.cluster.update(obj)


# --- label ------------------------------------------------------------------------------


@handles("label")
def run_label(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    overwrite = flag_bool(cmd, "overwrite")
    targets = list(resolve_targets(env, cmd))
    if not targets and cmd.targets and all(t.name is None for t in cmd.targets):
        out.err("No resources found")
        return
    for _, obj in targets:
        labels = dict(obj["metadata"].get("labels") or {})
        if flag_bool(cmd, "list"):
            for key in sorted(labels):
                out.line(f"{key}={labels[key]}")
            continue
        for change in cmd.labels:
            if change.remove and change.key not in labels:
                out.line(f'label "{change.key}" not found.')
        if not overwrite:
            clashes = [f"'{c.key}' already has a value ({labels[c.key]}), and --overwrite is false"
                       for c in cmd.labels if not c.remove and c.key in labels
                       and labels[c.key] != c.value]
            if clashes:
                raise error(clashes[0] if len(clashes) == 1 else "[" + ", ".join(clashes) + "]")
        added = removed = False
        for change in cmd.labels:
            if change.remove:
                if change.key in labels:
                    del labels[change.key]
                    removed = True
            elif labels.get(change.key) != change.value:
                labels[change.key] = change.value or ""
                added = True
        if added and removed:
            verb = "modified"
        elif added:
            verb = "labeled"
        elif removed:
            verb = "unlabeled"
        else:
            verb = "not labeled"
        if added or removed:
            obj["metadata"]["labels"] = labels
            obj = _save(env, cmd, out, obj)
        report_object(cmd, out, obj, verb)


# --- taint ------------------------------------------------------------------------------


def _matches(taint: Obj, key: str, effect: str) -> bool:
    return taint.get("key") == key and (not effect or taint.get("effect") == effect)


def reorganize_taints(node: Obj, cmd: KubectlCommand) -> tuple[str, list[Obj]]:
    """taint.go reorganizeTaints: the new list (added first) and tainted/untainted/modified."""
    adds = [{"key": t.key, "effect": t.effect, **({"value": t.value} if t.value else {})}
            for t in cmd.taints if not t.remove]
    removes = [t for t in cmd.taints if t.remove]
    old = list(node["spec"].get("taints") or [])
    new = list(adds)
    for taint in old:
        if not any(t["key"] == taint.get("key") and t["effect"] == taint.get("effect")
                   for t in adds):
            new.append(taint)
    added = len(old) != len(new)
    problems = []
    deleted = False
    for rm in removes:
        kept = [t for t in new if not _matches(t, rm.key, rm.effect)]
        deleted = len(kept) != len(new)
        if not deleted:
            spec = f"{rm.key}:{rm.effect}" if rm.effect else rm.key
            problems.append(f'taint "{spec}" not found')
        new = kept
    if problems:
        raise error(problems[0] if len(problems) == 1 else "[" + ", ".join(problems) + "]")
    if (added and deleted) or flag_bool(cmd, "overwrite"):
        return "modified", new
    return ("tainted" if added else "untainted"), new


@handles("taint")
def run_taint(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    targets = list(resolve_targets(env, cmd))
    for _, node in targets:
        if not flag_bool(cmd, "overwrite"):
            exists = [t.key for t in cmd.taints if not t.remove and any(
                _matches(old, t.key, t.effect) for old in node["spec"].get("taints") or [])]
            if exists:
                raise error(f"node {node['metadata']['name']} already has {','.join(exists)} "
                            "taint(s) with same effect(s) and --overwrite is false")
        verb, taints = reorganize_taints(node, cmd)
        if taints:
            node["spec"]["taints"] = taints
        else:
            node["spec"].pop("taints", None)
        node = _save(env, cmd, out, node)
        report_object(cmd, out, node, verb)


# --- cordon / uncordon / drain ------------------------------------------------------------


def _nodes(env: Env, cmd: KubectlCommand) -> list[Obj]:
    nodes: list[Obj] = []
    node_type = resource_for_kind("Node")
    for target in cmd.targets:
        if target.type.kind != "Node":
            raise error(f"only nodes can be {cmd.verb}ed, not {target.type.plural}")
        if target.name is None:
            nodes += list_objects(env, node_type, None, cmd.selector)
        else:
            nodes.append(env.cluster.get("Node", "", target.name))
    return nodes


def _set_unschedulable(env: Env, cmd: KubectlCommand, out: OutputBuffer, node: Obj, value: bool
                       ) -> None:
    name = node["metadata"]["name"]
    verb = "cordoned" if value else "uncordoned"
    if bool(node["spec"].get("unschedulable")) == value:
        out.line(f"node/{name} already {verb}")
        return
    if value:
        node["spec"]["unschedulable"] = True
    else:
        node["spec"].pop("unschedulable", None)
    _save(env, cmd, out, node)
    out.line(f"node/{name} {verb}{dry_run_suffix(cmd)}")


@handles("cordon")
def run_cordon(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    for node in _nodes(env, cmd):
        _set_unschedulable(env, cmd, out, node, True)


@handles("uncordon")
def run_uncordon(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    for node in _nodes(env, cmd):
        _set_unschedulable(env, cmd, out, node, False)


def _classify(env: Env, cmd: KubectlCommand, pod: Obj) -> tuple[bool, str, str]:
    """drain's filters: (delete it?, warning, fatal error) for one pod on the node."""
    ref = controller_ref(pod)
    if pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
        return True, "", ""
    if ref is not None and ref.get("kind") == "DaemonSet":
        ds = env.cluster.find("DaemonSet", pod["metadata"]["namespace"], ref.get("name", ""))
        if ds is None:
            if flag_bool(cmd, "force"):
                return True, DS_NOT_FOUND_WARNING, ""
            return False, "", f'daemonsets.apps "{ref.get("name", "")}" not found'
        if not flag_bool(cmd, "ignore-daemonsets"):
            return False, "", DS_FATAL
        return False, DS_WARNING, ""
    if any("emptyDir" in v for v in pod["spec"].get("volumes") or []):
        if not flag_bool(cmd, "delete-emptydir-data"):
            return False, "", LOCAL_FATAL
        return True, LOCAL_WARNING, ""
    if ref is None:
        if not flag_bool(cmd, "force"):
            return False, "", UNMANAGED_FATAL
        return True, UNMANAGED_WARNING, ""
    return True, "", ""


def _grouped(found: dict[str, list[str]]) -> list[str]:
    return [f"{message}: {', '.join(pods)}" for message, pods in found.items()]


@handles("drain")
def run_drain(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    nodes = _nodes(env, cmd)
    for node in nodes:
        _set_unschedulable(env, cmd, out, node, True)
    pending: list[str] = []
    failure = ""
    for node in nodes:
        name = node["metadata"]["name"]
        # The node's pods (as kubectl's spec.nodeName field selector finds them), copied
        # alone: copying all 50,000 of a fleet's to keep a few took seconds.
        pods = [clone(p) for p in env.cluster.list_live("Pod")
                if p["spec"].get("nodeName") == name]
        selector = cmd.flags.get("pod-selector") or ""
        if selector:
            from dstutor.kubectl.commands._select import label_filter

            keep = label_filter(resource_for_kind("Pod"), str(selector))
            pods = [p for p in pods if keep(p)]
        to_delete: list[Obj] = []
        warnings: dict[str, list[str]] = {}
        fatal: dict[str, list[str]] = {}
        for pod in pods:
            delete, warning, problem = _classify(env, cmd, pod)
            ident = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
            if problem:
                fatal.setdefault(problem, []).append(ident)
            elif warning:
                warnings.setdefault(warning, []).append(ident)
            if delete and not problem:
                to_delete.append(pod)
        if fatal:
            messages = _grouped(fatal)
            inline = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
            out.err(f'error: unable to drain node "{name}" due to error: {inline}, '
                    "continuing command...")
            pending.append(name)
            failure = "\n".join(messages)
            continue
        if warnings:
            out.err("Warning: " + "; ".join(_grouped(warnings)))
        _evict(env, cmd, out, to_delete)
        out.line(f"node/{name} drained{dry_run_suffix(cmd)}")
    if pending:
        out.err("There are pending nodes to be drained:")
        for name in pending:
            out.err(f" {name}")
        raise DstutorError(failure)


def _evict(env: Env, cmd: KubectlCommand, out: OutputBuffer, pods: list[Obj]) -> None:
    grace = flag_int(cmd, "grace-period")
    gone: list[tuple[str, str, str]] = []
    evict = not flag_bool(cmd, "disable-eviction")  # otherwise plain deletes, no PDB check
    for pod in pods:
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        if evict:
            out.line(f"evicting pod {ns}/{name}")
        if cmd.dry_run != "none":
            continue
        try:
            env.cluster.delete("Pod", ns, name, grace_seconds=None if grace < 0 else grace)
        except NotFound:
            continue
        out.changed = True
        gone.append(("Pod", ns, name))
        if evict:  # the Eviction API marks the pod DisruptionTarget; the timeline keeps it
            env.cluster.timeline.record_eviction(ns, name, pod["spec"].get("nodeName") or "",
                                                 "EvictionByEvictionAPI", env.cluster.now())
    wait_gone(env, gone)
    for pod in pods:
        out.line(f"pod/{pod['metadata']['name']} {'evicted' if evict else 'deleted'}")
