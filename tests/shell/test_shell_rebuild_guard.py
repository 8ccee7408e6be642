"""Issue 19: a session whose cluster its factory built (`dstutor shell`, with or without
--cluster) copies nothing before the first change: the guard and the first write's undo
entry build the cluster again instead. That is only right if the rebuild is the same
cluster, so these tests compare it with the original, byte for byte where they can."""

from __future__ import annotations

import collections
import copy
import json
import re
import types
from pathlib import Path
from typing import Any

import pytest

from dstutor.shell.session import Session, UndoEntry
from dstutor.shell.startup import ShellOptions, cluster_factory
from dstutor.sim.clock import Clock
from dstutor.sim.clusterfile import build_cluster, default_spec
from dstutor.sim.snapshot import export_state

INTERNAL = "dstutor: internal error: RuntimeError: injected (run with --debug to see the traceback)"


def apply_that_breaks(seconds: float = 0.0):  # noqa: ANN201
    """A kubectl that changes the cluster part way (a node, then `seconds` of time passing)
    and then fails inside dstutor: what the guard must put back."""

    def run(cluster, text, **kw):  # noqa: ANN001, ANN202
        cluster.add_node("half-done")
        if seconds:
            cluster.advance(seconds)
        raise RuntimeError("injected")

    return run


CLUSTER = """\
apiVersion: dstutor/v1
kind: Cluster
kubeadm: true
nodes:
  - {name: control-plane, roles: [control-plane], taints: [{key: node-role.kubernetes.io/control-plane, effect: NoSchedule}]}
  - {name: worker-1, labels: {disk: ssd}}
  - {name: worker-2}
  - {name: worker-3, network: false}
manifests: [agent.yaml]
"""
AGENT = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "busybox:1.36"}]
"""


def _state(cluster: object) -> str:
    return json.dumps(export_state(cluster), sort_keys=True, default=str)  # type: ignore[arg-type]


# Where two equal clusters may differ: the wall-clock reading of a clock's base (the
# rebuild sets the clock as it stood), and the DaemonSet controller's signatures, which
# hold the id() of an ownerReferences list (a cache: after a restore from bytes, too,
# every id is stale and the pod is looked at again).
ALLOWED = re.compile(r"\['clock'\](\[1\])?\['_wall_base'\]$|\['_signatures'\]\[.*\]\[4\]$")


def differences(a: Any, b: Any, path: str = "",
                seen: dict[tuple[int, int], tuple[Any, Any]] | None = None) -> list[str]:
    """Where two object graphs differ, walked as pickle walks them (identity aside)."""
    seen = {} if seen is None else seen
    if (id(a), id(b)) in seen:
        return []
    seen[(id(a), id(b))] = (a, b)  # holds the pair, so that no id is reused meanwhile
    if type(a) is not type(b):
        return [f"{path}: {type(a).__name__} != {type(b).__name__}"]
    if isinstance(a, str | int | float | bytes | type(None) | type | types.FunctionType
                  | types.BuiltinFunctionType):
        same = a == b or (a != a and b != b)  # noqa: PLR0124 - NaN
        return [] if same or ALLOWED.search(path) else [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, types.MethodType):
        return [] if a.__func__ is b.__func__ else [f"{path}: another method"]
    if isinstance(a, dict):
        if list(a) != list(b):
            return [f"{path}: other keys or order"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}[{k!r}]", seen)]
    if isinstance(a, list | tuple | collections.deque):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{path}[{i}]", seen)]
    if isinstance(a, set | frozenset):
        # Only the members: a set's order comes from its history, which neither a copy
        # nor a restore from bytes keeps either.
        return [] if a == b else [f"{path}: another set"]
    state_a, state_b = a.__reduce_ex__(4), b.__reduce_ex__(4)
    return differences(list(state_a[1:]), list(state_b[1:]), path, seen)


@pytest.fixture
def cluster_file(tmp_path: Path) -> Path:
    (tmp_path / "agent.yaml").write_text(AGENT)
    path = tmp_path / "big.yaml"
    path.write_text(CLUSTER)
    return path


@pytest.fixture
def pickles(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the clusters copied for the guard or undo."""
    calls: list[int] = []
    real = UndoEntry.of

    def counting(cluster, namespace):  # noqa: ANN001, ANN202
        calls.append(1)
        return real(cluster, namespace)

    monkeypatch.setattr(UndoEntry, "of", counting)
    return calls


