from __future__ import annotations

import pytest

from dstutor.model.names import (
    field_invalid,
    field_not_supported,
    field_required,
    regex_error,
    render_bad_value,
    validate_annotation_keys,
    validate_dns_label,
    validate_dns_subdomain,
    validate_label_key,
    validate_label_map,
    validate_label_value,
    validate_qualified_name,
)
from dstutor.model.quantity import QUANTITY_FORMAT_ERROR

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
    "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used "
    "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
    "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex "
    "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
NAME_PART_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


@pytest.mark.parametrize(
    ("name", "errors"),
    [
        ("fluentd", []),
        ("a.b-c.d", []),
        ("0abc", []),
        ("Fluentd", [SUBDOMAIN_MSG]),
        ("-abc", [SUBDOMAIN_MSG]),
        ("abc.", [SUBDOMAIN_MSG]),
        ("a_b", [SUBDOMAIN_MSG]),
        ("", [SUBDOMAIN_MSG]),
        ("a" * 253, []),
        ("a" * 254, ["must be no more than 253 bytes"]),
        ("A" * 254, ["must be no more than 253 bytes", SUBDOMAIN_MSG]),
    ],
)
def test_dns_subdomain(name: str, errors: list[str]) -> None:
    assert validate_dns_subdomain(name) == errors


@pytest.mark.parametrize(
    ("name", "errors"),
    [
        ("kube-system", []),
        ("a.b", ["must not contain dots"]),
        ("Kube", [LABEL_MSG]),
        ("a" * 63, []),
        ("a" * 64, ["must be no more than 63 bytes"]),
    ],
)
def test_dns_label(name: str, errors: list[str]) -> None:
    assert validate_dns_label(name) == errors


@pytest.mark.parametrize(
    ("key", "errors"),
    [
        ("app", []),
        ("App_Name.x", []),
        ("example.com/role", []),
        ("kubernetes.io/metadata.name", []),
        ("bad key", [NAME_PART_MSG]),
        ("-app", [NAME_PART_MSG]),
        ("/app", ["prefix part must be non-empty"]),
        ("example.com/", ["name part must be non-empty", NAME_PART_MSG]),
        ("Example.com/app", ["prefix part " + SUBDOMAIN_MSG]),
        ("a" * 64, ["name part must be no more than 63 bytes"]),
    ],
)
def test_label_key(key: str, errors: list[str]) -> None:
    assert validate_label_key(key) == errors
    assert validate_qualified_name(key) == errors


def test_label_key_with_two_slashes() -> None:
    (msg,) = validate_label_key("a/b/c")
    assert msg.startswith("a valid label key must consist of alphanumeric characters")
    assert msg.endswith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")


@pytest.mark.parametrize(
    ("value", "ok"),
    [("", True), ("v1", True), ("a.b_c-d", True), ("-a", False), ("a b", False), ("a" * 63, True),
     ("a" * 64, False)],
)
def test_label_value(value: str, ok: bool) -> None:
    assert (validate_label_value(value) == []) is ok


def test_label_value_too_long_message() -> None:
    assert validate_label_value("a" * 64) == ["must be no more than 63 bytes"]


def test_regex_error_examples_format() -> None:
    assert regex_error("m", "r") == "m (regex used for validation is 'r')"
    assert regex_error("m", "r", "a", "b") == "m (e.g. 'a',  or 'b', regex used for validation is 'r')"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "null"),
        (True, "true"),
        (3, "3"),
        (-1, "-1"),
        ("150%", '"150%"'),
        ('say "hi"', '"say \\"hi\\""'),
        ({"b": "2", "a": "1"}, '{"b":"2","a":"1"}'),
        ({}, "{}"),
        (["x", "y"], '["x","y"]'),
    ],
)
def test_render_bad_value(value: object, text: str) -> None:
    assert render_bad_value(value) == text


def test_render_bad_value_sorted_map() -> None:
    assert render_bad_value({"b": "2", "a": "1"}, sort_keys=True) == '{"a":"1","b":"2"}'


def test_field_error_builders() -> None:
    assert field_invalid("spec.x", 1, "bad") == "spec.x: Invalid value: 1: bad"
    assert field_required("spec.x") == "spec.x: Required value"
    assert field_required("spec.x", "why") == "spec.x: Required value: why"
    assert field_not_supported("p", "X", ["A", "B"]) == 'p: Unsupported value: "X": supported values: "A", "B"'


def test_label_and_annotation_maps() -> None:
    errs = validate_label_map({"ok": "fine", "bad key": "v", "k": "bad value"}, "metadata.labels")
    assert errs[0] == f'metadata.labels: Invalid value: "bad key": {NAME_PART_MSG}'
    assert errs[1].startswith('metadata.labels: Invalid value: "bad value": a valid label must be')
    assert len(errs) == 2
    assert validate_label_map(None, "x") == []
    assert validate_annotation_keys({"Example.COM/Note": "x"}, "metadata.annotations") == []
    assert validate_annotation_keys({"a b": "x"}, "metadata.annotations") == [
        f'metadata.annotations: Invalid value: "a b": {NAME_PART_MSG}'
    ]


def test_quantity_format_error_text() -> None:
    assert QUANTITY_FORMAT_ERROR == (
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )
