"""kube-system as `kubeadm init` leaves it: static control-plane pods and CoreDNS.

On a kubeadm control-plane node the kubelet runs etcd, kube-apiserver,
kube-controller-manager and kube-scheduler from manifests in /etc/kubernetes/manifests
and publishes a mirror pod for each (`etcd-<node>`, owned by the Node, annotated
`kubernetes.io/config.mirror`). CoreDNS is a Deployment of two replicas (`k8s-app=kube-dns`)
that kubeadm installs while the control-plane is the only node, so both replicas run
there. kube-proxy (a DaemonSet) lives in clusterfile.py.

Images follow kubeadm's pins (cmd/kubeadm/app/constants): the control plane at the
cluster's version, etcd and CoreDNS at the versions kubeadm pairs with it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from dstutor.model.objects import Obj
from dstutor.model.timefmt import to_rfc3339
from dstutor.sim.nodes import KUBELET_VERSION

ETCD_IMAGE = "registry.k8s.io/etcd:3.6.9-0"
COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.13.1"
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"
SYSTEM_NODE_CRITICAL = 2000001000
PKI = "/etc/kubernetes/pki"


def _host_path(name: str, path: str, type_: str = "DirectoryOrCreate") -> Obj:
    return {"name": name, "hostPath": {"path": path, "type": type_}}


def _probe(path: str, scheme: str, host: str, *, failure: int, initial: int = 0,
           period: int = 10) -> Obj:
    probe: Obj = {"httpGet": {"host": host, "path": path, "port": "probe-port",
                              "scheme": scheme},
                  "failureThreshold": failure, "periodSeconds": period, "timeoutSeconds": 15}
    if initial:
        probe["initialDelaySeconds"] = initial
    return probe


_CA_VOLUMES = [_host_path("ca-certs", "/etc/ssl/certs"),
               _host_path("etc-ca-certificates", "/etc/ca-certificates"),
               _host_path("k8s-certs", PKI),
               _host_path("usr-local-share-ca-certificates", "/usr/local/share/ca-certificates"),
               _host_path("usr-share-ca-certificates", "/usr/share/ca-certificates")]


def _mounts(volumes: list[Obj], read_only: frozenset[str] = frozenset()) -> list[Obj]:
    mounts = []
    for v in volumes:
        mount: Obj = {"mountPath": v["hostPath"]["path"], "name": v["name"]}
        if v["name"] in read_only:
            mount["readOnly"] = True
        mounts.append(mount)
    return mounts


def _component(name: str, image: str, command: list[str], *, cpu: str, port: int,
               scheme: str, host: str, live: str, ready: str | None, startup: str,
               volumes: list[Obj], read_only: frozenset[str] = frozenset(),
               memory: str | None = None) -> tuple[Obj, list[Obj]]:
    requests = {"cpu": cpu} if memory is None else {"cpu": cpu, "memory": memory}
    container: Obj = {
        "name": name, "image": image, "imagePullPolicy": "IfNotPresent", "command": command,
        "livenessProbe": _probe(live, scheme, host, failure=8, initial=10),
        "ports": [{"containerPort": port, "name": "probe-port", "protocol": "TCP"}],
        "resources": {"requests": requests},
        "startupProbe": _probe(startup, scheme, host, failure=24, initial=10),
        "volumeMounts": _mounts(volumes, read_only),
    }
    if ready is not None:
        container["readinessProbe"] = _probe(ready, scheme, host, failure=3, period=1)
    return container, volumes


def control_plane_manifests(ip: str, node: str) -> list[tuple[Obj, dict[str, str], list[Obj]]]:
    """(container, kubeadm annotations, volumes) for each static pod, in kubeadm's order."""
    version = KUBELET_VERSION
    etcd = _component(
        "etcd", ETCD_IMAGE,
        ["etcd", f"--advertise-client-urls=https://{ip}:2379",
         f"--cert-file={PKI}/etcd/server.crt", "--client-cert-auth=true",
         "--data-dir=/var/lib/etcd", "--feature-gates=InitialCorruptCheck=true",
         f"--initial-advertise-peer-urls=https://{ip}:2380",
         f"--initial-cluster={node}=https://{ip}:2380", f"--key-file={PKI}/etcd/server.key",
         f"--listen-client-urls=https://127.0.0.1:2379,https://{ip}:2379",
         "--listen-metrics-urls=http://127.0.0.1:2381", f"--listen-peer-urls=https://{ip}:2380",
         f"--name={node}", f"--peer-cert-file={PKI}/etcd/peer.crt",
         "--peer-client-cert-auth=true", f"--peer-key-file={PKI}/etcd/peer.key",
         f"--peer-trusted-ca-file={PKI}/etcd/ca.crt", "--snapshot-count=10000",
         f"--trusted-ca-file={PKI}/etcd/ca.crt"],
        cpu="100m", memory="100Mi", port=2381, scheme="HTTP", host="127.0.0.1",
        live="/livez", ready="/readyz", startup="/readyz",
        volumes=[_host_path("etcd-certs", f"{PKI}/etcd"),
                 _host_path("etcd-data", "/var/lib/etcd")])
    apiserver = _component(
        "kube-apiserver", f"registry.k8s.io/kube-apiserver:{version}",
        ["kube-apiserver", f"--advertise-address={ip}", "--allow-privileged=true",
         "--authorization-mode=Node,RBAC", f"--client-ca-file={PKI}/ca.crt",
         "--enable-admission-plugins=NodeRestriction", "--enable-bootstrap-token-auth=true",
         f"--etcd-cafile={PKI}/etcd/ca.crt",
         f"--etcd-certfile={PKI}/apiserver-etcd-client.crt",
         f"--etcd-keyfile={PKI}/apiserver-etcd-client.key",
         "--etcd-servers=https://127.0.0.1:2379",
         f"--kubelet-client-certificate={PKI}/apiserver-kubelet-client.crt",
         f"--kubelet-client-key={PKI}/apiserver-kubelet-client.key",
         "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
         f"--proxy-client-cert-file={PKI}/front-proxy-client.crt",
         f"--proxy-client-key-file={PKI}/front-proxy-client.key",
         "--requestheader-allowed-names=front-proxy-client",
         f"--requestheader-client-ca-file={PKI}/front-proxy-ca.crt",
         "--requestheader-extra-headers-prefix=X-Remote-Extra-",
         "--requestheader-group-headers=X-Remote-Group",
         "--requestheader-username-headers=X-Remote-User", "--secure-port=6443",
         "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
         f"--service-account-key-file={PKI}/sa.pub",
         f"--service-account-signing-key-file={PKI}/sa.key",
         "--service-cluster-ip-range=10.96.0.0/16", f"--tls-cert-file={PKI}/apiserver.crt",
         f"--tls-private-key-file={PKI}/apiserver.key"],
        cpu="250m", port=6443, scheme="HTTPS", host=ip, live="/livez", ready="/readyz",
        startup="/livez", volumes=list(_CA_VOLUMES), read_only=frozenset(
            v["name"] for v in _CA_VOLUMES))
    conf = "/etc/kubernetes/controller-manager.conf"
    controller_manager = _component(
        "kube-controller-manager", f"registry.k8s.io/kube-controller-manager:{version}",
        ["kube-controller-manager", "--allocate-node-cidrs=true",
         f"--authentication-kubeconfig={conf}", f"--authorization-kubeconfig={conf}",
         "--bind-address=127.0.0.1", f"--client-ca-file={PKI}/ca.crt",
         "--cluster-cidr=10.244.0.0/16", "--cluster-name=kubernetes",
         f"--cluster-signing-cert-file={PKI}/ca.crt", f"--cluster-signing-key-file={PKI}/ca.key",
         "--controllers=*,bootstrapsigner,tokencleaner", f"--kubeconfig={conf}",
         "--leader-elect=true", f"--requestheader-client-ca-file={PKI}/front-proxy-ca.crt",
         f"--root-ca-file={PKI}/ca.crt", f"--service-account-private-key-file={PKI}/sa.key",
         "--service-cluster-ip-range=10.96.0.0/16", "--use-service-account-credentials=true"],
        cpu="200m", port=10257, scheme="HTTPS", host="127.0.0.1", live="/healthz", ready=None,
        startup="/healthz",
        volumes=[*_CA_VOLUMES[:2],
                 _host_path("flexvolume-dir", "/usr/libexec/kubernetes/kubelet-plugins/volume/exec"),
                 _CA_VOLUMES[2], _host_path("kubeconfig", conf, "FileOrCreate"),
                 *_CA_VOLUMES[3:]],
        read_only=frozenset({"ca-certs", "etc-ca-certificates", "k8s-certs", "kubeconfig",
                             "usr-local-share-ca-certificates", "usr-share-ca-certificates"}))
    sconf = "/etc/kubernetes/scheduler.conf"
    scheduler = _component(
        "kube-scheduler", f"registry.k8s.io/kube-scheduler:{version}",
        ["kube-scheduler", f"--authentication-kubeconfig={sconf}",
         f"--authorization-kubeconfig={sconf}", "--bind-address=127.0.0.1",
         f"--kubeconfig={sconf}", "--leader-elect=true"],
        cpu="100m", port=10259, scheme="HTTPS", host="127.0.0.1", live="/livez",
        ready="/readyz", startup="/livez",
        volumes=[_host_path("kubeconfig", sconf, "FileOrCreate")],
        read_only=frozenset({"kubeconfig"}))
    return [
        (etcd[0], {"kubeadm.kubernetes.io/etcd.advertise-client-urls": f"https://{ip}:2379"},
         etcd[1]),
        (apiserver[0], {"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint":
                        f"{ip}:6443"}, apiserver[1]),
        (controller_manager[0], {}, controller_manager[1]),
        (scheduler[0], {}, scheduler[1]),
    ]


