"""The one resource.Quantity (model/quantity.py), exact, for the simulator and for describe.

It replaces a float parser (the API server's decoding, the scheduler, top, why) and an
exact one (describe, --sort-by). Where the two agreed, the values here are the ones both
gave; where they did not (float rounding, below a nano), the server's rule decides.
"""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from dstutor.controller.scheduler import filter_node_room, pod_requests, resource_amount
from dstutor.errors import CommandError
from dstutor.model.quantity import (
    QUANTITY_FORMAT_ERROR,
    Quantity,
    parse_quantity,
    parse_quantity_or_none,
    quantity_or_zero,
)

# text -> (the value both old parsers gave, canonical String(), its format)
AGREED = [
    ("100m", Fraction(1, 10), "100m", "DecimalSI"),
    ("0.5", Fraction(1, 2), "500m", "DecimalSI"),
    ("1.5", Fraction(3, 2), "1500m", "DecimalSI"),
    ("2", Fraction(2), "2", "DecimalSI"),
    ("1000", Fraction(1000), "1k", "DecimalSI"),
    ("500M", Fraction(5 * 10**8), "500M", "DecimalSI"),
    ("2k", Fraction(2000), "2k", "DecimalSI"),
    ("+1", Fraction(1), "1", "DecimalSI"),
    ("-1", Fraction(-1), "-1", "DecimalSI"),
    (".5", Fraction(1, 2), "500m", "DecimalSI"),
    ("128Mi", Fraction(128 * 2**20), "128Mi", "BinarySI"),
    ("1Gi", Fraction(2**30), "1Gi", "BinarySI"),
    ("1.5Gi", Fraction(3 * 2**29), "1536Mi", "BinarySI"),
    ("0.1Ki", Fraction(512, 5), "102400m", "BinarySI"),  # below 1Ki: written in decimal
    ("1e3", Fraction(1000), "1e3", "DecimalExponent"),
    ("1E3", Fraction(1000), "1e3", "DecimalExponent"),
    ("12e-3", Fraction(12, 1000), "12e-3", "DecimalExponent"),
    ("0", Fraction(0), "0", "DecimalSI"),
]


@pytest.mark.parametrize(("text", "value", "spelled", "fmt"), AGREED)
def test_quantity_values_and_spelling(text: str, value: Fraction, spelled: str,
                                      fmt: str) -> None:
    q = parse_quantity(text)
    assert q.value == value and q.fmt == fmt
    assert str(q) == spelled
    assert float(q) == float(value)
    assert parse_quantity_or_none(text) == q == quantity_or_zero(text)


@pytest.mark.parametrize(("value", "exact"), [(3, Fraction(3)), (0.25, Fraction(1, 4)),
                                              (0.1, Fraction(1, 10)), (1e-05, Fraction(1, 10**5))])
def test_numbers_from_yaml_read_as_their_text(value: float, exact: Fraction) -> None:
    assert parse_quantity(value).value == exact == quantity_or_zero(value).value


@pytest.mark.parametrize(("text", "message"), [
    ("abc", QUANTITY_FORMAT_ERROR),
    ("", QUANTITY_FORMAT_ERROR),
    (" 1", QUANTITY_FORMAT_ERROR),
    ("1K", "unable to parse quantity's suffix"),
    ("1Mii", "unable to parse quantity's suffix"),
    ("1e", "unable to parse quantity's suffix"),
    ("1.2.3", "unable to parse numeric part of quantity"),
    (".", "unable to parse numeric part of quantity"),
])
def test_bad_quantities_raise_or_count_as_nothing(text: str, message: str) -> None:
    with pytest.raises(CommandError) as info:
        parse_quantity(text)
    assert str(info.value) == message
    assert parse_quantity_or_none(text) is None
    assert quantity_or_zero(text) == Quantity()


@pytest.mark.parametrize("value", [True, None, [], {}, float("inf"), float("nan")])
def test_values_that_are_not_quantities(value: object) -> None:
    with pytest.raises(CommandError, match="quantities must match"):
        parse_quantity(value)  # type: ignore[arg-type]
    assert quantity_or_zero(value) == Quantity()


def test_below_a_nano_rounds_up_as_the_server_does() -> None:
    assert parse_quantity("1e-400").value == Fraction(1, 10**9)
    assert str(parse_quantity("0.1n")) == "1n"
    assert parse_quantity("0e400").value == 0


def test_sums_are_exact() -> None:
    total = Quantity()
    for text in ("100m", "200m"):
        total = total + parse_quantity(text)
    assert str(total) == "300m" and total.milli_value() == 300
    assert 0.1 + 0.2 != 0.3  # what the float parser summed


def test_milli_and_whole_values_round_up() -> None:
    assert parse_quantity("0.5m").milli_value() == 1
    assert parse_quantity("100m").int_value() == 1
    assert parse_quantity("1Ki").int_value() == 1024


def test_a_huge_exponent_is_huge_and_quick() -> None:
    start = time.monotonic()
    q = parse_quantity("1e999999999")
    assert time.monotonic() - start < 2
    assert float(q) == float("inf") and float(parse_quantity("-1e400")) == float("-inf")
    assert str(parse_quantity("1e400")) == "10e399"  # String() keeps exponents a multiple of 3


def _pod(cpu: str) -> dict:
    return {"spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]},
            "status": {"phase": "Running"}}


def test_the_scheduler_counts_in_millicores_without_float_error() -> None:
    node = {"status": {"allocatable": {"cpu": "1", "memory": "1Gi", "pods": "110"}}}
    placed = [_pod("0.1"), _pod("0.2")]
    # 0.1 + 0.2 + 0.7 is 1.0000000000000002 in floats: the float parser said Insufficient
    assert filter_node_room(_pod("0.7"), node, placed) == []
    assert filter_node_room(_pod("0.701"), node, placed) == ["Insufficient cpu"]
    assert pod_requests(_pod("250m")) == {"cpu": 250, "memory": 0}
    assert resource_amount("memory", "1.5Ki") == 1536 and resource_amount("pods", "110") == 110


def test_a_huge_request_fits_no_node() -> None:
    node = {"status": {"allocatable": {"cpu": "64", "memory": "1Ti", "pods": "110"}}}
    assert filter_node_room(_pod("1e400"), node, []) == ["Insufficient cpu"]


@pytest.mark.parametrize("value", [True, [1], None, {}, "1x"])
def test_the_scheduler_refuses_what_is_not_a_quantity(value: object) -> None:
    with pytest.raises(CommandError):
        resource_amount("cpu", value)  # type: ignore[arg-type]
    assert resource_amount("cpu", 1) == 1000  # True above was not taken for 1
