"""`map`: the text picture (golden, 80 columns), the SVG export, and a 20-node cluster."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from shell_helpers import NODE_LOGGER, check_golden

from dstutor.shell import console, nodemap
from dstutor.shell.session import Session
from dstutor.sim.clusterfile import default_cluster

BIG_AGENT = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: gpu-agent}
spec:
  selector: {matchLabels: {app: gpu-agent}}
  template:
    metadata: {labels: {app: gpu-agent}}
    spec:
      nodeSelector: {gpu: "true"}
      containers:
      - {name: agent, image: "busybox:1.36", resources: {requests: {cpu: "6"}}}
"""


def _busy_session(session: Session) -> Session:
    """A rolling update in flight, a pending pod, a cordoned and a tainted node."""
    for line in (f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF", "advance",
                 "node add gpu-1 --label gpu=true --taint dedicated=gpu:NoSchedule",
                 "node add gpu-2 --label gpu=true",
                 f"kubectl apply -f - <<EOF\n{BIG_AGENT}EOF", "advance 5s",
                 "kubectl cordon worker-1",
                 "kubectl set image ds/node-logger logger=busybox:1.37"):
        out = session.handle_line(line)
        assert out.ok, (line, out.stderr)
    return session


def test_map_text_golden_at_80_columns(session: Session) -> None:
    out = _busy_session(session).handle_line("map")
    assert out.ok
    assert "Terminating" in out.stdout and "Pending" in out.stdout
    assert " old" in out.stdout and "cordoned" in out.stdout
    assert all(len(line) <= 80 for line in out.stdout.splitlines())
    check_golden("map_busy_80.txt", out.stdout)


def test_map_marks_failed_node(session: Session) -> None:
    session.handle_line("node fail worker-3")
    session.handle_line("advance 1m")
    text = session.handle_line("map").stdout
    assert "worker-3 · NotReady, kubelet down" in text
    assert "node.kubernetes.io/unreachable:NoExecute" in text


def test_map_svg_is_valid_xml(session: Session, tmp_path: Path) -> None:
    path = tmp_path / "map.svg"
    out = _busy_session(session).handle_line(f"map --svg {path}")
    assert out.ok and out.stdout.endswith(f"wrote {path}\n")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    text = "".join(root.itertext())
    assert "node-logger" in text.replace("\xa0", " ")


def test_map_svg_unwritable_path_is_one_line(session: Session, tmp_path: Path) -> None:
    out = session.handle_line(f"map --svg {tmp_path / 'missing' / 'x.svg'}")
    assert out.exit_code == 1
    assert out.stderr.startswith(f"error: cannot write {tmp_path / 'missing' / 'x.svg'}")


def test_map_twenty_nodes_fit_80_columns() -> None:
    cluster = default_cluster(workers=20)
    session = Session(cluster)
    session.handle_line(f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF")
    session.handle_line("advance")
    text = session.handle_line("map").stdout
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert text.count("╭─ worker-") == 20
    # each worker panel: top, two pods, bottom
    assert len(lines) <= 2 + 21 * 5


def test_map_views_keep_only_distinguishing_selector_labels(session: Session) -> None:
    _busy_session(session)
    views = {v.name: v for v in nodemap.build(session.cluster)}
    assert views["gpu-2"].labels == ("gpu=true",)
    assert views["worker-2"].labels == ()  # kubernetes.io/os=linux is on every node
    assert views["worker-1"].cordoned
    pending = [p for p in views["gpu-2"].pods if p.owner == "gpu-agent"]
    assert pending and pending[0].status == "Pending"


def test_map_renderable_has_colour_for_the_repl(session: Session) -> None:
    out = session.handle_line("map")
    assert out.renderable is not None
    svg = console.svg_text(out.renderable)
    assert "kube-proxy" in svg.replace("\xa0", " ")


def test_map_shows_pods_on_no_node() -> None:
    session = Session(default_cluster(workers=0))
    session.handle_line("kubectl create deployment web --image=nginx")
    text = session.handle_line("map").stdout
    assert "on no node yet" in text
    assert "(no DaemonSet) Pending" in " ".join(text.split())


def _fleet_session(workers: int, *, fail: bool = True) -> Session:
    """node-logger on every worker; worker-7 cordoned, worker-9 failed (with `fail`)."""
    session = Session(default_cluster(workers=workers))
    for line in (f"kubectl apply -f - <<EOF\n{NODE_LOGGER}EOF", "advance",
                 "kubectl cordon worker-7", "node fail worker-9" if fail else "advance",
                 "advance 1m"):
        out = session.handle_line(line)
        assert out.ok, (line, out.stderr)
    return session


def test_map_over_fifty_nodes_draws_nodes_alike_once() -> None:
    session = _fleet_session(60)
    out = session.handle_line("map")
    assert out.ok
    text = out.stdout
    # control-plane, the 58 workers alike, the cordoned one, the failed one
    assert text.count("╭─ ") == 4
    assert ("61 nodes in 4 panels: nodes alike (state, taints, labels, pods) share one; "
            "`map --all` draws each") in " ".join(text.split())
    assert "worker-1 and 57 alike · Ready" in text
    assert "alike worker-10, worker-11, worker-12 and 54 more" in " ".join(text.split())
    assert "worker-7 · Ready · cordoned" in text
    assert "worker-9 · NotReady, kubelet down" in text
    assert all(len(line) <= 80 for line in text.splitlines())
    check_golden("map_fleet_80.txt", text)


def test_map_all_draws_every_node_of_a_fleet() -> None:
    session = _fleet_session(60)
    text = session.handle_line("map --all").stdout
    assert text.count("╭─ ") == 61
    assert "alike" not in text
    assert text.count("node-logger-") == 60


def test_map_at_fifty_nodes_draws_each() -> None:
    session = _fleet_session(49)  # and the control plane: 50 nodes
    text = session.handle_line("map").stdout
    assert text.count("╭─ ") == 50
    assert "alike" not in text


def test_map_groups_only_nodes_that_look_the_same() -> None:
    views = nodemap.build(_fleet_session(60).cluster)
    groups = nodemap.alike(views)
    assert [(first.name, len(others)) for first, others in groups] == [
        ("control-plane", 0), ("worker-1", 57), ("worker-7", 0), ("worker-9", 0)]
    # every node is in exactly one group
    names = [n for first, others in groups for n in (first.name, *others)]
    assert sorted(names) == sorted(v.name for v in views)
    for first, others in groups:
        members = [v for v in views if v.name in others]
        assert all(nodemap.look(v) == nodemap.look(first) for v in members)


def test_map_a_pod_on_another_revision_sets_its_node_apart() -> None:
    session = _fleet_session(60, fail=False)  # (a failed node's pod would stall it)
    session.handle_line("kubectl set image ds/node-logger logger=busybox:1.37")
    session.handle_line("advance 5s")  # the rollout has begun on one node only
    groups = nodemap.alike(nodemap.build(session.cluster))
    olds = [first for first, _ in groups
            if any(p.owner == "node-logger" and not p.current for p in first.pods)]
    news = [first for first, _ in groups
            if any(p.owner == "node-logger" and p.current for p in first.pods)]
    assert olds and news
    assert not set(map(nodemap.look, olds)) & set(map(nodemap.look, news))
