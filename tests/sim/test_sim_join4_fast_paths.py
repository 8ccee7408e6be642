"""Shortcuts of issue 19's fourth join round (join4) against the general paths they skip,
over every write_trace scenario (whose visible states test_sim_write_trace checks)."""

from __future__ import annotations

from typing import Any

import pytest

from dstutor.controller import daemonset as daemonset_module
from dstutor.controller import pod_signature as signature_module
from dstutor.controller.daemonset import DaemonSetsController
from dstutor.controller.pod_signature import pod_signature
from dstutor.controller.pods import daemon_pods_on
from dstutor.controller.state import DaemonSetState, spec_answers
from dstutor.model.objects import Obj, controller_ref
from dstutor.sim import cluster as cluster_module
from dstutor.sim import informers
from dstutor.sim.cluster import Cluster
from dstutor.sim.informers import concerned_informers
from tests.sim.test_sim_join3_fast_paths import status_checking_pods_seen
from tests.sim.write_trace import SCENARIOS

# The scenarios are played for what happens during them; no test here reads a digest.
pytestmark = pytest.mark.usefixtures("no_digest")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_in_place_signature_is_pod_signature(name: str, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    """DaemonSetsController.on_pod works out an in-place write's signature inline: after
    every such write, what it remembers for the pod is pod_signature(pod, not alone), read
    afresh (its Ready memo emptied), as the general path would have remembered it."""
    real = DaemonSetsController.on_pod
    real_in_place = cluster_module.pod_written_in_place
    checked = [0]

    def checking(self: DaemonSetsController, old: Obj | None, new: Obj | None) -> None:
        real(self, old, new)
        if new is None or old is not new:
            return
        check(self, new)

    def checking_in_place(cluster: Cluster, pod: Obj) -> None:
        # (settle2: the cluster's in-place writes reach the controller through this.)
        real_in_place(cluster, pod)
        check(cluster.daemonsets, pod)

    def check(self: DaemonSetsController, new: Obj) -> None:
        store = self.ctx.store
        meta = new["metadata"]
        owner, node = store.pod_owner_and_node(("Pod", meta["namespace"], meta["name"]))
        alone = bool(owner) and len(store.pods_of_owner(owner).get(node, ())) <= 1
        kept = signature_module._last_ready[0]
        signature_module._last_ready[0] = (None, None)
        want = pod_signature(new, not alone)
        signature_module._last_ready[0] = kept
        assert self._signatures[meta["namespace"]][meta["name"]] == want, new
        checked[0] += 1

    monkeypatch.setattr(DaemonSetsController, "on_pod", checking)
    monkeypatch.setattr(cluster_module, "pod_written_in_place", checking_in_place)
    SCENARIOS[name]()
    assert checked[0] >= 10


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_nodes_manage_skips_are_what_pods_should_be_on_node_says(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """manage() does not ask pods_should_be_on_node about a node whose one pod stays
    (no surge): for every node of every sync that it did not ask about, the general
    function, asked about the pods the node had, answers (False, []) (it is pure for
    them: it acts only on finished pods, and a finished pod skipped is a failure)."""
    real_manage = DaemonSetsController.manage
    real_should = DaemonSetsController.pods_should_be_on_node
    asked: set[str] = set()
    skipped = [0]

    def asking(self: DaemonSetsController, ds: Obj, state: DaemonSetState, node_name: str,
               *args: Any) -> Any:
        asked.add(node_name)
        return real_should(self, ds, state, node_name, *args)

    def checking(self: DaemonSetsController, ds: Obj, state: DaemonSetState,
                 nodes: list[str]) -> Any:
        before = {n: daemon_pods_on(self.ctx.store, ds, n) for n in nodes}
        asked.clear()
        result = real_manage(self, ds, state, nodes)
        surge = spec_answers(state, ds).surge
        for node_name, pods in before.items():
            if node_name in asked or self.ctx.store.get("Node", "", node_name) is None:
                continue
            assert not any(p["status"].get("phase") in ("Failed", "Succeeded")
                           and not p["metadata"].get("deletionTimestamp") for p in pods)
            placement = state.placements[node_name]
            assert real_should(self, ds, state, node_name, placement, pods, surge) == (
                False, []), (ds["metadata"]["name"], node_name)
            skipped[0] += 1
        return result

    monkeypatch.setattr(DaemonSetsController, "manage", checking)
    monkeypatch.setattr(DaemonSetsController, "pods_should_be_on_node", asking)
    SCENARIOS[name]()
    if name.startswith("fleet"):
        assert skipped[0] >= 5


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_owner_references_memos_agree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """concerned_informers keeps its answer for the ownerReferences lists it read, the last
    one and the earlier ones by id: for every pod write of the write_trace scenarios, its
    answer is the one it gives with both memos emptied first (the general path)."""
    from_memo = [0]

    def both(old: Obj | None, new: Obj | None, work: object, checked: object) -> int:
        refs = new["metadata"].get("ownerReferences") if new is not None else None
        from_memo[0] += (refs is not None and informers._last_refs[0][0] is not refs
                         and id(refs) in informers._refs_memo)
        fast = concerned_informers(old, new, work, checked)  # type: ignore[arg-type]
        kept = (informers._last_refs[0], dict(informers._refs_memo))
        informers._last_refs[0] = (None, 0)
        informers._refs_memo.clear()
        general = concerned_informers(old, new, work, checked)  # type: ignore[arg-type]
        assert fast == general, new
        informers._last_refs[0] = kept[0]
        informers._refs_memo.clear()
        informers._refs_memo.update(kept[1])
        return fast

    real_in_place = cluster_module.pod_written_in_place

    def in_place(cluster: Cluster, pod: Obj) -> None:
        # (settle2: a write in place asks the same questions inline, sharing the memos.)
        both(pod, pod, cluster.store.pod_records, None)
        real_in_place(cluster, pod)

    monkeypatch.setattr(cluster_module, "concerned_informers", both)
    monkeypatch.setattr(cluster_module, "pod_written_in_place", in_place)
    SCENARIOS[name]()
    assert from_memo[0] >= 5, from_memo


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_own_creates_wake_as_the_general_path(name: str, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    """on_pod takes the owner and node of a pod this controller is creating from
    _create_pods instead of looking them up: for every such create, they are the ones the
    store's index and the pod's controller reference name, and the DaemonSet it marks
    dirty (if any) is the one _pod_changed would mark."""
    real_on_pod = DaemonSetsController.on_pod
    real_mark = DaemonSetsController.mark_dirty
    marks: list[tuple[str, str]] = []
    taken = [0]

    def marking(self: DaemonSetsController, ds: Obj, node_name: str) -> None:
        marks.append((ds["metadata"]["uid"], node_name))
        real_mark(self, ds, node_name)

    def checking(self: DaemonSetsController, old: Obj | None, new: Obj | None) -> None:
        creating = self._creating
        own = old is None and new is not None and creating is not None and creating[0] is new
        expected: list[tuple[str, str]] = []
        if own:
            assert new is not None and creating is not None
            meta = new["metadata"]
            _, node = self.ctx.store.pod_owner_and_node(("Pod", meta["namespace"],
                                                         meta["name"]))
            ref = controller_ref(new)
            assert ref is not None and ref.get("kind") == "DaemonSet"
            ds = self.ctx.store.by_uid(ref.get("uid", ""))
            assert ds is creating[1] and node == creating[2]
            if (ds["metadata"]["uid"], node) not in self._own_writes:
                expected = [(ds["metadata"]["uid"], node)]
            marks.clear()
        real_on_pod(self, old, new)
        if own:
            assert marks == expected
            taken[0] += 1

    monkeypatch.setattr(DaemonSetsController, "on_pod", checking)
    monkeypatch.setattr(DaemonSetsController, "mark_dirty", marking)
    SCENARIOS[name]()
    assert taken[0] >= 5


def _surge_daemonset() -> Obj:
    labels = {"app": "surge"}
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "surge", "namespace": "default"},
            "spec": {"selector": {"matchLabels": labels},
                     "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {
                         "maxSurge": 1, "maxUnavailable": 0}},
                     "template": {"metadata": {"labels": labels}, "spec": {
                         "terminationGracePeriodSeconds": 30,
                         "containers": [{"name": "c", "image": "busybox"}]}}}}


