"""Store.list keeps the API server's order (namespace, then name) while objects come and
go, and a namespace's slice holds exactly that namespace's objects."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import given
from hypothesis import strategies as st

from dstutor.sim.store import Store

NAMESPACES = ["a", "a-b", "ab", "b", "default", "kube-system"]
NAMES = ["x", "x-1", "x1", "y", "zz", "a"]

operations = st.lists(st.tuples(st.sampled_from(["put", "touch", "remove", "list"]),
                                st.sampled_from(NAMESPACES), st.sampled_from(NAMES)),
                      max_size=60)


def _config_map(ns: str, name: str) -> dict:
    return {"kind": "ConfigMap", "metadata": {"namespace": ns, "name": name, "uid": ns + name}}


@given(operations)
def test_list_matches_a_fresh_sort_after_any_writes(ops: list[tuple[str, str, str]]) -> None:
    store, model = Store(), {}
    for op, ns, name in ops:
        if op == "put":
            obj = _config_map(ns, name)
            store.put(obj)
            model[(ns, name)] = obj
        elif op == "touch" and (ns, name) in model:
            store.touch(model[(ns, name)])
        elif op == "remove" and (ns, name) in model:
            store.remove(model.pop((ns, name)))
        else:
            store.list("ConfigMap")  # fills the remembered order
        # The very objects stored, not equal copies: a replaced object must not linger.
        assert _ids(store.list("ConfigMap")) == _ids(model[k] for k in sorted(model))
        for namespace in NAMESPACES:
            assert _ids(store.list("ConfigMap", namespace)) == _ids(
                model[k] for k in sorted(model) if k[0] == namespace)


def _ids(objs: Iterable[dict]) -> list[int]:
    return [id(obj) for obj in objs]


def test_a_listed_copy_can_be_changed_without_touching_the_store() -> None:
    store = Store()
    store.put(_config_map("default", "x"))
    store.list("ConfigMap").clear()
    store.list("ConfigMap", "default").clear()
    assert len(store.list("ConfigMap")) == 1


def test_list_of_an_unknown_kind_or_namespace_is_empty() -> None:
    store = Store()
    store.put(_config_map("default", "x"))
    assert store.list("Secret") == []
    assert store.list("ConfigMap", "other") == []
    assert store.list("ConfigMap", "") == []
