"""`kubectl rollout status|history|undo|restart|pause|resume` and `set image` for DaemonSets."""

from __future__ import annotations

from dstutor.errors import DstutorError
from dstutor.kubectl.commands._base import (
    Env,
    OutputBuffer,
    error,
    flag_bool,
    flag_float,
    flag_int,
    ref_name,
    resolve_targets,
)
from dstutor.kubectl.commands._printing import dry_run_suffix, format_objects
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.kubectl.verbs import PAUSE_DAEMONSET_HINT, rollout_unsupported_error
from dstutor.model.objects import (
    CHANGE_CAUSE_ANNOTATION,
    LAST_APPLIED_ANNOTATION,
    REVISION_ANNOTATION,
    Obj,
    canonical_json,
    clone,
    controller_ref,
)
from dstutor.model.selectors import selector_from_dict
from dstutor.model.timefmt import to_rfc3339
from dstutor.render._gotyped import in_struct_order
from dstutor.render.describe_common import DescribeWriter
from dstutor.render.describe_containers import describe_pod_template
from dstutor.render.output import to_json
from dstutor.render.table import tabwrite

# With no --timeout kubectl waits forever; on the virtual clock we give up after this.
STATUS_LIMIT_SECONDS = 600.0
TIMED_OUT_ERR = "error: timed out waiting for the condition"
STUCK_HINT = ("The rollout is not progressing: look at `kubectl get pods -o wide` and "
              "`kubectl describe pod` for the reason, or `kubectl rollout undo`.")
UNDO_APPLY_WARNING = (
    "Warning: resource daemonsets/{name} was previously managed with 'kubectl apply'. Rolling "
    "back will not update the kubectl.kubernetes.io/last-applied-configuration annotation, "
    "which may cause unexpected behavior on future 'kubectl apply' operations. Consider using "
    "'kubectl apply' with your previous configuration file instead.")
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"


DEPLOYMENT_ROLLOUT_ERR = "error: dstutor simulates rollouts of DaemonSets only"


class _RawWriter(DescribeWriter):
    """`rollout history --revision` and `undo --dry-run` print the template unaligned."""

    def flush(self) -> None:
        if self._pending:
            self._done.append("".join(self._pending))
            self._pending = []


def pod_template_raw(template: Obj) -> str:
    """The template as upstream's printTemplate shows it: raw tabs, no tabwriter."""
    w = _RawWriter()
    describe_pod_template(w, template)
    return w.text()


def _daemonsets(env: Env, cmd: KubectlCommand, verb: str,
                kinds: tuple[str, ...] = ("DaemonSet",)) -> list[Obj]:
    """The DaemonSets named (and the other `kinds` this verb handles here); other kinds
    fail as kubectl fails for them."""
    found: list[Obj] = []
    for target, obj in resolve_targets(env, cmd):
        problem = rollout_unsupported_error(verb, target)
        if problem:
            raise DstutorError(problem)
        if obj["kind"] not in kinds:
            raise DstutorError(DEPLOYMENT_ROLLOUT_ERR)
        found.append(obj)
    return found


# --- status -----------------------------------------------------------------------------


def status_line(ds: Obj) -> tuple[str, bool]:
    """DaemonSetStatusViewer.Status: (line, done); raises for non-RollingUpdate."""
    strategy = (ds["spec"].get("updateStrategy") or {}).get("type")
    if strategy != "RollingUpdate":
        raise error("rollout status is only available for RollingUpdate strategy type")
    status = ds.get("status") or {}
    name = ds["metadata"]["name"]
    if ds["metadata"].get("generation", 0) <= status.get("observedGeneration", 0):
        desired = status.get("desiredNumberScheduled", 0)
        updated = status.get("updatedNumberScheduled", 0)
        available = status.get("numberAvailable", 0)
        if updated < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {updated} out of '
                    f"{desired} new pods have been updated..."), False
        if available < desired:
            return (f'Waiting for daemon set "{name}" rollout to finish: {available} of '
                    f"{desired} updated pods are available..."), False
        return f'daemon set "{name}" successfully rolled out', True
    return "Waiting for daemon set spec update to be observed...", False


