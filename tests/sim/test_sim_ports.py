"""The simulator's objects provide every method the controllers' ports ask for.

The controllers see the store, the API and the clock only through the Protocols in
dstutor.controller.ports (and Context); mypy checks the types, this checks at test time
that each method exists with the same parameters (names, kinds, defaults), so a port
and its implementation cannot drift apart unnoticed.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from dstutor.controller import ports
from dstutor.controller.context import Context
from dstutor.sim.apiserver import ApiServer
from dstutor.sim.clock import Clock
from dstutor.sim.cluster import Cluster
from dstutor.sim.store import Store


def _members(protocol: type) -> dict[str, object]:
    return {name: value for name, value in vars(protocol).items()
            if not name.startswith("_") and (callable(value) or isinstance(value, property))}


def _shape(fn: Any) -> list[tuple[str, object, object]]:
    params = list(inspect.signature(fn).parameters.values())
    return [(p.name, p.kind, p.default) for p in params]


@pytest.mark.parametrize(("protocol", "impl"), [
    (ports.ObjectStore, Store),
    (ports.Api, ApiServer),
    (ports.Clock, Clock),
    (Context, Cluster),
])
def test_implementation_has_every_port_method(protocol: type, impl: type) -> None:
    members = _members(protocol)
    assert members, f"{protocol.__name__} lists nothing"
    for name, member in members.items():
        if isinstance(member, property):
            continue  # an attribute: checked on an instance below
        assert hasattr(impl, name), f"{impl.__name__} lacks {protocol.__name__}.{name}"
        assert _shape(getattr(impl, name)) == _shape(member), (
            f"{impl.__name__}.{name} takes other parameters than {protocol.__name__}.{name}")


def test_cluster_hands_its_own_objects_to_the_controllers() -> None:
    cluster = Cluster()
    for name in ("store", "api", "clock", "timing"):
        assert isinstance(Context.__dict__[name], property)
    assert isinstance(cluster.store, Store)
    assert isinstance(cluster.api, ApiServer)
    assert isinstance(cluster.clock, Clock)
    assert isinstance(cluster.timing, dict)


def test_shape_check_catches_a_drifted_method() -> None:
    class Drifted:
        def get(self, kind: str, name: str) -> None: ...

    assert _shape(Drifted.get) != _shape(ports.ObjectStore.get)
