"""What a controller may use: read the store, write through the API, record events."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

from dstutor.model.objects import Obj
from dstutor.sim.apiserver import ApiServer
from dstutor.sim.clock import Clock
from dstutor.sim.store import Store


class Context(Protocol):
    store: Store
    api: ApiServer
    clock: Clock
    timing: dict[str, float]

    def record_event(self, obj: Obj, etype: str, reason: str, message: str, *,
                     component: str, host: str = "", field_path: str = "") -> None: ...

    def enqueue(self, queue: str, key: Hashable) -> None: ...

    def enqueue_at(self, queue: str, key: Hashable, when: float) -> None: ...