def _session(path: Path | None, mode: str = "manual") -> Session:
    opts = ShellOptions(cluster_file=str(path) if path else None, nodes=None if path else 3)
    factory = cluster_factory(opts, mode, [])
    return Session(factory(), reset_factory=factory, rebuildable=True)


@pytest.mark.parametrize("with_file", [True, False])
def test_the_factory_builds_the_same_cluster_every_time(cluster_file: Path,
                                                        with_file: bool) -> None:
    factory = cluster_factory(ShellOptions(cluster_file=str(cluster_file) if with_file else None),
                              "manual", [])
    first, second = factory(), factory()
    assert _state(first) == _state(second)
    assert differences(first, second) == []


def test_a_live_build_does_not_depend_on_how_long_it_takes() -> None:
    """The build runs on a stopped clock, then follows wall time from its end."""
    walls = [[0.0], [0.0]]

    def slow(wall: list[float]) -> float:
        wall[0] += 0.37  # every look at the wall clock: 0.37 s later
        return wall[0]

    built = [build_cluster(default_spec(3), clock=Clock(mode="live", wall=lambda w=w: slow(w)))
             for w in walls]
    assert built[0].clock.mode == built[1].clock.mode == "live"
    assert built[0].clock.now() == built[1].clock.now()
    for cluster in built:  # export_state reads the clock: stop it at the same instant
        cluster.clock.mode = "manual"
    assert _state(built[0]) == _state(built[1])
    built[1].clock._wall = built[0].clock._wall
    assert differences(built[0], built[1]) == []


@pytest.mark.parametrize("with_file", [True, False])
def test_reads_and_the_first_write_copy_nothing_and_undo_restores_exactly(
        cluster_file: Path, pickles: list[int], with_file: bool) -> None:
    session = _session(cluster_file if with_file else None)
    before, original = _state(session.cluster), copy.deepcopy(session.cluster)
    for _ in range(3):
        assert session.handle_line("kubectl get pods -A").ok
    assert session.handle_line("node add extra").ok
    assert pickles == []  # the write's undo entry is the rebuild too
    assert session.handle_line("kubectl get nodes").ok
    assert pickles == [1]  # changed: from here on, copies as before
    assert session.undo() == "node add extra"
    assert _state(session.cluster) == before
    assert differences(session.cluster, original) == []
    # The rebuilt cluster is the factory's again: reads still copy nothing.
    assert session.handle_line("kubectl get nodes").ok
    assert pickles == [1]


def test_a_failing_read_is_put_back_by_a_rebuild(cluster_file: Path, pickles: list[int]) -> None:
    def get_that_breaks(cluster, text, **kw):  # noqa: ANN001, ANN202
        # A renderer that edits a stored object in place, then fails.
        cluster.store.get("Node", "", "worker-1")["metadata"]["labels"]["broken"] = "yes"
        cluster.store.remove(cluster.store.get("Node", "", "worker-2"))
        raise RuntimeError("injected")

    session = _session(cluster_file)
    before, original = _state(session.cluster), copy.deepcopy(session.cluster)
    session._kubectl = get_that_breaks
    out = session.handle_line("kubectl get nodes")
    assert (out.exit_code, out.stderr) == (1, INTERNAL)
    assert _state(session.cluster) == before
    assert differences(session.cluster, original) == []
    assert session.undo_stack == [] and pickles == []


def test_a_failing_write_after_a_change_is_put_back_from_bytes(cluster_file: Path,
                                                               pickles: list[int]) -> None:
    session = _session(cluster_file)
    assert session.handle_line("kubectl label node worker-1 a=b").ok
    changed = _state(session.cluster)

    session._kubectl = apply_that_breaks()
    assert session.handle_line("kubectl apply -f x.yaml").stderr == INTERNAL
    assert _state(session.cluster) == changed
    assert pickles == [1]


def test_reset_is_undone_and_its_cluster_copies_nothing(cluster_file: Path,
                                                        pickles: list[int]) -> None:
    session = _session(cluster_file)
    start = _state(session.cluster)
    assert session.handle_line("node add extra").ok
    changed = _state(session.cluster)
    assert session.handle_line("reset").ok
    assert pickles == [1]  # what reset replaced is kept for undo
    assert _state(session.cluster) == start
    assert session.handle_line("kubectl get nodes").ok
    assert pickles == [1]
    assert session.undo() == "reset"
    assert _state(session.cluster) == changed


