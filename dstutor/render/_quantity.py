"""resource.Quantity for describe: exact values, sums, and the canonical String()."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

_QUANTITY = re.compile(r"([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)")
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15,
            "E": 18}
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX = {v: k for k, v in _DECIMAL.items()}
_BINARY_SUFFIX = {v: k for k, v in _BINARY.items()}
_NANO = Fraction(1, 10**9)


@dataclass(frozen=True)
class Quantity:
    value: Fraction = Fraction(0)
    fmt: str = "DecimalSI"  # or "BinarySI", "DecimalExponent"

    def __add__(self, other: Quantity) -> Quantity:
        # Quantity.Add keeps the receiver's format; a zero receiver adopts the other's.
        fmt = self.fmt if self.value != 0 or other.value == 0 else other.fmt
        return Quantity(self.value + other.value, fmt)

    def milli_value(self) -> int:
        return math.ceil(self.value * 1000)

    def int_value(self) -> int:
        return math.ceil(self.value)

    def __str__(self) -> str:
        return canonical(self)


def parse_quantity(text: object) -> Quantity:
    """ParseQuantity; values that do not parse count as zero (describe never fails on them)."""
    if isinstance(text, bool) or text is None:
        return Quantity()
    if isinstance(text, int | float):
        text = str(text)
    return parse_quantity_strict(str(text)) or Quantity()


def parse_quantity_strict(text: str) -> Quantity | None:
    """ParseQuantity, or None where it returns an error (--sort-by compares strings then)."""
    m = _QUANTITY.fullmatch(text)
    if not m:
        return None
    number, suffix = m.groups()
    try:
        amount = Fraction(Decimal(number))
    except InvalidOperation:
        return None
    if suffix in _DECIMAL:
        value, fmt = amount * Fraction(10) ** _DECIMAL[suffix], "DecimalSI"
    elif suffix in _BINARY:
        value, fmt = amount * 2 ** _BINARY[suffix], "BinarySI"
    elif re.fullmatch(r"[eE][-+]?[0-9]+", suffix):
        value, fmt = amount * Fraction(10) ** int(suffix[1:]), "DecimalExponent"
    else:
        return None
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
