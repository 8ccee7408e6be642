"""Field documentation for `kubectl explain`, for the fields dstutor's lessons use.

Each entry is (type, description, child field names); texts follow the Kubernetes API
reference (the OpenAPI the API server publishes, from the Go type comments).
"""

from __future__ import annotations

Doc = tuple[str, str, tuple[str, ...]]

_META = ("apiVersion", "kind", "metadata", "spec", "status")
_API_VERSION = ("string", "APIVersion defines the versioned schema of this representation of an "
                "object. Servers should convert recognized schemas to the latest internal "
                "value, and may reject unrecognized values. More info: "
                "https://git.k8s.io/community/contributors/devel/sig-architecture/"
                "api-conventions.md#resources", ())
_KIND = ("string", "Kind is a string value representing the REST resource this object "
         "represents. Servers may infer this from the endpoint the client submits requests "
         "to. Cannot be updated. In CamelCase. More info: "
         "https://git.k8s.io/community/contributors/devel/sig-architecture/"
         "api-conventions.md#types-kinds", ())
_METADATA = ("ObjectMeta", "Standard object's metadata. More info: "
             "https://git.k8s.io/community/contributors/devel/sig-architecture/"
             "api-conventions.md#metadata", ())

DOCS: dict[str, Doc] = {
    "DaemonSet": ("DaemonSet", "DaemonSet represents the configuration of a daemon set.", _META),
    "DaemonSet.apiVersion": _API_VERSION,
    "DaemonSet.kind": _KIND,
    "DaemonSet.metadata": _METADATA,
    "DaemonSet.spec": (
        "DaemonSetSpec",
        "The desired behavior of this daemon set. More info: "
        "https://git.k8s.io/community/contributors/devel/sig-architecture/"
        "api-conventions.md#spec-and-status\nDaemonSetSpec is the specification of a daemon "
        "set.",
        ("minReadySeconds", "revisionHistoryLimit", "selector", "template", "updateStrategy")),
    "DaemonSet.status": (
        "DaemonSetStatus",
        "The current status of this daemon set. This data may be out of date by some window "
        "of time. Populated by the system. Read-only. More info: "
        "https://git.k8s.io/community/contributors/devel/sig-architecture/"
        "api-conventions.md#spec-and-status\nDaemonSetStatus represents the current status of "
        "a daemon set.", ()),
    "DaemonSet.spec.minReadySeconds": (
        "integer",
        "The minimum number of seconds for which a newly created DaemonSet pod should be ready "
        "without any of its container crashing, for it to be considered available. Defaults "
        "to 0 (pod will be considered available as soon as it is ready).", ()),
    "DaemonSet.spec.revisionHistoryLimit": (
        "integer",
        "The number of old history to retain to allow rollback. This is a pointer to "
        "distinguish between explicit zero and not specified. Defaults to 10.", ()),
    "DaemonSet.spec.selector": (
        "LabelSelector",
        "A label query over pods that are managed by the daemon set. Must match in order to "
        "be controlled. It must match the pod template's labels. More info: "
        "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/"
        "#label-selectors", ()),
    "DaemonSet.spec.template": (
        "PodTemplateSpec",
        "An object that describes the pod that will be created. The DaemonSet will create "
        "exactly one copy of this pod on every node that matches the template's node "
        "selector (or on every node if no node selector is specified). The only allowed "
        "template.spec.restartPolicy value is \"Always\". More info: "
        "https://kubernetes.io/docs/concepts/workloads/controllers/"
        "replicationcontroller#pod-template", ()),
    "DaemonSet.spec.updateStrategy": (
        "DaemonSetUpdateStrategy",
        "An update strategy to replace existing DaemonSet pods with new pods.\n"
        "DaemonSetUpdateStrategy is a struct used to control the update strategy for a "
        "DaemonSet.",
        ("rollingUpdate", "type")),
    "DaemonSet.spec.updateStrategy.rollingUpdate": (
        "RollingUpdateDaemonSet",
        "Rolling update config params. Present only if type = \"RollingUpdate\".\n"
        "Spec to control the desired behavior of daemon set rolling update.",
        ("maxSurge", "maxUnavailable")),
    "DaemonSet.spec.updateStrategy.type": (
        "string",
        "Type of daemon set update. Can be \"RollingUpdate\" or \"OnDelete\". Default is "
        "RollingUpdate.\n\nPossible enum values:\n - `\"OnDelete\"` Replace the old daemons "
        "only when it's killed\n - `\"RollingUpdate\"` Replace the old daemons by new ones "
        "using rolling update i.e replace them on each node one after the other.", ()),
    "DaemonSet.spec.updateStrategy.rollingUpdate.maxSurge": (
        "IntOrString",
        "The maximum number of nodes with an existing available DaemonSet pod that can have "
        "an updated DaemonSet pod during during an update. Value can be an absolute number "
        "(ex: 5) or a percentage of desired pods (ex: 10%). This can not be 0 if "
        "MaxUnavailable is 0. Absolute number is calculated from percentage by rounding up "
        "to a minimum of 1. Default value is 0.", ()),
    "DaemonSet.spec.updateStrategy.rollingUpdate.maxUnavailable": (
        "IntOrString",
        "The maximum number of DaemonSet pods that can be unavailable during the update. "
        "Value can be an absolute number (ex: 5) or a percentage of total number of "
        "DaemonSet pods at the start of the update (ex: 10%). Absolute number is calculated "
        "from percentage by rounding up. This cannot be 0 if MaxSurge is 0 Default value is "
        "1.", ()),
    "Pod": ("Pod", "Pod is a collection of containers that can run on a host. This resource is "
            "created by clients and scheduled onto hosts.", _META),
    "Pod.apiVersion": _API_VERSION,
    "Pod.kind": _KIND,
    "Pod.metadata": _METADATA,
    "Pod.spec.nodeSelector": (
        "map[string]string",
        "NodeSelector is a selector which must be true for the pod to fit on a node. Selector "
        "which must match a node's labels for the pod to be scheduled on that node. More "
        "info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/", ()),
    "Pod.spec.tolerations": (
        "[]Toleration", "If specified, the pod's tolerations.\nThe pod this Toleration is "
        "attached to tolerates any taint that matches the triple <key,value,effect> using the "
        "matching operator <operator>.",
        ("effect", "key", "operator", "tolerationSeconds", "value")),
    "Node": ("Node", "Node is a worker node in Kubernetes. Each node will have a unique "
             "identifier in the cache (i.e. in etcd).", _META),
    "Node.apiVersion": _API_VERSION,
    "Node.kind": _KIND,
    "Node.metadata": _METADATA,
    "Node.spec.taints": (
        "[]Taint", "If specified, the node's taints.\nThe node this Taint is attached to has "
        "the \"effect\" on any pod that does not tolerate the Taint.",
        ("effect", "key", "timeAdded", "value")),
    "Node.spec.unschedulable": (
        "boolean", "Unschedulable controls node schedulability of new pods. By default, node "
        "is schedulable. More info: https://kubernetes.io/docs/concepts/nodes/node/"
        "#manual-node-administration", ()),
}

ENUMS: dict[str, tuple[str, ...]] = {
    "DaemonSet.spec.updateStrategy.type": ("OnDelete", "RollingUpdate"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "DaemonSet.spec": ("selector", "template"),
    "Node.spec.taints": ("effect", "key"),
}
