"""Each check kind in both directions, its goal text, and the loader's schema errors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dstutor.errors import LessonError
from dstutor.lessons.checks import CHECKS, CommandRecord, World, run_check
from dstutor.lessons.loader import find_lesson, load_lesson
from dstutor.lessons.mistakes import find_mistakes, version_warnings
from dstutor.sim.cluster import Cluster
from dstutor.sim.clusterfile import default_cluster

NODE_LOGGER = (Path(__file__).resolve().parents[2] / "lessons" / "manifests"
               / "node-logger.yaml")


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    from dstutor import yamlio

    c = default_cluster()
    c.create(yamlio.load_one(NODE_LOGGER.read_text(), "node-logger.yaml"))
    c.advance()
    yield c


def outcome(cluster: Cluster, kind: str, commands: tuple[str, ...] = (), **params: Any):  # type: ignore[no-untyped-def]
    # Commands that printed and changed something; their effect is tested separately.
    world = World(cluster, [CommandRecord(c, 0, "(output)\n", changed=True) for c in commands])
    return run_check(kind, world, params)


def _ran(*lines: str) -> tuple[Cluster, list[CommandRecord]]:
    """A fresh cluster with node-logger, and what each line really printed and did."""
    from dstutor import yamlio
    from dstutor.lessons._exec import make_executor
    from dstutor.lessons.sandbox import run_one

    c = default_cluster()
    c.create(yamlio.load_one(NODE_LOGGER.read_text(), "node-logger.yaml"))
    c.advance()
    executor = make_executor(c)
    return c, [run_one(executor, line) for line in lines]


@pytest.mark.parametrize(("line", "params", "says"), [
    ("kubectl get ds", {"verb": "get", "resource": "daemonset", "all_namespaces": True},
     "looked only in namespace default; this step is about all namespaces: add -A"),
    ("kubectl get ds -n default", {"verb": "get", "resource": "daemonset"},
     "listed nothing (No resources found in default namespace.)"),
    ("kubectl delete pods -l app=node-logger", {"verb": "delete", "resource": "pod"},
     "changed nothing (No resources found)"),
    ("kubectl delete pods -l app=node-logger",
     {"verb": "delete", "resource": "pod", "namespace": "kube-system"},
     "addressed namespace default, but this step is about namespace kube-system"),
    ("kubectl get pods -A", {"verb": "get", "shows": "no-such-pod", "shows_what": "the pod"},
     "did not show the pod"),
])
def test_command_run_judges_effect_and_intent(line: str, params: dict[str, Any],
                                              says: str) -> None:
    cluster, records = _ran(line)
    result = run_check("command_run", World(cluster, records), params)
    assert not result.passed
    assert result.near_miss  # the runner tells the learner at once
    assert says in result.message, result.message


def test_command_run_passes_a_command_that_did_it() -> None:
    cluster, records = _ran("kubectl get ds -A", "kubectl delete pods -n kube-system -l app=node-logger",
                            "kubectl config set-context --current --namespace=kube-system",
                            "kubectl delete pods -l app=node-logger")
    world = World(cluster, records)
    assert run_check("command_run", world, {"verb": "get", "all_namespaces": True}).passed
    assert run_check("command_run", World(cluster, records[1:2]),
                     {"verb": "delete", "namespace": "kube-system"}).passed
    # The context's namespace counts as addressed, as kubectl uses it.
    assert run_check("command_run", World(cluster, records[2:]),
                     {"verb": "delete", "namespace": "kube-system"}).passed
    # A failed command is no near miss to explain: kubectl's own error said it.
    cluster, failed = _ran("kubectl get nosuchthing")
    outcome = run_check("command_run", World(cluster, failed), {"verb": "get"})
    assert not outcome.passed and not outcome.near_miss


def test_pods_on_nodes_passes_and_explains_misses(cluster: Cluster) -> None:
    ok = outcome(cluster, "pods_on_nodes", daemonset="node-logger", namespace="kube-system",
                 nodes=["worker-1", "worker-2", "worker-3"], ready=True)
    assert ok.passed, ok.message
    miss = outcome(cluster, "pods_on_nodes", daemonset="node-logger", namespace="kube-system",
                   nodes=["control-plane", "worker-1", "worker-2", "worker-3"])
    assert not miss.passed
    assert ("control-plane has none: taint node-role.kubernetes.io/control-plane:NoSchedule "
            "is not tolerated") in miss.message
    extra = outcome(cluster, "pods_on_nodes", daemonset="node-logger", namespace="kube-system",
                    nodes=["worker-1", "worker-2"])
    assert "worker-3 still runs one: nothing in the DaemonSet keeps it off that node" in \
        extra.message
    assert extra.compared == (("nodes", "worker-1, worker-2", "worker-1, worker-2, worker-3"),)
    selected = outcome(cluster, "pods_on_nodes", daemonset="node-logger",
                       namespace="kube-system", node_selector="!node-role.kubernetes.io/control-plane")
    assert selected.passed
    gone = outcome(cluster, "pods_on_nodes", daemonset="nope", nodes=[])
    assert not gone.passed and "does not exist in namespace default" in gone.message


def test_object_and_field_checks(cluster: Cluster) -> None:
    assert outcome(cluster, "object_exists", type="DaemonSet", name="node-logger",
                   namespace="kube-system").passed
    assert not outcome(cluster, "object_exists", type="DaemonSet", name="node-logger").passed
    assert outcome(cluster, "object_absent", type="Node", name="worker-9").passed
    f = outcome(cluster, "field_equals", type="DaemonSet", name="node-logger",
                namespace="kube-system", path=".spec.updateStrategy.rollingUpdate.maxUnavailable",
                equals="2")
    assert not f.passed
    assert f.message.endswith("is 1, expected 2")
    assert outcome(cluster, "field_equals", type="Node", name="worker-1",
                   path=".spec.unschedulable", absent=True).passed


def test_status_taint_label_and_pod_checks(cluster: Cluster) -> None:
    assert outcome(cluster, "daemonset_status", daemonset="node-logger", namespace="kube-system",
                   desired=3, misscheduled=0, rolled_out=True).passed
    bad = outcome(cluster, "daemonset_status", daemonset="node-logger", namespace="kube-system",
                  desired=4)
    assert "desiredNumberScheduled is 3, expected 4" in bad.message
    assert outcome(cluster, "node_has_taint", node="control-plane",
                   key="node-role.kubernetes.io/control-plane", effect="NoSchedule").passed
    has = outcome(cluster, "node_has_taint", node="control-plane",
                  key="node-role.kubernetes.io/control-plane", effect="NoExecute")
    assert "(it has node-role.kubernetes.io/control-plane:NoSchedule)" in has.message
    assert not outcome(cluster, "node_lacks_taint", node="control-plane",
                       key="node-role.kubernetes.io/control-plane").passed
    assert outcome(cluster, "node_lacks_label", node="worker-1", key="gpu").passed
    assert "does not have label gpu=true" in outcome(cluster, "node_has_label", node="worker-1",
                                                     key="gpu", value="true").message
    assert outcome(cluster, "pods_matching", namespace="kube-system", selector="app=node-logger",
                   count=3, owned=True).passed
    assert "expected 2" in outcome(cluster, "pods_matching", namespace="kube-system",
                                   selector="app=node-logger", count=2).message


def test_command_run_by_pattern_and_by_shape(cluster: Cluster) -> None:
    assert outcome(cluster, "command_run", ("k describe no control-plane",), verb="describe",
                   resource="Node", name="control-plane").passed
    assert not outcome(cluster, "command_run", ("kubectl describe node worker-1",),
                       verb="describe", name="control-plane").passed
    assert outcome(cluster, "command_run", ("kubectl drain worker-1 --ignore-daemonsets",),
                   verb="drain", flags={"ignore-daemonsets": True}).passed
    assert not outcome(cluster, "command_run", ("kubectl drain worker-1",), verb="drain",
                       flags={"ignore-daemonsets": True}).passed
    assert outcome(cluster, "command_run", ("advance 6m",), pattern=r"^advance\s+6m").passed
    failed = World(cluster, [CommandRecord("kubectl get nodes", 1)])
    assert not run_check("command_run", failed, {"verb": "get"}).passed


def test_every_kind_has_a_goal_and_a_scope() -> None:
    for kind in CHECKS.values():
        assert kind.ignores, kind.name


def test_mistakes_are_named() -> None:
    names = [m.name for m in find_mistakes("kubectl create daemonset x --image=y")]
    assert names == ["create-daemonset"]
    assert [m.name for m in find_mistakes("k scale ds x --replicas=3")] == ["scale-daemonset"]
    manifest = ("kubectl apply -f - <<EOF\nkind: DaemonSet\nspec:\n  replicas: 3\n"
                "  updateStrategy:\n    rollingUpdate:\n      maxSurge: 1\nEOF")
    assert {m.name for m in find_mistakes(manifest)} == {"replicas", "surge-alone"}
    assert version_warnings("tolerate node-role.kubernetes.io/master")
    assert not version_warnings("tolerate node-role.kubernetes.io/control-plane")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "01-x.yaml"
    path.write_text(text)
    return path


BASE = """format_version: 1
id: x
title: X
k8s_version: "1.37"
steps:
  - id: one
    checks:
      - {kind: node_has_label, node: worker-1, key: gpu}
    hints: [h]
    solution: [kubectl label node worker-1 gpu=true]
