"""Issue 19: EventCorrelator.observe_new and named, the fresh path as Cluster.record_event
uses it (nothing remembered about a new event until the recorder has named it), decide
every event and leave the same caches as upstream's steps (event_reference), as observe
does (tests/sim/test_sim_event_fresh_path.py plays the same operations through observe)."""

from __future__ import annotations

from typing import Any

import pytest
import test_sim_event_fast_path as fast_path
import test_sim_event_fresh_path as fresh_path
from hypothesis import given, settings

from dstutor.sim.events import EventCorrelator


class NamedPair(fresh_path.Pair):
    def observe(self, key: tuple[str, ...], name: str) -> Any:
        observed = self.fast.observe_new(key, self.now)
        if observed is True:
            self.fast.named(key, self.now, name)
            return (key, key[9], False, 1, self.now, "")
        return fast_path.answer(observed, name)


@pytest.fixture(autouse=True)
def _named_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fresh_path, "Pair", NamedPair)


@settings(max_examples=300, deadline=None)
@given(ops=fresh_path.st.lists(fresh_path.op, max_size=120),
       size=fresh_path.st.sampled_from([1, 2, 3, 8, 40]))
def test_the_named_fresh_path_decides_and_caches_as_upstreams_steps(
        ops: list[tuple[Any, ...]], size: int) -> None:
    pair = fresh_path._play(ops, size)
    assert isinstance(pair, NamedPair)


@pytest.mark.parametrize(("ops", "size"), [(fresh_path._fleet(50), 8),
                                           (fresh_path._fleet(50, every=7), 8)])
def test_fleets_take_the_named_fresh_path(ops: list[tuple[Any, ...]], size: int,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    named = []
    original = EventCorrelator.named

    def counted(self: EventCorrelator, key: tuple[str, ...], now: float, name: str) -> None:
        named.append(name)
        original(self, key, now, name)

    monkeypatch.setattr(EventCorrelator, "named", counted)
    fresh_path._play(ops, size)
    events = sum(1 for step in ops if step[0] == "event")
    assert len(named) > events / 2  # most events take the fresh path
