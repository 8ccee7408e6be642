"""Issue 19: an Event recorded compactly keeps its uid as the name generator's 128 bits
(NameGenerator.uid_bits) and writes it out when read (namegen.uid_text). The draw is the
one uid() makes, so the uids shown, and every name drawn after them, stay the same."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.sim.cluster import Cluster
from dstutor.sim.namegen import NameGenerator, uid_text

UUID4 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32), draws=st.lists(st.sampled_from("usb"), max_size=30))
def test_uid_bits_is_the_draw_uid_makes(seed: int, draws: list[str]) -> None:
    """Interleaved with suffixes, bits then uid_text give uid()'s text, and the draws
    after them are the same."""
    general, compact = NameGenerator(seed), NameGenerator(seed)
    for draw in draws:
        if draw == "u":
            assert uid_text(compact.uid_bits()) == general.uid()
        elif draw == "b":
            text = uid_text(compact.uid_bits())
            assert text == general.uid() and UUID4.fullmatch(text)
        else:
            assert compact.suffix() == general.suffix()
    assert compact.generate("ds-") == general.generate("ds-")


def test_an_event_shows_the_uid_drawn_when_it_was_recorded() -> None:
    cluster = Cluster(seed=7)
    cluster.add_node("worker-1", ready=True)
    node = cluster.get("Node", "", "worker-1")
    twin = NameGenerator(7)
    twin._rng.setstate(cluster.names._rng.getstate())
    cluster.record_event(node, "Normal", "Rebooted", "rebooted", component="kubelet",
                         host="worker-1")
    expected = twin.uid()
    assert cluster.names.suffix() == twin.suffix()  # the draw happened at record time
    events = [e for e in cluster.list("Event", "default") if e["reason"] == "Rebooted"]
    assert [e["metadata"]["uid"] for e in events] == [expected]
