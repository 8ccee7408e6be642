"""What a controller may use: read the store, write through the API, record events.

The simulator's Cluster satisfies this Protocol; the controllers never import it.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Protocol

from dstutor.controller.ports import Api, Clock, ObjectStore
from dstutor.model.objects import Obj


class Context(Protocol):
    # Read-only properties, so the simulator's own types (Store, ApiServer, Clock)
    # satisfy them; a plain attribute would have to be exactly the port type.
    @property
    def store(self) -> ObjectStore: ...

    @property
    def api(self) -> Api: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def timing(self) -> dict[str, float]: ...

    def record_event(self, obj: Obj, etype: str, reason: str, message: str, *,
                     component: str, host: str = "", field_path: str = "") -> None: ...

    def record_events(self, obj: Obj, events: tuple[tuple[str, str, str], ...], *,
                      component: str, host: str = "", field_path: str = "") -> None: ...

    def enqueue(self, queue: str, key: Hashable) -> None: ...

    def enqueue_at(self, queue: str, key: Hashable, when: float) -> None: ...