def static_pod_images() -> list[str]:
    """What kubeadm pre-pulls (`kubeadm config images pull`) before it starts the kubelet."""
    return [c["image"] for c, _, _ in control_plane_manifests("", "")]


def mirror_pods(node: Obj, now: float) -> list[Obj]:
    """The mirror pods the kubelet on `node` publishes for kubeadm's static pods.

    config.hash is the kubelet's hash of the manifest (here MD5 of the component and
    node names, the same length and alphabet); the mirror pod's `config.mirror` repeats it
    and events about the static pod carry it as their uid.
    """
    name = node["metadata"]["name"]
    ip = next((a["address"] for a in node["status"].get("addresses") or []
               if a.get("type") == "InternalIP"), "")
    pods = []
    for container, extra, volumes in control_plane_manifests(ip, name):
        component = container["name"]
        digest = hashlib.md5(f"{component}/{name}".encode(), usedforsecurity=False).hexdigest()
        seen = to_rfc3339(now)[:-1] + f".{int(digest[:8], 16) % 1_000_000_000:09d}Z"
        annotations = dict(extra)
        annotations.update({"kubernetes.io/config.hash": digest, MIRROR_ANNOTATION: digest,
                            "kubernetes.io/config.seen": seen,
                            "kubernetes.io/config.source": "file"})
        spec: dict[str, Any] = {
            "containers": [container], "hostNetwork": True, "nodeName": name,
            "priority": SYSTEM_NODE_CRITICAL, "priorityClassName": "system-node-critical",
            "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
            # The kubelet gives every static pod this toleration (config/common.go).
            "tolerations": [{"operator": "Exists", "effect": "NoExecute"}],
            "volumes": volumes,
        }
        pods.append({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{component}-{name}", "namespace": "kube-system",
                         "labels": {"component": component, "tier": "control-plane"},
                         "annotations": annotations,
                         "ownerReferences": [{"apiVersion": "v1", "controller": True,
                                              "kind": "Node", "name": name,
                                              "uid": node["metadata"]["uid"]}]},
            "spec": spec,
        })
    return pods