@handles("rollout status")
def run_status(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    cluster = env.cluster
    for ds in _daemonsets(env, cmd, "status"):
        ns, name = ds["metadata"]["namespace"], ds["metadata"]["name"]
        line, done = status_line(ds)
        out.line(line)
        if done or not flag_bool(cmd, "watch"):
            continue
        timeout = flag_float(cmd, "timeout")
        limit = timeout if timeout > 0 else STATUS_LIMIT_SECONDS
        deadline = cluster.now() + limit
        last = line
        while not done:
            if env.progress is not None:
                env.progress(cluster.find("DaemonSet", ns, name) or ds)
            nxt = cluster.next_change()
            if nxt is None or nxt > deadline:
                cluster.advance(max(0.0, deadline - cluster.now()))
                out.changed = True
                if timeout <= 0:
                    out.hint = STUCK_HINT
                raise DstutorError(TIMED_OUT_ERR)
            cluster.advance(max(0.0, nxt - cluster.now()))
            out.changed = True
            live = cluster.find("DaemonSet", ns, name)
            if live is None:
                raise error("object has been deleted")
            line, done = status_line(live)
            if line != last:
                out.line(line)
                last = line


# --- history ----------------------------------------------------------------------------


def history_of(env: Env, ds: Obj) -> list[Obj]:
    """The ControllerRevisions this DaemonSet controls, by revision number."""
    selector = selector_from_dict(ds["spec"].get("selector"))
    uid = ds["metadata"]["uid"]
    revs = [r for r in env.cluster.list("ControllerRevision", ds["metadata"]["namespace"])
            if selector.matches(r["metadata"].get("labels") or {})
            and (controller_ref(r) or {}).get("uid") == uid]
    return sorted(revs, key=lambda r: int(r.get("revision", 0)))


def deployment_history(env: Env, deploy: Obj) -> dict[int, Obj]:
    """DeploymentHistoryViewer.GetHistory: revision -> the template of each ReplicaSet the
    Deployment controls (matched by its selector), change-cause copied into the template's
    annotations. A ReplicaSet without a revision annotation is revision 0."""
    selector = selector_from_dict(deploy["spec"].get("selector"))
    uid = deploy["metadata"]["uid"]
    history: dict[int, Obj] = {}
    for rs in env.cluster.list("ReplicaSet", deploy["metadata"]["namespace"]):
        if not selector.matches(rs["metadata"].get("labels") or {}) or (
                controller_ref(rs) or {}).get("uid") != uid:
            continue
        annotations = rs["metadata"].get("annotations") or {}
        try:
            revision = int(annotations.get(REVISION_ANNOTATION, "0"))
        except ValueError:
            continue
        template = clone(rs["spec"].get("template") or {})
        cause = annotations.get(CHANGE_CAUSE_ANNOTATION)
        if cause:
            template.setdefault("metadata", {}).setdefault("annotations", {})[
                CHANGE_CAUSE_ANNOTATION] = cause
        history[revision] = template
    return history


def _deployment_history(env: Env, deploy: Obj, wanted: int, out: OutputBuffer) -> None:
    history = deployment_history(env, deploy)
    if wanted > 0:
        if wanted not in history:
            raise error("unable to find the specified revision")
        out.line(f"{ref_name(deploy)} with revision #{wanted}\n"
                 f"{pod_template_raw(history[wanted])}")
        return
    if not history:
        out.line(f"{ref_name(deploy)} \nNo rollout history found.")
        return
    rows = ["REVISION\tCHANGE-CAUSE"]
    for revision in sorted(history):
        annotations = history[revision].get("metadata", {}).get("annotations") or {}
        rows.append(f"{revision}\t{annotations.get(CHANGE_CAUSE_ANNOTATION) or '<none>'}")
    table = tabwrite("\n".join(rows), min_width=0, padding=2)
    out.line(f"{ref_name(deploy)} \n{table}\n")


def _revision_template(rev: Obj) -> Obj:
    template = clone(((rev.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    return template


def _history_objects(ds: Obj, revs: list[Obj], wanted: int, cmd: KubectlCommand) -> str:
    """`history -o FMT`: kubectl's history viewer prints the DaemonSet with each revision's
    template applied (applyDaemonSetHistory), one object per revision, oldest first."""
    if wanted > 0:
        revs = [r for r in revs if int(r.get("revision", 0)) == wanted]
        if not revs:
            raise error("unable to find the specified revision")
    texts = []
    for rev in revs:
        view = clone(ds)
        view["spec"]["template"] = _revision_template(rev)
        if cmd.output == "json":  # a typed DaemonSet: Go's field order
            view["metadata"].pop("managedFields", None)
            texts.append(to_json(in_struct_order(view, "DaemonSet"), sort_keys=False))
        else:
            texts.append(format_objects([view], cmd.output, cmd.output_arg, single=True))
    # One printer prints them all: the YAML printer separates documents with `---`.
    return ("---\n" if cmd.output == "yaml" else "").join(texts)


@handles("rollout history")
def run_history(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    wanted = flag_int(cmd, "revision")
    for ds in _daemonsets(env, cmd, "history", ("DaemonSet", "Deployment")):
        if ds["kind"] == "Deployment":
            if cmd.output:
                raise DstutorError("error: dstutor prints a Deployment's rollout history "
                                   "as text only")
            _deployment_history(env, ds, wanted, out)
            continue
        revs = history_of(env, ds)
        if cmd.output:
            out.write(_history_objects(ds, revs, wanted, cmd))
            continue
        if not revs:
            out.line(f"{ref_name(ds)} \nNo rollout history found.")
            continue
        if wanted > 0:
            match = [r for r in revs if int(r.get("revision", 0)) == wanted]
            if not match:
                raise error("unable to find the specified revision")
            body = pod_template_raw(_revision_template(match[0]))
            out.line(f"{ref_name(ds)} with revision #{wanted}\n{body}")
            continue
        rows = ["REVISION\tCHANGE-CAUSE"]
        for rev in revs:
            cause = (rev["metadata"].get("annotations") or {}).get(CHANGE_CAUSE_ANNOTATION)
            rows.append(f"{rev.get('revision', 0)}\t{cause or '<none>'}")
        table = tabwrite("\n".join(rows), min_width=0, padding=2)
        out.line(f"{ref_name(ds)} \n{table}\n")


# --- undo -------------------------------------------------------------------------------


@handles("rollout undo")
def run_undo(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    to_revision = flag_int(cmd, "to-revision")
    for ds in _daemonsets(env, cmd, "undo"):
        if LAST_APPLIED_ANNOTATION in (ds["metadata"].get("annotations") or {}):
            out.err(UNDO_APPLY_WARNING.format(name=ds["metadata"]["name"]))
        revs = history_of(env, ds)
        if to_revision == 0:
            if len(revs) < 2:
                raise error("no last revision to roll back to")
            target = revs[-2]
        else:
            match = [r for r in revs if int(r.get("revision", 0)) == to_revision]
            if not match:
                raise error(f"unable to find specified revision {to_revision} in history")
            target = match[0]
        template = _revision_template(target)
        number = int(target.get("revision", 0))
        if canonical_json(template) == canonical_json(ds["spec"]["template"]):
            out.line(f"{ref_name(ds)} skipped rollback (current template already matches "
                     f"revision {number})")
            continue
        if cmd.dry_run != "none":
            out.line(f"{ref_name(ds)} will roll back to {pod_template_raw(template)} (dry run)")
            continue
        ds["spec"]["template"] = template
        env.cluster.update(ds)
        out.changed = True
        out.line(f"{ref_name(ds)} rolled back")


# --- restart, pause, resume ------------------------------------------------------------------


@handles("rollout restart")
def run_restart(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    for ds in _daemonsets(env, cmd, "restart"):
        meta = ds["spec"]["template"].setdefault("metadata", {})
        meta.setdefault("annotations", {})[RESTARTED_AT] = to_rfc3339(env.cluster.now())
        if cmd.dry_run == "none":
            env.cluster.update(ds)
            out.changed = True
        out.line(f"{ref_name(ds)} restarted{dry_run_suffix(cmd)}")


def _not_supported(env: Env, cmd: KubectlCommand, verb: str, out: OutputBuffer) -> None:
    problems = []
    for target, _ in resolve_targets(env, cmd):
        problem = rollout_unsupported_error(verb, target)
        if problem:
            problems.append(problem)
    if problems:
        out.hint = PAUSE_DAEMONSET_HINT
        raise DstutorError("\n".join(problems))
    raise DstutorError(DEPLOYMENT_ROLLOUT_ERR)


@handles("rollout pause")
def run_pause(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    _not_supported(env, cmd, "pause", out)


@handles("rollout resume")
def run_resume(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    _not_supported(env, cmd, "resume", out)


# --- set image --------------------------------------------------------------------------


@handles("set image")
def run_set_image(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    for _, obj in resolve_targets(env, cmd):
        spec = obj.get("spec") or {}
        pod_spec = spec.get("template", {}).get("spec") if "template" in spec else spec
        if pod_spec is None:
            raise error(f"{ref_name(obj)} has no containers")
        containers = list(pod_spec.get("initContainers") or []) + list(
            pod_spec.get("containers") or [])
        for update in cmd.images:
            hit = [c for c in containers if update.container in ("*", c.get("name"))]
            if not hit:
                raise error(f'unable to find container named "{update.container}"')
            for container in hit:
                container["image"] = update.image
        if cmd.dry_run == "none":
            obj = env.cluster.update(obj)
            out.changed = True
        if cmd.output:
            out.write(format_objects([obj], cmd.output, cmd.output_arg, single=True))
            continue
        out.line(f"{ref_name(obj)} image updated{dry_run_suffix(cmd)}")