"""


def test_loader_accepts_a_minimal_lesson(tmp_path: Path) -> None:
    lesson = load_lesson(write(tmp_path, BASE))
    assert lesson.steps[0].checks[0].kind == "node_has_label"
    assert find_lesson([lesson], "1") is lesson and find_lesson([lesson], "x") is lesson


@pytest.mark.parametrize(("change", "message"), [
    (("{kind: node_has_label, node: worker-1, key: gpu}",
      "{kind: node_has_label, node: worker-1}"),
     ":8 step 'one': check 'node_has_label': missing parameter 'key'"),
    (("key: gpu}", "key: gpu, colour: red}"),
     ":8 step 'one': check 'node_has_label': unknown parameter 'colour' (allowed: key, node, value)"),
    (("id: one", "id: One"), ":6 step 'One': step id 'One' must be a lowercase slug"),
    (('k8s_version: "1.37"\n', ""), ": missing required field 'k8s_version'"),
    (("format_version: 1", "format_version: yes"),
     ":1: 'format_version' must be a whole number"),
])
def test_loader_errors_name_file_line_and_step(tmp_path: Path, change: tuple[str, str],
                                               message: str) -> None:
    path = write(tmp_path, BASE.replace(*change))
    with pytest.raises(LessonError) as err:
        load_lesson(path)
    assert str(err.value).endswith(message), str(err.value)
    assert "01-x.yaml" in str(err.value)


def test_find_course_prefers_the_option_then_the_checkout(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from dstutor.lessons import loader

    assert loader.find_course(str(tmp_path)) == tmp_path
    assert loader.find_course(None) == loader.checkout_course()
    monkeypatch.setattr(loader, "checkout_course", lambda: tmp_path / "nowhere")
    assert loader.find_course(None) == loader.packaged_course()
    assert loader.packaged_course().parts[-2:] == ("dstutor", "_lessons")


def test_unquoted_k8s_version_is_caught(tmp_path: Path) -> None:
    with pytest.raises(LessonError, match=r"k8s_version '1.3' must look like"):
        load_lesson(write(tmp_path, BASE.replace('k8s_version: "1.37"', "k8s_version: 1.30")))


def test_a_manual_clock_lesson_stays_manual_at_a_terminal(tmp_path: Path) -> None:
    from dstutor.lessons.progress import ProgressStore
    from dstutor.lessons.runner import LessonRunner

    lesson = load_lesson(write(tmp_path, BASE.replace("steps:", "setup: {clock: manual}\nsteps:")))
    runner = LessonRunner(lesson, ProgressStore(tmp_path / "p.json"), live=True)
    assert runner.executor.cluster.clock.mode == "manual"


@pytest.mark.parametrize(("settle", "later"), [("20s", 20.0), ("1m30s", 90.0)])
def test_setup_settle_is_how_long_the_setup_lets_time_pass(tmp_path: Path, settle: str,
                                                            later: float) -> None:
    """A lesson about a loop that never ends opens at its start, not ten minutes in: the
    setup lets exactly `settle` pass after building the cluster (0s: none at all)."""
    from dstutor.lessons.progress import ProgressStore
    from dstutor.lessons.runner import LessonRunner

    def opens_at(value: str) -> float:
        path = write(tmp_path, BASE.replace("steps:", f"setup: {{settle: {value}}}\nsteps:"))
        lesson = load_lesson(path)
        runner = LessonRunner(lesson, ProgressStore(tmp_path / f"p-{value}.json"))
        return runner.executor.cluster.now()

    assert load_lesson(write(tmp_path, BASE.replace(
        "steps:", f"setup: {{settle: {settle}}}\nsteps:"))).setup.settle == later
    assert opens_at(settle) - opens_at("0s") == later
