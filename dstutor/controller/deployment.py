"""A minimal Deployment and ReplicaSet pair, for the DaemonSet-versus-Deployment contrast.

Deployments keep a number of replicas wherever the scheduler puts them; that is all a
lesson needs to set beside a DaemonSet. A template change replaces the ReplicaSet at
once (old replicas scale to zero) rather than rolling with surge/unavailability.
"""

from __future__ import annotations

from dstutor.controller.context import Context
from dstutor.controller.daemonset_util import scaled_value
from dstutor.controller.history_rules import compute_hash
from dstutor.model.admission import add_default_toleration_seconds, qos_class
from dstutor.model.defaults import default_pod_only_fields
from dstutor.model.objects import (
    REVISION_ANNOTATION,
    Obj,
    clone,
    controller_ref,
    is_pod_available,
    is_pod_ready,
    is_terminating,
    new_controller_ref,
    uid,
)
from dstutor.model.timefmt import to_rfc3339

COMPONENT_DEPLOY = "deployment-controller"
COMPONENT_RS = "replicaset-controller"
HASH_LABEL = "pod-template-hash"
# deploymentutil's annotations: kubectl rollout history reads the revision from each
# ReplicaSet, and describe rs shows all three.
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
# Deployment annotations a new ReplicaSet does not copy (annotationsToSkip upstream).
_SKIPPED_ANNOTATIONS = frozenset({
    "kubectl.kubernetes.io/last-applied-configuration", REVISION_ANNOTATION,
    REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION,
    "deprecated.deployment.rollback.to"})


def max_surge(deploy: Obj) -> int:
    """MaxSurge: maxSurge of the replicas, rounded up (0 for Recreate)."""
    strategy = deploy["spec"].get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0
    value = (strategy.get("rollingUpdate") or {}).get("maxSurge", "25%")
    return scaled_value(value, int(deploy["spec"].get("replicas", 1)))


