"""JSONPath: expectations recorded from kubectl 1.37.1 (`label --local -o jsonpath`)."""

from __future__ import annotations

from typing import Any

import pytest

from dstutor.errors import CommandError
from dstutor.render.jsonpath import jsonpath

DATA: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "a", "labels": {"z": "1", "b": "2", "zz": "x"}},
    "things": [
        {"a": 1, "s": "str"},
        {"a": 2},
        {"a": 3, "s": "other", "t": True},
        {"a": 4, "s": None},
    ],
    "ints": [1, 2, 3],
    "m": {"k1": "v1", "k2": "v2"},
    "f": [2.5, 1000000.5, 0.0001, 1e21],
    "e": [],
    "html": "<a&b>",
    "n": None,
    "spec": {
        "containers": [
            {"name": "c1", "image": "i1", "ports": [{"containerPort": 80}]},
            {"name": "c2", "image": "i2"},
        ]
    },
    "status": {
        "addresses": [
            {"type": "InternalIP", "address": "10.0.0.1"},
            {"type": "Hostname", "address": "w1"},
        ]
    },
}

# (template, printed output or None, first line of the error or None)
CASES: list[tuple[str, str | None, str | None]] = [
    ("{.metadata.name}", "a", None),
    ("{.things[*].a}", "1 2 3 4", None),
    ("{.things[?(@.a>2)].a}", "3 4", None),
    ("{.things[?(@.s)].a}", "1 3 4", None),
    ("{.things[?(@.t==true)].a}", "3", None),
    (
        "{.things[?(@.a==1.0)].a}",
        None,
        'error: error executing jsonpath "{.things[?(@.a==1.0)].a}": Error executing template: incompatible types for comparison. Printing more information for debugging the template:',
    ),
    (
        '{.things[?(@.s=="str")].a}',
        None,
        'error: error executing jsonpath "{.things[?(@.s==\\"str\\")].a}": Error executing template: invalid type for comparison. Printing more information for debugging the template:',
    ),
    ("{.ints[?(@>1)]}", "2 3", None),
    ("{.ints[?(@!=2)]}", "1 3", None),
    ("{.ints[?(@<=2)]}", "1 2", None),
    (
        '{.m[?(@=="v1")]}',
        None,
        'error: error executing jsonpath "{.m[?(@==\\"v1\\")]}": Error executing template: map[k1:v1 k2:v2] is not array or slice and cannot be filtered. Printing more information for debugging the template:',
    ),
    ("{.ints[-1]}", "3", None),
    ("{.ints[-1:]}", "3", None),
    ("{.ints[0:2]}", "1 2", None),
    ("{.ints[::2]}", "1 3", None),
    (
        "{.ints[::0]}",
        None,
        'error: error executing jsonpath "{.ints[::0]}": Error executing template: step must be > 0. Printing more information for debugging the template:',
    ),
    (
        "{.ints[1:0]}",
        None,
        'error: error executing jsonpath "{.ints[1:0]}": Error executing template: starting index 1 is greater than ending index 0. Printing more information for debugging the template:',
    ),
    (
        "{.ints[5:7]}",
        None,
        'error: error executing jsonpath "{.ints[5:7]}": Error executing template: array index out of bounds: index 5, length 3. Printing more information for debugging the template:',
    ),
    ("{.ints[2:2]}", "", None),
    (
        "{.ints[3]}",
        None,
        'error: error executing jsonpath "{.ints[3]}": Error executing template: array index out of bounds: index 3, length 3. Printing more information for debugging the template:',
    ),
    (
        "{.ints[-4]}",
        None,
        'error: error executing jsonpath "{.ints[-4]}": Error executing template: array index out of bounds: index -1, length 3. Printing more information for debugging the template:',
    ),
    (
        "{.e[0]}",
        None,
        'error: error executing jsonpath "{.e[0]}": Error executing template: array index out of bounds: index 0, length 0. Printing more information for debugging the template:',
    ),
    ("{.e[*]}", "", None),
    ("{.ints[0,2]}", "1 3", None),
    ("{.metadata.labels['z']}", "1", None),
    ('{.metadata.labels.z}{"\\t"}{.metadata.name}', "1\ta", None),
    ("{range .things[*]}[{.a}]{end}", "[1][2][3][4]", None),
    ('{range .ints[*]}{@}{","}{end}', "1,2,3,", None),
    ("{range .e[*]}{@}{end}after", "after", None),
    ("{.ints}", "[1,2,3]", None),
    ("{.things[2].t}", "true", None),
    ("{.n}", "null", None),
    ("{.nope[0]}", "", None),
    ("{.metadata.name.x}", "", None),
    ("{.ints.x}", "", None),
    (
        "{.metadata[0]}",
        None,
        'error: error executing jsonpath "{.metadata[0]}": Error executing template: map[string]interface {} is not array or slice. Printing more information for debugging the template:',
    ),
    (
        "{.metadata.labels[*]}",
        None,
        'error: error executing jsonpath "{.metadata.labels[*]}": Error executing template: map[string]interface {} is not array or slice. Printing more information for debugging the template:',
    ),
    ("x{.}", "x", None),
    (
        "{}",
        '{"apiVersion":"v1","e":[],"f":[2.5,1000000.5,0.0001,1e+21],"html":"\\u003ca\\u0026b\\u003e","ints":[1,2,3],"kind":"Pod","m":{"k1":"v1","k2":"v2"},"metadata":{"labels":{"b":"2","z":"1","zz":"x"},"name":"a"},"n":null,"spec":{"containers":[{"image":"i1","name":"c1","ports":[{"containerPort":80}]},{"image":"i2","name":"c2"}]},"status":{"addresses":[{"address":"10.0.0.1","type":"InternalIP"},{"address":"w1","type":"Hostname"}]},"things":[{"a":1,"s":"str"},{"a":2},{"a":3,"s":"other","t":true},{"a":4,"s":null}]}',
        None,
    ),
    (
        "{$}",
        '{"apiVersion":"v1","e":[],"f":[2.5,1000000.5,0.0001,1e+21],"html":"\\u003ca\\u0026b\\u003e","ints":[1,2,3],"kind":"Pod","m":{"k1":"v1","k2":"v2"},"metadata":{"labels":{"b":"2","z":"1","zz":"x"},"name":"a"},"n":null,"spec":{"containers":[{"image":"i1","name":"c1","ports":[{"containerPort":80}]},{"image":"i2","name":"c2"}]},"status":{"addresses":[{"address":"10.0.0.1","type":"InternalIP"},{"address":"w1","type":"Hostname"}]},"things":[{"a":1,"s":"str"},{"a":2},{"a":3,"s":"other","t":true},{"a":4,"s":null}]}',
        None,
    ),
    ("{.metadata.name}}", "a}", None),
    (
        "{{.metadata.name}",
        None,
        "error: error parsing jsonpath {{.metadata.name}, unrecognized character in action: U+007B '{'",
    ),
    ("{.things[?(@.a==1)]}", '{"a":1,"s":"str"}', None),
    ("{range .things[*]}{.a}{end}{range .ints[*]}{@}{end}", "1234123", None),
    ('{.things[*].a} {"a b"} {.ints[1]}', "1 2 3 4 a b 2", None),
    ('{"\\u00e9\\x41\\101"}', "éAA", None),
    ("{.f[*]}", "2.5 1.0000005e+06 0.0001 1e+21", None),
    ("{.html}", "<a&b>", None),
    ("{.m}", '{"k1":"v1","k2":"v2"}', None),
    ("{.spec.containers[*].ports}", '[{"containerPort":80}]', None),
    ('{.spec.containers[?(@.name=="c2")].image}', "i2", None),
    ('{.status.addresses[?(@.type=="InternalIP")].address}', "10.0.0.1", None),
    ('{range .spec.containers[*]}{.name}{"="}{.image}{"\\n"}{end}', "c1=i1\nc2=i2\n", None),
    ("{.spec", None, "error: error parsing jsonpath {.spec, unclosed action"),
    ("{.things[}", None, "error: error parsing jsonpath {.things[}, unterminated array"),
    (
        '{.things[*]["a"]}',
        None,
        'error: error parsing jsonpath {.things[*]["a"]}, invalid array index "a"',
    ),
    (
        "{range .things[*]}{.a}{end",
        None,
        "error: error parsing jsonpath {range .things[*]}{.a}{end, unclosed action",
    ),
    (
        "{end}",
        None,
        'error: error executing jsonpath "{end}": Error executing template: not in range, nothing to end. Printing more information for debugging the template:',
    ),
    (
        "{.things[*].a,.metadata.name}",
        None,
        "error: error parsing jsonpath {.things[*].a,.metadata.name}, unrecognized character in action: U+002C ','",
    ),
    ("{.spec.containers[0]..image}", "i1", None),
    ("{...a}", "1 2 3 4", None),
    ("{.ints[a]}", None, "error: error parsing jsonpath {.ints[a]}, invalid array index a"),
    ("{.ints[1:x]}", None, "error: error parsing jsonpath {.ints[1:x]}, invalid array index 1:x"),
    (
        '{"unterminated}',
        None,
        'error: error parsing jsonpath {"unterminated}, unterminated quoted string',
    ),
    (
        "{.ints[?(@>1)}",
        None,
        "error: error parsing jsonpath {.ints[?(@>1)}, unclosed array expect ]",
    ),
    ("{.ints[?(@>1]}", None, "error: error parsing jsonpath {.ints[?(@>1]}, unterminated filter"),
    ("{.spec.containers[*]['name']}", "c1 c2", None),
    ("{@.metadata.name}", "a", None),
    ("{$.metadata.name}", "a", None),
    (
        "{foo}",
        None,
        'error: error executing jsonpath "{foo}": Error executing template: unrecognized identifier foo. Printing more information for debugging the template:',
    ),
    ("{-x}", None, "error: error parsing jsonpath {-x}, cannot parse number -"),
    ("{1.2.3}", None, "error: error parsing jsonpath {1.2.3}, cannot parse number 1.2.3"),
    ("{.ints[0]} {true} {3} {-1.5}", "1 true 3 -1.5", None),
    (
        '{"a\\qb"}',
        None,
        'error: error parsing jsonpath {"a\\qb"}, unquote string "a\\qb" error invalid syntax',
    ),
    ("{'it\\'s'}", "it's", None),
    ('{.spec.containers[*].name}{"\\n"}', "c1 c2\n", None),
    ("{range .e[*]}{@}{end}after", "after", None),
    ("{range .ints[*]}{@}{end}X", "123X", None),
    ("{range .e[*]}{@}{end}{.metadata.name}", "a", None),
    ("{range .e[*]}{@}{end}{range .ints[*]}{@}{end}Y", "123Y", None),
    ("{range .things[*]}{range .e[*]}z{end}{.a}{end}W", "1234W", None),
    ("{range .nope}{@}{end}after", "after", None),
    ("{range .e[*]}a{range .ints[*]}b{end}c{end}d", "d", None),
    ("{.e[*]}{range .e[*]}{@}{end}after{.metadata.name}", "aftera", None),
]


