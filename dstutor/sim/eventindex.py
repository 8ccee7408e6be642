"""A namespace's stored Events by their involved object's uid, read from the store's
table as it keeps them (records or dicts; sim/eventstore.py), without building a dict:
Store.event_keys_by_involved_uid's work (moved out of sim/store.py, at its size limit)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from typing import Any

from dstutor.sim.eventstore import INVOLVED, is_record


def keys_by_involved_uid(items: Mapping[Any, Any], keys: Sequence[tuple[str, ...]],
                         namespace: str) -> dict[str | None, list[tuple[str, str]]]:
    """`items`: the Events by (namespace, name); `keys`: those keys sorted (the API
    server's order). One namespace's keys by involvedObject.uid (None: no uid), each
    list in that order."""
    lo = bisect_left(keys, (namespace, ""))
    hi = bisect_right(keys, (namespace, "\U0010ffff"), lo)
    index: dict[str | None, list[tuple[str, str]]] = {}
    for key in keys[lo:hi]:
        found: Any = items[key]
        if is_record(found):  # a tuple: its involvedObject's uid
            uid = found[INVOLVED][3]
        else:
            uid = (found.get("involvedObject") or {}).get("uid")
        index.setdefault(uid, []).append(key)  # type: ignore[arg-type]  # (ns, name)
    return index
