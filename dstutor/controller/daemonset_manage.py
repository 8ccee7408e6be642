"""manage() for the DaemonSet controller: per node, what should run there (the cached
placement) and which pods to create or delete (upstream manage, podsShouldBeOnNode);
the creates and deletes themselves are DaemonSetsController._sync_nodes'."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dstutor.controller.daemonset_pods import PodsShouldBeOnNode
from dstutor.controller.placement import RUN, node_should_run_daemon_pod
from dstutor.controller.placement_cache import (
    CONTINUES,
    PLACEMENTS,
    RUN_CODE,
    drop_placement,
    placement_code,
    put_placement,
)
from dstutor.controller.pod_record import PodRecord
from dstutor.controller.pods import daemon_pods_on
from dstutor.controller.state import DaemonSetState, spec_answers
from dstutor.model.objects import Obj, is_terminating


class Manage(PodsShouldBeOnNode):
    """Mixed into DaemonSetsController, which sets `ctx` and `failed_pods_backoff` and
    acts (`_sync_nodes`)."""

    _sync_nodes: Callable[..., list[tuple[str, Obj]]]

    # --- manage ---------------------------------------------------------------------

    def manage(self, ds: Obj, state: DaemonSetState, nodes: list[str]
               ) -> list[Sequence[Obj]] | None:
        """manage(): per node decide creates and deletes, then act in one place. Returns
        the pods on each node, in the order of `nodes`, when it deleted nothing and every
        create it made went to a node that had none (the status sees the same: what it
        found, and the new pods). A list beside the nodes, not a dict by node name: 40 KB
        at 5,000 nodes, where the dict took 150 KB and grew through its resizes."""
        store = self.ctx.store
        nodes_needing_pods: list[str] = []
        pods_to_delete: list[Obj] = []
        seen: list[Sequence[Obj]] = []
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
            seen.append(pods)
            if node is None:
                drop_placement(state, node_name)
                # getUnscheduledPodsWithoutNode: scheduled pods on a vanished node are
                # pod GC's business; only never-scheduled ones are removed here.
                pods_to_delete += [p for p in pods if not p["spec"].get("nodeName")
                                   and not is_terminating(p)]
                continue
            # A pod event does not move placement; node events drop the cached answer.
            # The node's cached placement as its byte (placement_cache; placement_of,
            # inline: every node of every sync asks).
            try:
                placed = state.placement_codes[state.node_index[node_name]]
            except LookupError:
                placed = 0
            if len(pods) == 1 and not surge and placed & CONTINUES:
                # Nearly always: the node's one pod stays (or is on its way out).
                # pods_should_be_on_node's answer is (False, []) unless it is finished.
                # (A node without a cached placement asks it below, then the same.)
                pod = pods[0]
                if pod["metadata"].get("deletionTimestamp") or pod["status"].get(
                        "phase") not in ("Failed", "Succeeded"):
                    continue
            placement = PLACEMENTS[placed]
            if placement is None:  # none cached: ask, and cache the answer
                placement = node_should_run_daemon_pod(node, ds, state.pod_spec)
                try:  # (put_placement, inline where the node has its place and its byte)
                    state.placement_codes[state.node_index[node_name]] = (
                        RUN_CODE if placement is RUN else placement_code(placement))
                except LookupError:
                    put_placement(state, node_name, placement)
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
            # (The creates follow the nodes' order, each node once: each is looked for
            # from the last one's place on.)
            at = 0
            for node_name, pod in created:
                at = nodes.index(node_name, at)
                if seen[at]:
                    return None
                seen[at] = [pod]
        return seen
