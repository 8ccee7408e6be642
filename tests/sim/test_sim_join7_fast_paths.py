"""Shortcuts of issue 19's seventh join round (join7) against the general paths they
stand for: the written-out name suffix draw, and the DaemonSet status write."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.model.hashing import NAME_ALPHABET
from dstutor.sim.namegen import NameGenerator


def _loop_suffix(rng: random.Random) -> str:
    """NameGenerator.suffix's loop before join7: getrandbits(5) until below 27, five
    times."""
    chars = []
    for _ in range(5):
        r = rng.getrandbits(5)
        while r >= len(NAME_ALPHABET):
            r = rng.getrandbits(5)
        chars.append(NAME_ALPHABET[r])
    return "".join(chars)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**64), st.lists(st.sampled_from(["suffix", "generate", "uid"]),
                                        min_size=1, max_size=60))
def test_the_written_out_suffix_draws_what_the_loop_drew(seed: int, calls: list[str]) -> None:
    """Names, generated names and uids in any order from one seed: the same strings as
    the loop's draw, and the generator's random state where the loop leaves it (a draw
    of 27 or more, drawn again, comes about once in six characters)."""
    names, reference = NameGenerator(seed), random.Random(seed)
    for call in calls:
        if call == "suffix":
            assert names.suffix() == _loop_suffix(reference)
        elif call == "generate":
            base = "x" * (seed % 70)
            assert names.generate(base) == base[:58] + _loop_suffix(reference)
        else:
            assert names.uid_bits() == reference.getrandbits(128)
    assert names._rng.getstate() == reference.getstate()
