"""create3's shortcut through a label map's and an annotation map's validation (one pass
that only asks, the causes built only for a map with a bad entry) held to the general
path it skips (model/names.py: _label_map_causes, _annotation_key_causes), whatever the
memos of valid keys and values hold. (A node registering validates five labels and two
annotations: 4.4 -> 0.5 us for the labels.)"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dstutor.model import names
from dstutor.model.names import validate_annotation_keys, validate_label_map

_KEYS = ["app", "kubernetes.io/hostname", "beta.kubernetes.io/arch", "Bad Key", "a/b/c",
         "-x", "example.com/", "/name", "x" * 64, "Example.COM/Name", "ok_key", "é", ""]
_VALUES = ["", "amd64", "linux", "node-00001", "bad value", "-x", "x" * 64, "x" * 63,
           "a.b_c-d", "é"]
_key = st.one_of(st.sampled_from(_KEYS), st.text(max_size=12), st.integers(-3, 3))
_value = st.one_of(st.sampled_from(_VALUES), st.text(max_size=12), st.integers(-3, 3),
                   st.booleans(), st.none())


def _outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except Exception as err:  # noqa: BLE001 - the general path's own failure, compared
        return "raised", type(err)


@settings(max_examples=400)
@given(st.dictionaries(_key, _value, max_size=6), st.booleans())
def test_label_map_as_the_general_path(labels: dict[Any, Any], forget: bool) -> None:
    if forget:
        names._VALID_LABEL_VALUES.clear()
        names._VALID_QUALIFIED_NAMES.clear()
    assert (_outcome(validate_label_map, labels, "metadata.labels")
            == _outcome(names._label_map_causes, labels, "metadata.labels"))
    # Asked again, with whatever the first call remembered.
    assert (_outcome(validate_label_map, labels, "metadata.labels")
            == _outcome(names._label_map_causes, labels, "metadata.labels"))


@settings(max_examples=400)
@given(st.dictionaries(_key, _value, max_size=6), st.booleans())
def test_annotation_keys_as_the_general_path(annotations: dict[Any, Any],
                                             forget: bool) -> None:
    if forget:
        names._VALID_QUALIFIED_NAMES.clear()
    for _ in range(2):
        assert (_outcome(validate_annotation_keys, annotations, "metadata.annotations")
                == _outcome(names._annotation_key_causes, annotations,
                            "metadata.annotations"))


@pytest.mark.parametrize("labels, causes", [
    ({"app": "web"}, 0),
    ({"app": "web", "Bad Key": "x"}, 1),
    ({"app": "bad value"}, 1),
    ({"app": "x" * 64}, 1),
    ({"app": 5}, 0),        # not a str: the general path, which reads str(5)
    ({"app": True}, 0),     # "True"
    ({"app": None}, 0),     # "None"
    ({"Bad Key": "bad value", "a/b/c": "-x"}, 4),
])
def test_label_map_table(labels: dict[str, Any], causes: int) -> None:
    for _ in range(2):  # the second time with what the first remembered
        got = validate_label_map(labels, "metadata.labels")
        assert got == names._label_map_causes(labels, "metadata.labels")
        assert len(got) == causes
