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


class NameGenerator:
    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)

    def suffix(self) -> str:
        # random.choice's draw, written out: getrandbits(5) until below 27. Names then
        # rest on getrandbits alone (stable across Python versions), and a pod name
        # costs one call per character instead of three.
        getrandbits, chars = self._rng.getrandbits, []
        for _ in range(RANDOM_LENGTH):
            r = getrandbits(_ALPHABET_BITS)
            while r >= _ALPHABET_SIZE:
                r = getrandbits(_ALPHABET_BITS)
            chars.append(NAME_ALPHABET[r])
        return "".join(chars)

    def generate(self, base: str) -> str:
        """names.SimpleNameGenerator: truncate the base to 58 characters, append 5."""
        max_base = MAX_GENERATED_NAME_LENGTH - RANDOM_LENGTH
        return base[:max_base] + self.suffix()

    def uid(self) -> str:
        return uid_text(self._rng.getrandbits(128))

    def uid_bits(self) -> int:
        """The draw uid() makes, not yet written out: uid_text(bits) is that uid. An Event
        keeps its uid this way until read (sim/eventstore.py); the draw itself cannot wait,
        since names drawn later depend on it."""
        return self._rng.getrandbits(128)


def uid_text(bits: int) -> str:
    """A random (version 4) UUID from 128 random bits, as uid() writes it."""
    h = f"{bits:032x}"
    # The version nibble becomes 4; the variant nibble (hex digit 16, bits 60-63)
    # keeps its low two bits under the 10xx variant: 8, 9, a or b.
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[(bits >> 60) & 3]}{h[17:20]}-{h[20:32]}"

