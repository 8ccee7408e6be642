"""What the API server knows about each kind it serves: group, resource, scope."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindInfo:
    kind: str
    api_version: str
    resource: str  # plural, lower case
    namespaced: bool

    @property
    def group(self) -> str:
        return self.api_version.split("/")[0] if "/" in self.api_version else ""

    @property
    def resource_display(self) -> str:
        """How NotFound and friends name the resource: `daemonsets.apps`, `pods`."""
        return f"{self.resource}.{self.group}" if self.group else self.resource

    @property
    def singular_display(self) -> str:
        """How success messages name it: `daemonset.apps`, `pod`."""
        single = self.kind.lower()
        return f"{single}.{self.group}" if self.group else single


KINDS: dict[str, KindInfo] = {
    info.kind: info
    for info in (
        KindInfo("Namespace", "v1", "namespaces", False),
        KindInfo("Node", "v1", "nodes", False),
        KindInfo("Pod", "v1", "pods", True),
        KindInfo("Event", "v1", "events", True),
        KindInfo("DaemonSet", "apps/v1", "daemonsets", True),
        KindInfo("ControllerRevision", "apps/v1", "controllerrevisions", True),
        KindInfo("Deployment", "apps/v1", "deployments", True),
        KindInfo("ReplicaSet", "apps/v1", "replicasets", True),
        KindInfo("PriorityClass", "scheduling.k8s.io/v1", "priorityclasses", False),
    )
}

# Kinds whose objects live in no namespace (their store key's namespace is "").
CLUSTER_SCOPED = frozenset(info.kind for info in KINDS.values() if not info.namespaced)
