from __future__ import annotations

import pytest

from dstutor.errors import CommandError
from dstutor.model.selectors import (
    LabelSelector,
    Requirement,
    format_label_selector,
    node_selector_requirement_matches,
    node_selector_term_matches,
    parse_selector,
    pod_matches_node_affinity,
    selector_from_dict,
)

KEY_REGEX_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
    "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
VALUE_REGEX_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
    "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
    "'my_value',  or '12345', regex used for validation is "
    "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("", ""),
        ("   ", ""),
        ("app=fluentd", "app=fluentd"),
        ("app==fluentd", "app==fluentd"),
        ("app!=fluentd", "app!=fluentd"),
        ("app", "app"),
        ("!app", "!app"),
        ("app in (b,a)", "app in (a,b)"),
        ("app notin (x)", "app notin (x)"),
        ("app in ()", "app in ()"),
        ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
        ("app in (a,)", "app in (,a)"),
        ("k>5", "k>5"),
        ("k<3", "k<3"),
        ("  a  =  b  ,  c  ", "a=b,c"),
        ("a=", "a="),
        ("a=,b", "a=,b"),
        ("z=1,a=2", "a=2,z=1"),
        ("in in (in)", "in in (in)"),
        ("notin=in", "notin=in"),
        ("app=fluentd,pod-template-generation in (1,2),!foo",
         "app=fluentd,!foo,pod-template-generation in (1,2)"),
        ("example.com/role=web", "example.com/role=web"),
        ("a\tin\t(b)", "a in (b)"),
        ("a!=", "a!="),
    ],
)
def test_parse_good(text: str, canonical: str) -> None:
    assert str(parse_selector(text)) == canonical


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("app in fluentd", "unable to parse requirement: found 'fluentd' expected: '('"),
        ("app fluentd",
         "unable to parse requirement: found 'fluentd', expected: in, notin, =, ==, !=, gt, lt"),
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("a,", "found '', expected: identifier after ','"),
        ("a,,b", "found ',', expected: identifier after ','"),
        ("=a", "found '=', expected: !, identifier, or 'end of string'"),
        (",", "found ',', expected: !, identifier, or 'end of string'"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("a!b", "unable to parse requirement: found '!', expected: in, notin, =, ==, !=, gt, lt"),
        ("x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
        ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
        ("x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
        ("x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
        ("a>=5", "unable to parse requirement: found '=', expected: identifier"),
        ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        ("app:monolith",
         f'unable to parse requirement: <nil>: Invalid value: "app:monolith": {KEY_REGEX_MSG}'),
        ("-a=b", f'unable to parse requirement: <nil>: Invalid value: "-a": {KEY_REGEX_MSG}'),
        ("k>abc",
         "unable to parse requirement: values[0]: Invalid value: \"abc\": "
         "for 'Gt', 'Lt' operators, the value must be an integer"),
        ("a=b$", f'unable to parse requirement: values[0][a]: Invalid value: "b$": {VALUE_REGEX_MSG}'),
        ("a=" + "x" * 64,
         f'unable to parse requirement: values[0][a]: Invalid value: "{"x" * 64}": '
         "must be no more than 63 bytes"),
        ("/a=b", 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'),
    ],
)
def test_parse_bad(text: str, message: str) -> None:
    with pytest.raises(CommandError) as info:
        parse_selector(text)
    assert str(info.value) == message


def test_parse_bad_three_part_key_message() -> None:
    with pytest.raises(CommandError) as info:
        parse_selector("a/b/c=d")
    assert str(info.value).startswith(
        "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a valid label key must consist"
    )
    assert str(info.value).endswith("with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ("app=web", {"app": "web"}, True),
        ("app=web", {"app": "db"}, False),
        ("app=web", {}, False),
        ("app=web", None, False),
        ("app!=web", {}, True),
        ("app!=web", {"app": "web"}, False),
        ("app!=web", {"app": "db"}, True),
        ("app in (a,b)", {"app": "b"}, True),
        ("app in (a,b)", {"app": "c"}, False),
        ("app in (a,b)", {}, False),
        ("app notin (a,b)", {}, True),
        ("app notin (a,b)", {"app": "a"}, False),
        ("app", {"app": ""}, True),
        ("app", {"other": "x"}, False),
        ("!app", {"other": "x"}, True),
        ("!app", {"app": "x"}, False),
        ("a=", {"a": ""}, True),
        ("a in ()", {"a": ""}, True),
        ("n>5", {"n": "6"}, True),
        ("n>5", {"n": "5"}, False),
        ("n<5", {"n": "-1"}, True),
        ("n>5", {"n": "six"}, False),
        ("n>5", {}, False),
        ("a=1,b=2", {"a": "1", "b": "2", "c": "3"}, True),
        ("a=1,b=2", {"a": "1"}, False),
        ("", {"anything": "x"}, True),
        ("", None, True),
    ],
)
def test_matching(text: str, labels: dict[str, str] | None, expected: bool) -> None:
    assert parse_selector(text).matches(labels) is expected


def test_empty_and_nothing() -> None:
    assert parse_selector("").is_empty()
    assert not parse_selector("a").is_empty()
    everything = selector_from_dict({})
    assert everything.is_empty() and everything.matches({"x": "y"})
    nothing = selector_from_dict(None)
    assert not nothing.is_empty()
    assert not nothing.matches({}) and not nothing.matches({"x": "y"})
    assert str(nothing) == ""


def test_requirement_str_single_value_not_sorted() -> None:
    assert str(Requirement("k", "in", ("b",))) == "k in (b)"
    assert str(LabelSelector((Requirement("k", "notin", ("b", "a")),))) == "k notin (a,b)"


@pytest.mark.parametrize(
    ("sel", "text"),
    [
        (None, "<none>"),
        ({}, "<none>"),
        ({"matchLabels": {}}, "<none>"),
        ({"matchLabels": {"app": "fluentd"}}, "app=fluentd"),
        ({"matchLabels": {"z": "1", "a": "2"}}, "a=2,z=1"),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["b", "a"]}]},
         "tier in (a,b)"),
        ({"matchLabels": {"app": "x"},
          "matchExpressions": [{"key": "env", "operator": "NotIn", "values": ["dev"]},
                               {"key": "gpu", "operator": "Exists"},
                               {"key": "old", "operator": "DoesNotExist"}]},
         "app=x,env notin (dev),gpu,!old"),
        ({"matchExpressions": [{"key": "a", "operator": "Bogus"}]}, "<error>"),
    ],
)
def test_format_label_selector(sel: dict | None, text: str) -> None:
    assert format_label_selector(sel) == text


