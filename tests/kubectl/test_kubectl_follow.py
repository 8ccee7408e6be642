"""Following on a live clock: get -w, events -w and logs -f stream until Ctrl-C."""

from __future__ import annotations

import pytest

from dstutor.kubectl.commands import _follow
from dstutor.kubectl.dispatch import run
from dstutor.sim.clock import Clock
from dstutor.sim.clusterfile import build_cluster, default_spec

LOOP = "sh -c 'while true; do echo tick; sleep 5; done'"


@pytest.fixture()
def live(monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    wall = [0.0]
    polls = [0]

    def sleep(_seconds: float) -> None:  # each poll: 2 s of wall time; Ctrl-C after 30
        polls[0] += 1
        if polls[0] > 30:
            raise KeyboardInterrupt
        wall[0] += 2.0

    monkeypatch.setattr(_follow.time, "sleep", sleep)
    clock = Clock(mode="live", wall=lambda: wall[0])
    cluster = build_cluster(default_spec(3), clock=clock)
    return cluster


def test_logs_follow_streams_new_lines(live) -> None:  # noqa: ANN001
    assert run(live, f"kubectl run t --image=busybox:1.37 -- {LOOP}").ok
    live.advance(3)
    live.clock.rebase()
    streamed: list[str] = []
    result = run(live, "kubectl logs t -f", stream=streamed.append)
    assert result.exit_code == 0
    assert result.stdout.count("tick") <= 1
    assert "".join(streamed).count("tick\n") >= 10


def test_get_watch_streams_rows_until_interrupted(live) -> None:  # noqa: ANN001
    streamed: list[str] = []
    apply = ("kubectl set image ds/kube-proxy -n kube-system "
             "kube-proxy=registry.k8s.io/kube-proxy:v1.37.2")
    assert run(live, apply).ok
    result = run(live, "kubectl get pods -n kube-system -w", stream=streamed.append)
    text = "".join(streamed)
    assert result.stdout == "" and text.startswith("NAME ")
    assert text.count("kube-proxy-") > 4  # the list, then rows for the rolling update


def test_events_watch_streams(live) -> None:  # noqa: ANN001
    streamed: list[str] = []
    assert run(live, "kubectl set image ds/kube-proxy -n kube-system "
                     "kube-proxy=registry.k8s.io/kube-proxy:v1.37.2").ok
    run(live, "kubectl events -n kube-system -w", stream=streamed.append)
    assert "SuccessfulCreate" in "".join(streamed)


def test_without_a_stream_logs_follow_returns_at_once() -> None:
    cluster = build_cluster(default_spec(3), clock=Clock())
    assert run(cluster, f"kubectl run t --image=busybox:1.37 -- {LOOP}").ok
    cluster.advance(20)
    before = cluster.now()
    result = run(cluster, "kubectl logs t -f")
    assert result.stdout.count("tick\n") >= 3 and cluster.now() == before
