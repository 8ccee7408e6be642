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

from dstutor.controller import kubelet as kubelet_module
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


GENERAL_PATHS: dict[str, Callable[[pytest.MonkeyPatch, list[int]], None]] = {
    "kubelet asks the prober about every container": _always_ask_the_prober,
}


@pytest.mark.parametrize("general", sorted(GENERAL_PATHS))
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_general_path_shows_the_recorded_states(name: str, general: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[int] = []
    GENERAL_PATHS[general](monkeypatch, taken)
    recorder = SCENARIOS[name]()
    assert {"digest": recorder.hash.hexdigest(), "steps": recorder.steps} == RECORDED[name]
    if name.startswith("fleet"):
        assert taken, "the scenario never took the general path"
