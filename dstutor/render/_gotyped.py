"""Go struct field order for the typed objects kubectl marshals itself.

kubectl prints most objects as it received them (unstructured: keys sorted), but some
code paths hold a typed Go struct, e.g. `rollout history -o json` prints the DaemonSet
its history viewer rebuilt; encoding/json then writes fields in declaration order
(maps stay sorted). This table follows k8s.io/api v0.37 for the fields dstutor stores;
a key it does not know goes last, sorted.
"""

from __future__ import annotations

from typing import Any

# Field -> type: a struct name, "[]Struct" for a list of them, "map" (sorted keys) or
# "" for a scalar / anything printed as is.
_S = dict[str, str]

STRUCTS: dict[str, _S] = {
    "DaemonSet": {"kind": "", "apiVersion": "", "metadata": "ObjectMeta",
                  "spec": "DaemonSetSpec", "status": "DaemonSetStatus"},
    "ObjectMeta": {"name": "", "generateName": "", "namespace": "", "selfLink": "", "uid": "",
                   "resourceVersion": "", "generation": "", "creationTimestamp": "",
                   "deletionTimestamp": "", "deletionGracePeriodSeconds": "", "labels": "map",
                   "annotations": "map", "ownerReferences": "[]OwnerReference",
                   "finalizers": "", "managedFields": ""},
    "OwnerReference": {"apiVersion": "", "kind": "", "name": "", "uid": "", "controller": "",
                       "blockOwnerDeletion": ""},
    "DaemonSetSpec": {"selector": "LabelSelector", "template": "PodTemplateSpec",
                      "updateStrategy": "DaemonSetUpdateStrategy", "minReadySeconds": "",
                      "revisionHistoryLimit": ""},
    "DaemonSetUpdateStrategy": {"type": "", "rollingUpdate": "RollingUpdateDaemonSet"},
    "RollingUpdateDaemonSet": {"maxUnavailable": "", "maxSurge": ""},
    "DaemonSetStatus": {"currentNumberScheduled": "", "numberMisscheduled": "",
                        "desiredNumberScheduled": "", "numberReady": "",
                        "observedGeneration": "", "updatedNumberScheduled": "",
                        "numberAvailable": "", "numberUnavailable": "", "collisionCount": "",
                        "conditions": "[]Condition"},
    "Condition": {"type": "", "status": "", "lastTransitionTime": "", "reason": "",
                  "message": ""},
    "LabelSelector": {"matchLabels": "map", "matchExpressions": "[]Requirement"},
    "Requirement": {"key": "", "operator": "", "values": ""},
    "PodTemplateSpec": {"metadata": "ObjectMeta", "spec": "PodSpec"},
    "PodSpec": {"volumes": "[]Volume", "initContainers": "[]Container",
                "containers": "[]Container", "ephemeralContainers": "[]Container",
                "restartPolicy": "", "terminationGracePeriodSeconds": "",
                "activeDeadlineSeconds": "", "dnsPolicy": "", "nodeSelector": "map",
                "serviceAccountName": "", "serviceAccount": "",
                "automountServiceAccountToken": "", "nodeName": "", "hostNetwork": "",
                "hostPID": "", "hostIPC": "", "shareProcessNamespace": "",
                "securityContext": "PodSecurityContext", "imagePullSecrets": "",
                "hostname": "", "subdomain": "", "affinity": "Affinity", "schedulerName": "",
                "tolerations": "[]Toleration", "hostAliases": "", "priorityClassName": "",
                "priority": "", "dnsConfig": "", "readinessGates": "", "runtimeClassName": "",
                "enableServiceLinks": "", "preemptionPolicy": "", "overhead": "map",
                "topologySpreadConstraints": "", "setHostnameAsFQDN": "", "os": "",
                "hostUsers": "", "schedulingGates": "", "resourceClaims": "",
                "resources": "Resources", "hostnameOverride": ""},
    "PodSecurityContext": {"seLinuxOptions": "", "windowsOptions": "", "runAsUser": "",
                           "runAsGroup": "", "runAsNonRoot": "", "supplementalGroups": "",
                           "supplementalGroupsPolicy": "", "fsGroup": "", "sysctls": "",
                           "fsGroupChangePolicy": "", "seccompProfile": "",
                           "appArmorProfile": "", "seLinuxChangePolicy": ""},
    "Container": {"name": "", "image": "", "command": "", "args": "", "workingDir": "",
                  "ports": "[]ContainerPort", "envFrom": "", "env": "[]EnvVar",
                  "resources": "Resources", "resizePolicy": "", "restartPolicy": "",
                  "restartPolicyRules": "", "volumeMounts": "[]VolumeMount",
                  "volumeDevices": "", "livenessProbe": "Probe", "readinessProbe": "Probe",
                  "startupProbe": "Probe", "lifecycle": "", "terminationMessagePath": "",
                  "terminationMessagePolicy": "", "imagePullPolicy": "",
                  "securityContext": "SecurityContext", "stdin": "", "stdinOnce": "", "tty": ""},
    "ContainerPort": {"name": "", "hostPort": "", "containerPort": "", "protocol": "",
                      "hostIP": ""},
    "EnvVar": {"name": "", "value": "", "valueFrom": "EnvVarSource"},
    "EnvVarSource": {"fieldRef": "FieldRef", "resourceFieldRef": "ResourceFieldRef",
                     "configMapKeyRef": "KeyRef", "secretKeyRef": "KeyRef",
                     "fileKeyRef": ""},
    "FieldRef": {"apiVersion": "", "fieldPath": ""},
    "ResourceFieldRef": {"containerName": "", "resource": "", "divisor": ""},
    "KeyRef": {"name": "", "key": "", "optional": ""},
    "Resources": {"limits": "map", "requests": "map", "claims": ""},
    "VolumeMount": {"name": "", "readOnly": "", "recursiveReadOnly": "", "mountPath": "",
                    "subPath": "", "mountPropagation": "", "subPathExpr": ""},
    "Probe": {"exec": "", "httpGet": "HTTPGet", "tcpSocket": "", "grpc": "",
              "initialDelaySeconds": "", "timeoutSeconds": "", "periodSeconds": "",
              "successThreshold": "", "failureThreshold": "",
              "terminationGracePeriodSeconds": ""},
    "HTTPGet": {"path": "", "port": "", "host": "", "scheme": "", "httpHeaders": ""},
    "SecurityContext": {"capabilities": "", "privileged": "", "seLinuxOptions": "",
                        "windowsOptions": "", "runAsUser": "", "runAsGroup": "",
                        "runAsNonRoot": "", "readOnlyRootFilesystem": "",
                        "allowPrivilegeEscalation": "", "procMount": "", "seccompProfile": "",
                        "appArmorProfile": ""},
    "Toleration": {"key": "", "operator": "", "value": "", "effect": "",
                   "tolerationSeconds": ""},
    "Volume": {"name": "", "hostPath": "HostPath", "emptyDir": "EmptyDir",
               "gcePersistentDisk": "", "awsElasticBlockStore": "", "gitRepo": "",
               "secret": "SecretVolume", "nfs": "", "iscsi": "", "glusterfs": "",
               "persistentVolumeClaim": "", "rbd": "", "flexVolume": "", "cinder": "",
               "cephfs": "", "flocker": "", "downwardAPI": "", "fc": "", "azureFile": "",
               "configMap": "ConfigMapVolume", "vsphereVolume": "", "quobyte": "",
               "azureDisk": "", "photonPersistentDisk": "", "projected": "",
               "portworxVolume": "", "scaleIO": "", "storageos": "", "csi": "",
               "ephemeral": "", "image": ""},
    "HostPath": {"path": "", "type": ""},
    "EmptyDir": {"medium": "", "sizeLimit": ""},
    "SecretVolume": {"secretName": "", "items": "", "defaultMode": "", "optional": ""},
    "ConfigMapVolume": {"name": "", "items": "", "defaultMode": "", "optional": ""},
    "Affinity": {"nodeAffinity": "NodeAffinity", "podAffinity": "", "podAntiAffinity": ""},
    "NodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": "NodeSelector",
                     "preferredDuringSchedulingIgnoredDuringExecution": ""},
    "NodeSelector": {"nodeSelectorTerms": "[]NodeSelectorTerm"},
    "NodeSelectorTerm": {"matchExpressions": "[]Requirement", "matchFields": "[]Requirement"},
}


def _sorted_deep(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _sorted_deep(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted_deep(v) for v in value]
    return value


def in_struct_order(value: Any, struct: str) -> Any:
    """`value` with dict keys in the Go struct's declaration order (for json_dumps with
    sort_keys=False); maps and unknown parts keep sorted keys."""
    if struct.startswith("[]"):
        return [in_struct_order(v, struct[2:]) for v in value] if isinstance(
            value, list) else _sorted_deep(value)
    fields = STRUCTS.get(struct)
    if fields is None or not isinstance(value, dict):
        return _sorted_deep(value)
    ordered = {k: in_struct_order(value[k], fields[k]) for k in fields if k in value}
    for key in sorted(value):
        if key not in fields:
            ordered[key] = _sorted_deep(value[key])
    return ordered
