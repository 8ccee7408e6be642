"""`dstutor plan` from the command line and `plan` in the shell: output, JSON, SVG, bad
inputs (one sentence each), determinism under --seed."""

from __future__ import annotations

import json
import xml.dom.minidom
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dstutor.cli.app import build_app
from dstutor.shell.session import Session
from dstutor.shell.workspace import Workspace
from dstutor.sim.cluster import Cluster
from tests.planner.test_planner_inputs import DAEMONSET, DEPLOYMENT

TOLERANT = DAEMONSET.replace("spec: {containers:", "spec: {tolerations: [{operator: Exists}], "
                             "containers:")


def plan(tmp_path: Path, *args: str, manifest: str = DAEMONSET) -> tuple[int, str, str]:
    path = tmp_path / "ds.yaml"
    if not path.exists():
        path.write_text(manifest, encoding="utf-8")
    result = CliRunner().invoke(build_app(help_markup=False),
                                ["plan", "-f", str(path), *args])
    return result.exit_code, result.stdout, result.stderr


def test_plan_prints_the_table_the_chart_and_the_timeline(tmp_path: Path) -> None:
    code, out, err = plan(tmp_path, "--nodes", "10", "--image-pull", "30s")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Rollout of daemonset default/agent: agent:2.0-previous → agent:2.0"
    assert lines[1].startswith("10 generated nodes (10 run the daemon) · image pull 30s")
    table = "\n".join(lines[3:8])
    assert "maxUnavailable 1 (manifest)  5m20s         1  complete  2.5× slower; 1 node " \
           "without the daemon" in table
    assert "maxUnavailable 25%            2m8s         3  complete  fastest; 3 nodes " \
           "without the daemon" in table
    assert "maxUnavailable 25%" in table and "maxSurge 10%" in table
    # 10% of 10 nodes is 1: the same rollout as the manifest's maxUnavailable 1.
    assert "maxUnavailable 10%           5m20s" in table
    assert "Time to finish, to scale:" in out
    assert " 10% ███" in out and "32s   (1 pod updated)" in out
    assert "100% ██████████████████████████████ 5m20s (10 pods updated)" in out


def test_json_schema(tmp_path: Path) -> None:
    code, out, _ = plan(tmp_path, "--nodes", "6", "--fail", "20%", "--seed", "2",
                        "--image-pull", "30s", "--json", manifest=TOLERANT)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"format", "daemonset", "fleet", "images", "timing", "seed",
                         "failShare", "failures", "strategies", "notes"}
    assert data["format"] == 1
    assert data["daemonset"] == {"namespace": "default", "name": "agent"}
    assert data["fleet"] == {"source": "generated", "nodes": 6, "daemonNodes": 6}
    assert data["images"] == {"old": ["agent:2.0-previous"], "new": ["agent:2.0"],
                              "oldFromCluster": False}
    assert data["timing"] == {"imagePullSeconds": 30, "readyAfterSeconds": 0,
                              "minReadySeconds": 0}
    assert data["seed"] == 2
    assert data["failShare"] == 0.2 and len(data["failures"]) == 2
    assert [s["label"] for s in data["strategies"]] == [
        "maxUnavailable 1 (manifest)", "maxUnavailable 10%", "maxUnavailable 25%",
        "maxSurge 10%"]
    keys = {"label", "own", "updateStrategy", "outcome", "durationSeconds", "desired",
            "finished", "peakUnavailable", "budget", "tenthsSeconds", "failed",
            "rolloutStatus", "why", "tradeOff", "timeline"}
    for s in data["strategies"]:
        assert set(s) == keys
        assert s["outcome"] in ("complete", "failed nodes wait", "stuck", "unfinished")
        assert len(s["tenthsSeconds"]) == 10
        assert all(len(point) == 4 for point in s["timeline"])
    assert data["strategies"][0]["own"] is True
    stuck = data["strategies"][0]
    assert stuck["outcome"] == "stuck"
    assert stuck["why"][0] == ("1 unavailable pod uses up maxUnavailable 1: rolling_update "
                               "deletes no more old pods")


