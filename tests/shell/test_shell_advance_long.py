"""`advance 7d`, `advance 30d`: long stretches of virtual time cost work per event in them.

The engine jumps from timer to timer, so an idle cluster costs nothing however long the
stretch, and a pod in CrashLoopBackOff costs one restart per five minutes (the kubelet's
maximum back-off), never work per second. The counts come from Engine.handled.
"""

from __future__ import annotations

from dstutor.shell.session import Session
from dstutor.sim.clusterfile import build_cluster, default_spec

CRASHING = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: crash}
spec:
  selector: {matchLabels: {app: crash}}
  template:
    metadata: {labels: {app: crash}}
    spec:
      containers: [{name: c, image: "bad:1"}]
"""
DAY = 86400


def _session(crashing: bool) -> Session:
    spec = default_spec(3)
    if crashing:
        spec.crashing_images = ["bad:1"]
    session = Session(build_cluster(spec, seed=0))
    if crashing:
        assert session.handle_line(f"kubectl apply -f - <<EOF\n{CRASHING}EOF").ok
        session.handle_line("advance 1m")
    return session


def test_advance_days_shows_ages_in_days(session: Session) -> None:
    out = session.handle_line("advance 7d")
    assert out.ok and out.stdout.startswith("7d passed; virtual time is now ")
    ages = session.handle_line("kubectl get nodes").stdout.splitlines()[1].split()
    assert ages[3] == "7d"
    session.handle_line("advance 90d")
    assert session.handle_line("kubectl get nodes").stdout.splitlines()[1].split()[3] == "97d"


def test_idle_cluster_costs_nothing_per_day() -> None:
    session = _session(crashing=False)
    before = session.cluster.engine.handled
    assert session.handle_line("advance 90d").ok
    assert session.cluster.engine.handled - before == 0


def test_crash_loop_over_30_days_is_one_restart_per_five_minutes() -> None:
    session = _session(crashing=True)
    cluster = session.cluster
    before = cluster.engine.handled
    restarts_before = {p["metadata"]["name"]: p["status"]["containerStatuses"][0]["restartCount"]
                       for p in cluster.pods_of("crash")}
    assert session.handle_line("advance 30d").ok
    pods = cluster.pods_of("crash")
    assert len(pods) == 3
    cycles = 30 * DAY / 300  # the back-off is at its 5-minute maximum after a few minutes
    for pod in pods:
        done = (pod["status"]["containerStatuses"][0]["restartCount"]
                - restarts_before[pod["metadata"]["name"]])
        assert cycles - 5 <= done <= cycles + 5
    # Each restart is one kubelet sync plus the BackOff status a second later.
    work = cluster.engine.handled - before
    assert work <= 3 * (2 * cycles + 20)
