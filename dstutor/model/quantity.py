"""Resource quantities ("100m", "128Mi", "1e3") as the API server reads them."""

from __future__ import annotations

import re
from functools import lru_cache

from dstutor.errors import CommandError

__all__ = ["QUANTITY_FORMAT_ERROR", "parse_quantity"]

_SPLIT_RE_TEXT = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_SPLIT_RE = re.compile(r"([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)")
_NUMBER_RE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)")
_EXPONENT_RE = re.compile(r"[eE][+-]?[0-9]+")

QUANTITY_FORMAT_ERROR = f"quantities must match the regular expression '{_SPLIT_RE_TEXT}'"
_NUMERIC_ERROR = "unable to parse numeric part of quantity"
_SUFFIX_ERROR = "unable to parse quantity's suffix"

_SUFFIXES: dict[str, float] = {
    "": 1.0,
    "n": 1e-9, "u": 1e-6, "m": 1e-3,
    "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
    "Ki": 2.0**10, "Mi": 2.0**20, "Gi": 2.0**30, "Ti": 2.0**40, "Pi": 2.0**50, "Ei": 2.0**60,
}


def parse_quantity(value: str | int | float) -> float:
    """Return the quantity as a plain number (cores for CPU, bytes for memory).

    Raises CommandError with resource.ParseQuantity's message on bad input.
    """
    if isinstance(value, bool):
        raise CommandError(QUANTITY_FORMAT_ERROR)
    if isinstance(value, int | float):
        return float(value)
    return _parse_text(value if isinstance(value, str) else "")


# The scheduler reads the same few quantities (allocatable "110" pods, "4" cpu) for every
# pod it places; a bad one raises, and lru_cache keeps no exceptions.
@lru_cache(maxsize=1024)
def _parse_text(text: str) -> float:
    match = _SPLIT_RE.fullmatch(text)
    if not match:
        raise CommandError(QUANTITY_FORMAT_ERROR)
    number, suffix = match.groups()
    if not _NUMBER_RE.fullmatch(number):
        raise CommandError(_NUMERIC_ERROR)
    if suffix in _SUFFIXES:
        scale = _SUFFIXES[suffix]
    elif _EXPONENT_RE.fullmatch(suffix):
        # The server keeps any int32 exponent exactly (inf.Dec): "1e400" cores is a valid
        # quantity that fits no node. A float holds up to ~1e308, so beyond it is +inf.
        exponent = int(suffix[1:])
        scale = 10.0 ** exponent if exponent <= 308 else (0.0 if float(number) == 0 else
                                                          float("inf"))
    else:
        raise CommandError(_SUFFIX_ERROR)
    return float(number) * scale