def coredns_deployment() -> Obj:
    """CoreDNS as kubeadm's addon manifest installs it (two replicas, k8s-app=kube-dns)."""
    labels = {"k8s-app": "kube-dns"}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": dict(labels)},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": dict(labels)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "affinity": {"podAntiAffinity": {
                        "preferredDuringSchedulingIgnoredDuringExecution": [{
                            "weight": 100, "podAffinityTerm": {
                                "labelSelector": {"matchExpressions": [
                                    {"key": "k8s-app", "operator": "In",
                                     "values": ["kube-dns"]}]},
                                "topologyKey": "kubernetes.io/hostname"}}]}},
                    "containers": [{
                        "name": "coredns", "image": COREDNS_IMAGE,
                        "imagePullPolicy": "IfNotPresent",
                        "args": ["-conf", "/etc/coredns/Corefile"],
                        "livenessProbe": {
                            "httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
                            "initialDelaySeconds": 60, "timeoutSeconds": 5,
                            "successThreshold": 1, "failureThreshold": 5},
                        "ports": [
                            {"containerPort": 53, "name": "dns", "protocol": "UDP"},
                            {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                            {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
                        "readinessProbe": {
                            "httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"}},
                        "resources": {"limits": {"memory": "170Mi"},
                                      "requests": {"cpu": "100m", "memory": "70Mi"}},
                        "securityContext": {
                            "allowPrivilegeEscalation": False,
                            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                            "readOnlyRootFilesystem": True},
                        "volumeMounts": [{"mountPath": "/etc/coredns", "name": "config-volume",
                                          "readOnly": True}],
                    }],
                    "dnsPolicy": "Default",
                    "nodeSelector": {"kubernetes.io/os": "linux"},
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        {"key": "node-role.kubernetes.io/control-plane",
                         "effect": "NoSchedule"}],
                    "volumes": [{"name": "config-volume", "configMap": {
                        "name": "coredns",
                        "items": [{"key": "Corefile", "path": "Corefile"}]}}],
                },
            },
        },
    }
