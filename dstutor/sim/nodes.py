"""How a freshly registered Node looks, as a kubelet would report it."""

from __future__ import annotations

from dstutor.model.objects import Obj

KUBELET_VERSION = "v1.37.1"
DEFAULT_CAPACITY = {"cpu": "4", "ephemeral-storage": "102625208Ki", "hugepages-1Gi": "0",
                    "hugepages-2Mi": "0", "memory": "8148056Ki", "pods": "110"}


def make_node(name: str, index: int, *, labels: dict[str, str] | None = None,
              taints: list[Obj] | None = None, roles: list[str] | None = None,
              capacity: dict[str, str] | None = None) -> Obj:
    node_labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    for role in roles or []:
        node_labels[f"node-role.kubernetes.io/{role}"] = ""
    node_labels.update(labels or {})
    cap = dict(DEFAULT_CAPACITY)
    cap.update({k: str(v) for k, v in (capacity or {}).items()})
    spec: Obj = {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]}
    if taints:
        spec["taints"] = [dict(t) for t in taints]
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": node_labels,
            "annotations": {"node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
        },
        "spec": spec,
        "status": {
            "addresses": [{"address": f"172.18.0.{index + 2}", "type": "InternalIP"},
                          {"address": name, "type": "Hostname"}],
            "allocatable": dict(cap),
            "capacity": cap,
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": "",
                "containerRuntimeVersion": "containerd://2.1.4",
                "kernelVersion": "6.8.0-45-generic",
                "kubeProxyVersion": "",
                "kubeletVersion": KUBELET_VERSION,
                "machineID": "",
                "operatingSystem": "linux",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "systemUUID": "",
            },
        },
    }
