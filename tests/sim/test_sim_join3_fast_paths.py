"""Shortcuts of issue 19's third join round (join3) against the general paths they skip."""

from __future__ import annotations

import pytest

from dstutor.model.objects import Obj
from dstutor.sim import cluster as cluster_module
from dstutor.sim import informers
from dstutor.sim.informers import concerned_informers
from tests.sim.write_trace import SCENARIOS


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

    monkeypatch.setattr(cluster_module, "concerned_informers", both)
    SCENARIOS[name]()
    assert remembered[1] > 10
    assert remembered[0] >= 5, remembered