def max_unavailable(deploy: Obj) -> int:
    """MaxUnavailable: maxUnavailable of the replicas, rounded down (0 for Recreate)."""
    strategy = deploy["spec"].get("strategy") or {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return 0
    value = (strategy.get("rollingUpdate") or {}).get("maxUnavailable", "25%")
    replicas = int(deploy["spec"].get("replicas", 1))
    if isinstance(value, str) and value.endswith("%"):
        return min(replicas, int(value[:-1]) * replicas // 100)
    return min(replicas, int(value))


def revision_of(obj: Obj) -> int:
    """deploymentutil.Revision: the revision annotation, 0 when missing or malformed."""
    try:
        return int((obj["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION, "0"))
    except ValueError:
        return 0


class DeploymentController:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def on_deployment(self, old: Obj | None, new: Obj | None) -> None:
        if new is not None:
            self.ctx.enqueue("deployment", (new["metadata"]["namespace"],
                                            new["metadata"]["name"]))

    def on_replicaset(self, old: Obj | None, new: Obj | None) -> None:
        rs = new if new is not None else old
        assert rs is not None
        if new is not None:
            self.ctx.enqueue("replicaset", (rs["metadata"]["namespace"], rs["metadata"]["name"]))
        ref = controller_ref(rs)
        if ref is not None and ref.get("kind") == "Deployment":
            self.ctx.enqueue("deployment", (rs["metadata"]["namespace"], ref["name"]))

    def on_pod(self, old: Obj | None, new: Obj | None) -> None:
        pod = new if new is not None else old
        assert pod is not None
        # controller_ref(pod), inline: every pod write of the cluster passes here.
        for ref in pod.get("metadata", {}).get("ownerReferences") or ():
            if ref.get("controller"):
                if ref.get("kind") == "ReplicaSet":
                    self.ctx.enqueue("replicaset", (pod["metadata"]["namespace"], ref["name"]))
                return

    # --- Deployment -----------------------------------------------------------------

    def sync_deployment(self, key: tuple[str, str]) -> None:
        ns, name = key
        store, api = self.ctx.store, self.ctx.api
        deploy = store.get("Deployment", ns, name)
        if deploy is None or is_terminating(deploy):
            return
        template = deploy["spec"]["template"]
        hash_ = compute_hash(template, deploy.get("status", {}).get("collisionCount"))
        owned = [rs for rs in store.list("ReplicaSet", ns)
                 if (controller_ref(rs) or {}).get("uid") == uid(deploy)]
        current = next((rs for rs in owned if rs["metadata"]["labels"].get(HASH_LABEL) == hash_),
                       None)
        replicas = int(deploy["spec"].get("replicas", 1))
        max_revision = max((revision_of(rs) for rs in owned), default=0)
        if current is None:
            labels = dict(template["metadata"].get("labels") or {})
            labels[HASH_LABEL] = hash_
            rs_template = clone(template)
            rs_template["metadata"]["labels"] = labels
            selector = clone(deploy["spec"]["selector"])
            selector.setdefault("matchLabels", {})[HASH_LABEL] = hash_
            annotations = {k: v for k, v in (deploy["metadata"].get("annotations") or {}).items()
                           if k not in _SKIPPED_ANNOTATIONS}
            annotations.update(self._replica_annotations(deploy))
            annotations[REVISION_ANNOTATION] = str(max_revision + 1)
            spec: Obj = {"replicas": replicas, "selector": selector, "template": rs_template}
            if deploy["spec"].get("minReadySeconds"):
                spec["minReadySeconds"] = deploy["spec"]["minReadySeconds"]
            api.create_trusted({
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": f"{name}-{hash_}", "namespace": ns, "labels": labels,
                             "annotations": annotations,
                             "ownerReferences": [new_controller_ref(deploy)], "generation": 1},
                "spec": spec,
                "status": {"replicas": 0},
            })
            self._set_deployment_revision(deploy, max_revision + 1)
            self.ctx.record_event(deploy, "Normal", "ScalingReplicaSet",
                                  f"Scaled up replica set {name}-{hash_} from 0 to {replicas}",
                                  component=COMPONENT_DEPLOY)
            return
        self._mark_current(deploy, current, max_revision)
        if int(current["spec"].get("replicas", 0)) != replicas:
            before = current["spec"].get("replicas", 0)
            current["spec"]["replicas"] = replicas
            store.touch(current)
            verb = "up" if replicas > before else "down"
            self.ctx.record_event(deploy, "Normal", "ScalingReplicaSet",
                                  f"Scaled {verb} replica set {current['metadata']['name']} "
                                  f"from {before} to {replicas}", component=COMPONENT_DEPLOY)
        for rs in owned:
            if rs is not current and int(rs["spec"].get("replicas", 0)) != 0:
                before = rs["spec"]["replicas"]
                rs["spec"]["replicas"] = 0
                store.touch(rs)
                self.ctx.record_event(deploy, "Normal", "ScalingReplicaSet",
                                      f"Scaled down replica set {rs['metadata']['name']} "
                                      f"from {before} to 0", component=COMPONENT_DEPLOY)
        total = sum(int(rs.get("status", {}).get("replicas", 0)) for rs in owned)
        ready = sum(int(rs.get("status", {}).get("readyReplicas", 0)) for rs in owned)
        available = sum(int(rs.get("status", {}).get("availableReplicas", 0)) for rs in owned)
        updated = int(current.get("status", {}).get("replicas", 0))
        status: Obj = {"observedGeneration": deploy["metadata"].get("generation", 1),
                       "replicas": total, "updatedReplicas": updated, "readyReplicas": ready,
                       "availableReplicas": available,
                       "unavailableReplicas": max(0, replicas - available)}
        status = {k: v for k, v in status.items() if v or k == "observedGeneration"}
        complete = updated == replicas and available >= replicas and total == replicas
        status["conditions"] = self._conditions(
            deploy, available >= replicas - max_unavailable(deploy), complete,
            current["metadata"]["name"])
        if status != deploy.get("status"):
            api.update_status(deploy, status)

    def _conditions(self, deploy: Obj, available: bool, complete: bool, rs_name: str
                    ) -> list[Obj]:
        """The Available and Progressing conditions (deploymentutil.NewDeploymentCondition):
        lastUpdateTime moves when the reason or message does, lastTransitionTime when the
        status does."""
        wanted = [
            ("Available", "True", "MinimumReplicasAvailable",
             "Deployment has minimum availability.") if available else
            ("Available", "False", "MinimumReplicasUnavailable",
             "Deployment does not have minimum availability."),
            ("Progressing", "True", "NewReplicaSetAvailable",
             f'ReplicaSet "{rs_name}" has successfully progressed.') if complete else
            ("Progressing", "True", "ReplicaSetUpdated", f'ReplicaSet "{rs_name}" is progressing.'),
        ]
        now = to_rfc3339(self.ctx.clock.now())
        old = {c["type"]: c for c in (deploy.get("status") or {}).get("conditions") or []}
        conditions = []
        for ctype, cstatus, reason, message in wanted:
            prev = old.get(ctype)
            if prev is not None and (prev["status"], prev.get("reason"), prev.get("message")) == (
                    cstatus, reason, message):
                conditions.append(prev)
                continue
            since = prev["lastTransitionTime"] if prev is not None and prev[
                "status"] == cstatus else now
            conditions.append({"type": ctype, "status": cstatus, "lastUpdateTime": now,
                               "lastTransitionTime": since, "reason": reason,
                               "message": message})
        return conditions

    def _replica_annotations(self, deploy: Obj) -> dict[str, str]:
        replicas = int(deploy["spec"].get("replicas", 1))
        return {DESIRED_REPLICAS_ANNOTATION: str(replicas),
                MAX_REPLICAS_ANNOTATION: str(replicas + max_surge(deploy))}

    def _set_deployment_revision(self, deploy: Obj, revision: int) -> None:
        annotations = deploy["metadata"].setdefault("annotations", {})
        if annotations.get(REVISION_ANNOTATION) != str(revision):
            annotations[REVISION_ANNOTATION] = str(revision)
            self.ctx.store.touch(deploy)

    def _mark_current(self, deploy: Obj, current: Obj, max_revision: int) -> None:
        """SetNewReplicaSetAnnotations: the current ReplicaSet carries the newest revision
        (a rollback to an old template moves its revision up and keeps the old number in
        revision-history) and the Deployment's replica counts."""
        annotations = dict(current["metadata"].get("annotations") or {})
        wanted = dict(annotations)
        wanted.update(self._replica_annotations(deploy))
        revision = revision_of(current)
        if revision < max_revision:
            old = str(revision)
            history = [h for h in wanted.get(REVISION_HISTORY_ANNOTATION, "").split(",") if h]
            wanted[REVISION_HISTORY_ANNOTATION] = ",".join([*history, old])
            wanted[REVISION_ANNOTATION] = str(max_revision + 1)
            revision = max_revision + 1
        if wanted != annotations:
            current["metadata"]["annotations"] = wanted
            self.ctx.store.touch(current)
        self._set_deployment_revision(deploy, max(revision, 1))

    # --- ReplicaSet -----------------------------------------------------------------

    def sync_replicaset(self, key: tuple[str, str]) -> None:
        ns, name = key
        store, api = self.ctx.store, self.ctx.api
        rs = store.get("ReplicaSet", ns, name)
        if rs is None or is_terminating(rs):
            return
        pods = []
        for keys in store.pods_of_owner(uid(rs)).values():
            pods += [p for p in (store.get(*k) for k in keys) if p is not None]
        live = sorted((p for p in pods if not is_terminating(p)),
                      key=lambda p: (bool(p["spec"].get("nodeName")),
                                     p["metadata"]["creationTimestamp"], p["metadata"]["name"]))
        wanted = int(rs["spec"].get("replicas", 0))
        for _ in range(wanted - len(live)):
            pod = self._new_pod(rs)
            api.create_trusted(pod)
            self.ctx.record_event(rs, "Normal", "SuccessfulCreate",
                                  f"Created pod: {pod['metadata']['name']}",
                                  component=COMPONENT_RS)
        # Scale down: unscheduled first, then the newest.
        surplus = live[:0] if wanted >= len(live) else (
            [p for p in live if not p["spec"].get("nodeName")]
            + sorted((p for p in live if p["spec"].get("nodeName")),
                     key=lambda p: p["metadata"]["creationTimestamp"], reverse=True)
        )[:len(live) - wanted]
        for pod in surplus:
            api.delete_object(pod)
            self.ctx.record_event(rs, "Normal", "SuccessfulDelete",
                                  f"Deleted pod: {pod['metadata']['name']}",
                                  component=COMPONENT_RS)
        now = self.ctx.clock.now()
        live = [p for p in pods if not is_terminating(p) and store.get(
            "Pod", ns, p["metadata"]["name"]) is not None]
        min_ready = int(rs["spec"].get("minReadySeconds", 0))
        status: Obj = {"replicas": len(live), "fullyLabeledReplicas": len(live),
                       "readyReplicas": sum(is_pod_ready(p) for p in live),
                       "availableReplicas": sum(is_pod_available(p, min_ready, now) for p in live),
                       "observedGeneration": rs["metadata"].get("generation", 1)}
        status = {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")}
        if status != rs.get("status"):
            api.update_status(rs, status)

    def _new_pod(self, rs: Obj) -> Obj:
        template = clone(rs["spec"]["template"])
        spec = template["spec"]
        # The pod passes through the API server: SetDefaults_Pod and the
        # DefaultTolerationSeconds admission plugin fill what a template never has.
        default_pod_only_fields(spec)
        add_default_toleration_seconds(spec)
        meta: Obj = {"generateName": f"{rs['metadata']['name']}-",
                     "namespace": rs["metadata"]["namespace"],
                     "labels": dict(template["metadata"].get("labels") or {}),
                     "ownerReferences": [new_controller_ref(rs)]}
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec,
                "status": {"phase": "Pending", "qosClass": qos_class(spec)}}
