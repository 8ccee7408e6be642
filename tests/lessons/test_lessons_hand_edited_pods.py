"""A check on the image a DaemonSet's pods run judges what the DaemonSet runs: a pod whose
image was set on the pod itself (allowed: the kubelet restarts the container) does not
count, since the DaemonSet's template still says otherwise and a new node would get that."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dstutor import yamlio
from dstutor.kubectl.dispatch import run
from dstutor.lessons.checks import World, run_check
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster

NODE_LOGGER = (Path(__file__).resolve().parents[2] / "lessons" / "manifests"
               / "node-logger.yaml")
NEW = "docker.elastic.co/beats/filebeat:8.11.0"
ALL = ["worker-1", "worker-2", "worker-3"]


def _cluster() -> Cluster:
    c = default_cluster()
    c.create(yamlio.load_one(NODE_LOGGER.read_text(), "node-logger.yaml"))
    c.advance()
    return c


def _kubectl(c: Cluster, line: str) -> None:
    result = run(c, line)
    assert result.exit_code == 0, result.stderr


def _pod_on(c: Cluster, node: str) -> str:
    (pod,) = [p for p in c.pods_of("node-logger", "kube-system") if p["spec"]["nodeName"] == node]
    return str(pod["metadata"]["name"])


def _image_check(c: Cluster, *, exam: bool = False, **extra: Any) -> Any:
    params = {"daemonset": "node-logger", "namespace": "kube-system", "nodes": ALL,
              "image": NEW, **extra}
    return run_check("pods_on_nodes", World(c, exam=exam), params)


def _set_every_pod_by_hand(c: Cluster) -> None:
    for node in ALL:
        _kubectl(c, f"kubectl set image pod/{_pod_on(c, node)} -n kube-system filebeat={NEW}")
    c.advance(60)


def test_the_template_rolled_out_passes() -> None:
    c = _cluster()
    _kubectl(c, f"kubectl set image ds/node-logger -n kube-system filebeat={NEW}")
    c.advance(300)
    got = _image_check(c, ready=True, updated=True)
    assert got.passed, got.message


@pytest.mark.parametrize("exam", [False, True])
def test_every_pod_set_by_hand_fails_and_says_why(exam: bool) -> None:
    c = _cluster()
    _set_every_pod_by_hand(c)
    images = {p["spec"]["containers"][0]["image"] for p in c.pods_of("node-logger", "kube-system")}
    assert images == {NEW}  # the pods do run it: the kubelet restarted them
    got = _image_check(c, exam=exam, ready=True, updated=True)
    assert not got.passed and not got.transient
    assert got.message.endswith(
        "the pods on worker-1, worker-2, worker-3 got their images from changes to the pods "
        "themselves, not from node-logger's template")


def test_one_pod_by_hand_is_named_alone() -> None:
    """OnDelete's lesson: replace worker-2's pod with the new template's. Setting its image
    on the pod instead does not do that."""
    c = _cluster()
    _kubectl(c, "kubectl patch ds node-logger -n kube-system "
                "-p '{\"spec\":{\"updateStrategy\":{\"type\":\"OnDelete\"}}}'")
    _kubectl(c, f"kubectl set image ds/node-logger -n kube-system filebeat={NEW}")
    c.advance(60)
    _kubectl(c, f"kubectl set image pod/{_pod_on(c, 'worker-2')} -n kube-system "
                f"filebeat={NEW}")
    c.advance(60)
    got = _image_check(c, nodes=["worker-2"], subset=True)
    assert not got.passed
    assert got.message == ("node-logger runs on worker-1, worker-2, worker-3; the pod on "
                           "worker-2 got its image from a change to the pod itself, not "
                           "from node-logger's template")
    _kubectl(c, f"kubectl delete pod {_pod_on(c, 'worker-2')} -n kube-system")
    c.advance(60)
    got = _image_check(c, nodes=["worker-2"], subset=True, ready=True, updated=True)
    assert got.passed, got.message  # the way the lesson teaches: a pod the DaemonSet made


def test_a_pod_edited_back_to_its_revisions_image_counts_again() -> None:
    c = _cluster()
    _kubectl(c, f"kubectl set image ds/node-logger -n kube-system filebeat={NEW}")
    c.advance(300)
    pod = _pod_on(c, "worker-3")
    _kubectl(c, f"kubectl set image pod/{pod} -n kube-system filebeat=busybox:1.36")
    c.advance(60)
    assert not _image_check(c).passed
    _kubectl(c, f"kubectl set image pod/{pod} -n kube-system filebeat={NEW}")
    c.advance(60)
    got = _image_check(c)
    assert got.passed, got.message  # what its revision gives it: no hand-made difference
