"""`kubectl run NAME --image=...`: one bare Pod, built as kubectl's generator builds it."""

from __future__ import annotations

from dstutor.errors import DstutorError
from dstutor.kubectl.commands._base import (
    Env,
    OutputBuffer,
    flag_bool,
    flag_list,
    flag_str,
    namespace_of,
)
from dstutor.kubectl.commands._printing import report_object
from dstutor.kubectl.parser import KubectlCommand
from dstutor.kubectl.registry import handles
from dstutor.model.objects import Obj


def build_pod(cmd: KubectlCommand, namespace: str) -> Obj:
    name = cmd.args[0]
    labels: dict[str, str] = {"run": name}
    text = flag_str(cmd, "labels")
    if text:
        labels = dict(part.split("=", 1) for part in text.split(","))
    container: Obj = {"image": flag_str(cmd, "image"), "name": name}
    words = list(cmd.args[1:])
    if words:
        container["command" if flag_bool(cmd, "command") else "args"] = words
    env = [e.split("=", 1) for e in flag_list(cmd, "env")]
    if env:
        container["env"] = [{"name": k, "value": v} for k, v in env]
    if flag_str(cmd, "image-pull-policy"):
        container["imagePullPolicy"] = flag_str(cmd, "image-pull-policy")
    if flag_str(cmd, "port"):
        container["ports"] = [{"containerPort": int(flag_str(cmd, "port"))}]
    container["resources"] = {}
    if flag_bool(cmd, "privileged"):
        container["securityContext"] = {"privileged": True}
    meta: Obj = {"labels": labels, "name": name, "namespace": namespace}
    annotations = [a.split("=", 1) for a in flag_list(cmd, "annotations")]
    if annotations:
        meta["annotations"] = {k: v for k, v in annotations}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": {"containers": [container], "dnsPolicy": "ClusterFirst",
                     "restartPolicy": flag_str(cmd, "restart") or "Always"},
            "status": {}}


@handles("run")
def run_run(env: Env, cmd: KubectlCommand, out: OutputBuffer) -> None:
    ns = namespace_of(env, cmd)
    # Checked before the pod is built, which splits each annotation at its "=".
    bad = [a for a in flag_list(cmd, "annotations") if "=" not in a]
    if bad:
        raise DstutorError(f"error: invalid annotations format: {', '.join(bad)}")
    pod = build_pod(cmd, ns)
    if cmd.dry_run == "client":
        shown = dict(pod)
        shown["metadata"] = {k: v for k, v in pod["metadata"].items() if k != "namespace"}
        report_object(cmd, out, shown, "created")
        return
    created = env.cluster.create(pod, dry_run=cmd.dry_run == "server")
    out.changed = cmd.dry_run == "none"
    report_object(cmd, out, created, "created")
