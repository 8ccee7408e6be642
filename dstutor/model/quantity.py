"""resource.Quantity ("100m", "128Mi", "1e3"): exact values, sums and the canonical String().

One implementation for the whole program: the API server's decoding and validation, the
scheduler's fits, `kubectl top`, `why`, and describe's sums and spellings. Values are
exact (a Fraction, as the server's inf.Dec is exact), so 100m + 200m is 300m and never
0.30000000000000004; below a nano they round up, as ParseQuantity does.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache

from dstutor.errors import CommandError

__all__ = ["QUANTITY_FORMAT_ERROR", "Quantity", "canonical", "parse_quantity",
           "parse_quantity_or_none", "quantity_or_zero"]

_SPLIT_RE_TEXT = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_SPLIT_RE = re.compile(r"([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)")
_NUMBER_RE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)")
_EXPONENT_RE = re.compile(r"[eE][-+]?[0-9]+")

QUANTITY_FORMAT_ERROR = f"quantities must match the regular expression '{_SPLIT_RE_TEXT}'"
_NUMERIC_ERROR = "unable to parse numeric part of quantity"
_SUFFIX_ERROR = "unable to parse quantity's suffix"

_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15,
            "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_BINARY_SUFFIX = {v: k for k, v in _BINARY.items()}
_NANO = Fraction(1, 10**9)
# The server keeps any int32 exponent exactly ("1e400" cores is valid and fits no node).
# A Fraction of 10**999999999 would take minutes to build, so an exponent past this one
# counts as this one: still far beyond any node, and still below any nano when negative.
_MAX_EXPONENT = 4000


@dataclass(frozen=True)
class Quantity:
    value: Fraction = Fraction(0)
    fmt: str = "DecimalSI"  # or "BinarySI", "DecimalExponent"

    def __add__(self, other: Quantity) -> Quantity:
        # Quantity.Add keeps the receiver's format; a zero receiver adopts the other's.
        fmt = self.fmt if self.value != 0 or other.value == 0 else other.fmt
        return Quantity(self.value + other.value, fmt)

    def milli_value(self) -> int:
        """MilliValue(): thousandths, rounded up (the scheduler's MilliCPU)."""
        return math.ceil(self.value * 1000)

    def int_value(self) -> int:
        """Value(): whole units, rounded up (bytes of memory, a number of pods)."""
        return math.ceil(self.value)

    def __float__(self) -> float:
        """The nearest float; past a float's range, infinity with the value's sign."""
        try:
            return float(self.value)
        except OverflowError:
            return math.inf if self.value > 0 else -math.inf

    def __str__(self) -> str:
        return canonical(self)


def parse_quantity(value: str | int | float) -> Quantity:
    """resource.ParseQuantity; CommandError with its message on bad input.

    A number (from YAML) is read as the text JSON would carry for it.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CommandError(QUANTITY_FORMAT_ERROR)
    found = _parse(value if isinstance(value, str) else str(value))
    if isinstance(found, str):
        raise CommandError(found)
    return found


def parse_quantity_or_none(text: str) -> Quantity | None:
    """ParseQuantity, or None where it returns an error (--sort-by compares strings then)."""
    found = _parse(text)
    return None if isinstance(found, str) else found


def quantity_or_zero(value: object) -> Quantity:
    """ParseQuantity for describe: what does not parse counts as zero (it never fails)."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return Quantity()
    found = _parse(str(value))
    return Quantity() if isinstance(found, str) else found


# The scheduler and top read the same few quantities (allocatable "110" pods, "4" cpu)
# again and again; a Quantity is immutable, so one parse serves them all.
@lru_cache(maxsize=4096)
def _parse(text: str) -> Quantity | str:
    """The quantity in `text`, or the sentence ParseQuantity's error says."""
    match = _SPLIT_RE.fullmatch(text)
    if not match:
        return QUANTITY_FORMAT_ERROR
    number, suffix = match.groups()
    if not _NUMBER_RE.fullmatch(number):
        return _NUMERIC_ERROR
    try:
        amount = Fraction(Decimal(number))
    except InvalidOperation:
        return _NUMERIC_ERROR
    if suffix in _DECIMAL:
        value, fmt = amount * Fraction(10) ** _DECIMAL[suffix], "DecimalSI"
    elif suffix in _BINARY:
        value, fmt = amount * 2 ** _BINARY[suffix], "BinarySI"
    elif _EXPONENT_RE.fullmatch(suffix):
        exponent = max(-_MAX_EXPONENT, min(int(suffix[1:]), _MAX_EXPONENT))
        value, fmt = amount * Fraction(10) ** exponent, "DecimalExponent"
    else:
        return _SUFFIX_ERROR
    # Precision below a nano is rounded up, as the API server does.
    if (value / _NANO).denominator != 1:
        value = Fraction(math.ceil(value / _NANO)) * _NANO
    return Quantity(value, fmt)


def canonical(q: Quantity) -> str:
    """Quantity.String(): the API server's canonical spelling, e.g. 100m, 1536Mi, 2k."""
    if q.value == 0:
        return "0"
    fmt = q.fmt
    if fmt == "BinarySI" and (-1024 < q.value < 1024 or q.value.denominator != 1):
        fmt = "DecimalSI"
    if fmt == "BinarySI":
        amount, exponent = int(q.value), 0
        while amount % 1024 == 0 and exponent < 60:
            amount //= 1024
            exponent += 10
        return f"{amount}{_BINARY_SUFFIX.get(exponent, '')}"
    # Write value as mantissa * 10**exponent with an integer mantissa, then move the
    # exponent down to a multiple of three.
    exponent = 0
    value = q.value
    while value.denominator != 1:
        value *= 10
        exponent -= 1
    mantissa = int(value)
    while mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    shift = exponent % 3
    mantissa *= 10**shift
    exponent -= shift
    if fmt == "DecimalExponent":
        return f"{mantissa}" + (f"e{exponent}" if exponent else "")
    return f"{mantissa}{_DECIMAL_SUFFIX.get(exponent, '')}"