def test_selector_from_dict_matching() -> None:
    sel = selector_from_dict(
        {"matchLabels": {"app": "x"}, "matchExpressions": [{"key": "env", "operator": "In", "values": ["a"]}]}
    )
    assert sel.matches({"app": "x", "env": "a"})
    assert not sel.matches({"app": "x", "env": "b"})
    assert not sel.matches({"app": "x"})


def test_selector_from_dict_bad_operator() -> None:
    with pytest.raises(CommandError, match='"Bogus" is not a valid label selector operator'):
        selector_from_dict({"matchExpressions": [{"key": "a", "operator": "Bogus"}]})


def _node(name: str = "n1", **labels: str) -> dict:
    return {"metadata": {"name": name, "labels": labels}}


@pytest.mark.parametrize(
    ("req", "labels", "expected"),
    [
        ({"key": "disk", "operator": "In", "values": ["ssd"]}, {"disk": "ssd"}, True),
        ({"key": "disk", "operator": "In", "values": ["ssd"]}, {}, False),
        ({"key": "disk", "operator": "NotIn", "values": ["ssd"]}, {}, True),
        ({"key": "disk", "operator": "Exists"}, {"disk": ""}, True),
        ({"key": "disk", "operator": "DoesNotExist"}, {"disk": ""}, False),
        ({"key": "cores", "operator": "Gt", "values": ["4"]}, {"cores": "8"}, True),
        ({"key": "cores", "operator": "Lt", "values": ["4"]}, {"cores": "8"}, False),
        ({"key": "cores", "operator": "Gt", "values": ["four"]}, {"cores": "8"}, False),
        ({"key": "cores", "operator": "Gt", "values": ["1", "2"]}, {"cores": "8"}, False),
        ({"key": "disk", "operator": "In", "values": []}, {"disk": ""}, False),
        ({"key": "disk", "operator": "Exists", "values": ["x"]}, {"disk": "x"}, False),
        ({"key": "disk", "operator": "Equals", "values": ["x"]}, {"disk": "x"}, False),
        ({"key": "bad key", "operator": "Exists"}, {"bad key": "x"}, False),
    ],
)
def test_node_selector_requirement(req: dict, labels: dict, expected: bool) -> None:
    assert node_selector_requirement_matches(req, labels) is expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ({}, False),
        (None, False),
        ({"matchExpressions": [], "matchFields": []}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}, True),
        ({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]},
                               {"key": "gpu", "operator": "Exists"}]}, False),
        ({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}, True),
        ({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n2"]}]}, False),
        ({"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["n2"]}]}, True),
        ({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1", "n2"]}]}, False),
        ({"matchFields": [{"key": "metadata.uid", "operator": "In", "values": ["n1"]}]}, False),
        ({"matchFields": [{"key": "metadata.name", "operator": "Exists", "values": ["n1"]}]}, False),
        ({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}],
          "matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}, True),
    ],
)
def test_node_selector_term(term: dict | None, expected: bool) -> None:
    assert node_selector_term_matches(term, _node("n1", zone="a")) is expected


def _affinity(*terms: dict) -> dict:
    return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}}}


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, True),
        ({"nodeSelector": {"zone": "a"}}, True),
        ({"nodeSelector": {"zone": "b"}}, False),
        ({"nodeSelector": {"zone": "a", "gpu": "yes"}}, False),
        ({"affinity": _affinity()}, False),
        ({"affinity": _affinity({"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]},
                                {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]})},
         True),
        ({"affinity": _affinity({"matchExpressions": [{"key": "zone", "operator": "Bogus"}]},
                                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]})},
         True),
        ({"nodeSelector": {"zone": "b"},
          "affinity": _affinity({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]})},
         False),
        ({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "preference": {"matchExpressions": [{"key": "x", "operator": "Exists"}]}}]}}}, True),
        ({"affinity": _affinity({})}, False),
    ],
)
def test_pod_matches_node_affinity(spec: dict, expected: bool) -> None:
    assert pod_matches_node_affinity(spec, _node("n1", zone="a")) is expected
