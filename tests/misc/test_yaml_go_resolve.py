"""yamlio types plain scalars and map keys as kubectl's YAML reader (sigs.k8s.io/yaml's
go-yaml v2) does. Every expected value below is what the kubectl 1.37.1 binary printed for
`kubectl label --local -f FILE a=b -o json` (numbers as kubectl's JSON writes them)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from dstutor import yamlio
from dstutor.errors import YamlError
from dstutor.model.decode import number_literal
from dstutor.model.yamltraps import trap_hint


def _json(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value)
    return number_literal(value)


ORACLE = [
    # booleans and nulls: only these spellings
    ("y", "true"), ("Y", "true"), ("yes", "true"), ("Yes", "true"), ("YES", "true"),
    ("on", "true"), ("On", "true"), ("ON", "true"), ("True", "true"), ("TRUE", "true"),
    ("n", "false"), ("N", "false"), ("no", "false"), ("NO", "false"), ("off", "false"),
    ("Off", "false"), ("yEs", '"yEs"'), ("oN", '"oN"'), ("tRUE", '"tRUE"'),
    ("~", "null"), ("Null", "null"), ("NULL", "null"),
    # integers: Go's ParseInt with base prefixes, underscores removed
    ("0o17", "15"), ("0O17", "15"), ("017", "15"), ("0x1F", "31"), ("0X1f", "31"),
    ("+0x1F", "31"), ("-0x1F", "-31"), ("-0o17", "-15"), ("0B11", "3"), ("0b_1", "1"),
    ("1_000", "1000"), ("1__0", "10"), ("0_7", "7"), ("-_1", "-1"), ("+12", "12"),
    ("-0", "0"), ("+0", "0"), ("18446744073709551615", "18446744073709551615"),
    # floats: an exponent needs no dot, sign optional
    ("1e3", "1000"), ("1E3", "1000"), ("1e+3", "1000"), ("1.e3", "1000"), ("12e2_", "1200"),
    ("1.5E+3", "1500"), ("1.5e-3", "0.0015"), ("-.5e-3", "-0.0005"), ("+.5", "0.5"),
    (".5e3", "500"), (".5E+3", "500"), (".5_0", "0.5"), ("1_0.5", "10.5"), ("1.5_0", "1.5"),
    ("01.5", "1.5"), ("0008", "8"), ("09.5", "9.5"), ("9.", "9"), ("1.0", "1"), ("0.0", "0"),
    ("-.0", "0"), ("1e-7", "1e-7"), ("0.1", "0.1"), ("1e+21", "1e+21"),
    ("100000000000000000000000", "1e+23"), ("1e-400", "0"), ("4.9e-324", "5e-324"),
    # strings: everything else, timestamps and sexagesimals included
    ("1.5e", '"1.5e"'), ("1.5.5", '"1.5.5"'), ("-1e400", '"-1e400"'), ("2e308", '"2e308"'),
    ("+-1", '"+-1"'), (".e3", '".e3"'), (".", '"."'), ("+", '"+"'), ("0x", '"0x"'),
    ("0o", '"0o"'), ("1e", '"1e"'), ("0o8", '"0o8"'), ("0x-1", '"0x-1"'), ("0x1p3", '"0x1p3"'),
    (".iNf", '".iNf"'), ("1:30", '"1:30"'), ("12:30", '"12:30"'), ("=", '"="'), ("_1", '"_1"'),
    ("2001-12-14", '"2001-12-14"'), ("2001-1-2", '"2001-1-2"'),
    ("2001-12-14T21:59:43Z", '"2001-12-14T21:59:43Z"'),
    ("2001-12-14 21:59:43.10 -5", '"2001-12-14 21:59:43.10 -5"'),
    ("inf", '"inf"'), ("Infinity", '"Infinity"'), ("nan", '"nan"'), ("NaN", '"NaN"'),
]


@pytest.mark.parametrize(("written", "sent"), ORACLE)
def test_plain_scalars_resolve_as_kubectl_reads_them(written: str, sent: str) -> None:
    value = yamlio.load_one(f"v: {written}\n", "t")["v"]
    assert _json(value) == sent


@pytest.mark.parametrize("written", ["'y'", '"0x1F"', "'1e3'", '"2001-12-14"', "'~'"])
def test_quoted_scalars_are_strings(written: str) -> None:
    assert yamlio.load_one(f"v: {written}\n", "t")["v"] == written[1:-1]


@pytest.mark.parametrize(("written", "value"), [
    (".inf", math.inf), ("+.Inf", math.inf), ("-.INF", -math.inf)])
def test_infinities(written: str, value: float) -> None:
    assert yamlio.load_one(f"v: {written}\n", "t")["v"] == value


def test_nan() -> None:
    assert math.isnan(yamlio.load_one("v: .NaN\n", "t")["v"])


@pytest.mark.parametrize(("key", "json_key"), [
    ("1", "1"), ("true", "true"), ("y", "true"), ("Off", "false"), ("1.5", "1.5"),
    ("0x10", "16"), ("2001-12-14", "2001-12-14"), ("1e3", "1000"), ("0.1", "0.1"),
    ("1e21", "1e+21"), ("-1", "-1"), ("3.14159265358979", "3.1415927"),
    ("123456789.0", "1.2345679e+08"), ("'1'", "1"), ("abc", "abc"),
])
def test_map_keys_become_json_keys(key: str, json_key: str) -> None:
    assert list(yamlio.load_one(f"{key}: v\n", "t")) == [json_key]


@pytest.mark.parametrize(("text", "message"), [
    ("~: d\n", 'unsupported map key of type: %!s(<nil>), key: <nil>, value: "d"'),
    ("~: {a: 1}\n", "unsupported map key of type: %!s(<nil>), key: <nil>, value: "
                    'map[interface {}]interface {}{"a":1}'),
    ("18446744073709551615: o\n", "unsupported map key of type: uint64, key: "
                                  '0xffffffffffffffff, value: "o"'),
    ("[a]: 1\n", 'yaml: invalid map key: []interface {}{"a"}'),
])
def test_keys_json_cannot_hold_are_refused_with_kubectls_words(text: str, message: str) -> None:
    with pytest.raises(YamlError) as info:
        yamlio.load_one(text, "k.yaml")
    assert str(info.value) == ("error: error parsing k.yaml: error converting YAML to JSON: "
                               + message)


def test_colliding_keys_keep_the_last() -> None:
    # kubectl keeps a random one (Go map order); dstutor the last, deterministically.
    assert yamlio.load_one("1: a\n'1': b\n", "t") == {"1": "b"}


def test_merge_keys_still_work() -> None:
    assert yamlio.load_one("a: &x {b: 1}\nc:\n  <<: *x\n  d: 2\n", "t")["c"] == {"b": 1, "d": 2}


def test_explicit_tags_use_the_same_rules() -> None:
    assert yamlio.load_one("v: !!int '0o17'\n", "t")["v"] == 15
    with pytest.raises(YamlError, match=r"cannot decode !!str `abc` as a !!int"):
        yamlio.load_one("v: !!int abc\n", "t")


@pytest.mark.parametrize(("written", "hint"), [
    ("y", 'YAML reads gpu: y as the boolean true; nodeSelector values are strings: '
          'write gpu: "y"'),
    ("n", 'YAML reads gpu: n as the boolean false; nodeSelector values are strings: '
          'write gpu: "n"'),
    ("1e3", 'YAML reads gpu: 1e3 as the number 1000; nodeSelector values are strings: '
            'write gpu: "1e3"'),
    ("0x1F", 'YAML reads gpu: 0x1F as the number 31; nodeSelector values are strings: '
             'write gpu: "0x1F"'),
    ("017", 'YAML reads gpu: 017 as the number 15; nodeSelector values are strings: '
            'write gpu: "017"'),
    ("1_000", 'YAML reads gpu: 1_000 as the number 1000; nodeSelector values are strings: '
              'write gpu: "1_000"'),
    ("2", 'YAML reads gpu: 2 as a number; nodeSelector values are strings: write gpu: "2"'),
])
def test_tutor_line_names_the_yaml_trap(written: str, hint: str) -> None:
    text = f"nodeSelector:\n  gpu: {written}\n"
    value = yamlio.load_one(text, "t")["nodeSelector"]["gpu"]
    where = ("spec", "template", "spec", "nodeSelector", "gpu")
    assert trap_hint(where, value, "string", text) == hint


@pytest.mark.parametrize("written", ["12:30", "2001-12-14", "yEs", "0o8"])
def test_no_trap_for_what_kubectl_reads_as_a_string(written: str) -> None:
    assert isinstance(yamlio.load_one(f"v: {written}\n", "t")["v"], str)