def test_status_takes_new_pods_only_onto_empty_nodes(monkeypatch: pytest.MonkeyPatch
                                                     ) -> None:
    """manage() hands the status the pods it created only for nodes that had none: with
    surge, a node whose pod is terminating gets its replacement at once, and the status
    must look the node up (both pods) rather than take the new pod alone. Every pods_seen
    the status takes is what daemon_pods_on finds then (the very pods, in order)."""
    real_sync_nodes = DaemonSetsController._sync_nodes
    onto_occupied = [0]
    reused = [0]
    checking = status_checking_pods_seen(daemonset_module.update_daemonset_status, reused)

    def syncing(self: DaemonSetsController, ds: Obj, state: Any, deletes: list[Obj],
                creates: list[str], **kwargs: Any) -> Any:
        onto_occupied[0] += sum(1 for n in creates if daemon_pods_on(self.ctx.store, ds, n))
        return real_sync_nodes(self, ds, state, deletes, creates, **kwargs)

    monkeypatch.setattr(daemonset_module, "update_daemonset_status", checking)
    monkeypatch.setattr(DaemonSetsController, "_sync_nodes", syncing)
    cluster = Cluster(record_pod_events=False)
    for i in range(3):
        cluster.add_node(f"node-{i}", ready=True)
    cluster.create(_surge_daemonset())
    cluster.advance()
    pod = cluster.pods_of("surge")[0]
    cluster.delete("Pod", "default", pod["metadata"]["name"])
    cluster.advance()
    assert onto_occupied[0] >= 1 and reused[0] >= 3