def test_a_live_clock_is_restored_as_it_stood(pickles: list[int]) -> None:
    wall = [100.0]
    opts = ShellOptions(nodes=2)
    factory = cluster_factory(opts, "live", [])

    def build() -> object:
        cluster = factory()
        cluster.clock._wall = lambda: wall[0]  # the test moves wall time by hand
        cluster.clock.rebase()
        return cluster

    session = Session(build(), reset_factory=build, rebuildable=True)  # type: ignore[arg-type]
    clock = session.cluster.clock
    stood = (clock._now, clock._wall_base, clock._virtual_base)
    wall[0] += 5.0
    assert session.handle_line("node add extra").ok
    assert session.cluster.clock.now() == stood[0] + 5.0
    assert session.undo() == "node add extra"
    restored = session.cluster.clock
    assert (restored.mode, restored._now, restored._wall_base, restored._virtual_base) == (
        "live", *stood)
    assert session.cluster.find("Node", "", "extra") is None
    assert pickles == []


def test_the_comparison_sees_a_change_deep_inside(cluster_file: Path) -> None:
    session = _session(cluster_file)
    other = copy.deepcopy(session.cluster)
    assert differences(session.cluster, other) == []
    other.store.get("Node", "", "worker-1")["metadata"]["labels"]["x"] = "y"
    other.kubelet.nodes["worker-2"].next_ip += 1
    found = differences(session.cluster, other)
    assert len(found) == 2 and "worker-1" in found[0] and "next_ip" in found[1]


def test_start_freezes_its_cluster_and_a_replaced_one_can_be_collected() -> None:
    import gc
    import weakref

    from dstutor.shell import startup

    gc.unfreeze()
    try:
        session = startup.start(ShellOptions(nodes=1), interactive=False).session
        assert gc.get_freeze_count() > 0 and gc.isenabled()
        first = weakref.ref(session.cluster)
        assert session.handle_line("reset").ok
        assert gc.get_freeze_count() == 0
        assert session.handle_line("kubectl get nodes").ok  # the guard moves on too
        session.undo_stack.clear()
        gc.collect()
        assert first() is None
    finally:
        gc.unfreeze()


def test_a_changed_cluster_is_not_held_for_a_rebuild(cluster_file: Path,
                                                     pickles: list[int]) -> None:
    import gc
    import weakref

    session = _session(cluster_file)
    first = weakref.ref(session.cluster)
    assert session.handle_line("node add extra").ok
    assert session.handle_line("node add more").ok  # pickles the changed cluster
    assert session.undo() == "node add more"  # a cluster from those bytes
    assert session.handle_line("kubectl get nodes").ok
    session.undo_stack.clear()
    gc.collect()
    assert first() is None
    assert pickles == [1]


def test_run_leaves_nothing_frozen_for_a_caller_that_goes_on() -> None:
    import gc
    import io

    from dstutor.shell import startup

    out = io.StringIO()
    status = startup.run(ShellOptions(nodes=1), stdin=io.StringIO("kubectl get nodes -o name\n"),
                         stdout=out, stderr=io.StringIO(), interactive=False)
    assert (status, out.getvalue()) == (0, "node/control-plane\nnode/worker-1\n")
    assert gc.get_freeze_count() == 0
    assert startup._REFREEZE_AT_EXIT  # a process that ends freezes again, to end at once


@pytest.mark.parametrize("with_file", [True, False])
def test_a_change_the_guard_key_cannot_see_ends_the_pristine_state(cluster_file: Path,
                                                                  with_file: bool) -> None:
    """`node fail` moves neither the revision nor the clock. The cluster after it is no
    longer the factory's: an undo entry taken after it must not rebuild the cluster from
    the factory (which would bring the failed node's kubelet back)."""
    session = _session(cluster_file if with_file else None)
    failed = "worker-2"
    for line in (f"node fail {failed}", "advance 60s", "undo", "advance 60s"):
        result = session.handle_line(line)
        assert result.exit_code == 0, result.stderr
    node = session.cluster.find("Node", "", failed)
    assert node is not None
    ready = [c for c in node["status"]["conditions"] if c["type"] == "Ready"]
    assert ready and ready[0]["status"] == "Unknown"  # NodeStatusUnknown after the grace
    assert not session.cluster.node_is_up(failed)