@pytest.mark.parametrize(("template", "output", "error"), CASES, ids=[c[0] for c in CASES])
def test_render_jsonpath_like_kubectl(template: str, output: str | None, error: str | None) -> None:
    if error is None:
        assert jsonpath(template, DATA) == output
    else:
        with pytest.raises(CommandError) as caught:
            jsonpath(template, DATA)
        assert str(caught.value).split("\n")[0] == error


def test_render_jsonpath_error_dumps_the_object_like_go() -> None:
    with pytest.raises(CommandError) as caught:
        jsonpath("{end}", {"a": [1, 2.5, None, True, "x\ty"], "b": {}})
    assert str(caught.value) == (
        'error: error executing jsonpath "{end}": Error executing template: not in range, '
        "nothing to end. Printing more information for debugging the template:\n"
        "\ttemplate was:\n\t\t{end}\n\tobject given to jsonpath engine was:\n"
        '\t\tmap[string]interface {}{"a":[]interface {}{1, 2.5, interface {}(nil), true, '
        '"x\\ty"}, "b":map[string]interface {}{}}\n\n'
    )


def test_render_jsonpath_maps_print_sorted_and_html_escaped() -> None:
    assert (
        jsonpath("{.m}", {"m": {"b": "<&>", "a": [1]}}) == '{"a":[1],"b":"\\u003c\\u0026\\u003e"}'
    )
    assert jsonpath("{.m.*}", {"m": {"b": 2, "a": 1}}) == "1 2"
