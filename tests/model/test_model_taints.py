from __future__ import annotations

import pytest

from dstutor.errors import CommandError
from dstutor.model.taints import (
    find_matching_untolerated_taint,
    parse_taint_args,
    taint_to_string,
    toleration_tolerates_taint,
)

GPU = {"key": "gpu", "value": "true", "effect": "NoSchedule"}

QNAME_MSG = (
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
    "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)


@pytest.mark.parametrize(
    ("toleration", "taint", "expected"),
    [
        ({"operator": "Exists"}, GPU, True),
        ({"key": "gpu", "operator": "Exists"}, GPU, True),
        ({"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}, GPU, True),
        ({"key": "gpu", "operator": "Exists", "effect": "NoExecute"}, GPU, False),
        ({"key": "other", "operator": "Exists"}, GPU, False),
        ({"key": "gpu", "operator": "Equal", "value": "true"}, GPU, True),
        ({"key": "gpu", "value": "true"}, GPU, True),
        ({"key": "gpu", "operator": "Equal", "value": "false"}, GPU, False),
        ({"key": "gpu", "operator": "Equal"}, GPU, False),
        ({"key": "gpu", "operator": "Equal"}, {"key": "gpu", "effect": "NoSchedule"}, True),
        ({"key": "gpu", "operator": "Equal", "value": "true", "effect": "NoSchedule"}, GPU, True),
        ({"key": "gpu", "operator": "Equal", "value": "true", "effect": "PreferNoSchedule"}, GPU, False),
        ({"effect": "NoSchedule", "operator": "Exists"}, GPU, True),
        ({"effect": "NoExecute", "operator": "Exists"}, GPU, False),
        ({"key": "gpu", "operator": "Lt", "value": "true"}, GPU, False),
        ({"key": "gpu", "operator": "Exists", "tolerationSeconds": 30},
         {"key": "gpu", "effect": "NoExecute"}, True),
    ],
)
def test_toleration_truth_table(toleration: dict, taint: dict, expected: bool) -> None:
    assert toleration_tolerates_taint(toleration, taint) is expected


def test_find_matching_untolerated_taint() -> None:
    taints = [
        {"key": "soft", "effect": "PreferNoSchedule"},
        {"key": "a", "effect": "NoSchedule"},
        {"key": "b", "effect": "NoExecute"},
    ]
    both = ("NoSchedule", "NoExecute")
    assert find_matching_untolerated_taint(taints, [], both) == taints[1]
    assert find_matching_untolerated_taint(taints, [{"key": "a", "operator": "Exists"}], both) == taints[2]
    assert find_matching_untolerated_taint(taints, [], ("NoExecute",)) == taints[2]
    assert find_matching_untolerated_taint(taints, [{"operator": "Exists"}], both) is None
    assert find_matching_untolerated_taint(None, None, both) is None
    assert find_matching_untolerated_taint([taints[0]], [], both) is None


@pytest.mark.parametrize(
    ("taint", "text"),
    [
        ({"key": "k", "value": "v", "effect": "NoSchedule"}, "k=v:NoSchedule"),
        ({"key": "k", "effect": "NoExecute"}, "k:NoExecute"),
        ({"key": "k", "value": "", "effect": "NoExecute"}, "k:NoExecute"),
        ({"key": "k"}, "k"),
        ({"key": "k", "value": "v"}, "k=v:"),
    ],
)
def test_taint_to_string(taint: dict, text: str) -> None:
    assert taint_to_string(taint) == text


@pytest.mark.parametrize(
    ("args", "add", "remove"),
    [
        (["dedicated=logging:NoSchedule"], [{"key": "dedicated", "value": "logging", "effect": "NoSchedule"}], []),
        (["gpu:NoExecute"], [{"key": "gpu", "effect": "NoExecute"}], []),
        (["example.com/x=y:PreferNoSchedule"],
         [{"key": "example.com/x", "value": "y", "effect": "PreferNoSchedule"}], []),
        (["gpu:NoExecute-"], [], [{"key": "gpu", "effect": "NoExecute"}]),
        (["gpu-"], [], [{"key": "gpu"}]),
        (["gpu=true:NoSchedule-"], [], [{"key": "gpu", "effect": "NoSchedule"}]),
        (["a=1:NoSchedule", "b-"], [{"key": "a", "value": "1", "effect": "NoSchedule"}], [{"key": "b"}]),
        (["a:NoSchedule", "a:NoExecute"],
         [{"key": "a", "effect": "NoSchedule"}, {"key": "a", "effect": "NoExecute"}], []),
        (["a=:NoSchedule"], [{"key": "a", "effect": "NoSchedule"}], []),
        ([], [], []),
    ],
)
def test_parse_taint_args_good(args: list[str], add: list[dict], remove: list[dict]) -> None:
    assert parse_taint_args(args) == (add, remove)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["foo=bar"], f"invalid taint spec: foo=bar, {QNAME_MSG}"),
        (["foo"], "invalid taint spec: foo"),
        (["foo:Bogus"], "invalid taint effect: Bogus, unsupported taint effect"),
        (["foo=bar:Bogus"], "invalid taint effect: Bogus, unsupported taint effect"),
        (["foo:Bogus-"], "invalid taint effect: Bogus, unsupported taint effect"),
        (["foo:"], "invalid taint effect: , unsupported taint effect"),
        (["a:b:c"], "invalid taint spec: a:b:c"),
        (["a=b=c:NoSchedule"], "invalid taint spec: a=b=c:NoSchedule"),
        (["a=b c:NoSchedule"],
         "invalid taint spec: a=b c:NoSchedule, a valid label must be an empty string or consist of "
         "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
         "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
         "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
        (["-bad:NoSchedule"], f"invalid taint spec: -bad:NoSchedule, {QNAME_MSG}"),
        (["a=1:NoSchedule", "a=2:NoSchedule"],
         "duplicated taints with the same key and effect: {a 2 NoSchedule <nil>}"),
        (["a:NoSchedule", "a:NoSchedule"],
         "duplicated taints with the same key and effect: {a  NoSchedule <nil>}"),
        (["-"], f"invalid taint spec: , name part must be non-empty; {QNAME_MSG}"),
    ],
)
def test_parse_taint_args_bad(args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as info:
        parse_taint_args(args)
    assert str(info.value) == message
