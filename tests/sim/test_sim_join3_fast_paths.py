"""Shortcuts of issue 19's third join round (join3) against the general paths they skip."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from dstutor.controller import daemonset as daemonset_module
from dstutor.controller import status as status_module
from dstutor.controller.pods import daemon_pods_on
from dstutor.model.objects import Obj
from dstutor.sim import cluster as cluster_module
from dstutor.sim import informers
from dstutor.sim.informers import concerned_informers
from tests.sim.write_trace import SCENARIOS

# The scenarios are played for what happens during them; no test here reads a digest.
pytestmark = pytest.mark.usefixtures("no_digest")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_owner_references_memo_agrees(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """concerned_informers keeps the answer for the last ownerReferences list it read:
    for every pod write of the write_trace scenarios, its answer is the one it gives with
    the memo emptied first (the general path), whether the memo was used or not."""
    remembered = [0, 0]  # writes answered from the memo, writes in all

    def both(old: Obj | None, new: Obj | None, work: object, checked: object) -> int:
        refs = new["metadata"].get("ownerReferences") if new is not None else None
        remembered[0] += refs is not None and informers._last_refs[0][0] is refs
        remembered[1] += 1
        kept = informers._last_refs[0]
        fast = concerned_informers(old, new, work, checked)  # type: ignore[arg-type]
        after = informers._last_refs[0]
        informers._last_refs[0] = (None, 0)
        general = concerned_informers(old, new, work, checked)  # type: ignore[arg-type]
        assert fast == general, (kept, new)
        informers._last_refs[0] = after
        return fast

    real_in_place = cluster_module.pod_written_in_place

    def in_place(cluster: Any, pod: Obj) -> None:
        # (settle2: a write in place asks the same questions inline, sharing the memo.)
        both(pod, pod, cluster.store.pod_records, None)
        real_in_place(cluster, pod)

    monkeypatch.setattr(cluster_module, "concerned_informers", both)
    monkeypatch.setattr(cluster_module, "pod_written_in_place", in_place)
    SCENARIOS[name]()
    assert remembered[1] > 10
    assert remembered[0] >= 5, remembered


def status_checking_pods_seen(real: Callable[..., None], reused: list[int]
                              ) -> Callable[..., None]:
    """update_daemonset_status (`real`) that first checks every pods_seen it is handed:
    for each node, the very pods (same objects, same order) daemon_pods_on finds then;
    reused[0] counts the nodes so checked."""

    def checking(ctx: Any, ds: Obj, state: Any, nodes: list[str],
                 pods_seen: list[list[Obj]] | None = None) -> None:
        if pods_seen is not None:
            assert len(pods_seen) == len(nodes)
            for node_name, seen in zip(nodes, pods_seen, strict=True):
                want = daemon_pods_on(ctx.store, ds, node_name)
                assert list(map(id, seen)) == list(map(id, want)), node_name
                reused[0] += 1
        real(ctx, ds, state, nodes, pods_seen)

    return checking


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_status_takes_the_pods_manage_found(name: str, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    """A sync's status takes the pods its manage() found on a node, when manage wrote
    nothing: they are the very pods (same objects, same order) daemon_pods_on finds when
    the status is worked out."""
    reused = [0]
    checking = status_checking_pods_seen(status_module.update_daemonset_status, reused)
    monkeypatch.setattr(daemonset_module, "update_daemonset_status", checking)
    SCENARIOS[name]()
    assert reused[0] >= 5
