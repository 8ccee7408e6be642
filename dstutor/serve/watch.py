"""Watch fan-out: the store's changes, copied once, queued per watcher.

The store tells its listeners under the simulator lock; the hub copies the object (the
simulator edits stored objects in place later), appends it to a bounded history (so a
watch may start from a resourceVersion a list returned a moment ago) and to the queue
of each watcher. Streaming happens on the client's own thread, without the lock, so a
slow client never holds up the simulator or the other clients; a watcher whose queue
overflows is closed, as the API server drops a client that cannot keep up.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dstutor.model.objects import Obj, clone

HISTORY = 5000  # events kept for watches that start from an older resourceVersion
QUEUE_LIMIT = 20000


@dataclass(frozen=True)
class Change:
    rv: int
    type: str  # ADDED, MODIFIED, DELETED
    kind: str
    obj: Obj  # a private copy: never changed after it is made
    prev: Obj | None = None  # the object before an update (None: edited in place)

    def seen_by(self, matches: Callable[[Obj], bool]) -> str | None:
        """The event type a filtered watch sees (the watch cache's rule): an object that
        starts matching is ADDED, one that stops matching is DELETED, else None."""
        now = matches(self.obj)
        if self.type != "MODIFIED":
            return self.type if now else None
        before = now if self.prev is None else matches(self.prev)
        if now and not before:
            return "ADDED"
        if before and not now:
            return "DELETED"
        return "MODIFIED" if now else None


@dataclass
class Watcher:
    kind: str
    matches: Callable[[Obj], bool]
    queue: deque[Change] = field(default_factory=deque)
    ready: threading.Event = field(default_factory=threading.Event)
    overflowed: bool = False
    closed: bool = False

    def offer(self, change: Change) -> None:
        if change.kind != self.kind or self.closed:
            return
        if len(self.queue) >= QUEUE_LIMIT:
            self.overflowed = True
        else:
            self.queue.append(change)
        self.ready.set()

    def take(self, timeout: float) -> list[Change]:
        """Everything queued, waiting up to `timeout` for the first change."""
        if not self.queue:
            self.ready.wait(timeout)
        self.ready.clear()
        out = []
        while self.queue:
            out.append(self.queue.popleft())
        return out


class _Detached:
    """What a relay becomes in a pickled copy of the cluster (the shell's undo): nothing.

    The server notices the restored cluster is a new object and attaches to it afresh.
    """

    def __call__(self, kind: str, old: Obj | None, new: Obj | None) -> None:
        return None


class _Relay:
    """The store listener: forwards to the hub, and pickles as _Detached (the hub holds
    locks and sockets, which neither pickle nor belong in an undo step)."""

    def __init__(self, hub: WatchHub) -> None:
        self.hub = hub

    def __call__(self, kind: str, old: Obj | None, new: Obj | None) -> None:
        self.hub.on_change(kind, old, new)

    def __reduce__(self) -> tuple[Any, tuple[()]]:
        return (_Detached, ())


class WatchHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watchers: list[Watcher] = []
        self._history: deque[Change] = deque(maxlen=HISTORY)
        self.oldest = 0  # the resourceVersion history starts after
        self.closing = False
        self._rv: Callable[[], int] = lambda: 0
        self._relay = _Relay(self)

    def attach(self, store: Any) -> None:
        """Listen to a store (a fresh one after reset/load: old watches end)."""
        self._rv = store.resource_version
        with self._lock:
            self._history.clear()
            self.oldest = store.resource_version()
            for w in self._watchers:
                w.closed = True
                w.ready.set()
            self._watchers = []
        store.listeners.append(self._relay)

    def detach(self, store: Any) -> None:
        if self._relay in store.listeners:
            store.listeners.remove(self._relay)

    def on_change(self, kind: str, old: Obj | None, new: Obj | None) -> None:
        rv = self._rv()
        if new is None:
            assert old is not None
            obj = clone(old)
            obj["metadata"]["resourceVersion"] = str(rv)
            change = Change(rv, "DELETED", kind, obj)
        else:
            # An update replaces the stored dict: `old` is then the object as it was, and
            # nobody edits it any more (a controller's in-place edit passes old is new).
            prev = old if old is not None and old is not new else None
            change = Change(rv, "ADDED" if old is None else "MODIFIED", kind, clone(new),
                            clone(prev) if prev is not None else None)
        with self._lock:
            if len(self._history) == self._history.maxlen:
                self.oldest = self._history[0].rv
            self._history.append(change)
            for w in self._watchers:
                w.offer(change)

    def current_rv(self) -> int:
        return self._rv()

    def since(self, rv: int) -> list[Change] | None:
        """Changes after rv, or None when rv is older than the history (410 Gone)."""
        with self._lock:
            if rv < self.oldest:
                return None
            return [c for c in self._history if c.rv > rv]

    def register(self, kind: str, matches: Callable[[Obj], bool],
                 backlog: list[Change]) -> Watcher:
        w = Watcher(kind, matches)
        for change in backlog:
            w.offer(change)
        with self._lock:
            self._watchers.append(w)
        return w

    def unregister(self, w: Watcher) -> None:
        with self._lock:
            if w in self._watchers:
                self._watchers.remove(w)
        w.closed = True

    def close_all(self) -> None:
        self.closing = True
        with self._lock:
            for w in self._watchers:
                w.closed = True
                w.ready.set()
