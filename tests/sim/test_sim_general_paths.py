"""Shortcuts a node join takes (issue 19, join2) against the general paths they skip: with
each shortcut turned off, every write_trace scenario still shows the recorded visible
states (test_sim_write_trace checks them with the shortcuts on), and the general path was
really taken."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dstutor.controller import daemonset as daemonset_module
from dstutor.controller import kubelet as kubelet_module
from dstutor.controller import status as status_module
from dstutor.model.objects import Obj, key_of
from dstutor.sim.store import Store
from tests.sim.write_trace import SCENARIOS

RECORDED = json.loads((Path(__file__).parent / "write_trace_digests.json").read_text())


def _always_ask_the_prober(monkeypatch: pytest.MonkeyPatch, taken: list[int]) -> None:
    """Kubelet._start asks the prober only about a container with a readiness probe (the
    prober answers 0 s and schedules nothing for the others): ask about every one."""
    real_isinstance = isinstance

    def every_container_has_a_probe(obj: object, kind: Any) -> bool:
        if kind is dict and not real_isinstance(obj, dict):
            taken.append(1)
            return True
        return real_isinstance(obj, kind)

    monkeypatch.setattr(kubelet_module, "isinstance", every_container_has_a_probe,
                        raising=False)


def _index_status_writes(monkeypatch: pytest.MonkeyPatch, taken: list[int]) -> None:
    """Store.touch_status leaves the pod indexes alone (a status write changes nothing
    they are made from): write through touch, which asks them again, and check that
    they answer as before."""

    def touch_status(self: Store, obj: Obj) -> None:
        key = key_of(obj)
        node = self.pod_owner_and_node(key)[1] if obj["kind"] == "Pod" else ""
        before = (self.pod_owner_and_node(key), self.stored_pod_key(key),
                  self.pod_keys_on_node(node), self.orphan_pod_keys_on_node(node))
        Store.touch(self, obj)
        taken.append(1)
        assert (self.pod_owner_and_node(key), self.stored_pod_key(key),
                self.pod_keys_on_node(node), self.orphan_pod_keys_on_node(node)) == before

    monkeypatch.setattr(Store, "touch_status", touch_status)


def _status_looks_pods_up(monkeypatch: pytest.MonkeyPatch, taken: list[int]) -> None:
    """A DaemonSet sync's status takes the pods its manage() found, when manage wrote
    nothing (join3): have it look them up again."""
    real = status_module.update_daemonset_status

    def looking_up(ctx: Any, ds: Obj, state: Any, nodes: list[str],
                   pods_seen: list[list[Obj]] | None = None) -> None:
        if pods_seen is not None:
            taken.append(1)
        real(ctx, ds, state, nodes)

    monkeypatch.setattr(daemonset_module, "update_daemonset_status", looking_up)


GENERAL_PATHS: dict[str, Callable[[pytest.MonkeyPatch, list[int]], None]] = {
    "DaemonSet status looks its pods up again": _status_looks_pods_up,
    "kubelet asks the prober about every container": _always_ask_the_prober,
    "status writes go through touch and its indexing": _index_status_writes,
}


@pytest.mark.parametrize("general", sorted(GENERAL_PATHS))
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_general_path_shows_the_recorded_states(name: str, general: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[int] = []
    GENERAL_PATHS[general](monkeypatch, taken)
    recorder = SCENARIOS[name]()
    assert {"digest": recorder.hash.hexdigest(), "steps": recorder.steps} == RECORDED[name]
    if name.startswith("fleet") or "touch" in general or "status" in general:
        assert taken, "the scenario never took the general path"
