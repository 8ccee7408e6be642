"""The API server's name alphabet and the hash controllers put into names.

Upstream keeps these in apimachinery (`util/rand`: the alphanums, SafeEncodeString) and
`hash/fnv`; they sit in the model so that both the controllers (ControllerRevision and
ReplicaSet hashes) and the simulator's name generator use one definition.
"""

from __future__ import annotations

# The API server's alphabet for generateName suffixes and safe-encoded hashes: no vowels,
# no confusable digits.
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def safe_encode(text: str) -> str:
    """rand.SafeEncodeString: map each byte onto the name alphabet (used for hashes)."""
    return "".join(NAME_ALPHABET[ord(c) % len(NAME_ALPHABET)] for c in text)


def fnv32a(data: bytes) -> int:
    """hash/fnv's 32-bit FNV-1a, the hash upstream's controller.ComputeHash uses."""
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h
