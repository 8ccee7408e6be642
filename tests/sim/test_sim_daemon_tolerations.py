"""The controller's tolerations replace every template toleration they match.

Upstream AddOrUpdateTolerationInPodSpec walks the whole list: each toleration equal in
key, operator, value and effect is overwritten by the controller's (so a daemon pod
never keeps a tolerationSeconds on not-ready or unreachable), duplicates stay
duplicates, and the rest keep their places; a toleration matching none is appended.
"""

from __future__ import annotations

from sim_builders import make_daemonset

from dstutor.controller.placement import (
    DAEMON_TOLERATIONS,
    add_or_update_daemon_pod_tolerations,
    daemon_pod_spec,
)
from dstutor.model.objects import Obj
from dstutor.sim.cluster import Cluster

NOT_READY = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"}
UNREACHABLE = {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
               "effect": "NoExecute"}
OWN = {"key": "dedicated", "operator": "Equal", "value": "logs", "effect": "NoSchedule"}


def _timed(tol: Obj, seconds: int) -> Obj:
    return {**tol, "tolerationSeconds": seconds}


def test_two_identical_timed_tolerations_both_lose_their_seconds() -> None:
    cluster = Cluster()
    cluster.add_node("node-0", ready=True)
    template = [_timed(NOT_READY, 60), OWN, _timed(NOT_READY, 60)]
    cluster.create(make_daemonset(tolerations=template))
    cluster.advance()
    [pod] = cluster.pods_of("foo")
    assert pod["spec"]["tolerations"] == [NOT_READY, OWN, NOT_READY, *DAEMON_TOLERATIONS[1:]]
    assert pod["status"]["phase"] == "Running"


def test_every_match_is_replaced_even_next_to_an_exact_one() -> None:
    # Upstream's "already equal: change nothing" shortcut compares a pointer with a
    # value and so never fires: an exact match does not spare a timed duplicate.
    for template in ([NOT_READY, _timed(NOT_READY, 30)], [_timed(NOT_READY, 30), NOT_READY]):
        spec: Obj = {"tolerations": [dict(t) for t in template]}
        add_or_update_daemon_pod_tolerations(spec)
        assert spec["tolerations"] == [NOT_READY, NOT_READY, *DAEMON_TOLERATIONS[1:]]


def test_tolerations_matching_none_keep_their_place_and_the_rest_are_appended() -> None:
    spec: Obj = {"tolerations": [OWN, _timed(UNREACHABLE, 5), _timed(UNREACHABLE, 10)],
                 "hostNetwork": True}
    add_or_update_daemon_pod_tolerations(spec)
    network = {"key": "node.kubernetes.io/network-unavailable", "operator": "Exists",
               "effect": "NoSchedule"}
    assert spec["tolerations"] == [OWN, UNREACHABLE, UNREACHABLE, NOT_READY,
                                   *DAEMON_TOLERATIONS[2:], network]


def test_a_toleration_differing_in_value_or_effect_is_not_a_match() -> None:
    other_effect = {**NOT_READY, "effect": "NoSchedule"}
    equal_op = {"key": "node.kubernetes.io/not-ready", "operator": "Equal",
                "effect": "NoExecute", "tolerationSeconds": 5}
    ds = make_daemonset(tolerations=[other_effect, equal_op])
    spec = daemon_pod_spec(ds)
    assert spec["tolerations"] == [other_effect, equal_op, *DAEMON_TOLERATIONS]
