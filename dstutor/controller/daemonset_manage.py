"""manage() for the DaemonSet controller: per node, what should run there (the cached
placement) and which pods to create or delete (upstream manage, podsShouldBeOnNode);
the creates and deletes themselves are DaemonSetsController._sync_nodes'."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dstutor.controller.daemonset_pods import PodsShouldBeOnNode
from dstutor.controller.placement import RUN, Placement, node_should_run_daemon_pod
from dstutor.controller.placement_cache import (
    PLACEMENTS,
    RUN_CODE,
    drop_placement,
    placement_code,
    put_placement,
)
from dstutor.controller.pod_record import PodRecord
from dstutor.controller.pods import daemon_pods_on
from dstutor.controller.state import (
    DaemonSetState,
    spec_answers,
)
from dstutor.model.objects import Obj, is_terminating


class Manage(PodsShouldBeOnNode):
    """Mixed into DaemonSetsController, which sets `ctx` and `failed_pods_backoff` and
    acts (`_sync_nodes`)."""

    _sync_nodes: Callable[..., list[tuple[str, Obj]]]

    # --- pods per node --------------------------------------------------------------

    def placement(self, ds: Obj, state: DaemonSetState, node: Obj) -> Placement:
        node_name = node["metadata"]["name"]
        placement = node_should_run_daemon_pod(node, ds, state.pod_spec)
        # put_placement(state, node_name, placement), inline where the node has its place
        # in the index and its byte (nearly always: on_node gives a new node its place).
        try:
            state.placement_codes[state.node_index[node_name]] = (
                RUN_CODE if placement is RUN else placement_code(placement))
        except LookupError:
            put_placement(state, node_name, placement)
        return placement

    # --- manage ---------------------------------------------------------------------

    def manage(self, ds: Obj, state: DaemonSetState, nodes: list[str]
               ) -> dict[str, Sequence[Obj]] | None:
        """manage(): per node decide creates and deletes, then act in one place. Returns
        the pods on each node when it deleted nothing and every create it made went to a
        node that had none (the status sees the same: what it found, and the new pods)."""
        store = self.ctx.store
        nodes_needing_pods: list[str] = []
        pods_to_delete: list[Obj] = []
        seen: dict[str, Sequence[Obj]] = {}
        answers = state.spec_answers  # spec_answers(state, ds), its question inline
        if answers is None or answers.spec is not ds["spec"]:
            answers = spec_answers(state, ds)
        surge = answers.surge
        # Its pods by node, read once (nothing is written until the loop is over).
        owned = store.pods_of_owner(ds["metadata"]["uid"])
        for node_name in nodes:
            node = store.get_plain("Node", "", node_name)
            keys = owned.get(node_name)
            if keys is None:
                pods: Sequence[Obj] = ()
            elif type(keys) is PodRecord and not keys.pod["metadata"].get("deletionTimestamp"):
                pods = (keys.pod,)  # daemon_pods_on's answer for its one live pod (a tuple: lighter)
            else:
                pods = daemon_pods_on(store, ds, node_name)
            seen[node_name] = pods
            if node is None:
                drop_placement(state, node_name)
                # getUnscheduledPodsWithoutNode: scheduled pods on a vanished node are
                # pod GC's business; only never-scheduled ones are removed here.
                pods_to_delete += [p for p in pods if not p["spec"].get("nodeName")
                                   and not is_terminating(p)]
                continue
            # A pod event does not move placement; node events drop the cached answer.
            # (placement_of(state, node_name), inline: every node of every sync asks.)
            try:
                placement = PLACEMENTS[state.placement_codes[state.node_index[node_name]]]
            except LookupError:
                placement = None
            if placement is None:
                placement = self.placement(ds, state, node)
            if len(pods) == 1 and not surge and placement.should_continue_running:
                # Nearly always: the node's one pod stays (or is on its way out).
                # pods_should_be_on_node's answer is (False, []) unless it is finished.
                pod = pods[0]
                if pod["metadata"].get("deletionTimestamp") or pod["status"].get(
                        "phase") not in ("Failed", "Succeeded"):
                    continue
            create, delete = self.pods_should_be_on_node(ds, state, node_name, placement, pods,
                                                         surge)
            if create:
                nodes_needing_pods.append(node_name)
            if delete:
                pods_to_delete += delete
        if pods_to_delete or nodes_needing_pods:  # most syncs: nothing to create or delete
            created = self._sync_nodes(ds, state, pods_to_delete, nodes_needing_pods,
                                       refreshed=nodes)
            if pods_to_delete or state.create_failed:
                return None
            # Creates alone (a node joining), each onto a node that had no pod of this
            # DaemonSet: now it has the one made for it, the other nodes what they had.
            for node_name, pod in created:
                if seen[node_name]:
                    return None
                seen[node_name] = [pod]
        return seen
