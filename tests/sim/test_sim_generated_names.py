"""Generated names that collide are retried, as the API server's RetryGenerateName does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sim_builders import make_daemonset

from dstutor.errors import AlreadyExists
from dstutor.sim.cluster import Cluster
from dstutor.sim.namegen import NAME_ALPHABET, RANDOM_LENGTH, NameGenerator


def _suffixes(cluster: Cluster, values: list[str]) -> None:
    it: Iterator[str] = iter(values)
    cluster.names.suffix = lambda: next(it)  # type: ignore[method-assign]


def _pod(generate_name: str) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"generateName": generate_name, "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}}


def test_user_create_retries_a_taken_generated_name() -> None:
    cluster = Cluster()
    _suffixes(cluster, ["bbbbb", "bbbbb", "ccccc"])
    first = cluster.create(_pod("web-"))
    second = cluster.create(_pod("web-"))
    assert (first["metadata"]["name"], second["metadata"]["name"]) == ("web-bbbbb", "web-ccccc")
    assert cluster.store.count("Pod") == 2


def test_user_create_gives_up_after_eight_taken_names() -> None:
    cluster = Cluster()
    _suffixes(cluster, ["bbbbb"] * 9)
    cluster.create(_pod("web-"))
    before = cluster.store.resource_version()
    with pytest.raises(AlreadyExists, match='pods "web-bbbbb" already exists'):
        cluster.create(_pod("web-"))
    assert cluster.store.count("Pod") == 1
    assert cluster.store.resource_version() == before


def test_daemonset_pod_with_a_taken_name_does_not_replace_another_pod() -> None:
    cluster = Cluster()
    for name in ("node-a", "node-b"):
        cluster.add_node(name, ready=True)
    bystander = _pod("")
    bystander["metadata"] = {"name": "agent-bbbbb", "namespace": "default"}
    cluster.create(bystander)
    # The first name the controller draws is the bystander's.
    _suffixes(cluster, ["bbbbb", "ccccc", "ddddd"])
    cluster.create(make_daemonset("agent", image="agent", labels={"app": "agent"}))
    cluster.advance()
    pods = {p["metadata"]["name"]: p for p in cluster.store.list("Pod")}
    assert sorted(pods) == ["agent-bbbbb", "agent-ccccc", "agent-ddddd"]
    assert "ownerReferences" not in pods["agent-bbbbb"]["metadata"]
    ds = cluster.store.get("DaemonSet", "default", "agent")
    assert ds is not None and ds["status"]["numberReady"] == 2


def test_name_suffixes_are_a_fixed_sequence_per_seed() -> None:
    # Golden transcripts print these names: the sequence must not move between versions.
    names = NameGenerator(0)
    assert [names.suffix() for _ in range(4)] == ["q7rcl", "vtq89", "mtpxj", "vgmg7"]


def test_name_suffixes_use_the_whole_alphabet_and_nothing_else() -> None:
    names = NameGenerator(3)
    drawn = "".join(names.suffix() for _ in range(2000))
    assert len(drawn) == 2000 * RANDOM_LENGTH
    assert set(drawn) == set(NAME_ALPHABET)