def test_the_same_seed_gives_the_same_plan(tmp_path: Path) -> None:
    args = ("--nodes", "12", "--fail", "10%", "--json")
    first = plan(tmp_path, *args, "--seed", "5", manifest=TOLERANT)[1]
    assert first == plan(tmp_path, *args, "--seed", "5")[1]
    assert first != plan(tmp_path, *args, "--seed", "6")[1]


def test_a_stuck_rollout_says_why(tmp_path: Path) -> None:
    code, out, _ = plan(tmp_path, "--nodes", "6", "--fail", "20%", "--seed", "2",
                        "--image-pull", "30s", manifest=TOLERANT)
    assert code == 0
    assert "maxUnavailable 1 (manifest)  1m36s         2  stuck              stuck with 3 " \
           "of 6 nodes done" in out
    assert "maxUnavailable 1 (manifest): stuck after 1m36s" in out
    assert "  rollout status: Waiting for daemon set \"agent\" rollout to finish:" in out
    assert "  why: 1 unavailable pod uses up maxUnavailable 1: rolling_update deletes no " \
           "more old pods" in out
    assert "(NotReady: Kubelet stopped posting node status.)" in out
    assert "  failed nodes: node-" in out


def test_svg_is_written_and_well_formed(tmp_path: Path) -> None:
    target = tmp_path / "plan.svg"
    code, out, err = plan(tmp_path, "--nodes", "5", "--svg", str(target))
    assert code == 0 and err == f"wrote {target}\n"
    text = target.read_text(encoding="utf-8")
    svg = xml.dom.minidom.parseString(text).documentElement
    assert svg.tagName == "svg"
    assert len(svg.getElementsByTagName("polyline")) == 4 * 3  # strategies × curves
    assert "maxUnavailable 1 (manifest): complete" in text


def test_svg_to_a_missing_folder_is_one_sentence(tmp_path: Path) -> None:
    code, _, err = plan(tmp_path, "--nodes", "2", "--svg", str(tmp_path / "no" / "x.svg"))
    assert code == 1
    assert err == f"error: cannot write {tmp_path / 'no' / 'x.svg'}: No such file or directory\n"


@pytest.mark.parametrize(("args", "message"), [
    (("--nodes", "10", "--fail", "2"),
     'error: bad --fail "2": use a percentage of the nodes, like 1% or 0.5%'),
    (("--nodes", "10", "--image-pull", "thirty"),
     'error: bad --image-pull "thirty": use a duration like 30s, 2m or 1m30s'),
    (("--nodes", "10", "--ready-after", "10"),
     'error: bad --ready-after "10": use a duration like 30s, 2m or 1m30s'),
    (("--nodes", "0"), "error: --nodes must be between 1 and 5000, not 0"),
    ((), "error: say how big the fleet is: --nodes N, or --cluster FILE"),
])
def test_bad_inputs_get_one_sentence(tmp_path: Path, args: tuple[str, ...],
                                     message: str) -> None:
    code, out, err = plan(tmp_path, *args)
    assert (code, out, err) == (1, "", message + "\n")


def test_a_missing_manifest(tmp_path: Path) -> None:
    result = CliRunner().invoke(build_app(help_markup=False),
                                ["plan", "-f", str(tmp_path / "nope.yaml"), "--nodes", "3"])
    assert result.exit_code == 1
    assert result.stderr == f'error: the path "{tmp_path / "nope.yaml"}" does not exist\n'


def test_a_manifest_without_a_daemonset(tmp_path: Path) -> None:
    code, out, err = plan(tmp_path, "--nodes", "3", manifest=DEPLOYMENT)
    assert code == 1 and out == ""
    assert err == (f"error: {tmp_path / 'ds.yaml'} has no DaemonSet (only Deployment); "
                   "dstutor plan plans the rollout of a DaemonSet\n")


def test_a_missing_cluster_file(tmp_path: Path) -> None:
    code, _, err = plan(tmp_path, "--cluster", str(tmp_path / "c.yaml"))
    assert code == 1
    assert err == f'error: the path "{tmp_path / "c.yaml"}" does not exist\n'


