"""The floor under bench_engine: what writing the settled pods costs with no controllers.

The engine's settle figure covers 50,000 pods (5,000 nodes x 10 DaemonSets). Each pod
is one create and three status writes (bind, kubelet admit, kubelet start), the same
fields the engine writes and kubectl prints, into the same Store with its indexes.
Here they are written in tight loops, with no controller deciding anything, no
listeners, no run loop, no timers and no events: what remains is the cost of the
objects themselves, a lower bound for any engine that keeps pods as stored objects.

Run: `.venv/bin/python benchmarks/bench_floor.py [--nodes N] [--daemonsets M]`
"""

from __future__ import annotations

import argparse
import gc
import time

from dstutor.controller import shared
from dstutor.model.timefmt import to_rfc3339
from dstutor.sim.namegen import NameGenerator
from dstutor.sim.store import Store


def write_settled_pods(nodes: list[str], daemonsets: int) -> Store:
    store, names = Store(), NameGenerator(0)
    now = to_rfc3339(0.0)
    scheduled = shared.pod_condition("PodScheduled", "True", now)
    creating = shared.waiting("ContainerCreating")
    running = shared.running(now)
    for d in range(daemonsets):
        ds_name = f"agent-{d}"
        labels = {"app": ds_name, "controller-revision-hash": "6b9f8c7d5",
                  "pod-template-generation": "1"}
        refs = [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": ds_name,
                 "uid": names.uid(), "controller": True, "blockOwnerDeletion": True}]
        base_spec = {"containers": [{"name": "agent", "image": f"agent:{d}"}],
                     "restartPolicy": "Always", "tolerations": []}
        pods = []
        for node in nodes:  # the DaemonSet controller's creates
            spec = dict(base_spec)
            spec["affinity"] = shared.pinned_affinity(node)
            name = names.generate(f"{ds_name}-")
            while store.get("Pod", "default", name) is not None:  # RetryGenerateName
                name = names.generate(f"{ds_name}-")
            pod = {"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": name,
                                "generateName": f"{ds_name}-", "namespace": "default",
                                "uid": names.uid(), "creationTimestamp": now,
                                "labels": labels, "ownerReferences": refs},
                   "spec": spec, "status": {"phase": "Pending", "qosClass": "BestEffort"}}
            store.put(pod)
            pods.append((pod, node))
        for pod, node in pods:  # the scheduler's bind
            pod["spec"]["nodeName"] = node
            pod["status"]["conditions"] = [scheduled]
            store.touch(pod)
        for pod, _node in pods:  # the kubelet admits: ContainerCreating
            status = pod["status"]
            status["hostIP"] = "172.18.0.2"
            status["hostIPs"] = shared.ip_list("172.18.0.2")
            status["startTime"] = now
            status["containerStatuses"] = [{
                "name": "agent", "image": f"agent:{d}", "imageID": "", "ready": False,
                "restartCount": 0, "started": False, "state": creating,
                "lastState": shared.EMPTY}]
            status["conditions"] = [shared.pod_condition("Initialized", "True", now),
                                    shared.pod_condition("Ready", "False", now),
                                    scheduled]
            store.touch(pod)
    for i, pod in enumerate(store.iter_kind("Pod")):  # the kubelet starts: Running, Ready
        status = pod["status"]
        status["phase"] = "Running"
        status["podIP"] = ip = f"10.244.{i // 250 % 250}.{i % 250 + 2}"
        status["podIPs"] = [{"ip": ip}]
        status["containerStatuses"] = [{
            "name": "agent", "image": "agent", "imageID": shared.image_id("agent"),
            "ready": True, "restartCount": 0, "started": True, "state": running,
            "lastState": shared.EMPTY,
            "containerID": "containerd://" + pod["metadata"]["uid"].replace("-", "")}]
        status["conditions"] = [shared.pod_condition("Initialized", "True", now),
                                shared.pod_condition("Ready", "True", now), scheduled]
        store.touch(pod)
    return store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--daemonsets", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    nodes = [f"node-{i:05d}" for i in range(args.nodes)]
    gc.disable()  # as bench_engine does
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        store = write_settled_pods(nodes, args.daemonsets)
        times.append(time.perf_counter() - start)
        pods = store.count("Pod")
        del store
        gc.collect()
    best = min(times)
    print(f"nodes={args.nodes} daemonsets={args.daemonsets} pods={pods}")
    print(f"write settled pods, no controllers (best of {args.repeat}): {best:6.3f} s  "
          f"({best / pods * 1e6:.1f} us per pod)")


if __name__ == "__main__":
    main()
