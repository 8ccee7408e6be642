"""`kubectl delete`: by name, TYPE/NAME, -f, -l, --all; cascade modes; waiting like --wait."""

from __future__ import annotations

from dstutor.errors import DstutorError, NotFound
from dstutor.kubectl.commands._base import (
    Env,
    OutputBuffer,
    flag_bool,
    flag_int,
    flag_str,
    list_objects,
    namespace_of,
)
from dstutor.kubectl.commands._manifest import load_infos, report, with_source
from dstutor.kubectl.commands._printing import dry_run_suffix
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.kubectl.resources import ResourceType
from dstutor.model.objects import controller_ref

# kubectl waits (up to a week) for deleted objects to vanish; the virtual clock stops here.
WAIT_LIMIT_SECONDS = 600.0
DAEMON_POD_HINT = ("{pod} belongs to DaemonSet {ds}, which starts a new pod on that node: "
                   "delete the DaemonSet (or change where it runs) to remove its pods for good.")
_PROPAGATION = {"background": "Background", "foreground": "Foreground", "orphan": "Orphan"}


def _message(cmd: KubectlCommand, rt: ResourceType, name: str, namespace: str) -> str:
    operation = "force deleted" if flag_int(cmd, "grace-period") == 0 else "deleted"
    operation += dry_run_suffix(cmd)
    if cmd.output == "name":
        return rt.object_ref(name)
    if rt.namespaced:
        return f'{rt.singular_display} "{name}" {operation} from {namespace} namespace'
    return f'{rt.singular_display} "{name}" {operation}'


def wait_gone(env: Env, keys: list[tuple[str, str, str]], limit: float = WAIT_LIMIT_SECONDS
              ) -> bool:
    """Advance the virtual clock until none of `keys` exists; False if the limit came first."""
    cluster = env.cluster
    deadline = cluster.now() + limit
    while True:
        if all(cluster.find(*k) is None for k in keys):
            return True
        nxt = cluster.next_change()
        if nxt is None or nxt > deadline:
            return False
        cluster.advance(max(0.0, nxt - cluster.now()))


@handles("delete")
def run_delete(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    ns = namespace_of(env, cmd)
    errors: list[DstutorError] = []
    work: list[tuple[ResourceType, str, str, str]] = []  # type, namespace, name, source
    if cmd.filenames:
        infos, errors = load_infos(env, cmd)
        work = [(i.rtype, i.namespace, i.name, i.source) for i in infos]
    else:
        listed = False
        for target in cmd.targets:
            rt = target.type
            if target.name is not None:
                work.append((rt, ns if rt.namespaced else "", target.name, ""))
                continue
            listed = True
            scope = None if cmd.all_namespaces else ns
            for obj in list_objects(env, rt, scope, cmd.selector, cmd.field_selector, live=True):
                work.append((rt, obj["metadata"].get("namespace", ""), obj["metadata"]["name"],
                             ""))
        if listed and not work:
            out.err("No resources found")
            return
    propagation = _PROPAGATION.get(flag_str(cmd, "cascade") or "background", "Background")
    grace = flag_int(cmd, "grace-period")
    dry = cmd.dry_run != "none"
    ignore = flag_bool(cmd, "ignore-not-found")
    deleted: list[tuple[str, str, str]] = []
    for rt, obj_ns, name, source in work:
        try:
            obj = env.cluster.delete(rt.kind, obj_ns, name, propagation=propagation,
                                          grace_seconds=None if grace < 0 else grace,
                                          dry_run=dry)
        except NotFound as exc:
            if not ignore:
                errors.append(with_source(exc, "deleting", source) if source else exc)
            continue
        except DstutorError as exc:
            errors.append(exc)
            continue
        out.line(_message(cmd, rt, name, obj["metadata"].get("namespace", "")))
        owner = controller_ref(obj) if rt.kind == "Pod" else None
        if owner and owner.get("kind") == "DaemonSet" and not out.hint:
            out.hint = DAEMON_POD_HINT.format(pod=name, ds=owner.get("name", ""))
        if not dry:
            out.changed = True
            deleted.append((rt.kind, obj_ns, name))
    if deleted and flag_bool(cmd, "wait"):
        wait_gone(env, deleted)
    failure = report(errors)
    if failure is not None:
        raise failure
