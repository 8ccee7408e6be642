"""A learner's session: wrong attempts, escalating hints, quizzes, predictions, quit and resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lesson_paths import COURSE
from typer.testing import CliRunner

from dstutor.cli.lessons import lesson_app
from dstutor.lessons.loader import load_lesson
from dstutor.lessons.progress import ProgressStore
from dstutor.lessons.runner import LessonRunner
from dstutor.lessons.schema import Lesson

TAINTS = COURSE / "04-taints.yaml"


@pytest.fixture()
def lesson() -> Lesson:
    return load_lesson(TAINTS)


def runner_for(lesson: Lesson, home: Path, **kw: bool) -> LessonRunner:
    runner = LessonRunner(lesson, ProgressStore(home / "progress.json"), **kw)
    runner.start()
    return runner


def say(runner: LessonRunner, *lines: str) -> str:
    return "".join(runner.handle_line(line).stdout for line in lines)


def test_hints_escalate_and_their_use_is_recorded(lesson: Lesson, dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    out = [r.handle_line("hint").stdout for _ in range(4)]
    assert out[0].startswith("Hint 1/3: Which node is missing")
    assert out[1].startswith("Hint 2/3: Taints live on nodes")
    assert out[2].startswith("Hint 3/3: kubectl describe node control-plane")
    assert "That was the last hint" in out[2]
    assert "That was the last hint" in out[3]
    assert r.progress.step("observe").hints_used == 3
    saved = json.loads((dstutor_home / "progress.json").read_text())
    assert saved["lessons"]["taints"]["steps"]["observe"]["hints_used"] == 3


def test_a_wrong_attempt_names_what_is_missing(lesson: Lesson, dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    say(r, "kubectl describe node control-plane",
        "kubectl taint node worker-3 dedicated=gpu:NoSchedule", "3")
    assert r.step is not None and r.step.id == "evict"
    out = say(r, "kubectl cordon worker-3")
    assert "not yet: worker-3 does not have taint dedicated=gpu:NoExecute yet" in out
    assert ("worker-3 still runs one" in out
            and "cordon does not move DaemonSet pods: they tolerate "
                "node.kubernetes.io/unschedulable" in out)
    out = say(r, "kubectl taint node worker-3 dedicated=gpu:PreferNoSchedule")
    assert "ignores PreferNoSchedule" in out
    assert r.progress.step("evict").attempts == 2
    reply = r.handle_line("check")
    assert reply.exit_code == 1
    assert "[todo] worker-3 does not have taint dedicated=gpu:NoExecute" in reply.stdout
    goal = r.handle_line("goal").stdout
    assert "nodes: expected worker-1, worker-2" in goal
    assert "now      worker-1, worker-2, worker-3" in goal
    assert "Not compared:" in goal
    out = say(r, "kubectl taint node worker-3 dedicated=gpu:NoExecute")
    assert "✓ Step 3 done" in out and "Step 4/5" in out


def test_the_wrong_toleration_effect_is_named_by_the_tutor(lesson: Lesson,
                                                           dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    for _ in range(3):
        r.handle_line("skip")
    assert r.step is not None and r.step.id == "tolerate"
    wrong = lesson.step("tolerate").wrong[0].commands[0]  # type: ignore[union-attr]
    out = say(r, wrong)
    assert "tutor: your toleration for dedicated has effect NoSchedule" in out
    assert "worker-3 has none: taint dedicated=gpu:NoExecute is not tolerated" in out
    assert r.step.id == "tolerate"


def test_prediction_is_asked_before_the_command_runs(lesson: Lesson, dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    r.handle_line("skip")
    out = say(r, "kubectl taint node worker-3 dedicated=gpu:NoSchedule")
    assert "Before this runs, predict: After `kubectl taint node worker-3" in out
    node = r.executor.cluster.find("Node", "", "worker-3")
    assert node is not None and not node["spec"].get("taints")  # held back
    out = say(r, "2")
    assert "node/worker-3 tainted" in out
    assert "You predicted 2; the answer is 3." in out
    assert r.progress.step("taint-gpu").prediction == {"guess": 2, "answer": 3}


def test_quiz_explains_every_choice(lesson: Lesson, dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    for _ in range(4):
        r.handle_line("skip")
    out = say(r, "answer c")
    assert out.startswith("Not quite. The taint is NoExecute")
    out = say(r, "b")
    assert out.startswith("Right. Every DaemonSet pod gets these tolerations")
    assert "Lesson complete: 5/5 steps (4 skipped)" in out
    assert r.progress.step("not-ready").quiz_answers == ["c", "b"]


def test_progress_survives_quitting_and_run_resumes_with_the_cluster(
        lesson: Lesson, dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    say(r, "kubectl describe node control-plane",
        "kubectl taint node worker-3 dedicated=gpu:NoSchedule", "3", "hint")
    pods = sorted(p["metadata"]["name"] for p in r.executor.cluster.list_live("Pod"))
    assert r.handle_line("quit").finished
    again = LessonRunner(lesson, ProgressStore(dstutor_home / "progress.json"))
    start = again.start().stdout
    assert "Resuming at step 3/5: your 2 earlier commands were replayed." in start
    assert "Step 3/5: Keep every pod off the GPU node" in start
    assert again.progress.step("evict").hints_used == 1
    node = again.executor.cluster.find("Node", "", "worker-3")
    assert node is not None
    assert {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"} in node["spec"]["taints"]
    # The replay is exact: the same pods, down to the generated names.
    assert sorted(p["metadata"]["name"] for p in again.executor.cluster.list_live("Pod")) == pods


def test_restart_forgets_progress(lesson: Lesson, dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    r.handle_line("skip")
    again = runner_for(lesson, dstutor_home, restart=True)
    assert again.index == 0 and again.progress.log == []


def test_reset_rebuilds_the_cluster_as_the_step_started(lesson: Lesson,
                                                        dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    r.handle_line("skip")
    say(r, "kubectl label node worker-1 oops=yes")
    out = say(r, "reset")
    assert "back to how it was when step 'taint-gpu' started" in out
    node = r.executor.cluster.find("Node", "", "worker-1")
    assert node is not None and "oops" not in node["metadata"]["labels"]


def test_create_daemonset_is_refused_with_a_tutor_note(lesson: Lesson,
                                                       dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    reply = r.handle_line("kubectl create daemonset x --image=nginx")
    assert reply.exit_code == 1
    assert reply.stderr.startswith("error: ")
    assert "tutor:" in reply.stdout and "apply -f" in reply.stdout
    reply = r.handle_line("kubectl scale ds node-logger -n kube-system --replicas=2")
    assert "tutor:" in reply.stdout and "has no replica" in reply.stdout


def test_cli_script_mode_resumes_and_reports_failures(dstutor_home: Path) -> None:
    cli = CliRunner()
    first = cli.invoke(lesson_app, ["run", "taints", "--course", str(COURSE)],
                       input="kubectl describe node control-plane\nhint\n")
    assert first.exit_code == 0, first.output
    assert "✓ Step 1 done" in first.output
    second = cli.invoke(lesson_app, ["run", "taints", "--course", str(COURSE)],
                        input="kubectl get nodes nope\nprogress\n")
    assert second.exit_code == 1  # a command failed
    assert "Resuming at step 2/5" in second.output
    assert 'Error from server (NotFound): nodes "nope" not found' in second.output
    assert "Find the taint" in second.output and "done" in second.output
    listed = cli.invoke(lesson_app, ["list", "--course", str(COURSE)])
    assert "1/5 steps" in listed.output


def test_interactive_loop_uses_the_runner_prompt_and_saves_on_ctrl_d(
        lesson: Lesson, dstutor_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from dstutor.cli.lessons import run_interactive

    r = runner_for(lesson, dstutor_home, live=True)
    assert r.executor.cluster.clock.mode == "live"
    typed = iter(["kubectl describe node control-plane",
                  "kubectl taint node worker-3 dedicated=gpu:NoSchedule"])
    prompts: list[str] = []

    def ask(message: str) -> str:
        prompts.append(message)
        if message.startswith("your prediction"):
            return "3"
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    assert run_interactive(r, ask) == 0
    assert prompts[:3] == ["[04-taints 1/5] $ ", "[04-taints 2/5] $ ",
                           "your prediction (a number)> "]
    out = capsys.readouterr().out
    assert "You predicted 3: right." in out and "Progress saved" in out
    saved = ProgressStore(dstutor_home / "progress.json").get("taints")
    assert saved.current_step == "evict"
    assert [e.line for e in saved.commands()] == [
        "kubectl describe node control-plane",
        "kubectl taint node worker-3 dedicated=gpu:NoSchedule"]
    # every line typed is on record, in order: the held command, the prediction, then the
    # held command as it ran
    assert [(e.line, e.kind) for e in saved.log] == [
        ("kubectl describe node control-plane", "run"),
        ("kubectl taint node worker-3 dedicated=gpu:NoSchedule", "typed"), ("3", "typed"),
        ("kubectl taint node worker-3 dedicated=gpu:NoSchedule", "auto")]


def test_a_failed_command_keeps_the_prediction_and_typos_cost_nothing(
        dstutor_home: Path) -> None:
    lesson = load_lesson(COURSE / "01-what-is-a-daemonset.yaml")
    r = runner_for(lesson, dstutor_home)
    r.handle_line("skip")
    bad = ("kubectl apply -f - <<EOF\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n"
           "  name: node-logger\n  namespace: kube-system\nspec:\n  replicas: 3\nEOF")
    assert "predict" in r.handle_line(bad).stdout
    reply = r.handle_line("3")
    assert reply.exit_code == 1
    streams = [name for name, _text in reply.parts()]
    assert streams.index("stderr") < streams.index("stdout", 1)  # error, then the tutor
    assert "your prediction stands for the next try" in reply.stdout
    assert r.progress.step("create").attempts == 1
    assert r.handle_line("get pods").exit_code == 1  # did you mean ...
    assert r.progress.step("create").attempts == 1
    good = lesson.steps[1].solution[0]
    out = r.handle_line(good).stdout
    assert "Before this runs" not in out  # asked once only
    assert "You predicted 3: right." in out


def test_undo_is_replayed_on_resume_and_observation_steps_stay_quiet(
        lesson: Lesson, dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    outs = [r.handle_line(x).stdout for x in ("kubectl label node worker-1 a=b", "undo",
                                               "kubectl label node worker-2 c=d")]
    assert not any("not yet" in o for o in outs)  # step 1 only asks to look at a node
    assert r.progress.step("observe").attempts == 0
    again = LessonRunner(lesson, ProgressStore(dstutor_home / "progress.json"))
    again.start()
    nodes = {n: again.executor.cluster.find("Node", "", n) for n in ("worker-1", "worker-2")}
    assert "a" not in nodes["worker-1"]["metadata"]["labels"]  # type: ignore[index]
    assert nodes["worker-2"]["metadata"]["labels"]["c"] == "d"  # type: ignore[index]


def test_a_lucky_solution_fails_its_variant_once(dstutor_home: Path) -> None:
    from lesson_paths import BROKEN

    lesson = load_lesson(BROKEN / "09-variant-fails.yaml")
    r = runner_for(lesson, dstutor_home)
    out = say(r, "kubectl taint node worker-3 dedicated=gpu:NoExecute")
    assert ("Almost: this works on this cluster, but not when a GPU node joins later: "
            "node-logger runs on worker-1, worker-2, worker-4; worker-4 still runs one") in out
    assert r.step is not None and r.step.id == "place"
    assert r.progress.step("place").attempts == 1
    assert "Almost" not in say(r, "kubectl get pods -n kube-system")  # said once
    assert r.progress.step("place").attempts == 1


def test_drain_warning_keeps_kubectls_place_in_a_lesson(lesson: Lesson,
                                                        dstutor_home: Path) -> None:
    r = runner_for(lesson, dstutor_home)
    reply = r.handle_line("kubectl drain worker-1 --ignore-daemonsets")
    texts = [text for _name, text in reply.parts()]
    assert texts[0] == "node/worker-1 cordoned\n"
    assert texts[1].startswith("Warning: ignoring DaemonSet-managed Pods: kube-system/")
    assert texts[2] == "node/worker-1 drained\n"
    assert [name for name, _ in reply.parts()][:3] == ["stdout", "stderr", "stdout"]
