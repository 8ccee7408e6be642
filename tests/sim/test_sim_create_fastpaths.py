"""The short ways of the create path (issue 19) answer exactly as the general ones do:
uids, generated names checked once, the scheduler's affinity and room questions."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sim_builders import make_daemonset, priority_class

from dstutor.controller import shared
from dstutor.controller.daemonset_util import node_name_affinity
from dstutor.controller.scheduler import Scheduler, matches_node_affinity, room_is_certain
from dstutor.errors import AlreadyExists
from dstutor.model import objects
from dstutor.model.admission import PriorityAnswers
from dstutor.model.objects import Obj, clone, target_node_name
from dstutor.model.priority import PriorityRejected, resolve_pod_priority
from dstutor.model.selectors import pod_matches_node_affinity
from dstutor.sim.cluster import Cluster
from dstutor.sim.namegen import NAME_ALPHABET, NameGenerator


def _reference_uid(rng: random.Random) -> str:
    """The uid formula as it was first written (hex digit 16 parsed back)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"


@pytest.mark.parametrize("seed", [0, 1, 7, 12345])
def test_uids_are_the_sequence_they_always_were(seed: int) -> None:
    names, reference = NameGenerator(seed), random.Random(seed)
    assert [names.uid() for _ in range(2000)] == [_reference_uid(reference)
                                                   for _ in range(2000)]


def _suffixes(cluster: Cluster, values: list[str]) -> None:
    it: Iterator[str] = iter(values)
    cluster.names.suffix = lambda: next(it)  # type: ignore[method-assign]


def test_a_controller_create_that_runs_out_of_names_is_refused() -> None:
    cluster = Cluster()
    cluster.add_node("node-a", ready=True)
    bystander = {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "agent-bbbbb", "namespace": "default"},
                 "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
    cluster.create(bystander)
    _suffixes(cluster, ["bbbbb"] * 8)
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"generateName": "agent-", "namespace": "default"},
           "spec": {"containers": [{"name": "c", "image": "busybox"}]},
           "status": {"phase": "Pending"}}
    before = cluster.store.resource_version()
    with pytest.raises(AlreadyExists, match='pods "agent-bbbbb" already exists'):
        cluster.api.create_trusted(pod)
    assert cluster.store.resource_version() == before
    assert cluster.store.count("Pod") == 1


def test_a_controller_create_takes_the_first_free_name() -> None:
    cluster = Cluster()
    cluster.add_node("node-a", ready=True)
    cluster.create({"apiVersion": "v1", "kind": "Pod",
                    "metadata": {"name": "agent-bbbbb", "namespace": "default"},
                    "spec": {"containers": [{"name": "c", "image": "busybox"}]}})
    # Seven taken names, then a free one as the eighth and last attempt.
    _suffixes(cluster, ["bbbbb"] * 7 + ["ccccc"])
    cluster.create(make_daemonset("agent", image="agent", labels={"app": "agent"}))
    cluster.advance()
    assert sorted(p["metadata"]["name"] for p in cluster.store.list("Pod")) == [
        "agent-bbbbb", "agent-ccccc"]


NODE_NAMES = ["node-a", "node-b", "node-c"]
LABELS = st.dictionaries(st.sampled_from(["zone", "disk", "role"]),
                         st.sampled_from(["a", "b"]), max_size=3)


def _node(name: str, labels: dict[str, str]) -> Obj:
    return {"metadata": {"name": name, "labels": labels}, "spec": {}}


@settings(max_examples=300, deadline=None)
@given(pinned=st.sampled_from(NODE_NAMES), node_name=st.sampled_from(NODE_NAMES),
       node_labels=LABELS, selector=st.one_of(st.none(), LABELS),
       form=st.sampled_from(["shared", "copy", "template", "none"]))
def test_the_daemon_pod_affinity_short_way_matches_the_general_one(
        pinned: str, node_name: str, node_labels: dict[str, str],
        selector: dict[str, str] | None, form: str) -> None:
    spec: Obj = {}
    if form == "shared":
        spec["affinity"] = shared.pinned_affinity(pinned)
    elif form == "copy":
        spec["affinity"] = clone(shared.pinned_affinity(pinned))
    elif form == "template":  # the template's own affinity, pinned by the controller
        spec["affinity"] = {"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": node_name_affinity(pinned)},
            "podAffinity": {}}
    if selector is not None:
        spec["nodeSelector"] = selector
    node = _node(node_name, node_labels)
    expected = pod_matches_node_affinity(spec, node)
    assert matches_node_affinity(spec, node) == expected
    for named in {pinned, node_name, ""}:  # the scheduler passes target_node_name's answer
        assert matches_node_affinity(spec, node, named) == expected


def test_only_the_pinned_node_is_looked_up_in_the_shared_affinities() -> None:
    """A pod with an affinity of its own, filtered over many nodes, leaves the cache of
    shared pinning affinities alone."""
    spec: Obj = {"affinity": {"nodeAffinity": {}}}
    before = shared.pinned_affinity.cache_info().currsize
    for i in range(50):
        matches_node_affinity(spec, _node(f"fresh-node-{i}", {}))
    assert shared.pinned_affinity.cache_info().currsize == before


CONTAINERS = st.lists(st.fixed_dictionaries({
    "name": st.just("c"),
    "resources": st.sampled_from([{}, {"requests": {"cpu": "100m"}},
                                  {"requests": {"memory": "1Mi"}}, {"limits": {"cpu": "1"}}]),
    "ports": st.sampled_from([[], [{"containerPort": 80}],
                              [{"containerPort": 80, "hostPort": 8080}]]),
}), max_size=2)


