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
    "Namespace": ("Namespace", "Namespace provides a scope for Names. Use of multiple "
                  "namespaces is optional.", _META),
    "Namespace.apiVersion": _API_VERSION,
    "Namespace.kind": _KIND,
    "Namespace.metadata": _METADATA,
    "Event": ("Event", "Event is a report of an event somewhere in the cluster.  Events have a "
              "limited retention time and triggers and messages may evolve with time.  Event "
              "consumers should not rely on the timing of an event with a given Reason "
              "reflecting a consistent underlying trigger, or the continued existence of events "
              "with that Reason.  Events should be treated as informative, best-effort, "
              "supplemental data.",
              ("apiVersion", "count", "firstTimestamp", "involvedObject", "kind",
               "lastTimestamp", "message", "metadata", "reason", "source", "type")),
    "Event.apiVersion": _API_VERSION,
    "Event.kind": _KIND,
    "Event.metadata": _METADATA,
    "ControllerRevision": (
        "ControllerRevision", "ControllerRevision implements an immutable snapshot of state "
        "data. Clients are responsible for serializing and deserializing the objects that "
        "contain their internal state. Once a ControllerRevision has been successfully "
        "created, it can not be updated. The API Server will fail validation of all requests "
        "that attempt to mutate the Data field. ControllerRevisions may, however, be deleted. "
        "Note that, due to its use by both the DaemonSet and StatefulSet controllers for "
        "update and rollback, this object is beta. However, it may be subject to name and "
        "representation changes in future releases, and clients should not depend on its "
        "stability. It is primarily for internal use by controllers.",
        ("apiVersion", "data", "kind", "metadata", "revision")),
    "ControllerRevision.apiVersion": _API_VERSION,
    "ControllerRevision.kind": _KIND,
    "ControllerRevision.metadata": _METADATA,
    "ControllerRevision.revision": ("integer", "Revision indicates the revision of the state "
                                    "represented by Data.", ()),
    "Deployment": ("Deployment", "Deployment enables declarative updates for Pods and "
                   "ReplicaSets.", _META),
    "Deployment.apiVersion": _API_VERSION,
    "Deployment.kind": _KIND,
    "Deployment.metadata": _METADATA,
    "ReplicaSet": ("ReplicaSet", "ReplicaSet ensures that a specified number of pod replicas "
                   "are running at any given time.", _META),
    "ReplicaSet.apiVersion": _API_VERSION,
    "ReplicaSet.kind": _KIND,
    "ReplicaSet.metadata": _METADATA,
    "PriorityClass": ("PriorityClass", "PriorityClass defines mapping from a priority class "
                      "name to the priority integer value. The value can be any valid "
                      "integer.", ("apiVersion", "description", "globalDefault", "kind",
                                   "metadata", "preemptionPolicy", "value")),
    "PriorityClass.apiVersion": _API_VERSION,
    "PriorityClass.description": (
        "string", "description is an arbitrary string that usually provides guidelines on "
        "when this priority class should be used.", ()),
    "PriorityClass.globalDefault": (
        "boolean", "globalDefault specifies whether this PriorityClass should be considered "
        "as the default priority for pods that do not have any priority class. Only one "
        "PriorityClass can be marked as `globalDefault`. However, if more than one "
        "PriorityClasses exists with their `globalDefault` field set to true, the smallest "
        "value of such global default PriorityClasses will be used as the default "
        "priority.", ()),
    "PriorityClass.kind": _KIND,
    "PriorityClass.metadata": _METADATA,
    "PriorityClass.preemptionPolicy": (
        "string", "preemptionPolicy is the Policy for preempting pods with lower priority. "
        "One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.\n\n"
        "Possible enum values:\n - `\"Never\"` means that pod never preempts other pods with "
        "lower priority.\n - `\"PreemptLowerPriority\"` means that pod can preempt other "
        "pods with lower priority.", ()),
    "PriorityClass.value": (
        "integer", "value represents the integer value of this priority class. This is the "
        "actual priority that pods receive when they have the name of this class in their "
        "pod spec.", ()),
    "Node.spec.taints.effect": (
        "string", "Required. The effect of the taint on pods that do not tolerate the taint. "
        "Valid effects are NoSchedule, PreferNoSchedule and NoExecute.\n\nPossible enum "
        "values:\n - `\"NoExecute\"` Evict any already-running pods that do not tolerate the "
        "taint. Currently enforced by NodeController.\n - `\"NoSchedule\"` Do not allow new pods "
        "to schedule onto the node unless they tolerate the taint, but allow all pods "
        "submitted to Kubelet without going through the scheduler to start, and allow all "
        "already-running pods to continue running. Enforced by the scheduler.\n - "
        "`\"PreferNoSchedule\"` Like TaintEffectNoSchedule, but the scheduler tries not to "
        "schedule new pods onto the node, rather than prohibiting new pods from scheduling "
        "onto the node entirely. Enforced by the scheduler.", ()),
    "Node.spec.taints.key": (
        "string", "Required. The taint key to be applied to a node.", ()),
    "Node.spec.taints.timeAdded": (
        "string", "TimeAdded represents the time at which the taint was added.", ()),
    "Node.spec.taints.value": (
        "string", "The taint value corresponding to the taint key.", ()),
    "Pod.spec.tolerations.effect": (
        "string", "Effect indicates the taint effect to match. Empty means match all taint "
        "effects. When specified, allowed values are NoSchedule, PreferNoSchedule and "
        "NoExecute.", ()),
    "Pod.spec.tolerations.key": (
        "string", "Key is the taint key that the toleration applies to. Empty means match all "
        "taint keys. If the key is empty, operator must be Exists; this combination means to "
        "match all values and all keys.", ()),
    "Pod.spec.tolerations.operator": (
        "string", "Operator represents a key's relationship to the value. Valid operators are "
        "Exists and Equal. Defaults to Equal. Exists is equivalent to wildcard for value, so "
        "that a pod can tolerate all taints of a particular category.", ()),
    "Pod.spec.tolerations.tolerationSeconds": (
        "integer", "TolerationSeconds represents the period of time the toleration (which must "
        "be of effect NoExecute, otherwise this field is ignored) tolerates the taint. By "
        "default, it is not set, which means tolerate the taint forever (do not evict). Zero "
        "and negative values will be treated as 0 (evict immediately) by the system.", ()),
    "Pod.spec.tolerations.value": (
        "string", "Value is the taint value the toleration matches to. If the operator is "
        "Exists, the value should be empty, otherwise just a regular string.", ()),
}

ENUMS: dict[str, tuple[str, ...]] = {
    "DaemonSet.spec.updateStrategy.type": ("OnDelete", "RollingUpdate"),
    "Node.spec.taints.effect": ("NoExecute", "NoSchedule", "PreferNoSchedule"),
    "Pod.spec.tolerations.effect": ("NoExecute", "NoSchedule", "PreferNoSchedule"),
    "Pod.spec.tolerations.operator": ("Equal", "Exists"),
    "PriorityClass.preemptionPolicy": ("Never", "PreemptLowerPriority"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "DaemonSet.spec": ("selector", "template"),
    "Node.spec.taints": ("effect", "key"),
    "PriorityClass": ("value",),
}