CLUSTER = """\
apiVersion: dstutor/v1
kind: Cluster
nodes:
  - {name: a-1}
  - {name: a-2}
  - {name: a-3, labels: {gpu: "yes"}}
manifests: [old.yaml]
"""


def test_a_cluster_file_brings_its_nodes_and_the_old_version(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(DAEMONSET.replace("agent:2.0", "agent:1.9"),
                                       encoding="utf-8")
    (tmp_path / "c.yaml").write_text(CLUSTER, encoding="utf-8")
    code, out, err = plan(tmp_path, "--cluster", str(tmp_path / "c.yaml"), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["fleet"] == {"source": "cluster file", "nodes": 3, "daemonNodes": 3}
    assert data["images"] == {"old": ["agent:1.9"], "new": ["agent:2.0"],
                              "oldFromCluster": True}
    assert data["strategies"][0]["durationSeconds"] == 3 * 4  # 1 + 2 + 1 s a node


def test_the_same_template_has_nothing_to_roll_out(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(DAEMONSET, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(CLUSTER, encoding="utf-8")
    code, _, err = plan(tmp_path, "--cluster", str(tmp_path / "c.yaml"))
    assert code == 1
    assert err == ('error: daemonset "agent" already runs this template: there is nothing '
                   "to roll out\n")


# --- the shell word ----------------------------------------------------------------------

def session(tmp_path: Path) -> Session:
    (tmp_path / "ds.yaml").write_text(TOLERANT, encoding="utf-8")
    return Session(Cluster(), workspace=Workspace.at(tmp_path))


def test_plan_in_the_shell_reads_the_workspace_and_leaves_the_cluster_alone(
        tmp_path: Path) -> None:
    s = session(tmp_path)
    before = s.cluster.store.resource_version()
    out = s.handle_line("plan -f ds.yaml --nodes 4 --image-pull 30s --svg p.svg")
    assert out.ok, out.stderr
    assert out.stdout.startswith("Rollout of daemonset default/agent")
    assert out.stdout.endswith("wrote p.svg\n")
    assert (tmp_path / "p.svg").exists()
    assert s.cluster.store.resource_version() == before
    assert out.renderable is not None


def test_plan_in_the_shell_json_and_errors(tmp_path: Path) -> None:
    s = session(tmp_path)
    out = s.handle_line("plan -f ds.yaml --nodes 3 --json")
    assert json.loads(out.stdout)["fleet"]["nodes"] == 3
    assert s.handle_line("plan -f ds.yaml --nodes 0").stderr == \
        "error: --nodes must be between 1 and 5000, not 0"
    assert s.handle_line("plan -f ds.yaml --nodes x").stderr == \
        "error: --nodes needs a whole number"
    assert s.handle_line("plan --nodes 3").stderr == \
        "error: plan needs the DaemonSet manifest: plan -f FILE --nodes N"
    assert s.handle_line("plan -f gone.yaml --nodes 3").stderr == \
        "plan: gone.yaml: No such file or directory"
    assert s.handle_line("plan -f ds.yaml --nodes 3 --fail 1").stderr == \
        'error: bad --fail "1": use a percentage of the nodes, like 1% or 0.5%'


def test_the_manifest_may_come_from_stdin(tmp_path: Path) -> None:
    result = CliRunner().invoke(build_app(help_markup=False),
                                ["plan", "-f", "-", "--nodes", "2", "--json"], input=DAEMONSET)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["fleet"]["nodes"] == 2


def test_completion_knows_plans_flags() -> None:
    from dstutor.shell.suggest import complete

    assert "--image-pull" in complete("plan -f ds.yaml --im").texts
    assert complete("plan -f ", None).path  # a file name after -f
    assert complete("plan --json --svg ", None).path  # --json takes no value


@pytest.mark.parametrize(("seconds", "text"), [(0, "0s"), (42, "42s"), (320, "5m20s"),
                                               (6400, "1h46m40s"), (90061, "1d1h1m1s"),
                                               (None, "-")])
def test_duration_text(seconds: float | None, text: str) -> None:
    from dstutor.planner.view import duration_text

    assert duration_text(seconds) == text
