"""Seeded generators for pod-name suffixes and uids, so every run is reproducible."""

from __future__ import annotations

import random

from dstutor.model.hashing import NAME_ALPHABET

__all__ = ["MAX_GENERATED_NAME_LENGTH", "NAME_ALPHABET", "RANDOM_LENGTH", "NameGenerator",
           "uid_text"]

MAX_GENERATED_NAME_LENGTH = 63
RANDOM_LENGTH = 5
_ALPHABET_SIZE = len(NAME_ALPHABET)
_ALPHABET_BITS = _ALPHABET_SIZE.bit_length()
# Each 5-bit draw's character, "" where the draw falls outside the alphabet (suffix).
_DRAWN = tuple(NAME_ALPHABET[r] if r < _ALPHABET_SIZE else ""
               for r in range(1 << _ALPHABET_BITS))
_MAX_BASE = MAX_GENERATED_NAME_LENGTH - RANDOM_LENGTH
assert _ALPHABET_BITS == 5 and RANDOM_LENGTH == 5  # (suffix is written out for these)


class NameGenerator:
    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)

    def suffix(self) -> str:
        # random.choice's draw, written out: getrandbits(5) until below 27. Names then
        # rest on getrandbits alone (stable across Python versions). Unrolled, each
        # draw looked up in _DRAWN ("" for a draw of 27 or more, drawn again): a pod
        # name costs half the bytecodes of the loop (tests/sim/test_sim_join7_fast_paths.py).
        getrandbits = self._rng.getrandbits
        a = _DRAWN[getrandbits(5)]
        while not a:
            a = _DRAWN[getrandbits(5)]
        b = _DRAWN[getrandbits(5)]
        while not b:
            b = _DRAWN[getrandbits(5)]
        c = _DRAWN[getrandbits(5)]
        while not c:
            c = _DRAWN[getrandbits(5)]
        d = _DRAWN[getrandbits(5)]
        while not d:
            d = _DRAWN[getrandbits(5)]
        e = _DRAWN[getrandbits(5)]
        while not e:
            e = _DRAWN[getrandbits(5)]
        return a + b + c + d + e

    def generate(self, base: str) -> str:
        """names.SimpleNameGenerator: truncate the base to 58 characters, append 5."""
        return base[:_MAX_BASE] + self.suffix()

    def uid(self) -> str:
        return uid_text(self._rng.getrandbits(128))

    def uid_bits(self) -> int:
        """The draw uid() makes, not yet written out: uid_text(bits) is that uid. An Event
        keeps its uid this way until read (sim/eventstore.py); the draw itself cannot wait,
        since names drawn later depend on it."""
        return self._rng.getrandbits(128)


# A version 4 UUID's fixed bits: the version nibble (hex digit 12, bits 76-79) becomes 4;
# the variant nibble (hex digit 16, bits 60-63) keeps its low two bits under the 10xx
# variant (8, 9, a or b). Set on the number, then written out at once (to_bytes().hex():
# a fifth faster than formatting the number and pasting the fixed digits in).
_UID_KEEP = ((1 << 128) - 1) & ~((0xF << 76) | (0x3 << 62))
_UID_SET = (0x4 << 76) | (0x2 << 62)


def uid_text(bits: int) -> str:
    """A random (version 4) UUID from 128 random bits, as uid() writes it."""
    h = ((bits & _UID_KEEP) | _UID_SET).to_bytes(16, "big").hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

