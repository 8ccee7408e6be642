"""`kubectl describe`: DaemonSet, Pod, Node, and the generic layout for other kinds."""

from __future__ import annotations

from dstutor.errors import NotFound
from dstutor.kubectl.commands._base import (
    Env,
    OutputBuffer,
    flag_bool,
    list_objects,
    namespace_of,
)
from dstutor.kubectl.commands._index import events_involving, pods_controlled_by, pods_on_node
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.kubectl.resources import ResourceType
from dstutor.model.objects import Obj
from dstutor.model.selectors import selector_from_dict
from dstutor.render.describe import (
    describe_daemonset,
    describe_generic,
    describe_namespace,
    describe_priorityclass,
)
from dstutor.render.describe_deployment import describe_deployment
from dstutor.render.describe_node import describe_node
from dstutor.render.describe_pod import describe_pod
from dstutor.render.describe_replicaset import describe_replicaset


def describe_one(env: Env, obj: Obj, show_events: bool) -> str:
    # The indexes (commands/_index.py) give what the scans over every event and pod gave.
    cluster = env.cluster
    now = cluster.now()
    kind = obj["kind"]
    ns = obj["metadata"].get("namespace", "")
    events = None
    if show_events:
        uid = obj["metadata"].get("uid")
        if kind == "Pod":
            # A mirror pod's events are the static pod's: kubectl searches by config.mirror.
            uid = (obj["metadata"].get("annotations") or {}).get("kubernetes.io/config.mirror",
                                                                 uid)
        events = events_involving(cluster, ns or "default", uid)
    if kind == "DaemonSet":
        selector_from_dict(obj["spec"].get("selector"))  # a bad selector fails as before
        # describe_daemonset counts the pods that match the selector among these.
        return describe_daemonset(obj, pods_controlled_by(cluster, obj), events, now)
    if kind == "Deployment":
        return describe_deployment(obj, cluster.list_live("ReplicaSet", ns), events, now)
    if kind == "ReplicaSet":
        selector = selector_from_dict(obj["spec"].get("selector"))
        pods = [p for p in cluster.list_live("Pod", ns)
                if selector.matches(p["metadata"].get("labels") or {})]
        return describe_replicaset(obj, pods, events, now)
    if kind == "Pod":
        return describe_pod(obj, events, now)
    if kind == "Node":
        return describe_node(obj, pods_on_node(cluster, obj["metadata"]["name"]), events, now)
    if kind == "PriorityClass":
        return describe_priorityclass(obj, events, now)
    if kind == "Namespace":
        return describe_namespace(obj)
    return describe_generic(obj, events, now)


def _by_prefix(env: Env, rt: ResourceType, ns: str, prefix: str) -> list[Obj]:
    # describe TYPE NAME falls back to every object whose name starts with NAME.
    return [o for o in list_objects(env, rt, ns, live=True)
            if o["metadata"]["name"].startswith(prefix)]


@handles("describe")
def run_describe(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    ns = namespace_of(env, cmd)
    found: list[Obj] = []
    errors: list[str] = []
    prefix = False
    for target in cmd.targets:
        rt = target.type
        if target.name is None:
            scope = None if cmd.all_namespaces else ns
            found += list_objects(env, rt, scope, cmd.selector, live=True)
            continue
        obj = env.cluster.find(rt.kind, ns if rt.namespaced else "", target.name)
        if obj is not None:
            found.append(obj)
            continue
        # kubectl tries a name prefix only for the `describe TYPE NAME` form (two words).
        matches = _by_prefix(env, rt, ns, target.name) if len(cmd.args) == 2 else []
        if matches:
            found += matches
            prefix = True
        else:
            errors.append(str(NotFound(f'{rt.display} "{target.name}" not found')))
    if not found and not errors:
        namespaced = any(t.type.namespaced for t in cmd.targets)
        out.err(f"No resources found in {ns} namespace." if namespaced and not
                cmd.all_namespaces else "No resources found")
        return
    # Since kubectl 1.36 --show-events defaults to false unless exactly one object was
    # asked for (a prefix match never counts as one); a typed flag always wins.
    if "show-events" in cmd.given:
        show_events = flag_bool(cmd, "show-events")
    else:
        show_events = not prefix and len(found) + len(errors) == 1
    texts = [describe_one(env, o, show_events) for o in found]
    # DescribeMatchingResources ends each description with a newline; the builder's path
    # puts two between descriptions.
    out.write("".join(t + "\n" for t in texts) if prefix else "\n\n".join(texts))
    if errors:
        for message in errors:
            out.err(message)
        out.failed = True
