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


def test_get_watch_events_streams_the_event_column(live) -> None:  # noqa: ANN001
    streamed: list[str] = []
    assert run(live, "kubectl set image ds/kube-proxy -n kube-system "
                     "kube-proxy=registry.k8s.io/kube-proxy:v1.37.2").ok
    run(live, "kubectl get pods -n kube-system -l k8s-app=kube-proxy -w --output-watch-events",
        stream=streamed.append)
    lines = "".join(streamed).splitlines()
    assert lines[0].startswith("EVENT      NAME ")
    assert {line.split()[0] for line in lines[1:]} == {"ADDED", "MODIFIED", "DELETED"}
    # One tabwriter with remembered widths: every row's NAME starts where the header's does.
    assert {line.index("kube-proxy-") for line in lines[1:]} == {lines[0].index("NAME")}


def test_events_watch_streams(live) -> None:  # noqa: ANN001
    streamed: list[str] = []
    assert run(live, "kubectl set image ds/kube-proxy -n kube-system "
                     "kube-proxy=registry.k8s.io/kube-proxy:v1.37.2").ok
    run(live, "kubectl events -n kube-system -w", stream=streamed.append)
    assert "SuccessfulCreate" in "".join(streamed)


def test_on_a_manual_clock_logs_follow_lets_a_minute_of_virtual_time_run() -> None:
    # Nothing would ever change while kubectl waits on a manual clock (script mode,
    # lessons): -f prints the lines so far, then those of the next 60 s of virtual time.
    cluster = build_cluster(default_spec(3), clock=Clock())
    assert run(cluster, f"kubectl run t --image=busybox:1.37 -- {LOOP}").ok
    cluster.advance(20)
    before = cluster.now()
    so_far = run(cluster, "kubectl logs t").stdout.count("tick\n")
    result = run(cluster, "kubectl logs t -f")
    assert cluster.now() == before + _follow.FOLLOW_WINDOW_SECONDS
    assert result.stdout.count("tick\n") == so_far + 12  # one line every 5 s
    # The lines are those the pod's log holds afterwards, in order.
    assert run(cluster, f"kubectl logs t --tail={so_far + 12}").stdout == result.stdout


def test_on_a_manual_clock_logs_follow_stops_at_the_line_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_follow, "FOLLOW_MAX_LINES", 3)
    cluster = build_cluster(default_spec(3), clock=Clock())
    assert run(cluster, f"kubectl run t --image=busybox:1.37 -- {LOOP}").ok
    cluster.advance(5)
    before = cluster.now()
    result = run(cluster, "kubectl logs t -f --tail=0")
    assert result.stdout == "tick\n" * 3
    assert before < cluster.now() < before + _follow.FOLLOW_WINDOW_SECONDS


def test_logs_follow_of_a_container_not_started_fails_at_once() -> None:
    cluster = build_cluster(default_spec(3), clock=Clock())
    assert run(cluster, f"kubectl run t --image=busybox:1.37 -- {LOOP}").ok
    before = cluster.now()
    result = run(cluster, "kubectl logs t -f")
    assert result.exit_code == 1 and "is waiting to start" in result.stderr
    assert cluster.now() == before


def test_logs_follow_streams_the_lines_so_far_first(live) -> None:  # noqa: ANN001
    assert run(live, f"kubectl run t --image=busybox:1.37 -- {LOOP}").ok
    live.advance(20)
    live.clock.rebase()
    streamed: list[str] = []
    result = run(live, "kubectl logs t -f --timestamps", stream=streamed.append)
    assert result.stdout == ""
    stamps = [line.split()[0] for line in "".join(streamed).splitlines()]
    assert len(stamps) > 10 and stamps == sorted(stamps)


def test_a_follower_in_a_pipe_goes_through_the_filters(live, tmp_path) -> None:  # noqa: ANN001
    from dstutor.shell.session import Session
    from dstutor.shell.workspace import Workspace

    session = Session(live, workspace=Workspace.at(tmp_path))
    terminal: list[str] = []
    session.stream = terminal.append
    assert session.handle_line(f"kubectl run t --image=busybox:1.37 -- {LOOP}").ok
    live.advance(3)
    live.clock.rebase()
    out = session.handle_line("kubectl logs t -f | grep -c tick")
    assert terminal == []  # nothing bypassed grep
    assert int(out.stdout) >= 10
    assert session.handle_line("kubectl get pods -w > pods.txt").stdout == ""
    assert terminal == [] and (tmp_path / "pods.txt").read_text().startswith("NAME ")
    assert session.stream is not None  # the REPL's stream is back for the next line


def test_watch_with_an_output_format_prints_object_by_object() -> None:
    # kubectl prints the list's items one by one, then each changed object; its YAML
    # printer puts "---" before every object but the first.
    cluster = build_cluster(default_spec(3), clock=Clock())
    cluster.advance()
    image = "kubectl set image ds/kube-proxy -n kube-system kube-proxy=registry.k8s.io/kube-proxy:v1.37.2"
    assert run(cluster, image).ok
    names = run(cluster, "kubectl get pods -n kube-system -l k8s-app=kube-proxy -w -o name").stdout.splitlines()
    assert len(names) > 8 and all(n.startswith("pod/kube-proxy-") for n in names)
    assert run(cluster, image.replace("v1.37.2", "v1.37.3")).ok
    text = run(cluster, "kubectl get ds -n kube-system -w -o yaml").stdout
    docs = text.split("---\n")
    assert len(docs) > 2 and all(d.startswith("apiVersion: apps/v1\nkind: DaemonSet\n")
                                 for d in docs)
    assert "kind: List" not in text


def test_watch_only_of_nothing_says_nothing() -> None:
    cluster = build_cluster(default_spec(3), clock=Clock())
    result = run(cluster, "kubectl get pods --watch-only")
    assert (result.stdout, result.stderr, result.exit_code) == ("", "", 0)
