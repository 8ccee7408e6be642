"""Issue 12: checks judge effect and intent, and the tutor says what went wrong at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lesson_paths import COURSE, course_reports
from typer.testing import CliRunner

from dstutor.cli.lessons import lesson_app
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner
from dstutor.lessons.validate import check_file


def runner_for(name: str, home: Path, **kw: object) -> LessonRunner:
    runner = LessonRunner(load_lesson(COURSE / name), ProgressStore(home / "p.json"),
                          **kw)  # type: ignore[arg-type]
    runner.start()
    return runner


def say(runner: LessonRunner, *lines: str) -> str:
    return "".join(runner.handle_line(line).stdout for line in lines)


def test_an_empty_listing_does_not_pass_and_says_why(dstutor_home: Path) -> None:
    r = runner_for("01-what-is-a-daemonset.yaml", dstutor_home)
    out = say(r, "kubectl get ds")
    assert "not yet: `kubectl get ds` looked only in namespace default" in out
    assert "add -A" in out
    assert r.index == 0
    assert "✓ Step 1 done" in say(r, "kubectl get ds -A")


def test_a_delete_in_the_wrong_namespace_does_not_pass(dstutor_home: Path) -> None:
    r = runner_for("01-what-is-a-daemonset.yaml", dstutor_home)
    r.handle_line("skip")
    r.handle_line("skip")
    r.handle_line("answer b")
    assert r.step is not None and r.step.id == "self-healing"
    out = say(r, "kubectl delete pods -l app=node-logger")
    assert "not yet: `kubectl delete pods -l app=node-logger` addressed namespace default" in out
    assert r.step.id == "self-healing"
    pod = r.executor.cluster.pods_of("node-logger", "kube-system")[0]["metadata"]["name"]
    out = say(r, f"kubectl delete pod {pod} -n kube-system")
    assert "belongs to DaemonSet" not in out
    out = say(r, "kubectl delete pods -n kube-system -l app=node-logger",
              "kubectl rollout status ds/node-logger -n kube-system")
    assert "✓ Step 4 done" in out
    # The step asked for this delete: kubectl's "it comes back" warning is not repeated.
    assert "belongs to DaemonSet" not in out


def test_a_number_typed_early_is_a_prediction(dstutor_home: Path) -> None:
    r = runner_for("01-what-is-a-daemonset.yaml", dstutor_home)
    say(r, "kubectl get ds -A")
    assert r.step is not None and r.step.predict is not None
    assert "Noted: you predict 3" in say(r, "3")


def test_the_intro_names_the_command_a_prediction_is_about() -> None:
    from dstutor.lessons._text import step_intro

    text = step_intro(load_lesson(COURSE / "03-node-selection.yaml"), 2)
    assert "When you run `kubectl label`, you will first be asked to predict" in text


def test_a_prediction_is_scored_against_the_steps_command(dstutor_home: Path) -> None:
    r = runner_for("03-node-selection.yaml", dstutor_home)
    for _ in range(2):
        r.handle_line("skip")
    assert r.step is not None and r.step.id == "add-gpu"
    say(r, "kubectl label node worker-3 gpu=True")
    out = say(r, "2")
    assert ("The step's command, `kubectl label node worker-3 gpu=true`, gives 2 (right). "
            "Yours gave 1: it has `gpu=True` where the step's has `gpu=true`.") in out
    assert "You predicted 2; the answer is 1" not in out


def test_a_label_with_the_wrong_value_says_how_to_replace_it(dstutor_home: Path) -> None:
    r = runner_for("03-node-selection.yaml", dstutor_home)
    out = say(r, "kubectl label node worker-2 gpu=True")
    assert "it has gpu=True" in out and "--overwrite" in out
    assert "✓ Step 1 done" in say(r, "kubectl label node worker-2 gpu=true --overwrite")


def test_not_yet_is_grouped_per_reason(dstutor_home: Path) -> None:
    r = runner_for("06-rolling-updates.yaml", dstutor_home)
    out = say(r, "kubectl set image ds/node-logger filebeat=docker.elastic.co/beats/"
                 "filebeat:8.11.0 -n kube-system", "4")
    # One line for the four pods still on the old image, not one per node.
    assert out.count("run docker.elastic.co/beats/filebeat:8.10.0") <= 1
    assert out.count("\nin progress:") + out.count("\nnot yet:") <= 3


def test_blank_expected_values_are_named() -> None:
    from dstutor.lessons.checks import World, run_check
    from dstutor.sim.clusterfile import default_cluster

    c = default_cluster()
    node = c.get("Node", "", "worker-1")
    node["spec"]["unschedulable"] = True
    c.update(node)
    out = run_check("field_equals", World(c), {"type": "Node", "name": "worker-1",
                                               "path": ".spec.unschedulable",
                                               "one_of": ["", "false"]})
    assert out.message.endswith("is true, expected <not set> or false")


def test_exercises_keep_answers_to_themselves_and_show_the_score(tmp_path: Path) -> None:
    script = "\n".join(["kubectl set image ds/node-logger filebeat=docker.elastic.co/beats/"
                        "filebeat:8.11.0 -n kube-system", "check", "goal", "hint", "solution",
                        "progress", "solution", "progress"]) + "\n"
    result = CliRunner().invoke(lesson_app, ["run", "23", "--course", str(COURSE)],
                                input=script)
    out = result.output
    assert "which is not what the task asks for" in out
    assert "a command the task asks for has not been run (successfully) yet" in out
    assert "rollout history" not in out.split("Task:", 1)[1].split("Hint 1/")[0]
    assert "8.10.0" not in out.split("Task:", 1)[1].split("Solution for")[0]
    assert "`solution` gives up this step: it then earns 0 of its 100 points" in out
    assert "hints: 1 × 5 = -5 points" in out
    assert "(solution shown: 0)" in out and "score now: 0 of 100" in out


def test_exercise_22_grades_the_rollout_not_only_the_end(dstutor_home: Path) -> None:
    from dstutor.classroom.scoreview import exercise_hooks

    lesson = load_lesson(COURSE / "22-ex-safe-rollout.yaml")
    hooks = exercise_hooks(lesson)
    r = runner_for("22-ex-safe-rollout.yaml", dstutor_home, exercise=hooks)
    say(r, "kubectl set image ds/node-logger filebeat=docker.elastic.co/beats/filebeat:8.11.0"
           " -n kube-system", "kubectl rollout status ds/node-logger -n kube-system")
    out = r.handle_line("check").stdout
    assert "2 of 3 node-logger pods were unavailable at once (at most 1 allowed)" in out
    assert "score now:" in r.handle_line("progress").stdout


def _lesson_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    for sub in ("manifests", "clusters"):
        shutil.copytree(COURSE / sub, tmp_path / sub)
    path = tmp_path / name
    text = (COURSE / name).read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def test_lesson_check_catches_the_lesson_08_race(tmp_path: Path) -> None:
    path = _lesson_copy(tmp_path, "08-broken-image.yaml",
                        "    - kubectl rollout status ds/node-logger -n kube-system\n", "")
    problems = "\n".join(check_file(path).problems)
    assert "expect 'stuck-after-one-node' does not hold after the setup" in problems
    assert "updatedNumberScheduled is 3, expected 1" in problems


def test_lesson_check_catches_a_false_pass(tmp_path: Path) -> None:
    # The old lesson 01 check: any `get ds` passed.
    path = _lesson_copy(tmp_path, "01-what-is-a-daemonset.yaml",
                        "        all_namespaces: true\n        shows: kube-proxy\n",
                        "        allow_noop: true\n")
    problems = "\n".join(check_file(path).problems)
    assert "wrong attempt ['kubectl get ds'] passes the step: a false pass" in problems


def test_every_guided_step_needs_a_wrong_attempt_with_a_message(tmp_path: Path) -> None:
    path = _lesson_copy(tmp_path, "02-nodes-join-and-leave.yaml",
                        "        message: \"worker-4 is not a node of this cluster\"\n", "")
    problems = "\n".join(check_file(path).problems)
    assert "needs a `message`" in problems
    text = (COURSE / "10-daemonset-or-deployment.yaml").read_text()
    start = text.index("    wrong:\n", text.index("- id: new-node"))
    end = text.index("    expect:", start)
    path = tmp_path / "10-daemonset-or-deployment.yaml"
    path.write_text(text[:start] + text[end:])
    problems = "\n".join(check_file(path).problems)
    assert "step 'new-node': every step needs at least one known-wrong attempt" in problems


# With test_lessons_course's `lesson check --frozen`: one process checks the course once.
@pytest.mark.xdist_group("course-check")
def test_the_course_makes_every_known_mistake_in_a_wrong_attempt() -> None:
    from dstutor.lessons.mistakes import MISTAKE_NAMES

    reports = course_reports()  # check_paths([COURSE]), once per process
    assert not [w for r in reports for w in r.warnings if "known mistake" in w]
    assert set(MISTAKE_NAMES) <= set().union(*(r.mistakes for r in reports))


def test_command_run_before_counts_only_earlier_commands() -> None:
    from dstutor.lessons.checks import CommandRecord, World, run_check
    from dstutor.sim.clusterfile import default_cluster

    def rec(line: str) -> CommandRecord:
        return CommandRecord(line, 0, "out\n", changed=True)

    p = {"pattern": r"rollout status", "before": r"^kubectl delete ds"}
    c = default_cluster()
    late = run_check("command_run", World(c, [rec("kubectl delete ds x"),
                                              rec("kubectl rollout status ds/y")]), p)
    assert not late.passed and "came too late" in late.message
    early = World(c, [rec("kubectl rollout status ds/y"), rec("kubectl delete ds x")])
    assert run_check("command_run", early, p).passed


def test_prediction_answers_stay_out_of_the_command_history(dstutor_home: Path,
                                                            monkeypatch: object) -> None:
    import pytest

    from dstutor.cli import lessons as cli

    asked: list[str] = []

    class Fake:
        def __init__(self, **_kw: object) -> None:
            pass

        def prompt(self, message: str) -> str:
            asked.append(message)
            return "3"

    mp = pytest.MonkeyPatch()
    try:
        mp.setattr(cli, "_shell_prompt", lambda runner, no_color=False: None)
        mp.setattr("prompt_toolkit.PromptSession", Fake)
        r = runner_for("01-what-is-a-daemonset.yaml", dstutor_home)
        ask = cli._make_ask(r)
        r.pending = "kubectl apply -f -"
        assert ask(r.prompt) == "3"
        assert asked == ["your prediction (a number)> "]  # a separate, in-memory history
    finally:
        mp.undo()


def test_pods_on_nodes_groups_nodes_and_checks_state_and_node_ip() -> None:
    from dstutor.lessons.checks import World, run_check
    from dstutor.sim.clusterfile import default_cluster

    c = default_cluster()
    from dstutor import yamlio

    c.create(yamlio.load_one((COURSE / "manifests" / "node-logger.yaml").read_text(), "x"))
    c.settle()  # created, not started: every pod is still starting
    p = {"daemonset": "node-logger", "namespace": "kube-system",
         "nodes": ["worker-1", "worker-2", "worker-3"], "ready": True}
    out = run_check("pods_on_nodes", World(c), p)
    assert "the pods on worker-1, worker-2, worker-3 are" in out.message
    assert out.message.count("not Ready yet") == 1 and out.transient
    c.advance()
    subset = {"daemonset": "node-logger", "namespace": "kube-system", "nodes": ["worker-1"],
              "subset": True, "state": "Running"}
    assert run_check("pods_on_nodes", World(c), subset).passed
    exam = run_check("pods_on_nodes", World(c, exam=True),
                     {**subset, "image": "busybox:9", "state": "Running"})
    assert "not the image the task asks for" in exam.message and "busybox" not in exam.message
    ip = run_check("pods_on_nodes", World(c), {**subset, "node_ip": True})
    assert not ip.passed and "not the node's 172.18.0." in ip.message  # not hostNetwork


def test_a_transcript_that_was_not_regenerated_fails_the_check(tmp_path: Path) -> None:
    name = "02-nodes-join-and-leave"
    for sub in ("manifests", "transcripts"):
        shutil.copytree(COURSE / sub, tmp_path / sub)
    shutil.copy(COURSE / f"{name}.yaml", tmp_path)
    lesson = tmp_path / f"{name}.yaml"
    args = ["check", "--frozen", str(lesson)]
    assert CliRunner().invoke(lesson_app, args).exit_code == 0
    lesson.write_text(lesson.read_text().replace("DESIRED dropped to 3 at once",
                                                 "DESIRED dropped to 3 right away"))
    result = CliRunner().invoke(lesson_app, args)
    assert result.exit_code == 1
    assert f"transcript {name}.txt is out of date" in result.output
    result = CliRunner().invoke(lesson_app, ["check", str(lesson)])  # regenerates it
    assert result.exit_code == 0 and "wrote" in result.output
    assert "right away" in (tmp_path / "transcripts" / f"{name}.txt").read_text()
    assert CliRunner().invoke(lesson_app, args).exit_code == 0


def test_command_run_target_node_follows_the_pod_a_command_read() -> None:
    from dstutor.lessons.checks import World, run_check

    cluster, records = _ran_lines("kubectl logs ds/node-logger -n kube-system --tail=1")
    picked = records[0].stderr.split("pod/")[1].split()[0]
    node = cluster.find("Pod", "kube-system", picked)["spec"]["nodeName"]
    other = next(n for n in ("worker-1", "worker-2", "worker-3") if n != node)
    p = {"verb": "logs", "namespace": "kube-system"}
    assert run_check("command_run", World(cluster, records), {**p, "target_node": node}).passed
    miss = run_check("command_run", World(cluster, records), {**p, "target_node": other})
    assert not miss.passed and miss.near_miss
    assert f"read pod {picked} on {node}, not the pod on {other}" in miss.message


def _ran_lines(*lines: str) -> tuple[object, list]:  # type: ignore[type-arg]
    from dstutor import yamlio
    from dstutor.lessons._exec import make_executor
    from dstutor.lessons.sandbox import run_one
    from dstutor.sim.clusterfile import default_cluster

    c = default_cluster()
    c.create(yamlio.load_one((COURSE / "manifests" / "node-logger.yaml").read_text(), "x"))
    c.advance()
    executor = make_executor(c)
    return c, [run_one(executor, line) for line in lines]


def test_the_first_command_of_a_longer_solution_is_progress_not_a_wrong_attempt(
        dstutor_home: Path) -> None:
    r = runner_for("10-daemonset-or-deployment.yaml", dstutor_home)
    out = say(r, "kubectl create deployment web --image=nginx:1.27 --replicas=2")
    assert "still to do: .spec.replicas of Deployment default/web is 2, expected 5" in out
    assert r.progress.step("deployment").attempts == 0
    out = say(r, "kubectl scale deployment web --replicas=4")
    assert "not yet:" in out and r.progress.step("deployment").attempts == 1


def test_a_different_manifest_is_scored_against_the_steps_own(dstutor_home: Path) -> None:
    r = runner_for("06-rolling-updates.yaml", dstutor_home)
    for _ in range(2):
        r.handle_line("skip")
    assert r.step is not None and r.step.id == "percent"
    mine = r.step.solution[0].replace('maxUnavailable: "50%"', "maxUnavailable: 1")
    say(r, mine)
    out = say(r, "2")
    assert "The step's command, `kubectl apply -f - <<EOF`, gives 2 (right). Yours gave 4" in out
    assert 'it has `maxUnavailable: 1` where the step\'s has `maxUnavailable: "50%"`' in out
