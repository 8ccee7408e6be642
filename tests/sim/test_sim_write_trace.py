"""Nothing a learner can see changes when the engine, kubelet or store get faster: every
visible state of the scenarios in write_trace.py matches the digests recorded on main
before that work (a2fcb1b)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.sim.write_trace import SCENARIOS

RECORDED = json.loads((Path(__file__).parent / "write_trace_digests.json").read_text())


def test_every_scenario_is_recorded() -> None:
    assert sorted(RECORDED) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_visible_states_match_the_recording(name: str) -> None:
    recorder = SCENARIOS[name]()
    assert recorder.steps == RECORDED[name]["steps"]
    assert recorder.hash.hexdigest() == RECORDED[name]["digest"]
