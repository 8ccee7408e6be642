"""A node without a pod network until its CNI agent runs (the simulator's rule).

On a real cluster a freshly joined node has no pod network until the CNI plugin's
DaemonSet pod (calico-node, cilium-agent) starts on it: the kubelet reports NotReady
("cni plugin not initialized"), and where a cloud route controller is in play the node
also carries NetworkUnavailable=True (reason NoRouteCreated) and with it the
`node.kubernetes.io/network-unavailable:NoSchedule` taint. Once the agent runs, it
sets NetworkUnavailable=False itself ("Calico is running on this node").

The simulator cannot run the agent's code, so the rule is explicit:

- a node joins without a network with `node add NAME --no-network` (or `network: false`
  in a cluster file); it gets NetworkUnavailable=True with reason NoRouteCreated, the
  condition the kubelet writes, and its kubelet reports NotReady with the CNI message;
- a pod carrying the annotation `dstutor.io/network-plugin: NAME` (put it in the CNI
  DaemonSet's pod template) that turns Ready on such a node brings the network up:
  NetworkUnavailable=False with reason `NAMEIsUp` and message
  `NAME is running on this node`, and the kubelet reports Ready;
- until then the kubelet starts only hostNetwork pods there; any other pod that lands
  on the node waits with the kubelet's NetworkNotReady event.

A NetworkUnavailable condition set any other way (a manifest, a test) has none of these
effects beyond its taint.
"""

from __future__ import annotations

from collections.abc import Callable

from dstutor.controller import shared
from dstutor.controller.context import Context
from dstutor.model.objects import Obj, pod_condition
from dstutor.model.timefmt import to_rfc3339

NETWORK_PLUGIN_ANNOTATION = "dstutor.io/network-plugin"
NO_ROUTE_REASON = "NoRouteCreated"
CNI_NOT_READY = ("container runtime network not ready: NetworkReady=false "
                 "reason:NetworkPluginNotReady message:Network plugin returns error: "
                 "cni plugin not initialized")
# The kubelet's syncPod: NetworkNotReadyErrorMsg, then the runtime's network error.
NETWORK_NOT_READY_EVENT = f"network is not ready: {CNI_NOT_READY}"


def no_route_condition(now: str) -> Obj:
    """The condition the kubelet gives a node whose network a plugin must set up."""
    return {"type": "NetworkUnavailable", "status": "True", "lastHeartbeatTime": now,
            "lastTransitionTime": now, "reason": NO_ROUTE_REASON,
            "message": "Node created without a route"}


def network_up_condition(plugin: str, now: str) -> Obj:
    """What a CNI agent writes once it runs (Calico: CalicoIsUp)."""
    return {"type": "NetworkUnavailable", "status": "False", "lastHeartbeatTime": now,
            "lastTransitionTime": now, "reason": f"{plugin}IsUp",
            "message": f"{plugin} is running on this node"}


def waits_for_network(node: Obj | None) -> bool:
    """Whether the node joined without a network and no plugin has brought it up."""
    if node is None:
        return False
    # node_condition(node, "NetworkUnavailable"), inline: the kubelet asks before it
    # starts each pod. (An `in` over map(methodcaller("get", "type"), ...) runs fewer
    # bytecodes but takes twice the time.)
    for cond in node.get("status", {}).get("conditions") or ():
        if cond.get("type") == "NetworkUnavailable":
            return cond.get("status") == "True" and cond.get("reason") == NO_ROUTE_REASON
    return False


def plugin_of(pod: Obj) -> str:
    """The network plugin a pod says it is ("" for every other pod)."""
    value = ((pod.get("metadata") or {}).get("annotations") or {}).get(
        NETWORK_PLUGIN_ANNOTATION)
    return str(value) if value else ""


def _is_ready(pod: Obj) -> bool:
    cond = pod_condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


class NetworkPlugins:
    """Brings a node's network up when its plugin's pod is Ready there."""

    def __init__(self, ctx: Context, post_ready: Callable[[Obj], None],
                 wake_pods: Callable[[str], None]) -> None:
        self.ctx = ctx
        self.post_ready = post_ready
        self.wake_pods = wake_pods
        self._warned: set[str] = set()  # pod uids told about the missing network

    def on_pod(self, old: Obj | None, new: Obj | None) -> None:
        if new is None:
            if old is not None:
                self._warned.discard(old["metadata"].get("uid", ""))
            return
        # plugin_of(new) first, inline: every pod write passes here, few pods are plugins.
        annotations = (new.get("metadata") or {}).get("annotations")
        if not annotations or not annotations.get(NETWORK_PLUGIN_ANNOTATION):
            return
        node_name = new["spec"].get("nodeName")
        if node_name and _is_ready(new):
            self.ctx.enqueue("network", node_name)

    def sync(self, node_name: str) -> None:
        store = self.ctx.store
        node = store.get("Node", "", node_name)
        if not waits_for_network(node):
            return
        assert node is not None
        plugin = next((plugin_of(p) for p in store.pods_on_node(node_name)
                       if plugin_of(p) and _is_ready(p)), "")
        if not plugin:
            return
        now = to_rfc3339(self.ctx.clock.now())
        node["status"]["conditions"] = [
            network_up_condition(plugin, now) if c.get("type") == "NetworkUnavailable" else c
            for c in node["status"].get("conditions") or []]
        store.touch(node)
        self.post_ready(node)
        self.wake_pods(node_name)

    def blocks(self, pod: Obj, node_name: str, node: Obj | None) -> bool:
        """The kubelet's check before it starts a pod: without a network only hostNetwork
        pods start; the others get a NetworkNotReady event (once) and wait. `node`: the
        store's node of that name (the kubelet has it at hand), or None."""
        if pod["spec"].get("hostNetwork"):
            return False
        if not waits_for_network(node):
            return False
        uid = pod["metadata"].get("uid", "")
        if uid not in self._warned:
            self._warned.add(uid)
            self._waiting_status(pod, node_name)
            self.ctx.record_event(pod, "Warning", "NetworkNotReady", NETWORK_NOT_READY_EVENT,
                                  component="kubelet", host=node_name)
        return True

    def _waiting_status(self, pod: Obj, node_name: str) -> None:
        """The status the kubelet posts before it gives up on the network: containers
        waiting in ContainerCreating (so `get pods` says so), no sandbox yet."""
        now = to_rfc3339(self.ctx.clock.now())
        node = self.ctx.store.get("Node", "", node_name) or {}
        host_ip = next((a.get("address", "") for a in node.get("status", {}).get(
            "addresses") or [] if a.get("type") == "InternalIP"), "")
        status = pod["status"]
        status["hostIP"] = host_ip
        status["hostIPs"] = shared.ip_list(host_ip)
        status["startTime"] = now
        names = " ".join(c["name"] for c in pod["spec"].get("containers") or [])
        unready = f"containers with unready status: [{names}]"
        scheduled = [c for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"]
        status["conditions"] = [
            shared.pod_condition("PodReadyToStartContainers", "False", now),
            shared.pod_condition("Initialized", "True", now),
            shared.pod_condition("Ready", "False", now, "ContainersNotReady", unready),
            shared.pod_condition("ContainersReady", "False", now, "ContainersNotReady", unready),
            *scheduled]
        status["containerStatuses"] = [
            {"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": False,
             "restartCount": 0, "started": False, "state": shared.waiting("ContainerCreating"),
             "lastState": shared.EMPTY}
            for c in pod["spec"].get("containers") or []]
        self.ctx.store.touch(pod)