@settings(max_examples=200, deadline=None)
@given(steps=st.lists(st.tuples(st.integers(0, 2), CONTAINERS, st.booleans(),
                                st.integers(0, 5), st.sampled_from([None, "3", "110", "1k", 2])),
                      min_size=1, max_size=8))
def test_the_remembered_room_answer_matches_room_is_certain(
        steps: list[tuple[int, list[Obj], bool, int, str | int | None]]) -> None:
    """Pods that share a containers list (a DaemonSet's) and pods that bring their own,
    in any order: the scheduler's remembered answer is the function's."""
    scheduler = Scheduler(Cluster())
    lists: dict[int, list[Obj]] = {}
    for slot, containers, share, indexed, limit in steps:
        own = lists.setdefault(slot, containers) if share else containers
        pod = {"spec": {"containers": own}}
        node: Obj = {"status": {"allocatable": {"pods": limit} if limit else {}}}
        assert scheduler._room_is_certain(pod, node, indexed) == room_is_certain(
            pod, node, indexed)


CLASS_SETS = st.sampled_from([
    [],
    [priority_class("high", 1000)],
    [priority_class("high", 1000), priority_class("base", 10, default=True, policy="Never")],
    [priority_class("a", 5, default=True), priority_class("b", 3, default=True)],
])
PRIORITY_SPECS = st.fixed_dictionaries({}, optional={
    "priorityClassName": st.sampled_from(["", "high", "base", "missing"]),
    "priority": st.sampled_from([0, 10, 1000, True, [1]]),
    "preemptionPolicy": st.sampled_from(["Never", "PreemptLowerPriority", None]),
})


def _outcome(resolve: Callable[[Obj], tuple[str, int, str]], spec: Obj) -> object:
    try:
        return resolve(spec)
    except PriorityRejected as err:
        return ("rejected", str(err))


@settings(max_examples=300, deadline=None)
@given(classes=CLASS_SETS, specs=st.lists(PRIORITY_SPECS, min_size=1, max_size=6))
def test_remembered_priority_answers_are_the_plugins(classes: list[Obj],
                                                     specs: list[Obj]) -> None:
    answers = PriorityAnswers(classes)
    by_name = {pc["metadata"]["name"]: pc for pc in classes}
    for spec in specs:
        assert _outcome(answers.resolve, spec) == _outcome(
            lambda s: resolve_pod_priority(s, by_name), spec)


def test_a_daemonset_naming_a_missing_priority_class_fails_each_create_alike() -> None:
    cluster = Cluster()
    for name in ("node-a", "node-b"):
        cluster.add_node(name, ready=True)
    ds = make_daemonset("agent", image="agent", labels={"app": "agent"})
    ds["spec"]["template"]["spec"]["priorityClassName"] = "missing"
    cluster.create(ds)
    cluster.advance(1)
    assert cluster.store.count("Pod") == 0
    failed = [e for e in cluster.store.list("Event") if e["reason"] == "FailedCreate"]
    assert failed and failed[0]["message"] == (
        'Error creating: pods "agent-" is forbidden: no PriorityClass with name missing '
        "was found")
    # Once the class exists, the next retry's run of creates sees it.
    cluster.create(priority_class("missing", 7))
    cluster.advance(60)
    assert sorted(p["spec"]["priority"] for p in cluster.store.list("Pod")) == [7, 7]


def _reference_suffix(rng: random.Random) -> str:
    """The suffix draw as it was first written: getrandbits(5) per character."""
    chars = []
    for _ in range(5):
        r = rng.getrandbits(5)
        while r >= len(NAME_ALPHABET):
            r = rng.getrandbits(5)
        chars.append(NAME_ALPHABET[r])
    return "".join(chars)


@pytest.mark.parametrize("seed", [0, 1, 2, 99, 2026])
def test_name_suffixes_and_uids_are_the_sequence_they_always_were(seed: int) -> None:
    """Names and uids drawn interleaved, as pod creates draw them, from one generator."""
    names, reference = NameGenerator(seed), random.Random(seed)
    for i in range(3000):
        if i % 3 == 2:
            assert names.uid() == _reference_uid(reference)
        else:
            assert names.suffix() == _reference_suffix(reference)


@pytest.mark.parametrize("node_name", ["node-a", "node-b", "a-much-longer-node-name-0042"])
def test_target_node_name_knows_a_shared_pinning_as_the_walk_does(node_name: str) -> None:
    affinity = shared.pinned_affinity(node_name)
    walked = clone(affinity)  # equal, but not the shared object: the walk answers
    assert target_node_name({"spec": {"affinity": affinity}}) == node_name
    assert target_node_name({"spec": {"affinity": walked}}) == node_name
    # nodeName still comes first.
    assert target_node_name({"spec": {"affinity": affinity, "nodeName": "other"}}) == "other"


def test_the_pinning_registry_stays_bounded() -> None:
    for i in range(objects._MAX_PINNED_AFFINITIES + 10):
        objects.register_pinned_affinity({"nodeAffinity": {}}, f"n{i}")
    assert len(objects._PINNED_AFFINITIES) <= objects._MAX_PINNED_AFFINITIES
    # Shared affinities made after a clear are known again; older ones are walked.
    fresh = shared.pinned_affinity("after-the-clear")
    assert target_node_name({"spec": {"affinity": fresh}}) == "after-the-clear"
